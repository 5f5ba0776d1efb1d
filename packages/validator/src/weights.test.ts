import { describe, expect, it } from 'vitest';
import type { ScoreEntry } from './ema.js';
import { epochIndex } from '@subnetkit/core';
import { computeWeights, weightsDue } from './weights.js';

const hp = { minAllowedWeights: 1, maxWeightsLimit: 65535 };

describe('computeWeights', () => {
  it('ranks uids by score and max-upscales to u16', () => {
    const scores = new Map<number, ScoreEntry>([
      [0, { hotkey: 'a', score: 0.9 }],
      [1, { hotkey: 'b', score: 0.45 }],
      [2, { hotkey: 'c', score: 0 }],
    ]);
    const v = computeWeights(scores, { n: 3, hotkeys: ['a', 'b', 'c'] }, hp);
    expect(v.uids).toEqual([0, 1]);
    expect(v.weights).toEqual([65535, 32768]);
  });

  it('ignores scores earned by a hotkey that no longer holds the uid', () => {
    const scores = new Map<number, ScoreEntry>([
      [0, { hotkey: 'a', score: 0.5 }],
      [1, { hotkey: 'old', score: 1 }],
    ]);
    const v = computeWeights(scores, { n: 2, hotkeys: ['a', 'new'] }, hp);
    expect(v.uids).toEqual([0]);
  });

  it('applies min allowed weights and the max weight limit', () => {
    const scores = new Map<number, ScoreEntry>([[0, { hotkey: 'a', score: 1 }]]);
    // Only one non-zero score but 3 required: every uid gets a little (SDK branch 3).
    const v = computeWeights(
      scores,
      { n: 3, hotkeys: ['a', 'b', 'c'] },
      { minAllowedWeights: 3, maxWeightsLimit: 65535 },
    );
    expect(v.uids).toEqual([0, 1, 2]);
    expect(v.weights[0]).toBe(65535);
    const capped = computeWeights(
      new Map<number, ScoreEntry>([
        [0, { hotkey: 'a', score: 0.85 }],
        [1, { hotkey: 'b', score: 0.1 }],
        [2, { hotkey: 'c', score: 0.05 }],
      ]),
      { n: 3, hotkeys: ['a', 'b', 'c'] },
      { minAllowedWeights: 1, maxWeightsLimit: 32768 },
    );
    expect(Math.max(...capped.floats)).toBeLessThanOrEqual(32768 / 65535 + 1e-6);
  });

  it('sets uniform weights when nothing scored', () => {
    const v = computeWeights(new Map(), { n: 2, hotkeys: ['a', 'b'] }, hp);
    expect(v.weights).toEqual([65535, 65535]);
  });
});

describe('weightsDue', () => {
  const base = {
    netuid: 1,
    tempo: 10,
    weightsRateLimit: 5,
    lastUpdate: 0,
    lastEpoch: undefined,
    registered: true,
  };
  it('is due once per epoch', () => {
    expect(weightsDue({ ...base, block: 20 })).toEqual({ due: true, epoch: epochIndex(20, 1, 10) });
    expect(weightsDue({ ...base, block: 20, lastEpoch: epochIndex(20, 1, 10) }).due).toBe(false);
    expect(weightsDue({ ...base, block: 31, lastEpoch: epochIndex(20, 1, 10) }).due).toBe(true);
  });
  it('respects the rate limit and registration', () => {
    expect(weightsDue({ ...base, block: 20, lastUpdate: 17 })).toMatchObject({
      due: false,
      reason: 'rate_limited',
      retryInBlocks: 2,
    });
    expect(weightsDue({ ...base, block: 20, lastUpdate: 15 }).due).toBe(true);
    expect(weightsDue({ ...base, block: 20, registered: false })).toMatchObject({
      due: false,
      reason: 'not_registered',
    });
  });
  it('uses the SDK epoch formula', () => {
    expect(epochIndex(0, 1, 10)).toBe(0);
    expect(epochIndex(9, 1, 10)).toBe(1);
    expect(epochIndex(100, 3, 99)).toBe(1);
  });
});
