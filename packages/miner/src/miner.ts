/**
 * The miner process: run the plugin's setup, load the metagraph, serve the axon, announce it on
 * chain when its address changed, keep the metagraph fresh, log one status line per minute, and
 * drain in-flight requests on shutdown.
 */
import { mkdirSync } from 'node:fs';
import { networkInterfaces, homedir } from 'node:os';
import { join } from 'node:path';
import {
  type AnySubnetPlugin,
  fixCommand,
  type MinerChainAccess,
  type PeerArtifacts,
  type ReplayStore,
} from '@subnetkit/core';
import { registerInferenceMetrics } from '@subnetkit/inference';
import { createMetricsRegistry } from '@subnetkit/metrics';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type AxonPolicy, type AxonServer, createAxon, type LegacyOptions } from './axon.js';
import {
  backendText,
  type MinerInferenceOptions,
  type PreparedMinerModel,
  prepareMinerModel,
} from './inference.js';
import { MetagraphCache, type MinerChain } from './metagraph.js';
import { type BatchOptions, DEFAULT_MAX_BATCH } from './runner.js';

/** `version_as_int` of subnetkit's axon announcements (major*1e6 + minor*1e3 + patch of 0.1.0). */
export const AXON_VERSION = 1_000;

/** The hotkey the miner serves as; a `@polkadot/keyring` pair satisfies it. */
export interface MinerHotkey {
  readonly address: string;
}

/** Options of {@link startMiner}. */
export interface StartMinerOptions {
  plugin: AnySubnetPlugin;
  hotkey: MinerHotkey;
  netuid: number;
  /** Chain access (metagraph, axon lookup, serve_axon). */
  chain: MinerChain;
  /**
   * The subnet's chain as the plugin sees it (`ctx.chain` in `setup`: commitments, incentive; e.g.
   * `minerChainAccess(client, netuid, hotkey)` from `@subnetkit/chain`). Omitted: plugins get none.
   */
  pluginChain?: MinerChainAccess;
  /**
   * How the plugin fetches artifacts from peers as this miner (`ctx.peers` in `setup`; e.g.
   * `peerArtifacts` from `@subnetkit/validator`, signed with this hotkey). Omitted: plugins get none.
   */
  peers?: PeerArtifacts;
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Interface to bind (default 0.0.0.0, like the Python axon). */
  host?: string;
  /** IP to announce on chain (default: the first non-internal IPv4 of this machine). */
  externalIp?: string;
  /** Port to announce (default: the listening port). */
  externalPort?: number;
  /** Skip serve_axon (the axon is announced some other way). Default false. */
  skipAnnounce?: boolean;
  /**
   * Where the plugin keeps its model: `<dataDir>/model` for plugins with `miner.model` (default
   * {@link defaultDataDir}, the directory `subnetkit train --subnet <name>` writes to).
   */
  dataDir?: string;
  replayStore?: ReplayStore;
  policy?: AxonPolicy;
  /** Micro-batching of plugins with `forwardBatch` (`maxBatchSize: 1` turns batching off). */
  batch?: BatchOptions;
  /**
   * For plugins with a tensor model (`miner.model`): backend, training a missing model on start,
   * warm-up. The model is always loaded from `<dataDir>/<miner.model.dir ?? 'model'>`.
   */
  inference?: MinerInferenceOptions;
  legacy?: boolean | LegacyOptions;
  /** How often to re-read the metagraph, ms (default 60 000). */
  metagraphRefreshMs?: number;
  /** Status line interval, ms (default 60 000). */
  statusIntervalMs?: number;
  /**
   * Text naming the inference backend for the status line and /healthz (default: the selected
   * tfjs backend, e.g. `wasm/cpu-simd`, else read from the model).
   */
  backend?: string;
  registry?: Registry;
  logger?: Logger;
  /** Stop on SIGTERM/SIGINT (default false; the CLI turns it on). */
  handleSignals?: boolean;
}

