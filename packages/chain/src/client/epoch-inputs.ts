/**
 * Reads the inputs of a subnet's Yuma epoch from chain storage, so the epoch that produced a uid's
 * stored Incentive/Dividends/Emission can be re-run with @subnetkit/core's `runEpoch` and explained.
 * An epoch that ran in block `b` read the state left by block `b − 1`: read at that parent block and
 * pass `currentBlock = b`. With commit-reveal on, the weight commits are read too (for the masking of
 * weights on uids registered after a validator's commit); see the chain README for their layout.
 */
import type { EpochInput } from '@subnetkit/core';
import { syncMetagraphAt } from './metagraph.js';
import type { StorageReader } from './storage.js';

export interface EpochInputOptions {
  /** The block the epoch ran in (default: the block read + 1). */
  currentBlock?: number;
  /**
   * Alpha (rao) the epoch distributed. Default: the pending server + validator emission at the block
   * read plus one block of `BlockEmission` after the owner cut (the devnet's per-block accrual).
   */
  emission?: bigint;
}

const u16le = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff);

/** Epoch inputs of `netuid` from the state at block `at` (hash and number). */
export async function readEpochInputsAt(
  reader: StorageReader,
  netuid: number,
  at: { hash: string; number: number },
  opts: EpochInputOptions = {},
): Promise<EpochInput> {
  const meta = await syncMetagraphAt(reader, netuid, at, { weights: true, bonds: true });
  const n = meta.n;
  const nu = u16le(netuid);
  const scalar = [
    'kappa',
    'bondsMovingAverage',
    'bondsPenalty',
    'alphaValues',
    'alphaSigmoidSteepness',
    'lastMechansimStepBlock',
    'pendingServerEmission',
    'pendingValidatorEmission',
    'activityCutoff',
    'maxAllowedValidators',
    'yuma3On',
    'liquidAlphaOn',
    'tempo',
    'commitRevealWeightsEnabled',
  ];
  const globals = ['taoWeight', 'stakeThreshold', 'blockEmission', 'subnetOwnerCut'];
  const hot = (
    await reader.fetchRaw(
      reader.keysFor(
        'keys',
        Array.from({ length: n }, (_, u) => [nu, u16le(u)]),
      ),
      at.hash,
    )
  ).map((r) => r ?? new Uint8Array(32));
  const keys = [
    ...scalar.map((i) => reader.key(i, [netuid])),
    ...globals.map((i) => reader.key(i, [])),
    ...reader.keysFor(
      'blockAtRegistration',
      Array.from({ length: n }, (_, u) => [nu, u16le(u)]),
    ),
    ...reader.keysFor(
      'totalHotkeyAlpha',
      hot.map((h) => [h, nu]),
    ),
    ...reader.keysFor(
      'totalHotkeyAlpha',
      hot.map((h) => [h, u16le(0)]),
    ),
  ];
  const raw = await reader.fetchRaw(keys, at.hash);
  let o = 0;
  const next = (item: string) => reader.decode(item, raw[o++] ?? null);
  const big = (item: string) => BigInt(next(item)?.toString() ?? '0');
  const v: Record<string, unknown> = {};
  for (const i of scalar) v[i] = next(i)?.toJSON();
  const g: Record<string, bigint> = {};
  for (const i of globals) g[i] = big(i);
  const registered = Array.from({ length: n }, () => Number(big('blockAtRegistration')));
  const alpha = Array.from({ length: n }, () => big('totalHotkeyAlpha'));
  const root = Array.from({ length: n }, () => big('totalHotkeyAlpha'));
  const taoWeight = g.taoWeight!;
  const stake = alpha.map((a, i) => (netuid === 0 ? a : a + ((root[i]! * taoWeight) >> 64n)));
  const ownerUid = meta.hyperparameters.ownerHotkey
    ? meta.hotkeys.indexOf(meta.hyperparameters.ownerHotkey)
    : -1;
  const block = g.blockEmission!;
  const accrual = block - (block * g.subnetOwnerCut!) / 65535n;
  const alphaValues = (v.alphaValues as [number, number] | null) ?? [45875, 58982];
  const currentBlock = opts.currentBlock ?? at.number + 1;
  const commitBlocks =
    v.commitRevealWeightsEnabled === true
      ? await readCommitBlocks(reader, nu, hot, at.hash, currentBlock)
      : undefined;
  return {
    n,
    currentBlock,
    stake,
    weights: meta.weights ?? [],
    bonds: meta.bonds ?? [],
    lastUpdate: meta.lastUpdate,
    blockAtRegistration: registered,
    validatorPermit: meta.validatorPermit,
    ownerUid: ownerUid >= 0 ? ownerUid : null,
    stakeThreshold: g.stakeThreshold,
    lastStepBlock: Number(v.lastMechansimStepBlock ?? 0),
    commitBlocks,
    emission:
      opts.emission ??
      BigInt(String(v.pendingServerEmission ?? 0)) +
        BigInt(String(v.pendingValidatorEmission ?? 0)) +
        accrual,
    hyperparameters: {
      tempo: Number(v.tempo),
      // The cutoff the epoch applies (ActivityCutoffFactorMilli × tempo on spec-425 runtimes).
      activityCutoff: meta.hyperparameters.activityCutoff ?? Number(v.activityCutoff),
      kappa: Number(v.kappa),
      bondsMovingAverage: Number(v.bondsMovingAverage),
      bondsPenalty: Number(v.bondsPenalty),
      maxAllowedValidators: Number(v.maxAllowedValidators),
      yuma3: v.yuma3On === true,
      liquidAlpha: v.liquidAlphaOn === true,
      alphaValues: [alphaValues[0], alphaValues[1]],
      alphaSigmoidSteepness: Number(v.alphaSigmoidSteepness),
    },
  };
}

/**
 * Per uid, the block of its earliest weight commit still revealable at `currentBlock` (null = none), from
 * `WeightCommits` in the devnet's (spec-381) layout `(hash, commit_block, first_reveal_block,
 * last_reveal_block)`: the epoch drops a validator's weights on uids registered after that commit.
 */
async function readCommitBlocks(
  reader: StorageReader,
  netuidIndex: Uint8Array,
  hotkeys: Uint8Array[],
  at: string,
  currentBlock: number,
): Promise<(number | null)[]> {
  const raw = await reader.fetchRaw(
    reader.keysFor(
      'weightCommits',
      hotkeys.map((h) => [netuidIndex, h]),
    ),
    at,
  );
  return raw.map((r) => {
    const commits = (reader.decode('weightCommits', r)?.toJSON() ?? []) as Array<
      [string, number | string, number | string, number | string]
    >;
    const live = commits.find((c) => Number(c[3]) >= currentBlock);
    return live ? Number(live[1]) : null;
  });
}
