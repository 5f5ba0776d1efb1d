import { beforeAll, describe, expect, it } from 'vitest';
import type { InferenceBackend } from './backend/select.js';
import type { PredictModel } from './tensor/batch-runner.js';
import { smallMlp, testBackend } from './test-support.js';
import { warmUp } from './warmup.js';

let backend: InferenceBackend;
beforeAll(async () => {
  backend = await testBackend();
});

describe('warmUp', () => {
  it('runs one dummy predict of the model input shape and frees its tensors', async () => {
    const { tf } = backend;
    const model = smallMlp(tf);
    const shapes: number[][] = [];
    const spy: PredictModel = {
      inputs: model.inputs,
      predict: (x) => {
        shapes.push(x.shape);
        return model.predict(x) as ReturnType<typeof tf.zeros>;
      },
    };
    const before = tf.memory().numTensors;
    const ms = await warmUp(spy, undefined, { tf });
    expect(ms).toBeGreaterThanOrEqual(0);
    await warmUp(spy, [4], { tf, batchSize: 8 });
    expect(shapes).toEqual([
      [1, 4],
      [8, 4],
    ]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('asks for inputShape when the model does not know it', async () => {
    const model: PredictModel = { inputs: [{ shape: [null, null] }], predict: (x) => x };
    await expect(warmUp(model)).rejects.toThrow(/pass inputShape/);
  });
});
