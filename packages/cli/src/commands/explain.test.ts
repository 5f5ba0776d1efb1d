/** `subnetkit explain` and `subnetkit subnet metagraph` against a devnet whose epochs have run. */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type SubtensorClient, connect } from '@subnetkit/chain';
import { epochRunsAt } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerExplainCommand } from './explain.js';
import { registerSubnetCommand } from './subnet.js';

const TEMPO = 10;

async function run(args: string[]): Promise<string> {
  const program = new Command('subnetkit').exitOverride();
  registerExplainCommand(program);
  registerSubnetCommand(program);
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

describe('subnetkit explain', () => {
  let devnet: Devnet;
  let client: SubtensorClient;
  let firstEpoch = 0;
  let lastEpoch = 0;

  beforeAll(async () => {
    await cryptoWaitReady();
    devnet = await startDevnet({
      port: 0,
      blockTime: 'instant',
      genesis: {
        subnets: [
          {
            netuid: 1,
            owner: '//Alice',
            ownerHotkey: '//Alice//owner',
            hyperparameters: { tempo: TEMPO, weightsRateLimit: 0, commitRevealWeightsEnabled: false },
            neurons: [
              { hotkey: '//Bob//v1', coldkey: '//Bob', stake: 1000 },
              { hotkey: '//Charlie//v2', coldkey: '//Charlie', stake: 500 },
              { hotkey: '//Dave//m1', coldkey: '//Dave' },
              { hotkey: '//Dave//m2', coldkey: '//Dave' },
            ],
          },
        ],
      },
    });
    client = await connect(devnet.url);
    const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
    // uids: 0 owner, 1 v1, 2 v2, 3..4 miners. v2 overweights miner 4: clipped to consensus.
    await client.setWeights(kr.addFromUri('//Bob//v1'), 1, [3, 4], [65535, 20000], 0);
    await client.setWeights(kr.addFromUri('//Charlie//v2'), 1, [3, 4], [30000, 65535], 0);
    while (lastEpoch === 0 || devnet.bestNumber() < lastEpoch + 2) {
      await devnet.produceBlock();
      const b = devnet.bestNumber();
      if (epochRunsAt(b, 1, TEMPO)) {
        if (firstEpoch === 0) firstEpoch = b;
        else lastEpoch = b;
      }
    }
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await devnet?.stop();
  });

  it('re-runs the epoch that produced the stored values and explains each vote (--json)', async () => {
    const x = JSON.parse(
      await run(['explain', '--netuid', '1', '--uid', '4', '--chain', devnet.url, '--json']),
    );
    expect(x.epochBlock).toBe(lastEpoch);
    expect(x.block).toBe(devnet.bestNumber());
    expect(x.reproduction.exact).toBe(true);
    expect(x.reproduction.differences).toEqual([]);
    const m = await client.syncMetagraph(1, { block: lastEpoch });
    expect(x.values.incentive).toBe(Math.round(m.incentive[4]! * 65535));
    expect(x.values.incentive).toBeGreaterThan(0);
    const votes = new Map<number, { clippedBy: number; storedWeight: number }>(
      x.miner.votes.map((v: { uid: number }) => [v.uid, v]),
    );
    expect([...votes.keys()].sort()).toEqual([0, 1, 2]);
    expect(votes.get(2)!.clippedBy).toBeGreaterThan(0);
    expect(votes.get(1)!.clippedBy).toBe(0);
    expect(votes.get(2)!.storedWeight).toBe(65535);
    expect(x.hyperparameters.map((h: { name: string }) => h.name)).toContain('kappa');
  });

  it('explains the values at an earlier --block with the epoch before it, as text', async () => {
    const text = await run([
      'explain',
      '--netuid',
      '1',
      '--uid',
      '1',
      '--block',
      String(lastEpoch - 1),
      '--chain',
      devnet.url,
    ]);
    expect(text).toContain(`values from the epoch that ran in block ${firstEpoch}`);
    expect(text).toMatch(/reproduced exactly: incentive, dividends, consensus/);
    expect(text).toMatch(/As a validator: validator trust/);
    expect(text).toMatch(/kappa\s+32767/);
  });

  it('names the cause when no epoch ran yet or the uid is not registered', async () => {
    await expect(
      run(['explain', '--netuid', '1', '--uid', '1', '--block', '1', '--chain', devnet.url]),
    ).rejects.toThrow(/no epoch has run on netuid 1 at or before block 1.*the next one runs in block \d+/);
    await expect(run(['explain', '--netuid', '1', '--uid', '9', '--chain', devnet.url])).rejects.toThrow(
      /uid 9 is not on netuid 1 .*\(it has 5 uids\); list them with subnetkit subnet metagraph --netuid 1/,
    );
  });

  it('subnet metagraph shows the epoch outputs, and bonds with --bonds', async () => {
    const table = await run(['subnet', 'metagraph', '--netuid', '1', '--chain', devnet.url, '--bonds']);
    const [, header] = table.split('\n');
    for (const col of [
      'incentive',
      'dividends',
      'emission',
      'trust',
      'consensus',
      'rank',
      'vtrust',
      'bonds',
    ]) {
      expect(header).toContain(col);
    }
    expect(table).toMatch(/\n1 .* 3:\d\.\d{4} 4:\d\.\d{4}/);
  });
});
