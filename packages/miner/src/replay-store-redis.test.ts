import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisReplayStore } from './replay-store-redis.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisReplayStore (shared Redis)', () => {
  let redis: Redis;
  const prefix = `test:miner:replay:${randomUUID()}:`;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('accepts a (hotkey, nonce) once, across store instances, with a TTL', async () => {
    const a = new RedisReplayStore(redis, { prefix });
    const b = new RedisReplayStore(redis, { prefix });
    expect(await a.remember('5Hot', '1000', 10_000)).toBe(true);
    expect(await b.remember('5Hot', '1000', 10_000)).toBe(false);
    expect(await b.remember('5Hot', '1001', 10_000)).toBe(true);
    expect(await a.remember('5Other', '1000', 10_000)).toBe(true);
    const ttl = await redis.pttl(`${prefix}5Hot:1000`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('forgets a pair once its TTL passed', async () => {
    const store = new RedisReplayStore(redis, { prefix });
    expect(await store.remember('5Hot', '2000', 30)).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(await store.remember('5Hot', '2000', 30)).toBe(true);
  });
});
