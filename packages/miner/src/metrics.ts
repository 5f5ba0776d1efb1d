/** The miner's Prometheus metrics, registered on a registry from `@subnetkit/metrics`. */
import type { BtAuthFailureKind } from '@subnetkit/core';
import { BATCH_SIZE_BUCKETS, LATENCY_BUCKETS_SECONDS, METRIC_PREFIX } from '@subnetkit/metrics';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AccessDecision } from './policy.js';

/** 401 kinds: btauth/1's failure classes, and `Legacy` for the v10 headers. Each series starts at 0. */
export const AUTH_FAILURE_KINDS = [
  'MalformedAuth',
  'WrongReceiver',
  'StaleRequest',
  'BadSignature',
  'ReplayedRequest',
  'Legacy',
] as const satisfies readonly (BtAuthFailureKind | 'Legacy')[];

/** 403 reasons of the access policy. Each series starts at 0. */
export const FORBIDDEN_REASONS = [
  'Denied',
  'NotRegistered',
  'NoValidatorPermit',
] as const satisfies readonly Extract<AccessDecision, { ok: false }>['reason'][];

/** The metric objects the axon updates. */
export interface MinerMetrics {
  requests: Counter<'synapse' | 'status'>;
  latency: Histogram<'synapse'>;
  authFailures: Counter<'kind'>;
  forbidden: Counter<'reason'>;
  queueDepth: Gauge;
  inFlight: Gauge;
  batchSize: Histogram<'synapse'>;
  inferenceSeconds: Histogram<'synapse'>;
}

/**
 * Creates and registers the miner metrics on `registry`. `load` is read at every scrape for the
 * queue-depth and in-flight gauges.
 */
export function createMinerMetrics(
  registry: Registry,
  load: () => { waiting: number; running: number } = () => ({ waiting: 0, running: 0 }),
): MinerMetrics {
  const p = `${METRIC_PREFIX}miner_`;
  const metrics: MinerMetrics = {
    requests: new Counter({
      name: `${p}requests_total`,
      help: 'Requests answered, by synapse and HTTP status',
      labelNames: ['synapse', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: `${p}request_duration_seconds`,
      help: 'Time from request arrival to response, by synapse',
      labelNames: ['synapse'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: `${p}auth_failures_total`,
      help: 'btauth/1 verification failures (401), by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    forbidden: new Counter({
      name: `${p}forbidden_total`,
      help: 'Verified callers refused by the blacklist (403), by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: `${p}queue_depth`,
      help: 'Requests waiting for a slot in the priority gate',
      registers: [registry],
      collect() {
        this.set(load().waiting);
      },
    }),
    inFlight: new Gauge({
      name: `${p}in_flight`,
      help: 'Requests holding a slot (running forward)',
      registers: [registry],
      collect() {
        this.set(load().running);
      },
    }),
    batchSize: new Histogram({
      name: `${p}batch_size`,
      help: 'Requests per forwardBatch call, by synapse',
      labelNames: ['synapse'],
      buckets: BATCH_SIZE_BUCKETS,
      registers: [registry],
    }),
    inferenceSeconds: new Histogram({
      name: `${p}inference_seconds`,
      help: 'Time spent in the plugin forward / forwardBatch, by synapse',
      labelNames: ['synapse'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
  };
  // Known label values start at 0, so rates and alerts have a series before the first refusal.
  for (const kind of AUTH_FAILURE_KINDS) metrics.authFailures.inc({ kind }, 0);
  for (const reason of FORBIDDEN_REASONS) metrics.forbidden.inc({ reason }, 0);
  return metrics;
}
