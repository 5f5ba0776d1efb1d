/**
 * How one uid's score and weight came to be, from the validator's own state: the uid's score history
 * (each round's reward folded into the moving average), and the weight vector recomputed from the
 * current scores with {@link computeWeights}, as the next submission would make it. Pure; the CLI's
 * `subnetkit validator explain` reads Redis and the chain and prints this.
 */
import type { MetagraphView } from '@subnetkit/core';
import { emaUpdate, type ScoreEntry } from './ema.js';
import type { ScoreHistoryEntry } from './score-store.js';
import type { ValidatorHyperparameters } from './types.js';
import { computeWeights } from './weights.js';

/** One folded round, oldest first, with the score it was folded into. */
export interface ExplainedRound extends ScoreHistoryEntry {
  /** The score before this round (null for the oldest kept round: its predecessor was trimmed). */
  previous: number | null;
  /** α · reward + (1 − α) · previous, when previous is known. */
  expected: number | null;
}

/** Why a uid has its score and weight at this validator. */
export interface ScoreExplanation {
  uid: number;
  /** The hotkey registered on the uid now, and the one its score was earned by. */
  hotkey: string | null;
  scoredHotkey: string | null;
  /** The moving average now (0 when the score belongs to another hotkey or none was folded). */
  score: number;
  alpha: number;
  /** Rounds kept (oldest first); at most the history length. */
  rounds: ExplainedRound[];
  /** Whether every kept round's score equals α · reward + (1 − α) · previous. */
  consistent: boolean;
  /** The weight the validator would submit now, recomputed from every uid's current score. */
  weight: {
    /** The uid's score over the sum of all current scores. */
    scoreShare: number;
    /** Its weight after the chain's rules (min allowed weights, max weight limit). */
    weight: number;
    /** Its u16 value as submitted (max-upscaled), and its share of the vector's u16 total. */
    value: number;
    valueShare: number;
    /** uids the vector weights, and the uid's place among them (1 = highest; null when unweighted). */
    weightedUids: number;
    place: number | null;
  };
  /** The validator's weight on the uid as stored on chain now, and the block it set weights in. */
  onChain: { value: number; lastUpdate: number } | null;
}

export interface ExplainScoreInput {
  uid: number;
  scores: ReadonlyMap<number, ScoreEntry>;
  /** The uid's history, newest first (as `ScoreStore.history` returns it). */
  history: readonly ScoreHistoryEntry[];
  alpha: number;
  metagraph: Pick<MetagraphView, 'n' | 'hotkeys'>;
  hyperparameters: Pick<ValidatorHyperparameters, 'minAllowedWeights' | 'maxWeightsLimit'>;
  excludeQuantile?: number;
  /** The validator's weight row on chain (`[uid, u16]`) and its LastUpdate, when it is registered. */
  onChainRow?: readonly (readonly [number, number])[];
  lastUpdate?: number;
}

/** Relative tolerance of the EMA check (the Lua fold prints scores with 17 significant digits). */
const EPS = 1e-12;

/** Explains a uid's score (from its history) and its weight (recomputed with `computeWeights`). */
export function explainScore(x: ExplainScoreInput): ScoreExplanation {
  const entry = x.scores.get(x.uid);
  const hotkey = x.metagraph.hotkeys[x.uid] ?? null;
  const current = entry && entry.hotkey === hotkey ? entry.score : 0;
  const oldestFirst = [...x.history].reverse();
  const rounds: ExplainedRound[] = oldestFirst.map((r, k) => {
    const previous = k === 0 ? null : oldestFirst[k - 1]!.score;
    return { ...r, previous, expected: previous === null ? null : emaUpdate(previous, r.reward, x.alpha) };
  });
  const consistent = rounds.every(
    (r) => r.expected === null || Math.abs(r.expected - r.score) <= EPS * Math.max(1, Math.abs(r.score)),
  );

  const vector = computeWeights(x.scores, x.metagraph, x.hyperparameters, x.excludeQuantile ?? 0);
  let total = 0;
  for (const [uid, e] of x.scores) {
    if (uid < x.metagraph.n && x.metagraph.hotkeys[uid] === e.hotkey && e.score > 0) total += e.score;
  }
  const k = vector.uids.indexOf(x.uid);
  const value = k >= 0 ? vector.weights[k]! : 0;
  const valueTotal = vector.weights.reduce((a, b) => a + b, 0);
  const place = value > 0 ? 1 + vector.weights.filter((w) => w > value).length : null;
  const onChain =
    x.onChainRow === undefined
      ? null
      : { value: x.onChainRow.find(([j]) => j === x.uid)?.[1] ?? 0, lastUpdate: x.lastUpdate ?? 0 };
  return {
    uid: x.uid,
    hotkey,
    scoredHotkey: entry?.hotkey ?? null,
    score: current,
    alpha: x.alpha,
    rounds,
    consistent,
    weight: {
      scoreShare: total > 0 ? current / total : 0,
      weight: vector.floats[vector.floatUids.indexOf(x.uid)] ?? 0,
      value,
      valueShare: valueTotal > 0 ? value / valueTotal : 0,
      weightedUids: vector.weights.filter((w) => w > 0).length,
      place,
    },
    onChain,
  };
}
