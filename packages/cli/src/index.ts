import { Command, CommanderError } from 'commander';
import { routeLibraryConsole } from './client.js';
import { COMMANDS } from './commands/index.js';

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
export { isPolkadotLogLine, routeLibraryConsole } from './client.js';
export {
  describeServiceOptions,
  resolveServiceConfig,
  type ServiceOption,
  type ServiceOptions,
} from './service-config.js';
export {
  type Localnet,
  type LocalnetNeuron,
  type LocalnetOptions,
  startLocalnet,
} from './localnet/localnet.js';
export { ensureRedis, type LocalRedis, redisAnswers } from './localnet/redis.js';

/** Build the `subnetkit` program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('subnetkit')
    .description('Build and run Bittensor-style subnets: devnet, wallets, miners, validators')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  for (const register of COMMANDS) register(program);
  return program;
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
