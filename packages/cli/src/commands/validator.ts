/**
 * `subnetkit validator`: query miners in BullMQ rounds, keep EMA scores in Redis, set weights on chain
 * once per tempo. Several processes started with the same flags share one Redis and cooperate.
 */
import { connect, defaultWalletPath } from '@subnetkit/chain';
import {
  btauthSigner,
  defaultKeyPrefix,
  RedisCommitStore,
  type RunningValidator,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import { type Command, InvalidArgumentError } from 'commander';
import { Redis } from 'ioredis';
import { createLogger } from '../logger.js';
import { loadServiceHotkey } from '../hotkey.js';
import { loadSubnetPlugin } from '../plugin-loader.js';

/** Parsed flags of `subnetkit validator`. */
export interface ValidatorFlags {
  subnet: string;
  netuid: number;
  wallet: string;
  hotkey: string;
  walletPath: string;
  chain: string;
  redis: string;
  workers: number;
  metricsPort?: number;
  metricsHost: string;
  roundInterval: number;
  roundEveryBlocks?: number;
  weightsInterval: number;
  sampleSize: number;
  batchSize: number;
  alpha: number;
  resyncBlocks: number;
  timeoutMs?: number;
  protocol?: 'btauth' | 'legacy' | 'auto';
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

function alphaArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new InvalidArgumentError('--alpha must be a number in (0, 1], e.g. 0.1');
  return n;
}

/** Runs a validator from CLI flags; resolves once it is running. SIGTERM/SIGINT stop it cleanly. */
export async function runValidator(flags: ValidatorFlags): Promise<RunningValidator> {
  const log = createLogger('validator');
  const plugin = await loadSubnetPlugin(flags.subnet);
  const hotkey = await loadServiceHotkey(flags);
  // Commit-reveal salts live in Redis next to the scores, so any process of this validator can reveal.
  const commitRedis = new Redis(flags.redis, { maxRetriesPerRequest: null });
  commitRedis.on('error', (err) => log.debug({ err: err.message }, 'redis connection error (reconnecting)'));
  let client: Awaited<ReturnType<typeof connect>>;
  try {
    client = await connect(flags.chain, {
      commitStore: new RedisCommitStore(commitRedis, defaultKeyPrefix(flags.netuid, hotkey.address)),
    });
  } catch (err) {
    commitRedis.disconnect();
    throw err;
  }
  try {
    const validator = await startValidator({
      plugin,
      netuid: flags.netuid,
      hotkey: hotkey.address,
      // A signing thread keeps sr25519 work off the event loop that sends the requests.
      sign: btauthSigner(hotkey, { thread: true }),
      chain: subtensorValidatorChain(client, hotkey),
      redis: flags.redis,
      workers: flags.workers,
      roundIntervalMs: flags.roundInterval * 1000,
      ...(flags.roundEveryBlocks ? { roundEveryBlocks: flags.roundEveryBlocks } : {}),
      weightsCheckIntervalMs: flags.weightsInterval * 1000,
      sampleSize: flags.sampleSize,
      batchSize: flags.batchSize,
      emaAlpha: flags.alpha,
      resyncBlocks: flags.resyncBlocks,
      ...(flags.timeoutMs ? { queryTimeoutMs: flags.timeoutMs } : {}),
      ...(flags.protocol ? { protocol: flags.protocol } : {}),
      ...(flags.metricsPort !== undefined
        ? { metricsPort: flags.metricsPort, metricsHost: flags.metricsHost }
        : {}),
      logger: log,
    });
    log.info(
      { netuid: flags.netuid, hotkey: hotkey.address, redis: flags.redis, metrics: validator.metricsUrl },
      `validator running on netuid ${flags.netuid} (subnet ${plugin.name})`,
    );
    const stopValidator = validator.stop;
    let closing: Promise<void> | undefined;
    const stop = () => {
      closing ??= (async () => {
        await stopValidator();
        await client.close().catch(() => {});
        await commitRedis.quit().catch(() => commitRedis.disconnect());
      })();
      return closing;
    };
    const onSignal = () => {
      log.info(
        'stopping: finishing active jobs (unfinished ones are retried by another process or on restart)',
      );
      void stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    return { ...validator, stop };
  } catch (err) {
    await client.close().catch(() => {});
    commitRedis.disconnect();
    throw err;
  }
}

/** Registers `subnetkit validator`. */
export function registerValidatorCommand(program: Command): void {
  program
    .command('validator')
    .description(
      'Validate a subnet: query miners in rounds, keep EMA scores in Redis, set weights on chain every tempo',
    )
    .requiredOption(
      '--subnet <package or path>',
      'subnet plugin: a package name (@subnetkit/subnet-echo), a built-in short name (echo) or a path to a built .js module',
    )
    .requiredOption('--netuid <n>', 'netuid of the subnet to validate', intArg('--netuid', 0, 65_535))
    .option('--wallet <name>', 'wallet name (directory under --wallet-path)', 'default')
    .option(
      '--hotkey <name>',
      'hotkey name inside the wallet; registered on --netuid with a validator permit',
      'default',
    )
    .option('--wallet-path <dir>', 'wallet root directory (btcli layout)', defaultWalletPath())
    .option('--chain <ws url>', 'chain endpoint: ws:// URL or local|test|finney', 'local')
    .option(
      '--redis <url>',
      'Redis for rounds, queues and scores (processes with the same flags share it)',
      'redis://127.0.0.1:6379',
    )
    .option('--workers <n>', 'query jobs this process runs at once', intArg('--workers', 1, 1024), 4)
    .option(
      '--metrics-port <n>',
      'serve /metrics and /healthz on this port',
      intArg('--metrics-port', 0, 65_535),
    )
    .option('--metrics-host <ip>', 'interface for the metrics server', '0.0.0.0')
    .option(
      '--round-interval <seconds>',
      'seconds between evaluation rounds',
      intArg('--round-interval', 1, 86_400),
      12,
    )
    .option(
      '--round-every-blocks <n>',
      'start a round every n blocks instead of every --round-interval (which then sets how often the block is checked)',
      intArg('--round-every-blocks', 1, 1_000_000),
    )
    .option(
      '--weights-interval <seconds>',
      'seconds between checks whether weights are due (they are set once per tempo)',
      intArg('--weights-interval', 1, 86_400),
      12,
    )
    .option('--sample-size <n>', 'miners queried per round', intArg('--sample-size', 1, 65_535), 50)
    .option(
      '--batch-size <n>',
      'miners per query job (the unit processes share)',
      intArg('--batch-size', 1, 4096),
      16,
    )
    .option('--alpha <a>', 'EMA smoothing factor for scores', alphaArg, 0.1)
    .option(
      '--resync-blocks <n>',
      're-read the metagraph every this many blocks',
      intArg('--resync-blocks', 1, 1_000_000),
      100,
    )
    .option(
      '--timeout-ms <ms>',
      'query timeout for synapses that set none (default 12000)',
      intArg('--timeout-ms', 1, 600_000),
    )
    .option(
      '--protocol <btauth|legacy|auto>',
      "protocol spoken to miners: btauth (btauth/1), legacy (Python SDK v10) or auto (btauth/1, v10 for miners answering like a Python axon); default: the subnet plugin's, else btauth",
    )
    .addHelpText(
      'after',
      `
Start the same command on several machines (or with --workers) against one Redis to share the
querying; every round is scored once. A hotkey keyfile written encrypted is unlocked with
$SUBNETKIT_PASSWORD.

Example:
  subnetkit validator --subnet echo --netuid 1 --wallet validator --hotkey default \\
    --chain ws://127.0.0.1:9944 --redis redis://127.0.0.1:6379 --workers 8 --metrics-port 9100`,
    )
    .action(async (flags: ValidatorFlags) => {
      await runValidator(flags);
    });
}
