/**
 * Weights on chain, as BullMQ jobs. A scheduler fires `check` regularly; when weights are due (once
 * per tempo, inside the rate limit) it adds one `set` job with the id `weights-<epoch>`, so however
 * many validator processes check, one submission per epoch is queued. `set` turns the EMA scores into
 * a u16 weight vector under the chain's rules and submits it; failures retry with exponential backoff,
 * and a later `check` in the same epoch re-queues a submission that ran out of attempts (e.g. while
 * the chain connection was down).
 *
 * A process killed between submitting and recording leaves the job active; once its lock expires
 * another worker (or the restarted process) runs it again. Before each submission the job records
 * `pendingEpoch`; a run that finds it set for its epoch first looks at the chain, and when the
 * validator's `LastUpdate` already lies in that epoch (the earlier submission was included) it
 * records that block instead of submitting again, so a kill -9 neither loses nor doubles the epoch's
 * weights.
 */
import { epochIndex, fixCommand } from '@subnetkit/core';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { RedisClient as Redis } from '@subnetkit/redis';
import type { Logger } from 'pino';
import { classifyChainError } from './chain-errors.js';
import type { SubnetStateCache } from './subnet-cache.js';
import type { ValidatorMetrics } from './metrics.js';
import type { ScoreStore } from './score-store.js';
import type { ValidatorChain } from './types.js';
import { computeWeights, weightsDue } from './weights.js';

export interface WeightContext {
  netuid: number;
  hotkey: string;
  versionKey: number;
  chain: ValidatorChain;
  redis: Redis;
  keyPrefix: string;
  store: ScoreStore;
  metagraph: SubnetStateCache;
  metrics: ValidatorMetrics;
  log: Logger;
  queue: Queue;
  excludeQuantile: number;
  attempts: number;
  backoffMs: number;
}

/** What the last weight submission did, kept in Redis (`<prefix>:weights`). */
export interface WeightsState {
  lastEpoch?: number;
  lastBlock?: number;
  lastResult?: string;
  lastError?: string;
  /** The epoch whose submission was sent and not yet recorded (set before `setWeights`). */
  pendingEpoch?: number;
}

export function weightsKey(prefix: string): string {
  return `${prefix}:weights`;
}

/** Read the last submission's state from Redis. */
export async function readWeightsState(redis: Redis, keyPrefix: string): Promise<WeightsState> {
  const h = await redis.hgetall(weightsKey(keyPrefix));
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const out: WeightsState = {};
  const lastEpoch = num(h.lastEpoch);
  const lastBlock = num(h.lastBlock);
  if (lastEpoch !== undefined) out.lastEpoch = lastEpoch;
  if (lastBlock !== undefined) out.lastBlock = lastBlock;
  if (h.lastResult) out.lastResult = h.lastResult;
  if (h.lastError) out.lastError = h.lastError;
  const pendingEpoch = num(h.pendingEpoch);
  if (pendingEpoch !== undefined) out.pendingEpoch = pendingEpoch;
  return out;
}

/** The `check` processor: queue a `set` job when weights are due. */
export async function processWeightsCheck(
  ctx: WeightContext,
): Promise<{ due: boolean; epoch: number; reason?: string }> {
  let block: number;
  let snapshot: Awaited<ReturnType<SubnetStateCache['get']>>;
  try {
    block = await ctx.chain.currentBlock();
    snapshot = await ctx.metagraph.get();
    await ctx.chain.maintain?.(ctx.netuid);
  } catch (err) {
    const c = classifyChainError(err);
    ctx.metrics.chainErrors.inc({ kind: c.kind });
    throw err;
  }
  const { metagraph, hyperparameters: hp } = snapshot;
  const uid = metagraph.hotkeys.indexOf(ctx.hotkey);
  const state = await readWeightsState(ctx.redis, ctx.keyPrefix);
  const decision = weightsDue({
    block,
    netuid: ctx.netuid,
    tempo: hp.tempo,
    weightsRateLimit: hp.weightsRateLimit,
    lastUpdate: Math.max(uid >= 0 ? (metagraph.lastUpdate[uid] ?? 0) : 0, state.lastBlock ?? 0),
    lastEpoch: state.lastEpoch,
    registered: uid >= 0,
  });
  if (!decision.due) {
    if (decision.reason === 'not_registered') {
      ctx.log.error(
        { netuid: ctx.netuid, hotkey: ctx.hotkey },
        `hotkey ${ctx.hotkey} is not registered on netuid ${ctx.netuid}: register it (${fixCommand('subnet register', { '--netuid': ctx.netuid })}) before it can set weights`,
      );
    }
    return { due: false, epoch: decision.epoch, reason: decision.reason };
  }
  const jobId = `weights-${decision.epoch}`;
  const existing = await ctx.queue.getJob(jobId);
  if (existing && (await existing.isFailed())) {
    // Ran out of attempts earlier in this epoch (chain down?): try again.
    ctx.log.warn({ epoch: decision.epoch }, 'retrying a weight submission that failed earlier this epoch');
    await existing.retry('failed');
  } else if (!existing) {
    await ctx.queue.add(
      'set',
      { epoch: decision.epoch },
      {
        jobId,
        attempts: ctx.attempts,
        backoff: { type: 'exponential', delay: ctx.backoffMs },
        removeOnComplete: { count: 200 },
        removeOnFail: { count: 200 },
      },
    );
  }
  return { due: true, epoch: decision.epoch };
}

