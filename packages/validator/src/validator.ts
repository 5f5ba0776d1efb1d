/**
 * A running validator: Redis connections, the three BullMQ queues (rounds, queries, weights), their
 * job schedulers and workers, the dendrite, the metrics server. Several processes started with the
 * same netuid, hotkey and Redis cooperate: schedulers are upserted under fixed ids, every job runs
 * once, and scores are folded idempotently.
 */
import { mkdirSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { type SubnetChainView, type SubnetPlugin, fixCommand } from '@subnetkit/core';
import { createMetricsRegistry, type MetricsServer, startMetricsServer } from '@subnetkit/metrics';
import { FlowProducer, type Job, Queue, Worker } from 'bullmq';
import { createRedis, hasHashTag, parseRedisUrl, type RedisClient } from '@subnetkit/redis';
import type { RedisOptions } from 'ioredis';
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { Dendrite, type DendriteOptions, type DendriteProtocol, type DendriteSigner } from './dendrite.js';
import { checkAlpha, DEFAULT_EMA_ALPHA } from './ema.js';
import { peerArtifacts } from './peer-artifacts.js';
import { SubnetStateCache } from './subnet-cache.js';
import { createValidatorMetrics, type ValidatorMetrics } from './metrics.js';
import {
  type FoldJobData,
  processFold,
  processQuery,
  processTick,
  QUEUES,
  type QueryJobData,
  type RoundContext,
} from './round-jobs.js';
import { defaultKeyPrefix, ScoreStore } from './score-store.js';
import type { ValidatorChain } from './types.js';
import {
  processWeightsCheck,
  processWeightsSet,
  readWeightsState,
  type WeightContext,
  type WeightsState,
} from './weight-setter.js';

export interface ValidatorOptions {
  /** The subnet plugin (challenge + reward). */
  plugin: SubnetPlugin;
  netuid: number;
  /** This validator's hotkey, SS58. */
  hotkey: string;
  /** Signs each dendrite request with the hotkey (see `btauthSigner`). */
  sign: DendriteSigner;
  chain: ValidatorChain;
  /**
   * The subnet's chain as the plugin sees it (`ctx.chain` in `challenge` and `reward`: commitments,
   * incentive; e.g. `subnetChainView(client, netuid)` from `@subnetkit/chain`). Omitted: plugins get none.
   */
  pluginChain?: SubnetChainView;
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  redis: string;
  /** Extra ioredis options (tests shorten reconnect delays). */
  redisOptions?: RedisOptions;
  /** Key prefix for scores and queues; default `subnetkit:validator:{<netuid>:<hotkey>}`. On Redis Cluster it must hold a hash tag (`{…}`). */
  keyPrefix?: string;
  /**
   * How often a round starts (ms). Default 12 000 (about one block). With `roundEveryBlocks` this is
   * how often the block number is checked instead.
   */
  roundIntervalMs?: number;
  /** Start a round every this many blocks (checked every `roundIntervalMs`) instead of on every tick. */
  roundEveryBlocks?: number;
  /** Miners per round (template `sample_size`). Default 50. */
  sampleSize?: number;
  /**
   * Miners per query child job. Default `ceil(sampleSize / workers)`: one process queries a whole
   * round in one wave of `workers` jobs, so a round takes one synapse timeout at most. Set it lower
   * when several processes share the queue, so every process gets jobs.
   */
  batchSize?: number;
  /**
   * A directory the plugin keeps what it learns in across restarts (`ctx.dataDir` in challenge and
   * reward), created when missing. Default none (the CLI passes `--data-dir`).
   */
  dataDir?: string;
  /** Query jobs this process runs at once (`--workers`). Default 4. */
  workers?: number;
  /** Timeout for synapses that do not set `timeoutMs`. Default 12 000. */
  queryTimeoutMs?: number;
  /** EMA smoothing factor. Default 0.1. */
  emaAlpha?: number;
  /** Re-sync the metagraph every this many blocks. Default 100. */
  resyncBlocks?: number;
  /** How often to check whether weights are due (ms). Default 12 000. */
  weightsCheckIntervalMs?: number;
  /** Weight submission attempts and the first backoff delay. Defaults 6 and 2 000 ms. */
  weightsAttempts?: number;
  weightsBackoffMs?: number;
  /** `exclude_quantile` for weight processing (u16 proportion). Default 0. */
  excludeQuantile?: number;
  /** Weights version key. Default: the plugin's `versionKey`. */
  versionKey?: number;
  /** Skip a tick while this many rounds still wait for miners. Default 3. */
  maxPendingRounds?: number;
  /** Validators with a permit and more stake than this are not sampled. Default 4096. */
  vpermitTaoLimit?: number;
  /**
   * BullMQ job lock: a killed process's jobs are retried once it expired and a stalled check ran,
   * within `lockDurationMs + stalledIntervalMs` (default 10 000 ms; 15 s in all, see
   * docs/validator.md "Recovery time" for how it was chosen).
   */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. Default half the lock (5 000 ms). */
  stalledIntervalMs?: number;
  /** Refuse to start when the hotkey is not registered on the netuid. Default true. */
  requireRegistration?: boolean;
  /** Turn off the schedulers (jobs then only run when added by hand, e.g. in tests). */
  schedule?: { rounds?: boolean; weights?: boolean };
  dendrite?: Omit<DendriteOptions, 'sign'>;
  /**
   * While query jobs wait for their miners, sign the next `workers` waiting jobs' btauth/1 requests
   * ahead (used once, within the dendrite's `presignMaxAgeMs`), so the next wave is sent without
   * waiting for signatures. Default true; with many processes sharing the queue, some of these
   * signatures go unused.
   */
  presignAhead?: boolean;
  /**
   * The protocol to speak to miners (`--protocol`): `btauth`, `legacy` (Python SDK v10) or `auto`.
   * Default: each synapse's `protocol`, else the plugin's, else btauth/1.
   */
  protocol?: DendriteProtocol;
  /** Serve /metrics and /healthz on this port (0 = any free port); omitted = no server. */
  metricsPort?: number;
  metricsHost?: string;
  registry?: Registry;
  logger?: Logger;
}

/** A running validator. */
export interface RunningValidator {
  readonly keyPrefix: string;
  readonly metrics: ValidatorMetrics;
  readonly registry: Registry;
  /** URL of the metrics server, when one was started. */
  readonly metricsUrl: string | undefined;
  readonly queues: { rounds: Queue; queries: Queue; weights: Queue };
  readonly store: ScoreStore;
  /** Start a round now (as the scheduler would); resolves once its jobs are queued. */
  triggerRound(): Promise<{ round?: number; skipped?: string }>;
  /** Check now whether weights are due (as the scheduler would). */
  triggerWeightsCheck(): Promise<{ due: boolean; epoch: number; reason?: string }>;
  weightsState(): Promise<WeightsState>;
  /** Stop the workers, close queues, connections, pools and the metrics server. */
  stop(): Promise<void>;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`validator option ${name}=${value} is invalid; pass a positive integer`);
  return value;
}

