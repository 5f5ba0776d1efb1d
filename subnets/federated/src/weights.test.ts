import { seededRandom } from '@subnetkit/core';
import { describe, expect, it } from 'vitest';
import {
  aggregateUpdates,
  decodeWeights,
  encodeWeights,
  type ModelWeights,
  updateHash,
  WeightsFormatError,
} from './weights.js';

/** A random MLP-shaped model (784-32-10) from a seed. */
function model(seed: number): ModelWeights {
  const r = seededRandom(seed);
  const t = (shape: number[]) => ({
    shape,
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5),
  });
  return [t([784, 32]), t([32]), t([32, 10]), t([10])];
}

describe('weight bytes', () => {
  it('round-trips exactly and hashes the canonical bytes', () => {
    const w = model(1);
    const bytes = encodeWeights(w);
    expect(bytes.length).toBe(
      9 + (1 + 8) + 784 * 32 * 4 + (1 + 4) + 32 * 4 + (1 + 8) + 320 * 4 + (1 + 4) + 40,
    );
    const back = decodeWeights(bytes);
    expect(back.map((t) => t.shape)).toEqual([[784, 32], [32], [32, 10], [10]]);
    expect(encodeWeights(back)).toEqual(bytes);
    expect(updateHash(bytes)).toMatch(/^[0-9a-f]{64}$/);
    // -0 and 0 give the same bytes.
    expect(encodeWeights([{ shape: [1], values: Float32Array.of(-0) }])).toEqual(
      encodeWeights([{ shape: [1], values: Float32Array.of(0) }]),
    );
  });

  it('refuses non-finite values, truncation, trailing bytes and foreign files', () => {
    expect(() => encodeWeights([{ shape: [1], values: Float32Array.of(Number.NaN) }])).toThrow(
      WeightsFormatError,
    );
    const bytes = encodeWeights(model(2));
    expect(() => decodeWeights(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeWeights(Uint8Array.from([...bytes, 0]))).toThrow(/trailing/);
    expect(() => decodeWeights(new TextEncoder().encode('{"weights":1}'))).toThrow(/bad magic/);
    const nan = bytes.slice();
    new DataView(nan.buffer).setFloat32(18, Number.NaN, true);
    expect(() => decodeWeights(nan)).toThrow(/non-finite/);
  });
});

describe('aggregation', () => {
  it('is the weighted average of the updates, ignoring zero weights, bad bytes and other shapes', () => {
    const base = encodeWeights([{ shape: [2], values: Float32Array.of(0, 0) }]);
    const u = (a: number, b: number) => encodeWeights([{ shape: [2], values: Float32Array.of(a, b) }]);
    const out = decodeWeights(
      aggregateUpdates(base, [
        { hotkey: 'a', weight: 3, update: u(1, 2) },
        { hotkey: 'b', weight: 1, update: u(5, 6) },
        { hotkey: 'c', weight: 0, update: u(100, 100) },
        { hotkey: 'd', weight: 5, update: new Uint8Array([1, 2, 3]) },
        { hotkey: 'e', weight: 5, update: encodeWeights([{ shape: [3], values: Float32Array.of(1, 1, 1) }]) },
      ]),
    );
    expect(Array.from(out[0]!.values)).toEqual([2, 3]);
    // Nothing usable: the base is kept.
    expect(aggregateUpdates(base, [{ hotkey: 'a', weight: 0, update: u(1, 1) }])).toEqual(base);
  });

  it('rebuilds identical bytes on two independent nodes, whatever the order of the list', () => {
    const rebuild = (order: number[]) => {
      // Each node decodes its own copies of the base and the updates it fetched.
      const base = encodeWeights(model(10));
      const entries = [1, 2, 3, 4, 5].map((i) => ({
        hotkey: `hk${i}`,
        weight: [0.31, 0.07, 0.2, 0.22, 0.2][i - 1]!,
        update: encodeWeights(model(10 + i)),
      }));
      return aggregateUpdates(
        base,
        order.map((i) => entries[i]!),
      );
    };
    const a = rebuild([0, 1, 2, 3, 4]);
    const b = rebuild([4, 2, 0, 3, 1]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(updateHash(a)).toBe(updateHash(b));
    expect(a).not.toEqual(encodeWeights(model(10)));
  });
});
