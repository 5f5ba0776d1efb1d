/**
 * Timelocked commit-reveal (CR v4) on the devnet: the validator's normal weight-setter commits its weights
 * with `commit_timelocked_weights`, encrypted to the devnet's drand beacon (key, genesis and period read from
 * Drand.BeaconConfig); the record lands in Redis (RedisCommitStore); the chain decrypts the commit with the
 * pulse of the round and applies the weights in the reveal epoch, one reveal period after the commit.
 */
import { randomUUID } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import {
  btauthSigner,
  RedisCommitStore,
  type RunningValidator,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import { adderPlugin, adderResponder, type FakeAxons, startFakeAxons } from '@subnetkit/validator/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';

const NETUID = 1;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('validator with timelocked commit-reveal weights (devnet, CR v4)', () => {
  let axons: FakeAxons;
  let devnet: Devnet;
  let client: SubtensorClient;
  let redis: Redis;
  let validator: RunningValidator;
  const prefix = `test:e2e:validator-tlock:${randomUUID()}`;
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

  beforeAll(async () => {
    await cryptoWaitReady();
    axons = await startFakeAxons({ count: 2, respond: adderResponder((i) => i === 0) });
    devnet = await startDevnet({
      port: 0,
      blockTime: 250,
      logger: pino({ level: 'silent' }),
      genesis: {
        drandPeriod: 1,
        subnets: [
          {
            netuid: NETUID,
            owner: 'alice',
            hyperparameters: {
              tempo: 5,
              weightsRateLimit: 1,
              maxAllowedValidators: 8,
              commitRevealWeightsEnabled: true,
              revealPeriodEpochs: 1,
            },
            neurons: [
              { hotkey: '//Alice//validator', coldkey: 'alice', stake: 1000 },
              ...axons.axons.map((a, i) => ({ hotkey: `//Tlock//miner${i}`, coldkey: 'bob', axon: a })),
            ],
          },
        ],
      },
    });
    redis = new Redis(REDIS_URL);
    client = await connect(devnet.url, { commitStore: new RedisCommitStore(redis, prefix) });
  }, 120_000);

  afterAll(async () => {
    await validator?.stop();
    await client?.close();
    await devnet?.stop();
    await axons?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('commits timelocked weights; the chain reveals them one reveal period later', async () => {
    expect(client.commitMode()).toBe('timelock');
    const hotkey = keyring.addFromUri('//Alice//validator');
    await until('the validator permit', async () => {
      const m = await client.syncMetagraph(NETUID);
      return m.validatorPermit[m.hotkeys.indexOf(hotkey.address)];
    });
    validator = await startValidator({
      plugin: adderPlugin,
      netuid: NETUID,
      hotkey: hotkey.address,
      sign: btauthSigner(hotkey),
      chain: subtensorValidatorChain(client, hotkey),
      redis: REDIS_URL,
      keyPrefix: prefix,
      emaAlpha: 0.5,
      roundIntervalMs: 400,
      weightsCheckIntervalMs: 300,
      weightsBackoffMs: 200,
      batchSize: 1,
      resyncBlocks: 5,
    });
    const commit = await until('a timelocked commit recorded in Redis', async () => {
      const pending = await new RedisCommitStore(redis, prefix).load(hotkey.address, NETUID);
      return pending.find((c) => c.uids.includes(1) && c.commitBlock > 0);
    });
    expect(commit.revealRound).toMatch(/^\d+$/);
    expect(commit.salt).toEqual([]);
    // On chain under TimelockedWeightCommits[netuid][commit epoch], as (who, block, ciphertext, round).
    const stored = (
      await client.query('timelockedWeightCommits', [NETUID, commit.commitEpoch])
    )?.toJSON() as [string, number, string, number][];
    const mine = stored.find(([, block]) => block === commit.commitBlock);
    expect(mine?.[0]).toBe(hotkey.address);
    expect(String(mine?.[3])).toBe(commit.revealRound);
    const { tempo, revealPeriodEpochs } = await client.hyperparameters(NETUID);
    const revealEpochStart = (commit.commitEpoch! + revealPeriodEpochs) * (tempo + 1) - NETUID - 1;
    const row = await until('revealed weights on chain', async () => {
      const m = await client.syncMetagraph(NETUID, { weights: true });
      const r = new Map(m.weights?.[m.hotkeys.indexOf(hotkey.address)] ?? []);
      return r.size > 0 ? { r, block: m.block } : undefined;
    });
    // Applied by the chain, not before the reveal epoch of the commit.
    expect(row.block).toBeGreaterThanOrEqual(revealEpochStart);
    expect(row.r.get(1)).toBe(65535);
    expect(row.r.get(2) ?? 0).toBe(0);
  });
});
