/**
 * Commitments over WebSocket against a devnet: a hotkey without balance commits (fee-free), every hotkey's
 * commitment is read back with its block (also at an older block), and the two refusals a user meets name
 * their cause and fix: an unregistered hotkey, and the per-epoch commitment space (the rate limit).
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SubtensorClient, connect } from './client.js';
import { commitmentField, commitmentFieldBytes } from './commitments.js';
import { ChainError } from './errors.js';
import { minerChainAccess, subnetChainView } from './plugin-chain.js';

const NETUID = 1;
const TEMPO = 50;
let devnet: Devnet;
let client: SubtensorClient;
let m1: KeyringPair;
let m2: KeyringPair;
let stranger: KeyringPair;

beforeAll(async () => {
  await cryptoWaitReady();
  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  m1 = kr.addFromUri('//Fed//m1');
  m2 = kr.addFromUri('//Fed//m2');
  stranger = kr.addFromUri('//Fed//stranger');
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    verifyThreads: 0,
    genesis: {
      subnets: [
        {
          netuid: NETUID,
          owner: '//Alice',
          hyperparameters: { tempo: TEMPO },
          neurons: [
            { hotkey: '//Fed//m1', coldkey: '//Bob' },
            { hotkey: '//Fed//m2', coldkey: '//Bob' },
          ],
        },
      ],
    },
  });
  client = await connect(devnet.url, { waitFor: 'inBlock' });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await devnet?.stop();
});

const hash = (n: number) => new Uint8Array(32).fill(n);

describe('commitments', () => {
  it('encodes bytes as Raw<n> up to 128 bytes, BigRaw up to 512, and refuses more naming the fix', () => {
    expect(Object.keys(commitmentField(hash(1)))).toEqual(['Raw32']);
    expect(Object.keys(commitmentField(new Uint8Array(200)))).toEqual(['BigRaw']);
    expect(() => commitmentField(new Uint8Array(513))).toThrow(/at most 512 bytes.*commit a hash/);
    expect(commitmentFieldBytes({ raw3: '0x010203' })).toEqual(new Uint8Array([1, 2, 3]));
    expect(commitmentFieldBytes({ resetBondsFlag: null })).toBeNull();
  });

  it('writes commitments from hotkeys without balance and reads them back per hotkey with their block', async () => {
    expect(await client.balance(m1.address)).toBe(0n);
    const r1 = await client.setCommitment(m1, NETUID, hash(1));
    const r2 = await client.setCommitment(m2, NETUID, new Uint8Array(300).fill(2));
    const list = await client.commitments(NETUID);
    expect(list.map((c) => [c.hotkey, c.block])).toEqual([
      [m1.address, r1.blockNumber],
      [m2.address, r2.blockNumber],
    ]);
    expect(list[0]!.data).toEqual(hash(1));
    expect(list[1]!.data).toEqual(new Uint8Array(300).fill(2));
    // A later commitment replaces the earlier one; reading at the earlier block still sees the old one.
    const r3 = await client.setCommitment(m1, NETUID, hash(3));
    const now = await client.commitments(NETUID);
    expect(now.find((c) => c.hotkey === m1.address)).toMatchObject({ block: r3.blockNumber, data: hash(3) });
    const before = await client.commitments(NETUID, { block: r2.blockNumber });
    expect(before.find((c) => c.hotkey === m1.address)).toMatchObject({
      block: r1.blockNumber,
      data: hash(1),
    });
  });

  it('gives plugins the subnet view: a miner commits for its hotkey, anyone reads commitments and incentive', async () => {
    const miner = minerChainAccess(client, NETUID, m1);
    const view = subnetChainView(client, NETUID);
    expect(miner.hotkey).toBe(m1.address);
    const { block } = await miner.commit(hash(5));
    expect(await view.block()).toBeGreaterThanOrEqual(block);
    const mine = (await view.commitments()).find((c) => c.hotkey === m1.address);
    expect(mine).toEqual({ hotkey: m1.address, block, data: hash(5) });
    const before = (await view.commitments({ block: block - 1 })).find((c) => c.hotkey === m1.address);
    expect(before?.data).toEqual(hash(3));
    const incentive = await view.incentive();
    expect(Object.keys(incentive).sort()).toEqual([m1.address, m2.address].sort());
    for (const v of Object.values(incentive)) expect(v).toBeGreaterThanOrEqual(0);
    // Historical reads: at the block of the miner's commitment (state kept by the devnet).
    expect(Object.keys(await view.incentive({ block })).sort()).toEqual([m1.address, m2.address].sort());
    expect(await view.tempo()).toBe(TEMPO);
    expect(await miner.uid()).toBe((await client.uidOf(NETUID, m1.address)) ?? -1);
  });

  it('refuses an unregistered hotkey, naming the register command', async () => {
    const err = await client.setCommitment(stranger, NETUID, hash(9)).catch((e) => e);
    expect(err).toBeInstanceOf(ChainError);
    expect(err.chainError).toBe('AccountNotAllowedCommit');
    expect(err.retry).toBe('permanent');
    expect(err.message).toMatch(
      /may not commit on netuid 1: only hotkeys registered there can; register it first \(`subnetkit subnet register --netuid 1/,
    );
  });

  it('reports the commitment rate limit (space per epoch) with the block to retry at', async () => {
    // 3,100 per epoch, 100 per small commitment: m2 already spent 300; fill the rest.
    let err: unknown;
    for (let i = 0; i < 40 && !err; i++)
      err = await client.setCommitment(m2, NETUID, hash(i)).then(
        () => undefined,
        (e) => e,
      );
    expect(err).toBeInstanceOf(ChainError);
    const e = err as ChainError;
    expect(e.chainError).toBe('SpaceLimitExceeded');
    expect(e.retry).toBe('rate_limited');
    const next = await client.nextEpochBlock(NETUID);
    expect(e.message).toBe(
      `setCommitment failed: commitment rate limit: hotkey ${m2.address} has used its commitment space on netuid 1 ` +
        `for this tempo epoch (MaxSpace 3100; each commitment counts at least 100); retry at block ${next} ` +
        `(the next epoch) or later (now ${devnet.bestNumber()})`,
    );
    // Once the epoch turns, the same call passes.
    devnet.produceBlocks(next! - devnet.bestNumber());
    await expect(client.setCommitment(m2, NETUID, hash(77))).resolves.toMatchObject({
      blockNumber: expect.any(Number),
    });
  });

  it('names a missing subnet', async () => {
    await expect(client.commitments(9)).rejects.toThrow(/netuid 9 does not exist/);
  });
});
