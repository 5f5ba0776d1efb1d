/**
 * Benchmark building blocks shared by every `*.bench.ts`: the {@link Figure} type a benchmark returns and
 * {@link measure}, a small timing loop with warm-up and percentiles.
 */

/** One reported number. `name` is stable across runs (`area.metric_unit_detail`), e.g. `core.process_weights_ms_4096`. */
export type Figure = { name: string; value: number; unit: string; note?: string };

/** A benchmark module's default export. */
export type BenchFn = () => Promise<Figure[]>;

/** How long {@link measure} runs: a fixed number of iterations, or as many as fit in `durationMs`. */
export interface MeasureOptions {
  /** Exact number of timed iterations (wins over `durationMs`). */
  iterations?: number;
  /** Time budget for timed iterations, in milliseconds (default 1000). */
  durationMs?: number;
  /** Untimed warm-up iterations first, so the JIT has compiled the hot path (default: 10% of the budget, at least 3). */
  warmup?: number;
  /** Upper bound on iterations in `durationMs` mode (default 1e6), to cap memory for the samples. */
  maxIterations?: number;
}

/** Result of {@link measure}. Times are per operation. */
export interface Measurement {
  /** Timed calls (warm-up excluded). */
  iterations: number;
  /** Sum of the timed calls, in milliseconds. */
  totalMs: number;
  /** Calls per second over the timed calls. */
  opsPerSec: number;
  /** Mean time per operation in microseconds. */
  perOpUs: number;
  /** Mean time per operation in milliseconds. */
  meanMs: number;
  /** Fastest call, µs. */
  minUs: number;
  /** Median call, µs. */
  p50Us: number;
  /** 90th percentile call, µs. */
  p90Us: number;
  /** 99th percentile call, µs. */
  p99Us: number;
  /** Slowest call, µs. */
  maxUs: number;
}

/** The `p`-th percentile (0..100) of `samples` with linear interpolation; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (idx - lo);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * Times `fn` (sync or async) one call at a time and returns throughput, mean and percentiles.
 * Each sample is one call, so very fast functions (< 1 µs) carry timer overhead: batch them inside `fn`.
 */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const durationMs = options.durationMs ?? 1000;
  const maxIterations = options.maxIterations ?? 1_000_000;
  const call = async () => {
    const r = fn();
    if (isThenable(r)) await r;
  };
  // Warm-up: a few calls, then calibrate how many fit in ~10% of the budget.
  const warmup = options.warmup;
  if (warmup === undefined) {
    const t0 = performance.now();
    let n = 0;
    while (n < 3 || (performance.now() - t0 < durationMs * 0.1 && n < maxIterations)) {
      await call();
      n++;
    }
  } else {
    for (let i = 0; i < warmup; i++) await call();
  }

  const samples: number[] = [];
  const start = performance.now();
  if (options.iterations !== undefined) {
    for (let i = 0; i < options.iterations; i++) {
      const t = performance.now();
      await call();
      samples.push(performance.now() - t);
    }
  } else {
    while (
      samples.length < maxIterations &&
      (samples.length === 0 || performance.now() - start < durationMs)
    ) {
      const t = performance.now();
      await call();
      samples.push(performance.now() - t);
    }
  }
  const totalMs = samples.reduce((a, b) => a + b, 0);
  const meanMs = samples.length > 0 ? totalMs / samples.length : Number.NaN;
  return {
    iterations: samples.length,
    totalMs,
    opsPerSec: totalMs > 0 ? (samples.length * 1000) / totalMs : Number.POSITIVE_INFINITY,
    perOpUs: meanMs * 1000,
    meanMs,
    minUs: Math.min(...samples) * 1000,
    p50Us: percentile(samples, 50) * 1000,
    p90Us: percentile(samples, 90) * 1000,
    p99Us: percentile(samples, 99) * 1000,
    maxUs: Math.max(...samples) * 1000,
  };
}

/** Rounds a figure value for display and results.json: 4 significant digits, integers kept whole. */
export function roundFigure(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 9)));
}

/** A deterministic pseudo-random generator (mulberry32) so benchmark inputs are identical across runs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
