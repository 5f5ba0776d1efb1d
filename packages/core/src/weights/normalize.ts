import { WeightsError } from './errors.js';
import { copyToFloat64, f32, f64, npSum, type Rounder, sortedCopy } from './numeric.js';
import { at, checkWeights } from './validate.js';

/** Numeric precision used to reproduce the Python SDK: numpy float32 or float64 arithmetic. */
export type WeightPrecision = 'float32' | 'float64';

/** Options for {@link normalizeMaxWeight}. */
export interface NormalizeMaxWeightOptions {
  /**
   * Arithmetic to reproduce. `'float64'` (default) equals the SDK's `normalize_max_weight` on a float64
   * numpy array; `'float32'` equals it on a float32 array (what `process_weights_for_netuid` passes in
   * its main branch). Input values are rounded to float32 first in `'float32'` mode.
   */
  precision?: WeightPrecision;
}

// The SDK's "numerical stability" epsilon; in float32 mode numpy casts it to float32.
const EPSILON = 1e-7;

/**
 * Normalizes `x` to sum 1 while capping every share at `limit` (SDK `normalize_max_weight`): the largest
 * values are clipped at a common cutoff so that, after renormalising, none exceeds `limit`.
 *
 * Returns the uniform vector `1/len` when `x` sums to 0 or when `len * limit <= 1` (no vector of that
 * length can satisfy the cap). Throws {@link WeightsError} on NaN, Infinity, negative values or a bad
 * `limit`.
 *
 * @example normalizeMaxWeight([0.05, 0.1, 0.85], 0.5) // ≈ [1/6, 1/3, 0.5]
 */
export function normalizeMaxWeight(
  x: Float64Array | readonly number[],
  limit: number,
  options: NormalizeMaxWeightOptions = {},
): Float64Array {
  checkWeights(x);
  if (!Number.isFinite(limit) || limit < 0) {
    throw new WeightsError(
      'INVALID_PARAMETER',
      `limit is ${String(limit)}; expected a finite number >= 0 (max_weight_limit = MaxWeightsLimit / 65535)`,
    );
  }
  const r = options.precision === 'float32' ? f32 : f64;
  const input = copyToFloat64(x, r);
  return normalizeMaxWeightUnchecked(input, limit, r);
}

/**
 * The algorithm behind {@link normalizeMaxWeight} on already validated, already precision-rounded input.
 * Exported inside the package for `processWeightsForNetuid`; not part of the public API.
 */
export function normalizeMaxWeightUnchecked(x: Float64Array, limit: number, r: Rounder): Float64Array {
  const len = x.length;
  const weights = copyToFloat64(x);
  if (len === 0) return weights;
  const xSum = npSum(x, r);
  if (xSum === 0 || len * limit <= 1) return weights.fill(r(1 / len));

  // numpy compares a float32 array with a Python float in float32, so the limit is rounded to match.
  const limitR = r(limit);
  const eps = r(EPSILON);
  const values = sortedCopy(x);
  const valuesSum = npSum(values, r);
  const estimation = new Float64Array(len);
  let maxEstimation = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < len; i++) {
    const e = r(at(values, i) / valuesSum);
    estimation[i] = e;
    if (e > maxEstimation) maxEstimation = e;
  }
  if (maxEstimation <= limitR) {
    for (let i = 0; i < len; i++) weights[i] = r(at(weights, i) / xSum);
    return weights;
  }

  // Count the sorted prefix whose share stays under the limit once everything above is clipped.
  const cumsum = new Float64Array(len);
  let acc = 0;
  let nValues = 0;
  for (let i = 0; i < len; i++) {
    const e = at(estimation, i);
    acc = i === 0 ? e : r(acc + e);
    cumsum[i] = acc;
    const tail = r((len - i - 1) * e);
    if (r(e / r(r(tail + acc) + eps)) < limitR) nValues++;
  }
  // Python's cumsum[n_values - 1] wraps to the last element when n_values is 0.
  const cumAt = at(cumsum, nValues > 0 ? nValues - 1 : len - 1);
  // numpy: float32 numerator, float64 denominator (limit * np.int64), float64 quotient and cutoff.
  const numerator = r(r(limitR * cumAt) - eps);
  const cutoffScale = numerator / (1 - limit * (len - nValues));
  const cutoff = cutoffScale * valuesSum;
  const clipped = r(cutoff);
  for (let i = 0; i < len; i++) if (at(weights, i) > cutoff) weights[i] = clipped;
  const clippedSum = npSum(weights, r);
  for (let i = 0; i < len; i++) weights[i] = r(at(weights, i) / clippedSum);
  return weights;
}