/** The `set` processor: EMA scores -> weights -> chain. */
export async function processWeightsSet(
  ctx: WeightContext,
  job: Job<{ epoch: number }>,
): Promise<{ result: 'ok' | 'skipped'; block?: number; uids?: number[]; weights?: number[] }> {
  const { epoch } = job.data;
  const state = await readWeightsState(ctx.redis, ctx.keyPrefix);
  if (state.lastEpoch !== undefined && state.lastEpoch >= epoch) {
    return { result: 'skipped' };
  }
  const scores = await ctx.store.read();
  if (scores.size === 0) {
    ctx.metrics.weightsSubmissions.inc({ result: 'skipped' });
    ctx.log.info({ epoch }, 'no scores yet (no round has completed): not setting weights this epoch');
    return { result: 'skipped' };
  }
  try {
    // Weights go to the hotkeys registered now, so read a fresh metagraph.
    const { metagraph, hyperparameters } = await ctx.metagraph.get(true);
    if (state.pendingEpoch === epoch) {
      // An earlier run of this job submitted and died before recording: was it included?
      const uid = metagraph.hotkeys.indexOf(ctx.hotkey);
      const lastUpdate = uid >= 0 ? (metagraph.lastUpdate[uid] ?? 0) : 0;
      if (lastUpdate > 0 && epochIndex(lastUpdate, ctx.netuid, hyperparameters.tempo) >= epoch) {
        await ctx.redis.hset(weightsKey(ctx.keyPrefix), {
          lastEpoch: String(epoch),
          lastBlock: String(lastUpdate),
          lastResult: 'recovered',
          lastError: '',
          pendingEpoch: '',
        });
        ctx.metrics.weightsLastBlock.set(lastUpdate);
        ctx.log.warn(
          { epoch, block: lastUpdate },
          'weights of this epoch were already on chain from a run that did not record them (process killed?): recorded, not submitted again',
        );
        return { result: 'skipped', block: lastUpdate };
      }
    }
    const vector = computeWeights(scores, metagraph, hyperparameters, ctx.excludeQuantile);
    await ctx.redis.hset(weightsKey(ctx.keyPrefix), { pendingEpoch: String(epoch) });
    const res = await ctx.chain.setWeights(ctx.netuid, vector.uids, vector.weights, ctx.versionKey);
    const block = res.block ?? (await ctx.chain.currentBlock());
    await ctx.redis.hset(weightsKey(ctx.keyPrefix), {
      lastEpoch: String(epoch),
      lastBlock: String(block),
      lastResult: res.mode,
      lastError: '',
      pendingEpoch: '',
    });
    ctx.metrics.weightsSubmissions.inc({ result: 'ok' });
    ctx.metrics.weightsLastBlock.set(block);
    ctx.metrics.weightsLastSuccess.set(1);
    ctx.log.info(
      { epoch, block, mode: res.mode, txHash: res.txHash, uids: vector.uids, weights: vector.weights },
      'weights submitted',
    );
    return { result: 'ok', block, uids: vector.uids, weights: vector.weights };
  } catch (err) {
    const c = classifyChainError(err);
    ctx.metrics.chainErrors.inc({ kind: c.kind });
    ctx.metrics.weightsSubmissions.inc({ result: 'error' });
    ctx.metrics.weightsLastSuccess.set(0);
    await ctx.redis.hset(weightsKey(ctx.keyPrefix), { lastError: c.message });
    ctx.log.error(
      { epoch, kind: c.kind, attempt: job.attemptsMade + 1, err: c.message },
      'weight submission failed',
    );
    if (c.permanent) throw new UnrecoverableError(c.message);
    throw err;
  }
}
