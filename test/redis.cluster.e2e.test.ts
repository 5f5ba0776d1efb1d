/**
 * The validator and the miner's replay store on a real three-master Redis Cluster started by this
 * test on loopback (test/redis-cluster.ts), and the validator through Redis Sentinel. The validator's
 * keys and BullMQ queues share one slot (the hash-tagged default prefix); a SIGKILL and restart of
 * the master owning that slot mid-round (append-only file, `appendfsync always`) must lose nothing:
 * every round numbered before the kill is folded exactly once, so the honest miners' EMA is exactly
 * 1 - (1 - alpha)^R after R folded rounds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedisReplayStore } from '@subnetkit/miner';
import { closeRedis, createRedis } from '@subnetkit/redis';
import { type RunningValidator, ScoreStore, startValidator } from '@subnetkit/validator';
import {
  adderPlugin,
  adderResponder,
  FakeChain,
  type FakeAxons,
  startFakeAxons,
} from '@subnetkit/validator/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, until } from './helpers.js';
import { PrivateRedis } from './private-redis.js';
import { RedisCluster } from './redis-cluster.js';

const VALIDATOR = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const ALPHA = 0.3;

function fakeChain(axons: FakeAxons): FakeChain {
  const c = new FakeChain({
    neurons: [
      { hotkey: VALIDATOR, validatorPermit: true, stake: 10 },
      ...axons.axons.map((axon, i) => ({ hotkey: `miner${i}`, axon })),
    ],
    hyperparameters: { tempo: 10, weightsRateLimit: 5 },
    blockTimeMs: 100,
  });
  c.signer = VALIDATOR;
  return c;
}

/** Rounds 1..n not folded yet; fails (instead of hanging) when Redis does not answer within 10 s. */
async function appliedUpTo(v: { store: ScoreStore }, n: number): Promise<number[]> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Redis did not answer EXISTS within 10 s')), 10_000);
  });
  try {
    const missing: number[] = [];
    for (let r = 1; r <= n; r++) {
      if (!(await Promise.race([v.store.isApplied(`round-${r}`), stuck]))) missing.push(r);
    }
    return missing;
  } finally {
    clearTimeout(timer);
  }
}

