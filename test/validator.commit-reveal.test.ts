/**
 * Commit-reveal on the devnet: with CommitRevealWeightsEnabled the validator commits its weights
 * (salt kept in Redis through RedisCommitStore), and a later weights check, possibly in another
 * process, reveals them in the reveal epoch; the weights then appear on chain.
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

describe('validator with commit-reveal weights (devnet)', () => {
  let axons: FakeAxons;
  let devnet: Devnet;
  let client: SubtensorClient;
  let redis: Redis;
  let validator: RunningValidator;
  const prefix = `test:e2e:validator-cr:${randomUUID()}`;
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

  beforeAll(async () => {
    await cryptoWaitReady();
    axons = await startFakeAxons({ count: 2, respond: adderResponder((i) => i === 0) });
    devnet = await startDevnet({
      port: 0,
      blockTime: 200,
      logger: pino({ level: 'silent' }),
      genesis: {
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
              ...axons.axons.map((a, i) => ({ hotkey: `//Cr//miner${i}`, coldkey: 'bob', axon: a })),
            ],
          },
        ],
      },
    });
    redis = new Redis(REDIS_URL);
    // v2 hash commits (salted, revealed by the validator); validator.timelock.test.ts covers CR v4.
    client = await connect(devnet.url, {
      commitStore: new RedisCommitStore(redis, prefix),
      commitMode: 'v2',
    });
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

  it('commits, then reveals in the reveal epoch; the weights land on chain', async () => {
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
    const commit = await until('a commit with its salt in Redis', async () => {
      const pending = await new RedisCommitStore(redis, prefix).load(hotkey.address, NETUID);
      return pending.find((c) => c.uids.includes(1));
    });
    expect(commit.salt.length).toBeGreaterThan(0);
    // The submission is recorded once the commit is included.
    await until(
      'the commit recorded as the last submission',
      async () => (await validator.weightsState()).lastResult === 'commit',
    );
    const row = await until('revealed weights on chain', async () => {
      const m = await client.syncMetagraph(NETUID, { weights: true });
      const r = new Map(m.weights?.[m.hotkeys.indexOf(hotkey.address)] ?? []);
      return r.size > 0 ? r : undefined;
    });
    expect(row.get(1)).toBe(65535);
    expect(row.get(2) ?? 0).toBe(0);
  });
});
