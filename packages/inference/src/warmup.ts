import * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './backend/select.js';
import type { PredictModel } from './tensor/batch-runner.js';

/** Options for {@link warmUp}. */
export interface WarmUpOptions {
  /** The tfjs namespace from selectBackend (default: `@tensorflow/tfjs`). */
  tf?: Tf;
  /** Rows in the dummy batch (default 1); use your usual batch size to warm that path too. */
  batchSize?: number;
}

/**
 * Runs one dummy predict (zeros of `[batchSize, ...inputShape]`) and waits for its data, so the
 * first real request does not pay for kernel compilation and weight upload. `inputShape` is the
 * per-example shape without the batch dimension (default: from `model.inputs[0].shape`).
 * Returns the elapsed milliseconds, for the start-up log.
 */
export async function warmUp(
  model: PredictModel,
  inputShape?: number[],
  options: WarmUpOptions = {},
): Promise<number> {
  const tf = options.tf ?? tfjs;
  const shape = inputShape ?? model.inputs?.[0]?.shape?.slice(1);
  if (!shape || shape.some((d) => d === null || d < 0)) {
    throw new TypeError('warmUp: the model input shape has unknown dimensions; pass inputShape');
  }
  const start = performance.now();
  const x = tf.zeros([options.batchSize ?? 1, ...(shape as number[])]);
  let y: ReturnType<PredictModel['predict']> | undefined;
  try {
    y = model.predict(x);
    const outputs = y instanceof tf.Tensor ? [y] : Array.isArray(y) ? y : Object.values(y);
    await Promise.all(outputs.map((t) => t.data()));
  } finally {
    x.dispose();
    if (y !== undefined) tf.dispose(y as tfjs.TensorContainer);
  }
  return performance.now() - start;
}
