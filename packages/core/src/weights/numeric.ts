/**
 * Small numeric kernels that reproduce numpy's float32/float64 results bit for bit, so weights computed
 * here equal what the Python SDK computes. `Math.fround` after every float32 operation gives exactly
 * IEEE float32 arithmetic (double rounding is exact for + - * / on float32 operands).
 */
import { at } from './validate.js';

/** Rounding step applied after every arithmetic operation: `Math.fround` for float32, identity for float64. */
export type Rounder = (x: number) => number;

/** Float32 rounding. */
export const f32: Rounder = Math.fround;
/** Float64 "rounding" (numbers already are float64). */
export const f64: Rounder = (x) => x;

const PW_BLOCKSIZE = 128;

/**
 * numpy's pairwise summation (`np.add.reduce` on a contiguous 1-D array): blocks of <= 128 summed with
 * 8 interleaved accumulators, larger ranges split in two at a multiple of 8. The order of additions is
 * what makes the float32 result differ from a naive left-to-right sum, so it is reproduced exactly.
 */
export function pairwiseSum(a: ArrayLike<number>, r: Rounder, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res = r(res + at(a, start + i));
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    // Eight named accumulators (not an array) keep this hot loop allocation-free.
    let r0 = at(a, start);
    let r1 = at(a, start + 1);
    let r2 = at(a, start + 2);
    let r3 = at(a, start + 3);
    let r4 = at(a, start + 4);
    let r5 = at(a, start + 5);
    let r6 = at(a, start + 6);
    let r7 = at(a, start + 7);
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const b = start + i;
      r0 = r(r0 + at(a, b));
      r1 = r(r1 + at(a, b + 1));
      r2 = r(r2 + at(a, b + 2));
      r3 = r(r3 + at(a, b + 3));
      r4 = r(r4 + at(a, b + 4));
      r5 = r(r5 + at(a, b + 5));
      r6 = r(r6 + at(a, b + 6));
      r7 = r(r7 + at(a, b + 7));
    }
    let res = r(r(r(r0 + r1) + r(r2 + r3)) + r(r(r4 + r5) + r(r6 + r7)));
    for (; i < n; i++) res = r(res + at(a, start + i));
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return r(pairwiseSum(a, r, start, n2) + pairwiseSum(a, r, start + n2, n - n2));
}

/** `x.sum()` for a numpy array: the reduction starts from 0 and adds the pairwise sum of all items. */
export function npSum(a: ArrayLike<number>, r: Rounder): number {
  return r(0 + pairwiseSum(a, r));
}

/** Ascending numeric sort into a new Float64Array (numpy's `np.sort`; inputs never hold NaN here). */
export function sortedCopy(a: ArrayLike<number>): Float64Array {
  const out = copyToFloat64(a);
  out.sort();
  return out;
}

/**
 * `np.quantile(a, q)` with the default linear method (Hyndman & Fan type 7), for a float32 array `a` and
 * a Python-float `q`: index `(n-1)*q` in float64, interpolation in float32 with numpy's two-sided lerp.
 */
export function quantileLinear(a: ArrayLike<number>, q: number, r: Rounder): number {
  if (q === 0 && a.length > 0) {
    // Index 0, gamma 0: numpy returns lo + (hi - lo) * 0 = the minimum; skip the sort (the default case).
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < a.length; i++) if (at(a, i) < min) min = at(a, i);
    return min;
  }
  const sorted = sortedCopy(a);
  const n = sorted.length;
  const virtualIndex = (n - 1) * q;
  let prev = Math.floor(virtualIndex);
  let next = prev + 1;
  if (virtualIndex >= n - 1) {
    // numpy points both neighbours at the last element (index -1), so gamma is relative to -1.
    prev = -1;
    next = -1;
  }
  if (virtualIndex < 0) {
    prev = 0;
    next = 0;
  }
  const gamma = virtualIndex - prev;
  const lo = at(sorted, prev < 0 ? n + prev : prev);
  const hi = at(sorted, next < 0 ? n + next : next);
  const diff = r(hi - lo);
  if (gamma >= 0.5) return r(hi - r(diff * r(1 - gamma)));
  return r(lo + r(diff * r(gamma)));
}

/** Copies into a new Float64Array, rounding each item with `r` (a plain loop: `Float64Array.from(x, fn)` is slow). */
export function copyToFloat64(a: ArrayLike<number>, r?: Rounder): Float64Array {
  const out = new Float64Array(a.length);
  if (r === undefined || r === f64) for (let i = 0; i < a.length; i++) out[i] = at(a, i);
  else for (let i = 0; i < a.length; i++) out[i] = r(at(a, i));
  return out;
}
