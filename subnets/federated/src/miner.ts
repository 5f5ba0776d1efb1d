/**
 * The federated miner: `setup` starts a round loop (ended by `ctx.signal` when the miner stops). At each
 * round's start it rebuilds the subnet model from the chain (fetching last round's accepted updates from
 * the peers that committed them, as a registered hotkey), trains one local epoch on its private shard (the
 * digits never leave it), commits the update's sha256 on chain and only then serves the bytes. The
 * adversaries (`poison`, `lazy`, `copy`) run the same loop with another way to make their update.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MinerSetupContext, WireError } from '@subnetkit/core';
import { CLASSES, type DigitSet } from '@subnetkit/subnet-vision';
import { trainLocal } from './model.js';
import { type RebuildContext, rebuildBase } from './rebuild.js';
import { type RoundWindow, roundPhase } from './schedule.js';
import {
  FEDERATED_DEFAULTS,
  type FederatedOptions,
  genesisModel,
  scheduleFor,
  shardOf,
  tensors,
  updateFetcher,
} from './setup.js';
import { DirUpdateStore, type UpdateStore } from './store.js';
import { decodeWeights, encodeWeights, type ModelWeights } from './weights.js';

/** How a federated miner behaves: honest, or one of the adversaries (`miner.baselines`). */
export type FederatedRole = 'honest' | 'poison' | 'lazy' | 'copy';

/** A running federated miner: what `forward` serves from. */
export interface FederatedMiner {
  role: FederatedRole;
  store: UpdateStore;
  /** Update hash served per round. */
  served: Map<number, string>;
  /** Resolves when the round loop has ended (after the miner stopped). */
  done: Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const hexBytes = (hash: string) => new Uint8Array(Buffer.from(hash, 'hex'));
const flipped = (shard: DigitSet) => Uint8Array.from(shard.labels, (y) => CLASSES - 1 - y);

/** Starts a miner of `role`: its state for `forward`, and the round loop in the background. */
export async function startFederatedMiner(
  ctx: MinerSetupContext,
  role: FederatedRole,
  options: FederatedOptions,
): Promise<FederatedMiner> {
  const { chain, peers, log, signal } = ctx;
  if (!chain || !peers)
    throw new Error(
      'the federated miner commits on chain and fetches its peers’ updates: run it connected to the subnet (subnetkit miner --chain … or subnetkit localnet --subnet federated)',
    );
  const tf = await tensors(ctx.tf, log);
  const store = new DirUpdateStore(join(ctx.dataDir, 'federated'));
  const servedFile = join(ctx.dataDir, 'federated', 'served.json');
  const served = new Map<number, string>();
  try {
    for (const [r, h] of Object.entries(
      JSON.parse(readFileSync(servedFile, 'utf8')) as Record<string, string>,
    ))
      if (store.get(h)) served.set(Number(r), h);
  } catch {
    // First start.
  }
  const schedule = scheduleFor(chain.netuid, await chain.tempo(), options);
  const genesis = await genesisModel(tf, options.seed ?? FEDERATED_DEFAULTS.seed);
  const rebuild: RebuildContext = { chain, schedule, store, genesis, fetchUpdate: updateFetcher(peers), log };
  const serve = async (window: RoundWindow, bytes: Uint8Array) => {
    const hash = store.put(bytes);
    const { block } = await chain.commit(hexBytes(hash));
    served.set(window.round, hash);
    writeFileSync(servedFile, JSON.stringify(Object.fromEntries(served)));
    const late = block > window.deadlineBlock;
    log[late ? 'warn' : 'info'](
      `round ${window.round}: ${role} update ${hash.slice(0, 12)}… committed at block ${block}${late ? ` after the deadline ${window.deadlineBlock} (late: not counted)` : ''}`,
    );
  };

  const produce = async (window: RoundWindow) => {
    if (role === 'copy') return copyUpdate(window);
    const base = await rebuildBase(rebuild, window.round);
    if (role === 'lazy') return serve(window, base);
    const uid = await chain.uid();
    if (uid === undefined)
      throw new Error(`hotkey ${chain.hotkey} is not registered on netuid ${chain.netuid}`);
    const shard = shardOf(uid, options);
    const weights: ModelWeights = await trainLocal(tf, decodeWeights(base), shard, {
      epochs: options.localEpochs ?? FEDERATED_DEFAULTS.localEpochs,
      seed: window.round * 1000 + uid,
      ...(role === 'poison' ? { labels: flipped(shard) } : {}),
    });
    if (signal.aborted) return;
    return serve(window, encodeWeights(weights));
  };

  // The copier waits for another miner's commitment in the window, fetches those bytes as a registered
  // peer once they are served, and commits the same hash: always a later block than the original.
  const copyUpdate = async (window: RoundWindow) => {
    const pollMs = options.pollMs ?? FEDERATED_DEFAULTS.pollMs;
    while (!signal.aborted && (await chain.block()) < window.deadlineBlock) {
      const incentive = await chain.incentive();
      const others = (await chain.commitments())
        .filter(
          (c) =>
            c.hotkey !== chain.hotkey &&
            c.data.length === 32 &&
            c.block >= window.startBlock &&
            c.block <= window.deadlineBlock,
        )
        .sort((a, b) => (incentive[b.hotkey] ?? 0) - (incentive[a.hotkey] ?? 0) || a.block - b.block);
      for (const c of others) {
        const hash = Buffer.from(c.data).toString('hex');
        const bytes = await peers
          .fetch({ hotkey: c.hotkey, synapse: 'Update', request: { round: window.round }, hash })
          .catch(() => undefined);
        if (bytes) return serve(window, bytes);
      }
      await sleep(pollMs, signal);
    }
  };

  const loop = async () => {
    const attempted = new Set<number>();
    while (!signal.aborted) {
      try {
        const { window, phase } = roundPhase(schedule, await chain.block());
        if (phase === 'commit' && !served.has(window.round) && !attempted.has(window.round)) {
          attempted.add(window.round);
          try {
            await produce(window);
          } catch (err) {
            attempted.delete(window.round); // try again while the window is open
            throw err;
          }
        }
      } catch (err) {
        if (!signal.aborted) log.warn(`federated ${role} miner: ${(err as Error).message}; retrying`);
      }
      await sleep(options.pollMs ?? FEDERATED_DEFAULTS.pollMs, signal);
    }
  };
  return { role, store, served, done: loop() };
}

/** The update bytes of `round`, or a 400 naming the rounds this miner serves. */
export function serveUpdate(round: number, miner: FederatedMiner): Uint8Array {
  const hash = miner.served.get(round);
  const bytes = hash ? miner.store.get(hash) : undefined;
  if (!bytes) {
    const rounds = [...miner.served.keys()].sort((a, b) => a - b);
    throw new WireError(
      'InvalidRequest',
      `this miner has no update for round ${round} (it serves rounds ${rounds.length ? rounds.join(', ') : 'none yet'}); ask for a round it committed`,
    );
  }
  return bytes;
}
