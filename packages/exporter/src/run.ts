/** `runExporter`: connect to a chain, export subnets, serve /metrics and /healthz. What `subnetkit exporter` calls. */
import { connect, type SubtensorClient } from '@subnetkit/chain';
import { type MetricsServer, startMetricsServer } from '@subnetkit/metrics';
import { type Logger, pino } from 'pino';
import { ChainExporter } from './exporter.js';

/** Default port of the exporter's /metrics and /healthz. */
export const DEFAULT_EXPORTER_PORT = 9102;

export interface RunExporterOptions {
  /** ws(s):// URL or local|test|finney. */
  chain: string;
  netuids: number[];
  /** Port for /metrics and /healthz (default 9102; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 0.0.0.0). */
  host?: string;
  /** Refresh every this many milliseconds instead of on every new block. */
  intervalMs?: number;
  hotkeyPrefixLength?: number;
  staleAfterMs?: number;
  logger?: Logger;
}

export interface RunningExporter {
  exporter: ChainExporter;
  /** Base URL of the metrics server (`${url}/metrics`, `${url}/healthz`). */
  url: string;
  port: number;
  /** Stops following the chain, closes the server and the chain connection. */
  stop(): Promise<void>;
}

/**
 * Parses `--netuid 1,3` (repeatable values are joined by the caller) into netuids, with errors that name
 * the flag and the fix.
 */
export function parseNetuids(value: string): number[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0)
    throw new Error('--netuid needs at least one netuid, e.g. --netuid 1 or --netuid 1,3');
  return parts.map((p) => {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n > 65_535)
      throw new Error(
        `invalid netuid ${JSON.stringify(p)} in --netuid: use integers 0-65535 separated by commas`,
      );
    return n;
  });
}

/** Connects to `options.chain`, starts a {@link ChainExporter} and serves it. */
export async function runExporter(options: RunExporterOptions): Promise<RunningExporter> {
  const log = options.logger ?? pino({ name: 'exporter' });
  let client: SubtensorClient | undefined;
  let exporter: ChainExporter | undefined;
  let server: MetricsServer | undefined;
  const stop = async () => {
    await exporter?.stop();
    await server?.close();
    await client?.close();
  };
  try {
    client = await connect(options.chain);
    exporter = new ChainExporter({
      client,
      netuids: options.netuids,
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(options.hotkeyPrefixLength !== undefined ? { hotkeyPrefixLength: options.hotkeyPrefixLength } : {}),
      ...(options.staleAfterMs !== undefined ? { staleAfterMs: options.staleAfterMs } : {}),
      logger: log,
    });
    await exporter.start();
    const running = exporter;
    server = await startMetricsServer({
      registry: running.registry,
      port: options.port ?? DEFAULT_EXPORTER_PORT,
      ...(options.host ? { host: options.host } : {}),
      health: () => running.health(),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  log.info(
    { chain: client.url, netuids: exporter.netuids, metrics: `${server.url}/metrics` },
    'exporting the chain view',
  );
  return { exporter, url: server.url, port: server.port, stop };
}
