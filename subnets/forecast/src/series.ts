/** Points of history a validator sends. */
export const HISTORY = 96;
/** Points a miner must forecast. */
export const HORIZON = 12;
/** The main seasonal period (a second seasonality has period PERIOD / 2). */
export const PERIOD = 12;
/** Share of history points a validator blanks out (sent as null). */
export const MISSING_SHARE = 0.05;

/** A generated series: the history (with gaps) a validator sends, and the future it keeps. */
export interface Series {
  history: (number | null)[];
  future: number[];
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * One series of HISTORY + HORIZON points with a known future: a random level and scale, a
 * linear trend, two seasonalities (periods 12 and 6, random amplitudes and phases), Gaussian noise,
 * in half of the series a regime change inside the history (level jump and new slope, both
 * carried into the future), and MISSING_SHARE of the history points missing. Pure: the same
 * `random` sequence gives the same series.
 */
export function generateSeries(random: () => number): Series {
  const u = () => random() * 2 - 1;
  const level = u() * 100;
  const scale = 10 ** (random() * 2); // 1 .. 100
  let slope = u() * 0.04;
  const a1 = 0.5 + random();
  const a2 = random() * 0.6;
  const phi1 = random() * 2 * Math.PI;
  const phi2 = random() * 2 * Math.PI;
  const sigma = 0.05 + random() * 0.3;
  const change = random() < 0.5 ? Math.floor(HISTORY * (0.3 + random() * 0.6)) : -1;
  const jump = u() * 2;
  const newSlope = u() * 0.04;
  let base = 0;
  const values: number[] = [];
  for (let t = 0; t < HISTORY + HORIZON; t++) {
    if (t === change) {
      base += jump;
      slope = newSlope;
    }
    base += slope;
    const season =
      a1 * Math.sin((2 * Math.PI * t) / PERIOD + phi1) +
      a2 * Math.sin((2 * Math.PI * t) / (PERIOD / 2) + phi2);
    values.push(level + scale * (base + season + sigma * gaussian(random)));
  }
  const history: (number | null)[] = values.slice(0, HISTORY);
  for (let t = 0; t < HISTORY; t++) if (random() < MISSING_SHARE) history[t] = null;
  return { history, future: values.slice(HISTORY) };
}

/**
 * Fills missing points by linear interpolation between the nearest known neighbours (the first or
 * last known value at the ends). Throws when every point is missing.
 */
export function fillGaps(history: readonly (number | null)[]): number[] {
  const n = history.length;
  const prev = new Array<number>(n).fill(-1);
  const next = new Array<number>(n).fill(-1);
  for (let i = 0, last = -1; i < n; i++) {
    if (history[i] !== null) last = i;
    prev[i] = last;
  }
  for (let i = n - 1, last = -1; i >= 0; i--) {
    if (history[i] !== null) last = i;
    next[i] = last;
  }
  if (prev[n - 1] === -1) throw new RangeError('history has no known point');
  return history.map((v, i) => {
    if (v !== null) return v;
    const l = prev[i]!;
    const r = next[i]!;
    if (l === -1) return history[r]!;
    if (r === -1) return history[l]!;
    return history[l]! + ((history[r]! - history[l]!) * (i - l)) / (r - l);
  });
}

/** The seasonal-naive forecast: the value one period earlier, repeated (gaps filled first). */
export function seasonalNaive(
  history: readonly (number | null)[],
  horizon = HORIZON,
  period = PERIOD,
): number[] {
  const filled = fillGaps(history);
  const n = filled.length;
  return Array.from({ length: horizon }, (_, h) => filled[n - period + (h % period)]!);
}

/** Mean absolute error. */
export function mae(forecast: readonly number[], truth: readonly number[]): number {
  return truth.reduce((s, v, i) => s + Math.abs((forecast[i] ?? Number.NaN) - v), 0) / truth.length;
}

/**
 * Score of a forecast in (0, 1]: `1 / (1 + r)` with `r = MAE(forecast) / MAE(seasonal naive)` on
 * the true future (a relative MAE; MASE with the out-of-sample seasonal-naive error as scale).
 * Seasonal naive scores 0.5, a perfect forecast 1, anything worse than seasonal naive below 0.5.
 * A malformed forecast scores 0.
 */
export function scoreForecast(
  history: readonly (number | null)[],
  future: readonly number[],
  forecast: readonly number[] | undefined,
): number {
  if (!forecast || forecast.length !== future.length || !forecast.every(Number.isFinite)) return 0;
  const naive = mae(seasonalNaive(history, future.length), future);
  const r = mae(forecast, future) / Math.max(naive, 1e-9);
  return 1 / (1 + r);
}
