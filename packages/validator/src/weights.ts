/**
 * From EMA scores to the u16 weight vector a validator submits, and when to submit it. Pure: the
 * chain's rules come in as hyperparameters, the I/O lives in `weight-setter.ts`.
 *
 * The weight pipeline runs here, once: the validator owns it because it holds the scores, the
 * metagraph they were earned against and the subnet's policy (exclude quantile). The chain client's
 * `setWeights` is transport only: it checks the u16 values against the chain's rules and sends them
 * as given (docs/core-weights.md, "Who runs the pipeline").
 */
import {
  convertWeightsAndUidsForEmit,
  epochIndex,
  type MetagraphView,
  processWeightsForNetuid,
  U16_MAX,
} from '@subnetkit/core';
import type { ScoreEntry } from './ema.js';
import type { ValidatorHyperparameters } from './types.js';

/** The weight vector to submit: uids and their u16 weights (max-upscaled, zeros dropped). */
export interface WeightVector {
  uids: number[];
  weights: number[];
  /** The float weights after the chain rules, for logs (sum ~1), of the uids in `floatUids`. */
  floats: number[];
  floatUids: number[];
}

/**
 * Turn stored EMA scores into weights, like the template's `set_weights`: a dense vector over the
 * current metagraph (a uid scores 0 when its stored score was earned by a different hotkey), L1
 * normalized, then `processWeightsForNetuid` (min allowed weights, max weight limit) and
 * `convertWeightsAndUidsForEmit` (u16 quantisation).
 */
export function computeWeights(
  scores: ReadonlyMap<number, ScoreEntry>,
  metagraph: Pick<MetagraphView, 'n' | 'hotkeys'>,
  hyperparameters: Pick<ValidatorHyperparameters, 'minAllowedWeights' | 'maxWeightsLimit'>,
  excludeQuantile = 0,
): WeightVector {
  const n = metagraph.n;
  const dense = new Array<number>(n).fill(0);
  for (const [uid, entry] of scores) {
    if (uid >= 0 && uid < n && metagraph.hotkeys[uid] === entry.hotkey && entry.score > 0) {
      dense[uid] = entry.score;
    }
  }
  const total = dense.reduce((a, b) => a + b, 0);
  const raw = total > 0 ? dense.map((s) => s / total) : dense;
  const processed = processWeightsForNetuid({
    uids: dense.map((_, i) => i),
    weights: raw,
    n,
    minAllowedWeights: hyperparameters.minAllowedWeights,
    maxWeightLimit: hyperparameters.maxWeightsLimit / U16_MAX,
    excludeQuantile,
  });
  const emit = convertWeightsAndUidsForEmit(processed.uids, Array.from(processed.weights));
  return {
    uids: emit.uids,
    weights: emit.weights,
    floats: Array.from(processed.weights),
    floatUids: Array.from(processed.uids),
  };
}

/** Why weights are or are not due now. */
export type WeightsDue =
  | { due: true; epoch: number }
  | {
      due: false;
      epoch: number;
      reason: 'already_set_this_epoch' | 'rate_limited' | 'not_registered';
      retryInBlocks?: number;
    };

/**
 * Weights are due once per tempo (core's `epochIndex`: `floor((block + netuid + 1) / (tempo + 1))`, the
 * formula the SDK uses) and only when the chain's rate limit allows it:
 * `block - lastUpdate >= weightsRateLimit`, or `lastUpdate == 0`.
 */
export function weightsDue(args: {
  block: number;
  netuid: number;
  tempo: number;
  weightsRateLimit: number;
  /** This validator's `LastUpdate` on chain (or the last block it knows it set weights), 0 if never. */
  lastUpdate: number;
  /** The epoch weights were last submitted in, from Redis; undefined if never. */
  lastEpoch: number | undefined;
  registered: boolean;
}): WeightsDue {
  const epoch = epochIndex(args.block, args.netuid, args.tempo);
  if (!args.registered) return { due: false, epoch, reason: 'not_registered' };
  if (args.lastEpoch !== undefined && args.lastEpoch >= epoch) {
    return { due: false, epoch, reason: 'already_set_this_epoch' };
  }
  const since = args.block - args.lastUpdate;
  if (args.lastUpdate > 0 && since < args.weightsRateLimit) {
    return { due: false, epoch, reason: 'rate_limited', retryInBlocks: args.weightsRateLimit - since };
  }
  return { due: true, epoch };
}
