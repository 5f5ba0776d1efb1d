import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type {
  MinerChainAccess,
  MinerModelSpec,
  MinerSetupContext,
  PluginLogger,
  SubnetPlugin,
  TrainOptions,
  TrainProgress,
  TrainResult,
} from '@subnetkit/core';
import * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './backend/select.js';
import { loadModel, MODEL_JSON, ModelFileError } from './io/fs-handler.js';
import { type TensorBatchRunner, tensorBatchRunner } from './tensor/batch-runner.js';

/** Default directory of a plugin's model under its data dir. */
export const DEFAULT_MODEL_DIR = 'model';

/** The plugin's model is missing or unreadable: the miner must not start; the message names the fix. */
export class ModelNotReadyError extends Error {
  readonly code = 'INFERENCE_MODEL_NOT_READY';
  constructor(
    message: string,
    readonly dir: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelNotReadyError';
  }
}

/** The model's input or output shape does not fit the synapse it serves. */
export class ModelShapeError extends Error {
  readonly code = 'INFERENCE_MODEL_SHAPE';
  constructor(message: string) {
    super(message);
    this.name = 'ModelShapeError';
  }
}

/** The command that (re)creates a plugin's model; named in every error about a missing model. */
export function trainCommand(subnet: string): string {
  return `subnetkit train --subnet ${subnet}`;
}

function specOf(plugin: SubnetPlugin): MinerModelSpec {
  const spec = plugin.miner.model;
  if (!spec) {
    throw new TypeError(`subnet ${plugin.name} declares no miner.model; it serves no tensor model`);
  }
  return spec;
}

/** `<dataDir>/<miner.model.dir ?? 'model'>`: where the plugin's model is saved. */
export function pluginModelDir(plugin: SubnetPlugin, dataDir: string): string {
  return path.join(dataDir, specOf(plugin).dir ?? DEFAULT_MODEL_DIR);
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const fmt = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;

/**
 * Checks a loaded model against the plugin's `miner.model` shapes (per example, without the batch
 * axis), so a model trained for another synapse fails at start rather than at the first request.
 */
export function checkModelShape(
  model: Pick<tfjs.LayersModel, 'inputs' | 'outputs'>,
  spec: MinerModelSpec,
  subnet: string,
): void {
  const fix = `retrain it with \`${trainCommand(subnet)}\``;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ModelShapeError(
      `subnet ${subnet}: the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; synapse ${spec.synapse} needs one of each; ${fix}`,
    );
  }
  const input = model.inputs[0]!.shape.slice(1);
  const output = model.outputs[0]!.shape.slice(1);
  if (!sameShape(input, spec.inputShape)) {
    throw new ModelShapeError(
      `subnet ${subnet}: the model takes ${fmt(input)} per example but synapse ${spec.synapse} sends ${fmt(spec.inputShape)}; ${fix}`,
    );
  }
  if (!sameShape(output, spec.outputShape)) {
    throw new ModelShapeError(
      `subnet ${subnet}: the model outputs ${fmt(output)} per example but synapse ${spec.synapse} answers with ${fmt(spec.outputShape)}; ${fix}`,
    );
  }
}

/** Options for {@link trainPluginModel} and {@link loadPluginModel}. */
export interface PluginModelOptions {
  /** The plugin's data directory (the miner's `--data-dir`). */
  dataDir: string;
  /** The tfjs namespace from selectBackend (default: `@tensorflow/tfjs`, current backend). */
  tf?: Tf;
  log: PluginLogger;
  /** Aborts a training run (the plugin stops after the current epoch). */
  signal?: AbortSignal;
  /** Epochs, subset, seed: passed to `miner.train`. */
  trainOptions?: TrainOptions;
  /** Called after every training epoch (draw a progress bar with {@link formatTrainProgress}). */
  onProgress?: (report: TrainProgress) => void;
}

/** What a finished training run produced. */
export interface TrainedPluginModel {
  model: tfjs.LayersModel;
  dir: string;
  result: TrainResult;
  elapsedMs: number;
}

