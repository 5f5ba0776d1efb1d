import { loadDigits } from '@subnetkit/subnet-vision';
import { describe, expect, it } from 'vitest';
import { favouriteClasses, heldOutParts, minerShards } from './data.js';

describe('private shards', () => {
  const { train, heldOut } = loadDigits();
  it('gives each miner a deterministic, disjoint shard with its favourite classes over-represented', () => {
    const a = minerShards(train, 8, { size: 400, seed: 3 });
    const b = minerShards(train, 8, { size: 400, seed: 3 });
    expect(a.map((s) => Buffer.from(s.images.buffer).toString('base64').slice(0, 64))).toEqual(
      b.map((s) => Buffer.from(s.images.buffer).toString('base64').slice(0, 64)),
    );
    const seen = new Set<string>();
    a.forEach((shard, m) => {
      expect(shard.count).toBe(400);
      const counts = new Array(10).fill(0);
      for (const y of shard.labels) counts[y]++;
      const fav = favouriteClasses(m, { seed: 3 });
      expect(fav.reduce((s, c) => s + counts[c], 0)).toBe(320);
      for (let c = 0; c < 10; c++) if (!fav.includes(c)) expect(counts[c]).toBeLessThan(counts[fav[0]!]);
      for (let i = 0; i < shard.count; i++) {
        const key = Buffer.from(shard.images.buffer, i * 784 * 4, 784 * 4).toString('base64');
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    });
    expect(minerShards(train, 2, { seed: 4 })[0]!.labels).not.toEqual(a[0]!.labels);
  });

  it('names the fix when the shards do not fit the digits', () => {
    expect(() => minerShards(train, 30, { size: 600 })).toThrow(/use fewer miners or a smaller shard size/);
  });

  it('splits the held-out digits into disjoint class-balanced parts', () => {
    const parts = heldOutParts(heldOut, 3);
    expect(parts.reduce((s, p) => s + p.count, 0)).toBe(heldOut.count);
    for (const p of parts) expect(new Set(p.labels).size).toBe(10);
  });
});
