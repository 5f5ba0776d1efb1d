/**
 * Yuma consensus end to end: the devnet over WebSocket (tempo 10, fast blocks), three real echo miners of
 * different quality (honest, slow, faulty) and a validator on the shared Redis. After a few tempos the
 * miners' incentive on chain is in the order of their quality, `subnetkit explain` (the real CLI, --json)
 * reproduces each miner's stored incentive exactly from chain state, and `subnetkit validator explain`
 * replays the validator's rounds for the honest miner.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient, Wallet } from '@subnetkit/chain';
import type { SubnetPlugin } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type RunningMiner, startMiner, subtensorMinerChain } from '@subnetkit/miner';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import {
  btauthSigner,
  defaultKeyPrefix,
  type RunningValidator,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson } from './cli-helpers.js';
import { until } from './helpers.js';

const NETUID = 1;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = pino({ level: 'silent' });

function echoWith(env: Record<string, string>): SubnetPlugin {
  return { ...echo, miner: { ...echo.miner, setup: () => makeEchoModel(env) } } as SubnetPlugin;
}

const QUALITIES: { name: string; env: Record<string, string> }[] = [
  { name: 'honest', env: {} },
  { name: 'slow', env: { ECHO_DELAY_MS: '900' } },
  { name: 'faulty', env: { ECHO_ERROR_RATE: '1' } },
];

interface Explained {
  block: number;
  epochBlock: number;
  values: { incentive: number; emission: string };
  reproduction: { exact: boolean; differences: unknown[] };
  miner: { votes: { uid: number; storedWeight: number; clippedBy: number }[] };
}

describe('incentive on the devnet, explained', () => {
  let devnet: Devnet;
  let client: SubtensorClient;
  let validator: RunningValidator;
  let validatorKey: KeyringPair;
  let redis: Redis;
  const miners: RunningMiner[] = [];
  const minerKeys: KeyringPair[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'e2e-explain-'));
  let prefix = '';

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    // The validator's hotkey lives in a wallet, so `subnetkit validator explain --wallet` finds it.
    const wallet = new Wallet({ name: 'validator', path: dir });
    await wallet.regenHotkey({ seed: `0x${randomBytes(32).toString('hex')}` });
    validatorKey = await wallet.hotkey();
    prefix = defaultKeyPrefix(NETUID, validatorKey.address);
    devnet = await startDevnet({
      port: 0,
      blockTime: 100,
      logger: quiet,
      genesis: {
        subnets: [
          {
            netuid: NETUID,
            owner: 'alice',
            hyperparameters: {
              tempo: 10,
              weightsRateLimit: 1,
              maxAllowedValidators: 8,
              burn: 1,
              commitRevealWeightsEnabled: false,
            },
            neurons: [{ hotkey: validatorKey.address, coldkey: 'alice', stake: 1000 }],
          },
        ],
      },
    });
    client = await connect(devnet.url);
    const coldkeys = ['//Bob', '//Charlie', '//Dave'].map((u) => keyring.addFromUri(u));
    for (const [i, q] of QUALITIES.entries()) {
      const hotkey = keyring.addFromUri(`//Miner//explain-${q.name}`);
      minerKeys.push(hotkey);
      await client.burnedRegister(coldkeys[i]!, NETUID, hotkey.address);
    }
    for (const [i, q] of QUALITIES.entries()) {
      miners.push(
        await startMiner({
          plugin: echoWith(q.env),
          hotkey: minerKeys[i]!,
          netuid: NETUID,
          chain: subtensorMinerChain(client, minerKeys[i]!),
          port: 0,
          host: '127.0.0.1',
          externalIp: '127.0.0.1',
          metagraphRefreshMs: 1_000,
          logger: quiet,
          dataDir: mkdtempSync(join(dir, `miner-${q.name}-`)),
        }),
      );
    }
    await until('the validator permit', async () => {
      const m = await client.syncMetagraph(NETUID);
      return m.validatorPermit[m.hotkeys.indexOf(validatorKey.address)];
    });
    redis = new Redis(REDIS_URL);
    validator = await startValidator({
      plugin: echo,
      netuid: NETUID,
      hotkey: validatorKey.address,
      sign: btauthSigner(validatorKey),
      chain: subtensorValidatorChain(client, validatorKey),
      redis: REDIS_URL,
      keyPrefix: prefix,
      emaAlpha: 0.3,
      roundIntervalMs: 400,
      weightsCheckIntervalMs: 300,
      weightsBackoffMs: 200,
      weightsAttempts: 30,
      batchSize: 1,
      resyncBlocks: 5,
      logger: quiet,
    });
  }, 120_000);

  afterAll(async () => {
    await validator?.stop();
    await Promise.all(miners.map((m) => m.stop()));
    await client?.close().catch(() => {});
    await devnet?.stop();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('ranks the miners by quality in incentive, and explain reproduces each stored incentive', async () => {
    const { m, uids } = await until(
      'incentive honest > slow > faulty',
      async () => {
        if (!(await validator.store.isApplied('round-4'))) return undefined;
        const m = await client.syncMetagraph(NETUID);
        const uids = minerKeys.map((k) => m.hotkeys.indexOf(k.address));
        const [honest, slow, faulty] = uids.map((u) => m.incentive[u]!) as [number, number, number];
        return honest > slow && slow > faulty ? { m, uids } : undefined;
      },
      90_000,
      250,
    );
    expect(m.incentive[uids[2]!]).toBe(0);
    const validatorUid = m.hotkeys.indexOf(validatorKey.address);
    for (const [i, uid] of uids.entries()) {
      const x = await cliJson<Explained>([
        'explain',
        '--netuid',
        String(NETUID),
        '--uid',
        String(uid),
        '--block',
        String(m.block),
        '--chain',
        devnet.url,
      ]);
      expect(x.block).toBe(m.block);
      expect(x.epochBlock).toBeLessThanOrEqual(m.block);
      expect(x.reproduction, QUALITIES[i]!.name).toEqual(
        expect.objectContaining({ exact: true, differences: [] }),
      );
      expect(x.values.incentive).toBe(Math.round(m.incentive[uid]! * 65535));
      expect(BigInt(x.values.emission)).toBe(BigInt(Math.round(m.emission[uid]! * 1e9)));
      // The one validator's vote is the consensus: nothing is clipped.
      const vote = x.miner.votes.find((v) => v.uid === validatorUid)!;
      expect(vote.clippedBy).toBe(0);
      if (i < 2) expect(vote.storedWeight).toBeGreaterThan(0);
    }
  });

  it('validator explain replays the rounds behind the honest miner’s score and weight', async () => {
    const honest = (await client.syncMetagraph(NETUID)).hotkeys.indexOf(minerKeys[0]!.address);
    const x = await cliJson<{
      score: number;
      consistent: boolean;
      rounds: {
        round: number;
        challengeId: string;
        outcome: string;
        latencyMs: number;
        reward: number;
        score: number;
      }[];
      weight: { value: number; place: number };
      onChain: { value: number };
    }>([
      'validator',
      'explain',
      '--uid',
      String(honest),
      '--netuid',
      String(NETUID),
      '--wallet',
      'validator',
      '--wallet-path',
      dir,
      '--chain',
      devnet.url,
      '--redis',
      REDIS_URL,
    ]);
    expect(x.rounds.length).toBeGreaterThanOrEqual(4);
    expect(x.consistent).toBe(true);
    expect(x.score).toBeCloseTo(x.rounds.at(-1)!.score, 12);
    expect(x.rounds.at(-1)).toMatchObject({
      outcome: 'ok',
      challengeId: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    expect(x.rounds.every((r) => r.latencyMs >= 0 && r.reward > 0)).toBe(true);
    expect(x.weight).toMatchObject({ value: 65535, place: 1 });
    expect(x.onChain.value).toBe(65535);
  });
});
