import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { QueueFullError } from './batcher/errors.js';
import { MicroBatcher } from './batcher/micro-batcher.js';
import { registerInferenceMetrics } from './metrics.js';

describe('registerInferenceMetrics', () => {
  it('exports backend info, queue depth, batch sizes, failures and rejections', async () => {
    const registry = new Registry();
    const metrics = registerInferenceMetrics(registry, { backend: { backend: 'wasm', device: 'cpu-simd' } });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 2,
      maxWaitMs: 60_000,
      maxQueue: 2,
      run: async (xs) => {
        await gate;
        if (xs.includes(-1)) throw new Error('bad row');
        return xs;
      },
    });
    const stop = metrics.observeBatcher('mlp', batcher); // typed MicroBatcher<number, number>, no cast
    const first = [batcher.submit(1), batcher.submit(2)]; // full: runs (held by the gate)
    const waiting = [batcher.submit(-1), batcher.submit(3)];
    await expect(batcher.submit(4)).rejects.toBeInstanceOf(QueueFullError);
    let text = await registry.metrics();
    expect(text).toContain('subnetkit_inference_backend_info{backend="wasm",device="cpu-simd"} 1');
    expect(text).toContain('subnetkit_inference_queue_depth{model="mlp"} 2');
    expect(text).toContain('subnetkit_inference_queue_rejections_total{model="mlp"} 1');
    release();
    await Promise.allSettled([...first, ...waiting]);
    await batcher.close();
    text = await registry.metrics();
    expect(text).toContain('subnetkit_inference_queue_depth{model="mlp"} 0');
    expect(text).toContain('subnetkit_inference_batch_size_count{model="mlp"} 2');
    expect(text).toContain('subnetkit_inference_batch_size_sum{model="mlp"} 4');
    expect(text).toContain('subnetkit_inference_batch_duration_seconds_count{model="mlp"} 2');
    expect(text).toContain('subnetkit_inference_batch_failures_total{model="mlp"} 1');

    metrics.setBackend({ backend: 'cpu', device: 'cpu' });
    stop();
    text = await registry.metrics();
    expect(text).toContain('subnetkit_inference_backend_info{backend="cpu",device="cpu"} 1');
    expect(text).not.toContain('backend="wasm"');
    expect(text).not.toContain('subnetkit_inference_queue_depth{model="mlp"}');
  });
});
