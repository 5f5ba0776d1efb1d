import type { Command } from 'commander';
import { registerDemoCommand } from './demo.js';
import { registerDevnetCommand } from './devnet.js';
import { registerExplainCommand } from './explain.js';
import { registerExporterCommand } from './exporter.js';
import { registerLocalnetCommand } from './localnet.js';
import { registerMinerCommand } from './miner.js';
import { registerNewCommand } from './new.js';
import { registerStakeCommand } from './stake.js';
import { registerSubnetCommand } from './subnet.js';
import { registerTrainCommand } from './train.js';
import { registerValidatorCommand } from './validator.js';
import { registerWalletCommand } from './wallet.js';
import { registerWeightsCommand } from './weights.js';

/** Every subcommand, in the order `subnetkit --help` lists them. */
export const COMMANDS: ((program: Command) => void)[] = [
  registerLocalnetCommand,
  registerNewCommand,
  registerDemoCommand,
  registerDevnetCommand,
  registerWalletCommand,
  registerSubnetCommand,
  registerStakeCommand,
  registerWeightsCommand,
  registerTrainCommand,
  registerMinerCommand,
  registerValidatorCommand,
  registerExplainCommand,
  registerExporterCommand,
];
