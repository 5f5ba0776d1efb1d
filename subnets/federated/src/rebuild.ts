/**
 * The subnet model, rebuilt from the chain and never trusted from anyone:
 *
 *   base(genesisRound) = the initial model's canonical bytes
 *   base(r + 1)        = aggregateUpdates(base(r), updates of round r that `judgeCommitments` accepts,
 *                        each weighted by its hotkey's incentive at `nextStartBlock` of round r)
 *
 * Round r's commitments are read at its `deadlineBlock` and the incentive at the next round's first
 * block, both fixed blocks, so every node (miner or validator) that holds the committed bytes computes
 * the same base byte for byte. The chain must still serve state at those blocks (the devnet keeps 512
 * blocks; a subtensor archive node keeps all); bases already computed are kept in the node's store.
 */
import type { PluginLogger, SubnetChainView } from '@subnetkit/core';
import { type CommittedUpdate, judgeCommitments } from './protocol.js';
import { type RoundSchedule, roundWindow } from './schedule.js';
import type { UpdateStore } from './store.js';
import { aggregateUpdates, updateHash } from './weights.js';

/** An update to fetch: whose, of which round, with which committed hash. */
export interface UpdateRef {
  hotkey: string;
  round: number;
  hash: string;
}

/** What {@link rebuildBase} needs. */
export interface RebuildContext {
  chain: Pick<SubnetChainView, 'commitments' | 'incentive'>;
  schedule: RoundSchedule;
  store: UpdateStore;
  /** Canonical bytes of the initial model (base of `schedule.genesisRound`). */
  genesis: Uint8Array;
  /** Fetches an update the store does not hold (from the peer that committed it); bytes are checked here. */
  fetchUpdate(ref: UpdateRef): Promise<Uint8Array>;
  log?: PluginLogger;
}

const HEX32 = /^[0-9a-f]{64}$/;

/**
 * Round `round`'s commitments as they stood at its deadline: every hotkey's latest commitment whose data
 * is a 32-byte hash (other commitments on the subnet are not updates and are left out).
 */
export async function roundCommitments(
  chain: Pick<SubnetChainView, 'commitments'>,
  schedule: RoundSchedule,
  round: number,
): Promise<CommittedUpdate[]> {
  const { deadlineBlock } = roundWindow(schedule, round);
  const records = await chain.commitments({ block: deadlineBlock });
  return records
    .filter((r) => r.data.length === 32)
    .map((r) => ({ hotkey: r.hotkey, block: r.block, hash: Buffer.from(r.data).toString('hex') }))
    .filter((c) => HEX32.test(c.hash));
}

/** The updates round `round` accepted (in its window, not a copy), from commitments read at its deadline. */
export function acceptedUpdates(
  commitments: CommittedUpdate[],
  schedule: RoundSchedule,
  round: number,
): CommittedUpdate[] {
  const w = roundWindow(schedule, round);
  const judged = judgeCommitments(commitments, { startBlock: w.startBlock, deadlineBlock: w.deadlineBlock });
  return commitments.filter((c) => judged.get(c.hotkey)?.status === 'accepted');
}

/** Bytes of an update: from the store, else fetched and checked against its hash, then stored. */
async function updateBytes(ctx: RebuildContext, ref: UpdateRef): Promise<Uint8Array> {
  const held = ctx.store.get(ref.hash);
  if (held) return held;
  const bytes = await ctx.fetchUpdate(ref);
  if (updateHash(bytes) !== ref.hash)
    throw new Error(`update of ${ref.hotkey} for round ${ref.round} does not have its committed hash`);
  ctx.store.put(bytes);
  return bytes;
}

/** One aggregation step: the base of round `round + 1` from the base of `round`. */
export async function aggregateRound(
  ctx: RebuildContext,
  round: number,
  base: Uint8Array,
): Promise<Uint8Array> {
  const accepted = acceptedUpdates(
    await roundCommitments(ctx.chain, ctx.schedule, round),
    ctx.schedule,
    round,
  );
  if (accepted.length === 0) return base;
  const { nextStartBlock } = roundWindow(ctx.schedule, round);
  const incentive = await ctx.chain.incentive({ block: nextStartBlock });
  const weighted = accepted.filter((c) => (incentive[c.hotkey] ?? 0) > 0);
  const entries = [];
  for (const c of weighted) {
    const update = await updateBytes(ctx, { hotkey: c.hotkey, round, hash: c.hash });
    entries.push({ hotkey: c.hotkey, weight: incentive[c.hotkey]!, update });
  }
  ctx.log?.debug(
    `round ${round}: aggregating ${entries.length} of ${accepted.length} accepted updates by incentive at block ${nextStartBlock}`,
  );
  return aggregateUpdates(base, entries);
}

/**
 * The subnet model round `round` starts from (canonical bytes), rebuilt from the latest base the store
 * holds (or the genesis model) one round at a time; every base computed on the way is stored.
 */
export async function rebuildBase(ctx: RebuildContext, round: number): Promise<Uint8Array> {
  const genesisRound = ctx.schedule.genesisRound;
  if (round <= genesisRound) return ctx.genesis;
  let from = genesisRound;
  let base = ctx.genesis;
  for (const r of ctx.store.baseRounds()) {
    if (r > round) break;
    const bytes = ctx.store.get(ctx.store.baseOf(r)!);
    if (bytes && r >= from) {
      from = r;
      base = bytes;
    }
  }
  for (let r = from; r < round; r++) {
    base = await aggregateRound(ctx, r, base);
    ctx.store.setBase(r + 1, ctx.store.put(base));
  }
  return base;
}
