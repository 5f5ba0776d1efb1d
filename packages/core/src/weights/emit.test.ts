import { describe, expect, it } from 'vitest';
import {
  convertWeightsAndUidsForEmit,
  roundHalfEven,
  u16ToFloat,
  u16WeightsToDenseRow,
  u16WeightsToFloats,
} from './emit.js';
import { WeightsError } from './errors.js';

describe('roundHalfEven', () => {
  it('matches Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, 32767.5, 2.4999, 2.5001, 7, 0].map(roundHalfEven)).toEqual([
      0, 2, 2, 4, 32768, 2, 3, 7, 0,
    ]);
  });
});

describe('convertWeightsAndUidsForEmit', () => {
  it('max-upscales and rounds ([0.1, 0.2, 0.7] -> [9362, 18724, 65535])', () => {
    // 0.1/0.7*65535 = 9362.14 -> 9362; 0.2/0.7*65535 = 18724.28 -> 18724; 0.7/0.7 -> 65535.
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [0.1, 0.2, 0.7])).toEqual({
      uids: [0, 1, 2],
      weights: [9362, 18724, 65535],
    });
  });

  it('drops entries that round to zero, with their uid', () => {
    // 0.25/0.75*65535 = 21845 exactly; 0 -> 0 dropped.
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [0, 0.25, 0.75])).toEqual({
      uids: [1, 2],
      weights: [21845, 65535],
    });
    // 0.5/65535*65535 = 0.5 -> 0 (half to even) is dropped too.
    expect(convertWeightsAndUidsForEmit([0, 1], [0.5, 65535])).toEqual({ uids: [1], weights: [65535] });
  });

  it('rounds exact halves to even like Python', () => {
    // 2.5/65535*65535 = 2.5 -> 2; 1/2*65535 = 32767.5 -> 32768.
    expect(convertWeightsAndUidsForEmit([0, 1], [2.5, 65535]).weights).toEqual([2, 65535]);
    expect(convertWeightsAndUidsForEmit([0, 1], [1, 2]).weights).toEqual([32768, 65535]);
  });

  it('returns nothing for all zeros or empty input', () => {
    expect(convertWeightsAndUidsForEmit([0, 1], [0, 0])).toEqual({ uids: [], weights: [] });
    expect(convertWeightsAndUidsForEmit([], [])).toEqual({ uids: [], weights: [] });
  });

  it('accepts typed arrays and a single uid', () => {
    expect(convertWeightsAndUidsForEmit(Uint16Array.of(9), Float64Array.of(0.001))).toEqual({
      uids: [9],
      weights: [65535],
    });
  });

  it('throws WeightsError on bad input', () => {
    expect(() => convertWeightsAndUidsForEmit([0, 1], [1])).toThrow(WeightsError);
    expect(() => convertWeightsAndUidsForEmit([0], [-1])).toThrow(/negative/);
    expect(() => convertWeightsAndUidsForEmit([0], [Number.NaN])).toThrow(/NaN/);
    expect(() => convertWeightsAndUidsForEmit([-3], [1])).toThrow(/uids\[0\] is -3/);
    expect(() => convertWeightsAndUidsForEmit([4, 4], [1, 1])).toThrow(/uid 4 appears twice/);
  });
});

describe('reading weights back', () => {
  it('u16ToFloat divides by 65535', () => {
    expect(u16ToFloat(65535)).toBe(1);
    expect(u16ToFloat(0)).toBe(0);
    expect(u16ToFloat(6553)).toBeCloseTo(0.1, 4);
    expect(() => u16ToFloat(65536)).toThrow(/x\[0\] is 65536/);
  });

  it('u16WeightsToFloats divides by the row sum', () => {
    // [65535, 21845] sum 87380 -> [0.75, 0.25].
    expect(Array.from(u16WeightsToFloats([65535, 21845]))).toEqual([0.75, 0.25]);
    expect(Array.from(u16WeightsToFloats([0, 0]))).toEqual([0, 0]);
    expect(() => u16WeightsToFloats([1.5])).toThrow(WeightsError);
  });

  it('u16WeightsToDenseRow scatters by uid', () => {
    expect(Array.from(u16WeightsToDenseRow(4, [3, 1], [65535, 21845]))).toEqual([0, 0.25, 0, 0.75]);
    expect(() => u16WeightsToDenseRow(2, [3], [1])).toThrow(/only has 2 neurons/);
  });
});
