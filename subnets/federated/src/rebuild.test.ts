import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PluginCommitment, seededRandom } from '@subnetkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type RebuildContext, rebuildBase, roundCommitments } from './rebuild.js';
import { roundSchedule, roundWindow } from './schedule.js';
import { DirUpdateStore, MemoryUpdateStore } from './store.js';
import { aggregateUpdates, encodeWeights, type ModelWeights, updateHash } from './weights.js';

function model(seed: number): Uint8Array {
  const r = seededRandom(seed);
  const t = (shape: number[]) => ({
    shape,
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5),
  });
  const w: ModelWeights = [t([784, 32]), t([32]), t([32, 10]), t([10])];
  return encodeWeights(w);
}

const s = roundSchedule({ netuid: 1, tempo: 24 });
const w0 = roundWindow(s, 0);
const w1 = roundWindow(s, 1);
const genesis = model(0);
const updates = { a: model(1), b: model(2), c: model(3) };
const hashOf = (bytes: Uint8Array) => new Uint8Array(Buffer.from(updateHash(bytes), 'hex'));

/** A chain whose commitments and incentive are fixed per block. */
function fakeChain() {
  const reads: string[] = [];
  const byBlock = (block: number): PluginCommitment[] => {
    // Round 0: a and b commit in the window; c copies a's hash later; round 1: only c.
    if (block <= w0.deadlineBlock)
      return [
        { hotkey: 'a', block: 2, data: hashOf(updates.a) },
        { hotkey: 'b', block: 3, data: hashOf(updates.b) },
        { hotkey: 'c', block: 5, data: hashOf(updates.a) },
        { hotkey: 'd', block: 4, data: new Uint8Array([1, 2, 3]) }, // not an update
      ];
    return [{ hotkey: 'c', block: w1.startBlock + 1, data: hashOf(updates.c) }];
  };
  return {
    reads,
    chain: {
      async commitments(opts: { block?: number } = {}) {
        reads.push(`commitments@${opts.block}`);
        return byBlock(opts.block ?? 1e9);
      },
      async incentive(opts: { block?: number } = {}) {
        reads.push(`incentive@${opts.block}`);
        return opts.block === w0.nextStartBlock ? { a: 0.6, b: 0.2, c: 0.2 } : { a: 0, b: 0, c: 1 };
      },
    },
  };
}

describe('rebuildBase', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('reads round r at its deadline and the incentive at the next start, drops copies, and aggregates by incentive', async () => {
    const { chain, reads } = fakeChain();
    expect((await roundCommitments(chain, s, 0)).map((c) => c.hotkey)).toEqual(['a', 'b', 'c']);
    const fetched: string[] = [];
    const ctx: RebuildContext = {
      chain,
      schedule: s,
      store: new MemoryUpdateStore(),
      genesis,
      fetchUpdate: async (ref) => {
        fetched.push(`${ref.hotkey}@${ref.round}`);
        return updates[ref.hotkey as keyof typeof updates];
      },
    };
    expect(await rebuildBase(ctx, 0)).toBe(genesis);
    const base1 = await rebuildBase(ctx, 1);
    expect(base1).toEqual(
      aggregateUpdates(genesis, [
        { hotkey: 'a', weight: 0.6, update: updates.a },
        { hotkey: 'b', weight: 0.2, update: updates.b },
      ]),
    );
    expect(reads).toContain(`commitments@${w0.deadlineBlock}`);
    expect(reads).toContain(`incentive@${w0.nextStartBlock}`);
    // The copier's update is never fetched: its commitment of a's hash came later.
    expect(fetched).toEqual(['a@0', 'b@0']);
    // Round 2 builds on the stored base of round 1 (no refetch of round 0).
    const base2 = await rebuildBase(ctx, 2);
    expect(base2).toEqual(aggregateUpdates(base1, [{ hotkey: 'c', weight: 1, update: updates.c }]));
    expect(fetched).toEqual(['a@0', 'b@0', 'c@1']);
    expect(ctx.store.baseOf(1)).toBe(updateHash(base1));
  });

  it('refuses fetched bytes that are not the committed ones', async () => {
    const { chain } = fakeChain();
    const ctx: RebuildContext = {
      chain,
      schedule: s,
      store: new MemoryUpdateStore(),
      genesis,
      fetchUpdate: async () => updates.c,
    };
    await expect(rebuildBase(ctx, 1)).rejects.toThrow(
      /update of a for round 0 does not have its committed hash/,
    );
  });

  it('keeps bytes and bases on disk so a restarted node neither refetches nor recomputes, and ignores damaged files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'federated-store-'));
    dirs.push(dir);
    const { chain } = fakeChain();
    let fetches = 0;
    const ctx = (store: DirUpdateStore): RebuildContext => ({
      chain,
      schedule: s,
      store,
      genesis,
      fetchUpdate: async (ref) => {
        fetches++;
        return updates[ref.hotkey as keyof typeof updates];
      },
    });
    const first = await rebuildBase(ctx(new DirUpdateStore(dir)), 2);
    expect(fetches).toBe(3);
    const again = new DirUpdateStore(dir);
    expect(again.baseRounds()).toEqual([1, 2]);
    expect(await rebuildBase(ctx(again), 2)).toEqual(first);
    expect(fetches).toBe(3);
    // A damaged blob is a miss, never wrong bytes.
    const hash = updateHash(updates.a);
    writeFileSync(join(dir, `${hash}.bin`), new Uint8Array([1, 2, 3]));
    expect(new DirUpdateStore(dir).get(hash)).toBeUndefined();
  });
});
