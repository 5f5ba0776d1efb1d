import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measure, percentile, roundFigure } from './harness.js';
import {
  discoverBenches,
  formatTable,
  mergeResults,
  noteWithLoad,
  readResults,
  runAll,
  type BenchOutcome,
  writeResults,
} from './runner.js';

const root = mkdtempSync(join(tmpdir(), 'subnetkit-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const okBench = (name: string, value: number) =>
  `export default async () => [{ name: '${name}', value: ${value}, unit: 'ms', note: 'n' }];\n`;

put('bench/alpha.bench.ts', okBench('core.alpha_ms', 1.23456));
put('bench/harness.ts', 'export {};\n');
put('bench/broken.bench.ts', "export default async () => { throw new Error('boom'); };\n");
put('packages/core/bench/beta.bench.ts', okBench('core.beta_ms', 2));
put('packages/core/node_modules/x/bench/ignored.bench.ts', okBench('nope', 0));
put('subnets/echo/bench/gamma.bench.ts', okBench('echo.gamma_ms', 3));
put('subnets/echo/bench/notes.md', '');

describe('discoverBenches', () => {
  it('finds bench files in bench/, packages/*/bench and subnets/*/bench, in that order', () => {
    expect(discoverBenches(root).map((b) => b.id)).toEqual([
      'bench/alpha.bench.ts',
      'bench/broken.bench.ts',
      'packages/core/bench/beta.bench.ts',
      'subnets/echo/bench/gamma.bench.ts',
    ]);
  });

  it('filters by substring, comma-separated, case-insensitive', () => {
    expect(discoverBenches(root, 'ALPHA').map((b) => b.id)).toEqual(['bench/alpha.bench.ts']);
    expect(discoverBenches(root, 'beta,echo').map((b) => b.id)).toEqual([
      'packages/core/bench/beta.bench.ts',
      'subnets/echo/bench/gamma.bench.ts',
    ]);
    expect(discoverBenches(root, 'zzz')).toEqual([]);
  });
});

describe('running and recording', () => {
  it('runs every bench, reports a throwing one and keeps going', async () => {
    const outcomes = await runAll(discoverBenches(root));
    expect(outcomes.map((o) => o.error)).toEqual([undefined, 'boom', undefined, undefined]);
    const ctx = outcomes[0]!.load!;
    expect(ctx.cores).toBeGreaterThan(0);
    expect(outcomes[0]?.figures).toEqual([
      {
        name: 'core.alpha_ms',
        value: 1.235,
        unit: 'ms',
        note: `n; ${ctx.cores} cores, load ${ctx.load1.toFixed(1)} at start`,
      },
    ]);
    const table = formatTable(outcomes);
    expect(table).toMatch(/bench\/broken\.bench\.ts\s+FAILED\s+boom/);
    expect(table).toMatch(/core\.beta_ms\s+2\s+ms/);
  });

  it('writes results.json with figures, machine and date, and merges filtered runs', async () => {
    const path = join(root, 'bench', 'results.json');
    const all = await runAll(discoverBenches(root));
    writeResults(path, mergeResults(readResults(path), all, false, new Date('2026-01-01T00:00:00Z')));
    const first = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(first)).toEqual(['figures', 'machine', 'date', 'benches', 'load']);
    expect(Object.keys(first.load)).toEqual(Object.keys(first.benches));
    expect(first.load['bench/alpha.bench.ts']).toEqual({
      cores: expect.any(Number),
      load1: expect.any(Number),
    });
    expect(first.date).toBe('2026-01-01T00:00:00.000Z');
    expect(first.machine).toMatchObject({ node: process.version, cpus: expect.any(Number) });
    expect(first.figures.map((f: { name: string }) => f.name)).toEqual([
      'core.alpha_ms',
      'core.beta_ms',
      'echo.gamma_ms',
    ]);
    for (const f of first.figures) expect(Object.keys(f).sort()).toEqual(['name', 'note', 'unit', 'value']);

    // A filtered run replaces only the figures of the benches it ran.
    // (The module is cached by the import above, so the new value is injected instead of re-imported.)
    const beta = discoverBenches(root, 'beta');
    const fresh = (await runAll(beta)).map((o) => ({
      ...o,
      figures: o.figures.map((f) => ({ ...f, value: 5 })),
    }));
    writeResults(path, mergeResults(readResults(path), fresh, true, new Date()));
    const second = readResults(path);
    // The load of benches that did not run is kept with their figures.
    expect(second?.load['bench/alpha.bench.ts']).toEqual(first.load['bench/alpha.bench.ts']);
    expect(second?.figures.map((f) => [f.name, f.value])).toEqual([
      ['core.alpha_ms', 1.235],
      ['core.beta_ms', 5],
      ['echo.gamma_ms', 3],
    ]);
    // An unfiltered run starts from scratch.
    const only: BenchOutcome[] = fresh;
    expect(mergeResults(second, only, false, new Date()).figures.map((f) => f.name)).toEqual([
      'core.beta_ms',
    ]);
  });

  it('appends cores and load to notes that do not say how many cores they ran on', () => {
    const ctx = { cores: 2, load1: 3.14 };
    expect(noteWithLoad(undefined, ctx)).toBe('2 cores, load 3.1 at start');
    expect(noteWithLoad('', ctx)).toBe('2 cores, load 3.1 at start');
    expect(noteWithLoad('p99 3 ms', ctx)).toBe('p99 3 ms; 2 cores, load 3.1 at start');
    expect(noteWithLoad('load average 2 on 2 cores', ctx)).toBe('load average 2 on 2 cores');
    expect(noteWithLoad('on one core', ctx)).toBe('on one core');
    expect(noteWithLoad('core.x_ms of 2 coresident', ctx)).toBe(
      'core.x_ms of 2 coresident; 2 cores, load 3.1 at start',
    );
  });

  it('rejects figures of the wrong shape', async () => {
    put(
      'bench/bad-shape.bench.ts',
      "export default async () => [{ name: 'x', value: 'fast', unit: 'ms' }];\n",
    );
    const [outcome] = await runAll(discoverBenches(root, 'bad-shape'));
    expect(outcome?.error).toMatch(/figure 0 must be/);
  });
});

describe('measure and helpers', () => {
  it('runs exactly the requested iterations and reports consistent stats', async () => {
    let calls = 0;
    const m = await measure(
      () => {
        calls++;
      },
      { iterations: 50, warmup: 5 },
    );
    expect(calls).toBe(55);
    expect(m.iterations).toBe(50);
    expect(m.minUs).toBeLessThanOrEqual(m.p50Us);
    expect(m.p50Us).toBeLessThanOrEqual(m.p99Us);
    expect(m.p99Us).toBeLessThanOrEqual(m.maxUs);
    expect(m.perOpUs).toBeCloseTo(m.meanMs * 1000, 6);
  });

  it('awaits async functions', async () => {
    let done = 0;
    await measure(
      async () => {
        await Promise.resolve();
        done++;
      },
      { iterations: 3, warmup: 0 },
    );
    expect(done).toBe(3);
  });

  it('computes percentiles and rounds figures', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([5], 99)).toBe(5);
    expect(roundFigure(1.23456)).toBe(1.235);
    expect(roundFigure(12345.678)).toBe(12346);
    expect(roundFigure(0.000123456)).toBe(0.0001235);
    expect(roundFigure(42)).toBe(42);
  });
});
