/**
 * Runs a synapse's forward for one request: directly through `forward`, or through a MicroBatcher
 * when the plugin defines `forwardBatch` (concurrent requests become one batched call).
 *
 * `run` settles when the plugin's work for the request is really over, not when the caller stops
 * waiting: the axon answers 408 at the deadline (see `raceCancel`) but keeps the request's priority
 * slot until then, so a hung model turns into 503s instead of an ever-growing queue. Non-batched
 * handlers get an AbortSignal that fires at the deadline so they can stop early.
 */
import type { AnySubnetPlugin, CallerInfo, PluginLogger } from '@subnetkit/core';
import { type BatchEvent, MicroBatcher } from '@subnetkit/inference';

/**
 * Default largest batch, in requests (`subnetkit miner --max-batch`): chosen by measurement on the
 * vision subnet, see docs/inference.md.
 */
export const DEFAULT_MAX_BATCH = 32;
/** Default longest wait to fill a batch, ms (`--max-wait-ms`): measured with DEFAULT_MAX_BATCH. */
export const DEFAULT_MAX_WAIT_MS = 2;

/** Batching settings for plugins with `forwardBatch`. */
export interface BatchOptions {
  /** Largest batch, in requests (default DEFAULT_MAX_BATCH); 1 turns batching off. */
  maxBatchSize?: number;
  /** Longest wait to fill a batch, ms (default DEFAULT_MAX_WAIT_MS). */
  maxWaitMs?: number;
  /** Batches running at once (default 1). */
  concurrency?: number;
}

/** What a runner needs from a request's deadline: an AbortSignal for handlers that take one. */
export interface RunDeadline {
  readonly signal: AbortSignal;
}

/** Runs one synapse; `close` finishes queued batches. */
export interface SynapseRunner {
  run(request: unknown, caller: CallerInfo, priority: number, deadline: RunDeadline): Promise<unknown>;
  close(): Promise<void>;
}

/** What a runner reports for metrics. */
export interface RunnerObserver {
  onInference?(synapse: string, seconds: number): void;
  onBatch?(synapse: string, size: number): void;
  /** Called once per batched synapse with its batcher (e.g. to export the inference metrics). */
  onBatcher?(synapse: string, batcher: MicroBatcher<unknown, unknown>): void;
}

interface BatchItem {
  request: unknown;
  caller: CallerInfo;
}

/** Builds one runner per synapse of `plugin`. */
export function createRunners<Model>(
  plugin: AnySubnetPlugin,
  model: Model,
  log: PluginLogger,
  shutdown: AbortSignal,
  batch: BatchOptions = {},
  observer: RunnerObserver = {},
): Map<string, SynapseRunner> {
  const runners = new Map<string, SynapseRunner>();
  const miner = plugin.miner as unknown as {
    forward: Record<string, (req: unknown, ctx: unknown) => unknown>;
    forwardBatch?: Record<string, ((reqs: unknown[], ctx: unknown) => unknown) | undefined>;
  };
  for (const synapse of plugin.synapseNames) {
    const forwardBatch = miner.forwardBatch?.[synapse];
    if (forwardBatch) {
      const batcher = new MicroBatcher<BatchItem, unknown>({
        maxBatchSize: batch.maxBatchSize ?? DEFAULT_MAX_BATCH,
        maxWaitMs: batch.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
        // Admission and shedding happen in the priority gate; this queue only has to hold what it lets in.
        maxQueue: 1_000_000,
        concurrency: batch.concurrency ?? 1,
        run: async (items) => {
          const started = performance.now();
          try {
            const out = await forwardBatch(
              items.map((i) => i.request),
              { model, callers: items.map((i) => i.caller), signal: shutdown, log },
            );
            return out as unknown[];
          } finally {
            observer.onInference?.(synapse, (performance.now() - started) / 1000);
          }
        },
      });
      batcher.observe({ onBatch: (e: BatchEvent) => observer.onBatch?.(synapse, e.size) });
      observer.onBatcher?.(synapse, batcher as MicroBatcher<unknown, unknown>);
      runners.set(synapse, {
        // No per-request signal: the item stays queued past its deadline and its answer is dropped,
        // which is bounded because the caller's priority slot is held until it settles.
        run: (request, caller, priority) => batcher.submit({ request, caller }, { priority }),
        close: () => batcher.close(),
      });
    } else {
      const forward = miner.forward[synapse]!;
      runners.set(synapse, {
        run: async (request, caller, _priority, deadline) => {
          const started = performance.now();
          try {
            return await forward(request, { model, caller, signal: deadline.signal, log });
          } finally {
            observer.onInference?.(synapse, (performance.now() - started) / 1000);
          }
        },
        close: async () => {},
      });
    }
  }
  return runners;
}
