import { seededRandom, type TrainProgress } from '@subnetkit/core';
import { trainProgress, type Tf } from '@subnetkit/inference';
import type * as tfjs from '@tensorflow/tfjs';
import { CLASSES, type DigitSet, PIXELS } from './data.js';
import { CHALLENGE_STRENGTH, transformDigit } from './transform.js';

/** Hidden layer sizes of the MLP (784-256-128-10): chosen by measurement, see the README. */
export const HIDDEN = [256, 128] as const;

/** Training defaults of `subnetkit train --subnet vision`. */
export const TRAIN_DEFAULTS = {
  epochs: 10,
  batchSize: 64,
  learningRate: 0.001,
  /** Share of each epoch's examples replaced by a freshly distorted copy (the challenge transform). */
  augmentShare: 0.5,
  seed: 1,
} as const;

/**
 * The short run of localnet's "under-trained" miner (`miner.underTrained`): measured to score
 * between the fully trained model and the best baseline (see the README).
 */
export const UNDER_TRAINED = { epochs: 3 } as const;

/** A 784-256-128-10 MLP with seeded initialisers and softmax output. */
export function buildModel(tf: Tf, seed: number = TRAIN_DEFAULTS.seed): tfjs.Sequential {
  const model = tf.sequential();
  HIDDEN.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [PIXELS] } : {}),
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: CLASSES,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + HIDDEN.length }),
    }),
  );
  return model;
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  augmentShare?: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (report: TrainProgress) => void;
}

/** Copies `set` with a share of the images replaced by distorted copies (fresh each call). */
function augmented(set: DigitSet, share: number, random: () => number): Float32Array {
  const images = set.images.slice();
  const out = new Float32Array(PIXELS);
  for (let i = 0; i < set.count; i++) {
    if (random() >= share) continue;
    transformDigit(set.images.subarray(i * PIXELS, (i + 1) * PIXELS), random, CHALLENGE_STRENGTH, out);
    images.set(out, i * PIXELS);
  }
  return images;
}

/**
 * Trains `model` on `set` (Adam, categorical cross-entropy), one `fit` per epoch so every epoch
 * sees freshly distorted copies of part of the digits (the same distortion validators apply)
 * and the abort signal is honoured between epochs.
 */
export async function trainModel(
  tf: Tf,
  model: tfjs.Sequential,
  set: DigitSet,
  options: TrainModelOptions = {},
): Promise<{ epochs: number; loss: number; accuracy: number }> {
  const epochs = options.epochs ?? TRAIN_DEFAULTS.epochs;
  const random = seededRandom(options.seed ?? TRAIN_DEFAULTS.seed);
  model.compile({
    optimizer: tf.train.adam(options.learningRate ?? TRAIN_DEFAULTS.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const y = tf.oneHot(tf.tensor1d(Array.from(set.labels), 'int32'), CLASSES);
  const started = performance.now();
  let last = { loss: Number.NaN, accuracy: Number.NaN };
  let done = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('training aborted');
      const x = tf.tensor2d(augmented(set, options.augmentShare ?? TRAIN_DEFAULTS.augmentShare, random), [
        set.count,
        PIXELS,
      ]);
      try {
        const history = await model.fit(x, y, {
          epochs: 1,
          batchSize: options.batchSize ?? TRAIN_DEFAULTS.batchSize,
          shuffle: true,
          verbose: 0,
        });
        last = {
          loss: Number(history.history.loss?.[0]),
          accuracy: Number((history.history.acc ?? history.history.accuracy)?.[0]),
        };
      } finally {
        x.dispose();
      }
      done = epoch;
      options.onEpoch?.(trainProgress(epoch, epochs, started, last));
    }
  } finally {
    y.dispose();
  }
  return { epochs: done, ...last };
}

/** Predicts the digit of each image (rows of PIXELS values) with one batched predict. */
export function classifyRows(
  tf: Tf,
  model: Pick<tfjs.LayersModel, 'predict'>,
  rows: Float32Array,
  count: number,
) {
  return tf.tidy(() => {
    const x = tf.tensor2d(rows, [count, PIXELS]);
    const probs = model.predict(x) as tfjs.Tensor;
    return probs.argMax(-1).dataSync() as Int32Array;
  });
}

/** Share of `set` the model classifies right (optionally after distorting every image). */
export function accuracyOn(
  tf: Tf,
  model: Pick<tfjs.LayersModel, 'predict'>,
  set: DigitSet,
  distort?: () => number,
): number {
  let images = set.images;
  if (distort) {
    images = new Float32Array(set.images.length);
    for (let i = 0; i < set.count; i++) {
      images.set(transformDigit(set.images.subarray(i * PIXELS, (i + 1) * PIXELS), distort), i * PIXELS);
    }
  }
  const predicted = classifyRows(tf, model, images, set.count);
  let right = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) right++;
  return right / set.count;
}
