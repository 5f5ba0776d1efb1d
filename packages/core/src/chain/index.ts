/**
 * Protocol facts and chain views, in one place: epoch arithmetic, TAO/rao units and U16_MAX, the axon IP
 * codec, subtensor's signed-extension definitions, and the metagraph/axon view types. Pure, no I/O; the
 * chain client, the devnet, the miner and the validator all use these.
 */
export { ChainValueError } from './errors.js';
export {
  blocksUntilNextEpoch,
  epochIndex,
  epochRunsAt,
  firstBlockOfEpoch,
  type TempoPosition,
  tempoPosition,
} from './epoch.js';
export { decodeIp, encodeIp } from './ip.js';
export { type SignedExtensionDef, SUBTENSOR_SIGNED_EXTENSIONS } from './signed-extensions.js';
export { MECHANISM_STRIDE, netuidStorageIndex } from './storage-index.js';
export { RAO_PER_TAO, raoToTao, raoToTokens, taoToRao, U16_MAX } from './units.js';
export { type AxonEndpoint, isServing, type MetagraphView, type NeuronView } from './views.js';