/**
 * Runs the plugin's `miner.train` (with `ctx.tf` bound to the selected backend), then loads the
 * saved model back from disk and checks its shapes, so a successful return means the miner can
 * serve what was written.
 */
export async function trainPluginModel(
  plugin: SubnetPlugin,
  options: PluginModelOptions,
): Promise<TrainedPluginModel> {
  const spec = specOf(plugin);
  const train = plugin.miner.train;
  if (!train) {
    throw new TypeError(
      `subnet ${plugin.name} cannot train its model (no miner.train); put a trained model in ${pluginModelDir(plugin, options.dataDir)}`,
    );
  }
  const tf = options.tf ?? tfjs;
  const dir = pluginModelDir(plugin, options.dataDir);
  await mkdir(dir, { recursive: true });
  const start = performance.now();
  const result = await train.call(plugin.miner, {
    dataDir: options.dataDir,
    modelDir: dir,
    log: options.log,
    signal: options.signal ?? new AbortController().signal,
    tf,
    options: options.trainOptions ?? {},
    progress: (report) => options.onProgress?.(report),
  });
  const elapsedMs = performance.now() - start;
  if (!existsSync(path.join(dir, MODEL_JSON))) {
    throw new ModelNotReadyError(
      `subnet ${plugin.name}: miner.train finished but saved no model in ${dir}; it must call saveModel(model, ctx.modelDir)`,
      dir,
    );
  }
  const model = await loadModel(dir, { tf });
  checkModelShape(model, spec, plugin.name);
  return { model, dir, result, elapsedMs };
}

/** What {@link loadPluginModel} returns. */
export interface LoadedPluginModel {
  model: tfjs.LayersModel;
  dir: string;
  /** Present when the model was missing and had to be trained first. */
  trained?: TrainedPluginModel;
}

/**
 * Loads the plugin's model from `<dataDir>/<miner.model.dir>` and checks its shapes against the
 * synapse. When no model was saved yet and `trainIfMissing` is set (and the plugin has
 * `miner.train`), trains it first. A missing or corrupt model otherwise throws one
 * {@link ModelNotReadyError} whose message names `subnetkit train --subnet <name>`; a corrupt model
 * is never overwritten silently.
 */
export async function loadPluginModel(
  plugin: SubnetPlugin,
  options: PluginModelOptions & { trainIfMissing?: boolean },
): Promise<LoadedPluginModel> {
  const spec = specOf(plugin);
  const dir = pluginModelDir(plugin, options.dataDir);
  const missing = !existsSync(path.join(dir, MODEL_JSON));
  if (missing && options.trainIfMissing && plugin.miner.train) {
    options.log.info(`subnet ${plugin.name}: no model in ${dir}; training one now`);
    const trained = await trainPluginModel(plugin, options);
    return { model: trained.model, dir, trained };
  }
  let model: tfjs.LayersModel;
  try {
    model = await loadModel(dir, options.tf ? { tf: options.tf } : {});
  } catch (err) {
    const cause = err instanceof ModelFileError ? err.message : (err as Error).message;
    const what = missing ? `no trained model in ${dir}` : `the model in ${dir} cannot be loaded (${cause})`;
    throw new ModelNotReadyError(
      `subnet ${plugin.name}: ${what}; run \`${trainCommand(plugin.name)}\` to train and save it`,
      dir,
      { cause: err },
    );
  }
  try {
    checkModelShape(model, spec, plugin.name);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, dir };
}

/** The tensor model and tfjs namespace the runner put in a setup context, typed. */
export interface SetupTensors {
  model: tfjs.LayersModel;
  tf: Tf;
  /**
   * The tensor batch runner over `model`: `await run(rows)` stacks the rows (one flat row per
   * example) into one tensor, runs one predict and returns one output row per example. A
   * `forwardBatch` calls it with the rows of every request the micro-batcher gathered.
   */
  run: TensorBatchRunner;
}

