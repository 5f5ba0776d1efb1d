/**
 * EMA scores in Redis, one hash per (netuid, validator hotkey). The fold is a Lua script, so it
 * is atomic, and idempotent: it records the round id under a marker key with a TTL and does
 * nothing when the marker already exists, so a retried or duplicated round job never counts twice.
 * The hotkey each score was earned by is stored next to it; a different hotkey on the same uid
 * (deregistered and replaced) restarts that uid from 0.
 */
import type { Redis } from 'ioredis';
import { checkAlpha, type ScoreEntry, type ScoreUpdate, sanitizeScore } from './ema.js';

/** Redis key names of one validator's state (`prefix` is `subnetkit:validator:<netuid>:<hotkey>` by default). */
export function scoreKeys(prefix: string) {
  return {
    scores: `${prefix}:scores`,
    hotkeys: `${prefix}:hotkeys`,
    applied: (roundId: string) => `${prefix}:applied:${roundId}`,
  };
}

/** The default key prefix: namespaced by netuid and validator hotkey. */
export function defaultKeyPrefix(netuid: number, hotkey: string): string {
  return `subnetkit:validator:${netuid}:${hotkey}`;
}

// KEYS: scores hash, hotkeys hash, applied marker. ARGV: alpha, ttl seconds, then uid, hotkey, score triples.
// Returns 1 when folded, 0 when this round was already applied.
const FOLD_LUA = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local alpha = tonumber(ARGV[1])
for i = 3, #ARGV, 3 do
  local uid = ARGV[i]
  local hotkey = ARGV[i + 1]
  local score = tonumber(ARGV[i + 2])
  local prev = 0
  if redis.call('HGET', KEYS[2], uid) == hotkey then
    prev = tonumber(redis.call('HGET', KEYS[1], uid) or '0') or 0
  end
  local nextScore = alpha * score + (1 - alpha) * prev
  redis.call('HSET', KEYS[1], uid, string.format('%.17g', nextScore))
  redis.call('HSET', KEYS[2], uid, hotkey)
end
redis.call('SET', KEYS[3], '1', 'EX', tonumber(ARGV[2]))
return 1
`;

export interface ScoreStoreOptions {
  /** Key prefix, see {@link defaultKeyPrefix}. */
  prefix: string;
  /** EMA smoothing factor in (0, 1]. Default 0.1. */
  alpha?: number;
  /** How long a round id is remembered for deduplication (s). Default 7 days. */
  appliedTtlSeconds?: number;
}

/** The EMA scores of one validator on one netuid. */
export class ScoreStore {
  readonly alpha: number;
  private readonly keys: ReturnType<typeof scoreKeys>;
  private readonly ttl: number;

  constructor(
    private readonly redis: Redis,
    options: ScoreStoreOptions,
  ) {
    this.alpha = checkAlpha(options.alpha ?? 0.1);
    this.keys = scoreKeys(options.prefix);
    this.ttl = options.appliedTtlSeconds ?? 7 * 24 * 3600;
    redis.defineCommand('subnetkitFoldEma', { numberOfKeys: 3, lua: FOLD_LUA });
  }

  /**
   * Fold one round's scores atomically. Returns false (and changes nothing) when `roundId` was
   * already applied.
   */
  async fold(roundId: string, updates: readonly ScoreUpdate[]): Promise<boolean> {
    const args: (string | number)[] = [String(this.alpha), String(this.ttl)];
    for (const u of updates) {
      if (!Number.isInteger(u.uid) || u.uid < 0) throw new RangeError(`uid ${u.uid} is not a valid uid`);
      args.push(String(u.uid), u.hotkey, String(sanitizeScore(u.score)));
    }
    const applied = await (this.redis as RedisWithFold).subnetkitFoldEma(
      this.keys.scores,
      this.keys.hotkeys,
      this.keys.applied(roundId),
      ...args,
    );
    return applied === 1;
  }

  /** True when `roundId` has been folded (within the dedup TTL). */
  async isApplied(roundId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.applied(roundId))) === 1;
  }

  /** Every uid's score and the hotkey that earned it. */
  async read(): Promise<Map<number, ScoreEntry>> {
    const [scores, hotkeys] = await Promise.all([
      this.redis.hgetall(this.keys.scores),
      this.redis.hgetall(this.keys.hotkeys),
    ]);
    const out = new Map<number, ScoreEntry>();
    for (const [uid, raw] of Object.entries(scores)) {
      const hotkey = hotkeys[uid];
      const score = Number(raw);
      if (hotkey !== undefined && Number.isFinite(score)) out.set(Number(uid), { hotkey, score });
    }
    return out;
  }

  /** Delete this validator's scores (not its dedup markers). */
  async clear(): Promise<void> {
    await this.redis.del(this.keys.scores, this.keys.hotkeys);
  }
}

type RedisWithFold = Redis & {
  subnetkitFoldEma(
    scores: string,
    hotkeys: string,
    applied: string,
    ...args: (string | number)[]
  ): Promise<number>;
};
