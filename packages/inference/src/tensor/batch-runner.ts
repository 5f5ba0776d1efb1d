import * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../backend/select.js';

/**
 * One request's input: a flat row of features (row-major, `inputSize` values, also for image-shaped
 * inputs), or a tensor of the model's per-example shape.
 */
export type RowInput = Float32Array | readonly number[] | tfjs.Tensor;

/** A model with a single-tensor `predict` (tf.LayersModel, tf.GraphModel, tf.Sequential). */
export interface PredictModel {
  predict(x: tfjs.Tensor): tfjs.Tensor | tfjs.Tensor[] | tfjs.NamedTensorMap;
  /** Symbolic inputs (LayersModel) or input infos (GraphModel); the first gives the input shape. */
  inputs?: Array<{ shape?: Array<number | null> }>;
}

/** Options for {@link tensorBatchRunner}. */
export interface TensorBatchRunnerOptions {
  /** The tfjs namespace from selectBackend (default: `@tensorflow/tfjs`). */
  tf?: Tf;
  /** Per-example input shape, without the batch dimension (default: from `model.inputs[0].shape`). */
  inputShape?: number[];
}

/** A batch function for MicroBatcher, plus an input check to run before submit. */
export interface TensorBatchRunner {
  (inputs: RowInput[]): Promise<Float32Array[]>;
  /** Per-example input shape the runner stacks to `[batch, ...inputShape]`. */
  readonly inputShape: number[];
  /** Elements per example (product of inputShape). */
  readonly inputSize: number;
  /**
   * Returns `input` typed as a row if it fits the model, else throws InvalidInputError naming the
   * problem. Call it before `submit`: one bad request inside a batch would otherwise fail every
   * request batched with it.
   */
  validate(input: unknown): RowInput;
}

/** Thrown by {@link TensorBatchRunner.validate} for input that does not fit the model. */
export class InvalidInputError extends Error {
  readonly code = 'INFERENCE_INVALID_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

function modelInputShape(model: PredictModel): number[] {
  const shape = model.inputs?.[0]?.shape;
  if (!shape) {
    throw new TypeError('tensorBatchRunner: the model has no inputs[0].shape; pass options.inputShape');
  }
  const perExample = shape.slice(1);
  if (perExample.some((d) => d === null || d < 0)) {
    throw new TypeError(
      `tensorBatchRunner: model input shape [${shape.join(', ')}] has unknown dimensions; pass options.inputShape`,
    );
  }
  return perExample as number[];
}

/**
 * Builds a batch function for {@link MicroBatcher}: stacks the inputs into one
 * `[batch, ...inputShape]` tensor, runs `model.predict` once, and splits the output back into one
 * `Float32Array` per request (that row's output, flattened). Every tensor it creates is disposed,
 * also when predict throws. Input tensors stay owned by the caller.
 */
export function tensorBatchRunner(
  model: PredictModel,
  options: TensorBatchRunnerOptions = {},
): TensorBatchRunner {
  const tf: Tf = options.tf ?? tfjs;
  const inputShape = options.inputShape ?? modelInputShape(model);
  const inputSize = inputShape.reduce((a, b) => a * b, 1);

  const validate = (input: unknown): RowInput => {
    if (input instanceof tf.Tensor) {
      if (input.size !== inputSize) {
        throw new InvalidInputError(
          `input tensor has shape [${input.shape.join(', ')}]; the model expects [${inputShape.join(', ')}]`,
        );
      }
      return input;
    }
    if (!(input instanceof Float32Array) && !Array.isArray(input)) {
      throw new InvalidInputError(`input must be an array of ${inputSize} numbers`);
    }
    if (input.length !== inputSize) {
      throw new InvalidInputError(
        `input has ${input.length} values; the model expects ${inputSize} (shape [${inputShape.join(', ')}])`,
      );
    }
    if (Array.isArray(input)) {
      for (const v of input) {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new InvalidInputError('input must contain only finite numbers');
        }
      }
    }
    return input as RowInput;
  };

  const run = async (inputs: RowInput[]): Promise<Float32Array[]> => {
    const n = inputs.length;
    if (n === 0) return [];
    for (const input of inputs) validate(input);
    const x = tf.tidy(() => {
      if (inputs.every((i) => !(i instanceof tf.Tensor))) {
        // Fast path: copy rows into one buffer, one upload to the backend.
        const buffer = new Float32Array(n * inputSize);
        for (let i = 0; i < n; i++) buffer.set(inputs[i] as ArrayLike<number>, i * inputSize);
        return tf.tensor(buffer, [n, ...inputShape], 'float32');
      }
      const rows = inputs.map((i) =>
        i instanceof tf.Tensor ? i.reshape(inputShape) : tf.tensor(i as number[], inputShape, 'float32'),
      );
      return tf.stack(rows);
    });
    let y: ReturnType<PredictModel['predict']> | undefined;
    try {
      y = model.predict(x);
      if (!(y instanceof tf.Tensor)) {
        throw new TypeError(
          'tensorBatchRunner supports single-output models; predict returned several tensors',
        );
      }
      if (y.shape[0] !== n) {
        throw new RangeError(
          `model output has ${y.shape[0]} rows for a batch of ${n}; predict must keep the batch axis`,
        );
      }
      const raw = await y.data();
      const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
      const rowSize = data.length / n;
      const out: Float32Array[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = data.slice(i * rowSize, (i + 1) * rowSize);
      return out;
    } finally {
      x.dispose();
      if (y !== undefined) tf.dispose(y as tfjs.TensorContainer);
    }
  };

  return Object.assign(run, { inputShape, inputSize, validate }) as TensorBatchRunner;
}
