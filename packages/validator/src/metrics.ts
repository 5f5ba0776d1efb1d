/**
 * The validator's Prometheus metrics. Names share `subnetkit_validator_`; queue depth, queue lag and
 * the per-uid EMA scores are read from Redis when Prometheus scrapes.
 */
import { LATENCY_BUCKETS_SECONDS, METRIC_PREFIX, SCORE_BUCKETS } from '@subnetkit/metrics';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ChainErrorKind } from './chain-errors.js';

const P = `${METRIC_PREFIX}validator_`;

/** Stages of round jobs (`rounds_failed_total{stage}`). Each series starts at 0. */
export const ROUND_STAGES = ['tick', 'query', 'fold'] as const;

/** Kinds of chain errors (`chain_errors_total{kind}`). Each series starts at 0. */
export const CHAIN_ERROR_KINDS = [
  'connection',
  'rate_limited',
  'rejected',
  'other',
] as const satisfies readonly ChainErrorKind[];

/** Scrapes must not hang while Redis is down: give up on a source after a second. */
function within<T>(p: Promise<T>, fallback: T, ms = 1_000): Promise<T> {
  return Promise.race([
    p.catch(() => fallback),
    new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref()),
  ]);
}

export interface ValidatorMetrics {
  roundsStarted: Counter<string>;
  roundsCompleted: Counter<string>;
  roundsFailed: Counter<'stage'>;
  roundsSkipped: Counter<'reason'>;
  roundDuration: Histogram<string>;
  lastRoundFolded: Gauge<string>;
  queries: Counter<'outcome'>;
  queryLatency: Histogram<'outcome'>;
  rewards: Histogram<string>;
  scores: Gauge<'uid' | 'hotkey'>;
  weightsSubmissions: Counter<'result'>;
  weightsLastBlock: Gauge<string>;
  weightsLastSuccess: Gauge<string>;
  queueDepth: Gauge<'queue' | 'state'>;
  queueLag: Gauge<'queue'>;
  chainErrors: Counter<'kind'>;
}

/** Hooks read at scrape time. */
export interface MetricsSources {
  queueCounts: () => Promise<{ queue: string; counts: Record<string, number>; oldestWaitingMs?: number }[]>;
  scores: () => Promise<Map<number, { hotkey: string; score: number }>>;
}

/** Register the validator's metrics on `registry`. */
export function createValidatorMetrics(registry: Registry, sources?: MetricsSources): ValidatorMetrics {
  const registers = [registry];
  const metrics: ValidatorMetrics = {
    roundsStarted: new Counter({
      name: `${P}rounds_started_total`,
      help: 'Evaluation rounds started (challenge sent to the sampled miners)',
      registers,
    }),
    roundsCompleted: new Counter({
      name: `${P}rounds_completed_total`,
      help: 'Evaluation rounds whose scores were folded into the EMA',
      registers,
    }),
    roundsFailed: new Counter({
      name: `${P}rounds_failed_total`,
      help: 'Failed attempts of round jobs, by stage (tick, query, fold); BullMQ retries them',
      labelNames: ['stage'],
      registers,
    }),
    roundsSkipped: new Counter({
      name: `${P}rounds_skipped_total`,
      help: 'Round ticks skipped, by reason',
      labelNames: ['reason'],
      registers,
    }),
    lastRoundFolded: new Gauge({
      name: `${P}last_round_folded_timestamp_seconds`,
      help: 'Unix time this process last folded a round into the EMA (take the max across processes)',
      registers,
    }),
    roundDuration: new Histogram({
      name: `${P}round_duration_seconds`,
      help: 'Time from a round tick to its EMA fold',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    queries: new Counter({
      name: `${P}queries_total`,
      help: 'Miner queries by outcome (ok, timeout, refused, overloaded, http_error, invalid_response, protocol_mismatch)',
      labelNames: ['outcome'],
      registers,
    }),
    queryLatency: new Histogram({
      name: `${P}query_latency_seconds`,
      help: 'Miner query latency by outcome',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    rewards: new Histogram({
      name: `${P}reward`,
      help: 'Rewards the subnet plugin gave, one per queried miner',
      buckets: SCORE_BUCKETS,
      registers,
    }),
    scores: new Gauge({
      name: `${P}score`,
      help: 'EMA score per uid (read from Redis at scrape time)',
      labelNames: ['uid', 'hotkey'],
      registers,
      async collect() {
        if (!sources) return;
        this.reset();
        const scores = await within(sources.scores(), new Map<number, { hotkey: string; score: number }>());
        for (const [uid, e] of scores) this.set({ uid: String(uid), hotkey: e.hotkey }, e.score);
      },
    }),
    weightsSubmissions: new Counter({
      name: `${P}weights_submissions_total`,
      help: 'Weight submissions by result (ok, error, skipped)',
      labelNames: ['result'],
      registers,
    }),
    weightsLastBlock: new Gauge({
      name: `${P}weights_last_block`,
      help: 'Block the last successful weight submission was included in',
      registers,
    }),
    weightsLastSuccess: new Gauge({
      name: `${P}weights_last_success`,
      help: '1 when the last weight submission succeeded, 0 when it failed',
      registers,
    }),
    queueDepth: new Gauge({
      name: `${P}queue_jobs`,
      help: 'BullMQ jobs per queue and state (read at scrape time)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        if (!sources) return;
        const all = await within(sources.queueCounts(), []);
        for (const q of all)
          for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.queue, state }, n);
      },
    }),
    queueLag: new Gauge({
      name: `${P}queue_lag_seconds`,
      help: 'Age of the oldest waiting job per queue (0 when none wait)',
      labelNames: ['queue'],
      registers,
      async collect() {
        if (!sources) return;
        const all = await within(sources.queueCounts(), []);
        for (const q of all) this.set({ queue: q.queue }, (q.oldestWaitingMs ?? 0) / 1000);
      },
    }),
    chainErrors: new Counter({
      name: `${P}chain_errors_total`,
      help: 'Chain errors by kind (connection, rate_limited, rejected, other)',
      labelNames: ['kind'],
      registers,
    }),
  };
  // Known label values start at 0, so rates and alerts have a series before the first failure.
  for (const stage of ROUND_STAGES) metrics.roundsFailed.inc({ stage }, 0);
  for (const kind of CHAIN_ERROR_KINDS) metrics.chainErrors.inc({ kind }, 0);
  return metrics;
}
