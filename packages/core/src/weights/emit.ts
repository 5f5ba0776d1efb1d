import { U16_MAX, at, checkSameLength, checkU16Values, checkUids, checkWeights } from './validate.js';

/** Uids and u16 weight values ready for `set_weights` / `commit_weights` (parallel arrays). */
export interface U16Weights {
  /** Destination uids. */
  uids: number[];
  /** u16 weight values, the largest being 65535. */
  weights: number[];
}

/**
 * Python's `round()` on a float: nearest integer, ties to the even neighbour (`round(2.5) === 2`,
 * `round(3.5) === 4`, `round(32767.5) === 32768`). JavaScript's `Math.round` rounds ties up instead.
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Converts float weights to the chain's u16 form, exactly like the SDK's
 * `convert_weights_and_uids_for_emit`: max-upscale so the largest weight becomes 65535, round each
 * `w / max * 65535` half-to-even, and drop entries that round to 0 (with their uids).
 *
 * Returns empty arrays when every weight is 0 (nothing to set). Throws {@link WeightsError} on length
 * mismatch, NaN/Infinity, negative weights, invalid or duplicate uids.
 *
 * @example convertWeightsAndUidsForEmit([0, 1, 2], [0.1, 0.2, 0.7]) // { uids: [0,1,2], weights: [9362, 18724, 65535] }
 */
export function convertWeightsAndUidsForEmit(
  uids: ArrayLike<number>,
  weights: ArrayLike<number>,
): U16Weights {
  checkSameLength(uids, weights);
  checkWeights(weights);
  checkUids(uids);
  let max = 0;
  for (let i = 0; i < weights.length; i++) if (at(weights, i) > max) max = at(weights, i);
  const out: U16Weights = { uids: [], weights: [] };
  // All non-negative, so "sum == 0" (the SDK's test) is the same as "max == 0".
  if (max === 0) return out;
  for (let i = 0; i < weights.length; i++) {
    const value = roundHalfEven((at(weights, i) / max) * U16_MAX);
    if (value !== 0) {
      out.uids.push(at(uids, i));
      out.weights.push(value);
    }
  }
  return out;
}

/** A u16 proportion as a float: `x / 65535` (incentive, dividends, max_weights_limit, ...). */
export function u16ToFloat(x: number): number {
  checkU16Values([x], 'x');
  return x / U16_MAX;
}

/**
 * Reads an on-chain weight row back as floats: each u16 value divided by the row sum (only ratios
 * matter on chain). An all-zero or empty row stays all zeros. Computed in float64 (the SDK's metagraph
 * uses float32, so its values differ in the 8th significant digit).
 */
export function u16WeightsToFloats(values: ArrayLike<number>): Float64Array {
  checkU16Values(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += at(values, i);
  const out = new Float64Array(values.length);
  if (sum === 0) return out;
  for (let i = 0; i < values.length; i++) out[i] = at(values, i) / sum;
  return out;
}

/**
 * Like {@link u16WeightsToFloats} but returns a dense row of length `n` indexed by uid (the SDK's
 * `convert_weight_uids_and_vals_to_tensor`): uids not listed get 0.
 */
export function u16WeightsToDenseRow(
  n: number,
  uids: ArrayLike<number>,
  values: ArrayLike<number>,
): Float64Array {
  checkSameLength(uids, values, 'values');
  checkUids(uids, n);
  const floats = u16WeightsToFloats(values);
  const row = new Float64Array(n);
  for (let i = 0; i < uids.length; i++) row[at(uids, i)] = at(floats, i);
  return row;
}
