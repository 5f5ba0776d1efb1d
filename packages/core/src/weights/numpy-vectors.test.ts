import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertWeightsAndUidsForEmit } from './emit.js';
import { processWeightsForNetuid } from './process.js';

/**
 * numpy-vectors.json: 120 seeded random inputs (sizes 1..129; dense, sparse, skewed, tied; every branch)
 * run through the Python SDK 10.2.0 weight_utils algorithms with numpy 2.4.6. Expected floats and u16
 * values are numpy's own output, so equality here means bit-for-bit agreement with the SDK.
 */
interface Vector {
  weights: number[];
  n: number;
  minAllowedWeights: number;
  maxWeightsLimit: number;
  excludeQuantile: number;
  uids: number[];
  processed: number[];
  emitUids: number[];
  emitValues: number[];
}

const { cases } = JSON.parse(readFileSync(new URL('./numpy-vectors.json', import.meta.url), 'utf8')) as {
  cases: Vector[];
};

describe('bit-exact agreement with the Python SDK (numpy vectors)', () => {
  it('has the vectors', () => {
    expect(cases.length).toBe(120);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const out = processWeightsForNetuid({
      uids: Array.from({ length: c.n }, (_, i) => i),
      weights: c.weights,
      n: c.n,
      minAllowedWeights: c.minAllowedWeights,
      maxWeightLimit: c.maxWeightsLimit / 65535,
      excludeQuantile: c.excludeQuantile,
    });
    expect(out.uids).toEqual(c.uids);
    expect(Array.from(out.weights)).toEqual(c.processed);
    expect(convertWeightsAndUidsForEmit(out.uids, out.weights)).toEqual({
      uids: c.emitUids,
      weights: c.emitValues,
    });
  });
});
