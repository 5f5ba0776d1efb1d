import echo from '@subnetkit/subnet-echo';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../index.js';
import { runDemo } from './demo.js';

describe('subnetkit demo', () => {
  it('ranks miners by quality: the weights fall as the error rate rises', async () => {
    const result = await runDemo({ subnet: 'echo', rounds: 40, miners: 4, seed: 7 }, echo);
    expect(result.requests).toBe(160);
    // Every signed request was also replayed once, and every replay was refused.
    expect(result.rejectedForgeries).toBe(160);
    const weights = result.miners.map((m) => m.weightU16);
    expect(weights[0]).toBe(65535);
    expect(weights[3]).toBe(0);
    for (let i = 1; i < weights.length; i++) expect(weights[i]!).toBeLessThan(weights[i - 1]!);
    expect(result.miners[0]!.score).toBeGreaterThan(0.9);
  });

  it('loads the subnet by its short name and lists demo in --help', async () => {
    const result = await runDemo({ subnet: 'echo', rounds: 2, miners: 1, seed: 1 });
    expect(result.subnet).toBe('echo');
    expect(buildProgram().helpInformation()).toContain('demo');
  });
});
