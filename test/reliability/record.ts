/**
 * Rows of docs/reliability.md: each suite records what it held, survived or tried into
 * results/<suite>.json (one row per id, replaced on each run); scripts/reliability-table.mjs renders
 * them into the table.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whether the longer local variant runs (`SUBNETKIT_LONG=1`). */
export const LONG = process.env.SUBNETKIT_LONG === '1';

export interface ReliabilityRow {
  /** Stable id of the row within its suite. */
  id: string;
  suite: 'load' | 'soak' | 'chaos' | 'fuzz';
  /** What was done: the load held, the fault injected, or the hostile inputs tried. */
  what: string;
  /** What was observed (throughput, counts, statuses). */
  result: string;
  /** Time to recover after the fault, ms (faults only). */
  recoveryMs?: number;
  /** The stated bound the recovery was checked against, ms. */
  recoveryBoundMs?: number;
  /** Processes that crashed (0 unless something is broken: the test fails then). */
  crashes: number;
  /** Scores, submissions or answers lost or applied twice (0 unless broken). */
  dataLost: number;
  /** The command that produced the row. */
  command: string;
}

const DIR = join(import.meta.dirname, 'results');

/** Records `row` under its suite and id, with the variant and the time it was measured. */
export function recordRow(row: ReliabilityRow): void {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `${row.suite}.json`);
  const rows: Record<string, unknown> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  rows[row.id] = { ...row, variant: LONG ? 'long' : 'short', measuredAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}

/** The command line of a suite's current variant. */
export function suiteCommand(suite: ReliabilityRow['suite']): string {
  return `${LONG ? 'SUBNETKIT_LONG=1 ' : ''}npm run test:${suite}`;
}
