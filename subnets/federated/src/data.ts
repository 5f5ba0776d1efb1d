/**
 * Who holds which digits. Miners get private, non-IID shards of the training part of the `mnist`
 * digits (see subnets/vision: 8,004 training and 1,996 held-out digits): a few classes over-represented
 * per miner, disjoint between miners, deterministic from (miner index, seed). Validators evaluate on
 * their own parts of the held-out digits.
 */
import { seededRandom } from '@subnetkit/core';
import { CLASSES, type DigitSet, PIXELS } from '@subnetkit/subnet-vision';

/** How one miner's shard is drawn. */
export interface ShardOptions {
  /** Examples in the shard (default 400). */
  size?: number;
  /** Over-represented classes per miner (default 2). */
  favourites?: number;
  /** Share of the shard drawn from the favourite classes (default 0.8). */
  skew?: number;
  /** Seeds the favourite classes and the draw (default 1). */
  seed?: number;
}

const DEFAULTS = { size: 400, favourites: 2, skew: 0.8, seed: 1 } as const;

/** The favourite classes of miner `index`: consecutive classes from a seeded offset. */
export function favouriteClasses(index: number, options: ShardOptions = {}): number[] {
  const k = options.favourites ?? DEFAULTS.favourites;
  const offset = Math.floor(seededRandom(options.seed ?? DEFAULTS.seed)() * CLASSES);
  return Array.from({ length: k }, (_, j) => (offset + index * k + j) % CLASSES);
}

/** Examples per class in one miner's shard. */
function classCounts(index: number, options: ShardOptions): number[] {
  const size = options.size ?? DEFAULTS.size;
  const skew = options.skew ?? DEFAULTS.skew;
  const fav = favouriteClasses(index, options);
  const favTotal = Math.round(size * skew);
  const counts = new Array<number>(CLASSES).fill(0);
  fav.forEach((c, j) => {
    counts[c] = Math.floor(favTotal / fav.length) + (j < favTotal % fav.length ? 1 : 0);
  });
  const others = Array.from({ length: CLASSES }, (_, c) => c).filter((c) => !fav.includes(c));
  const rest = size - favTotal;
  others.forEach((c, j) => {
    counts[c] = Math.floor(rest / others.length) + (j < rest % others.length ? 1 : 0);
  });
  return counts;
}

/**
 * Private shards for miners `0..miners-1`: disjoint draws from `train` (per class in a seeded order,
 * dealt to miners in index order), each with its favourite classes over-represented.
 */
export function minerShards(train: DigitSet, miners: number, options: ShardOptions = {}): DigitSet[] {
  const seed = options.seed ?? DEFAULTS.seed;
  const byClass: number[][] = Array.from({ length: CLASSES }, () => []);
  for (let i = 0; i < train.count; i++) byClass[train.labels[i]!]!.push(i);
  const random = seededRandom(seed * 7919 + 1);
  for (const list of byClass)
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  const cursor = new Array<number>(CLASSES).fill(0);
  const shards: DigitSet[] = [];
  for (let m = 0; m < miners; m++) {
    const counts = classCounts(m, options);
    const picked: number[] = [];
    counts.forEach((n, c) => {
      if (cursor[c]! + n > byClass[c]!.length)
        throw new Error(
          `not enough digits of class ${c} for ${miners} miners of ${options.size ?? DEFAULTS.size} examples; use fewer miners or a smaller shard size`,
        );
      picked.push(...byClass[c]!.slice(cursor[c], cursor[c]! + n));
      cursor[c]! += n;
    });
    picked.sort((a, b) => a - b);
    shards.push(select(train, picked));
  }
  return shards;
}

/**
 * Splits the held-out digits into `parts` disjoint, class-balanced parts by index (`i % parts`): one per
 * validator, and e.g. one more kept for reporting.
 */
export function heldOutParts(heldOut: DigitSet, parts: number): DigitSet[] {
  return Array.from({ length: parts }, (_, p) =>
    select(
      heldOut,
      Array.from({ length: heldOut.count }, (_, i) => i).filter((i) => i % parts === p),
    ),
  );
}

/** The examples of `set` at `indices`, as a new set. */
export function select(set: DigitSet, indices: number[]): DigitSet {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, i) => {
    images.set(set.images.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
    labels[i] = set.labels[src]!;
  });
  return { images, labels, count: indices.length };
}
