/**
 * `subnetkit miner`: load a subnet plugin and its model, serve the axon, announce it on chain, and
 * keep serving until SIGTERM/SIGINT (which drains in-flight requests).
 */
import { Type } from '@sinclair/typebox';
import { connect, minerChainAccess } from '@subnetkit/chain';
import {
  type ConnectedReplayStore,
  connectRedisReplayStore,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_WAIT_MS,
  type MinerWorkers,
  minerWorkerCount,
  minerWorkerIndex,
  reportWorkerReady,
  type RunningMiner,
  shareMetricsWithPrimary,
  startMiner,
  startMinerWorkers,
  subtensorMinerChain,
} from '@subnetkit/miner';
import { createMetricsRegistry } from '@subnetkit/metrics';
import type { PeerArtifactsClient } from '@subnetkit/validator';
import type { Command } from 'commander';
import { routeLibraryConsole } from '../client.js';
import { loadServiceHotkey } from '../keys.js';
import { createLogger } from '../logger.js';
import { pluginPeers } from '../peers.js';
import { loadSubnetPlugin } from '../plugin-loader.js';
import { BackendSchema, trainProgressPrinter } from './train.js';
import {
  type ServiceConfig,
  type ServiceOptions,
  addServiceOptions,
  commonServiceOptions,
  resolveServiceConfig,
} from '../service-config.js';

/** Every setting of `subnetkit miner`: flag, SUBNETKIT_* variable and config-file key alike. */
export const MINER_OPTIONS = {
  ...commonServiceOptions({
    netuid: 'netuid of the subnet to mine on',
    hotkey: 'hotkey name inside the wallet; it must be registered on --netuid',
  }),
  port: {
    flag: '--port <n>',
    help: 'port the axon listens on and announces (0 picks a free one)',
    schema: Type.Integer({ minimum: 0, maximum: 65_535, default: 8091 }),
  },
  host: { flag: '--host <ip>', help: 'interface to bind', schema: Type.String({ default: '0.0.0.0' }) },
  externalIp: {
    flag: '--external-ip <ip>',
    help: 'IP to announce on chain (default: the first non-internal IPv4 of this machine)',
    schema: Type.Optional(Type.String({ minLength: 1 })),
  },
  externalPort: {
    flag: '--external-port <n>',
    help: 'port to announce when it differs from --port (NAT)',
    schema: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
  },
  redis: {
    flag: '--redis <url>',
    help: 'Redis for the btauth/1 replay store and the legacy v10 nonces, shared by every miner process of this hotkey (default: in memory); a single server, a cluster or a sentinel URL as for the validator',
    schema: Type.Optional(Type.String({ minLength: 1 })),
  },
  workers: {
    flag: '--workers <n>',
    help: 'axon processes sharing --port and the --redis replay store (node:cluster); default: the number of cores with --redis, 1 without (an in-memory replay store cannot be shared)',
    schema: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_024 })),
  },
  allowNonValidators: {
    flag: '--allow-non-validators',
    help: 'answer any registered hotkey, not only validators with a permit (local testing)',
    schema: Type.Boolean({ default: false }),
  },
  allow: {
    flag: '--allow <hotkeys>',
    help: 'comma-separated hotkeys always answered, even unregistered',
    schema: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    list: true,
  },
  deny: {
    flag: '--deny <hotkeys>',
    help: 'comma-separated hotkeys never answered',
    schema: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    list: true,
  },
  maxConcurrency: {
    flag: '--max-concurrency <n>',
    help: 'requests running at once',
    schema: Type.Integer({ minimum: 1, maximum: 100_000, default: 32 }),
  },
  maxQueue: {
    flag: '--max-queue <n>',
    help: 'requests waiting beyond that; when full the lowest-stake caller gets 503',
    schema: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 256 }),
  },
  bodyLimit: {
    flag: '--body-limit <bytes>',
    help: 'largest request body (413 above)',
    schema: Type.Integer({ minimum: 1, maximum: 1 << 30, default: 1 << 20 }),
  },
  timeoutMs: {
    flag: '--timeout-ms <ms>',
    help: "per-request timeout (408 past it); default: each synapse's own timeout",
    schema: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
  },
  legacy: {
    flag: '--legacy',
    help: 'also accept legacy v10 (bittensor <= 10) dendrite headers',
    schema: Type.Boolean({ default: false }),
  },
  dataDir: {
    flag: '--data-dir <dir>',
    help: 'where the plugin keeps its model: <dir>/model, written by subnetkit train --data-dir <dir> (default ~/.subnetkit/data/<subnet>)',
    schema: Type.Optional(Type.String({ minLength: 1 })),
  },
  backend: {
    flag: '--backend <kind>',
    help: 'TensorFlow.js backend for plugins with a model: auto (gpu > node > wasm > cpu) or one of gpu|node|wasm|cpu, which must then load (default $SUBNETKIT_TF_BACKEND, else auto)',
    schema: BackendSchema,
  },
  trainIfMissing: {
    flag: '--train-if-missing',
    help: 'train the model on start when the data dir holds none (plugins with miner.train), with progress lines',
    schema: Type.Boolean({ default: false }),
  },
  maxBatch: {
    flag: '--max-batch <n>',
    help: 'largest micro-batch, in requests, for plugins with forwardBatch; 1 turns batching off (default measured on the vision subnet, docs/inference.md)',
    schema: Type.Integer({ minimum: 1, maximum: 4_096, default: DEFAULT_MAX_BATCH }),
  },
  maxWaitMs: {
    flag: '--max-wait-ms <ms>',
    help: 'longest the oldest waiting request is held back to fill a batch when the model is idle',
    schema: Type.Number({ minimum: 0, maximum: 10_000, default: DEFAULT_MAX_WAIT_MS }),
  },
  metagraphRefresh: {
    flag: '--metagraph-refresh <seconds>',
    help: 'how often to re-read the metagraph for blacklist and priority',
    schema: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  },
} satisfies ServiceOptions;

