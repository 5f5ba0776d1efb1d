/**
 * # The federated subnet: data stays with each miner, models improve together
 *
 * Pure protocol pieces (the miner/validator/CLI wiring comes later; see README.md): non-IID private
 * shards of the `mnist` digits, local training from the current subnet model, canonical weight bytes and
 * their sha256 commitment, the commitment rules (deadline, earliest commitment wins against copies),
 * validator scoring by improvement over the current model, and the deterministic weighted aggregation.
 */
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
