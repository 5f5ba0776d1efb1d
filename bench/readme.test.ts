/**
 * bench/README.md documents exactly the figures bench/results.json holds: every figure name in the
 * first column of a README table is in results.json, and every figure in results.json has its row; and
 * every figure's note is non-empty and says how many cores it ran on (bench/runner.ts appends cores and
 * the load average to notes that do not).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mentionsCores } from './runner.js';

/** Figure names in the first cell of a Markdown table row: "| `area.metric` …|". */
export function documentedFigures(markdown: string): string[] {
  const names: string[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([a-z0-9_]+(?:\.[a-z0-9_]+)+)`/.exec(line);
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}

describe('bench/README.md', () => {
  it('reads figure names from table rows only', () => {
    const md = [
      'Prose naming `core.not_a_row` is not a row.',
      '| figure | value |',
      '| --- | --- |',
      '| `core.a_ms` (256 uids) | 1 |',
      '|`core.b_per_s`| 2 |',
      "```ts\n{ name: 'area.metric_unit_detail' }\n```",
    ].join('\n');
    expect(documentedFigures(md)).toEqual(['core.a_ms', 'core.b_per_s']);
  });

  it('documents exactly the figures in results.json, each once', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8')) as {
      figures: { name: string }[];
    };
    const documented = documentedFigures(readme);
    const dupes = documented.filter((n, i) => documented.indexOf(n) !== i);
    expect(dupes, 'figures with more than one README row').toEqual([]);
    expect([...documented].sort()).toEqual(results.figures.map((f) => f.name).sort());
  });

  it('gives every figure a note that says how many cores it ran on', () => {
    const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8')) as {
      figures: { name: string; note?: string }[];
    };
    const bad = results.figures
      .filter((f) => typeof f.note !== 'string' || f.note.trim() === '' || !mentionsCores(f.note))
      .map((f) => f.name);
    expect(bad, 'figures whose note is empty or does not mention cores').toEqual([]);
  });
});
