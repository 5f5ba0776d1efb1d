export { type AxonInfo, decodeAxonInfo } from './axon.js';
export {
  type TxLike,
  type ServeAxonArgs,
  buildAddStake,
  buildAdminUtils,
  buildBurnedRegister,
  buildCommitTimelockedWeights,
  buildCommitWeights,
  buildRegisterNetwork,
  buildRemoveStake,
  buildRevealWeights,
  buildServeAxon,
  buildSetCommitment,
  buildSetWeights,
  buildStartCall,
  buildSudo,
  buildTransfer,
} from './calls.js';
export {
  type BlockEvent,
  type BlockRef,
  type ClientOptions,
  type RevealOutcome,
  type SetWeightsOptions,
  type SetWeightsResult,
  SubtensorClient,
  connect,
} from './client.js';
export {
  type CommitStore,
  type PendingCommit,
  JsonFileCommitStore,
  MemoryCommitStore,
  defaultCommitDir,
} from './commit-store.js';
export {
  type CommitmentRecord,
  MAX_COMMITMENT_BYTES,
  MAX_RAW_COMMITMENT_BYTES,
  commitmentField,
  commitmentFieldBytes,
  readCommitmentsAt,
} from './commitments.js';
export { minerChainAccess, type PluginChainClient, subnetChainView } from './plugin-chain.js';
export { type Connection, type ConnectionOptions, openConnection } from './connection.js';
export { type CommitTiming, commitTiming, randomSalt } from './commit-timing.js';
export {
  ChainError,
  type ChainErrorCode,
  type ChainErrorRetry,
  chainErrorRetry,
  type ErrorContext,
  SUBTENSOR_CUSTOM_ERRORS,
  explainChainError,
  poolErrorToChainError,
} from './errors.js';
export { type Hyperparameters, decodeHyperparameters, hyperparameterKeys } from './hyperparams.js';
export { type Metagraph, type SyncOptions, syncMetagraphAt } from './metagraph.js';
export { type EpochInputOptions, readEpochInputsAt } from './epoch-inputs.js';
export {
  type BeaconInfo,
  type CommitMode,
  chooseCommitMode,
  estimateBlockTimeSeconds,
  readBeaconInfo,
} from './timelock.js';
export { NETWORKS, type NetworkName, resolveChainUrl } from './networks.js';
export {
  type EpochSchedule,
  type EpochScheduleState,
  type ExtensionShape,
  type RuntimeShape,
  declareMetadataExtensions,
  detectRuntimeShape,
  effectiveActivityCutoff,
  metadataSignedExtensions,
  nextEpochBlock,
} from './runtime-shape.js';
export { NonceManager } from './nonce.js';
export { STORAGE_BATCH, StorageReader } from './storage.js';
export {
  type SubmitOptions,
  type TxResult,
  type WaitFor,
  dispatchErrorToChainError,
  signAndSubmit,
} from './submit.js';
