/**
 * EMA scores in Redis, one hash per (netuid, validator hotkey). The fold is a Lua script, so it
 * is atomic, and idempotent: it records the round id under a marker key with a TTL and does
 * nothing when the marker already exists, so a retried or duplicated round job never counts twice.
 * The hotkey each score was earned by is stored next to it; a different hotkey on the same uid
 * (deregistered and replaced) restarts that uid from 0.
 *
 * In the same script, each folded uid gets a history entry (round, challenge id, reward, latency,
 * outcome, score after the fold) pushed onto a capped list, `<prefix>:history:<uid>`, newest first and
 * trimmed to {@link HISTORY_ROUNDS}; a new hotkey on the uid starts a new history.
 */
import type { RedisClient as Redis } from '@subnetkit/redis';
import { checkAlpha, type ScoreEntry, type ScoreUpdate, sanitizeScore } from './ema.js';

/**
 * Rounds of history kept per uid. With the default EMA α = 0.1 the 64 newest rounds carry
 * 1 − 0.9^64 ≈ 99.9 % of a score's weight.
 */
export const HISTORY_ROUNDS = 64;

/** One folded round of one uid, as `subnetkit validator explain` shows it. */
export interface ScoreHistoryEntry {
  /** The round number (null when the fold was not given one). */
  round: number | null;
  /** The challenge's id (see `challengeId` in round-jobs.ts; null when not given). */
  challengeId: string | null;
  /** The reward the plugin gave (sanitised into [0, 1]). */
  reward: number;
  latencyMs: number | null;
  /** The query's outcome kind (`ok`, `timeout`, …; null when not given). */
  outcome: string | null;
  /** The uid's moving average after this round was folded. */
  score: number;
}

/** What a round's fold records next to the scores. */
export interface FoldRound {
  round: number;
  challengeId: string;
}

/** Redis key names of one validator's state (`prefix` is `subnetkit:validator:{<netuid>:<hotkey>}` by default: hash-tagged, see `hashTagged` of @subnetkit/redis). */
export function scoreKeys(prefix: string) {
  return {
    scores: `${prefix}:scores`,
    hotkeys: `${prefix}:hotkeys`,
    applied: (roundId: string) => `${prefix}:applied:${roundId}`,
    /** The EMA α of the last fold (so explanations use the validator's own). */
    alpha: `${prefix}:alpha`,
    history: (uid: number) => `${prefix}:history:${uid}`,
  };
}

/** The default key prefix: namespaced by netuid and validator hotkey, one Redis Cluster slot per validator. */
export function defaultKeyPrefix(netuid: number, hotkey: string): string {
  return `subnetkit:validator:{${netuid}:${hotkey}}`;
}

// KEYS: scores hash, hotkeys hash, applied marker, alpha, then one history list per update.
// ARGV: alpha, ttl seconds, history length, then (uid, hotkey, score, history entry head) per update;
// the entry head is a JSON array missing its last element, the score after the fold.
// Returns 1 when folded, 0 when this round was already applied.
const FOLD_LUA = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local alpha = tonumber(ARGV[1])
local keep = tonumber(ARGV[3])
local k = 5
for i = 4, #ARGV, 4 do
  local uid = ARGV[i]
  local hotkey = ARGV[i + 1]
  local score = tonumber(ARGV[i + 2])
  local prev = 0
  if redis.call('HGET', KEYS[2], uid) == hotkey then
    prev = tonumber(redis.call('HGET', KEYS[1], uid) or '0') or 0
  else
    redis.call('DEL', KEYS[k])
  end
  local nextScore = string.format('%.17g', alpha * score + (1 - alpha) * prev)
  redis.call('HSET', KEYS[1], uid, nextScore)
  redis.call('HSET', KEYS[2], uid, hotkey)
  redis.call('LPUSH', KEYS[k], ARGV[i + 3] .. nextScore .. ']')
  redis.call('LTRIM', KEYS[k], 0, keep - 1)
  k = k + 1
end
redis.call('SET', KEYS[4], ARGV[1])
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
  /** Rounds of history kept per uid. Default {@link HISTORY_ROUNDS}. */
  historyRounds?: number;
}

/** The EMA scores of one validator on one netuid. */
export class ScoreStore {
  readonly alpha: number;
  private readonly keys: ReturnType<typeof scoreKeys>;
  private readonly ttl: number;
  readonly historyRounds: number;

  constructor(
    private readonly redis: Redis,
    options: ScoreStoreOptions,
  ) {
    this.alpha = checkAlpha(options.alpha ?? 0.1);
    this.keys = scoreKeys(options.prefix);
    this.ttl = options.appliedTtlSeconds ?? 7 * 24 * 3600;
    this.historyRounds = options.historyRounds ?? HISTORY_ROUNDS;
    if (!Number.isInteger(this.historyRounds) || this.historyRounds < 1) {
      throw new RangeError(
        `historyRounds ${this.historyRounds} must be a positive integer, e.g. ${HISTORY_ROUNDS}`,
      );
    }
    redis.defineCommand('subnetkitFoldEmaHistory', { lua: FOLD_LUA });
  }

  /**
   * Fold one round's scores atomically, with each uid's history entry. Returns false (and changes
   * nothing) when `roundId` was already applied.
   */
  async fold(roundId: string, updates: readonly ScoreUpdate[], round?: FoldRound): Promise<boolean> {
    const args: (string | number)[] = [String(this.alpha), String(this.ttl), String(this.historyRounds)];
    const keys = [this.keys.scores, this.keys.hotkeys, this.keys.applied(roundId), this.keys.alpha];
    for (const u of updates) {
      if (!Number.isInteger(u.uid) || u.uid < 0) throw new RangeError(`uid ${u.uid} is not a valid uid`);
      const reward = sanitizeScore(u.score);
      const head = JSON.stringify([
        round?.round ?? null,
        round?.challengeId ?? null,
        reward,
        u.latencyMs === undefined ? null : Math.round(u.latencyMs),
        u.outcome ?? null,
      ]);
      args.push(String(u.uid), u.hotkey, String(reward), `${head.slice(0, -1)},`);
      keys.push(this.keys.history(u.uid));
    }
    const applied = await (this.redis as RedisWithFold).subnetkitFoldEmaHistory(
      keys.length,
      ...keys,
      ...args,
    );
    return applied === 1;
  }

  /** A uid's history, newest first (at most `historyRounds` entries). */
  async history(uid: number): Promise<ScoreHistoryEntry[]> {
    const raw = await this.redis.lrange(this.keys.history(uid), 0, -1);
    return raw.map((line) => {
      const [round, challengeId, reward, latencyMs, outcome, score] = JSON.parse(line) as [
        number | null,
        string | null,
        number,
        number | null,
        string | null,
        number,
      ];
      return { round, challengeId, reward, latencyMs, outcome, score };
    });
  }

  /** The EMA α the last fold used (this store's own when nothing was folded yet). */
  async foldAlpha(): Promise<number> {
    const v = await this.redis.get(this.keys.alpha);
    return v === null ? this.alpha : Number(v);
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
    const uids = Object.keys(await this.redis.hgetall(this.keys.hotkeys));
    await this.redis.del(
      this.keys.scores,
      this.keys.hotkeys,
      ...uids.map((u) => this.keys.history(Number(u))),
    );
  }
}

type RedisWithFold = Redis & {
  subnetkitFoldEmaHistory(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
};
