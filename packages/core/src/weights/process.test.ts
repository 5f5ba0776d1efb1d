import { describe, expect, it } from 'vitest';
import { convertWeightsAndUidsForEmit } from './emit.js';
import { WeightsError } from './errors.js';
import { processWeightsForNetuid } from './process.js';

const base = { minAllowedWeights: 1, maxWeightLimit: 1 };
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('processWeightsForNetuid', () => {
  it('normalizes in float32 and caps shares (main branch)', () => {
    // Same as normalizeMaxWeight([1,2,3,4,10], 0.3) in float32: numpy 2.4.6 bits.
    const out = processWeightsForNetuid({
      uids: iota(5),
      weights: [1, 2, 3, 4, 10],
      n: 5,
      ...base,
      maxWeightLimit: 0.3,
    });
    expect(out.uids).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(out.weights)).toEqual([
      0.07000001519918442, 0.14000003039836884, 0.21000003814697266, 0.28000006079673767, 0.299999862909317,
    ]);
    // u16: w / max * 65535 rounded: 0.0700000152/0.2999998629*65535 = 15291.6.. -> 15292, etc.
    expect(convertWeightsAndUidsForEmit(out.uids, out.weights)).toEqual({
      uids: [0, 1, 2, 3, 4],
      weights: [15292, 30583, 45875, 61166, 65535],
    });
  });

  it('drops zero weights and keeps the uids of the others', () => {
    const out = processWeightsForNetuid({ uids: [3, 1, 4, 0], weights: [0, 1, 3, 0], n: 5, ...base });
    expect(out.uids).toEqual([1, 4]);
    expect(Array.from(out.weights)).toEqual([0.25, 0.75]);
  });

  it('excludes the lowest quantile but never below minAllowedWeights', () => {
    // Non-zero weights [.1, .2, .3, .4, .5] (k = 5), minAllowed 2 -> max_exclude = 3/5.
    // q = min(32768/65535, 0.6) = 0.500007..; index 4q = 2.00003 -> lowest ≈ 0.300003, so .1 .2 .3 go.
    // Kept [.4, .5] -> [4/9, 5/9] in float32.
    const out = processWeightsForNetuid({
      uids: iota(6),
      weights: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
      n: 6,
      minAllowedWeights: 2,
      maxWeightLimit: 1,
      excludeQuantile: 32768,
    });
    expect(out.uids).toEqual([4, 5]);
    expect(Array.from(out.weights)).toEqual([0.444444477558136, 0.5555555820465088]);
    // excludeQuantile 65535 (q=1) is capped at max_exclude = (5-4)/5: index 0.8 -> keeps the top 4.
    const capped = processWeightsForNetuid({
      uids: iota(5),
      weights: [0.1, 0.2, 0.3, 0.4, 0.5],
      n: 5,
      minAllowedWeights: 4,
      maxWeightLimit: 1,
      excludeQuantile: 65535,
    });
    expect(capped.uids).toEqual([1, 2, 3, 4]);
  });

  it('keeps ties at the quantile boundary', () => {
    // All equal: the quantile equals the common value and "weight >= lowest" keeps every entry.
    const out = processWeightsForNetuid({
      uids: iota(5),
      weights: [0.2, 0.2, 0.2, 0.2, 0.2],
      n: 5,
      minAllowedWeights: 1,
      maxWeightLimit: 0.3,
      excludeQuantile: 65535,
    });
    expect(out.uids).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(out.weights)).toEqual(Array(5).fill(Math.fround(0.2)));
  });

  it('returns uniform 1/n over all uids when every weight is zero', () => {
    const out = processWeightsForNetuid({
      uids: iota(4),
      weights: [0, 0, 0, 0],
      n: 4,
      ...base,
      minAllowedWeights: 2,
    });
    expect(out.uids).toEqual([0, 1, 2, 3]);
    expect(Array.from(out.weights)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('returns uniform 1/n when n < minAllowedWeights', () => {
    const out = processWeightsForNetuid({
      uids: iota(3),
      weights: [1, 1, 1],
      n: 3,
      ...base,
      minAllowedWeights: 8,
    });
    expect(out.uids).toEqual([0, 1, 2]);
    expect(Array.from(out.weights)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('pads with 1e-5 when fewer than minAllowedWeights are non-zero', () => {
    // Dense [1e-5, 1e-5, 1 + 1e-5, 1e-5], sum 1.00004 -> [9.9996e-6, 9.9996e-6, 0.99997, 9.9996e-6].
    const out = processWeightsForNetuid({
      uids: iota(4),
      weights: [0, 0, 1, 0],
      n: 4,
      ...base,
      minAllowedWeights: 2,
    });
    expect(out.uids).toEqual([0, 1, 2, 3]);
    expect(Array.from(out.weights)).toEqual([
      9.99960001599936e-6, 9.99960001599936e-6, 0.999970001199952, 9.99960001599936e-6,
    ]);
    // 9.9996e-6 / 0.99997 * 65535 = 0.655 -> 1; the padding survives the u16 conversion.
    expect(convertWeightsAndUidsForEmit(out.uids, out.weights).weights).toEqual([1, 1, 65535, 1]);
  });

  it('places padded weights at their uid, not their array position', () => {
    const out = processWeightsForNetuid({ uids: [2], weights: [1], n: 3, ...base, minAllowedWeights: 2 });
    expect(out.weights[2]).toBeGreaterThan(0.99);
    expect(out.weights[0]).toBeLessThan(1e-4);
  });

  it('handles a single uid', () => {
    const out = processWeightsForNetuid({ uids: [0], weights: [0.3], n: 1, ...base });
    expect(out.uids).toEqual([0]);
    expect(Array.from(out.weights)).toEqual([1]);
  });

  it('rejects bad input with a WeightsError naming the problem', () => {
    const call = (over: object) => () =>
      processWeightsForNetuid({ uids: [0, 1], weights: [1, 1], n: 2, ...base, ...over });
    expect(call({ weights: [1] })).toThrow(/same length, got 2 uids and 1 weights/);
    expect(call({ weights: [1, Number.NaN] })).toThrow(/weights\[1\] is NaN/);
    expect(call({ weights: [-0.5, 1] })).toThrow(/weights\[0\] is -0.5/);
    expect(call({ uids: [0, 0] })).toThrow(/uid 0 appears twice \(uids\[0\] and uids\[1\]\)/);
    expect(call({ uids: [0, 1.5] })).toThrow(/uids\[1\] is 1.5/);
    expect(call({ uids: [0, -1] })).toThrow(/uids\[1\] is -1/);
    expect(call({ uids: [0, 70000] })).toThrow(/uids\[1\] is 70000/);
    expect(call({ uids: [0, 2] })).toThrow(/only has 2 neurons/);
    expect(call({ maxWeightLimit: 2 })).toThrow(/maxWeightLimit is 2/);
    expect(call({ excludeQuantile: -1 })).toThrow(/excludeQuantile is -1/);
    expect(call({ n: 1.5 })).toThrow(/n is 1.5/);
    const codes = [{ weights: [1] }, { uids: [1, 1] }, { weights: [1, Number.POSITIVE_INFINITY] }].map(
      (over) => {
        try {
          call(over)();
          return 'no error';
        } catch (err) {
          return err instanceof WeightsError ? err.code : 'other error';
        }
      },
    );
    expect(codes).toEqual(['LENGTH_MISMATCH', 'DUPLICATE_UID', 'NON_FINITE_WEIGHT']);
  });
});
