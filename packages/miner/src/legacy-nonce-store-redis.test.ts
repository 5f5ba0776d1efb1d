import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLegacyNonceStore } from './legacy-nonce-store-redis.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOW_NS = BigInt(Date.now()) * 1_000_000n;

describe('RedisLegacyNonceStore (shared Redis)', () => {
  let redis: Redis;
  let other: Redis;
  const prefix = `test:miner:legacy-nonce:${randomUUID()}:`;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    other = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('needs a fresh first nonce, then strictly increasing ones, across connections', async () => {
    const a = new RedisLegacyNonceStore(redis, { prefix });
    const b = new RedisLegacyNonceStore(other, { prefix });
    const floor = NOW_NS - 10_000_000_000n;
    expect(await a.advance('5Val:u1', floor - 1n, floor)).toBe('too-old-first');
    expect(await a.advance('5Val:u1', floor, floor)).toBe('too-old-first');
    expect(await a.advance('5Val:u1', NOW_NS, floor)).toBe('accepted');
    expect(await b.advance('5Val:u1', NOW_NS, floor)).toBe('not-increasing');
    expect(await b.advance('5Val:u1', NOW_NS - 1n, undefined)).toBe('not-increasing');
    expect(await b.advance('5Val:u1', NOW_NS + 1n, floor)).toBe('accepted');
    expect(await a.advance('5Val:u1', NOW_NS + 1n, floor)).toBe('not-increasing');
    // Another endpoint key is independent; no floor accepts any first nonce.
    expect(await a.advance('5Val:u2', 5n, undefined)).toBe('accepted');
    expect(await redis.get(`${prefix}{5Val:u1}`)).toBe((NOW_NS + 1n).toString());
  });

  it('compares nonces above 2^53 exactly, also across digit counts', async () => {
    const store = new RedisLegacyNonceStore(redis, { prefix });
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a double would round it to 2^53
    expect(await store.advance('exact', big, undefined)).toBe('accepted');
    expect(await store.advance('exact', big - 1n, undefined)).toBe('not-increasing');
    expect(await store.advance('exact', big + 1n, undefined)).toBe('accepted');
    expect(await store.advance('digits', 999n, undefined)).toBe('accepted');
    expect(await store.advance('digits', 1000n, undefined)).toBe('accepted');
    expect(await store.advance('digits', 99n, undefined)).toBe('not-increasing');
  });

  it('accepts exactly one of many concurrent advances with the same nonce', async () => {
    const stores = [
      new RedisLegacyNonceStore(redis, { prefix }),
      new RedisLegacyNonceStore(other, { prefix }),
    ];
    const verdicts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => stores[i % 2]!.advance('race', NOW_NS, NOW_NS - 1n)),
    );
    expect(verdicts.filter((v) => v === 'accepted')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'not-increasing')).toHaveLength(39);
  });

  it('expires a key after its TTL, extended by how far the nonce lies ahead', async () => {
    const store = new RedisLegacyNonceStore(redis, { prefix, ttlMs: 60_000 });
    await store.advance('ttl-now', NOW_NS, undefined);
    const ttl = await redis.pttl(`${prefix}{ttl-now}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await store.advance('ttl-ahead', NOW_NS + 3_600_000_000_000n, undefined);
    expect(await redis.pttl(`${prefix}{ttl-ahead}`)).toBeGreaterThan(3_600_000);
    expect(() => new RedisLegacyNonceStore(redis, { ttlMs: 0 })).toThrow(/positive integer/);
  });
});
