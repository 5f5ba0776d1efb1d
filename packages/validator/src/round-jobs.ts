/**
 * One evaluation round as BullMQ jobs. A scheduler fires a `tick` job every round interval; the tick
 * samples miners, asks the plugin for a challenge and adds a flow: a parent `fold` job (holding the
 * challenge and its hidden truth) with one `query` child per batch of miners, so every validator
 * process on the Redis shares the querying. When the children are done the parent scores the
 * responses with the plugin's reward and folds them into the EMA (idempotently, see ScoreStore).
 *
 * Job ids are deterministic (`round-<n>`, `round-<n>-b<i>`) so a tick retried after a crash adds
 * nothing new, and retried children query the same miners with the same request.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  checkRewards,
  type MinerResponse,
  type PeerArtifacts,
  type SubnetChainView,
  type SubnetPlugin,
  seededRandom,
} from '@subnetkit/core';
import type { FlowProducer, Job, Queue } from 'bullmq';
import type { RedisClient as Redis } from '@subnetkit/redis';
import type { Logger } from 'pino';
import type { Dendrite, DendriteProtocol, DendriteResponse } from './dendrite.js';
import { sanitizeScore } from './ema.js';
import type { SubnetStateCache } from './subnet-cache.js';
import type { ValidatorMetrics } from './metrics.js';
import { batchTargets, sampleMiners } from './sampling.js';
import type { ScoreStore } from './score-store.js';
import { synapseQueryOptions } from './schema.js';
import type { MinerTarget } from './types.js';

/** Queue names (BullMQ keys are `<prefix>:<queue>:...`). */
export const QUEUES = { rounds: 'rounds', queries: 'queries', weights: 'weights' } as const;

/** Data of a round's parent job: the challenge and its truth, so retries reuse them. */
export interface FoldJobData {
  round: number;
  synapse: string;
  request: unknown;
  truth: unknown;
  /** For an artifact synapse: the challenge's expected artifact hash by hotkey. */
  artifacts?: Record<string, string>;
  sampled: number;
  /** ms since epoch when the tick started (for the round-duration histogram). */
  startedAt: number;
}

/** Data of a query child: one batch of miners. */
export interface QueryJobData {
  round: number;
  synapse: string;
  request: unknown;
  timeoutMs: number;
  targets: MinerTarget[];
  /** For an artifact synapse: the expected artifact hash of each target that has one. */
  artifacts?: Record<string, string>;
}

/** What a folded round reports (the `fold` job's return value). */
export interface RoundSummary {
  round: number;
  queried: number;
  ok: number;
  applied: boolean;
  meanReward: number;
}

export interface RoundContext {
  plugin: SubnetPlugin;
  netuid: number;
  hotkey: string;
  redis: Redis;
  keyPrefix: string;
  store: ScoreStore;
  dendrite: Dendrite;
  metagraph: SubnetStateCache;
  metrics: ValidatorMetrics;
  log: Logger;
  queues: { rounds: Queue; queries: Queue };
  flow: FlowProducer;
  sampleSize: number;
  batchSize: number;
  queryTimeoutMs: number;
  maxPendingRounds: number;
  /** Start a round at most once per this many blocks (ticks in between are skipped); 0 = every tick. */
  roundEveryBlocks: number;
  currentBlock: () => Promise<number>;
  vpermitTaoLimit: number;
  /** The validator's `--protocol`, overriding the plugin's choice (see `synapseQueryOptions`). */
  protocol?: DendriteProtocol;
  /** The subnet's chain as the plugin sees it (`ctx.chain` in challenge and reward). */
  pluginChain?: SubnetChainView;
  /**
   * While a query job waits for its miners, sign the requests of this many waiting query jobs ahead
   * (the process's query concurrency: the next wave). 0 = off.
   */
  presignJobs?: number;
  /** Artifacts from miners outside a round (`ctx.peers` in challenge). */
  peers?: PeerArtifacts;
  /** The plugin's directory (`ctx.dataDir` in challenge and reward). */
  dataDir?: string;
}

