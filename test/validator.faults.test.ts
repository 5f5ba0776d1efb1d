/**
 * Validator fault tests with real parts: a private redis-server each test can kill, the devnet over
 * WebSocket, and validator processes killed with SIGKILL. Miners are local fake axons (the adder task:
 * two honest, one always wrong) registered in the devnet genesis with their axon addresses.
 *
 * The EMA invariant checked after each fault: with reward 1 every round, an honest miner's score is
 * exactly 1 - (1 - alpha)^R where R is the number of rounds folded, so a round counted twice (or a
 * fold applied without its marker) would show.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { btauthSigner, ScoreStore, startValidator, subtensorValidatorChain } from '@subnetkit/validator';
import { adderPlugin, adderResponder, type FakeAxons, startFakeAxons } from '@subnetkit/validator/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, until } from './helpers.js';
import { PrivateRedis } from './private-redis.js';
import {
  appliedRounds,
  type ChildConfig,
  faultSubnetGenesis,
  kill9,
  spawnValidator,
  untilValidatorPermit,
} from './validator-processes.js';

const NETUID = 1;
const ALPHA = 0.3;
const VALIDATOR_URI = '//Alice//validator';

/** Weights the validator has on chain, as a map uid -> u16 value. */
async function weightsOnChain(
  client: SubtensorClient,
  validatorAddress: string,
): Promise<Map<number, number>> {
  const m = await client.syncMetagraph(NETUID, { weights: true });
  const uid = m.hotkeys.indexOf(validatorAddress);
  return new Map(m.weights?.[uid] ?? []);
}

function ranksHonestAboveFaulty(w: Map<number, number>): boolean {
  // uids: 0 validator, 1 and 2 honest, 3 faulty.
  return (w.get(1) ?? 0) > (w.get(3) ?? 0) && (w.get(2) ?? 0) > (w.get(3) ?? 0);
}

