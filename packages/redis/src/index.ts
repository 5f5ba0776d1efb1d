/**
 * @subnetkit/redis: the one place that turns a `--redis` URL into an ioredis client, so the
 * validator, the miner and the CLI reach a single Redis, a Redis Cluster or a Sentinel-managed
 * master the same way; and the hash-tag rule that keeps each Lua script and each BullMQ queue on
 * one cluster slot.
 *
 * Accepted URLs (see docs/operating.md):
 * - `redis://[user:pass@]host:port[/db]`, `rediss://…`: one server (TLS with `rediss`).
 * - `redis+cluster://[user:pass@]host:port[,host:port…]`: Redis Cluster, seeds (`rediss+cluster` for TLS).
 * - `redis://host:port,redis://host:port[,…]`: Redis Cluster, several seed URLs.
 * - `redis+sentinel://[user:pass@]host:port[,host:port…]/<masterName>[/db]`: the master named
 *   `masterName` as the sentinels report it (`rediss+sentinel` for TLS); the password is the master's.
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A client of any of the three deployments; both classes share the command API. */
export type RedisClient = Redis | Cluster;

/** A `host:port` pair. */
export interface RedisNode {
  host: string;
  port: number;
}

/** What a `--redis` URL names. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; seeds: RedisNode[]; username?: string; password?: string; tls: boolean }
  | {
      kind: 'sentinel';
      sentinels: RedisNode[];
      masterName: string;
      username?: string;
      password?: string;
      db?: number;
      tls: boolean;
    };

const FORMS =
  'redis://host:port, redis+cluster://host:port,host:port, redis://host:port,redis://host:port, or redis+sentinel://host:port[,host:port]/<masterName>';

function bad(url: string, why: string): Error {
  return new Error(`--redis ${url}: ${why}; use one of ${FORMS} (docs/operating.md, "Redis")`);
}

function parseNodes(url: string, list: string, defaultPort: number): RedisNode[] {
  return list.split(',').map((part) => {
    const m = /^(\[[^\]]+\]|[^:,]+)(?::(\d+))?$/.exec(part.trim());
    if (!m?.[1]) throw bad(url, `"${part}" is not host:port`);
    const port = m[2] === undefined ? defaultPort : Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(url, `port in "${part}" out of range`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
  });
}

function userInfo(raw: string | undefined): { username?: string; password?: string } {
  if (raw === undefined) return {};
  const i = raw.indexOf(':');
  const username = decodeURIComponent(i < 0 ? raw : raw.slice(0, i));
  const password = i < 0 ? undefined : decodeURIComponent(raw.slice(i + 1));
  return {
    ...(username === '' ? {} : { username }),
    ...(password === undefined || password === '' ? {} : { password }),
  };
}

/** Parse a `--redis` URL (pure; throws an error naming the accepted forms). */
export function parseRedisUrl(url: string): RedisTarget {
  const trimmed = url.trim();
  const multi = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/?]+)(?:\/([^?]*))?$/.exec(trimmed);
  if (multi) {
    const [, scheme, kind, auth, hosts, path] = multi as unknown as [
      string,
      string,
      string,
      string | undefined,
      string,
      string | undefined,
    ];
    const tls = scheme === 'rediss';
    const nodes = parseNodes(url, hosts, kind === 'cluster' ? 6379 : 26379);
    if (kind === 'cluster') {
      if (path) throw bad(url, 'a cluster URL has no path (Redis Cluster has only database 0)');
      return { kind: 'cluster', seeds: nodes, tls, ...userInfo(auth) };
    }
    const [masterName, dbRaw, ...rest] = (path ?? '').split('/');
    if (!masterName) throw bad(url, 'the sentinel URL names no master (…/<masterName>)');
    if (rest.length > 0 || (dbRaw !== undefined && dbRaw !== '' && !/^\d+$/.test(dbRaw))) {
      throw bad(url, 'the path after the master name must be a database number');
    }
    return {
      kind: 'sentinel',
      sentinels: nodes,
      masterName: decodeURIComponent(masterName),
      tls,
      ...userInfo(auth),
      ...(dbRaw ? { db: Number(dbRaw) } : {}),
    };
  }
  const parts = trimmed.split(',');
  if (parts.length > 1) {
    const seeds: RedisNode[] = [];
    let auth: { username?: string; password?: string } = {};
    let tls = false;
    for (const p of parts) {
      const m = /^(rediss?):\/\/(?:([^@/]*)@)?([^/?,]+)\/?$/.exec(p.trim());
      if (!m) throw bad(url, `cluster seed "${p}" is not redis://host:port`);
      tls = tls || m[1] === 'rediss';
      if (m[2] !== undefined) auth = userInfo(m[2]);
      seeds.push(...parseNodes(url, m[3] as string, 6379));
    }
    return { kind: 'cluster', seeds, tls, ...auth };
  }
  if (!/^rediss?:\/\//.test(trimmed)) throw bad(url, 'unknown scheme');
  return { kind: 'single', url: trimmed };
}

/**
 * Connect to what `url` names (see {@link parseRedisUrl}). `options` apply to every server
 * connection (for a cluster, as its `redisOptions`); `clusterOptions` only to a cluster.
 */
export function createRedis(
  url: string,
  options: RedisOptions = {},
  clusterOptions: Omit<ClusterOptions, 'redisOptions'> = {},
): RedisClient {
  const target = parseRedisUrl(url);
  const auth = (t: { username?: string; password?: string }) => ({
    ...(t.username === undefined ? {} : { username: t.username }),
    ...(t.password === undefined ? {} : { password: t.password }),
  });
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, options);
    case 'cluster': {
      const { lazyConnect, ...perNode } = options;
      return new Cluster(target.seeds, {
        // No ready check: it is a cluster command itself, and after a master restart it was seen
        // never to settle, leaving every command of the client queued (test/redis.cluster.e2e.test.ts).
        enableReadyCheck: false,
        ...clusterOptions,
        ...(lazyConnect === undefined ? {} : { lazyConnect }),
        redisOptions: { ...perNode, ...auth(target), ...(target.tls ? { tls: {} } : {}) },
      });
    }
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.masterName,
        ...auth(target),
        ...(target.db === undefined ? {} : { db: target.db }),
        ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      });
  }
}

/** True when `key` has a Redis Cluster hash tag (a non-empty `{…}`; Redis hashes the first one). */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open < 0) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}

/**
 * `prefix` with a hash tag: unchanged when it has one, else wrapped whole in `{…}`. Every key built
 * on the result lands on one cluster slot, so Lua scripts and BullMQ queues (BullMQ's documented
 * `{prefix}` form) under it work on Redis Cluster.
 */
export function hashTagged(prefix: string): string {
  return hasHashTag(prefix) ? prefix : `{${prefix}}`;
}

/** Close a client: QUIT, or drop the connection when QUIT cannot be sent. */
export async function closeRedis(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}
