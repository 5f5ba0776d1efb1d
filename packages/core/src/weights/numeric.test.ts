import { describe, expect, it } from 'vitest';
import { f32, f64, npSum, pairwiseSum, quantileLinear } from './numeric.js';

describe('numpy-compatible kernels', () => {
  it('reproduces numpy float32 pairwise summation, not a naive running sum', () => {
    // a = (1 / np.arange(1, 1001)).astype(np.float32)
    // numpy 2.4.6: a.sum() == 7.485471725463867; a naive float32 running sum gives 7.485478401184082.
    const a = Array.from({ length: 1000 }, (_, i) => Math.fround(1 / (i + 1)));
    expect(npSum(a, f32)).toBe(7.485471725463867);
    let naive = 0;
    for (const x of a) naive = Math.fround(naive + x);
    expect(naive).toBe(7.485478401184082);
  });

  it('sums small arrays exactly in float64', () => {
    expect(pairwiseSum([1, 2, 3], f64)).toBe(6);
    expect(npSum([], f64)).toBe(0);
  });

  it('interpolates quantiles linearly like np.quantile', () => {
    // [1,2,3,4], q=0.5: index 1.5 -> 2 + 0.5 * (3 - 2) = 2.5.
    expect(quantileLinear([4, 1, 3, 2], 0.5, f32)).toBe(2.5);
    // q=0.9: index 2.7 -> gamma >= 0.5 so numpy computes 4 - (4 - 3) * fround(1 - 0.7) = 3.700000047683716.
    expect(quantileLinear([1, 2, 3, 4], 0.9, f32)).toBe(3.700000047683716);
    // float32 [0.1..0.5], q=0.3: index 1.2 -> 0.2 + 0.2 * (0.3 - 0.2) in float32 = 0.2199999988079071.
    expect(quantileLinear([0.1, 0.2, 0.3, 0.4, 0.5].map(Math.fround), 0.3, f32)).toBe(0.2199999988079071);
    // q = 0 and q = 1 hit the ends.
    expect(quantileLinear([3, 1, 2], 0, f32)).toBe(1);
    expect(quantileLinear([3, 1, 2], 1, f32)).toBe(3);
  });
});
