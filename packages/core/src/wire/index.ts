export * from './errors.js';
export * from './legacy-answer.js';
