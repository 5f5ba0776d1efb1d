/**
 * Request accounting (onRequest + onSend): totals for the per-minute log line and tests, and the
 * per-synapse request counter and latency histogram. Counted when the answer is sent, not when it
 * finished writing, so a 499 to a caller that already went away counts too. Only synapse routes
 * and unknown paths count; /metrics, /healthz and /openapi.json do not.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { MinerMetrics } from '../metrics.js';
import type { GateStats } from '../priority-gate.js';

/** Counters for the per-minute log line and tests. */
export interface AxonStats {
  requests: number;
  errors: number;
  byStatus: Record<number, number>;
  running: number;
  waiting: number;
  shed: number;
}

/** The hooks and the totals they keep. */
export interface RequestObserver {
  onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: HookHandlerDoneFunction): void;
  stats(): AxonStats;
}

/** Creates the observer; `gate` supplies the live load numbers. */
export function createRequestObserver(metrics: MinerMetrics, gate: () => GateStats): RequestObserver {
  const totals = { requests: 0, errors: 0, byStatus: {} as Record<number, number> };
  // Metric children are cached per label set: the label hashing showed up in the hot path.
  const requestCounters = new Map<string, { inc(): void }>();
  const latencyHistograms = new Map<string, { observe(v: number): void }>();
  const started = new WeakMap<FastifyRequest, number>();
  return {
    onRequest(request, _reply, done) {
      started.set(request, performance.now());
      done();
    },
    onSend(request, reply, _payload, done) {
      const synapse = request.routeOptions.config.synapse;
      const status = reply.statusCode;
      if (synapse !== undefined || status === 404) {
        const label = synapse ?? 'unknown';
        totals.requests++;
        if (status >= 400) totals.errors++;
        totals.byStatus[status] = (totals.byStatus[status] ?? 0) + 1;
        const key = `${label} ${status}`;
        let counter = requestCounters.get(key);
        if (!counter) {
          counter = metrics.requests.labels({ synapse: label, status: String(status) });
          requestCounters.set(key, counter);
        }
        counter.inc();
        let histogram = latencyHistograms.get(label);
        if (!histogram) {
          histogram = metrics.latency.labels({ synapse: label });
          latencyHistograms.set(label, histogram);
        }
        histogram.observe((performance.now() - (started.get(request) ?? performance.now())) / 1000);
      }
      done();
    },
    stats() {
      const g = gate();
      return {
        ...totals,
        byStatus: { ...totals.byStatus },
        running: g.running,
        waiting: g.waiting,
        shed: g.shed,
      };
    },
  };
}
