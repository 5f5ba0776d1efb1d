/**
 * The task of this subnet: which ring of the unit square a 2-D point falls in. Replace it with
 * yours: a generator (or a data set) shared by miners, who train on it, and validators, who draw
 * challenges from it.
 */

/** Values per example (the model's input shape is `[FEATURES]`). */
export const FEATURES = 2;
/** Classes a miner answers with (the model's output shape is `[CLASSES]`). */
export const CLASSES = 3;
/** Ring boundaries: radius below RADII[0] is class 0, below RADII[1] class 1, else class 2. */
export const RADII = [0.45, 0.8] as const;

/** The true class of a point. */
export function labelOf(point: readonly number[]): number {
  const r = Math.hypot(point[0]!, point[1]!);
  return r < RADII[0] ? 0 : r < RADII[1] ? 1 : 2;
}

/** Labelled examples. */
export interface Examples {
  points: number[][];
  labels: number[];
}

/** `count` points drawn uniformly from [-1, 1]², with their classes. Pass a seeded `random`. */
export function samplePoints(count: number, random: () => number): Examples {
  const points = Array.from({ length: count }, () => [random() * 2 - 1, random() * 2 - 1]);
  return { points, labels: points.map(labelOf) };
}