/**
 * Reads `ctx.tensorModel` and `ctx.tf` in a plugin's `setup`, typed. Throws when the runner loaded
 * no model (the plugin declares no `miner.model`, or setup was called by hand without one).
 */
export function tensorsOf(ctx: MinerSetupContext): SetupTensors {
  const model = ctx.tensorModel as tfjs.LayersModel | undefined;
  if (!model || typeof (model as { predict?: unknown }).predict !== 'function') {
    throw new TypeError(
      'setup got no tensor model: declare miner.model so the runner loads it (loadPluginModel), or pass ctx.tensorModel',
    );
  }
  const tf = (ctx.tf as Tf | undefined) ?? tfjs;
  return { model, tf, run: tensorBatchRunner(model, { tf }) };
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** One progress line: `epoch 3/12 [#####-----] loss 0.1234 acc 95.1% 12s elapsed, ETA 36s`. */
export function formatTrainProgress(p: TrainProgress, width = 20): string {
  const done = Math.round((Math.min(p.epoch, p.epochs) / Math.max(1, p.epochs)) * width);
  const bar = `[${'#'.repeat(done)}${'-'.repeat(width - done)}]`;
  const parts = [`epoch ${p.epoch}/${p.epochs}`, bar, `loss ${p.loss.toFixed(4)}`];
  if (p.accuracy !== undefined) parts.push(`acc ${(p.accuracy * 100).toFixed(1)}%`);
  for (const [name, value] of Object.entries(p.metrics ?? {})) parts.push(`${name} ${value.toFixed(4)}`);
  parts.push(`${duration(p.elapsedMs)} elapsed, ETA ${duration(p.etaMs)}`);
  return parts.join(' ');
}

/**
 * Builds the per-epoch report a plugin sends through `ctx.progress`: ETA is the mean epoch time so
 * far times the epochs left. Plugins call it from their tfjs `onEpochEnd` callback.
 */
export function trainProgress(
  epoch: number,
  epochs: number,
  startedAt: number,
  figures: { loss: number; accuracy?: number; metrics?: Record<string, number> },
): TrainProgress {
  const elapsedMs = performance.now() - startedAt;
  const report: TrainProgress = {
    epoch,
    epochs,
    loss: figures.loss,
    elapsedMs,
    etaMs: (elapsedMs / Math.max(1, epoch)) * Math.max(0, epochs - epoch),
  };
  if (figures.accuracy !== undefined) report.accuracy = figures.accuracy;
  if (figures.metrics !== undefined) report.metrics = figures.metrics;
  return report;
}

/** What {@link setupPluginMiner} returns. */
export interface PreparedPluginMiner<Model> extends LoadedPluginModel {
  /** What the plugin's `setup` returned: `ctx.model` in every forward. */
  pluginModel: Model;
  /** Disposes the tensor model's weights (call on shutdown). */
  dispose(): void;
}

/**
 * Everything a miner does before serving a tensor plugin: {@link loadPluginModel} (training a
 * missing model first when `trainIfMissing` is set), then the plugin's `setup` with
 * `ctx.tensorModel` and `ctx.tf`. Errors name the fix, as in loadPluginModel.
 */
export async function setupPluginMiner<P extends SubnetPlugin>(
  plugin: P,
  options: PluginModelOptions & { trainIfMissing?: boolean; chain?: MinerChainAccess },
): Promise<PreparedPluginMiner<Awaited<ReturnType<P['miner']['setup']>>>> {
  const loaded = await loadPluginModel(plugin, options);
  try {
    const pluginModel = await plugin.miner.setup({
      dataDir: options.dataDir,
      log: options.log,
      signal: options.signal ?? new AbortController().signal,
      tensorModel: loaded.model,
      tf: options.tf ?? tfjs,
      ...(options.chain ? { chain: options.chain } : {}),
    });
    return { ...loaded, pluginModel, dispose: () => loaded.model.dispose() };
  } catch (err) {
    loaded.model.dispose();
    throw err;
  }
}
