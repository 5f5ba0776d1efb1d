/**
 * Exponential moving averages of miner scores: the pure reference of what the Redis Lua fold in
 * `score-store.ts` does atomically. Kept here so the math is tested without a server.
 */

/** Default smoothing factor, as in the Bittensor subnet template (`--neuron.moving_average_alpha`). */
export const DEFAULT_EMA_ALPHA = 0.1;

/** Clamp a reward into [0, 1]; NaN and non-numbers become 0 (as the template does with NaN). */
export function sanitizeScore(score: unknown): number {
  if (typeof score !== 'number' || Number.isNaN(score)) return 0;
  if (score <= 0) return 0;
  if (score >= 1) return 1;
  return score;
}

/** Throws a clear error unless `alpha` is in (0, 1]. */
export function checkAlpha(alpha: number): number {
  if (!Number.isFinite(alpha) || alpha <= 0 || alpha > 1) {
    throw new RangeError(`EMA alpha ${alpha} is out of range; pass a number in (0, 1], e.g. 0.1`);
  }
  return alpha;
}

/** `alpha * score + (1 - alpha) * previous`. */
export function emaUpdate(previous: number, score: number, alpha: number): number {
  return alpha * score + (1 - alpha) * previous;
}

/** One uid's stored state: its moving average and the hotkey it was earned by. */
export interface ScoreEntry {
  hotkey: string;
  score: number;
}

/** One scored query to fold: the uid, the hotkey that answered, and its reward. */
export interface ScoreUpdate {
  uid: number;
  hotkey: string;
  score: number;
  /** For the uid's history: the query's latency and outcome kind. */
  latencyMs?: number;
  outcome?: string;
}

/**
 * Fold a round's scores into a copy of `state`. A uid whose hotkey changed (deregistered and
 * replaced) starts again from 0, so a newcomer never inherits its predecessor's score.
 */
export function foldScores(
  state: ReadonlyMap<number, ScoreEntry>,
  updates: readonly ScoreUpdate[],
  alpha: number,
): Map<number, ScoreEntry> {
  checkAlpha(alpha);
  const next = new Map(state);
  for (const u of updates) {
    const prev = next.get(u.uid);
    const base = prev && prev.hotkey === u.hotkey ? prev.score : 0;
    next.set(u.uid, { hotkey: u.hotkey, score: emaUpdate(base, sanitizeScore(u.score), alpha) });
  }
  return next;
}