// Gives each tick job one round number, also when the tick is retried: KEYS tick marker, counter.
const ROUND_FOR_TICK_LUA = `
local r = redis.call('GET', KEYS[1])
if r then return tonumber(r) end
r = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], r, 'EX', 604800)
return r
`;

/** Allocate (or recall) the round number of a tick job. */
export async function roundForTick(redis: Redis, keyPrefix: string, tickId: string): Promise<number> {
  const r = await redis.eval(ROUND_FOR_TICK_LUA, 2, `${keyPrefix}:tick:${tickId}`, `${keyPrefix}:round`);
  return Number(r);
}

// Block cadence: KEYS last round block, this tick's claim. ARGV block, every. 1 = start a round.
const CLAIM_BLOCK_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
local block = tonumber(ARGV[1])
if last >= 0 and block - last < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1], 'EX', 604800)
return 1
`;

/**
 * With a block cadence, decide atomically whether this tick starts a round: true when `every` blocks
 * have passed since the last round's block (shared by all processes), or when this tick already
 * claimed its block before a crash.
 */
export async function claimRoundBlock(
  redis: Redis,
  keyPrefix: string,
  tickId: string,
  block: number,
  every: number,
): Promise<boolean> {
  const r = await redis.eval(
    CLAIM_BLOCK_LUA,
    2,
    `${keyPrefix}:round-block`,
    `${keyPrefix}:tick-block:${tickId}`,
    String(block),
    String(every),
  );
  return Number(r) === 1;
}

// Undo a tick's round number when nothing ran: KEYS tick marker, counter. ARGV round.
const RELEASE_ROUND_LUA = `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') == tonumber(ARGV[1]) then redis.call('DECR', KEYS[2]) end
return 1
`;

/** Gives back the round number {@link roundForTick} gave a tick that ran no round (when it is the last one). */
export async function releaseRound(
  redis: Redis,
  keyPrefix: string,
  tickId: string,
  round: number,
): Promise<void> {
  await redis.eval(RELEASE_ROUND_LUA, 2, `${keyPrefix}:tick:${tickId}`, `${keyPrefix}:round`, String(round));
}

/** Seed of a round's miner sample; differs from the challenge seed (`round`) so the two are independent. */
export function sampleSeed(round: number): number {
  return Math.imul(round ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
}

/**
 * A challenge's id in a uid's score history: the first 12 hex digits of the SHA-256 of its synapse and
 * request (JSON), so rounds that sent the same challenge show the same id. The truth is not hashed.
 */
export function challengeId(synapse: string, request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([synapse, request ?? null]))
    .digest('hex')
    .slice(0, 12);
}

/**
 * The `tick` processor: start round n (or skip it) and return its number. A plugin whose `challenge`
 * returns `null` (nothing due this tick) skips it: nobody is queried, the round number is kept for the
 * next tick, and `rounds_skipped_total{reason="no_challenge"}` counts it.
 */
export async function processTick(
  ctx: RoundContext,
  job: Job,
): Promise<{ round?: number; skipped?: string }> {
  const pending = await ctx.queues.rounds.getWaitingChildrenCount();
  if (pending >= ctx.maxPendingRounds) {
    ctx.metrics.roundsSkipped.inc({ reason: 'backlog' });
    ctx.log.warn({ pending }, 'skipping a round: earlier rounds are still waiting for miners');
    return { skipped: 'backlog' };
  }
  const tickId = job.id ?? `${job.name}-${job.timestamp}`;
  if (ctx.roundEveryBlocks > 0) {
    const block = await ctx.currentBlock();
    if (!(await claimRoundBlock(ctx.redis, ctx.keyPrefix, tickId, block, ctx.roundEveryBlocks))) {
      return { skipped: 'not_due' };
    }
  }
  const round = await roundForTick(ctx.redis, ctx.keyPrefix, tickId);
  const { metagraph } = await ctx.metagraph.get();
  const targets = sampleMiners(metagraph, seededRandom(sampleSeed(round)), {
    k: ctx.sampleSize,
    vpermitTaoLimit: ctx.vpermitTaoLimit,
    exclude: [ctx.hotkey],
  });
  if (targets.length === 0) {
    ctx.metrics.roundsSkipped.inc({ reason: 'no_serving_miners' });
    ctx.log.warn(
      { netuid: ctx.netuid, n: metagraph.n },
      `no serving miners on netuid ${ctx.netuid}: nothing to query (miners must serve_axon first)`,
    );
    return { skipped: 'no_serving_miners' };
  }
  const challenge = await ctx.plugin.validator.challenge({
    round,
    random: seededRandom(round),
    log: ctx.log,
    ...(ctx.pluginChain ? { chain: ctx.pluginChain } : {}),
    ...(ctx.peers ? { peers: ctx.peers } : {}),
    ...(ctx.dataDir ? { dataDir: ctx.dataDir } : {}),
  });
  if (challenge === null) {
    // Give the number back so the next round that runs takes it (a retried tick recalls it anyway).
    await releaseRound(ctx.redis, ctx.keyPrefix, tickId, round);
    ctx.metrics.roundsSkipped.inc({ reason: 'no_challenge' });
    return { skipped: 'no_challenge' };
  }
  const synapse = challenge.synapse;
  const def = ctx.plugin.synapses[synapse];
  if (!def)
    throw new Error(
      `subnet "${ctx.plugin.name}": challenge names synapse "${synapse}", which it does not define`,
    );
  const timeoutMs = def.timeoutMs ?? ctx.queryTimeoutMs;
  const batches = batchTargets(targets, ctx.batchSize);
  const data: FoldJobData = {
    round,
    synapse,
    request: challenge.request,
    truth: challenge.truth,
    ...(challenge.artifacts ? { artifacts: challenge.artifacts } : {}),
    sampled: targets.length,
    // When this tick started running (a scheduled job is created one interval ahead of its run).
    startedAt: job.processedOn ?? Date.now(),
  };
  await ctx.flow.add({
    name: 'fold',
    queueName: QUEUES.rounds,
    data,
    opts: {
      jobId: `round-${round}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 500 },
    },
    children: batches.map((batch, i) => ({
      name: 'query',
      queueName: QUEUES.queries,
      data: {
        round,
        synapse,
        request: challenge.request,
        timeoutMs,
        targets: batch,
        ...(challenge.artifacts ? { artifacts: pickArtifacts(challenge.artifacts, batch) } : {}),
      } satisfies QueryJobData,
      opts: {
        jobId: `round-${round}-b${i}`,
        attempts: 3,
        backoff: { type: 'exponential', delay: 200 },
        // A batch that keeps failing must not block the round: its miners are just not scored.
        ignoreDependencyOnFailure: true,
        removeOnComplete: { count: 2000 },
        removeOnFail: { count: 2000 },
      },
    })),
  });
  ctx.metrics.roundsStarted.inc();
  ctx.log.debug({ round, miners: targets.length, batches: batches.length }, 'round started');
  return { round };
}

