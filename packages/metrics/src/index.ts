/**
 * @subnetkit/metrics: one Prometheus registry per process, the metric-name prefix every
 * subnetkit metric shares, standard buckets, and a tiny /metrics + /healthz server for processes
 * that have no HTTP server of their own (the validator; the miner serves both on its axon).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Every subnetkit metric name starts with this. */
export const METRIC_PREFIX = 'subnetkit_';

/** Latency buckets in seconds, from 1 ms to 30 s (query and inference latencies). */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Size buckets for batch sizes (1 to 1024). */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** Score buckets for values in [0, 1]. */
export const SCORE_BUCKETS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export interface RegistryOptions {
  /** Labels added to every metric, e.g. `{ role: 'miner', netuid: '1', hotkey }`. */
  defaultLabels?: Record<string, string>;
  /** Also export Node process metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean;
}

/** A fresh registry (never the prom-client global one, so tests and several servers in one process don't collide). */
export function createMetricsRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
    dropTotalSuffixOfGauges(registry);
  }
  return registry;
}

/**
 * prom-client's process metrics include gauges named `*_total` (nodejs_active_handles_total, ...), which
 * `promtool check metrics` rejects ("non-counter metrics should not have _total suffix"). Those that are the
 * sum of a per-type gauge of the same base name (nodejs_active_handles{type}) are dropped (sum() the
 * per-type one); any other is served without the suffix, read from the original at scrape time.
 */
function dropTotalSuffixOfGauges(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray()) {
    if (!(metric instanceof Gauge)) continue;
    const source = metric as Gauge<string> & { name: string; help: string; labelNames?: string[] };
    if (!source.name.endsWith('_total')) continue;
    registry.removeSingleMetric(source.name);
    const base = source.name.slice(0, -'_total'.length);
    if (registry.getSingleMetric(base)) continue;
    new Gauge({
      name: base,
      help: source.help,
      labelNames: source.labelNames ?? [],
      registers: [registry],
      async collect() {
        this.reset();
        for (const v of (await source.get()).values) this.set(v.labels, v.value);
      },
    });
  }
}

/** What /healthz reports: `ok` false answers 503 so orchestrators restart or stop routing. */
export interface HealthReport {
  ok: boolean;
  [detail: string]: unknown;
}

export interface MetricsServerOptions {
  registry: Registry;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Default 0.0.0.0 so Prometheus can scrape from another host; tests use 127.0.0.1. */
  host?: string;
  health?: () => HealthReport | Promise<HealthReport>;
}

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serve `GET /metrics` (Prometheus text format) and `GET /healthz` (JSON) on a plain Node HTTP server. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '0.0.0.0';
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
        } else if (path === '/metrics') {
          const body = await options.registry.metrics();
          res.writeHead(200, { 'content-type': options.registry.contentType }).end(body);
        } else if (path === '/healthz') {
          const report = options.health ? await options.health() : { ok: true };
          res
            .writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify(report));
        } else {
          res
            .writeHead(404, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'try /metrics or /healthz' }));
        }
      } catch (err) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: (err as Error).message }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`metrics port ${options.port} on ${host} is in use; pick another with --metrics-port`)
          : err,
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export {
  type CreateLoggerOptions,
  type LogLevel,
  REDACTED,
  SECRET_KEY_PATTERNS,
  createLogger,
  isSecretKey,
  redactSecrets,
  redactText,
} from './logging.js';
