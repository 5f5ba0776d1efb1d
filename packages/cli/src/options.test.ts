/** The one option layer: wallet spellings (with btcli's aliases), one --netuid parser, fix hints. */
import { FIX_COMMANDS } from '@subnetkit/core';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './index.js';
import { checkSs58 } from './options.js';

/** The real program, with every action replaced by one that records the parsed options. */
function capture(): { program: Command; seen: () => Record<string, unknown>; out: () => string } {
  const program = buildProgram().exitOverride();
  let last: Record<string, unknown> = {};
  let out = '';
  const visit = (cmd: Command) => {
    cmd.exitOverride().configureOutput({
      writeErr: () => {},
      writeOut: (s) => {
        out += s;
      },
    });
    // devnet and validator have an action of their own besides their subcommands.
    if (cmd.commands.length === 0 || cmd.name() === 'devnet' || cmd.name() === 'validator')
      cmd.action((...args: unknown[]) => {
        last = (args.at(-1) as Command).opts();
      });
    for (const sub of cmd.commands) visit(sub);
  };
  for (const sub of program.commands) visit(sub);
  return { program, seen: () => last, out: () => out };
}

function find(program: Command, path: string): Command {
  let cmd = program;
  for (const name of path.split(' ')) cmd = cmd.commands.find((c) => c.name() === name)!;
  if (!cmd) throw new Error(`no command ${path}`);
  return cmd;
}

/** Required options of each command, so a parse reaches the action. */
const REQUIRED: Record<string, string[]> = {
  'wallet sign': ['--message', 'm'],
  'wallet transfer': ['--dest', '5F', '--amount', '1'],
  'subnet start': ['--netuid', '1'],
  'subnet register': ['--netuid', '1'],
  'subnet serve': ['--netuid', '1', '--ip', '1.2.3.4', '--port', '1'],
  'stake add': ['--netuid', '1', '--amount', '1'],
  'stake remove': ['--netuid', '1', '--amount', '1'],
  miner: ['--subnet', 'echo', '--netuid', '1'],
  validator: ['--subnet', 'echo', '--netuid', '1'],
};

const WALLET_COMMANDS = [
  'wallet create',
  'wallet show',
  'wallet regen',
  'wallet sign',
  'wallet balance',
  'wallet transfer',
  'subnet create',
  'subnet start',
  'subnet register',
  'subnet serve',
  'stake add',
  'stake remove',
  'miner',
  'validator',
];

describe('one wallet spelling', () => {
  it('every wallet-using command takes --wallet, --hotkey and --wallet-path', () => {
    const program = buildProgram();
    for (const path of WALLET_COMMANDS) {
      const help = find(program, path).helpInformation();
      for (const flag of ['--wallet <name>', '--hotkey <name>', '--wallet-path <dir>']) {
        expect(help, `${path} ${flag}`).toContain(flag);
      }
      expect(help, path).not.toContain('--name');
    }
  });

  it("accepts btcli's --wallet.name/--wallet.hotkey/--wallet.path everywhere and --name on wallet commands", async () => {
    const { program, seen } = capture();
    const must = (path: string) => REQUIRED[path] ?? [];
    for (const path of WALLET_COMMANDS) {
      const args = [
        'node',
        'subnetkit',
        ...path.split(' '),
        ...must(path),
        '--wallet.name',
        'w1',
        '--wallet.hotkey',
        'h1',
        '--wallet.path',
        '/tmp/wallets',
      ];
      await program.parseAsync(args);
      expect(seen(), path).toMatchObject({ wallet: 'w1', hotkey: 'h1', walletPath: '/tmp/wallets' });
      const nameArgs = ['node', 'subnetkit', ...path.split(' '), ...must(path), '--name', 'w2'];
      if (path.startsWith('wallet ')) {
        await program.parseAsync(nameArgs);
        expect(seen(), path).toMatchObject({ wallet: 'w2', hotkey: 'default' });
      } else {
        await expect(program.parseAsync(nameArgs), path).rejects.toThrow(/unknown option '--name'/);
      }
    }
  });
});

describe('one --netuid parser', () => {
  it('every command rejects a bad --netuid with the same message', async () => {
    const commands = [
      ['subnet', 'start'],
      ['subnet', 'register'],
      ['subnet', 'hyperparams'],
      ['subnet', 'metagraph'],
      ['subnet', 'commitments'],
      ['subnet', 'commit', '--data', 'x'],
      ['stake', 'add', '--amount', '1'],
      ['weights', 'show'],
      ['miner', '--subnet', 'echo'],
      ['validator', '--subnet', 'echo'],
      ['explain', '--uid', '1'],
      ['validator', 'explain', '--uid', '1'],
    ];
    for (const bad of ['x', '-1', '65536', '1.5']) {
      for (const cmd of commands) {
        const { program } = capture();
        await expect(
          program.parseAsync(['node', 'subnetkit', ...cmd, '--netuid', bad]),
          `${cmd.join(' ')} --netuid ${bad}`,
        ).rejects.toThrow(`--netuid must be an integer between 0 and 65535`);
      }
    }
    const { program, seen } = capture();
    await program.parseAsync(['node', 'subnetkit', 'weights', 'show', '--netuid', '7']);
    expect(seen().netuid).toBe(7);
  });
});

describe('fix hints name real commands and flags', () => {
  it('each command fixCommand can name answers --help and takes every flag it can be given', async () => {
    for (const [path, flags] of Object.entries(FIX_COMMANDS)) {
      const { program, out } = capture();
      await expect(
        program.parseAsync(['node', 'subnetkit', ...path.split(' '), '--help']),
        path,
      ).rejects.toMatchObject({
        code: 'commander.helpDisplayed',
      });
      expect(out(), path).toMatch(new RegExp(`^Usage: subnetkit ${path} `, 'm'));
      for (const flag of flags) expect(out(), `${path} ${flag}`).toMatch(new RegExp(`${flag}[ ,]`));
    }
  });
});

describe('addresses', () => {
  it('checkSs58 accepts an SS58 address and names the flag of a bad one', () => {
    const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    expect(checkSs58('--dest', alice)).toBe(alice);
    expect(() => checkSs58('--dest', '5Gbad')).toThrow(/^invalid --dest 5Gbad: expected an SS58 address/);
  });

  it('devnet fund refuses a named public network and an unknown dev account before connecting', async () => {
    const program = buildProgram().exitOverride();
    const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    await expect(
      program.parseAsync(['node', 'subnetkit', 'devnet', 'fund', alice, '--chain', 'finney']),
    ).rejects.toThrow(
      'devnet fund sends from dev accounts, which hold nothing on finney; point --chain at a devnet',
    );
    await expect(
      program.parseAsync(['node', 'subnetkit', 'devnet', 'fund', alice, '--from', 'Mallory']),
    ).rejects.toThrow(/unknown dev account Mallory: use one of Alice, Bob/);
  });
});
