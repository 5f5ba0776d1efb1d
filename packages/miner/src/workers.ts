/**
 * `subnetkit miner --workers <n>`: the axon in n processes (node:cluster) sharing one listening port,
 * so HTTP parsing, btauth/1 verification and the plugin's forward use every core. The primary only
 * forks, restarts a worker that dies, relays SIGTERM/SIGINT (each worker drains) and aggregates
 * `/metrics`: a worker asked for /metrics asks the primary, which sums every worker's registry
 * (prom-client's AggregatorRegistry), so one scrape sees the whole miner.
 *
 * Workers must share the replay store (`--redis`): with one in-memory store per process a request
 * replayed to another worker would be accepted. Only worker 0 announces the axon on chain.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** Environment variable holding a worker's index (0-based) in its miner. */
export const MINER_WORKER_ENV = 'SUBNETKIT_MINER_WORKER';

/**
 * The number of axon processes: `requested`, or by default the number of cores when the replay
 * store is shared (Redis) and 1 when it is in memory. Throws when more than one is asked for
 * without a shared store, naming the fix.
 */
export function minerWorkerCount(requested: number | undefined, sharedReplayStore: boolean): number {
  if (requested === undefined) return sharedReplayStore ? availableParallelism() : 1;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RangeError(`--workers ${requested} must be a positive integer, e.g. 2`);
  }
  if (requested > 1 && !sharedReplayStore) {
    throw new Error(
      `--workers ${requested} needs a replay store the worker processes share: add --redis redis://127.0.0.1:6379 (or run --workers 1)`,
    );
  }
  return requested;
}

/** This process's worker index when it is a worker of a multi-process miner, else undefined. */
export function minerWorkerIndex(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const i = Number(process.env[MINER_WORKER_ENV]);
  return Number.isInteger(i) && i >= 0 ? i : undefined;
}

interface MetricsRequest {
  type: 'subnetkit:metrics';
  id: number;
}
interface MetricsReply {
  type: 'subnetkit:metrics';
  id: number;
  text?: string;
  error?: string;
}
interface ReadyMessage {
  type: 'subnetkit:ready';
  port: number;
}

/**
 * In a worker: make `registry.metrics()` answer with every worker's metrics summed by the primary
 * (counters and histograms add up; gauges too, e.g. running requests), and register `registry` for
 * the primary's aggregation. No-op outside a cluster worker.
 */
export function shareMetricsWithPrimary(registry: Registry, timeoutMs = 5_000): void {
  if (!cluster.isWorker || !process.send) return;
  // Constructing one installs prom-client's worker-side listener that answers the primary.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const pending = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void }>();
  process.on('message', (msg: Partial<MetricsReply>) => {
    if (msg?.type !== 'subnetkit:metrics' || typeof msg.id !== 'number') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.text !== undefined) p.resolve(msg.text);
    else p.reject(new Error(`aggregating the workers' metrics failed: ${msg.error}`));
  });
  // The aggregated text replaces this instance's own; getMetricsAsJSON (what the primary reads) stays.
  registry.metrics = () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the miner's primary process did not answer for /metrics within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      process.send?.({ type: 'subnetkit:metrics', id } satisfies MetricsRequest);
    });
}

/** In a worker: tell the primary this worker serves (on `port`). */
export function reportWorkerReady(port: number): void {
  process.send?.({ type: 'subnetkit:ready', port } satisfies ReadyMessage);
}

/** Logger the primary writes to (pino-compatible subset). */
export interface WorkersLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** A running multi-process miner, seen from the primary. */
export interface MinerWorkers {
  /** The port every worker serves on. */
  port: number;
  /** SIGTERM every worker (each drains its requests) and wait until all exited. */
  stop(): Promise<void>;
}

/**
 * In the primary: fork `workers` copies of this process (same argv; {@link MINER_WORKER_ENV} set) and
 * resolve once every one serves. A worker that exits during start-up fails the whole start (its
 * message is in the log); one that dies later is restarted after a second.
 */
export async function startMinerWorkers(workers: number, log: WorkersLog): Promise<MinerWorkers> {
  if (!cluster.isPrimary) throw new Error('startMinerWorkers runs in the primary process only');
  const aggregator = new AggregatorRegistry();
  const live = new Map<number, Worker>();
  let stopping = false;
  let port = 0;

  const fork = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const w = cluster.fork({ [MINER_WORKER_ENV]: String(index) });
      live.set(index, w);
      let ready = false;
      w.on('message', (msg: Partial<ReadyMessage | MetricsRequest>) => {
        if (msg?.type === 'subnetkit:ready') {
          ready = true;
          port = (msg as ReadyMessage).port;
          resolve();
        } else if (msg?.type === 'subnetkit:metrics' && typeof msg.id === 'number') {
          const id = msg.id;
          aggregator.clusterMetrics().then(
            (text) =>
              w.isConnected() && w.send({ type: 'subnetkit:metrics', id, text } satisfies MetricsReply),
            (err: Error) =>
              w.isConnected() &&
              w.send({ type: 'subnetkit:metrics', id, error: err.message } satisfies MetricsReply),
          );
        }
      });
      w.on('exit', (code, signal) => {
        if (live.get(index) === w) live.delete(index);
        if (!ready) {
          reject(new Error(`miner worker ${index} exited during start-up (${signal ?? `code ${code}`})`));
          return;
        }
        if (stopping) return;
        log.error(`miner worker ${index} died (${signal ?? `code ${code}`}); restarting it in 1 s`);
        setTimeout(() => {
          if (!stopping) fork(index).catch((err: Error) => log.error(err.message));
        }, 1_000).unref();
      });
    });

  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...live.values()].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    // Worker 0 first: it announces the axon on chain and learns the port when --port is 0.
    await fork(0);
    await Promise.all(Array.from({ length: workers - 1 }, (_, i) => fork(i + 1)));
  } catch (err) {
    await stop();
    throw err;
  }
  log.info(`miner serving on port ${port} with ${workers} worker processes`);
  return { port, stop };
}
