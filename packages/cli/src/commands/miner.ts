/**
 * `subnetkit miner`: load a subnet plugin and its model, serve the axon, announce it on chain, and
 * keep serving until SIGTERM/SIGINT (which drains in-flight requests).
 */
import { connect, defaultWalletPath } from '@subnetkit/chain';
import {
  type ConnectedReplayStore,
  connectRedisReplayStore,
  type RunningMiner,
  startMiner,
  subtensorMinerChain,
} from '@subnetkit/miner';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../logger.js';
import { loadServiceHotkey } from '../hotkey.js';
import { loadSubnetPlugin } from '../plugin-loader.js';

/** Parsed flags of `subnetkit miner`. */
export interface MinerFlags {
  subnet: string;
  netuid: number;
  wallet: string;
  hotkey: string;
  walletPath: string;
  port: number;
  host: string;
  externalIp?: string;
  externalPort?: number;
  chain: string;
  redis?: string;
  allowNonValidators?: boolean;
  allow?: string[];
  deny?: string[];
  maxConcurrency: number;
  maxQueue: number;
  bodyLimit: number;
  timeoutMs?: number;
  legacy?: boolean;
  dataDir?: string;
  metagraphRefresh: number;
}

function intArg(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`);
    }
    return n;
  };
}

function listArg(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/**
 * Runs a miner from CLI flags. Resolves with the running miner (the process keeps serving until a
 * signal stops it); `stop()` drains and also closes the chain and Redis connections.
 */
export async function runMiner(flags: MinerFlags): Promise<RunningMiner> {
  const log = createLogger('miner');
  const plugin = await loadSubnetPlugin(flags.subnet);
  const hotkey = await loadServiceHotkey(flags);
  const client = await connect(flags.chain);
  let redis: ConnectedReplayStore | undefined;
  try {
    if (flags.redis) {
      redis = await connectRedisReplayStore(flags.redis, {
        prefix: `subnetkit:replay:${flags.netuid}:${hotkey.address}:`,
        onError: (err) =>
          log.warn({ err }, `Redis at ${flags.redis} unreachable; requests get 503 until it is back`),
      });
    }
    const miner = await startMiner({
      plugin,
      hotkey,
      netuid: flags.netuid,
      chain: subtensorMinerChain(client, hotkey),
      port: flags.port,
      host: flags.host,
      ...(flags.externalIp ? { externalIp: flags.externalIp } : {}),
      ...(flags.externalPort ? { externalPort: flags.externalPort } : {}),
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      ...(redis ? { replayStore: redis.store } : {}),
      policy: {
        allowNonValidators: flags.allowNonValidators ?? false,
        allow: flags.allow ?? [],
        deny: flags.deny ?? [],
        maxConcurrency: flags.maxConcurrency,
        maxQueue: flags.maxQueue,
        bodyLimit: flags.bodyLimit,
        ...(flags.timeoutMs ? { timeoutMs: flags.timeoutMs } : {}),
      },
      legacy: flags.legacy ?? false,
      metagraphRefreshMs: flags.metagraphRefresh * 1000,
      logger: log,
      handleSignals: true,
    });
    const stopMiner = miner.stop;
    let closing: Promise<void> | undefined;
    const stop = () => {
      closing ??= (async () => {
        await stopMiner();
        await redis?.close();
        await client.close().catch(() => {});
      })();
      return closing;
    };
    // SIGTERM/SIGINT stop the miner inside startMiner; close the connections after it drained.
    const onSignal = () => void stop();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    return { ...miner, stop };
  } catch (err) {
    await redis?.close();
    await client.close().catch(() => {});
    throw err;
  }
}

/** Registers `subnetkit miner`. */
export function registerMinerCommand(program: Command): void {
  program
    .command('miner')
    .description(
      'Serve a subnet plugin as a miner: load the model, serve POST /<Synapse> with btauth/1 verification, announce the axon on chain',
    )
    .requiredOption(
      '--subnet <package or path>',
      'subnet plugin: a package name (@subnetkit/subnet-echo), a built-in short name (echo) or a path to a built .js module',
    )
    .requiredOption('--netuid <n>', 'netuid of the subnet to mine on', intArg('--netuid', 0, 65_535))
    .option('--wallet <name>', 'wallet name (directory under --wallet-path)', 'default')
    .option('--hotkey <name>', 'hotkey name inside the wallet; it must be registered on --netuid', 'default')
    .option('--wallet-path <dir>', 'wallet root directory (btcli layout)', defaultWalletPath())
    .option(
      '--port <n>',
      'port the axon listens on and announces (0 picks a free one)',
      intArg('--port', 0, 65_535),
      8091,
    )
    .option('--host <ip>', 'interface to bind', '0.0.0.0')
    .option(
      '--external-ip <ip>',
      'IP to announce on chain (default: the first non-internal IPv4 of this machine)',
    )
    .option(
      '--external-port <n>',
      'port to announce when it differs from --port (NAT)',
      intArg('--external-port', 1, 65_535),
    )
    .option('--chain <ws url>', 'chain endpoint: ws:// URL or local|test|finney', 'local')
    .option(
      '--redis <url>',
      'Redis for the btauth/1 replay store, shared by every miner process of this hotkey (default: in memory)',
    )
    .option(
      '--allow-non-validators',
      'answer any registered hotkey, not only validators with a permit (local testing)',
    )
    .option('--allow <hotkeys>', 'comma-separated hotkeys always answered, even unregistered', listArg)
    .option('--deny <hotkeys>', 'comma-separated hotkeys never answered', listArg)
    .option('--max-concurrency <n>', 'requests running at once', intArg('--max-concurrency', 1, 100_000), 32)
    .option(
      '--max-queue <n>',
      'requests waiting beyond that; when full the lowest-stake caller gets 503',
      intArg('--max-queue', 0, 1_000_000),
      256,
    )
    .option(
      '--body-limit <bytes>',
      'largest request body (413 above)',
      intArg('--body-limit', 1, 1 << 30),
      1 << 20,
    )
    .option(
      '--timeout-ms <ms>',
      "per-request timeout (408 past it); default: each synapse's own timeout",
      intArg('--timeout-ms', 1, 600_000),
    )
    .addOption(new Option('--legacy', 'also accept legacy v10 (bittensor <= 10) dendrite headers'))
    .option('--data-dir <dir>', 'where the plugin keeps its model (default ~/.subnetkit/miners/...)')
    .option(
      '--metagraph-refresh <seconds>',
      'how often to re-read the metagraph for blacklist and priority',
      intArg('--metagraph-refresh', 1, 86_400),
      60,
    )
    .addHelpText(
      'after',
      `
Callers must sign every request with btauth/1 (see /openapi.json on the running miner). By default
only registered hotkeys with a validator permit get answers. Logs one status line per minute.
A hotkey keyfile written encrypted is unlocked with $SUBNETKIT_PASSWORD.

Example:
  subnetkit miner --subnet echo --netuid 1 --wallet miner --hotkey default --port 8091 --chain ws://127.0.0.1:9944`,
    )
    .action(async (flags: MinerFlags) => {
      await runMiner(flags);
    });
}
