/**
 * The subnet model: a small MLP (784-32-10, ReLU, softmax). Miners train it locally with tfjs from the
 * current subnet model's weights; evaluation is a pure-JavaScript forward pass over the weights, so every
 * validator scores the same bytes the same way without a tfjs backend.
 */
import { seededRandom } from '@subnetkit/core';
import type { Tf } from '@subnetkit/inference';
import { CLASSES, type DigitSet, PIXELS } from '@subnetkit/subnet-vision';
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelWeights } from './weights.js';

/** Hidden units of the MLP. */
export const HIDDEN_UNITS = 32;

/** Local training defaults: one round of local work. */
export const LOCAL_TRAINING = { epochs: 1, batchSize: 32, learningRate: 0.1 } as const;

/** Builds the MLP with seeded initialisers (the round-0 subnet model for a given seed). */
export function buildMlp(tf: Tf, seed = 17): tfjs.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [PIXELS],
      units: HIDDEN_UNITS,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: CLASSES,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  return model;
}

/** The model's weights (tfjs `getWeights()` order), copied out of the tensors. */
export function weightsOf(model: tfjs.LayersModel): ModelWeights {
  return model.getWeights().map((t) => ({ shape: t.shape.slice(), values: Float32Array.from(t.dataSync()) }));
}

/** Loads weights into a model of the same architecture. */
export function setWeightsOf(tf: Tf, model: tfjs.LayersModel, weights: ModelWeights): void {
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/** Options of {@link trainLocal}. */
export interface LocalTrainingOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Seeds the example order. */
  seed?: number;
  /** Train on these labels instead of the true ones (a label-flipping adversary). */
  labels?: Uint8Array;
}

/**
 * One round of local work: starts from `base`, trains with plain SGD on the miner's private `shard`
 * (examples in a seeded order), and returns the new weights. The shard never leaves the miner.
 */
export async function trainLocal(
  tf: Tf,
  base: ModelWeights,
  shard: DigitSet,
  options: LocalTrainingOptions = {},
): Promise<ModelWeights> {
  const model = buildMlp(tf);
  setWeightsOf(tf, model, base);
  model.compile({
    optimizer: tf.train.sgd(options.learningRate ?? LOCAL_TRAINING.learningRate),
    loss: 'categoricalCrossentropy',
  });
  const order = Array.from({ length: shard.count }, (_, i) => i);
  const random = seededRandom(options.seed ?? 1);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const images = new Float32Array(shard.count * PIXELS);
  const labels = new Int32Array(shard.count);
  order.forEach((src, i) => {
    images.set(shard.images.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
    labels[i] = (options.labels ?? shard.labels)[src]!;
  });
  const x = tf.tensor2d(images, [shard.count, PIXELS]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
  try {
    await model.fit(x, y, {
      epochs: options.epochs ?? LOCAL_TRAINING.epochs,
      batchSize: options.batchSize ?? LOCAL_TRAINING.batchSize,
      shuffle: false,
      verbose: 0,
    });
    return weightsOf(model);
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
}

/** Held-out quality of a model: accuracy in [0, 1] and mean cross-entropy. */
export interface Evaluation {
  accuracy: number;
  loss: number;
}

/** Pure-JS forward pass of the MLP over a digit set (deterministic on every node). */
export function evaluateWeights(weights: ModelWeights, set: DigitSet): Evaluation {
  const [k1, b1, k2, b2] = weights;
  if (!k1 || !b1 || !k2 || !b2 || k1.shape[0] !== PIXELS || k2.shape[1] !== CLASSES)
    throw new Error(`weights are not a ${PIXELS}-${HIDDEN_UNITS}-${CLASSES} MLP`);
  const h = k1.shape[1]!;
  const hidden = new Float64Array(h);
  const logits = new Float64Array(CLASSES);
  let correct = 0;
  let loss = 0;
  for (let n = 0; n < set.count; n++) {
    const x = set.images.subarray(n * PIXELS, (n + 1) * PIXELS);
    for (let j = 0; j < h; j++) hidden[j] = b1.values[j]!;
    for (let p = 0; p < PIXELS; p++) {
      const v = x[p]!;
      if (v === 0) continue;
      const row = p * h;
      for (let j = 0; j < h; j++) hidden[j] = hidden[j]! + v * k1.values[row + j]!;
    }
    for (let j = 0; j < h; j++) if (hidden[j]! < 0) hidden[j] = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < CLASSES; c++) {
      let z = b2.values[c]!;
      for (let j = 0; j < h; j++) z += hidden[j]! * k2.values[j * CLASSES + c]!;
      logits[c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    let best = 0;
    for (let c = 0; c < CLASSES; c++) {
      sum += Math.exp(logits[c]! - max);
      if (logits[c]! > logits[best]!) best = c;
    }
    const y = set.labels[n]!;
    loss += -(logits[y]! - max - Math.log(sum));
    if (best === y) correct++;
  }
  return { accuracy: correct / set.count, loss: loss / set.count };
}
