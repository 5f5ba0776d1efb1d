import { seededRandom } from '@subnetkit/core';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { allDigits, CLASSES, imageAt, loadDigits, PIXELS, subsetOf } from './data.js';
import vision, { makeChallenge, scoreDigits, synapses } from './index.js';
import { transformDigit } from './transform.js';

describe('vision data', () => {
  it('splits the 10,000 package digits deterministically into disjoint training and held-out parts', () => {
    const { train, heldOut } = loadDigits();
    expect(train.count + heldOut.count).toBe(10_000);
    expect(heldOut.count).toBe(1996);
    expect(train.images).toHaveLength(train.count * PIXELS);
    for (let d = 0; d < CLASSES; d++) {
      expect(heldOut.labels.filter((l) => l === d).length).toBeGreaterThan(150);
    }
    const key = (img: Float32Array) => img.join(',');
    const trainKeys = new Set(Array.from({ length: train.count }, (_, i) => key(imageAt(train, i))));
    const overlap = Array.from({ length: heldOut.count }, (_, i) => key(imageAt(heldOut, i))).filter((k) =>
      trainKeys.has(k),
    );
    // The package itself holds a few duplicate images; the split must not add any.
    expect(overlap.length).toBeLessThan(5);
    expect(subsetOf(train, 100).count).toBe(100);
    expect(new Set(subsetOf(train, 100).labels).size).toBe(CLASSES);
  });

  it('distorts challenge digits so that none appears in the package', () => {
    const all = allDigits();
    const keys = new Set(Array.from({ length: all.count }, (_, i) => imageAt(all, i).join(',')));
    const a = makeChallenge(seededRandom(42));
    const b = makeChallenge(seededRandom(42));
    expect(a).toEqual(b);
    expect(a.request.images).toHaveLength(16);
    for (const image of a.request.images) {
      expect(image).toHaveLength(PIXELS);
      expect(image.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(keys.has(Float32Array.from(image).join(','))).toBe(false);
    }
    const plain = imageAt(loadDigits().heldOut, 0);
    const moved = transformDigit(plain, seededRandom(1), { shift: 0, rotateDeg: 0, scale: 0, noise: 0 });
    for (let p = 0; p < PIXELS; p++) expect(moved[p]).toBeCloseTo(plain[p]!, 5);
  });
});

describe('Classify schema', () => {
  const check = TypeCompiler.Compile(synapses.Classify.request);
  const image = new Array(PIXELS).fill(0.5);
  const firstError = (body: unknown) => check.Errors(body).First();

  it('fixes the same per-image shape as the declared model', () => {
    const image = synapses.Classify.request.properties.images.items;
    expect(image.minItems).toBe(image.maxItems);
    expect([image.maxItems]).toEqual(vision.miner.model!.inputShape);
    expect((synapses.Classify.response.properties.digits.items.maximum ?? 0) + 1).toEqual(
      vision.miner.model!.outputShape[0],
    );
  });

  it('accepts 1..64 images of exactly 784 values in [0, 1]', () => {
    expect(check.Check({ images: [image] })).toBe(true);
    expect(check.Check({ images: new Array(64).fill(image) })).toBe(true);
  });

  it.each([
    ['a short image', { images: [image.slice(1)] }, '/images/0'],
    ['a long image', { images: [[...image, 0]] }, '/images/0'],
    ['a value above 1', { images: [[2, ...image.slice(1)]] }, '/images/0/0'],
    [
      'an infinite value (JSON 1e999)',
      JSON.parse(`{"images":[[1e999${',0'.repeat(PIXELS - 1)}]]}`),
      '/images/0/0',
    ],
    ['a string value', { images: [['0', ...image.slice(1)]] }, '/images/0/0'],
    ['no images', { images: [] }, '/images'],
    ['too many images', { images: new Array(65).fill(image) }, '/images'],
    ['an extra field', { images: [image], labels: [1] }, '/labels'],
  ])('rejects %s, naming the field', (_what, body, path) => {
    expect(check.Check(body)).toBe(false);
    expect(firstError(body)?.path).toBe(path);
  });
});

describe('scoreDigits', () => {
  it('is the accuracy, with a mild latency term, and 0 for a malformed answer', () => {
    expect(scoreDigits([1, 2, 3, 4], [1, 2, 3, 4], 10)).toBe(1);
    expect(scoreDigits([1, 2, 3, 4], [1, 2, 0, 0], 10)).toBe(0.5);
    expect(scoreDigits([1, 2, 3, 4], [1, 2, 3, 4], 5_000)).toBeCloseTo(0.9);
    expect(scoreDigits([1, 2, 3, 4], [1, 2, 3, 4], 2_750)).toBeCloseTo(0.95);
    expect(scoreDigits([1, 2, 3, 4], [1, 2, 3], 10)).toBe(0);
    expect(scoreDigits([1, 2, 3, 4], undefined, 10)).toBe(0);
  });
});
