/**
 * @subnetkit/core: the pure heart of subnetkit. No I/O lives here: the plugin API a subnet author
 * writes against, btauth/1 request signing and verification, client-side weight math, typed
 * configuration, and the protocol facts and chain views every package shares (epochs, units, the axon
 * IP codec, signed extensions, metagraph views). Everything else (chain, miner, validator, devnet)
 * builds on these functions.
 */
export * from './auth/index.js';
export * from './chain/index.js';
export * from './config/index.js';
export * from './plugin/index.js';
export * from './weights/index.js';
