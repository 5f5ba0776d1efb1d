import { pino } from 'pino';
import { type InferenceBackend, selectBackend } from './backend/select.js';

/**
 * The backend tfjs tests run on: wasm, loaded offline from node_modules (it initialises fine
 * under vitest), so tests exercise the same kernels a CPU-only miner uses.
 */
export async function testBackend(): Promise<InferenceBackend> {
  return selectBackend({ backend: 'wasm', logger: pino({ level: 'silent' }) });
}

/** A small dense model with fixed-seed weights, so runs are reproducible. */
export function smallMlp(tf: InferenceBackend['tf'], inputs = 4, hidden = 8, outputs = 3) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [inputs],
        units: hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({ units: outputs, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  return model;
}
