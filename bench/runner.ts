/**
 * Discovers, runs and records benchmarks. Pure-ish helpers (no process.exit, no console) so the CLI in
 * run.ts stays thin and the logic can be tested against a temporary directory.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Figure, roundFigure } from './harness.js';

/** One benchmark file found by {@link discoverBenches}. */
export interface BenchFile {
  /** Repo-relative path with `/` separators, e.g. `bench/weights.bench.ts` (the bench's stable id). */
  id: string;
  /** Absolute path. */
  path: string;
}

/** The machine's state when a bench file started: every figure's note carries it. */
export interface BenchLoad {
  /** Cores available to the process (os.availableParallelism). */
  cores: number;
  /** 1-minute load average at the start of the file (/proc/loadavg), one decimal. */
  load1: number;
}

/** Reads {@link BenchLoad} now. */
export function currentLoad(): BenchLoad {
  return { cores: availableParallelism(), load1: Math.round(loadavg()[0]! * 10) / 10 };
}

/**
 * A figure's note with the core count and load average of its run appended (`; 2 cores, load 1.3 at
 * start`), unless the note already says how many cores it ran on. An empty note becomes just that.
 */
export function noteWithLoad(note: string | undefined, ctx: BenchLoad): string {
  const tail = `${ctx.cores} cores, load ${ctx.load1.toFixed(1)} at start`;
  if (!note) return tail;
  return mentionsCores(note) ? note : `${note}; ${tail}`;
}

/** True when a note says how many cores ran it ("2 cores", "one core"; not a figure name like `core.x`). */
export function mentionsCores(note: string): boolean {
  return /\bcores?\b(?![.\w])/i.test(note);
}

/** Outcome of running one benchmark file. */
export interface BenchOutcome {
  /** The file that ran. */
  bench: BenchFile;
  /** Cores and load average when it started. */
  load?: BenchLoad;
  /** Figures it returned (empty when it failed). */
  figures: Figure[];
  /** Error message when it threw or returned malformed figures. */
  error?: string;
  /** Wall time of the whole bench file, ms. */
  ms: number;
}

/** Shape of bench/results.json. */
export interface ResultsFile {
  /** All figures, sorted by name. */
  figures: Figure[];
  /** CPU, memory, Node version and platform of the machine that ran them. */
  machine: Record<string, unknown>;
  /** ISO timestamp of the run. */
  date: string;
  /** Bench id -> names of the figures it produced (used to merge filtered runs). */
  benches: Record<string, string[]>;
  /** Bench id -> cores and 1-minute load average when that file started. */
  load: Record<string, BenchLoad>;
}

const BENCH_SUFFIX = '.bench.ts';

function listBenchFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(BENCH_SUFFIX))
    .sort()
    .map((f) => join(dir, f));
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'node_modules')
    .map((d) => d.name)
    .sort();
}

/**
 * Finds `bench/*.bench.ts`, `packages/<pkg>/bench/*.bench.ts` and `subnets/<name>/bench/*.bench.ts` under
 * `rootDir`, in that order. `filter` keeps files whose id contains it (case-insensitive); a comma
 * separates alternatives (`weights,auth`).
 */
export function discoverBenches(rootDir: string, filter?: string): BenchFile[] {
  const paths = [
    ...listBenchFiles(join(rootDir, 'bench')),
    ...subdirs(join(rootDir, 'packages')).flatMap((p) =>
      listBenchFiles(join(rootDir, 'packages', p, 'bench')),
    ),
    ...subdirs(join(rootDir, 'subnets')).flatMap((s) => listBenchFiles(join(rootDir, 'subnets', s, 'bench'))),
  ];
  const terms = (filter ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  return paths
    .map((path) => ({ path, id: relative(rootDir, path).split(sep).join('/') }))
    .filter((b) => terms.length === 0 || terms.some((t) => b.id.toLowerCase().includes(t)));
}

function checkFigures(value: unknown, ctx: BenchLoad): Figure[] {
  if (!Array.isArray(value)) throw new Error('default export must resolve to an array of figures');
  return value.map((f, i) => {
    const fig = f as Partial<Figure>;
    if (typeof fig?.name !== 'string' || typeof fig.unit !== 'string' || typeof fig.value !== 'number') {
      throw new Error(`figure ${i} must be { name: string, value: number, unit: string, note?: string }`);
    }
    if (!Number.isFinite(fig.value))
      throw new Error(`figure "${fig.name}" has a non-finite value ${fig.value}`);
    return {
      name: fig.name,
      value: roundFigure(fig.value),
      unit: fig.unit,
      note: noteWithLoad(typeof fig.note === 'string' ? fig.note : undefined, ctx),
    };
  });
}

/**
 * Imports one bench file and runs its default export; a throw becomes `error`, never an exception. The
 * cores and load average at its start are recorded and appended to its figures' notes.
 */
export async function runBench(bench: BenchFile): Promise<BenchOutcome> {
  const load = currentLoad();
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(bench.path).href)) as { default?: unknown };
    if (typeof mod.default !== 'function')
      throw new Error('no default export function () => Promise<Figure[]>');
    const figures = checkFigures(await (mod.default as () => unknown)(), load);
    return { bench, load, figures, ms: performance.now() - started };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { bench, load, figures: [], error, ms: performance.now() - started };
  }
}

