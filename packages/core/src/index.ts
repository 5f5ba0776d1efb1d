/**
 * @subnetkit/core: the pure heart of subnetkit. No I/O lives here: the plugin API a subnet author
 * writes against, btauth/1 request signing and verification, the wire-error catalogue axon and
 * dendrite share, client-side weight math, typed configuration, consensus (Yuma), and the protocol
 * facts and chain views every package shares (epochs, units, the axon IP codec, signed extensions,
 * metagraph views, drand timelock). Everything else (chain, miner, validator, devnet) builds on these
 * functions.
 */
export * from './auth/index.js';
export * from './chain/index.js';
export * from './config/index.js';
export * from './consensus/index.js';
export * from './plugin/index.js';
export * from './weights/index.js';
export * from './wire/index.js';
export * from './chain/timelock/index.js';
export { FIX_COMMANDS, type FixCommandFlags, type FixCommandName, fixCommand } from './fix-command.js';
