import { seededRandom, type TrainProgress } from '@subnetkit/core';
import { type Tf, trainProgress } from '@subnetkit/inference';
import type * as tfjs from '@tensorflow/tfjs';
import { fillGaps, generateSeries, HORIZON, type Series } from './series.js';

/** Points of (gap-filled) history the model looks at: four seasons. */
export const WINDOW = 48;

/** Training defaults of `subnetkit train --subnet forecast`. */
export const TRAIN_DEFAULTS = {
  series: 20_000,
  epochs: 25,
  batchSize: 128,
  learningRate: 0.002,
  seed: 1,
} as const;

/**
 * The short run of localnet's "under-trained" miner (`miner.underTrained`): measured to score
 * between the fully trained model and the best baseline (see the README).
 */
export const UNDER_TRAINED = { subset: 3_000, epochs: 3 } as const;

/** A window normalised by its own mean and spread, so one model serves every level and scale. */
export interface Window {
  input: Float32Array;
  mean: number;
  spread: number;
}

/** The last WINDOW points of a history (gaps filled), centred on their mean and divided by their spread. */
export function windowOf(history: readonly (number | null)[]): Window {
  const values = fillGaps(history).slice(-WINDOW);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const spread = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) || 1;
  return { input: Float32Array.from(values, (v) => (v - mean) / spread), mean, spread };
}

/** An MLP from a normalised window to the normalised next HORIZON points. */
export function buildModel(tf: Tf, seed: number = TRAIN_DEFAULTS.seed): tfjs.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [WINDOW],
        units: 128,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed }),
      }),
      tf.layers.dense({
        units: 64,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }),
      }),
      tf.layers.dense({
        units: HORIZON,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      }),
    ],
  });
}

/** Series drawn from the validators' public generator, with a seed family of the miner's own. */
export function trainingSeries(count: number, seed: number): Series[] {
  const random = seededRandom(0x5eed0000 + seed);
  return Array.from({ length: count }, () => generateSeries(random));
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  signal?: AbortSignal;
  onEpoch?: (report: TrainProgress) => void;
}

/** Fits the model on (normalised window -> normalised future) pairs with Huber loss, Adam. */
export async function trainModel(
  tf: Tf,
  model: tfjs.Sequential,
  series: readonly Series[],
  options: TrainModelOptions = {},
): Promise<{ epochs: number; loss: number }> {
  const epochs = options.epochs ?? TRAIN_DEFAULTS.epochs;
  const xs = new Float32Array(series.length * WINDOW);
  const ys = new Float32Array(series.length * HORIZON);
  series.forEach((s, i) => {
    const w = windowOf(s.history);
    xs.set(w.input, i * WINDOW);
    ys.set(
      s.future.map((v) => (v - w.mean) / w.spread),
      i * HORIZON,
    );
  });
  model.compile({
    optimizer: tf.train.adam(options.learningRate ?? TRAIN_DEFAULTS.learningRate),
    loss: tf.losses.huberLoss,
  });
  const x = tf.tensor2d(xs, [series.length, WINDOW]);
  const y = tf.tensor2d(ys, [series.length, HORIZON]);
  const started = performance.now();
  let loss = Number.NaN;
  let done = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('training aborted');
      const history = await model.fit(x, y, {
        epochs: 1,
        batchSize: options.batchSize ?? TRAIN_DEFAULTS.batchSize,
        shuffle: true,
        verbose: 0,
      });
      loss = Number(history.history.loss?.[0]);
      done = epoch;
      options.onEpoch?.(trainProgress(epoch, epochs, started, { loss }));
    }
  } finally {
    x.dispose();
    y.dispose();
  }
  return { epochs: done, loss };
}

/** Forecasts the next HORIZON points of each history with one batched predict. */
export function forecastMany(
  tf: Tf,
  model: Pick<tfjs.LayersModel, 'predict'>,
  histories: readonly (readonly (number | null)[])[],
): number[][] {
  const windows = histories.map(windowOf);
  const xs = new Float32Array(windows.length * WINDOW);
  windows.forEach((w, i) => {
    xs.set(w.input, i * WINDOW);
  });
  const out = tf.tidy(() =>
    (model.predict(tf.tensor2d(xs, [windows.length, WINDOW])) as tfjs.Tensor).dataSync(),
  );
  return windows.map((w, i) =>
    Array.from(out.subarray(i * HORIZON, (i + 1) * HORIZON), (v) => v * w.spread + w.mean),
  );
}
