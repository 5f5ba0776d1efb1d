/**
 * # The federated subnet: data stays with each miner, models improve together
 *
 * The default export is the runnable subnet (`--subnet federated`, see plugin.ts); the named exports are
 * its pieces: non-IID private shards of the `mnist` digits, local training from the current subnet
 * model, canonical weight bytes and their sha256 commitment, the commitment rules (deadline, earliest
 * commitment wins against copies), validator scoring by improvement over the current model, the
 * deterministic weighted aggregation, the chain-scheduled rounds and the rebuild of the subnet model
 * from chain state. See README.md.
 */
import { federatedSubnet } from './plugin.js';

export default federatedSubnet();
export { type FederatedMiner, type FederatedRole, serveUpdate } from './miner.js';
export { evaluateBytes, type FederatedTruth, federatedSubnet, localOnlyAccuracy } from './plugin.js';
export {
  FEDERATED_DEFAULTS,
  type FederatedOptions,
  genesisModel,
  heldOutPart,
  reportPart,
  scheduleFor,
  shardOf,
  updateFetcher,
} from './setup.js';
export {
  acceptedUpdates,
  aggregateRound,
  type RebuildContext,
  rebuildBase,
  roundCommitments,
  type UpdateRef,
} from './rebuild.js';
export {
  type RoundSchedule,
  type RoundScheduleOptions,
  type RoundWindow as ScheduleWindow,
  roundAt,
  roundPhase,
  roundSchedule,
  roundWindow,
} from './schedule.js';
export { DirUpdateStore, MemoryUpdateStore, type UpdateStore } from './store.js';
export { favouriteClasses, heldOutParts, minerShards, select, type ShardOptions } from './data.js';
export {
  buildMlp,
  type Evaluation,
  evaluateWeights,
  HIDDEN_UNITS,
  LOCAL_TRAINING,
  type LocalTrainingOptions,
  setWeightsOf,
  trainLocal,
  weightsOf,
} from './model.js';
export {
  type CommitmentStatus,
  type CommittedUpdate,
  consensusWeights,
  judgeCommitments,
  type RoundWindow,
  type ScoringInput,
  scoresToWeights,
  scoreUpdates,
  type UpdateScore,
  type UpdateVerdict,
} from './protocol.js';
export {
  MAX_UPDATE_BYTES,
  type MinerRole,
  type RoundReport,
  type SimulationOptions,
  type SimulationReport,
  simulateRounds,
} from './simulate.js';
export {
  type AggregationEntry,
  aggregateUpdates,
  decodeWeights,
  encodeWeights,
  type ModelWeights,
  sameShapes,
  updateHash,
  type WeightTensor,
  WeightsFormatError,
} from './weights.js';
