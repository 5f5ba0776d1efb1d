import { allDigits, CLASSES, type DigitSet, PIXELS } from './data.js';

/**
 * Miners that do not learn, used by the tests and by localnet to show that the validator ranks a
 * trained model above them.
 */

/** Answers uniformly at random. */
export function randomAnswers(
  images: readonly ArrayLike<number>[],
  random: () => number = Math.random,
): number[] {
  return images.map(() => Math.floor(random() * CLASSES));
}

/**
 * The "lookup" cheat: answers with the label of the nearest image (squared pixel distance) among
 * all 10,000 digits of the public mnist package, held-out part included. It is exact on
 * untransformed held-out digits; the validator's distortion is what makes it lose to a model.
 */
export function lookupAnswers(
  images: readonly ArrayLike<number>[],
  reference: DigitSet = allDigits(),
): number[] {
  return images.map((image) => {
    let best = Number.POSITIVE_INFINITY;
    let label = 0;
    for (let r = 0; r < reference.count; r++) {
      const base = r * PIXELS;
      let d = 0;
      for (let p = 0; p < PIXELS && d < best; p++) {
        const diff = image[p]! - reference.images[base + p]!;
        d += diff * diff;
      }
      if (d < best) {
        best = d;
        label = reference.labels[r]!;
      }
    }
    return label;
  });
}