/** Basic description of the machine, stored with the figures so numbers can be compared fairly. */
export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpus: cpu.length,
    totalMemGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemGb: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

/** Reads a previous results file, or undefined when it is missing or unreadable. */
export function readResults(path: string): ResultsFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ResultsFile>;
    if (!Array.isArray(parsed.figures)) return undefined;
    return {
      figures: parsed.figures,
      machine: parsed.machine ?? {},
      date: parsed.date ?? '',
      benches: parsed.benches ?? {},
      load: parsed.load ?? {},
    };
  } catch {
    return undefined;
  }
}

/**
 * Builds the new results. With `filtered`, benches that did not run keep their previous figures; the
 * benches that ran replace theirs (a failed bench drops its figures). Figures are sorted by name.
 */
export function mergeResults(
  previous: ResultsFile | undefined,
  outcomes: readonly BenchOutcome[],
  filtered: boolean,
  date: Date,
): ResultsFile {
  const benches: Record<string, string[]> = {};
  const load: Record<string, BenchLoad> = {};
  const figures = new Map<string, Figure>();
  const ran = new Set(outcomes.map((o) => o.bench.id));
  if (filtered && previous) {
    const ownedByRun = new Set<string>();
    for (const [id, names] of Object.entries(previous.benches)) {
      if (ran.has(id)) for (const n of names) ownedByRun.add(n);
      else {
        benches[id] = names;
        const l = previous.load[id];
        if (l) load[id] = l;
      }
    }
    for (const f of previous.figures) if (!ownedByRun.has(f.name)) figures.set(f.name, f);
  }
  for (const o of outcomes) {
    benches[o.bench.id] = o.figures.map((f) => f.name);
    if (o.load) load[o.bench.id] = o.load;
    for (const f of o.figures) figures.set(f.name, f);
  }
  const sorted = <T>(r: Record<string, T>) =>
    Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
  return {
    figures: [...figures.values()].sort((a, b) => a.name.localeCompare(b.name)),
    machine: machineInfo(),
    date: date.toISOString(),
    benches: sorted(benches),
    load: sorted(load),
  };
}

/** Writes results as pretty JSON with a trailing newline. */
export function writeResults(path: string, results: ResultsFile): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

/** Renders outcomes as a fixed-width table (name, value, unit, note); failed benches show FAILED. */
export function formatTable(outcomes: readonly BenchOutcome[]): string {
  const rows: string[][] = [['name', 'value', 'unit', 'note']];
  for (const o of outcomes) {
    if (o.error !== undefined) rows.push([o.bench.id, 'FAILED', '', o.error]);
    for (const f of o.figures) rows.push([f.name, String(f.value), f.unit, f.note ?? '']);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] as string).length)));
  const line = (r: string[]) =>
    [
      (r[0] as string).padEnd(widths[0] as number),
      (r[1] as string).padStart(widths[1] as number),
      (r[2] as string).padEnd(widths[2] as number),
      r[3] as string,
    ]
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  const rule = '-'.repeat(Math.min(120, line(header as string[]).length + 20));
  return [line(header as string[]), rule, ...body.map(line)].join('\n');
}

/** Runs the given benches one after the other (never concurrently, so they do not skew each other). */
export async function runAll(
  benches: readonly BenchFile[],
  onDone?: (outcome: BenchOutcome) => void,
): Promise<BenchOutcome[]> {
  const outcomes: BenchOutcome[] = [];
  for (const bench of benches) {
    const outcome = await runBench(bench);
    onDone?.(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}
