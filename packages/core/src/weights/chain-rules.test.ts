import { describe, expect, it } from 'vitest';
import { checkWeightsAgainstChainRules, maxUpscaleU16 } from './chain-rules.js';
import { WeightsError } from './errors.js';

const ok = { n: 4, minAllowedWeights: 1, maxWeightsLimit: 65535 };

describe('maxUpscaleU16', () => {
  it('scales the largest value to 65535 and rounds to nearest', () => {
    // max 2 <= 32768: (e * 65535) / 2 -> 1 * 65535 / 2 = 32767.5 rounds away from zero -> 32768.
    expect(maxUpscaleU16([1, 2])).toEqual([32768, 65535]);
    // max 3: 1*65535/3 = 21845 exactly.
    expect(maxUpscaleU16([1, 3, 0])).toEqual([21845, 65535, 0]);
    // Already upscaled vectors are unchanged (max 65535 > 32768: e * (65535/65535) = e).
    expect(maxUpscaleU16([9362, 18724, 65535])).toEqual([9362, 18724, 65535]);
    // max 40000 > 32768: factor = floor(65535 * 2^32 / 40000) / 2^32 = 1.638375 (truncated);
    // 20000 * factor = 32767.49999.. -> 32767 (the truncated factor lands just under the half).
    expect(maxUpscaleU16([20000, 40000])).toEqual([32767, 65535]);
    expect(maxUpscaleU16([0, 0])).toEqual([0, 0]);
    expect(maxUpscaleU16([])).toEqual([]);
  });

  it('rejects non-u16 values', () => {
    expect(() => maxUpscaleU16([65536])).toThrow(WeightsError);
  });
});

describe('checkWeightsAgainstChainRules', () => {
  it('accepts a valid payload', () => {
    expect(checkWeightsAgainstChainRules({ uids: [0, 1], values: [1, 65535], ...ok })).toBeNull();
  });

  it('WeightVecNotEqualSize', () => {
    expect(checkWeightsAgainstChainRules({ uids: [0, 1], values: [1], ...ok })?.error).toBe(
      'WeightVecNotEqualSize',
    );
  });

  it('UidsLengthExceedUidsInSubNet comes before duplicate checks', () => {
    const r = checkWeightsAgainstChainRules({ uids: [0, 0, 0, 0, 0], values: [1, 1, 1, 1, 1], ...ok });
    expect(r?.error).toBe('UidsLengthExceedUidsInSubNet');
  });

  it('DuplicateUids', () => {
    const r = checkWeightsAgainstChainRules({ uids: [1, 1], values: [1, 1], ...ok });
    expect(r?.error).toBe('DuplicateUids');
    expect(r?.message).toMatch(/uid 1 appears twice/);
  });

  it('UidVecContainInvalidOne', () => {
    expect(checkWeightsAgainstChainRules({ uids: [0, 4], values: [1, 1], ...ok })?.error).toBe(
      'UidVecContainInvalidOne',
    );
  });

  it('WeightVecLengthIsLow counts zero values and uses min(n, MinAllowedWeights)', () => {
    const low = { ...ok, minAllowedWeights: 3 };
    expect(checkWeightsAgainstChainRules({ uids: [0, 1], values: [0, 5], ...low })?.error).toBe(
      'WeightVecLengthIsLow',
    );
    expect(checkWeightsAgainstChainRules({ uids: [0, 1, 2], values: [0, 0, 5], ...low })).toBeNull();
    // min(n=2, 64) = 2: two weights are enough on a 2-neuron subnet.
    expect(
      checkWeightsAgainstChainRules({
        uids: [0, 1],
        values: [1, 1],
        n: 2,
        minAllowedWeights: 64,
        maxWeightsLimit: 65535,
      }),
    ).toBeNull();
  });

  it('a self-weight skips the length and max-weight checks', () => {
    const strict = { n: 4, minAllowedWeights: 3, maxWeightsLimit: 1000 };
    expect(checkWeightsAgainstChainRules({ uids: [2], values: [65535], ...strict, selfUid: 2 })).toBeNull();
    expect(checkWeightsAgainstChainRules({ uids: [2], values: [65535], ...strict, selfUid: 1 })?.error).toBe(
      'WeightVecLengthIsLow',
    );
  });

  it('MaxWeightExceeded compares the normalized max with MaxWeightsLimit/65535', () => {
    // [1, 1, 2] -> upscaled [32768, 32768, 65535]; max share 65535/131071 = 0.500004 > 32767/65535 = 0.49999.
    const limit = { ...ok, n: 3, maxWeightsLimit: 32767 };
    expect(checkWeightsAgainstChainRules({ uids: [0, 1, 2], values: [1, 1, 2], ...limit })?.error).toBe(
      'MaxWeightExceeded',
    );
    // Equal weights: share 1/3 <= 0.49999.
    expect(checkWeightsAgainstChainRules({ uids: [0, 1, 2], values: [7, 7, 7], ...limit })).toBeNull();
    // MaxWeightsLimit 65535 disables the check.
    expect(checkWeightsAgainstChainRules({ uids: [0, 1, 2], values: [0, 0, 9], ...ok, n: 3 })).toBeNull();
  });

  it('throws WeightsError for values that are not u16 at all', () => {
    expect(() => checkWeightsAgainstChainRules({ uids: [0], values: [1.5], ...ok })).toThrow(WeightsError);
    expect(() => checkWeightsAgainstChainRules({ uids: [-1], values: [1], ...ok })).toThrow(
      /uids\[0\] is -1/,
    );
  });
});
