import { WeightsError } from './errors.js';
import { normalizeMaxWeightUnchecked } from './normalize.js';
import { copyToFloat64, f32, f64, quantileLinear } from './numeric.js';
import { U16_MAX, at, checkNonNegativeInt, checkSameLength, checkUids, checkWeights } from './validate.js';

/** Input of {@link processWeightsForNetuid}. */
export interface ProcessWeightsInput {
  /** Uids the weights refer to (integers in [0, n)). */
  uids: ArrayLike<number>;
  /** One non-negative finite score per uid; only ratios matter. */
  weights: ArrayLike<number>;
  /** Number of neurons on the subnet (`metagraph.n`). */
  n: number;
  /** Subnet hyperparameter `MinAllowedWeights`. */
  minAllowedWeights: number;
  /** Subnet `MaxWeightsLimit / 65535` as a float in [0, 1]. */
  maxWeightLimit: number;
  /**
   * Drop non-zero weights below this quantile, as a u16 proportion (0..65535 stands for 0..1), like the
   * SDK's `exclude_quantile`. Never drops below `minAllowedWeights` entries. Default 0 (keep all).
   */
  excludeQuantile?: number;
}

/** Output of {@link processWeightsForNetuid}: the uids to set and their normalized float weights. */
export interface ProcessedWeights {
  /** Uids, in input order (or 0..n-1 when a fallback filled every uid). */
  uids: number[];
  /** Float weights summing to ~1, each at most `maxWeightLimit` when that is achievable. */
  weights: Float64Array;
}

/**
 * Prepares a validator's scores for `set_weights`, exactly like the Python SDK 10.2.0
 * `process_weights_for_netuid` (numpy path):
 *
 * 1. weights are rounded to float32, as the SDK casts them;
 * 2. if no weight is > 0, or `n < minAllowedWeights`: every uid 0..n-1 gets `1/n`;
 * 3. if fewer than `minAllowedWeights` weights are > 0: every uid gets `1e-5` plus its weight, then the
 *    dense vector goes through `normalizeMaxWeight` in float64;
 * 4. otherwise the zero weights are dropped, the ones below the `excludeQuantile` quantile (numpy linear
 *    interpolation, capped so at least `minAllowedWeights` remain) are dropped, and the rest goes through
 *    `normalizeMaxWeight` in float32.
 *
 * Stricter than the SDK on purpose: NaN/Infinity, negative weights, invalid, out-of-range (>= n) or
 * duplicate uids and length mismatches throw {@link WeightsError} instead of producing a vector the
 * chain would reject. In branch 3 the SDK adds each weight at its *position* in the input array; here it
 * goes to its *uid*, which is the same whenever `uids[i] === i` (the usual dense input).
 */
export function processWeightsForNetuid(input: ProcessWeightsInput): ProcessedWeights {
  const { uids, weights, n, minAllowedWeights, maxWeightLimit } = input;
  const excludeQuantile = input.excludeQuantile ?? 0;
  checkNonNegativeInt('n', n);
  checkNonNegativeInt('minAllowedWeights', minAllowedWeights);
  if (!Number.isFinite(maxWeightLimit) || maxWeightLimit < 0 || maxWeightLimit > 1) {
    throw new WeightsError(
      'INVALID_PARAMETER',
      `maxWeightLimit is ${String(maxWeightLimit)}; expected a float in [0, 1] (MaxWeightsLimit / 65535)`,
    );
  }
  if (!Number.isFinite(excludeQuantile) || excludeQuantile < 0 || excludeQuantile > U16_MAX) {
    throw new WeightsError(
      'INVALID_PARAMETER',
      `excludeQuantile is ${String(excludeQuantile)}; expected a u16 proportion in [0, 65535] (0 keeps all)`,
    );
  }
  checkSameLength(uids, weights);
  checkWeights(weights);
  checkUids(uids, n);

  const quantile = excludeQuantile / U16_MAX;
  const w32 = copyToFloat64(weights, f32);
  const nonZeroIdx: number[] = [];
  for (let i = 0; i < w32.length; i++) if (at(w32, i) > 0) nonZeroIdx.push(i);
  const k = nonZeroIdx.length;

  if (k === 0 || n < minAllowedWeights) {
    return { uids: range(n), weights: new Float64Array(n).fill(1 / n) };
  }

  if (k < minAllowedWeights) {
    // Too few non-zero weights: give everyone a tiny floor so the vector is long enough for the chain.
    const dense = new Float64Array(n).fill(1e-5);
    for (const i of nonZeroIdx) dense[at(uids, i)] = 1e-5 + at(w32, i);
    return { uids: range(n), weights: normalizeMaxWeightUnchecked(dense, maxWeightLimit, f64) };
  }

  const nzWeights = new Float64Array(k);
  for (let j = 0; j < k; j++) nzWeights[j] = at(w32, at(nonZeroIdx, j));
  const maxExclude = Math.max(0, k - minAllowedWeights) / k;
  const q = Math.min(quantile, maxExclude);
  const lowest = quantileLinear(nzWeights, q, f32);
  const keptUids: number[] = [];
  const kept: number[] = [];
  for (let j = 0; j < k; j++) {
    const w = at(nzWeights, j);
    if (lowest <= w) {
      keptUids.push(at(uids, at(nonZeroIdx, j)));
      kept.push(w);
    }
  }
  return {
    uids: keptUids,
    weights: normalizeMaxWeightUnchecked(Float64Array.from(kept), maxWeightLimit, f32),
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
