/**
 * A btauth/1 replay store in Redis (and, on the same connection, the legacy v10 nonce store of
 * ./legacy-nonce-store-redis.ts), so several miner processes behind one hotkey share what they
 * have accepted: `SET <prefix><hotkey>:<nonce> 1 NX PX <ttl>` answers OK only for the first sighting.
 * One key per command and no script, so on Redis Cluster the nonces spread over every master.
 */
import type { ReplayStore } from '@subnetkit/core';
import { closeRedis, createRedis, type RedisClient as Redis } from '@subnetkit/redis';
import { RedisLegacyNonceStore, type RedisLegacyNonceStoreOptions } from './legacy-nonce-store-redis.js';

/** Options of {@link RedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** Key prefix (default `subnetkit:replay:`); put the netuid or miner hotkey in it to share one Redis. */
  prefix?: string;
}

/** {@link ReplayStore} backed by Redis (ioredis client owned by the caller). */
export class RedisReplayStore implements ReplayStore {
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisReplayStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'subnetkit:replay:';
  }

  /** @inheritdoc */
  async remember(hotkey: string, nonce: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const reply = await this.redis.set(`${this.prefix}${hotkey}:${nonce}`, '1', 'PX', ttl, 'NX');
    return reply === 'OK';
  }
}

/** A Redis-backed replay store with the connection it owns. */
export interface ConnectedReplayStore {
  store: RedisReplayStore;
  /** Legacy v10 nonces on the same connection (prefix `legacyPrefix`). */
  legacyNonceStore: RedisLegacyNonceStore;
  redis: Redis;
  /** Closes the Redis connection. */
  close(): Promise<void>;
}

/**
 * Connects to Redis at `url` and returns a {@link RedisReplayStore} on it. Fails with a message
 * naming the URL when Redis cannot be reached.
 */
export async function connectRedisReplayStore(
  url: string,
  options: RedisReplayStoreOptions & {
    /** Key prefix of the legacy v10 nonce store (default `subnetkit:legacy-nonce:`). */
    legacyPrefix?: string;
    /** Expiry of legacy v10 nonce keys, see {@link RedisLegacyNonceStoreOptions.ttlMs}. */
    legacyTtlMs?: number;
    /**
     * Connection errors while running (ioredis reconnects by itself; requests meanwhile get 503).
     * Called at most once per 10 s. Default: ignored, since each failed request is logged anyway.
     */
    onError?: (err: Error) => void;
  } = {},
): Promise<ConnectedReplayStore> {
  // Auto-pipelining: the SET NX of every request arriving in the same event-loop tick goes out in
  // one socket write (one per node on a cluster) instead of one write each; in a CPU profile of
  // `subnetkit miner` under load the per-command writes were about a sixth of the miner's own time.
  const redis = createRedis(
    url,
    { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true },
    { enableAutoPipelining: true },
  );
  let lastReport = 0;
  // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt.
  redis.on('error', (err: Error) => {
    const now = Date.now();
    if (now - lastReport < 10_000) return;
    lastReport = now;
    options.onError?.(err);
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${url} (${(err as Error).message}); start it or drop --redis`);
  }
  return {
    store: new RedisReplayStore(redis, options),
    legacyNonceStore: new RedisLegacyNonceStore(redis, {
      ...(options.legacyPrefix === undefined ? {} : { prefix: options.legacyPrefix }),
      ...(options.legacyTtlMs === undefined ? {} : { ttlMs: options.legacyTtlMs }),
    } satisfies RedisLegacyNonceStoreOptions),
    redis,
    close: async () => {
      await closeRedis(redis);
    },
  };
}
