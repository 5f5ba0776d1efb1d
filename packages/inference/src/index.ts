/**
 * @subnetkit/inference: the TensorFlow.js runtime a miner serves its model with. Backend
 * selection (tfjs-node-gpu > tfjs-node > wasm > cpu), dynamic micro-batching with a bounded
 * queue, model save/load to a directory, warm-up, and Prometheus metrics.
 */
export * from './backend/select.js';
export * from './batcher/errors.js';
export * from './batcher/micro-batcher.js';
export * from './io/fs-handler.js';
export * from './metrics.js';
export * from './tensor/batch-runner.js';
export * from './warmup.js';
export * from './plugin-model.js';
