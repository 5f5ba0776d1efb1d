/** `subnetkit subnet|stake|weights` against a running devnet, with a wallet in a temp directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { Wallet, connect } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerStakeCommand } from './stake.js';
import { registerSubnetCommand } from './subnet.js';
import { registerWalletCommand } from './wallet.js';
import { registerWeightsCommand } from './weights.js';

const COLD_SEED = `0x${'11'.repeat(32)}`;
const HOT_SEED = `0x${'22'.repeat(32)}`;

async function run(args: string[]): Promise<string> {
  const program = new Command('subnetkit').exitOverride();
  for (const r of [
    registerWalletCommand,
    registerSubnetCommand,
    registerStakeCommand,
    registerWeightsCommand,
  ])
    r(program);
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

describe('subnetkit subnet / stake / weights against the devnet', () => {
  let root: string;
  let devnet: Devnet;
  let w: Wallet;
  let coldkey: string;
  let hotkey: string;
  let common: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'subnetkit-cli-chain-'));
    w = new Wallet({ name: 'owner', path: root });
    coldkey = (await w.regenColdkey({ seed: COLD_SEED }, { password: null })).ss58Address;
    hotkey = (await w.regenHotkey({ seed: HOT_SEED })).ss58Address;
    devnet = await startDevnet({
      port: 0,
      blockTime: 'instant',
      genesis: {
        accounts: [{ address: coldkey, balance: 100_000 }],
        subnets: [
          {
            netuid: 1,
            owner: '//Alice',
            hyperparameters: { tempo: 10, weightsRateLimit: 0, commitRevealWeightsEnabled: false },
            neurons: [{ hotkey: '//Bob//hot', coldkey: '//Bob', stake: 10 }],
          },
          {
            netuid: 2,
            owner: '//Alice',
            neurons: [
              { hotkey: '//Fed//m1', coldkey: '//Bob' },
              { hotkey, coldkey },
            ],
          },
        ],
      },
    });
    common = ['--wallet', 'owner', '--wallet-path', root, '--chain', devnet.url, '--json'];
  }, 60_000);

  afterAll(async () => {
    await devnet?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('creates and starts a subnet, registers, stakes, serves, shows hyperparams, metagraph and weights', async () => {
    const created = JSON.parse(await run(['subnet', 'create', ...common]));
    expect(created).toMatchObject({ owner: coldkey, ownerHotkey: hotkey });
    const netuid = String(created.netuid);
    await run(['subnet', 'start', '--netuid', netuid, ...common]);

    const hp = JSON.parse(
      await run(['subnet', 'hyperparams', '--netuid', netuid, '--chain', devnet.url, '--json']),
    );
    expect(hp).toMatchObject({ netuid: created.netuid, n: 1, ownerColdkey: coldkey, ownerHotkey: hotkey });

    // Register the wallet's hotkey on netuid 1 (burned from the wallet's coldkey).
    const reg = JSON.parse(await run(['subnet', 'register', '--netuid', '1', ...common]));
    expect(reg).toMatchObject({ netuid: 1, uid: 1, hotkey });
    await expect(run(['subnet', 'register', '--netuid', '1', ...common])).rejects.toThrow(
      `hotkey ${hotkey} is already registered on netuid 1; nothing to do`,
    );

    const added = JSON.parse(await run(['stake', 'add', '--netuid', '1', '--amount', '5', ...common]));
    expect(added).toMatchObject({ netuid: 1, hotkey, coldkey, amount: '5' });
    const removed = JSON.parse(await run(['stake', 'remove', '--netuid', '1', '--amount', '1.5', ...common]));
    expect(Number(removed.hotkeyStakeAlpha)).toBeLessThan(Number(added.hotkeyStakeAlpha));

    await run(['subnet', 'serve', '--netuid', '1', '--ip', '198.51.100.4', '--port', '8091', ...common]);
    const m = JSON.parse(
      await run(['subnet', 'metagraph', '--netuid', '1', '--chain', devnet.url, '--json']),
    );
    expect(m.n).toBe(2);
    expect(m.hotkeys[1]).toBe(hotkey);
    expect(m.coldkeys[1]).toBe(coldkey);
    expect(m.axons[1]).toMatchObject({ ip: '198.51.100.4', port: 8091 });
    const table = await run(['subnet', 'metagraph', '--netuid', '1', '--chain', devnet.url]);
    expect(table).toMatch(/^netuid 1 {2}block \d+ {2}n 2 {2}tempo 10/);
    expect(table).toContain('198.51.100.4:8091');

    // Self-weight from the registered hotkey, then `weights show`.
    const client = await connect(devnet.url);
    try {
      await client.setWeights(await w.hotkey(), 1, [1], [1], 0);
    } finally {
      await client.close();
    }
    const shown = JSON.parse(
      await run(['weights', 'show', '--netuid', '1', '--chain', devnet.url, '--json']),
    );
    expect(shown.rows).toEqual([
      expect.objectContaining({ uid: 1, hotkey, weights: [{ uid: 1, value: 65535, weight: 1 }] }),
    ]);
  });

  it('commits text and hex with `subnet commit` and lists commitments with uid, block, hex and text', async () => {
    const chain = ['--chain', devnet.url, '--json'];
    const none = await run(['subnet', 'commitments', '--netuid', '2', '--chain', devnet.url]);
    expect(none).toMatch(/^no commitments on netuid 2 at block \d+$/);

    const text = JSON.parse(
      await run(['subnet', 'commit', '--netuid', '2', '--data', 'round 1 ✓', ...common]),
    );
    expect(text).toMatchObject({ netuid: 2, hotkey, bytes: 11, data: '0x726f756e64203120e29c93' });
    // Another hotkey commits 32 binary bytes (a hash) through the client.
    const m1 = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Fed//m1');
    const client = await connect(devnet.url);
    try {
      await client.setCommitment(m1, 2, new Uint8Array(32).fill(0xab));
    } finally {
      await client.close();
    }

    const listed = JSON.parse(await run(['subnet', 'commitments', '--netuid', '2', ...chain]));
    expect(listed.netuid).toBe(2);
    expect(listed.commitments).toEqual([
      expect.objectContaining({ uid: 1, hotkey, block: text.block, bytes: 11, text: 'round 1 ✓' }),
      expect.objectContaining({
        uid: 0,
        hotkey: m1.address,
        bytes: 32,
        data: `0x${'ab'.repeat(32)}`,
        text: null,
      }),
    ]);
    // At the block of the first commitment only that one existed.
    const before = JSON.parse(
      await run(['subnet', 'commitments', '--netuid', '2', '--block', String(text.block), ...chain]),
    );
    expect(before.commitments.map((c: { hotkey: string }) => c.hotkey)).toEqual([hotkey]);

    // Hex replaces the hotkey's commitment; the table shows hex, and text only when printable.
    await run(['subnet', 'commit', '--netuid', '2', '--data', '0x00ff', ...common]);
    const table = await run(['subnet', 'commitments', '--netuid', '2', '--chain', devnet.url]);
    expect(table).toMatch(/^netuid 2 {2}block \d+ {2}commitments 2/);
    expect(table).toMatch(new RegExp(`^1 +${hotkey} +\\d+ +2 +0x00ff +-$`, 'm'));

    await expect(run(['subnet', 'commit', '--netuid', '2', '--data', '0xabc', ...common])).rejects.toThrow(
      /--data 0xabc starts with 0x but is not an even number of hex digits/,
    );
    await expect(
      run(['subnet', 'commit', '--netuid', '2', '--data', `0x${'00'.repeat(513)}`, ...common]),
    ).rejects.toThrow(/--data is 513 bytes; a commitment holds at most 512: commit a hash/);
  });

  it('rejects an unknown --chain with the choices', async () => {
    await expect(run(['subnet', 'hyperparams', '--netuid', '1', '--chain', 'mainnet'])).rejects.toThrow(
      /unknown chain "mainnet": use a ws:\/\/ or wss:\/\/ URL or one of local, test, finney/,
    );
  });
});
