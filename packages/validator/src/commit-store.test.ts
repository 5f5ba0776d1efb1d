import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCommitStore } from './commit-store.js';

const REDIS_URL = process.env.SUBNETKIT_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('RedisCommitStore', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `test:validator:${randomUUID()}`;
  afterAll(async () => {
    await redis.del(`${prefix}:commits`);
    await redis.quit();
  });

  it('saves, lists per hotkey and netuid oldest first, and deletes', async () => {
    const store = new RedisCommitStore(redis, prefix);
    const base = { uids: [1], values: [65535], salt: [1, 2], versionKey: '1' };
    const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
    await store.save({ ...base, netuid: 1, hotkey: 'A', commitHash: hash(2), commitBlock: 20 });
    await store.save({ ...base, netuid: 1, hotkey: 'A', commitHash: hash(1), commitBlock: 10 });
    await store.save({ ...base, netuid: 2, hotkey: 'A', commitHash: hash(3), commitBlock: 5 });
    await store.save({ ...base, netuid: 1, hotkey: 'B', commitHash: hash(4), commitBlock: 5 });
    // A second store on the same keys (another process) sees the same commits.
    const other = new RedisCommitStore(redis, prefix);
    expect((await other.load('A', 1)).map((c) => c.commitBlock)).toEqual([10, 20]);
    await other.delete(hash(1).toUpperCase().replace('0X', '0x'));
    expect((await store.load('A', 1)).map((c) => c.commitHash)).toEqual([hash(2)]);
    expect(await store.load('C', 1)).toEqual([]);
  });
});
