/**
 * The miner's model: a small TensorFlow.js MLP from a point to class probabilities. Everything takes
 * `tf` as an argument so it runs on the backend the runner selected (wasm, tfjs-node, ...).
 */
import { seededRandom, type TrainProgress } from '@subnetkit/core';
import { type Tf, trainProgress } from '@subnetkit/inference';
import type * as tfjs from '@tensorflow/tfjs';
import { CLASSES, type Examples, FEATURES, samplePoints } from './data.js';

/** Training defaults of `subnetkit train --subnet <this package>`. */
export const TRAIN_DEFAULTS = {
  examples: 3_000,
  epochs: 12,
  batchSize: 64,
  learningRate: 0.01,
  seed: 1,
} as const;

/**
 * localnet's "under-trained" miner: a short run that still beats the baselines (measured: about
 * 78% on fresh points, against 98% for the defaults and 50% for the majority baseline).
 */
export const UNDER_TRAINED = { subset: 300, epochs: 10 } as const;

/** A FEATURES-32-32-CLASSES MLP with seeded initialisers. */
export function buildModel(tf: Tf, seed: number = TRAIN_DEFAULTS.seed): tfjs.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [FEATURES],
        units: 32,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed }),
      }),
      tf.layers.dense({
        units: 32,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }),
      }),
      tf.layers.dense({
        units: CLASSES,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      }),
    ],
  });
}

/** The miner's own training examples (a seed family apart from anything validators use). */
export function trainingExamples(count: number, seed: number): Examples {
  return samplePoints(count, seededRandom(0x7a11 + seed));
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  epochs?: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (report: TrainProgress) => void;
}

/** Fits the model (Adam, categorical cross-entropy), reporting after every epoch. */
export async function trainModel(
  tf: Tf,
  model: tfjs.Sequential,
  examples: Examples,
  options: TrainModelOptions = {},
): Promise<{ epochs: number; loss: number; accuracy: number }> {
  const epochs = options.epochs ?? TRAIN_DEFAULTS.epochs;
  model.compile({
    optimizer: tf.train.adam(TRAIN_DEFAULTS.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const x = tf.tensor2d(examples.points, [examples.points.length, FEATURES]);
  const y = tf.oneHot(tf.tensor1d(examples.labels, 'int32'), CLASSES);
  const started = performance.now();
  let last = { epochs: 0, loss: Number.NaN, accuracy: Number.NaN };
  try {
    await model.fit(x, y, {
      epochs,
      batchSize: TRAIN_DEFAULTS.batchSize,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch, logs) => {
          last = {
            epochs: epoch + 1,
            loss: Number(logs?.loss),
            accuracy: Number(logs?.acc ?? logs?.accuracy),
          };
          options.onEpoch?.(trainProgress(epoch + 1, epochs, started, last));
          // Stops fit after this epoch when the miner shuts down during training.
          if (options.signal?.aborted) model.stopTraining = true;
        },
      },
    });
  } finally {
    x.dispose();
    y.dispose();
  }
  return last;
}

/** The class of each point, with one batched predict. */
export function predictLabels(
  tf: Tf,
  model: Pick<tfjs.LayersModel, 'predict'>,
  points: readonly (readonly number[])[],
): number[] {
  return tf.tidy(() => {
    const probs = model.predict(tf.tensor2d(points as number[][], [points.length, FEATURES])) as tfjs.Tensor;
    return Array.from(probs.argMax(-1).dataSync());
  });
}

/** Share of `examples` the model classifies right. */
export function accuracyOn(tf: Tf, model: Pick<tfjs.LayersModel, 'predict'>, examples: Examples): number {
  const predicted = predictLabels(tf, model, examples.points);
  return predicted.filter((label, i) => label === examples.labels[i]).length / predicted.length;
}
