import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MinerResponse, type PluginCommitment, type SubnetChainView, WireError } from '@subnetkit/core';
import { type InferenceBackend, selectBackend } from '@subnetkit/inference';
import { CLASSES } from '@subnetkit/subnet-vision';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWeights, encodeWeights, updateHash } from './weights.js';
import { trainLocal } from './model.js';
import type { FederatedMiner } from './miner.js';
import { type FederatedTruth, federatedSubnet } from './plugin.js';
import { genesisModel, heldOutPart, shardOf } from './setup.js';
import { scoreUpdates } from './protocol.js';
import { roundSchedule, roundWindow } from './schedule.js';
import { MemoryUpdateStore } from './store.js';

const log = pino({ level: 'silent' });
const w0 = roundWindow(roundSchedule({ netuid: 1, tempo: 24 }), 0);

let backend: InferenceBackend;
let base: Uint8Array;
let honest: Uint8Array;
let poison: Uint8Array;
beforeAll(async () => {
  backend = await selectBackend({ backend: 'wasm', logger: log });
  base = await genesisModel(backend.tf);
  const shard = shardOf(1);
  honest = encodeWeights(await trainLocal(backend.tf, decodeWeights(base), shard, { seed: 1 }));
  poison = encodeWeights(
    await trainLocal(backend.tf, decodeWeights(base), shard, {
      seed: 1,
      labels: Uint8Array.from(shard.labels, (y) => CLASSES - 1 - y),
    }),
  );
}, 60_000);

const bytes = (hash: string) => new Uint8Array(Buffer.from(hash, 'hex'));

function chainAt(block: { now: number }, commitments: PluginCommitment[]): SubnetChainView {
  return {
    netuid: 1,
    block: async () => block.now,
    tempo: async () => 24,
    commitments: async () => commitments,
    incentive: async () => ({}),
  };
}

