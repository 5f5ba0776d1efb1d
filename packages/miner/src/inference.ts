/**
 * What the miner does before serving: for a plugin that declares a tensor model (`miner.model`),
 * select the TensorFlow.js backend, load the model from the data directory (training it first when
 * allowed), run the plugin's `setup` with it, and warm it up. A plugin without a model (echo) only
 * gets its `setup` called, as before.
 */
import type {
  AnySubnetPlugin,
  MinerChainAccess,
  PeerArtifacts,
  TrainOptions,
  TrainProgress,
} from '@subnetkit/core';
import {
  type BackendPreference,
  formatTrainProgress,
  type InferenceBackend,
  selectBackend,
  setupPluginMiner,
  warmUp,
} from '@subnetkit/inference';
import type { Logger } from 'pino';

/** Inference settings of {@link startMiner} (all optional; used only by plugins with `miner.model`). */
export interface MinerInferenceOptions {
  /** Backend preference: gpu|node|wasm|cpu|auto (default `$SUBNETKIT_TF_BACKEND`, else auto). */
  backend?: BackendPreference;
  /** A backend already selected (several miners in one process); wins over `backend`. */
  selected?: InferenceBackend;
  /** Train the model on start when `<dataDir>/model` holds none and the plugin has `miner.train`. */
  trainIfMissing?: boolean;
  /** Epochs, subset, seed of that training run. */
  trainOptions?: TrainOptions;
  /** Called after every training epoch (default: one log line per epoch). */
  onTrainProgress?: (report: TrainProgress) => void;
  /** Rows of the warm-up predict (default: the largest batch the miner will run). */
  warmUpRows?: number;
}

/** The model a miner serves, and how it was prepared. */
export interface PreparedMinerModel {
  /** What the plugin's `setup` returned (`ctx.model` in every forward). */
  model: unknown;
  /** The selected backend, for plugins with a tensor model. */
  inference?: {
    backend: InferenceBackend;
    /** Where the model was loaded from. */
    dir: string;
    /** Set when the model was trained on this start. */
    trained?: { elapsedMs: number; metrics: Record<string, number> };
    warmUpMs: number;
  };
  /** Frees the tensor model (no-op without one). */
  dispose(): void;
}

/** `wasm/cpu-simd`: the backend text of /healthz and the status line. */
export function backendText(backend: Pick<InferenceBackend, 'backend' | 'device'>): string {
  return `${backend.backend}/${backend.device}`;
}

/**
 * Loads (or trains) and sets up the plugin's model. Errors about the model are thrown as they are
 * (one line naming `subnetkit train --subnet <name>`, or the shape mismatch); a failing `setup` is
 * wrapped with the subnet's name.
 */
export async function prepareMinerModel(
  plugin: AnySubnetPlugin,
  ctx: {
    dataDir: string;
    log: Logger;
    signal: AbortSignal;
    chain?: MinerChainAccess;
    peers?: PeerArtifacts;
  },
  options: MinerInferenceOptions = {},
): Promise<PreparedMinerModel> {
  const spec = plugin.miner.model;
  if (!spec) {
    try {
      const model = await plugin.miner.setup(ctx);
      return { model, dispose: () => {} };
    } catch (err) {
      throw new Error(`subnet ${plugin.name}: miner.setup failed: ${(err as Error).message}`);
    }
  }
  const backend =
    options.selected ??
    (await selectBackend({ logger: ctx.log, ...(options.backend ? { backend: options.backend } : {}) }));
  const { log } = ctx;
  const prepared = await setupPluginMiner(plugin, {
    dataDir: ctx.dataDir,
    tf: backend.tf,
    log,
    signal: ctx.signal,
    ...(ctx.chain ? { chain: ctx.chain } : {}),
    trainIfMissing: options.trainIfMissing ?? false,
    ...(options.trainOptions ? { trainOptions: options.trainOptions } : {}),
    onProgress: options.onTrainProgress ?? ((p) => log.info(`training: ${formatTrainProgress(p)}`)),
  });
  let warmUpMs: number;
  try {
    warmUpMs = await warmUp(prepared.model, spec.inputShape, {
      tf: backend.tf,
      batchSize: options.warmUpRows ?? 1,
    });
  } catch (err) {
    prepared.dispose();
    throw new Error(
      `subnet ${plugin.name}: the model in ${prepared.dir} failed its warm-up predict: ${(err as Error).message}`,
    );
  }
  log.info(
    { dir: prepared.dir, backend: backend.backend, device: backend.device, warmUpMs: Math.round(warmUpMs) },
    `subnet ${plugin.name}: model loaded from ${prepared.dir}, warmed up in ${warmUpMs.toFixed(0)} ms on ${backendText(backend)}`,
  );
  return {
    model: prepared.pluginModel,
    inference: {
      backend,
      dir: prepared.dir,
      ...(prepared.trained
        ? { trained: { elapsedMs: prepared.trained.elapsedMs, metrics: prepared.trained.result.metrics } }
        : {}),
      warmUpMs,
    },
    dispose: prepared.dispose,
  };
}
