import type { Command } from 'commander';
import { registerDemoCommand } from './demo.js';
import { registerMinerCommand } from './miner.js';
import { registerValidatorCommand } from './validator.js';

/** Every subcommand, in the order `subnetkit --help` lists them. */
export const COMMANDS: ((program: Command) => void)[] = [
  registerDemoCommand,
  registerMinerCommand,
  registerValidatorCommand,
];