/** The `query` processor: query one batch of miners; the responses become the child's return value. */
export async function processQuery(
  ctx: Pick<RoundContext, 'dendrite' | 'metrics' | 'plugin' | 'protocol' | 'presignJobs'> &
    Partial<Pick<RoundContext, 'queues' | 'log'>>,
  job: Job<QueryJobData>,
): Promise<DendriteResponse[]> {
  const { synapse, request, timeoutMs, targets, artifacts } = job.data;
  const options = synapseQueryOptions(ctx.plugin, synapse, { timeoutMs, protocol: ctx.protocol }, artifacts);
  // Once this job's own requests are signed, sign the next wave's ahead while its miners answer.
  // Best effort: a job another process takes leaves its signatures unused until they expire.
  const presign =
    ctx.presignJobs && ctx.queues
      ? () =>
          void presignWaiting(ctx as PresignContext, job.id).catch((err: Error) =>
            ctx.log?.debug({ err: err.message }, 'could not sign the next query jobs ahead'),
          )
      : undefined;
  const pending = ctx.dendrite.query(targets, synapse, request, {
    ...options,
    timeoutMs,
    ...(presign ? { onSigned: presign } : {}),
  });
  const responses = await pending;
  for (const r of responses) {
    ctx.metrics.queries.inc({ outcome: r.outcome });
    ctx.metrics.queryLatency.observe({ outcome: r.outcome }, r.latencyMs / 1000);
  }
  return responses.map(toJobValue);
}

