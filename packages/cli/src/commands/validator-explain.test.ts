/** `subnetkit validator explain` against a devnet and the shared Redis, with a wallet in a temp directory. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, connect } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { defaultKeyPrefix, ScoreStore } from '@subnetkit/validator';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerValidatorCommand } from './validator.js';

const REDIS_URL = process.env.SUBNETKIT_TEST_REDIS ?? 'redis://127.0.0.1:6379';

async function run(args: string[]): Promise<string> {
  const program = new Command('subnetkit').exitOverride();
  registerValidatorCommand(program);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  try {
    await program.parseAsync(['node', 'subnetkit', ...args]);
  } finally {
    log.mockRestore();
  }
  return lines.join('\n');
}

describe('subnetkit validator explain', () => {
  let root: string;
  let devnet: Devnet;
  let redis: Redis;
  let prefix: string;
  let common: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'subnetkit-validator-explain-'));
    const w = new Wallet({ name: 'v', path: root });
    const hotkey = (await w.regenHotkey({ seed: `0x${randomBytes(32).toString('hex')}` })).ss58Address;
    devnet = await startDevnet({
      port: 0,
      blockTime: 'instant',
      genesis: {
        subnets: [
          {
            netuid: 1,
            owner: '//Alice',
            ownerHotkey: '//Alice//owner',
            hyperparameters: { tempo: 100, weightsRateLimit: 0, commitRevealWeightsEnabled: false },
            neurons: [
              { hotkey, coldkey: '//Bob', stake: 100 },
              { hotkey: '//Dave//m1', coldkey: '//Dave' },
              { hotkey: '//Dave//m2', coldkey: '//Dave' },
            ],
          },
        ],
      },
    });
    redis = new Redis(REDIS_URL);
    prefix = defaultKeyPrefix(1, hotkey);
    const client = await connect(devnet.url);
    const m = await client.syncMetagraph(1);
    // uids: 0 owner, 1 validator, 2..3 miners. Three rounds folded as the validator does.
    const store = new ScoreStore(redis, { prefix, alpha: 0.5 });
    const mh = (uid: number) => m.hotkeys[uid]!;
    await store.fold(
      'round-1',
      [
        { uid: 2, hotkey: mh(2), score: 1, latencyMs: 12, outcome: 'ok' },
        { uid: 3, hotkey: mh(3), score: 0, latencyMs: 5000, outcome: 'timeout' },
      ],
      { round: 1, challengeId: 'aaaaaaaaaaaa' },
    );
    await store.fold('round-2', [{ uid: 2, hotkey: mh(2), score: 1, latencyMs: 20, outcome: 'ok' }], {
      round: 2,
      challengeId: 'bbbbbbbbbbbb',
    });
    await store.fold('round-3', [{ uid: 3, hotkey: mh(3), score: 1, latencyMs: 9, outcome: 'ok' }], {
      round: 3,
      challengeId: 'cccccccccccc',
    });
    // The weights the validator set on chain.
    await client.setWeights(await w.hotkey(), 1, [2, 3], [65535, 26214], 0);
    await client.close();
    common = [
      '--netuid',
      '1',
      '--wallet',
      'v',
      '--wallet-path',
      root,
      '--chain',
      devnet.url,
      '--redis',
      REDIS_URL,
    ];
  }, 60_000);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await devnet?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("replays the uid's rounds and recomputes its weight (--json)", async () => {
    const x = JSON.parse(await run(['validator', 'explain', '--uid', '2', ...common, '--json']));
    expect(x.keyPrefix).toBe(prefix);
    expect(x.score).toBe(0.75);
    expect(x.alpha).toBe(0.5);
    expect(x.rounds).toEqual([
      expect.objectContaining({
        round: 1,
        challengeId: 'aaaaaaaaaaaa',
        reward: 1,
        previous: null,
        score: 0.5,
      }),
      expect.objectContaining({
        round: 2,
        reward: 1,
        latencyMs: 20,
        outcome: 'ok',
        previous: 0.5,
        score: 0.75,
      }),
    ]);
    expect(x.consistent).toBe(true);
    // Scores 0.75 (uid 2) and 0.5 (uid 3): uid 2 gets the top weight.
    expect(x.weight).toMatchObject({ value: 65535, place: 1, weightedUids: 2 });
    expect(x.weight.scoreShare).toBeCloseTo(0.6, 12);
    expect(x.onChain).toMatchObject({ value: 65535 });
    expect(x.onChain.lastUpdate).toBeGreaterThan(0);
    expect(x.historyRounds).toBe(64);
  });

  it('prints the rounds as text, with the settings given before `explain`', async () => {
    const text = await run(['validator', ...common, 'explain', '--uid', '3']);
    expect(text).toMatch(/score 0\.500000: the last 2 rounds/);
    expect(text).toMatch(/1\s+aaaaaaaaaaaa\s+timeout\s+5000\s+0\.0000\s+\(trimmed\)\s+0\.000000/);
    expect(text).toMatch(/on chain: weight 26214 on uid 3/);
  });

  it('names the fix for an unknown uid and an unreachable Redis', async () => {
    await expect(run(['validator', 'explain', '--uid', '9', ...common])).rejects.toThrow(
      /uid 9 is not on netuid 1 \(it has 4 uids\); list them with subnetkit subnet metagraph --netuid 1/,
    );
    const args = [...common.slice(0, -2), '--redis', 'redis://127.0.0.1:1'];
    await expect(run(['validator', 'explain', '--uid', '2', ...args])).rejects.toThrow(
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*pass the validator's --redis URL/,
    );
  });
});
