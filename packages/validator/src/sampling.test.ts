import { seededRandom } from '@subnetkit/core';
import { describe, expect, it } from 'vitest';
import { availableUids, batchTargets, sampleMiners } from './sampling.js';
import type { MetagraphView } from '@subnetkit/core';

function metagraph(n: number, patch: Partial<MetagraphView> = {}): MetagraphView {
  return {
    netuid: 1,
    block: 10,
    n,
    hotkeys: Array.from({ length: n }, (_, i) => `hk${i}`),
    axons: Array.from({ length: n }, (_, i) => ({ ip: '10.0.0.1', port: 8000 + i })),
    validatorPermit: new Array(n).fill(false),
    stake: new Array(n).fill(0),
    lastUpdate: new Array(n).fill(0),
    ...patch,
  };
}

describe('sampling', () => {
  it('skips non-serving, excluded and big permitted validators', () => {
    const m = metagraph(5, {
      axons: [
        { ip: '0.0.0.0', port: 0 },
        { ip: '1.1.1.1', port: 1 },
        { ip: '1.1.1.1', port: 2 },
        { ip: '1.1.1.1', port: 3 },
        { ip: '1.1.1.1', port: 4 },
      ],
      validatorPermit: [false, false, true, true, false],
      stake: [0, 0, 10_000, 10, 0],
    });
    expect(availableUids(m, { exclude: ['hk4'] })).toEqual([1, 3]);
  });

  it('samples k distinct uids, deterministically per seed', () => {
    const m = metagraph(100);
    const a = sampleMiners(m, seededRandom(7), { k: 20 });
    const b = sampleMiners(m, seededRandom(7), { k: 20 });
    const c = sampleMiners(m, seededRandom(8), { k: 20 });
    expect(a).toEqual(b);
    expect(a.map((t) => t.uid)).not.toEqual(c.map((t) => t.uid));
    expect(new Set(a.map((t) => t.uid)).size).toBe(20);
    expect(a[0]).toEqual({
      uid: a[0]!.uid,
      hotkey: `hk${a[0]!.uid}`,
      ip: '10.0.0.1',
      port: 8000 + a[0]!.uid,
    });
  });

  it('caps k at the available miners and rejects bad k', () => {
    expect(sampleMiners(metagraph(3), seededRandom(1), { k: 50 }).map((t) => t.uid)).toEqual([0, 1, 2]);
    expect(() => sampleMiners(metagraph(3), seededRandom(1), { k: 0 })).toThrow(/sample size/);
  });

  it('splits targets into batches', () => {
    expect(batchTargets([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batchTargets([], 3)).toEqual([]);
    expect(() => batchTargets([1], 0)).toThrow(/batch size/);
  });
});
