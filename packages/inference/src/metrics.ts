import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { InferenceBackend } from './backend/select.js';
import type { BatcherObserver } from './batcher/micro-batcher.js';

/** What the metrics need from a batcher (any `MicroBatcher<I, O>` fits). */
export interface ObservableBatcher {
  readonly queueDepth: number;
  observe(observer: BatcherObserver): () => void;
}

/** Handles returned by {@link registerInferenceMetrics}. */
export interface InferenceMetrics {
  /** Sets `subnetkit_inference_backend_info{backend,device} 1` (replacing an earlier value). */
  setBackend(info: Pick<InferenceBackend, 'backend' | 'device'>): void;
  /** Exports a batcher's queue depth, batch sizes, run times and rejections under `model`; returns an unsubscribe. */
  observeBatcher(model: string, batcher: ObservableBatcher): () => void;
}

/** Options for {@link registerInferenceMetrics}. */
export interface InferenceMetricsOptions {
  /** Backend chosen by selectBackend; can also be set later with setBackend. */
  backend?: Pick<InferenceBackend, 'backend' | 'device'>;
  /** Upper bounds for the batch size histogram (default powers of two up to 512). */
  batchSizeBuckets?: number[];
}

/**
 * Registers the inference metrics on a prom-client registry (the miner's /metrics):
 * - `subnetkit_inference_backend_info{backend,device}` gauge, always 1
 * - `subnetkit_inference_queue_depth{model}` requests waiting for a batch
 * - `subnetkit_inference_batch_size{model}` histogram of requests per batch
 * - `subnetkit_inference_batch_duration_seconds{model}` histogram of batch run time
 * - `subnetkit_inference_batch_failures_total{model}` batches whose run threw
 * - `subnetkit_inference_queue_rejections_total{model}` submits refused because the queue was full
 */
export function registerInferenceMetrics(
  registry: Registry,
  options: InferenceMetricsOptions = {},
): InferenceMetrics {
  const registers = [registry];
  const info = new Gauge({
    name: 'subnetkit_inference_backend_info',
    help: 'TensorFlow.js backend serving inference (value is always 1)',
    labelNames: ['backend', 'device'] as const,
    registers,
  });
  const batchers = new Map<string, ObservableBatcher>();
  new Gauge({
    name: 'subnetkit_inference_queue_depth',
    help: 'Inference requests waiting for a batch',
    labelNames: ['model'] as const,
    registers,
    collect() {
      this.reset(); // drop series of batchers no longer observed
      for (const [model, batcher] of batchers) this.set({ model }, batcher.queueDepth);
    },
  });
  const batchSize = new Histogram({
    name: 'subnetkit_inference_batch_size',
    help: 'Requests per inference batch',
    labelNames: ['model'] as const,
    buckets: options.batchSizeBuckets ?? [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers,
  });
  const duration = new Histogram({
    name: 'subnetkit_inference_batch_duration_seconds',
    help: 'Wall time of one inference batch run',
    labelNames: ['model'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const failures = new Counter({
    name: 'subnetkit_inference_batch_failures_total',
    help: 'Inference batches whose run threw or returned the wrong number of results',
    labelNames: ['model'] as const,
    registers,
  });
  const rejections = new Counter({
    name: 'subnetkit_inference_queue_rejections_total',
    help: 'Inference requests refused because the batch queue was full',
    labelNames: ['model'] as const,
    registers,
  });

  const metrics: InferenceMetrics = {
    setBackend(backend) {
      info.reset();
      info.set({ backend: backend.backend, device: backend.device }, 1);
    },
    observeBatcher(model, batcher) {
      batchers.set(model, batcher);
      // Start series at 0 so dashboards see them before the first failure/rejection.
      failures.inc({ model }, 0);
      rejections.inc({ model }, 0);
      const stop = batcher.observe({
        onBatch(event) {
          batchSize.observe({ model }, event.size);
          duration.observe({ model }, event.runMs / 1000);
          if (event.error !== undefined) failures.inc({ model });
        },
        onQueueFull() {
          rejections.inc({ model });
        },
      });
      return () => {
        stop();
        if (batchers.get(model) === batcher) batchers.delete(model);
      };
    },
  };
  if (options.backend) metrics.setBackend(options.backend);
  return metrics;
}
