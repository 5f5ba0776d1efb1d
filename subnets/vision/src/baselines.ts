import type { Tf } from '@subnetkit/inference';
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
 * Distances are one matrix product on the given tfjs backend.
 */
export function lookupAnswers(
  tf: Tf,
  images: readonly ArrayLike<number>[],
  reference: DigitSet = allDigits(),
): number[] {
  const flat = new Float32Array(images.length * PIXELS);
  images.forEach((image, i) => {
    flat.set(image, i * PIXELS);
  });
  const nearest = tf.tidy(() => {
    const refs = tf.tensor2d(reference.images, [reference.count, PIXELS]);
    const queries = tf.tensor2d(flat, [images.length, PIXELS]);
    // argmin |q - r|^2 = argmax (2 q.r - |r|^2): |q|^2 is the same for every r.
    const closeness = tf.sub(tf.mul(tf.matMul(queries, refs, false, true), 2), tf.sum(tf.square(refs), 1));
    return closeness.argMax(1).dataSync();
  });
  return Array.from(nearest, (r) => reference.labels[r]!);
}
