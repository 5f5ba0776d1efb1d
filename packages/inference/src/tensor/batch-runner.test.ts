import { beforeAll, describe, expect, it } from 'vitest';
import type { InferenceBackend } from '../backend/select.js';
import { MicroBatcher } from '../batcher/micro-batcher.js';
import { smallMlp, testBackend } from '../test-support.js';
import { InvalidInputError, type PredictModel, type RowInput, tensorBatchRunner } from './batch-runner.js';

let backend: InferenceBackend;
beforeAll(async () => {
  backend = await testBackend();
});

function rows(n: number, width: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) =>
    Float32Array.from({ length: width }, (_, j) => Math.sin(i * 7 + j)),
  );
}

/** The model's output for one row, computed without batching. */
async function predictOne(model: PredictModel, row: Float32Array): Promise<Float32Array> {
  const { tf } = backend;
  const x = tf.tensor2d(row, [1, row.length]);
  const y = model.predict(x) as ReturnType<typeof tf.zeros>;
  const data = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return data;
}

describe('tensorBatchRunner', () => {
  it('stacks rows, runs predict once, and splits outputs back in order', async () => {
    const { tf } = backend;
    const model = smallMlp(tf);
    const runner = tensorBatchRunner(model, { tf });
    expect(runner.inputShape).toEqual([4]);
    expect(runner.inputSize).toBe(4);
    const inputs = rows(5, 4);
    const outputs = await runner(inputs);
    expect(outputs).toHaveLength(5);
    for (let i = 0; i < inputs.length; i++) {
      const expected = await predictOne(model, inputs[i]!);
      expect(outputs[i]!.length).toBe(3);
      for (let j = 0; j < 3; j++) expect(outputs[i]![j]).toBeCloseTo(expected[j]!, 5);
    }
    model.dispose();
  });

  it('accepts number arrays and tensors, and leaves caller-owned tensors alone', async () => {
    const { tf } = backend;
    const model = smallMlp(tf);
    const runner = tensorBatchRunner(model, { tf });
    const [a, b] = rows(2, 4);
    const asTensor = tf.tensor1d(b!);
    const mixed: RowInput[] = [Array.from(a!), asTensor];
    const outputs = await runner(mixed);
    expect(asTensor.isDisposed).toBe(false);
    const viaArrays = await runner([a!, b!]);
    expect(outputs.map((o) => Array.from(o))).toEqual(viaArrays.map((o) => Array.from(o)));
    asTensor.dispose();
    model.dispose();
  });

  it('leaks no tensors across many batches through a MicroBatcher', async () => {
    const { tf } = backend;
    const model = smallMlp(tf);
    const runner = tensorBatchRunner(model, { tf });
    const batcher = new MicroBatcher({ maxBatchSize: 16, maxWaitMs: 1, maxQueue: 1000, run: runner });
    await Promise.all(rows(16, 4).map((r) => batcher.submit(r))); // first call may create lazy state
    const before = tf.memory().numTensors;
    for (let round = 0; round < 10; round++) {
      const out = await Promise.all(rows(37, 4).map((r) => batcher.submit(r)));
      expect(out).toHaveLength(37);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(batcher.stats().items).toBe(16 + 370);
    await batcher.close();
    model.dispose();
  });

  it('disposes its tensors when predict throws', async () => {
    const { tf } = backend;
    let seen: ReturnType<typeof tf.zeros> | undefined;
    const broken: PredictModel = {
      inputs: [{ shape: [null, 2] }],
      predict(x) {
        seen = x;
        throw new Error('kernel failure');
      },
    };
    const runner = tensorBatchRunner(broken, { tf });
    const before = tf.memory().numTensors;
    await expect(runner([[1, 2]])).rejects.toThrow('kernel failure');
    expect(seen?.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses multi-output models and outputs that lose the batch axis, without leaking', async () => {
    const { tf } = backend;
    const multi: PredictModel = { inputs: [{ shape: [null, 2] }], predict: (x) => [x.add(1), x.add(2)] };
    const squashed: PredictModel = { inputs: [{ shape: [null, 2] }], predict: (x) => x.sum() };
    const before = tf.memory().numTensors;
    await expect(tensorBatchRunner(multi, { tf })([[1, 2]])).rejects.toThrow(/single-output models/);
    await expect(tensorBatchRunner(squashed, { tf })([[1, 2]])).rejects.toThrow(/keep the batch axis/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validate() names what is wrong with a bad input', () => {
    const { tf } = backend;
    const model = smallMlp(tf);
    const runner = tensorBatchRunner(model, { tf });
    expect(() => runner.validate([1, 2, 3])).toThrow('input has 3 values; the model expects 4 (shape [4])');
    expect(() => runner.validate([1, 2, 3, Number.NaN])).toThrow('only finite numbers');
    expect(() => runner.validate([1, 2, 3, '4'])).toThrow(InvalidInputError);
    expect(() => runner.validate('abcd')).toThrow('input must be an array of 4 numbers');
    const ok = new Float32Array(4);
    expect(runner.validate(ok)).toBe(ok);
    model.dispose();
  });

  it('needs inputShape when the model cannot tell it', () => {
    const model: PredictModel = { inputs: [{ shape: [null, null] }], predict: (x) => x };
    expect(() => tensorBatchRunner(model)).toThrow(/pass options.inputShape/);
    expect(tensorBatchRunner(model, { inputShape: [2, 3] }).inputSize).toBe(6);
  });
});
