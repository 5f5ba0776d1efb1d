import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../index.js';
import { registerMinerCommand } from './miner.js';

function minerCommand(): Command {
  const program = new Command('subnetkit').exitOverride();
  registerMinerCommand(program);
  return program.commands.find((c) => c.name() === 'miner')!.exitOverride();
}

describe('subnetkit miner', () => {
  it('is listed in subnetkit --help and explains every flag in its own --help', () => {
    expect(buildProgram().helpInformation()).toContain('miner');
    const help = minerCommand().helpInformation();
    for (const flag of [
      '--subnet',
      '--netuid',
      '--wallet ',
      '--hotkey',
      '--wallet-path',
      '--port',
      '--chain',
      '--redis',
      '--allow-non-validators',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toMatch(/--allow-non-validators\s+answer any registered hotkey/);
  });

  it('rejects a bad --netuid or --port before doing anything', async () => {
    const program = new Command('subnetkit').exitOverride().configureOutput({ writeErr: () => {} });
    registerMinerCommand(program);
    for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {} });
    await expect(
      program.parseAsync(['node', 'subnetkit', 'miner', '--subnet', 'echo', '--netuid', 'x']),
    ).rejects.toThrow(/--netuid must be an integer/);
    await expect(
      program.parseAsync([
        'node',
        'subnetkit',
        'miner',
        '--subnet',
        'echo',
        '--netuid',
        '1',
        '--port',
        '70000',
      ]),
    ).rejects.toThrow(/--port must be an integer/);
  });
});