/** The resolved settings of `subnetkit miner`. */
export type MinerFlags = ServiceConfig<typeof MINER_OPTIONS>;

/**
 * Runs a miner from CLI flags. Resolves with the running miner (the process keeps serving until a
 * signal stops it); `stop()` drains and also closes the chain and Redis connections.
 */
export async function runMiner(flags: MinerFlags): Promise<RunningMiner> {
  routeLibraryConsole();
  const log = createLogger('miner');
  const plugin = await loadSubnetPlugin(flags.subnet);
  const hotkey = await loadServiceHotkey(flags);
  // In a worker process of `--workers <n>` (see runMinerCommand): only worker 0 announces the axon.
  const workerIndex = minerWorkerIndex();
  const registry = createMetricsRegistry({
    defaultLabels: {
      role: 'miner',
      netuid: String(flags.netuid),
      hotkey: hotkey.address,
      subnet: plugin.name,
    },
  });
  if (workerIndex !== undefined) shareMetricsWithPrimary(registry);
  const client = await connect(flags.chain);
  let redis: ConnectedReplayStore | undefined;
  let peers: PeerArtifactsClient | undefined;
  try {
    if (flags.redis) {
      redis = await connectRedisReplayStore(flags.redis, {
        prefix: `subnetkit:replay:${flags.netuid}:${hotkey.address}:`,
        legacyPrefix: `subnetkit:legacy-nonce:${flags.netuid}:${hotkey.address}:`,
        onError: (err) =>
          log.warn({ err }, `Redis at ${flags.redis} unreachable; requests get 503 until it is back`),
      });
    }
    peers = pluginPeers(plugin, hotkey, client, flags.netuid);
    const miner = await startMiner({
      plugin,
      hotkey,
      netuid: flags.netuid,
      chain: subtensorMinerChain(client, hotkey),
      pluginChain: minerChainAccess(client, flags.netuid, hotkey),
      ...(peers ? { peers } : {}),
      port: flags.port,
      host: flags.host,
      ...(flags.externalIp ? { externalIp: flags.externalIp } : {}),
      ...(flags.externalPort ? { externalPort: flags.externalPort } : {}),
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      ...(redis ? { replayStore: redis.store } : {}),
      registry,
      ...(workerIndex !== undefined && workerIndex > 0 ? { skipAnnounce: true } : {}),
      batch: { maxBatchSize: flags.maxBatch, maxWaitMs: flags.maxWaitMs },
      inference: {
        ...(flags.backend ? { backend: flags.backend } : {}),
        trainIfMissing: flags.trainIfMissing,
        onTrainProgress: trainProgressPrinter(),
      },
      policy: {
        allowNonValidators: flags.allowNonValidators,
        allow: flags.allow,
        deny: flags.deny,
        maxConcurrency: flags.maxConcurrency,
        maxQueue: flags.maxQueue,
        bodyLimit: flags.bodyLimit,
        ...(flags.timeoutMs ? { timeoutMs: flags.timeoutMs } : {}),
      },
      legacy: flags.legacy && redis ? { nonceStore: redis.legacyNonceStore } : flags.legacy,
      metagraphRefreshMs: flags.metagraphRefresh * 1000,
      logger: log,
      handleSignals: true,
    });
    const stopMiner = miner.stop;
    let closing: Promise<void> | undefined;
    const stop = () => {
      closing ??= (async () => {
        await stopMiner();
        await peers?.close();
        await redis?.close();
        await client.close().catch(() => {});
        // A worker's IPC channel to the primary would keep it alive once drained.
        if (workerIndex !== undefined) process.disconnect?.();
      })();
      return closing;
    };
    // SIGTERM/SIGINT stop the miner inside startMiner; close the connections after it drained.
    const onSignal = () => void stop();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    if (workerIndex !== undefined) reportWorkerReady(miner.port);
    return { ...miner, stop };
  } catch (err) {
    await peers?.close();
    await redis?.close();
    await client.close().catch(() => {});
    throw err;
  }
}

