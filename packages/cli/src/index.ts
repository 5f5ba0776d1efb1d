import { Command, CommanderError } from 'commander';
import { routeLibraryConsole } from './client.js';
import { COMMANDS } from './commands/index.js';
import { withLogOptions } from './logger.js';

export { loadSubnetPlugin } from './plugin-loader.js';
export { runDemo } from './commands/demo.js';
export { MINER_OPTIONS, type MinerFlags, runMiner } from './commands/miner.js';
export {
  BackendSchema,
  describeTrainedModel,
  type ProgressPrinterOptions,
  runTrain,
  type TrainFlags,
  trainProgressPrinter,
} from './commands/train.js';
export { VALIDATOR_OPTIONS, type ValidatorFlags, runValidator } from './commands/validator.js';
export { EXPORTER_OPTIONS, type ExporterFlags, runExporterCommand } from './commands/exporter.js';
export { configureLogging, createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat } from './logger.js';
export { isPolkadotLogLine, routeLibraryConsole } from './client.js';
export {
  describeServiceOptions,
  resolveServiceConfig,
  type ServiceOption,
  type ServiceOptions,
} from './service-config.js';
export {
  type FederatedReport,
  type FederatedRoundRow,
  formatFederatedRound,
  formatFederatedSummary,
  watchFederatedRounds,
} from './localnet/federated-report.js';
export {
  defaultLocalnetDataDir,
  defaultMinerCount,
  defaultTempo,
  type Localnet,
  type LocalnetNeuron,
  type LocalnetOptions,
  type MinerTier,
  minerTiers,
  rankByWeight,
  startLocalnet,
} from './localnet/localnet.js';
export { scaffoldSubnet, type ScaffoldOptions, type ScaffoldResult } from './commands/new.js';
export { ensureRedis, type LocalRedis, redisAnswers } from './localnet/redis.js';
export {
  type MetricsTarget,
  type PrometheusConfigOptions,
  prometheusConfig,
  SCRAPE_JOBS,
} from './localnet/prometheus-config.js';

/** Build the `subnetkit` program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('subnetkit')
    .description('Build and run Bittensor-style subnets: devnet, wallets, miners, validators')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  withLogOptions(program).configureHelp({ showGlobalOptions: true });
  for (const register of COMMANDS) register(program);
  return program;
}

class ParsedOnly extends Error {
  constructor(readonly command: Command) {
    super('parsed only');
  }
}

/**
 * Parses a command line (`['miner', '--netuid', '1', ...]`, without `node subnetkit`) exactly as the
 * bin does, without running the command: resolves with the command that would run, its options
 * parsed and checked. Rejects with commander's error (unknown option, bad value, missing argument).
 */
export async function parseCommandLine(args: string[]): Promise<Command> {
  const silent = { writeOut: () => {}, writeErr: () => {} };
  const program = buildProgram();
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput(silent);
    for (const sub of c.commands) quiet(sub);
  };
  quiet(program);
  program.hook('preAction', (_root, action) => {
    throw new ParsedOnly(action);
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof ParsedOnly) return err.command;
    throw err;
  }
  throw new Error(`subnetkit ${args.join(' ')} names no command`);
}

/** Entry point of the `subnetkit` bin. Errors print one clear line, not a stack trace. */
export async function main(argv: string[]): Promise<void> {
  routeLibraryConsole();
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    console.error(`subnetkit: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
