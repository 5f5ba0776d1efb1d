/**
 * The round rules, as pure functions: which commitments count (made in the round, before its deadline,
 * and the earliest for a given update hash), how a validator scores updates (improvement over the
 * current subnet model on its own held-out digits), and how scores become weights.
 */
import type { DigitSet } from '@subnetkit/subnet-vision';
import { evaluateWeights } from './model.js';
import { decodeWeights, type ModelWeights, sameShapes, updateHash } from './weights.js';

/** A hotkey's commitment as read from chain: the update hash it committed and the block it did so in. */
export interface CommittedUpdate {
  hotkey: string;
  /** Lowercase hex sha256 of the update bytes (no 0x). */
  hash: string;
  block: number;
}

/** A round: commitments count when made in blocks `[startBlock, deadlineBlock]`. */
export interface RoundWindow {
  startBlock: number;
  deadlineBlock: number;
}

export type CommitmentStatus =
  | { status: 'accepted' }
  | { status: 'late' }
  | { status: 'stale' }
  /** The same hash was committed earlier by `original`: this hotkey serves someone else's update. */
  | { status: 'copy'; original: string };

/**
 * Judges every commitment of a round. Made before the round started: `stale` (last round's update);
 * after the deadline: `late`. Among in-window commitments of the same hash, the earliest block wins and
 * later ones are `copy` (an update can only be copied after its owner served it, which happens after its
 * commitment is on chain, so the copy's commitment is in a later block). Commitments of the same hash in
 * the same block are all accepted: neither can have seen the other's bytes.
 */
export function judgeCommitments(
  commitments: CommittedUpdate[],
  round: RoundWindow,
): Map<string, CommitmentStatus> {
  const out = new Map<string, CommitmentStatus>();
  const first = new Map<string, CommittedUpdate>();
  const inWindow = commitments.filter((c) => {
    if (c.block < round.startBlock) out.set(c.hotkey, { status: 'stale' });
    else if (c.block > round.deadlineBlock) out.set(c.hotkey, { status: 'late' });
    else return true;
    return false;
  });
  for (const c of [...inWindow].sort((a, b) => a.block - b.block || (a.hotkey < b.hotkey ? -1 : 1))) {
    const prev = first.get(c.hash.toLowerCase());
    if (!prev) first.set(c.hash.toLowerCase(), c);
    if (prev && prev.block < c.block) out.set(c.hotkey, { status: 'copy', original: prev.hotkey });
    else out.set(c.hotkey, { status: 'accepted' });
  }
  return out;
}

/** Why an update scored what it scored. */
export type UpdateVerdict =
  | 'improves'
  | 'no_improvement'
  | 'hash_mismatch'
  | 'bad_format'
  | 'wrong_shape'
  | 'missing'
  | 'too_large'
  | 'late'
  | 'stale'
  | 'copy';

export interface UpdateScore {
  hotkey: string;
  verdict: UpdateVerdict;
  /** Held-out loss decrease of the merged model over the base (0 unless `improves`). */
  score: number;
}

/** What a validator knows when it scores a round's updates. */
export interface ScoringInput {
  base: ModelWeights;
  /** The validator's own held-out digits. */
  heldOut: DigitSet;
  commitments: CommittedUpdate[];
  round: RoundWindow;
  /** Update bytes fetched from each hotkey's axon (absent: the fetch failed). */
  updates: Map<string, Uint8Array>;
  /** Largest update accepted, in bytes. */
  maxBytes: number;
}

/**
 * Scores each committed update by how much it improves the current subnet model on the validator's
 * held-out digits, as the smaller of two held-out cross-entropy decreases (floored at 0):
 *
 * - its own gain: the update merged into the base with the share it would have if every accepted update
 *   counted equally (`base + (update - base) / n`), against the base;
 * - its marginal gain: the equal-share average of all valid updates against the same average without it.
 *
 * A lazy update (the base itself) scores exactly 0 (no own gain); poisoned or random updates raise the
 * loss on their own or make the average of the others worse, so they score 0 even when, from an untrained
 * base, any small step lowers the loss; honest updates lower it both ways. Absolute accuracy is not rewarded.
 */