/**
 * `subnetkit miner` as the command runs it: one process when `--workers` resolves to 1 (or in a
 * worker process), else a primary forking the workers (node:cluster; packages/miner/src/workers.ts).
 */
export async function runMinerCommand(flags: MinerFlags): Promise<void> {
  const workers = minerWorkerCount(flags.workers, flags.redis !== undefined);
  if (workers === 1 || minerWorkerIndex() !== undefined) {
    await runMiner(flags);
    return;
  }
  routeLibraryConsole();
  const log = createLogger('miner');
  // Handlers first: a signal that arrives while workers still start stops them once they serve.
  let running: MinerWorkers | undefined;
  let signalled = false;
  const stopAndExit = (r: MinerWorkers) => void r.stop().then(() => process.exit(0));
  const onSignal = () => {
    signalled = true;
    if (running) stopAndExit(running);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  running = await startMinerWorkers(workers, {
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  });
  if (signalled) stopAndExit(running);
}

/** Registers `subnetkit miner`. */
export function registerMinerCommand(program: Command): void {
  const cmd = program
    .command('miner')
    .description(
      'Serve a subnet plugin as a miner: load the model, serve POST /<Synapse> with btauth/1 verification, announce the axon on chain',
    );
  addServiceOptions(cmd, MINER_OPTIONS)
    .addHelpText(
      'after',
      `
Callers must sign every request with btauth/1 (see /openapi.json on the running miner). By default
only registered hotkeys with a validator permit get answers. Logs one status line per minute.
A hotkey keyfile written encrypted is unlocked with $SUBNETKIT_PASSWORD. Every flag can also be set
as a SUBNETKIT_* variable (--max-queue: SUBNETKIT_MAX_QUEUE) or as a key of the --config file
(maxQueue); flags win over variables, variables over the file (see docs/configuration.md).

A subnet with a tensor model (vision, forecast) loads it from <data dir>/model on start: train it
first with \`subnetkit train --subnet vision --data-dir <dir>\` and pass the same --data-dir, or add
--train-if-missing. The backend, model directory and warm-up are logged and shown on /healthz.

Examples:
  subnetkit miner --subnet echo --netuid 1 --wallet miner --hotkey default --port 8091 --chain ws://127.0.0.1:9944
  subnetkit miner --subnet vision --netuid 2 --wallet miner --data-dir ./vision-data --max-batch 32`,
    )
    .action(async (_flags: unknown, command: Command) => {
      await runMinerCommand(resolveServiceConfig(command, MINER_OPTIONS));
    });
}
