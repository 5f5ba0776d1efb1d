/**
 * `subnetkit validator`: query miners in BullMQ rounds, keep EMA scores in Redis, set weights on chain
 * once per tempo. Several processes started with the same flags share one Redis and cooperate.
 */
import { Type } from '@sinclair/typebox';
import { connect, subnetChainView } from '@subnetkit/chain';
import {
  btauthSigner,
  defaultKeyPrefix,
  RedisCommitStore,
  type RunningValidator,
  defaultValidatorDataDir,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import type { Command } from 'commander';
import { createRedis } from '@subnetkit/redis';
import { routeLibraryConsole } from '../client.js';
import { loadServiceHotkey } from '../keys.js';
import { createLogger } from '../logger.js';
import { loadSubnetPlugin } from '../plugin-loader.js';
import { registerValidatorExplainCommand } from './validator-explain.js';
import {
  type ServiceConfig,
  type ServiceOptions,
  addServiceOptions,
  commonServiceOptions,
  resolveServiceConfig,
} from '../service-config.js';

/** Every setting of `subnetkit validator`: flag, SUBNETKIT_* variable and config-file key alike. */
export const VALIDATOR_OPTIONS = {
  ...commonServiceOptions({
    netuid: 'netuid of the subnet to validate',
    hotkey: 'hotkey name inside the wallet; registered on --netuid with a validator permit',
  }),
  redis: {
    flag: '--redis <url>',
    help: 'Redis for rounds, queues and scores (processes with the same flags share it): redis://host:port, a cluster (redis+cluster://h:p,h:p or comma-separated redis:// seeds) or redis+sentinel://h:p[,h:p]/<masterName>',
    schema: Type.String({ minLength: 1, default: 'redis://127.0.0.1:6379' }),
  },
  workers: {
    flag: '--workers <n>',
    help: 'query jobs this process runs at once',
    schema: Type.Integer({ minimum: 1, maximum: 1024, default: 4 }),
  },
  metricsPort: {
    flag: '--metrics-port <n>',
    help: 'serve /metrics and /healthz on this port',
    schema: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })),
  },
  metricsHost: {
    flag: '--metrics-host <ip>',
    help: 'interface for the metrics server',
    schema: Type.String({ default: '0.0.0.0' }),
  },
  roundInterval: {
    flag: '--round-interval <seconds>',
    help: 'seconds between evaluation rounds',
    schema: Type.Integer({ minimum: 1, maximum: 86_400, default: 12 }),
  },
  roundEveryBlocks: {
    flag: '--round-every-blocks <n>',
    help: 'start a round every n blocks instead of every --round-interval (which then sets how often the block is checked)',
    schema: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  weightsInterval: {
    flag: '--weights-interval <seconds>',
    help: 'seconds between checks whether weights are due (they are set once per tempo)',
    schema: Type.Integer({ minimum: 1, maximum: 86_400, default: 12 }),
  },
  sampleSize: {
    flag: '--sample-size <n>',
    help: 'miners queried per round',
    schema: Type.Integer({ minimum: 1, maximum: 65_535, default: 50 }),
  },
  batchSize: {
    flag: '--batch-size <n>',
    help: 'miners per query job (the unit processes share); default: sample size / workers, so one process queries a round in one wave',
    schema: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
  },
  alpha: {
    flag: '--alpha <a>',
    help: 'EMA smoothing factor for scores',
    schema: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.1 }),
  },
  resyncBlocks: {
    flag: '--resync-blocks <n>',
    help: 're-read the metagraph every this many blocks',
    schema: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100 }),
  },
  timeoutMs: {
    flag: '--timeout-ms <ms>',
    help: 'query timeout for synapses that set none (default 12000)',
    schema: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
  },
  protocol: {
    flag: '--protocol <btauth|legacy|auto>',
    help: "protocol spoken to miners: btauth (btauth/1), legacy (Python SDK v10) or auto (btauth/1, v10 for miners answering like a Python axon); default: the subnet plugin's, else btauth",
    schema: Type.Optional(Type.Union([Type.Literal('btauth'), Type.Literal('legacy'), Type.Literal('auto')])),
  },
  dataDir: {
    flag: '--data-dir <dir>',
    help: 'where the subnet plugin keeps what it learns across restarts (default ~/.subnetkit/validator/<subnet>/<netuid>-<hotkey>)',
    schema: Type.Optional(Type.String({ minLength: 1 })),
  },
} satisfies ServiceOptions;

/** The resolved settings of `subnetkit validator`. */
export type ValidatorFlags = ServiceConfig<typeof VALIDATOR_OPTIONS>;

/** Runs a validator from CLI flags; resolves once it is running. SIGTERM/SIGINT stop it cleanly. */
export async function runValidator(flags: ValidatorFlags): Promise<RunningValidator> {
  routeLibraryConsole();
  const log = createLogger('validator');
  const plugin = await loadSubnetPlugin(flags.subnet);
  const hotkey = await loadServiceHotkey(flags);
  // Commit-reveal salts live in Redis next to the scores, so any process of this validator can reveal.
  const commitRedis = createRedis(flags.redis, { maxRetriesPerRequest: null });
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
      pluginChain: subnetChainView(client, flags.netuid),
      redis: flags.redis,
      workers: flags.workers,
      roundIntervalMs: flags.roundInterval * 1000,
      ...(flags.roundEveryBlocks ? { roundEveryBlocks: flags.roundEveryBlocks } : {}),
      weightsCheckIntervalMs: flags.weightsInterval * 1000,
      sampleSize: flags.sampleSize,
      batchSize: flags.batchSize,
      dataDir: flags.dataDir ?? defaultValidatorDataDir(plugin.name, flags.netuid, hotkey.address),
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
  const cmd = program
    .command('validator')
    .description(
      'Validate a subnet: query miners in rounds, keep EMA scores in Redis, set weights on chain every tempo',
    );
  addServiceOptions(cmd, VALIDATOR_OPTIONS)
    .addHelpText(
      'after',
      `
Start the same command on several machines (or with --workers) against one Redis to share the
querying; every round is scored once. A hotkey keyfile written encrypted is unlocked with
$SUBNETKIT_PASSWORD. Every flag can also be set as a SUBNETKIT_* variable (--sample-size:
SUBNETKIT_SAMPLE_SIZE) or as a key of the --config file (sampleSize); flags win over variables,
variables over the file (see docs/configuration.md).

Example:
  subnetkit validator --subnet echo --netuid 1 --wallet validator --hotkey default \\
    --chain ws://127.0.0.1:9944 --redis redis://127.0.0.1:6379 --workers 8 --metrics-port 9100`,
    )
    .action(async (_flags: unknown, command: Command) => {
      await runValidator(resolveServiceConfig(command, VALIDATOR_OPTIONS));
    });
  registerValidatorExplainCommand(cmd);
}