/** A running miner. */
export interface RunningMiner {
  app: AxonServer;
  /** The listening port. */
  port: number;
  /** `http://127.0.0.1:<port>` (for local callers). */
  url: string;
  /** What was announced on chain (or found already there). */
  announced: { ip: string; port: number; changed: boolean } | undefined;
  metagraph: MetagraphCache;
  model: unknown;
  /** Text naming the inference backend. */
  backend: string;
  /** The tensor model's backend, directory and warm-up, for plugins with `miner.model`. */
  inference: PreparedMinerModel['inference'];
  /** Stops serving after in-flight requests finish. Idempotent. */
  stop(): Promise<void>;
}

/**
 * `~/.subnetkit/data/<subnet>`: the data directory of a subnet's miner when none is given, and
 * where `subnetkit train` saves the model by default, so a trained model is found without flags.
 */
export function defaultDataDir(subnet: string): string {
  return join(homedir(), '.subnetkit', 'data', subnet);
}

/** The first non-internal IPv4 address of this machine, if any. */
export function detectExternalIp(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return undefined;
}

/** Names the inference backend from a model that carries one (`model.backend` from @subnetkit/inference). */
export function describeBackend(model: unknown): string {
  const backend = (model as { backend?: unknown } | null | undefined)?.backend;
  if (typeof backend === 'string') return backend;
  if (backend && typeof backend === 'object') {
    const b = backend as { backend?: unknown; device?: unknown };
    if (typeof b.backend === 'string')
      return typeof b.device === 'string' ? `${b.backend}/${b.device}` : b.backend;
  }
  return 'js (no tensor backend)';
}

