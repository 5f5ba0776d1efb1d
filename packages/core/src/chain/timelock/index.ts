export * from './payload.js';
export * from './round.js';
export * from './tlock.js';