type PresignContext = Pick<RoundContext, 'dendrite' | 'plugin' | 'protocol' | 'queues'> & {
  presignJobs: number;
};

/**
 * Sign ahead the requests of the next waiting query jobs (the ones this process's free slots take
 * next), so their miners are asked as soon as a slot frees instead of after signing. Artifact
 * synapses are skipped (only miners with an expected hash are asked).
 */
async function presignWaiting(ctx: PresignContext, current: string | undefined): Promise<void> {
  const next = (await ctx.queues.queries.getWaiting(0, ctx.presignJobs - 1)) as (
    | Job<QueryJobData>
    | undefined
  )[];
  for (const job of next) {
    if (!job?.data?.targets || job.id === current || job.data.artifacts) continue;
    const { synapse, request, timeoutMs, targets } = job.data;
    const { protocol } = synapseQueryOptions(ctx.plugin, synapse, { timeoutMs, protocol: ctx.protocol });
    await ctx.dendrite.presign(targets, synapse, request, protocol === undefined ? {} : { protocol });
  }
}

/** A job's return value is stored as JSON: artifact bytes travel to the fold as base64. */
export function toJobValue(r: DendriteResponse): DendriteResponse {
  if (!(r.response instanceof Uint8Array)) return r;
  const b64 = Buffer.from(r.response.buffer, r.response.byteOffset, r.response.length).toString('base64');
  return { ...r, response: b64 };
}

/** The expected artifact hashes of a batch's targets. */
function pickArtifacts(all: Record<string, string>, batch: MinerTarget[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of batch) if (all[t.hotkey] !== undefined) out[t.hotkey] = all[t.hotkey]!;
  return out;
}

/** Undoes {@link toJobValue}. */
export function fromJobValue(r: DendriteResponse): DendriteResponse {
  if (r.artifact === undefined || typeof r.response !== 'string') return r;
  return { ...r, response: new Uint8Array(Buffer.from(r.response, 'base64')) };
}

/**
 * Score a round's responses with the plugin and fold them. Shared by the `fold` job and by
 * `runRoundOnce` (benchmarks, tools), so both paths do exactly the same work.
 */
export async function scoreAndFold(
  ctx: Pick<RoundContext, 'plugin' | 'log' | 'pluginChain' | 'dataDir'> & {
    store: Pick<ScoreStore, 'fold'>;
    metrics: { rewards: Pick<ValidatorMetrics['rewards'], 'observe'> };
  },
  data: Pick<FoldJobData, 'round' | 'synapse' | 'request' | 'truth'>,
  responses: MinerResponse<unknown>[],
): Promise<RoundSummary> {
  const roundId = `round-${data.round}`;
  if (responses.length === 0) {
    return { round: data.round, queried: 0, ok: 0, applied: false, meanReward: 0 };
  }
  // Strip dendrite-only fields so the plugin sees exactly core's MinerResponse.
  const clean: MinerResponse<unknown>[] = responses.map((r) => {
    const m: MinerResponse<unknown> = {
      uid: r.uid,
      hotkey: r.hotkey,
      outcome: r.outcome,
      latencyMs: r.latencyMs,
    };
    if (r.response !== undefined) m.response = r.response;
    if (r.status !== undefined) m.status = r.status;
    if (r.stream !== undefined) m.stream = r.stream;
    if (r.artifact !== undefined) m.artifact = r.artifact;
    return m;
  });
  const raw = await ctx.plugin.validator.reward(
    // The round's shape matches the challenge the plugin made; TypeScript cannot see that through JSON.
    { synapse: data.synapse, request: data.request, truth: data.truth, responses: clean } as never,
    {
      round: data.round,
      log: ctx.log,
      ...(ctx.pluginChain ? { chain: ctx.pluginChain } : {}),
      ...(ctx.dataDir ? { dataDir: ctx.dataDir } : {}),
    },
  );
  const rewards = checkRewards(ctx.plugin.name, raw, clean.length).map(sanitizeScore);
  const applied = await ctx.store.fold(
    roundId,
    clean.map((r, i) => ({
      uid: r.uid,
      hotkey: r.hotkey,
      score: rewards[i]!,
      latencyMs: r.latencyMs,
      outcome: r.outcome,
    })),
    { round: data.round, challengeId: challengeId(data.synapse, data.request) },
  );
  if (applied) for (const s of rewards) ctx.metrics.rewards.observe(s);
  const ok = clean.filter((r) => r.outcome === 'ok').length;
  const meanReward = rewards.reduce((a, b) => a + b, 0) / rewards.length;
  return { round: data.round, queried: clean.length, ok, applied, meanReward };
}

