import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { defineSubnet } from '@subnetkit/core';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DendriteResponse } from './dendrite.js';
import { createValidatorMetrics } from './metrics.js';
import { fromJobValue, processTick, type RoundContext, toJobValue } from './round-jobs.js';

describe('query job values', () => {
  it('carry artifact bytes through JSON and leave JSON answers as they are', () => {
    const bytes = new Uint8Array([0, 255, 7, 128]);
    const artifact: DendriteResponse = {
      uid: 1,
      hotkey: 'h',
      outcome: 'ok',
      latencyMs: 3,
      attempts: 1,
      response: bytes.subarray(1),
      artifact: { bytes: 3 },
    };
    const back = fromJobValue(JSON.parse(JSON.stringify(toJobValue(artifact))));
    expect(back.response).toBeInstanceOf(Uint8Array);
    expect([...(back.response as Uint8Array)]).toEqual([255, 7, 128]);
    const json: DendriteResponse = {
      uid: 2,
      hotkey: 'g',
      outcome: 'ok',
      latencyMs: 1,
      attempts: 1,
      response: 'text',
    };
    expect(fromJobValue(JSON.parse(JSON.stringify(toJobValue(json))))).toEqual(json);
  });
});

describe('processTick: a plugin that has nothing due', () => {
  const REDIS_URL = process.env.SUBNETKIT_TEST_REDIS ?? 'redis://127.0.0.1:6379';
  let redis: Redis;
  const prefix = `test:validator:skip:${randomUUID()}`;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('queries nobody when challenge returns null, counts no_challenge and keeps the round number', async () => {
    const registry = new Registry();
    const metrics = createValidatorMetrics(registry);
    let due = false;
    const rounds: number[] = [];
    const plugin = defineSubnet({
      name: 'skips',
      versionKey: 1,
      synapses: { Ping: { request: Type.Object({ n: Type.Integer() }), response: Type.Object({}) } },
      miner: { setup: () => null, forward: { Ping: () => ({}) } },
      validator: {
        challenge: ({ round }) => {
          rounds.push(round);
          return due ? { synapse: 'Ping', request: { n: round }, truth: null } : null;
        },
        reward: (r) => r.responses.map(() => 0),
      },
    });
    const added: unknown[] = [];
    const metagraph = {
      hotkeys: ['val', 'm1'],
      axons: [
        { ip: '0.0.0.0', port: 0 },
        { ip: '127.0.0.1', port: 9 },
      ],
      stake: [1000, 0],
      validatorPermit: [true, false],
      n: 2,
      block: 1,
    };
    const ctx = {
      plugin,
      netuid: 1,
      hotkey: 'val',
      redis,
      keyPrefix: prefix,
      metrics,
      log: pino({ level: 'silent' }),
      queues: { rounds: { getWaitingChildrenCount: async () => 0 } },
      flow: { add: async (f: unknown) => added.push(f) },
      metagraph: { get: async () => ({ metagraph }) },
      sampleSize: 10,
      batchSize: 4,
      queryTimeoutMs: 1000,
      maxPendingRounds: 10,
      roundEveryBlocks: 0,
      currentBlock: async () => 1,
      vpermitTaoLimit: 1000,
    } as unknown as RoundContext;
    const job = (id: string) => ({ id, name: 'tick', timestamp: 0 }) as unknown as Job;
    expect(await processTick(ctx, job('t1'))).toEqual({ skipped: 'no_challenge' });
    expect(await processTick(ctx, job('t2'))).toEqual({ skipped: 'no_challenge' });
    expect(added).toHaveLength(0);
    const skipped = await registry.getSingleMetric('subnetkit_validator_rounds_skipped_total')!.get();
    expect(skipped.values.find((v) => v.labels.reason === 'no_challenge')?.value).toBe(2);
    due = true;
    expect(await processTick(ctx, job('t3'))).toEqual({ round: 1 });
    expect(added).toHaveLength(1);
    expect(rounds).toEqual([1, 1, 1]);
  });
});