describe('validator faults (private Redis, devnet, SIGKILL)', () => {
  let axons: FakeAxons;
  let axonDelayMs = 0;
  let devnet: Devnet;
  let client: SubtensorClient;
  let validatorAddress: string;
  const children: ChildProcess[] = [];
  const redises: PrivateRedis[] = [];

  beforeAll(async () => {
    await cryptoWaitReady();
    validatorAddress = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(VALIDATOR_URI).address;
    axons = await startFakeAxons({
      count: 3,
      delayMs: () => axonDelayMs,
      respond: adderResponder((i) => i !== 2),
    });
    devnet = await startDevnet({
      port: 0,
      blockTime: 200,
      genesis: faultSubnetGenesis(NETUID, VALIDATOR_URI, axons.axons),
    });
    client = await connect(devnet.url);
    await untilValidatorPermit(client, NETUID, validatorAddress);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(children.map(kill9));
    await Promise.all(redises.map((r) => r.kill()));
    await client?.close();
    await devnet?.stop();
    await axons?.close();
  });

  async function privateRedis(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    redises.push(r);
    await r.start();
    return r;
  }

  it('kill -9 mid-round: the round is retried on restart, nothing is lost or counted twice, weights still land', async () => {
    const redisServer = await privateRedis();
    const redis = new Redis(redisServer.url);
    const prefix = `test:faults:${randomUUID()}`;
    const cfg: ChildConfig = {
      redis: redisServer.url,
      prefix,
      chainUrl: devnet.url,
      netuid: NETUID,
      uri: VALIDATOR_URI,
      alpha: ALPHA,
      roundIntervalMs: 700,
      weightsCheckIntervalMs: 300,
      lockDurationMs: 2_000,
      stalledIntervalMs: 1_000,
    };
    try {
      // Miners answer slowly, so the first round is still querying when the process dies.
      axonDelayMs = 1_500;
      const hitsBefore = axons.hits.reduce((a, b) => a + b, 0);
      const first = await spawnValidator(cfg);
      children.push(first);
      await until(
        'the first round to reach the miners',
        async () => axons.hits.reduce((a, b) => a + b, 0) > hitsBefore,
      );
      await kill9(first);
      expect(await redis.exists(`${prefix}:applied:round-1`)).toBe(0);
      const queued = await redis.exists(`${prefix}:bull:rounds:round-1`);
      expect(queued).toBe(1); // the round's parent job survived the crash in Redis

      axonDelayMs = 0;
      // Two processes come back and share the work from here on.
      const second = await spawnValidator(cfg);
      const third = await spawnValidator(cfg);
      children.push(second, third);
      await until(
        'the interrupted round to be folded',
        async () => (await redis.exists(`${prefix}:applied:round-1`)) === 1,
      );
      await until('a few more rounds', async () => (await appliedRounds(redis, prefix)) >= 6);
      const weights = await until('weights on chain after the restart', async () => {
        const w = await weightsOnChain(client, validatorAddress);
        return w.size > 0 && ranksHonestAboveFaulty(w) ? w : undefined;
      });
      expect(weights.get(3) ?? 0).toBe(0);
      // Freeze the state: a clean stop finishes folds in flight.
      await Promise.all(
        [second, third].map((c) => {
          const exited = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          return exited;
        }),
      );
      // Which process ran which job is up to BullMQ; what must hold is the EMA invariant below.

      const rounds = await appliedRounds(redis, prefix);
      const scores = await new ScoreStore(redis, { prefix, alpha: ALPHA }).read();
      expect(scores.get(1)!.score).toBeCloseTo(1 - (1 - ALPHA) ** rounds, 12);
      expect(scores.get(2)!.score).toBeCloseTo(1 - (1 - ALPHA) ** rounds, 12);
      expect(scores.get(3)!.score).toBe(0);
    } finally {
      await redis.quit();
      await redisServer.kill();
    }
  });

  it('Redis restart: the validator reconnects and keeps scoring and setting weights', async () => {
    const redisServer = await privateRedis();
    const prefix = `test:faults:${randomUUID()}`;
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const hotkey = keyring.addFromUri(VALIDATOR_URI);
    const v = await startValidator({
      plugin: adderPlugin,
      netuid: NETUID,
      hotkey: hotkey.address,
      sign: btauthSigner(hotkey),
      chain: subtensorValidatorChain(client, hotkey),
      redis: redisServer.url,
      redisOptions: { retryStrategy: () => 100 },
      keyPrefix: prefix,
      emaAlpha: ALPHA,
      roundIntervalMs: 400,
      weightsCheckIntervalMs: 300,
      weightsBackoffMs: 200,
      batchSize: 1,
      resyncBlocks: 5,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
    });
    const redis = new Redis(redisServer.url, { retryStrategy: () => 100 });
    redis.on('error', () => {});
    try {
      await until('two rounds folded', async () => (await redis.exists(`${prefix}:applied:round-2`)) === 1);
      await redisServer.kill();
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await fetch(`${v.metricsUrl}/healthz`)).status).toBe(503);
      // Same port, empty data set (no persistence): schedulers and rounds must come back on their own.
      await redisServer.start();
      await until(
        'rounds folded again after the restart',
        async () => (await redis.exists(`${prefix}:applied:round-2`)) === 1,
      );
      await until('weights set again after the restart', async () => (await v.weightsState()).lastBlock);
      expect((await fetch(`${v.metricsUrl}/healthz`)).status).toBe(200);
      const rounds = await appliedRounds(redis, prefix);
      const scores = await v.store.read();
      // Folds may still be landing: the honest score matches R or R+1 applied rounds, never more.
      const expected = [rounds, rounds + 1].map((r) => 1 - (1 - ALPHA) ** r);
      expect(expected.some((e) => Math.abs(scores.get(1)!.score - e) < 1e-12)).toBe(true);
    } finally {
      await v.stop();
      await redis.quit().catch(() => redis.disconnect());
      await redisServer.kill();
    }
  });
});
