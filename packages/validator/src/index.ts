/**
 * @subnetkit/validator: the validator side of a subnet. A dendrite queries miners' axons with
 * btauth/1-signed requests; BullMQ rounds (challenge, fan-out, reward) fold scores into exponential
 * moving averages in Redis; a weight setter turns those into weights on chain once per tempo.
 */
export {
  type BtauthSignerOptions,
  btauthSigner,
  ThreadedSr25519Signer,
  threadedSr25519Signer,
  wasmSr25519Signer,
} from './signer.js';
export { type ChainErrorKind, classifyChainError } from './chain-errors.js';
export {
  axonMessage,
  classifyLegacyResponse,
  classifyNetworkError,
  classifyResponse,
  isRetryable,
  looksLikeLegacyAxon,
  type Verdict,
} from './classify.js';
export {
  DENDRITE_PROTOCOLS,
  Dendrite,
  type DendriteOptions,
  type DendriteProtocol,
  type DendriteResponse,
  type DendriteSigner,
  type ArtifactQueryOptions,
  type LegacyDendriteOptions,
  type QueryOptions,
  type StreamQueryOptions,
} from './dendrite.js';
export {
  EventStreamParser,
  type ReadEventStreamOptions,
  readEventStream,
  type ServerSentEvent,
  type StreamProgress,
  streamTiming,
} from './event-stream.js';
export {
  checkAlpha,
  DEFAULT_EMA_ALPHA,
  emaUpdate,
  foldScores,
  sanitizeScore,
  type ScoreEntry,
  type ScoreUpdate,
} from './ema.js';
export { type SubnetState, SubnetStateCache } from './subnet-cache.js';
export { createValidatorMetrics, type MetricsSources, type ValidatorMetrics } from './metrics.js';
export {
  challengeId,
  claimRoundBlock,
  type FoldJobData,
  QUEUES,
  type QueryJobData,
  type RoundSummary,
  roundForTick,
  runRoundOnce,
  sampleSeed,
} from './round-jobs.js';
export { availableUids, batchTargets, type SamplingOptions, sampleMiners } from './sampling.js';
export { responseValidator, synapseQueryOptions } from './schema.js';
export {
  defaultKeyPrefix,
  type FoldRound,
  HISTORY_ROUNDS,
  type ScoreHistoryEntry,
  ScoreStore,
  type ScoreStoreOptions,
  scoreKeys,
} from './score-store.js';
export {
  type ExplainedRound,
  type ExplainScoreInput,
  explainScore,
  type ScoreExplanation,
} from './explain.js';
export type {
  MinerTarget,
  SetWeightsResult,
  ValidatorChain,
  ValidatorHyperparameters,
} from './types.js';
export {
  DEFAULT_LOCK_DURATION_MS,
  defaultValidatorDataDir,
  type RunningValidator,
  startValidator,
  type ValidatorOptions,
} from './validator.js';
export { readWeightsState, type WeightsState } from './weight-setter.js';
export { computeWeights, type WeightsDue, type WeightVector, weightsDue } from './weights.js';
export { subtensorValidatorChain, type ValidatorSubtensorClient } from './chain-adapter.js';
export { RedisCommitStore } from './commit-store.js';
export { type PeerArtifactsClient, type PeerArtifactsOptions, peerArtifacts } from './peer-artifacts.js';
