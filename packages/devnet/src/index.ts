/**
 * @subnetkit/devnet: a local subtensor-compatible chain that an unmodified @polkadot/api talks to over
 * JSON-RPC. Start one with {@link startDevnet}; see the README for options, the genesis format and every
 * difference from subtensor.
 */
export { startDevnet, DEV_ACCOUNT_URIS, type Devnet, type DevnetOptions } from './devnet.js';
export {
  DEV_ACCOUNTS,
  DEV_BALANCE_RAO,
  resolveAccount,
  type DevnetGenesis,
  type GenesisAxon,
  type GenesisHyperparameters,
  type GenesisNeuron,
  type GenesisSubnet,
  type TaoAmount,
} from './genesis.js';
export { Chain, type BlockRecord, type ChainSnapshot, type TxStatus } from './chain.js';
export { buildMetadataBytes } from './metadata/build.js';
export { RUNTIME_VERSION } from './metadata/spec.js';
