import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldScores, type ScoreEntry } from './ema.js';
import { HISTORY_ROUNDS, ScoreStore } from './score-store.js';

const REDIS_URL = process.env.SUBNETKIT_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('ScoreStore (shared Redis)', () => {
  let redis: Redis;
  const prefix = `test:validator:${randomUUID()}`;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('folds atomically, matches the pure EMA, and never counts a round twice', async () => {
    const store = new ScoreStore(redis, { prefix: `${prefix}:a`, alpha: 0.3 });
    const r1 = [
      { uid: 0, hotkey: 'A', score: 1 },
      { uid: 1, hotkey: 'B', score: 0.5 },
    ];
    const r2 = [
      { uid: 0, hotkey: 'A', score: 0.2 },
      { uid: 1, hotkey: 'B', score: Number.NaN },
    ];
    expect(await store.fold('round-1', r1)).toBe(true);
    expect(await store.fold('round-1', r1)).toBe(false);
    // Concurrent duplicates of the same round: exactly one applies.
    const results = await Promise.all(Array.from({ length: 10 }, () => store.fold('round-2', r2)));
    expect(results.filter(Boolean)).toHaveLength(1);
    let expected = new Map<number, ScoreEntry>();
    expected = foldScores(expected, r1, 0.3);
    expected = foldScores(expected, r2, 0.3);
    const got = await store.read();
    expect(got.get(0)!.score).toBeCloseTo(expected.get(0)!.score, 12);
    expect(got.get(1)!.score).toBeCloseTo(expected.get(1)!.score, 12);
    expect(await store.isApplied('round-2')).toBe(true);
    expect(await store.isApplied('round-3')).toBe(false);
  });

  it('restarts a uid from zero when its hotkey changes', async () => {
    const store = new ScoreStore(redis, { prefix: `${prefix}:b`, alpha: 0.5 });
    await store.fold('round-1', [{ uid: 3, hotkey: 'old', score: 1 }]);
    await store.fold('round-2', [{ uid: 3, hotkey: 'new', score: 0.5 }]);
    expect((await store.read()).get(3)).toEqual({ hotkey: 'new', score: 0.25 });
  });

  it('expires dedup markers after the TTL', async () => {
    const store = new ScoreStore(redis, { prefix: `${prefix}:c`, alpha: 0.5, appliedTtlSeconds: 60 });
    await store.fold('round-9', [{ uid: 0, hotkey: 'A', score: 1 }]);
    const ttl = await redis.ttl(`${prefix}:c:applied:round-9`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('keeps a capped history per uid in the fold: newest first, ending at the current score', async () => {
    const store = new ScoreStore(redis, { prefix: `${prefix}:h`, alpha: 0.1 });
    const rounds = HISTORY_ROUNDS + 6;
    for (let r = 1; r <= rounds; r++) {
      const reward = (r % 10) / 10;
      await store.fold(
        `round-${r}`,
        [{ uid: 2, hotkey: 'M', score: reward, latencyMs: 100 + r + 0.4, outcome: r % 7 ? 'ok' : 'timeout' }],
        { round: r, challengeId: `c${r}` },
      );
    }
    // A duplicate round adds nothing.
    await store.fold(`round-${rounds}`, [{ uid: 2, hotkey: 'M', score: 1 }], {
      round: rounds,
      challengeId: 'x',
    });
    const h = await store.history(2);
    expect(h).toHaveLength(HISTORY_ROUNDS);
    expect(h[0]).toEqual({
      round: rounds,
      challengeId: `c${rounds}`,
      reward: (rounds % 10) / 10,
      latencyMs: 100 + rounds,
      outcome: rounds % 7 ? 'ok' : 'timeout',
      score: (await store.read()).get(2)!.score,
    });
    expect(h.at(-1)!.round).toBe(7);
    // Each entry is the EMA of the one before.
    for (let k = 0; k < h.length - 1; k++) {
      expect(h[k]!.score).toBeCloseTo(0.1 * h[k]!.reward + 0.9 * h[k + 1]!.score, 14);
    }
    expect(await store.foldAlpha()).toBe(0.1);
    // Memory of one full history (docs/validator.md states it).
    const bytes = Number(await redis.call('MEMORY', 'USAGE', `${prefix}:h:history:2`, 'SAMPLES', '0'));
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(6000);
    // A new hotkey on the uid starts a new history; clear() removes it.
    await store.fold('round-999', [{ uid: 2, hotkey: 'N', score: 1 }], { round: 999, challengeId: 'n' });
    expect((await store.history(2)).map((e) => e.round)).toEqual([999]);
    await store.clear();
    expect(await store.history(2)).toEqual([]);
  });
});
