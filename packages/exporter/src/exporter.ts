/**
 * The chain exporter: keeps a snapshot of each watched subnet (refreshed on every new block or at an
 * interval) and serves it as Prometheus metrics. Reads only; holds no keys.
 */
import type { Metagraph, SubtensorClient } from '@subnetkit/chain';
import { createMetricsRegistry, type HealthReport } from '@subnetkit/metrics';
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { createExporterMetrics, type ExporterMetrics } from './metrics.js';
import { HOTKEY_PREFIX_LENGTH, type SubnetSample, subnetSample } from './samples.js';

/** The part of the chain client the exporter uses. */
export type ExporterChain = Pick<SubtensorClient, 'syncMetagraph' | 'subscribeBlocks' | 'url'> & {
  api: { isConnected: boolean };
};

export interface ChainExporterOptions {
  client: ExporterChain;
  /** Subnets to export; each must exist on the chain. */
  netuids: number[];
  /** Refresh every this many milliseconds instead of on every new block. */
  intervalMs?: number;
  /** Characters of the hotkey kept in the `hotkey_prefix` label (default 8). */
  hotkeyPrefixLength?: number;
  /** /healthz fails when a subnet's snapshot is older than this (default 120 s, or 3 intervals if longer). */
  staleAfterMs?: number;
  /** Registry to register on (default: a fresh one labelled role=exporter). */
  registry?: Registry;
  logger?: Logger;
}

/** Exports the chain's view of subnets; see the package README for every metric. */
export class ChainExporter {
  readonly registry: Registry;
  readonly netuids: readonly number[];
  readonly #client: ExporterChain;
  readonly #opts: ChainExporterOptions;
  readonly #log: Logger;
  readonly #metrics: ExporterMetrics;
  readonly #snapshots = new Map<number, SubnetSample>();
  readonly #refreshedAt = new Map<number, number>();
  #head: number | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ChainExporterOptions) {
    if (options.netuids.length === 0)
      throw new Error('the exporter needs at least one netuid: pass --netuid <n>[,<n>...]');
    this.#client = options.client;
    this.#opts = options;
    this.netuids = [...new Set(options.netuids)];
    this.#log = options.logger ?? pino({ name: 'exporter' });
    this.registry = options.registry ?? createMetricsRegistry({ defaultLabels: { role: 'exporter' } });
    this.#metrics = createExporterMetrics(this.registry, {
      head: () => this.#head,
      snapshots: () => this.#snapshots.values(),
      refreshedAt: () => this.#refreshedAt.entries(),
      chainConnected: () => this.#client.api.isConnected,
    });
  }

  /** Reads every subnet once (throws when one is missing), then follows new blocks or the interval. */
  async start(): Promise<void> {
    for (const netuid of this.netuids) {
      const mg = await this.#client.syncMetagraph(netuid);
      this.#store(mg);
    }
    if (this.#opts.intervalMs !== undefined) {
      this.#timer = setInterval(() => void this.refresh(), this.#opts.intervalMs);
    } else {
      this.#unsubscribe = await this.#client.subscribeBlocks((b) => {
        this.#head = Math.max(this.#head ?? 0, b.number);
        void this.refresh();
      });
    }
  }

  /**
   * Refreshes every subnet now. Calls made while a refresh runs are folded into one more pass after it,
   * so a burst of blocks costs at most two reads per subnet. A failed read keeps the last snapshot.
   */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        for (const netuid of this.netuids) {
          if (this.#stopped) return;
          await this.#refreshOne(netuid);
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #refreshOne(netuid: number): Promise<void> {
    const end = this.#metrics.refreshDuration.startTimer({ netuid: String(netuid) });
    try {
      this.#store(await this.#client.syncMetagraph(netuid));
      this.#metrics.refreshes.inc({ netuid: String(netuid), result: 'ok' });
    } catch (err) {
      this.#metrics.refreshes.inc({ netuid: String(netuid), result: 'error' });
      this.#log.warn(
        { err: (err as Error).message, netuid, chain: this.#client.url },
        'could not refresh the subnet snapshot; serving the previous one',
      );
    } finally {
      end();
    }
  }

  #store(mg: Metagraph): void {
    const sample = subnetSample(mg, this.#opts.hotkeyPrefixLength ?? HOTKEY_PREFIX_LENGTH);
    this.#snapshots.set(mg.netuid, sample);
    this.#refreshedAt.set(mg.netuid, Date.now() / 1000);
    this.#head = Math.max(this.#head ?? 0, mg.block);
  }

  /** The last snapshot of a subnet (undefined before the first read). */
  snapshot(netuid: number): SubnetSample | undefined {
    return this.#snapshots.get(netuid);
  }

  /** What /healthz reports: not ok while the chain is disconnected or a snapshot is stale. */
  health(): HealthReport {
    const staleAfterMs = Math.max(this.#opts.staleAfterMs ?? 120_000, 3 * (this.#opts.intervalMs ?? 0));
    const now = Date.now() / 1000;
    const subnets: Record<string, { block: number | null; ageSeconds: number | null }> = {};
    let fresh = true;
    for (const netuid of this.netuids) {
      const at = this.#refreshedAt.get(netuid);
      const age = at === undefined ? null : Math.round(now - at);
      if (age === null || age * 1000 > staleAfterMs) fresh = false;
      subnets[netuid] = { block: this.#snapshots.get(netuid)?.block ?? null, ageSeconds: age };
    }
    const connected = this.#client.api.isConnected;
    return { ok: connected && fresh, chain: this.#client.url, connected, head: this.#head ?? null, subnets };
  }

  /** Stops following the chain (the caller closes the client). Waits for a running refresh. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe?.();
    await this.#running;
  }
}