/** Like the subnet template: refuse to start for a hotkey the subnet does not know; warn without a permit. */
async function checkRegistration(
  options: ValidatorOptions,
  metagraph: SubnetStateCache,
  log: Logger,
): Promise<void> {
  const { metagraph: m } = await metagraph.get(true);
  const uid = m.hotkeys.indexOf(options.hotkey);
  if (uid < 0) {
    throw new Error(
      `hotkey ${options.hotkey} is not registered on netuid ${options.netuid}; register it first ` +
        `(${fixCommand('subnet register', { '--netuid': options.netuid, '--wallet': '<name>', '--hotkey': '<name>' })})`,
    );
  }
  if (!m.validatorPermit[uid]) {
    log.warn(
      { uid, netuid: options.netuid },
      `uid ${uid} has no validator permit on netuid ${options.netuid} yet: the chain refuses its weights until it holds one (add stake)`,
    );
  }
}

/**
 * Default BullMQ lock of the validator's jobs, ms. With the stalled check at half of it, a job of a
 * process killed with SIGKILL resumes within 15 s. Locks are renewed every half lock, so only an
 * event loop blocked for longer than the whole lock could let a live job be taken over (harmless:
 * queries are re-asked with the stored challenge and the fold is idempotent).
 */
export const DEFAULT_LOCK_DURATION_MS = 10_000;

