/**
 * @subnetkit/miner: the axon that serves a subnet plugin's synapses over HTTP. btauth/1
 * verification over the raw body (optionally the legacy v10 headers), blacklist by metagraph
 * registration, validator permit and allow/deny lists, stake priority under load, schema
 * validation, micro-batched forward, Prometheus metrics, /openapi.json, graceful drain.
 */
export {
  type AnySubnetPlugin,
  type AxonControls,
  type AxonOptions,
  type AxonPolicy,
  type AxonServer,
  type AxonStats,
  createAxon,
  type LegacyOptions,
} from './axon.js';
export {
  MetagraphCache,
  type MetagraphCacheOptions,
  MetagraphIndex,
  type MinerChain,
  type MinerMetagraph,
  type NeuronLookup,
  staticMetagraph,
} from './metagraph.js';
export { createMinerMetrics, type MinerMetrics } from './metrics.js';
export { buildOpenApi, type OpenApiOptions } from './openapi.js';
export { type AccessDecision, type AccessPolicy, createAccessCheck } from './policy.js';
export { type GateStats, OverloadedError, PriorityGate, type PriorityGateOptions } from './priority-gate.js';
export { RedisLegacyNonceStore, type RedisLegacyNonceStoreOptions } from './legacy-nonce-store-redis.js';
export {
  type ConnectedReplayStore,
  connectRedisReplayStore,
  RedisReplayStore,
  type RedisReplayStoreOptions,
} from './replay-store-redis.js';
export {
  backendText,
  type MinerInferenceOptions,
  type PreparedMinerModel,
  prepareMinerModel,
} from './inference.js';
export {
  type BatchOptions,
  createRunners,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_WAIT_MS,
  type RunDeadline,
  type RunnerObserver,
  type SynapseRunner,
} from './runner.js';
export { type MinerSubtensorClient, subtensorMinerChain } from './chain-adapter.js';
export {
  AXON_VERSION,
  defaultDataDir,
  describeBackend,
  detectExternalIp,
  type MinerHotkey,
  type RunningMiner,
  type StartMinerOptions,
  startMiner,
} from './miner.js';
export {
  type Cancellable,
  ClientGone,
  Deadline,
  fromAbortSignal,
  RequestTimeout,
  raceCancel,
} from './deadline.js';
export {
  MINER_WORKER_ENV,
  type MinerWorkers,
  minerWorkerCount,
  minerWorkerIndex,
  reportWorkerReady,
  shareMetricsWithPrimary,
  startMinerWorkers,
  type WorkersLog,
} from './workers.js';
