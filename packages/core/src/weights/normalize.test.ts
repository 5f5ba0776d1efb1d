import { describe, expect, it } from 'vitest';
import { WeightsError } from './errors.js';
import { normalizeMaxWeight } from './normalize.js';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return err instanceof WeightsError ? err.code : `not a WeightsError: ${String(err)}`;
  }
  return 'no error';
};

const close = (actual: Float64Array, expected: number[], digits = 6) => {
  expect(actual.length).toBe(expected.length);
  for (const [i, e] of expected.entries()) expect(actual[i]).toBeCloseTo(e, digits);
};

describe('normalizeMaxWeight', () => {
  it('caps [0.05, 0.1, 0.85] at 0.5 -> [1/6, 1/3, 1/2]', () => {
    // sum = 1, sorted e = [.05, .1, .85] > limit .5 at the top, cumsum c = [.05, .15, 1].
    // t_i = (3-i-1) e_i = [.1, .1, 0]; e/(t+c+1e-7) = [.333, .4, .85] -> 2 entries under .5, m = 2.
    // cutoff = (.5 * c[1] - 1e-7) / (1 - .5 * (3 - 2)) * 1 = (.075 - 1e-7) / .5 = .1499998.
    // clip .85 -> .1499998; sum = .2999998; y = [.05, .1, .1499998] / .2999998 ≈ [1/6, 1/3, 1/2].
    const y = normalizeMaxWeight([0.05, 0.1, 0.85], 0.5);
    close(y, [1 / 6, 1 / 3, 0.5]);
    // numpy float64 gives exactly these bits (same operation order).
    expect(Array.from(y)).toEqual([0.16666677777785183, 0.33333355555570365, 0.4999996666664444]);
  });

  it('caps [1, 2, 3, 4, 10] at 0.3 -> [0.07, 0.14, 0.21, 0.28, 0.30]', () => {
    // sum 20, e = [.05, .1, .15, .2, .5], c = [.05, .15, .3, .5, 1], t = [.2, .3, .3, .2, 0].
    // e/(t+c) = [.2, .222, .25, .286, .5] -> m = 4. cutoff = (.3 * .5 - 1e-7) / (1 - .3) * 20 = 4.2857114.
    // clip 10 -> 4.2857114; sum 14.2857114; y = [1, 2, 3, 4, 4.2857114] / 14.2857114.
    const y = normalizeMaxWeight([1, 2, 3, 4, 10], 0.3);
    close(y, [0.07, 0.14, 0.21, 0.28, 0.3]);
    expect(Math.max(...y)).toBeLessThanOrEqual(0.3);
  });

  it('reproduces numpy float32 bits when asked', () => {
    // np.array([1,2,3,4,10], dtype=np.float32) through the SDK function, numpy 2.4.6.
    const y = normalizeMaxWeight([1, 2, 3, 4, 10], 0.3, { precision: 'float32' });
    expect(Array.from(y)).toEqual([
      0.07000001519918442, 0.14000003039836884, 0.21000003814697266, 0.28000006079673767, 0.299999862909317,
    ]);
  });

  it('returns uniform when len * limit <= 1 ([1, 1] at 0.4)', () => {
    // 2 * 0.4 = 0.8 <= 1: no vector of length 2 can keep every share <= 0.4, so the SDK returns 1/len.
    expect(Array.from(normalizeMaxWeight([1, 1], 0.4))).toEqual([0.5, 0.5]);
    expect(Array.from(normalizeMaxWeight([5, 0, 0], 0.2))).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('returns uniform for all zeros and plain x/sum when nothing exceeds the limit', () => {
    expect(Array.from(normalizeMaxWeight([0, 0, 0, 0], 0.5))).toEqual([0.25, 0.25, 0.25, 0.25]);
    // [1, 1, 2] at 0.5: max share 0.5 <= 0.5 -> x / 4.
    expect(Array.from(normalizeMaxWeight([1, 1, 2], 0.5))).toEqual([0.25, 0.25, 0.5]);
  });

  it('handles one element and ties', () => {
    expect(Array.from(normalizeMaxWeight([7], 0.5))).toEqual([1]);
    const ties = normalizeMaxWeight([2, 2, 2, 2], 0.3);
    expect(Array.from(ties)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(normalizeMaxWeight([], 0.5).length).toBe(0);
  });

  it('rejects NaN, Infinity, negatives and a bad limit with WeightsError', () => {
    expect(() => normalizeMaxWeight([1, Number.NaN], 0.5)).toThrow(/weights\[1\] is NaN/);
    expect(() => normalizeMaxWeight([Number.POSITIVE_INFINITY], 0.5)).toThrow(WeightsError);
    expect(() => normalizeMaxWeight([1, -1], 0.5)).toThrow(/weights\[1\] is -1.*negative/);
    expect(() => normalizeMaxWeight([1], Number.NaN)).toThrow(/limit is NaN/);
    expect(codeOf(() => normalizeMaxWeight([0, -2], 0.5))).toBe('NEGATIVE_WEIGHT');
  });
});
