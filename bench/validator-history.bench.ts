/**
 * Memory of the validator's per-uid score history in Redis: 256 uids, each folded in HISTORY_ROUNDS
 * rounds through ScoreStore (the validator's own Lua fold) with 17-digit rewards, latencies and
 * outcomes, then `MEMORY USAGE` of every `…:history:<uid>` list.
 */
import { randomUUID } from 'node:crypto';
import { challengeId, HISTORY_ROUNDS, ScoreStore, scoreKeys } from '@subnetkit/validator';
import { Redis } from 'ioredis';
import type { Figure } from './harness.js';

const UIDS = 256;
const REDIS_URL = process.env.SUBNETKIT_BENCH_REDIS ?? 'redis://127.0.0.1:6379';

export default async function validatorHistoryBench(): Promise<Figure[]> {
  const redis = new Redis(REDIS_URL);
  const prefix = `bench:validator-history:${randomUUID()}`;
  try {
    const store = new ScoreStore(redis, { prefix, alpha: 0.1 });
    let seed = 1;
    const random = () => {
      seed = (Math.imul(seed, 48271) >>> 0) % 2147483647;
      return seed / 2147483647;
    };
    for (let r = 0; r < HISTORY_ROUNDS; r++) {
      const round = 100_000 + r;
      const updates = Array.from({ length: UIDS }, (_, uid) => ({
        uid,
        hotkey: `5${'H'.repeat(47)}${uid}`,
        score: random(),
        latencyMs: 20 + random() * 2000,
        outcome: random() < 0.9 ? 'ok' : 'timeout',
      }));
      await store.fold(`round-${round}`, updates, { round, challengeId: challengeId('echo', { round }) });
    }
    const keys = scoreKeys(prefix);
    let bytes = 0;
    for (let uid = 0; uid < UIDS; uid++) {
      bytes += Number(await redis.call('MEMORY', 'USAGE', keys.history(uid), 'SAMPLES', '0'));
    }
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    const perUid = Math.round(bytes / UIDS);
    return [
      {
        name: 'validator.history_bytes_per_uid',
        value: perUid,
        unit: 'bytes',
        note: `Redis ${version} MEMORY USAGE of a full history list (${HISTORY_ROUNDS} rounds: round, challenge id, 17-digit reward and score, latency, outcome), mean over ${UIDS} uids; ${((perUid * 4096) / 1e6).toFixed(1)} MB for 4096 uids`,
      },
    ];
  } finally {
    const left = await redis.keys(`${prefix}*`);
    if (left.length) await redis.del(...left);
    await redis.quit();
  }
}