describe('the federated validator', () => {
  it('skips ticks until the deadline passed, asks once per round, and only miners that committed', async () => {
    const plugin = federatedSubnet();
    const block = { now: w0.deadlineBlock };
    const chain = chainAt(block, [
      { hotkey: 'honest', block: 2, data: bytes(updateHash(honest)) },
      { hotkey: 'copy', block: 6, data: bytes(updateHash(honest)) },
      { hotkey: 'late', block: w0.deadlineBlock + 1, data: bytes(updateHash(poison)) },
    ]);
    const ctx = { round: 1, random: Math.random, log, chain };
    expect(await plugin.validator.challenge(ctx)).toBeNull();
    block.now = w0.deadlineBlock + 1;
    const challenge = await plugin.validator.challenge(ctx);
    expect(challenge?.synapse).toBe('Update');
    expect(challenge?.request).toEqual({ round: 0 });
    expect(challenge?.artifacts).toEqual({ honest: updateHash(honest), copy: updateHash(honest) });
    const truth = challenge!.truth as FederatedTruth;
    expect(Buffer.from(truth.base, 'base64')).toEqual(Buffer.from(base));
    expect(await plugin.validator.challenge(ctx)).toBeNull();
  });

  it('skips a round nobody committed in, and needs a chain', async () => {
    const plugin = federatedSubnet();
    const chain = chainAt({ now: w0.deadlineBlock + 3 }, []);
    expect(await plugin.validator.challenge({ round: 1, random: Math.random, log, chain })).toBeNull();
    await expect(plugin.validator.challenge({ round: 1, random: Math.random, log })).rejects.toThrow(
      /reads rounds and commitments from the chain: run it connected/,
    );
  });

  it('rewards improvement over the base: honest > 0, poison, lazy, copy and no answer 0', async () => {
    const plugin = federatedSubnet();
    const commitments = [
      { hotkey: 'honest', block: 2, hash: updateHash(honest) },
      { hotkey: 'poison', block: 2, hash: updateHash(poison) },
      { hotkey: 'lazy', block: 3, hash: updateHash(base) },
      { hotkey: 'copy', block: 6, hash: updateHash(honest) },
      { hotkey: 'silent', block: 4, hash: updateHash(honest).replace(/^./, '0') },
    ];
    const truth: FederatedTruth = {
      round: 0,
      startBlock: w0.startBlock,
      deadlineBlock: w0.deadlineBlock,
      commitments,
      base: Buffer.from(base).toString('base64'),
    };
    const answer = (uid: number, hotkey: string, response?: Uint8Array): MinerResponse<Uint8Array> => ({
      uid,
      hotkey,
      latencyMs: 1,
      ...(response ? { outcome: 'ok' as const, response } : { outcome: 'timeout' as const }),
    });
    const rewards = await plugin.validator.reward(
      {
        synapse: 'Update',
        request: { round: 0 },
        truth,
        responses: [
          answer(1, 'honest', honest),
          answer(2, 'poison', poison),
          answer(3, 'lazy', base),
          answer(4, 'copy', honest),
          answer(5, 'silent'),
        ],
      },
      { round: 1, log },
    );
    expect(rewards[0]).toBe(1);
    expect(rewards.slice(1)).toEqual([0, 0, 0, 0]);
  });

  it("keeps the updates it received in the validator's data dir, so a restart does not fetch them again", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'federated-validator-'));
    try {
      const truth: FederatedTruth = {
        round: 0,
        startBlock: w0.startBlock,
        deadlineBlock: w0.deadlineBlock,
        commitments: [{ hotkey: 'honest', block: 2, hash: updateHash(honest) }],
        base: Buffer.from(base).toString('base64'),
      };
      const round = {
        synapse: 'Update' as const,
        request: { round: 0 },
        truth,
        responses: [{ uid: 1, hotkey: 'honest', latencyMs: 1, outcome: 'ok' as const, response: honest }],
      };
      await federatedSubnet().validator.reward(round, { round: 1, log, dataDir });
      const file = join(dataDir, 'federated', `${updateHash(honest)}.bin`);
      expect(new Uint8Array(readFileSync(file))).toEqual(honest);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('scoring from the untrained initial model', () => {
  it('gives a label-flipping update 0 and the honest ones a reward, also in the first round', async () => {
    const { tf } = backend;
    const heldOut = heldOutPart(0);
    const train = async (uid: number, flip = false) => {
      const shard = shardOf(uid);
      return encodeWeights(
        await trainLocal(tf, decodeWeights(base), shard, {
          seed: uid,
          ...(flip ? { labels: Uint8Array.from(shard.labels, (y) => CLASSES - 1 - y) } : {}),
        }),
      );
    };
    const updates = new Map<string, Uint8Array>();
    for (const uid of [1, 2, 3, 4]) updates.set(`honest-${uid}`, await train(uid));
    updates.set('poison-5', await train(5, true));
    const input = (keys: string[]) => ({
      base: decodeWeights(base),
      heldOut,
      commitments: keys.map((hotkey) => ({ hotkey, block: 2, hash: updateHash(updates.get(hotkey)!) })),
      round: { startBlock: 0, deadlineBlock: 12 },
      updates,
      maxBytes: 1 << 20,
    });
    // Next to honest updates a label-flipped update makes their average worse: no reward.
    const scores = scoreUpdates(input([...updates.keys()]));
    expect(scores.find((s) => s.hotkey === 'poison-5')).toEqual({
      hotkey: 'poison-5',
      verdict: 'no_improvement',
      score: 0,
    });
    for (const s of scores.filter((s) => s.hotkey.startsWith('honest'))) expect(s.verdict).toBe('improves');
  });
});

describe('the federated miner', () => {
  it('serves the update of a round it committed, and answers a clear 400 for any other round', async () => {
    const plugin = federatedSubnet();
    const store = new MemoryUpdateStore();
    const model: FederatedMiner = {
      role: 'honest',
      store,
      served: new Map([[3, store.put(honest)]]),
      done: Promise.resolve(),
    };
    const ctx = { model, caller: { hotkey: 'v' }, signal: new AbortController().signal, log };
    expect(await plugin.miner.forward.Update({ round: 3 }, ctx)).toEqual(honest);
    let err: unknown;
    try {
      await plugin.miner.forward.Update({ round: 4 }, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WireError);
    expect((err as WireError).status).toBe(400);
    expect((err as Error).message).toMatch(/no update for round 4 \(it serves rounds 3\)/);
  });

  it('opens Update to registered peers and refuses to start without the chain or peers', async () => {
    const plugin = federatedSubnet();
    expect(plugin.synapses.Update.access).toBe('registered');
    expect(plugin.synapses.Update.artifact.maxBytes).toBeGreaterThan(base.length);
    await expect(
      plugin.miner.setup({ dataDir: '/nonexistent', log, signal: new AbortController().signal }),
    ).rejects.toThrow(/commits on chain and fetches its peers’ updates/);
    expect(Object.keys(plugin.miner.baselines ?? {})).toEqual(['poison', 'lazy', 'copy']);
  });
});
