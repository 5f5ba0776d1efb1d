import { describe, expect, it } from 'vitest';
import { MemoryReplayStore } from './replay-store.js';

describe('MemoryReplayStore', () => {
  it('says true the first time and false for a replay within the TTL', async () => {
    let now = 1_000;
    const store = new MemoryReplayStore({ now: () => now });
    expect(await store.remember('alice', '1', 100)).toBe(true);
    expect(await store.remember('alice', '1', 100)).toBe(false);
    expect(await store.remember('alice', '2', 100)).toBe(true);
    expect(await store.remember('bob', '1', 100)).toBe(true);
    now += 99;
    expect(await store.remember('alice', '1', 100)).toBe(false);
  });

  it('forgets pairs once they expire and sweeps them', async () => {
    let now = 0;
    const store = new MemoryReplayStore({ now: () => now });
    for (let i = 0; i < 10; i++) await store.remember('alice', String(i), 50);
    expect(store.size).toBe(10);
    now = 50;
    expect(await store.remember('alice', '0', 50)).toBe(true);
    expect(store.size).toBe(1);
  });

  it('stays within maxEntries, dropping the oldest pair', async () => {
    const store = new MemoryReplayStore({ maxEntries: 3, now: () => 0 });
    for (const nonce of ['1', '2', '3', '4']) expect(await store.remember('alice', nonce, 10_000)).toBe(true);
    expect(store.size).toBe(3);
    expect(store.rememberSync('alice', '4', 10_000)).toBe(false);
    expect(store.rememberSync('alice', '1', 10_000)).toBe(true); // evicted, so seen as new
  });

  it('does not confuse hotkey and nonce boundaries', async () => {
    const store = new MemoryReplayStore();
    expect(await store.remember('a', '12', 1_000)).toBe(true);
    expect(await store.remember('a1', '2', 1_000)).toBe(true);
  });

  it('rejects a nonsensical bound', () => {
    expect(() => new MemoryReplayStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});
