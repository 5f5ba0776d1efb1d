import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringToU8a } from '@polkadot/util';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerWalletCommand } from './wallet.js';

const SEED = '0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e';
const SS58 = '5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV';

async function run(args: string[]): Promise<string> {
  const program = new Command('subnetkit').exitOverride();
  registerWalletCommand(program);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await program.parseAsync(['node', 'subnetkit', ...args]);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return lines.join('\n');
}

describe('subnetkit wallet', () => {
  let root: string;
  beforeAll(async () => {
    await cryptoWaitReady();
    root = await mkdtemp(join(tmpdir(), 'subnetkit-cli-wallet-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('create --no-password, list, regen and sign --json with the hotkey', async () => {
    const created = JSON.parse(
      await run([
        'wallet',
        'create',
        '--name',
        'dev',
        '--hotkey',
        'h1',
        '--wallet-path',
        root,
        '--no-password',
        '--json',
      ]),
    );
    expect(created.coldkeyEncrypted).toBe(false);
    expect(created.hotkeyMnemonic.split(' ')).toHaveLength(12);

    await run([
      'wallet',
      'regen',
      '--key',
      'hotkey',
      '--name',
      'dev',
      '--hotkey',
      'h2',
      '--seed',
      SEED,
      '--wallet-path',
      root,
    ]);
    const list = JSON.parse(await run(['wallet', 'list', '--wallet-path', root, '--json']));
    expect(list).toEqual([
      {
        name: 'dev',
        coldkey: created.coldkey,
        hotkeys: [
          { name: 'h1', ss58Address: created.hotkey },
          { name: 'h2', ss58Address: SS58 },
        ],
      },
    ]);

    const out = JSON.parse(
      await run([
        'wallet',
        'sign',
        '--name',
        'dev',
        '--hotkey',
        'h2',
        '--wallet-path',
        root,
        '--message',
        'hi',
        '--json',
      ]),
    );
    expect(out.ss58).toBe(SS58);
    expect(out.signature).toMatch(/^0x[0-9a-f]{128}$/);
    expect(signatureVerify(stringToU8a('hi'), out.signature, SS58).isValid).toBe(true);
  });

  it('signs with an encrypted coldkey using SUBNETKIT_PASSWORD', async () => {
    const prev = process.env.SUBNETKIT_PASSWORD;
    process.env.SUBNETKIT_PASSWORD = 'correct horse';
    try {
      await run(['wallet', 'regen', '--name', 'enc', '--seed', SEED, '--wallet-path', root]);
      const out = JSON.parse(
        await run([
          'wallet',
          'sign',
          '--name',
          'enc',
          '--coldkey',
          '--wallet-path',
          root,
          '--message',
          'm',
          '--json',
        ]),
      );
      expect(out.ss58).toBe(SS58);
      expect(signatureVerify(stringToU8a('m'), out.signature, SS58).isValid).toBe(true);
    } finally {
      if (prev === undefined) delete process.env.SUBNETKIT_PASSWORD;
      else process.env.SUBNETKIT_PASSWORD = prev;
    }
  }, 180_000);
});