/** Start a validator. */
/**
 * `~/.subnetkit/validator/<subnet>/<netuid>-<hotkey>`: the plugin's directory of a validator when
 * `subnetkit validator` is given no `--data-dir`.
 */
export function defaultValidatorDataDir(subnet: string, netuid: number, hotkey: string): string {
  return join(homedir(), '.subnetkit', 'validator', subnet, `${netuid}-${hotkey}`);
}

export async function startValidator(options: ValidatorOptions): Promise<RunningValidator> {
  const log = options.logger ?? pino({ level: 'silent' });
  const keyPrefix = options.keyPrefix ?? defaultKeyPrefix(options.netuid, options.hotkey);
  // On Redis Cluster every key and queue of this validator must share one slot: the Lua scripts
  // (fold, block claim, round number) and BullMQ's flows touch several of them at once.
  if (parseRedisUrl(options.redis).kind === 'cluster' && !hasHashTag(keyPrefix)) {
    throw new Error(
      `keyPrefix "${keyPrefix}" has no hash tag, so its keys would spread over Redis Cluster slots: write it as "{${keyPrefix}}" (or leave the default)`,
    );
  }
  const roundIntervalMs = positiveInt('roundIntervalMs', options.roundIntervalMs ?? 12_000);
  const weightsCheckIntervalMs = positiveInt(
    'weightsCheckIntervalMs',
    options.weightsCheckIntervalMs ?? 12_000,
  );
  const workers = positiveInt('workers', options.workers ?? 4);
  const lockDuration = positiveInt('lockDurationMs', options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS);
  const stalledInterval = positiveInt(
    'stalledIntervalMs',
    options.stalledIntervalMs ?? Math.max(1_000, Math.floor(lockDuration / 2)),
  );
  // Every option is checked before any connection opens, so a bad one leaks nothing.
  const sampleSize = positiveInt('sampleSize', options.sampleSize ?? 50);
  const batchSize = positiveInt('batchSize', options.batchSize ?? Math.ceil(sampleSize / workers));
  const dataDir = options.dataDir;
  if (dataDir) {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (err) {
      throw new Error(
        `dataDir=${dataDir}: cannot create it (${(err as Error).message}); pass a writable directory (--data-dir)`,
      );
    }
  }
  const queryTimeoutMs = positiveInt('queryTimeoutMs', options.queryTimeoutMs ?? 12_000);
  const maxPendingRounds = positiveInt('maxPendingRounds', options.maxPendingRounds ?? 3);
  const roundEveryBlocks =
    options.roundEveryBlocks === undefined ? 0 : positiveInt('roundEveryBlocks', options.roundEveryBlocks);
  const weightsAttempts = positiveInt('weightsAttempts', options.weightsAttempts ?? 6);
  const weightsBackoffMs = positiveInt('weightsBackoffMs', options.weightsBackoffMs ?? 2_000);
  const emaAlpha = checkAlpha(options.emaAlpha ?? DEFAULT_EMA_ALPHA);
  // Checked here so a bad --protocol fails before any connection opens.
  const dendrite = new Dendrite({
    ...options.dendrite,
    sign: options.sign,
    ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
  });

  const metagraph = new SubnetStateCache(
    options.chain,
    options.netuid,
    positiveInt('resyncBlocks', options.resyncBlocks ?? 100),
  );
  if (options.requireRegistration !== false) await checkRegistration(options, metagraph, log);
  const redisOpts: RedisOptions = { maxRetriesPerRequest: null, ...options.redisOptions };
  const connections: RedisClient[] = [];
  const connect = () => {
    const c = createRedis(options.redis, redisOpts);
    // ioredis reconnects by itself; without a listener an 'error' would crash the process.
    c.on('error', (err) => log.debug({ err: err.message }, 'redis connection error (reconnecting)'));
    connections.push(c);
    return c;
  };
  const redis = connect();
  const bullConnection = connect();
  const bullPrefix = `${keyPrefix}:bull`;
  const queueOpts = { connection: bullConnection, prefix: bullPrefix };
  const queues = {
    rounds: new Queue(QUEUES.rounds, queueOpts),
    queries: new Queue(QUEUES.queries, queueOpts),
    weights: new Queue(QUEUES.weights, queueOpts),
  };
  const flow = new FlowProducer(queueOpts);
  // Connection errors while Redis is away are expected; ioredis reconnects. Keep them out of stderr.
  const onQueueError = (err: Error) =>
    log.debug({ err: err.message }, 'queue connection error (reconnecting)');
  for (const q of Object.values(queues)) q.on('error', onQueueError);
  flow.on('error', onQueueError);

  const registry =
    options.registry ??
    createMetricsRegistry({ defaultLabels: { role: 'validator', netuid: String(options.netuid) } });
  const store = new ScoreStore(redis, { prefix: keyPrefix, alpha: emaAlpha });
  const metrics = createValidatorMetrics(registry, {
    scores: () => store.read(),
    queueCounts: async () =>
      Promise.all(
        Object.entries(queues).map(async ([name, q]) => {
          const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'failed');
          const [oldest] = await q.getJobs(['wait'], 0, 0, true);
          return oldest
            ? { queue: name, counts, oldestWaitingMs: Date.now() - oldest.timestamp }
            : { queue: name, counts };
        }),
      ),
  });

  // Plugins with artifact synapses may fetch artifacts outside a round (`ctx.peers` in challenge).
  const peers = options.plugin.synapseNames.some((n) => options.plugin.synapses[n]?.artifact)
    ? peerArtifacts({
        plugin: options.plugin,
        sign: options.sign,
        metagraph: async () => (await metagraph.get()).metagraph,
      })
    : undefined;
  const roundCtx: RoundContext = {
    plugin: options.plugin,
    netuid: options.netuid,
    hotkey: options.hotkey,
    redis,
    keyPrefix,
    store,
    dendrite,
    metagraph,
    metrics,
    log,
    queues,
    flow,
    sampleSize,
    batchSize,
    queryTimeoutMs,
    maxPendingRounds,
    vpermitTaoLimit: options.vpermitTaoLimit ?? 4096,
    roundEveryBlocks,
    currentBlock: () => options.chain.currentBlock(),
    presignJobs: options.presignAhead === false ? 0 : workers,
    ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
    ...(options.pluginChain ? { pluginChain: options.pluginChain } : {}),
    ...(peers ? { peers } : {}),
    ...(dataDir ? { dataDir } : {}),
  };
  const weightCtx: WeightContext = {
    netuid: options.netuid,
    hotkey: options.hotkey,
    versionKey: options.versionKey ?? options.plugin.versionKey,
    chain: options.chain,
    redis,
    keyPrefix,
    store,
    metagraph,
    metrics,
    log,
    queue: queues.weights,
    excludeQuantile: options.excludeQuantile ?? 0,
    attempts: weightsAttempts,
    backoffMs: weightsBackoffMs,
  };

  // Recorded on each job (processedBy), so operators can see which process ran what.
  const workerName = `validator@${hostname()}:${process.pid}`;
  const workerOpts = (concurrency: number) => ({
    name: workerName,
    connection: connect(),
    prefix: bullPrefix,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount: 5,
  });
  const roundWorker = new Worker(
    QUEUES.rounds,
    async (job: Job) => {
      if (job.name === 'fold') return processFold(roundCtx, job as Job<FoldJobData>);
      return processTick(roundCtx, job);
    },
    workerOpts(2),
  );
  const queryWorker = new Worker(
    QUEUES.queries,
    async (job: Job<QueryJobData>) => processQuery(roundCtx, job),
    workerOpts(workers),
  );
  const weightWorker = new Worker(
    QUEUES.weights,
    async (job: Job) =>
      job.name === 'set'
        ? processWeightsSet(weightCtx, job as Job<{ epoch: number }>)
        : processWeightsCheck(weightCtx),
    workerOpts(1),
  );
  const allWorkers = [roundWorker, queryWorker, weightWorker];
  let server: MetricsServer | undefined;
  let stopped = false;
  const shutdown = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(allWorkers.map((w) => w.close()));
    await Promise.allSettled([...Object.values(queues).map((q) => q.close()), flow.close()]);
    await dendrite.close();
    await peers?.close();
    await server?.close();
    await Promise.allSettled(connections.map((c) => c.quit().catch(() => c.disconnect())));
  };
  for (const w of allWorkers) {
    w.on('error', (err) => log.warn({ err: err.message, queue: w.name }, 'worker error (BullMQ retries)'));
    w.on('failed', (job, err) => {
      if (!job) return;
      const stage =
        w === queryWorker ? 'query' : job.name === 'fold' ? 'fold' : job.name === 'tick' ? 'tick' : undefined;
      if (stage) metrics.roundsFailed.inc({ stage });
      log.warn(
        { queue: w.name, job: job.id, name: job.name, attempt: job.attemptsMade, err: err.message },
        'job failed',
      );
    });
  }

  const schedule = async () => {
    if (options.schedule?.rounds !== false) {
      await queues.rounds.upsertJobScheduler(
        'round',
        { every: roundIntervalMs },
        {
          name: 'tick',
          opts: { attempts: 3, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    }
    if (options.schedule?.weights !== false) {
      await queues.weights.upsertJobScheduler(
        'weights',
        { every: weightsCheckIntervalMs },
        {
          name: 'check',
          opts: { attempts: 2, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    }
  };
  try {
    await schedule();
  } catch (err) {
    await shutdown();
    throw new Error(
      `cannot register the validator's job schedulers in Redis at ${options.redis}: ${(err as Error).message}`,
    );
  }
  // After a Redis restart (possibly without persistence) put the schedulers back.
  let firstReady = true;
  redis.on('ready', () => {
    if (firstReady) {
      firstReady = false;
      return;
    }
    log.warn('reconnected to Redis; re-registering the round and weight schedulers');
    schedule().catch((err: Error) => log.error({ err: err.message }, 'could not re-register schedulers'));
  });
  if (redis.status === 'ready') firstReady = false;

  if (options.metricsPort !== undefined) {
    try {
      server = await startMetricsServer({
        registry,
        port: options.metricsPort,
        ...(options.metricsHost ? { host: options.metricsHost } : {}),
        health: async () => {
          // Never wait on Redis here: while it is down, commands queue until it is back.
          if (redis.status !== 'ready') {
            return { ok: false, redis: redis.status, netuid: options.netuid, hotkey: options.hotkey };
          }
          const timeout = <T>(fallback: T) =>
            new Promise<T>((r) => setTimeout(() => r(fallback), 1_000).unref());
          const [weights, lastFold] = await Promise.all([
            Promise.race([readWeightsState(redis, keyPrefix).catch(() => ({})), timeout({})]),
            Promise.race([redis.get(`${keyPrefix}:last-fold`).catch(() => null), timeout(null)]),
          ]);
          const lastRoundAgeSeconds = lastFold ? Math.round((Date.now() - Number(lastFold)) / 1000) : null;
          return {
            ok: true,
            redis: redis.status,
            netuid: options.netuid,
            hotkey: options.hotkey,
            lastRoundAgeSeconds,
            weights,
          };
        },
      });
    } catch (err) {
      await shutdown();
      throw new Error(`cannot serve metrics on port ${options.metricsPort}: ${(err as Error).message}`);
    }
  }

  return {
    keyPrefix,
    metrics,
    registry,
    metricsUrl: server?.url,
    queues,
    store,
    triggerRound: () =>
      processTick(roundCtx, {
        id: `manual-${Date.now()}-${Math.random().toString(36).slice(2)}`,
        name: 'tick',
        timestamp: Date.now(),
      } as Job),
    triggerWeightsCheck: () => processWeightsCheck(weightCtx),
    weightsState: () => readWeightsState(redis, keyPrefix),
    stop: shutdown,
  };
}
