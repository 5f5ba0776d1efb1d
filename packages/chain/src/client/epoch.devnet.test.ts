/**
 * The devnet runs the Yuma epoch at every tempo boundary: validators submit weights over WebSocket, and
 * the stored Incentive / Dividends / Emission / Bonds equal @subnetkit/core's runEpoch over the inputs
 * read back from chain state at the block before the epoch (readEpochInputs).
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { epochRunsAt, runEpoch } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SubtensorClient, connect } from './client.js';
import { MemoryCommitStore } from './commit-store.js';

const TEMPO = 10;
let devnet: Devnet;
let client: SubtensorClient;

beforeAll(async () => {
  await cryptoWaitReady();
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        {
          netuid: 1,
          owner: '//Alice',
          ownerHotkey: '//Alice//owner',
          hyperparameters: {
            tempo: TEMPO,
            weightsRateLimit: 0,
            commitRevealWeightsEnabled: false,
            minAllowedWeights: 1,
          },
          neurons: [
            { hotkey: '//Bob//v1', coldkey: '//Bob', stake: 1000 },
            { hotkey: '//Charlie//v2', coldkey: '//Charlie', stake: 500 },
            { hotkey: '//Dave//m1', coldkey: '//Dave' },
            { hotkey: '//Dave//m2', coldkey: '//Dave' },
            { hotkey: '//Eve//m3', coldkey: '//Eve' },
          ],
        },
        {
          netuid: 2,
          owner: '//Alice',
          ownerHotkey: '//Alice//owner2',
          hyperparameters: {
            tempo: TEMPO,
            weightsRateLimit: 0,
            commitRevealWeightsEnabled: true,
            minAllowedWeights: 1,
          },
          neurons: [
            { hotkey: '//Bob//cr-v1', coldkey: '//Bob', stake: 1000 },
            { hotkey: '//Dave//cr-m1', coldkey: '//Dave' },
            { hotkey: '//Eve//cr-m2', coldkey: '//Eve' },
          ],
        },
      ],
    },
  });
  client = await connect(devnet.url);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await devnet?.stop();
});

it('stores the epoch outputs runEpoch computes from the chain state, and pays emission into stake', async () => {
  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const v1 = kr.addFromUri('//Bob//v1');
  const v2 = kr.addFromUri('//Charlie//v2');
  // uids: 0 owner, 1 v1, 2 v2, 3..5 miners.
  await client.setWeights(v1, 1, [3, 4, 5], [65535, 30000, 5000], 0);
  await client.setWeights(v2, 1, [3, 4, 5], [65535, 60000, 0], 0);
  const m5Before = (await client.syncMetagraph(1)).alphaStake[5]!;
  let epochBlock = 0;
  for (let k = 0; k < 3 * (TEMPO + 1); k++) {
    await devnet.produceBlock();
    const b = devnet.bestNumber();
    if (epochRunsAt(b, 1, TEMPO)) epochBlock = b;
  }
  expect(epochBlock).toBeGreaterThan(0);
  const input = await client.readEpochInputs(1, epochBlock);
  const expected = runEpoch(input);
  const meta = await client.syncMetagraph(1, { block: epochBlock, bonds: true });
  const u16 = (x: number[]) => x.map((v) => Math.round(v * 65535));
  expect(u16(meta.incentive)).toEqual(expected.incentive);
  expect(u16(meta.dividends)).toEqual(expected.dividends);
  expect(u16(meta.consensus)).toEqual(expected.consensus);
  expect(u16(meta.validatorTrust)).toEqual(expected.validatorTrust);
  expect(meta.emission.map((e) => BigInt(Math.round(e * 1e9)))).toEqual(expected.emission);
  expect(meta.bonds).toEqual(expected.bonds);
  // Miners are ranked by consensus weight; validators earn dividends; the weightless miner earns little.
  expect(meta.incentive[3]!).toBeGreaterThan(meta.incentive[4]!);
  expect(meta.incentive[4]!).toBeGreaterThan(meta.incentive[5]!);
  expect(meta.dividends[1]! + meta.dividends[2]!).toBeCloseTo(1, 3);
  expect(expected.emission.reduce((a, b) => a + b, 0n)).toBeGreaterThan(0n);
  // Miner 3's incentive was paid into its stake.
  const after = await client.syncMetagraph(1);
  expect(after.alphaStake[3]!).toBeGreaterThan(0);
  expect(after.alphaStake[5]!).toBeGreaterThanOrEqual(m5Before);
}, 120_000);

it('with commit-reveal on, readEpochInputs reads the pending commits the epoch masks with', async () => {
  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const v1 = kr.addFromUri('//Bob//cr-v1');
  // uids: 0 owner, 1 validator, 2..3 miners.
  // A v2 hash commit: readEpochInputs reads those (timelocked commits are not read, see the chain README).
  const v2 = await connect(devnet.url, { commitMode: 'v2', commitStore: new MemoryCommitStore() });
  const commit = await v2.setWeights(v1, 2, [2, 3], [65535, 20000], 0).finally(() => v2.close());
  expect(commit.mode).toBe('commit');
  // The next epoch of netuid 2 (core's epochRunsAt); the commit is still pending then.
  let epochBlock = 0;
  while (epochBlock === 0) {
    await devnet.produceBlock();
    const b = devnet.bestNumber();
    if (epochRunsAt(b, 2, TEMPO)) epochBlock = b;
  }
  const input = await client.readEpochInputs(2, epochBlock);
  expect(input.commitBlocks).toEqual([null, commit.blockNumber, null, null]);
  const expected = runEpoch(input);
  const meta = await client.syncMetagraph(2, { block: epochBlock, bonds: true });
  expect(meta.incentive.map((v) => Math.round(v * 65535))).toEqual(expected.incentive);
  expect(meta.emission.map((e) => BigInt(Math.round(e * 1e9)))).toEqual(expected.emission);
  expect(meta.bonds).toEqual(expected.bonds);
}, 120_000);
