import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adderPlugin, adderResponder } from './testing/adder-plugin.js';
import { claimRoundBlock, roundForTick } from './round-jobs.js';
import { FakeChain } from './testing/fake-chain.js';
import { type FakeAxons, startFakeAxons } from './testing/fake-axons.js';
import { type RunningValidator, startValidator } from './validator.js';

const REDIS_URL = process.env.SUBNETKIT_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const VALIDATOR = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('validator (shared Redis, fake chain, fake axons)', () => {
  let redis: Redis;
  let axons: FakeAxons;
  const running: RunningValidator[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    // uid 0: this validator (no axon); uids 1..3 miners; uid 3 always wrong.
    axons = await startFakeAxons({ count: 3, respond: adderResponder((i) => i !== 2) });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((v) => v.stop()));
  });
  afterAll(async () => {
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
    await axons.close();
  });

  function chain(extra: Partial<ConstructorParameters<typeof FakeChain>[0]> = {}) {
    const c = new FakeChain({
      neurons: [
        { hotkey: VALIDATOR, validatorPermit: true, stake: 10 },
        ...axons.axons.map((axon, i) => ({ hotkey: `miner${i}`, axon })),
      ],
      hyperparameters: { tempo: 10, weightsRateLimit: 5 },
      ...extra,
    });
    c.signer = VALIDATOR;
    return c;
  }

  async function start(
    c: FakeChain,
    prefix: string,
    extra: Partial<Parameters<typeof startValidator>[0]> = {},
  ) {
    const v = await startValidator({
      plugin: adderPlugin,
      netuid: 1,
      hotkey: VALIDATOR,
      sign: () => ({}),
      chain: c,
      redis: REDIS_URL,
      keyPrefix: prefix,
      emaAlpha: 0.5,
      batchSize: 1,
      ...extra,
    });
    running.push(v);
    return v;
  }

  it('gives the plugin its data dir in challenge and reward, created when missing', async () => {
    const prefix = `test:validator:${randomUUID()}`;
    prefixes.push(prefix);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'validator-data-')), 'nested', 'plugin');
    const seen: { challenge?: string; reward?: string } = {};
    const plugin = {
      ...adderPlugin,
      validator: {
        ...adderPlugin.validator,
        challenge: (ctx: Parameters<typeof adderPlugin.validator.challenge>[0]) => {
          seen.challenge = ctx.dataDir;
          return adderPlugin.validator.challenge(ctx);
        },
        reward: (
          round: Parameters<typeof adderPlugin.validator.reward>[0],
          ctx: Parameters<typeof adderPlugin.validator.reward>[1],
        ) => {
          seen.reward = ctx.dataDir;
          return adderPlugin.validator.reward(round, ctx);
        },
      },
    } as typeof adderPlugin;
    try {
      const v = await start(chain(), prefix, { plugin, dataDir, roundIntervalMs: 150 });
      expect(statSync(dataDir).isDirectory()).toBe(true);
      await until('a round folded', () => v.store.isApplied('round-1'));
      expect(seen).toEqual({ challenge: dataDir, reward: dataDir });
    } finally {
      rmSync(dirname(dirname(dataDir)), { recursive: true, force: true });
    }
  });

  it('scores miners every round and sets weights that rank them, once per epoch', async () => {
    const prefix = `test:validator:${randomUUID()}`;
    prefixes.push(prefix);
    const c = chain({ blockTimeMs: 100 });
    const v = await start(c, prefix, {
      roundIntervalMs: 150,
      weightsCheckIntervalMs: 150,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
    });
    await until('rounds 1 to 4 folded', async () => {
      for (let r = 1; r <= 4; r++) if (!(await v.store.isApplied(`round-${r}`))) return undefined;
      return true;
    });
    const scores = await v.store.read();
    expect(scores.get(1)!.score).toBeGreaterThan(0.9);
    expect(scores.get(2)!.score).toBeGreaterThan(0.9);
    expect(scores.get(3)!.score).toBe(0);
    expect(scores.has(0)).toBe(false); // the validator itself is never sampled
    const call = await until('weights with scores', async () => c.calls.find((x) => x.uids.includes(1)));
    expect(call.uids).toEqual([1, 2]);
    expect(call.versionKey).toBe(1);
    // One submission per epoch at most.
    const epochs = c.calls.map((x) => Math.floor((x.block + 2) / 11));
    expect(new Set(epochs).size).toBe(epochs.length);
    const text = await (await fetch(`${v.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/subnetkit_validator_rounds_completed_total\{[^}]*\} [1-9]/);
    expect(text).toMatch(/subnetkit_validator_queries_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/subnetkit_validator_score\{[^}]*uid="1"/);
    expect(text).toMatch(/subnetkit_validator_weights_last_block\{[^}]*\} [1-9]/);
    expect(text).toMatch(
      /subnetkit_validator_queue_jobs\{[^}]*queue="queries"[^}]*state="waiting"[^}]*\} \d/,
    );
    expect(text).toMatch(/subnetkit_validator_queue_lag_seconds\{[^}]*queue="rounds"[^}]*\} [\d.]+/);
    expect(text).toMatch(/subnetkit_validator_query_latency_seconds_bucket\{[^}]*outcome="ok"/);
    const health = await fetch(`${v.metricsUrl}/healthz`);
    expect(health.status).toBe(200);
    const report = (await health.json()) as { lastRoundAgeSeconds: number; weights: { lastBlock?: number } };
    expect(report.lastRoundAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(report.lastRoundAgeSeconds).toBeLessThan(60);
    expect(report.weights.lastBlock).toBeGreaterThan(0);
    expect(text).toMatch(/subnetkit_validator_last_round_folded_timestamp_seconds\{[^}]*\} [1-9]/);
  });

  it('two processes on one Redis share rounds without double scoring', async () => {
    const prefix = `test:validator:${randomUUID()}`;
    prefixes.push(prefix);
    const c = chain();
    const noSchedule = { schedule: { rounds: false, weights: false }, maxPendingRounds: 100 };
    const a = await start(c, prefix, { ...noSchedule, workers: 2 });
    const b = await start(c, prefix, { ...noSchedule, workers: 2 });
    const rounds: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await (i % 2 ? a : b).triggerRound();
      rounds.push(r.round!);
    }
    expect(rounds).toEqual([1, 2, 3, 4, 5, 6]);
    // A tick retried after a crash keeps its round number; a new tick gets the next one.
    expect(await roundForTick(redis, prefix, 'tick-x')).toBe(7);
    expect(await roundForTick(redis, prefix, 'tick-x')).toBe(7);
    await until('all rounds folded', async () => {
      for (const r of rounds) if (!(await a.store.isApplied(`round-${r}`))) return undefined;
      return true;
    });
    const scores = await b.store.read();
    // Six folds of reward 1 with alpha 0.5: 1 - 0.5^6, exactly (each round counted once).
    expect(scores.get(1)!.score).toBeCloseTo(1 - 0.5 ** 6, 12);
    expect(scores.get(3)!.score).toBe(0);
    // Every batch of every round ran exactly once.
    const done = await a.queues.queries.getJobs(['completed'], 0, 100);
    expect(done.length).toBe(18);
  });

  it('signs the next waiting query job ahead while the running one waits for its miners', async () => {
    const prefix = `test:validator:${randomUUID()}`;
    prefixes.push(prefix);
    const slow = await startFakeAxons({ count: 3, delayMs: 150, respond: adderResponder(() => true) });
    try {
      const c = new FakeChain({
        neurons: [
          { hotkey: VALIDATOR, validatorPermit: true },
          ...slow.axons.map((axon, i) => ({ hotkey: `slow${i}`, axon })),
        ],
      });
      const signed: { receiver: string; at: number }[] = [];
      const v = await start(c, prefix, {
        sign: ({ receiver }) => {
          signed.push({ receiver, at: performance.now() });
          return {};
        },
        workers: 1,
        schedule: { rounds: false, weights: false },
      });
      const { round } = await v.triggerRound();
      await until('the round folded', async () => v.store.isApplied(`round-${round}`));
      // One signature per miner: each later job used the one made ahead, none was made twice.
      expect(signed.map((s) => s.receiver).sort()).toEqual(['slow0', 'slow1', 'slow2']);
      // Each job ends >= 150 ms after its request was signed. slow1's request was signed while slow0
      // was still answering (job b1 itself starts only after b0 ended), and slow2's during b1's wait.
      const at = (r: string) => signed.find((s) => s.receiver === r)!.at;
      expect(at('slow1') - at('slow0')).toBeLessThan(150);
      expect(at('slow2') - at('slow0')).toBeLessThan(300);
      // Turned off, each job signs its own requests when it starts.
      signed.length = 0;
      const off = await start(c, `${prefix}:off`, {
        sign: ({ receiver }) => {
          signed.push({ receiver, at: performance.now() });
          return {};
        },
        workers: 1,
        presignAhead: false,
        schedule: { rounds: false, weights: false },
      });
      const second = await off.triggerRound();
      await until('the round folded', async () => off.store.isApplied(`round-${second.round}`));
      expect(signed).toHaveLength(3);
      expect(at('slow1') - at('slow0')).toBeGreaterThanOrEqual(150);
    } finally {
      await Promise.all(running.splice(0).map((x) => x.stop()));
      await slow.close();
    }
  });

  it('starts rounds every N blocks when asked to, whichever process ticks', async () => {
    const prefix = `test:validator:${randomUUID()}`;
    prefixes.push(prefix);
    const c = chain();
    const opts = { schedule: { rounds: false, weights: false }, roundEveryBlocks: 3, maxPendingRounds: 100 };
    const a = await start(c, prefix, opts);
    const b = await start(c, prefix, opts);
    expect(await a.triggerRound()).toEqual({ round: 1 });
    expect(await b.triggerRound()).toEqual({ skipped: 'not_due' });
    c.advance(2);
    expect(await a.triggerRound()).toEqual({ skipped: 'not_due' });
    c.advance(1);
    expect(await b.triggerRound()).toEqual({ round: 2 });
    // A tick retried after a crash keeps the block it claimed.
    expect(await claimRoundBlock(redis, prefix, 'tick-y', 100, 3)).toBe(true);
    expect(await claimRoundBlock(redis, prefix, 'tick-y', 100, 3)).toBe(true);
    expect(await claimRoundBlock(redis, prefix, 'tick-z', 101, 3)).toBe(false);
  });

  it('retries a weight submission while the chain is unreachable', async () => {
    const prefix = `test:validator:${randomUUID()}`;
    prefixes.push(prefix);
    const c = chain();
    const v = await start(c, prefix, {
      schedule: { rounds: false, weights: false },
      weightsBackoffMs: 100,
      weightsAttempts: 20,
    });
    const r = await v.triggerRound();
    await until('round folded', async () => v.store.isApplied(`round-${r.round}`));
    c.advance(20);
    const check = await v.triggerWeightsCheck();
    expect(check.due).toBe(true);
    c.disconnect();
    const job = await until('a failed attempt', async () => {
      const j = await v.queues.weights.getJob(`weights-${check.epoch}`);
      return j && j.attemptsMade >= 2 ? j : undefined;
    });
    expect(c.calls).toHaveLength(0);
    c.reconnect();
    await until('weights set after reconnect', async () => c.calls.length > 0);
    expect(job.id).toBe(`weights-${check.epoch}`);
    expect((await v.weightsState()).lastEpoch).toBe(check.epoch);
    // The same epoch does not submit twice.
    expect((await v.triggerWeightsCheck()).reason).toBe('already_set_this_epoch');
  });
});

describe('validator start-up', () => {
  it('reports a busy metrics port clearly and closes what it opened', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    const c = new FakeChain({ neurons: [{ hotkey: VALIDATOR, validatorPermit: true }] });
    try {
      await expect(
        startValidator({
          plugin: adderPlugin,
          netuid: 1,
          hotkey: VALIDATOR,
          sign: () => ({}),
          chain: c,
          redis: REDIS_URL,
          keyPrefix: `test:validator:${randomUUID()}`,
          schedule: { rounds: false, weights: false },
          metricsPort: port,
          metricsHost: '127.0.0.1',
        }),
      ).rejects.toThrow(new RegExp(`cannot serve metrics on port ${port}`));
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });

  it('rejects a bad option before connecting to anything', async () => {
    const c = new FakeChain({ neurons: [{ hotkey: VALIDATOR, validatorPermit: true }] });
    await expect(
      startValidator({
        plugin: adderPlugin,
        netuid: 1,
        hotkey: VALIDATOR,
        sign: () => ({}),
        chain: c,
        redis: REDIS_URL,
        batchSize: 0,
      }),
    ).rejects.toThrow(/batchSize=0 is invalid/);
  });

  it('refuses to start for a hotkey that is not registered', async () => {
    const c = new FakeChain({ neurons: [{ hotkey: 'someone-else' }] });
    await expect(
      startValidator({
        plugin: adderPlugin,
        netuid: 1,
        hotkey: VALIDATOR,
        sign: () => ({}),
        chain: c,
        redis: REDIS_URL,
      }),
    ).rejects.toThrow(
      /is not registered on netuid 1; register it first \(subnetkit subnet register --netuid 1/,
    );
  });
});
