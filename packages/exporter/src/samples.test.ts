import type { Metagraph } from '@subnetkit/chain';
import { describe, expect, it } from 'vitest';
import { parseNetuids } from './run.js';
import { subnetSample } from './samples.js';

const NEVER = { block: 0, version: 0, ip: '0.0.0.0', port: 0, ipType: 0, protocol: 0 };

function metagraph(): Metagraph {
  return {
    netuid: 3,
    block: 105,
    blockHash: '0x00',
    n: 2,
    hyperparameters: {
      netuid: 3,
      tempo: 10,
      n: 2,
      maxAllowedUids: 256,
      minAllowedWeights: 1,
      maxWeightsLimit: 65535,
      maxWeightLimit: 1,
      weightsVersionKey: 0n,
      weightsSetRateLimit: 0,
      commitRevealWeightsEnabled: false,
      revealPeriodEpochs: 1,
      servingRateLimit: 0,
      immunityPeriod: 4096,
      maxAllowedValidators: 64,
      burn: 1_500_000_000n,
      networkRegistrationAllowed: true,
    },
    uids: [0, 1],
    hotkeys: [
      '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
      '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
    ],
    coldkeys: ['c0', 'c1'],
    alphaStake: [100, 5],
    taoStake: [0, 0],
    stake: [100, 5],
    rank: [0, 0],
    trust: [0, 0.25],
    consensus: [0, 0.5],
    incentive: [0, 0.75],
    dividends: [1, 0],
    validatorTrust: [0.9, 0],
    emission: [2.5, 1.25],
    active: [true, false],
    lastUpdate: [100, 0],
    validatorPermit: [true, false],
    // Genesis axons carry block 0: served is told by the address, not the block.
    axons: [NEVER, { block: 0, version: 1, ip: '10.0.0.1', port: 8091, ipType: 4, protocol: 4 }],
  };
}

describe('subnetSample', () => {
  it('maps a metagraph to per-uid samples with bounded labels', () => {
    const s = subnetSample(metagraph());
    expect(s).toMatchObject({
      netuid: 3,
      block: 105,
      neurons: 2,
      maxAllowedUids: 256,
      tempo: 10,
      registrationCostTao: 1.5,
      immunityPeriod: 4096,
    });
    // Legacy epoch formula: epoch = floor((105 + 3 + 1) / 11) = 9, first block 9*11-4 = 95.
    expect(s.epoch).toBe(9);
    expect(s.blocksIntoEpoch).toBe(10);
    expect(s.blocksUntilNextEpoch).toBe(0);
    expect(s.perNeuron[0]?.labels).toEqual({ netuid: '3', uid: '0', hotkey_prefix: '5GrwvaEF' });
    expect(s.perNeuron[1]).toMatchObject({
      stake: 5,
      incentive: 0.75,
      trust: 0.25,
      emission: 1.25,
      axonServed: true,
      validatorPermit: false,
      active: false,
    });
    expect(s.perNeuron[0]?.axonServed).toBe(false);
  });

  it('gives weights age only to uids with a validator permit', () => {
    const s = subnetSample(metagraph());
    expect(s.perNeuron[0]?.weightsAgeBlocks).toBe(5);
    expect(s.perNeuron[1]?.weightsAgeBlocks).toBeUndefined();
  });

  it('honours the hotkey prefix length', () => {
    expect(subnetSample(metagraph(), 4).perNeuron[1]?.labels.hotkey_prefix).toBe('5FHn');
  });

  it('reports a tempo of 0 (epochs off) as -1 blocks until the next epoch', () => {
    const mg = metagraph();
    mg.hyperparameters.tempo = 0;
    expect(subnetSample(mg).blocksUntilNextEpoch).toBe(-1);
  });
});

describe('parseNetuids', () => {
  it('reads one or several netuids', () => {
    expect(parseNetuids('1')).toEqual([1]);
    expect(parseNetuids('1, 3,7')).toEqual([1, 3, 7]);
  });
  it('names the flag and the fix on bad input', () => {
    expect(() => parseNetuids('')).toThrow(/--netuid needs at least one netuid/);
    expect(() => parseNetuids('1,x')).toThrow(/invalid netuid "x" in --netuid: use integers 0-65535/);
    expect(() => parseNetuids('70000')).toThrow(/invalid netuid "70000"/);
  });
});
