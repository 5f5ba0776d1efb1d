import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { minerWorkerCount, minerWorkerIndex } from './workers.js';

describe('minerWorkerCount', () => {
  it('defaults to the number of cores with a shared replay store and to 1 without', () => {
    expect(minerWorkerCount(undefined, true)).toBe(availableParallelism());
    expect(minerWorkerCount(undefined, false)).toBe(1);
    expect(minerWorkerCount(3, true)).toBe(3);
    expect(minerWorkerCount(1, false)).toBe(1);
  });

  it('refuses several workers without a shared replay store, naming the fix', () => {
    expect(() => minerWorkerCount(2, false)).toThrow(
      /--workers 2 needs .* add --redis redis:\/\/.*or run --workers 1/,
    );
    expect(() => minerWorkerCount(0, true)).toThrow(/positive integer/);
  });

  it('is not a worker outside node:cluster', () => {
    expect(minerWorkerIndex()).toBeUndefined();
  });
});
