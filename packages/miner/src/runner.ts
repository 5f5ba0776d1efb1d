/**
 * Runs a synapse's forward for one request: directly through `forward`, or through a MicroBatcher
 * when the plugin defines `forwardBatch` (concurrent requests become one batched call). Either way
 * the caller's abort signal (timeout, client gone) ends the wait at once.
 */
import type { CallerInfo, PluginLogger } from '@subnetkit/core';
import type { AnySubnetPlugin } from './axon.js';
import { type BatchEvent, MicroBatcher } from '@subnetkit/inference';

/** Batching settings for plugins with `forwardBatch`. */
export interface BatchOptions {
  /** Largest batch (default 32). */
  maxBatchSize?: number;
  /** Longest wait to fill a batch, ms (default 2). */
  maxWaitMs?: number;
  /** Batches running at once (default 1). */
  concurrency?: number;
}

/** Runs one synapse; `close` finishes queued batches. */
export interface SynapseRunner {
  run(request: unknown, caller: CallerInfo, priority: number, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** What a runner reports for metrics. */
export interface RunnerObserver {
  onInference?(synapse: string, seconds: number): void;
  onBatch?(synapse: string, size: number): void;
}

interface BatchItem {
  request: unknown;
  caller: CallerInfo;
}

/** Rejects with the signal's reason when it aborts; never resolves otherwise. */
function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let dispose = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  // The race below may settle first; keep this promise from becoming an unhandled rejection.
  promise.catch(() => {});
  return { promise, dispose };
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
        maxBatchSize: batch.maxBatchSize ?? 32,
        maxWaitMs: batch.maxWaitMs ?? 2,
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
      runners.set(synapse, {
        run: (request, caller, priority, signal) => batcher.submit({ request, caller }, { signal, priority }),
        close: () => batcher.close(),
      });
    } else {
      const forward = miner.forward[synapse]!;
      runners.set(synapse, {
        run: async (request, caller, _priority, signal) => {
          const started = performance.now();
          const aborted = abortPromise(signal);
          try {
            // A handler that ignores its signal still gets answered on time: the race ends the wait.
            return await Promise.race([
              Promise.resolve().then(() => forward(request, { model, caller, signal, log })),
              aborted.promise,
            ]);
          } finally {
            aborted.dispose();
            observer.onInference?.(synapse, (performance.now() - started) / 1000);
          }
        },
        close: async () => {},
      });
    }
  }
  return runners;
}