/** The `fold` processor: gather the children's responses, reward, fold into the EMA. */
export async function processFold(ctx: RoundContext, job: Job<FoldJobData>): Promise<RoundSummary> {
  if (await ctx.store.isApplied(`round-${job.data.round}`)) {
    ctx.log.info({ round: job.data.round }, 'round already folded (duplicate or retried job); nothing to do');
    return { round: job.data.round, queried: 0, ok: 0, applied: false, meanReward: 0 };
  }
  const values = await job.getChildrenValues<DendriteResponse[]>();
  const responses = Object.values(values)
    .flat()
    .map(fromJobValue)
    .sort((a, b) => a.uid - b.uid);
  const missing = job.data.sampled - responses.length;
  if (missing > 0)
    ctx.log.warn(
      { round: job.data.round, missing },
      'some query batches failed; their miners are not scored this round',
    );
  const summary = await scoreAndFold(ctx, job.data, responses);
  if (summary.applied) {
    ctx.metrics.roundsCompleted.inc();
    ctx.metrics.lastRoundFolded.set(Date.now() / 1000);
    // Shared by every process of this validator, for /healthz.
    await ctx.redis.set(`${ctx.keyPrefix}:last-fold`, String(Date.now()));
    ctx.metrics.roundDuration.observe(Math.max(0, Date.now() - job.data.startedAt) / 1000);
  }
  ctx.log.info(summary, 'round folded');
  return summary;
}

/**
 * Run one whole round in this process without BullMQ (challenge, fan-out, reward, EMA fold):
 * for benchmarks, `subnetkit demo` and one-off tools. It needs only the dendrite's `query` and the
 * score store's `fold`, so an in-process transport or an in-memory store can stand in. Returns the summary and the time each stage took.
 */
export async function runRoundOnce(
  ctx: Parameters<typeof scoreAndFold>[0] &
    Pick<RoundContext, 'queryTimeoutMs' | 'protocol' | 'pluginChain'> & { dendrite: Pick<Dendrite, 'query'> },
  round: number,
  targets: MinerTarget[],
): Promise<RoundSummary & { fanoutMs: number; totalMs: number }> {
  const t0 = performance.now();
  const challenge = await ctx.plugin.validator.challenge({
    round,
    random: seededRandom(round),
    log: ctx.log,
    ...(ctx.pluginChain ? { chain: ctx.pluginChain } : {}),
  });
  if (challenge === null)
    return {
      round,
      queried: 0,
      ok: 0,
      applied: false,
      meanReward: 0,
      fanoutMs: 0,
      totalMs: performance.now() - t0,
    };
  const options = synapseQueryOptions(
    ctx.plugin,
    challenge.synapse,
    { timeoutMs: ctx.queryTimeoutMs, protocol: ctx.protocol },
    challenge.artifacts,
  );
  const t1 = performance.now();
  const responses = await ctx.dendrite.query(targets, challenge.synapse, challenge.request, options);
  const fanoutMs = performance.now() - t1;
  const summary = await scoreAndFold(ctx, { round, ...challenge }, responses);
  return { ...summary, fanoutMs, totalMs: performance.now() - t0 };
}
