/**
 * @subnetkit/core: the pure heart of subnetkit. No I/O lives here: the plugin API a subnet author
 * writes against, btauth/1 request signing and verification, client-side weight math, and typed
 * configuration. Everything else (chain, miner, validator, devnet) builds on these functions.
 */
export * from './auth/index.js';
export * from './config/index.js';
export * from './plugin/index.js';
export * from './weights/index.js';
export { FIX_COMMANDS, type FixCommandFlags, type FixCommandName, fixCommand } from './fix-command.js';
