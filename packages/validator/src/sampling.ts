/**
 * Which miners a round queries: a seeded sample of K serving uids, like the subnet template's
 * `get_random_uids` (pure, so a retried round samples the same miners).
 */
import { isServing, type MetagraphView } from '@subnetkit/core';
import type { MinerTarget } from './types.js';

export interface SamplingOptions {
  /** How many miners to query per round (the template's `--neuron.sample_size`, default 50). */
  k: number;
  /**
   * Validators with a permit and more stake than this are not sampled (they are not miners);
   * the template's `--neuron.vpermit_tao_limit`, default 4096.
   */
  vpermitTaoLimit?: number;
  /** Hotkeys never to sample (e.g. this validator's own). */
  exclude?: readonly string[];
}

/** The uids a validator may query: serving, not a big permitted validator, not excluded. */
export function availableUids(metagraph: MetagraphView, options: Omit<SamplingOptions, 'k'> = {}): number[] {
  const limit = options.vpermitTaoLimit ?? 4096;
  const exclude = new Set(options.exclude ?? []);
  const out: number[] = [];
  for (let uid = 0; uid < metagraph.n; uid++) {
    if (!isServing(metagraph.axons[uid])) continue;
    const hotkey = metagraph.hotkeys[uid];
    if (hotkey === undefined || exclude.has(hotkey)) continue;
    if (metagraph.validatorPermit[uid] && (metagraph.stake[uid] ?? 0) > limit) continue;
    out.push(uid);
  }
  return out;
}

/**
 * Sample `min(k, available)` distinct serving miners with `random` (a seeded source such as
 * `seededRandom(round)`), returned in uid order. Partial Fisher-Yates: O(available).
 */
export function sampleMiners(
  metagraph: MetagraphView,
  random: () => number,
  options: SamplingOptions,
): MinerTarget[] {
  if (!Number.isInteger(options.k) || options.k < 1) {
    throw new RangeError(
      `sample size ${options.k} is invalid; pass a positive integer (e.g. --sample-size 50)`,
    );
  }
  const pool = availableUids(metagraph, options);
  const k = Math.min(options.k, pool.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return pool
    .slice(0, k)
    .sort((a, b) => a - b)
    .map((uid) => {
      const axon = metagraph.axons[uid]!;
      return { uid, hotkey: metagraph.hotkeys[uid]!, ip: axon.ip, port: axon.port };
    });
}

/** Split targets into batches of at most `size` (the child jobs of a round). */
export function batchTargets<T>(targets: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`batch size ${size} is invalid; pass a positive integer`);
  }
  const out: T[][] = [];
  for (let i = 0; i < targets.length; i += size) out.push(targets.slice(i, i + size));
  return out;
}
