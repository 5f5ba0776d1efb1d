import { maxUpscaleU16 } from '@subnetkit/core';
import { describe, expect, it } from 'vitest';
import { maxUpscale } from './weights.js';

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('maxUpscale (devnet hot path)', () => {
  it('matches @subnetkit/core maxUpscaleU16 on edge cases', () => {
    for (const v of [
      [],
      [0, 0],
      [1],
      [65535, 1],
      [32768, 1, 16384],
      [32769, 3, 7],
      [100, 50, 50],
      [2, 1],
      [3, 1, 2],
    ])
      expect(Array.from(maxUpscale(v))).toEqual(maxUpscaleU16(v));
  });

  it('matches @subnetkit/core maxUpscaleU16 on random vectors', () => {
    const r = rng(7);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(r() * 50);
      const cap = [3, 255, 32768, 32769, 65535][t % 5]!;
      const v = Array.from({ length: n }, () => Math.floor(r() * (cap + 1)));
      expect(Array.from(maxUpscale(v)), JSON.stringify(v)).toEqual(maxUpscaleU16(v));
    }
  });
});
