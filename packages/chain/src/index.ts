/**
 * @subnetkit/chain: the one place subnetkit talks to a Substrate chain (subtensor or the devnet), plus
 * btcli-compatible wallets.
 */
export * from './wallet/index.js';
export * from './client/index.js';
export type { KeyringPair } from '@polkadot/keyring/types';
