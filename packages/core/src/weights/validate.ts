import { WeightsError } from './errors.js';

import { U16_MAX } from '../chain/units.js';

export { U16_MAX };

/** Reads element `i` of an array-like; the index is always in range, so the fallback never fires. */
export function at(xs: ArrayLike<number>, i: number): number {
  return xs[i] as number;
}

/** Throws unless `uids` and `weights` have the same length. */
export function checkSameLength(uids: ArrayLike<number>, weights: ArrayLike<number>, what = 'weights'): void {
  if (uids.length !== weights.length) {
    throw new WeightsError(
      'LENGTH_MISMATCH',
      `uids and ${what} must have the same length, got ${uids.length} uids and ${weights.length} ${what}; ` +
        `pass exactly one ${what === 'weights' ? 'weight' : 'value'} per uid`,
    );
  }
}

/** Throws on NaN, +/-Infinity or negative weights, naming the first bad index. */
export function checkWeights(weights: ArrayLike<number>): void {
  for (let i = 0; i < weights.length; i++) {
    const w = at(weights, i);
    if (typeof w !== 'number' || !Number.isFinite(w)) {
      throw new WeightsError(
        'NON_FINITE_WEIGHT',
        `weights[${i}] is ${String(w)}; every weight must be a finite number ` +
          `(replace NaN/Infinity scores with 0 before setting weights)`,
      );
    }
    if (w < 0) {
      throw new WeightsError(
        'NEGATIVE_WEIGHT',
        `weights[${i}] is ${w}; weights can not be negative on chain (clamp scores to >= 0 first)`,
      );
    }
  }
}

/**
 * Throws unless every uid is an integer in [0, 65535] (and below `n` when given) and no uid repeats.
 */
export function checkUids(uids: ArrayLike<number>, n?: number): void {
  // One byte per possible uid: cheaper than a Map for the 256..4096-uid vectors validators send.
  const seen = new Uint8Array(U16_MAX + 1);
  for (let i = 0; i < uids.length; i++) {
    const u = at(uids, i);
    if (typeof u !== 'number' || !Number.isInteger(u) || u < 0 || u > U16_MAX) {
      throw new WeightsError(
        'INVALID_UID',
        `uids[${i}] is ${String(u)}; a uid must be an integer in [0, ${U16_MAX}] ` +
          `(use the uid from the metagraph, not a hotkey or an index into another list)`,
      );
    }
    if (n !== undefined && u >= n) {
      throw new WeightsError(
        'UID_OUT_OF_RANGE',
        `uids[${i}] is ${u} but the subnet only has ${n} neurons (valid uids are 0..${n - 1}); ` +
          `resync the metagraph or drop uids that no longer exist`,
      );
    }
    if (seen[u] === 1) {
      const first = Array.prototype.indexOf.call(uids, u);
      throw new WeightsError(
        'DUPLICATE_UID',
        `uid ${u} appears twice (uids[${first}] and uids[${i}]); merge its scores into one entry`,
      );
    }
    seen[u] = 1;
  }
}

/** Throws unless every value is an integer in [0, 65535]. */
export function checkU16Values(values: ArrayLike<number>, what = 'values'): void {
  for (let i = 0; i < values.length; i++) {
    const v = at(values, i);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > U16_MAX) {
      throw new WeightsError(
        'INVALID_U16',
        `${what}[${i}] is ${String(v)}; on-chain weight values are u16 integers in [0, ${U16_MAX}] ` +
          `(convert floats with convertWeightsAndUidsForEmit first)`,
      );
    }
  }
}

/** Throws unless `value` is a non-negative integer; `name` is the parameter name shown to the user. */
export function checkNonNegativeInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new WeightsError('INVALID_PARAMETER', `${name} is ${String(value)}; expected an integer >= 0`);
  }
}
