/** Yuma consensus: subtensor's epoch as a pure function, in subtensor's fixed-point precision. */
export { runEpoch } from './epoch.js';
export { proportionToU16, u16Proportion } from './fixed.js';
export * from './types.js';
export { type WeightMaskReason, weightMask } from './epoch.js';
export * from './explain.js';
