/**
 * Client-side weight math matching the Python SDK 10.2.0 (`bittensor/utils/weight_utils.py`), the
 * chain's payload checks for `set_weights`, and the commit-reveal v2 hash. Pure functions, no I/O.
 */
export { WeightsError, type WeightsErrorCode } from './errors.js';
export { normalizeMaxWeight, type NormalizeMaxWeightOptions, type WeightPrecision } from './normalize.js';
export { processWeightsForNetuid, type ProcessWeightsInput, type ProcessedWeights } from './process.js';
export {
  convertWeightsAndUidsForEmit,
  roundHalfEven,
  u16ToFloat,
  u16WeightsToDenseRow,
  u16WeightsToFloats,
  type U16Weights,
} from './emit.js';
export {
  checkWeightsAgainstChainRules,
  maxUpscaleU16,
  type ChainWeightsCheckInput,
  type ChainWeightsErrorName,
  type ChainWeightsViolation,
} from './chain-rules.js';
export { weightCommitHash, type WeightCommitInput } from './commit.js';