export function scoreUpdates(input: ScoringInput): UpdateScore[] {
  const judged = judgeCommitments(input.commitments, input.round);
  const baseLoss = evaluateWeights(input.base, input.heldOut).loss;
  const accepted = [...judged.values()].filter((j) => j.status === 'accepted').length;
  const share = 1 / Math.max(1, accepted);
  const valid = new Map<string, ModelWeights>();
  const verdicts = input.commitments.map((c): UpdateScore | { hotkey: string; gain: number } => {
    const j = judged.get(c.hotkey)!;
    const zero = (verdict: UpdateVerdict): UpdateScore => ({ hotkey: c.hotkey, verdict, score: 0 });
    if (j.status !== 'accepted') return zero(j.status);
    const bytes = input.updates.get(c.hotkey);
    if (!bytes) return zero('missing');
    if (bytes.length > input.maxBytes) return zero('too_large');
    if (updateHash(bytes) !== c.hash.toLowerCase()) return zero('hash_mismatch');
    let w: ModelWeights;
    try {
      w = decodeWeights(bytes);
    } catch {
      return zero('bad_format');
    }
    if (!sameShapes(input.base, w)) return zero('wrong_shape');
    valid.set(c.hotkey, w);
    const merged = input.base.map((t, k) => {
      const u = w[k]!.values;
      const values = new Float32Array(t.values.length);
      for (let i = 0; i < values.length; i++) values[i] = t.values[i]! + share * (u[i]! - t.values[i]!);
      return { shape: t.shape, values };
    });
    return { hotkey: c.hotkey, gain: baseLoss - evaluateWeights(merged, input.heldOut).loss };
  });
  const marginal = marginalGains(input.base, valid, input.heldOut);
  return verdicts.map((v) => {
    if ('verdict' in v) return v;
    const score = Math.min(v.gain, marginal.get(v.hotkey) ?? v.gain);
    return score > 0
      ? { hotkey: v.hotkey, verdict: 'improves', score }
      : { hotkey: v.hotkey, verdict: 'no_improvement', score: 0 };
  });
}

/**
 * Per update: held-out loss of the equal-share average of the other valid updates minus that of the
 * average of all of them (positive: the update helps the average). Empty with fewer than two updates.
 */
function marginalGains(
  base: ModelWeights,
  updates: Map<string, ModelWeights>,
  heldOut: DigitSet,
): Map<string, number> {
  const out = new Map<string, number>();
  const n = updates.size;
  if (n < 2) return out;
  const sums = base.map((t) => new Float64Array(t.values.length));
  for (const w of updates.values())
    w.forEach((t, k) => {
      const sum = sums[k]!;
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + t.values[i]!;
    });
  const average = (leaveOut?: ModelWeights): ModelWeights =>
    base.map((t, k) => {
      const sum = sums[k]!;
      const m = leaveOut ? n - 1 : n;
      const values = new Float32Array(sum.length);
      for (let i = 0; i < values.length; i++)
        values[i] = (sum[i]! - (leaveOut ? leaveOut[k]!.values[i]! : 0)) / m;
      return { shape: t.shape, values };
    });
  const allLoss = evaluateWeights(average(), heldOut).loss;
  for (const [hotkey, w] of updates) out.set(hotkey, evaluateWeights(average(w), heldOut).loss - allLoss);
  return out;
}

/** Scores normalised to weights that sum to 1 (all zero when nothing improved). */
export function scoresToWeights(scores: UpdateScore[]): Map<string, number> {
  const total = scores.reduce((a, s) => a + s.score, 0);
  return new Map(scores.map((s) => [s.hotkey, total > 0 ? s.score / total : 0]));
}

/**
 * Stake-weighted mean of the validators' weight vectors, renormalised: the consensus weight each
 * hotkey's update gets in aggregation when the in-process simulation stands in for the chain (on
 * chain, the subnet's incentive from Yuma takes this place).
 */
export function consensusWeights(
  validators: { stake: number; weights: Map<string, number> }[],
): Map<string, number> {
  const out = new Map<string, number>();
  const totalStake = validators.reduce((a, v) => a + v.stake, 0);
  for (const v of validators)
    for (const [hk, w] of v.weights) out.set(hk, (out.get(hk) ?? 0) + (v.stake / totalStake) * w);
  const sum = [...out.values()].reduce((a, b) => a + b, 0);
  if (sum > 0) for (const [hk, w] of out) out.set(hk, w / sum);
  return out;
}