/** Starts a miner; resolves once it serves and (when needed) its axon is announced on chain. */
export async function startMiner(options: StartMinerOptions): Promise<RunningMiner> {
  const { plugin, netuid, hotkey, chain } = options;
  const log = options.logger ?? pino({ name: 'miner' });
  const registry =
    options.registry ??
    createMetricsRegistry({
      defaultLabels: { role: 'miner', netuid: String(netuid), hotkey: hotkey.address, subnet: plugin.name },
    });

  const metagraph = new MetagraphCache({
    netuid,
    load: (n) => chain.metagraph(n),
    refreshMs: options.metagraphRefreshMs ?? 60_000,
    onError: (err) =>
      log.warn({ err }, `metagraph refresh for netuid ${netuid} failed; keeping the last snapshot`),
  });
  await metagraph.start();
  const me = metagraph.lookup(hotkey.address);
  if (!me) {
    metagraph.stop();
    throw new Error(
      `hotkey ${hotkey.address} is not registered on netuid ${netuid}; register it first (${fixCommand('subnet register', { '--netuid': netuid, '--wallet': '<wallet>', '--hotkey': '<hotkey>' })}, or btcli subnet register)`,
    );
  }

  const dataDir = options.dataDir ?? defaultDataDir(plugin.name);
  mkdirSync(dataDir, { recursive: true });
  // The plugin's signal: aborted when setup is interrupted and when the miner stops (ends the plugin's
  // background work, e.g. a round loop started in setup).
  const setupAbort = new AbortController();
  const stopSetup = () => setupAbort.abort(new Error('miner stopped during setup'));
  if (options.handleSignals) process.once('SIGTERM', stopSetup);
  log.info(`subnet ${plugin.name}: running miner setup (data dir ${dataDir})`);
  let prepared: PreparedMinerModel;
  try {
    prepared = await prepareMinerModel(
      plugin,
      {
        dataDir,
        log,
        signal: setupAbort.signal,
        ...(options.pluginChain ? { chain: options.pluginChain } : {}),
        ...(options.peers ? { peers: options.peers } : {}),
      },
      { warmUpRows: options.batch?.maxBatchSize ?? DEFAULT_MAX_BATCH, ...options.inference },
    );
  } catch (err) {
    metagraph.stop();
    throw err;
  } finally {
    process.off('SIGTERM', stopSetup);
  }
  const { model, inference } = prepared;
  const backend = options.backend ?? (inference ? backendText(inference.backend) : describeBackend(model));
  const inferenceMetrics = inference
    ? registerInferenceMetrics(registry, { backend: inference.backend })
    : undefined;

  const app = createAxon({
    plugin,
    model,
    hotkey,
    netuid,
    metagraph,
    registry,
    logger: log,
    ...(options.replayStore ? { replayStore: options.replayStore } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.batch ? { batch: options.batch } : {}),
    ...(options.legacy ? { legacy: options.legacy } : {}),
    ...(inferenceMetrics ? { inferenceMetrics } : {}),
    health: () => {
      const age = metagraph.ageMs;
      const refresh = options.metagraphRefreshMs ?? 60_000;
      // Stale after three missed refreshes: blacklist decisions would be made on old data.
      return {
        ok: age < refresh * 3 + 10_000,
        metagraphAgeMs: age,
        backend,
        ...(inference
          ? {
              inference: {
                backend: inference.backend.backend,
                device: inference.backend.device,
                modelDir: inference.dir,
              },
            }
          : {}),
        uid: metagraph.lookup(hotkey.address)?.uid,
      };
    },
  });
  const host = options.host ?? '0.0.0.0';
  try {
    await app.listen({ port: options.port, host });
  } catch (err) {
    metagraph.stop();
    setupAbort.abort(new Error('miner stopped'));
    await app.close();
    prepared.dispose();
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `port ${options.port} on ${host} is in use; pick another with --port`
        : `cannot listen on ${host}:${options.port}: ${(err as Error).message}`,
    );
  }
  const port = (app.server.address() as { port: number }).port;

  let announced: RunningMiner['announced'];
  try {
    if (!options.skipAnnounce) announced = await announceAxon(options, port, log, () => metagraph.refresh());
  } catch (err) {
    metagraph.stop();
    setupAbort.abort(new Error('miner stopped'));
    await app.close();
    prepared.dispose();
    throw err;
  }

  let last = app.axon.stats();
  const statusTimer = setInterval(() => {
    const now = app.axon.stats();
    log.info(
      {
        requests: now.requests - last.requests,
        errors: now.errors - last.errors,
        backend,
        running: now.running,
        waiting: now.waiting,
      },
      `last minute: ${now.requests - last.requests} requests, ${now.errors - last.errors} errors; backend ${backend}`,
    );
    last = now;
  }, options.statusIntervalMs ?? 60_000);
  statusTimer.unref();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(statusTimer);
      metagraph.stop();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log.info('miner stopping: draining in-flight requests');
      setupAbort.abort(new Error('miner stopped'));
      await app.close();
      prepared.dispose();
      log.info('miner stopped');
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log.info(`${signal} received`);
    void stop().then(() => {
      process.exitCode = 0;
    });
  };
  if (options.handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  log.info(
    `miner for subnet ${plugin.name} serving on ${host}:${port} as ${hotkey.address} (uid ${me.uid}, netuid ${netuid}); backend ${backend}`,
  );
  return {
    app,
    port,
    url: `http://127.0.0.1:${port}`,
    announced,
    metagraph,
    model,
    backend,
    inference,
    stop,
  };
}

/** Calls `serve_axon` only when the ip/port on chain differ from what this miner would announce. */
async function announceAxon(
  options: StartMinerOptions,
  port: number,
  log: Logger,
  refreshMetagraph: () => Promise<unknown>,
): Promise<NonNullable<RunningMiner['announced']>> {
  const { chain, netuid, hotkey } = options;
  const ip = options.externalIp ?? detectExternalIp();
  if (!ip) {
    throw new Error(
      'cannot tell which IP validators should use to reach this miner; pass --external-ip <public IPv4>',
    );
  }
  const wantPort = options.externalPort ?? port;
  const current = await chain.axonOf(netuid, hotkey.address);
  const changed = !current || current.ip !== ip || current.port !== wantPort;
  if (changed) {
    log.info(`announcing axon ${ip}:${wantPort} for ${hotkey.address} on netuid ${netuid} (serve_axon)`);
    await chain.serveAxon(netuid, { ip, port: wantPort, version: AXON_VERSION });
    await refreshMetagraph();
  } else {
    log.info(`axon ${ip}:${wantPort} already on chain for ${hotkey.address}; not re-announcing`);
  }
  return { ip, port: wantPort, changed };
}