describe('Redis Cluster and Sentinel', () => {
  const cluster = new RedisCluster();
  let axons: FakeAxons;

  beforeAll(async () => {
    await cluster.start(3);
    // uid 0: the validator; uids 1, 2 honest, uid 3 always wrong. Slow enough that rounds overlap a kill.
    axons = await startFakeAxons({ count: 3, respond: adderResponder((i) => i !== 2), delayMs: 150 });
  }, 60_000);
  afterAll(async () => {
    await axons?.close();
    await cluster.stop();
  });

  it('runs rounds, folds and weight jobs, and a master restart mid-round loses nothing', async () => {
    const c = fakeChain(axons);
    const v = await startValidator({
      plugin: adderPlugin,
      netuid: 1,
      hotkey: VALIDATOR,
      sign: () => ({}),
      chain: c,
      redis: cluster.url,
      emaAlpha: ALPHA,
      batchSize: 1,
      roundIntervalMs: 200,
      weightsCheckIntervalMs: 200,
      lockDurationMs: 4_000,
      redisOptions: { retryStrategy: () => 100 },
    });
    // The test reads on its own cluster connection, so it sees what the validator wrote, not its client.
    const check = createRedis(cluster.seedUrls);
    const store = new ScoreStore(check, { prefix: v.keyPrefix, alpha: ALPHA });
    try {
      expect(v.keyPrefix).toBe(`subnetkit:validator:{1:${VALIDATOR}}`);
      await until('rounds 1 to 3 folded', async () => (await appliedUpTo({ store }, 3)).length === 0, 30_000);
      await until('weights set from the cluster', async () => c.calls.find((x) => x.uids.includes(1)));
      // Kill the master holding the validator's slot while a round is in flight.
      const master = await cluster.masterOf(`${v.keyPrefix}:round`);
      const numbered = await until('a round in flight', async () => {
        const n = Number(await check.get(`${v.keyPrefix}:round`));
        return (await appliedUpTo({ store }, n)).length > 0 ? n : undefined;
      });
      await cluster.restart(master);
      await until(
        `rounds 1 to ${numbered + 3} folded after the restart`,
        async () => (await appliedUpTo({ store }, numbered + 3)).length === 0,
        60_000,
      );
      await v.stop();
      const last = Number(await check.get(`${v.keyPrefix}:round`));
      const missing = await appliedUpTo({ store }, last);
      // Only rounds still in flight at stop() may be unfolded; none from before the kill.
      expect(missing.every((r) => r > numbered + 3)).toBe(true);
      const folded = last - missing.length;
      const scores = await store.read();
      expect(scores.get(1)?.score).toBeCloseTo(1 - (1 - ALPHA) ** folded, 9);
      expect(scores.get(2)?.score).toBeCloseTo(1 - (1 - ALPHA) ** folded, 9);
      expect(scores.get(3)?.score).toBe(0);
      expect((await store.history(1)).length).toBe(Math.min(folded, store.historyRounds));
      const weights = c.calls.filter((x) => x.uids.includes(1));
      expect(weights[weights.length - 1]?.uids).toEqual([1, 2]);
    } finally {
      await v.stop();
      await closeRedis(check);
    }
  }, 150_000);

  it('refuses a custom key prefix without a hash tag on a cluster, naming the fix', async () => {
    await expect(
      startValidator({
        plugin: adderPlugin,
        netuid: 1,
        hotkey: VALIDATOR,
        sign: () => ({}),
        chain: fakeChain(axons),
        redis: cluster.url,
        keyPrefix: 'mine:1',
        requireRegistration: false,
      }),
    ).rejects.toThrow(/"mine:1" has no hash tag.*write it as "\{mine:1\}"/);
  });

  it('shares the btauth/1 replay store and legacy nonces over the masters', async () => {
    const prefix = 'test:cluster:replay:';
    const a = await connectRedisReplayStore(cluster.seedUrls, {
      prefix,
      legacyPrefix: 'test:cluster:legacy:',
    });
    const b = await connectRedisReplayStore(cluster.url, { prefix, legacyPrefix: 'test:cluster:legacy:' });
    try {
      const nonces = Array.from({ length: 40 }, (_, i) => `n${i}`);
      for (const n of nonces) {
        expect(await a.store.remember('5Hot', n, 60_000)).toBe(true);
        expect(await b.store.remember('5Hot', n, 60_000)).toBe(false);
      }
      // One key per nonce and no script: the nonces spread over the masters.
      const owners = new Set(await Promise.all(nonces.map((n) => cluster.masterOf(`${prefix}5Hot:${n}`))));
      expect(owners.size).toBeGreaterThan(1);
      const now = BigInt(Date.now()) * 1_000_000n;
      expect(await a.legacyNonceStore.advance('5Val:u1', now, now - 10n)).toBe('accepted');
      expect(await b.legacyNonceStore.advance('5Val:u1', now, now - 10n)).toBe('not-increasing');
      expect(await b.legacyNonceStore.advance('5Val:u1', now + 1n, undefined)).toBe('accepted');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('runs a validator through Sentinel', async () => {
    const master = new PrivateRedis(await freePort());
    const sentinelPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'subnetkit-sentinel-'));
    let sentinel: ChildProcess | undefined;
    let v: RunningValidator | undefined;
    try {
      await master.start();
      const conf = join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${sentinelPort}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor subnetkit 127.0.0.1 ${master.port} 1`,
          '',
        ].join('\n'),
      );
      sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
      await until('the sentinel to report its master', async () => {
        const probe = new Redis(sentinelPort, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
        probe.on('error', () => {});
        try {
          await probe.connect();
          const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', 'subnetkit')) as
            | string[]
            | null;
          return addr?.[1] === String(master.port);
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      });
      const c = fakeChain(axons);
      v = await startValidator({
        plugin: adderPlugin,
        netuid: 1,
        hotkey: VALIDATOR,
        sign: () => ({}),
        chain: c,
        redis: `redis+sentinel://127.0.0.1:${sentinelPort}/subnetkit`,
        emaAlpha: ALPHA,
        batchSize: 1,
        roundIntervalMs: 200,
        weightsCheckIntervalMs: 200,
      });
      const running = v;
      await until(
        'rounds 1 to 2 folded through Sentinel',
        async () => (await appliedUpTo(running, 2)).length === 0,
      );
      const direct = new Redis(master.url);
      expect(await direct.exists(`${v.keyPrefix}:scores`)).toBe(1);
      direct.disconnect();
    } finally {
      await v?.stop();
      if (sentinel && sentinel.exitCode === null) {
        const exited = new Promise((r) => sentinel?.once('exit', r));
        sentinel.kill('SIGKILL');
        await exited;
      }
      await master.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
