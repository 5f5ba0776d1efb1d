import { defineSubnet } from '@subnetkit/core';
import echo from '@subnetkit/subnet-echo';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import federated from '@subnetkit/subnet-federated';
import {
  defaultMinerCount,
  defaultTempo,
  type LocalnetNeuron,
  minerTiers,
  rankByWeight,
} from './localnet.js';

const Add = {
  request: Type.Object({ a: Type.Integer(), b: Type.Integer() }),
  response: Type.Object({ sum: Type.Integer() }),
};
const base = {
  versionKey: 1,
  synapses: { Add },
  validator: {
    challenge: () => ({ synapse: 'Add' as const, request: { a: 1, b: 2 }, truth: 3 }),
    reward: () => [] as number[],
  },
};
const forward = { Add: (r: { a: number; b: number }) => ({ sum: r.a + r.b }) };
const baselines = {
  zero: { description: 'always 0', forward: { Add: () => ({ sum: 0 }) } },
  random: { description: 'random', forward: { Add: () => ({ sum: Math.floor(Math.random() * 10) }) } },
};

describe('localnet miner tiers', () => {
  it('runs the federated subnet with four honest miners, then poison, lazy and copy, at tempo 24', () => {
    expect(minerTiers(federated).map((t) => t.role)).toEqual([
      'miner (honest)',
      'miner (honest)',
      'miner (honest)',
      'miner (honest)',
      'miner (poison)',
      'miner (lazy)',
      'miner (copy)',
    ]);
    expect(defaultMinerCount(federated)).toBe(7);
    expect(defaultTempo(federated)).toBe(24);
    expect(defaultTempo(echo)).toBe(10);
  });

  it('keeps the echo qualities and three miners', () => {
    expect(minerTiers(echo).map((t) => t.role)).toEqual([
      'miner (honest)',
      'miner (slow)',
      'miner (faulty)',
      'miner (sloppy)',
    ]);
    expect(defaultMinerCount(echo)).toBe(3);
  });

  it('ranks trained, under-trained, then the baselines in declared order for a subnet with a model', () => {
    const tensor = defineSubnet({
      ...base,
      name: 'adder',
      miner: {
        setup: () => null,
        forward,
        model: { synapse: 'Add', inputShape: [2], outputShape: [1] },
        train: () => ({ metrics: {}, examples: 1, epochs: 1 }),
        baselines,
      },
    });
    expect(minerTiers(tensor)).toEqual([
      { kind: 'trained', role: 'miner (trained)' },
      { kind: 'under-trained', role: 'miner (under-trained)' },
      { kind: 'baseline', role: 'miner (zero)', baseline: 'zero' },
      { kind: 'baseline', role: 'miner (random)', baseline: 'random' },
    ]);
    expect(defaultMinerCount(tensor)).toBe(4);
  });

  it('serves a subnet without a model as it is, next to its baselines', () => {
    const plain = defineSubnet({ ...base, name: 'adder', miner: { setup: () => null, forward, baselines } });
    expect(minerTiers(plain).map((t) => t.kind)).toEqual(['plain', 'baseline', 'baseline']);
    const bare = defineSubnet({ ...base, name: 'adder', miner: { setup: () => null, forward } });
    expect(minerTiers(bare)).toEqual([{ kind: 'plain', role: 'miner' }]);
    expect(defaultMinerCount(bare)).toBe(1);
  });

  it('says how the weights on chain rank the miners', () => {
    const n = (role: string, weight: number) => ({ role, weight }) as LocalnetNeuron;
    expect(
      rankByWeight([
        n('validator', 0),
        n('miner (random)', 10),
        n('miner (trained)', 65535),
        n('miner (lookup)', 10),
        n('miner', 300),
      ]),
    ).toBe('trained > miner > random = lookup');
  });
});

describe('localnet --miners', () => {
  it('refuses more miners than a subnet has uids beside the validator, naming the limit', async () => {
    const { startLocalnet } = await import('./localnet.js');
    const { pino } = await import('pino');
    await expect(
      startLocalnet({ plugin: echo, miners: 256, logger: pino({ level: 'silent' }) }),
    ).rejects.toThrow(
      "--miners 256: a subnet holds 256 uids and one is the validator's; use --miners 255 or fewer",
    );
  });
});
