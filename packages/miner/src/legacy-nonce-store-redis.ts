/**
 * The legacy v10 nonce store in Redis, so several miner processes behind one hotkey share the last
 * nonce accepted per `hotkey:uuid` and refuse each other's replays. One Lua script does the check
 * and the write atomically (GET, compare, SET): two processes racing with the same nonce cannot
 * both accept it.
 *
 * Nonces are unix nanoseconds (above 2^53, beyond Lua's doubles), so the script compares them as
 * decimal strings without leading zeros: longer is greater, equal lengths compare lexically.
 */
import type { LegacyNonceStore, LegacyNonceVerdict } from '@subnetkit/core';
import type { RedisClient as Redis } from '@subnetkit/redis';

/** Options of {@link RedisLegacyNonceStore}. */
export interface RedisLegacyNonceStoreOptions {
  /** Key prefix (default `subnetkit:legacy-nonce:`); put the netuid and miner hotkey in it. */
  prefix?: string;
  /**
   * How long an endpoint key is kept after its last accepted nonce, ms (default 24 h), extended by
   * how far that nonce lies in the future. Once a key expired its next request is a first request
   * again and must be fresh (newer than 4 s + timeout), so a replay older than that is refused.
   */
  ttlMs?: number;
}

// KEYS[1] endpoint key; ARGV[1] nonce, ARGV[2] first floor ('' = none), ARGV[3] ttl ms.
const ADVANCE_SCRIPT = `
local function le(a, b)
  if #a ~= #b then return #a < #b end
  return a <= b
end
local nonce = ARGV[1]
local last = redis.call('GET', KEYS[1])
if last then
  if le(nonce, last) then return 'not-increasing' end
else
  local floor = ARGV[2]
  if floor ~= '' and le(nonce, floor) then return 'too-old-first' end
end
redis.call('SET', KEYS[1], nonce, 'PX', ARGV[3])
return 'accepted'
`;

interface AdvanceCommand {
  subnetkitLegacyAdvance(key: string, nonce: string, floor: string, ttlMs: string): Promise<string>;
}

const VERDICTS: ReadonlySet<string> = new Set<LegacyNonceVerdict>([
  'accepted',
  'too-old-first',
  'not-increasing',
]);

/**
 * The Redis key of one endpoint's last nonce: `<prefix>{<hotkey:uuid>}`. The script touches only this
 * key; the hash tag names its Redis Cluster slot explicitly (one slot per endpoint, spread over masters).
 */
export function legacyNonceKey(prefix: string, endpointKey: string): string {
  return `${prefix}{${endpointKey}}`;
}

/** {@link LegacyNonceStore} backed by Redis (ioredis client owned by the caller). */
export class RedisLegacyNonceStore implements LegacyNonceStore {
  readonly prefix: string;
  private readonly ttlMs: number;
  private readonly redis: AdvanceCommand;

  constructor(redis: Redis, options: RedisLegacyNonceStoreOptions = {}) {
    this.prefix = options.prefix ?? 'subnetkit:legacy-nonce:';
    const ttl = options.ttlMs ?? 24 * 3_600_000;
    if (!Number.isInteger(ttl) || ttl < 1) {
      throw new RangeError(`RedisLegacyNonceStore ttlMs must be a positive integer, got ${ttl}`);
    }
    this.ttlMs = ttl;
    if (!(redis as unknown as Partial<AdvanceCommand>).subnetkitLegacyAdvance) {
      redis.defineCommand('subnetkitLegacyAdvance', { numberOfKeys: 1, lua: ADVANCE_SCRIPT });
    }
    this.redis = redis as unknown as AdvanceCommand;
  }

  /** @inheritdoc */
  async advance(
    endpointKey: string,
    nonce: bigint,
    firstFloor: bigint | undefined,
  ): Promise<LegacyNonceVerdict> {
    if (nonce < 0n) return firstFloor === undefined ? 'not-increasing' : 'too-old-first';
    const floor = firstFloor === undefined || firstFloor < 0n ? '' : firstFloor.toString();
    const aheadMs = nonce / 1_000_000n - BigInt(Date.now());
    const ttl = this.ttlMs + (aheadMs > 0n ? Number(aheadMs) : 0);
    const verdict = await this.redis.subnetkitLegacyAdvance(
      legacyNonceKey(this.prefix, endpointKey),
      nonce.toString(),
      floor,
      String(ttl),
    );
    if (!VERDICTS.has(verdict)) throw new Error(`legacy nonce script answered ${verdict}`);
    return verdict as LegacyNonceVerdict;
  }
}
