/**
 * The devnet's Yuma epoch and emission: per block, a subnet's alpha emission accrues in subtensor's pending
 * items (PendingOwnerCut / PendingServerEmission / PendingValidatorEmission); at each tempo boundary the
 * epoch of @subnetkit/core runs over the subnet's storage, its outputs are written under subtensor's
 * names and precision, and the pending alpha is paid into stake.
 */
import { type EpochInput, type EpochResult, runEpoch } from '@subnetkit/core';
import { u8aEq } from '@polkadot/util';
import type { AccountId, Runtime } from './runtime.js';
import type { Subtensor } from './subtensor.js';

const S = 'SubtensorModule';
type Row = Array<[number, number]>;

/** Alpha minted for a subnet in one block (subtensor's `BlockEmission`, no halving in the devnet). */
export function accrueBlockEmission(rt: Runtime, netuid: number): void {
  const s = rt.state;
  const first = s.get<bigint | null>(`${S}.FirstEmissionBlockNumber`, netuid);
  if (first === null || BigInt(rt.blockNumber) < first) return;
  const alpha = s.get<bigint>(`${S}.BlockEmission`);
  const cut = (alpha * BigInt(s.get<number>(`${S}.SubnetOwnerCut`))) / 65535n;
  const rest = alpha - cut;
  const server = rest / 2n;
  s.mutate<bigint>(`${S}.PendingOwnerCut`, [netuid], (v) => v + cut);
  s.mutate<bigint>(`${S}.PendingServerEmission`, [netuid], (v) => v + server);
  s.mutate<bigint>(`${S}.PendingValidatorEmission`, [netuid], (v) => v + rest - server);
}

/** Stake weight the epoch uses: TotalHotkeyAlpha on the subnet + TaoWeight · root stake (rao, floored). */
function stakeWeight(rt: Runtime, hotkey: AccountId, netuid: number, taoWeight: bigint): bigint {
  const alpha = rt.state.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, netuid);
  const tao = rt.state.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, 0);
  return alpha + ((tao * taoWeight) >> 64n);
}

/** Reads everything the epoch of `netuid` needs from storage, as subtensor's epoch_mechanism does. */
export function readEpochInput(rt: Runtime, netuid: number, emission: bigint): EpochInput {
  const s = rt.state;
  const n = s.get<number>(`${S}.SubnetworkN`, netuid);
  const taoWeight = s.get<bigint>(`${S}.TaoWeight`);
  const hotkeys: AccountId[] = [];
  for (let uid = 0; uid < n; uid++) hotkeys.push(s.get<Uint8Array>(`${S}.Keys`, netuid, uid));
  const ownerHot = s.get<Uint8Array>(`${S}.SubnetOwnerHotkey`, netuid);
  const ownerUid = s.get<number | null>(`${S}.Uids`, netuid, ownerHot);
  const now = rt.blockNumber;
  let commitBlocks: (number | null)[] | undefined;
  if (s.get<boolean>(`${S}.CommitRevealWeightsEnabled`, netuid)) {
    commitBlocks = hotkeys.map((h) => {
      const commits =
        s.get<[Uint8Array, bigint, bigint, bigint][] | null>(`${S}.WeightCommits`, netuid, h) ?? [];
      const live = commits.filter((c) => c[3] >= BigInt(now));
      return live.length ? Number(live[0]![1]) : null;
    });
  }
  const alphaValues = s.get<[number, number]>(`${S}.AlphaValues`, netuid);
  return {
    n,
    currentBlock: now,
    stake: hotkeys.map((h) => stakeWeight(rt, h, netuid, taoWeight)),
    weights: Array.from({ length: n }, (_, uid) => s.get<Row>(`${S}.Weights`, netuid, uid)),
    bonds: Array.from({ length: n }, (_, uid) => s.get<Row>(`${S}.Bonds`, netuid, uid)),
    lastUpdate: s.get<bigint[]>(`${S}.LastUpdate`, netuid).map(Number),
    blockAtRegistration: Array.from({ length: n }, (_, uid) =>
      Number(s.get<bigint>(`${S}.BlockAtRegistration`, netuid, uid)),
    ),
    validatorPermit: s.get<boolean[]>(`${S}.ValidatorPermit`, netuid),
    ownerUid,
    stakeThreshold: s.get<bigint>(`${S}.StakeThreshold`),
    lastStepBlock: Number(s.get<bigint>(`${S}.LastMechansimStepBlock`, netuid)),
    commitBlocks,
    emission,
    hyperparameters: {
      tempo: s.get<number>(`${S}.Tempo`, netuid),
      activityCutoff: s.get<number>(`${S}.ActivityCutoff`, netuid),
      kappa: s.get<number>(`${S}.Kappa`, netuid),
      bondsMovingAverage: Number(s.get<bigint>(`${S}.BondsMovingAverage`, netuid)),
      bondsPenalty: s.get<number>(`${S}.BondsPenalty`, netuid),
      maxAllowedValidators: s.get<number>(`${S}.MaxAllowedValidators`, netuid),
      yuma3: s.get<boolean>(`${S}.Yuma3On`, netuid),
      liquidAlpha: s.get<boolean>(`${S}.LiquidAlphaOn`, netuid),
      alphaValues: [alphaValues[0], alphaValues[1]],
      alphaSigmoidSteepness: s.get<number>(`${S}.AlphaSigmoidSteepness`, netuid),
    },
  };
}

/** Writes the epoch's outputs under subtensor's item names (u16 proportions, u64 rao). */
export function writeEpochOutput(rt: Runtime, netuid: number, r: EpochResult): void {
  const s = rt.state;
  s.set(`${S}.Active`, netuid, r.active);
  s.set(`${S}.Emission`, netuid, r.emission);
  s.set(`${S}.Consensus`, netuid, r.consensus);
  s.set(`${S}.Dividends`, netuid, r.dividends);
  s.set(`${S}.ValidatorTrust`, netuid, r.validatorTrust);
  s.set(`${S}.ValidatorPermit`, netuid, r.validatorPermit);
  s.set(`${S}.StakeWeight`, netuid, r.stakeWeight);
  s.set(`${S}.Incentive`, netuid, r.incentive);
  s.set(`${S}.Rank`, netuid, r.rank);
  s.set(`${S}.Trust`, netuid, r.trust);
  s.set(`${S}.PruningScores`, netuid, r.pruningScores);
  r.bonds.forEach((row, uid) => {
    s.set(`${S}.Bonds`, netuid, uid, row);
  });
}

/**
 * Runs the epoch of a subnet at a tempo boundary: drains the pending emission, runs Yuma, stores the
 * outputs and pays miners (incentive, to the hotkey's owner coldkey), validators (dividends, to all of the
 * hotkey's stakers pro rata) and the owner cut (to the subnet owner hotkey).
 */
export function runSubnetEpoch(rt: Runtime, sub: Subtensor, netuid: number): EpochResult {
  const s = rt.state;
  const server = s.get<bigint>(`${S}.PendingServerEmission`, netuid);
  const validator = s.get<bigint>(`${S}.PendingValidatorEmission`, netuid);
  const ownerCut = s.get<bigint>(`${S}.PendingOwnerCut`, netuid);
  s.set(`${S}.PendingServerEmission`, netuid, 0n);
  s.set(`${S}.PendingValidatorEmission`, netuid, 0n);
  s.set(`${S}.PendingOwnerCut`, netuid, 0n);

  const input = readEpochInput(rt, netuid, server + validator);
  const result = runEpoch(input);
  writeEpochOutput(rt, netuid, result);

  const ownerCold = s.get<Uint8Array>(`${S}.SubnetOwner`, netuid);
  const ownerHot = s.get<Uint8Array>(`${S}.SubnetOwnerHotkey`, netuid);
  for (let uid = 0; uid < input.n; uid++) {
    const hot = s.get<Uint8Array>(`${S}.Keys`, netuid, uid);
    const cold = s.get<Uint8Array>(`${S}.Owner`, hot);
    const incentive = result.serverEmission[uid]!;
    // Hotkeys of the subnet owner do not earn miner incentive (subtensor burns or recycles it).
    if (incentive > 0n && !u8aEq(cold, ownerCold)) sub.creditStake(cold, hot, netuid, incentive, true);
    const dividend = result.validatorEmission[uid]!;
    if (dividend > 0n) sub.increaseHotkeyAlpha(hot, netuid, dividend);
  }
  if (ownerCut > 0n && s.has(`${S}.Owner`, ownerHot))
    sub.creditStake(ownerCold, ownerHot, netuid, ownerCut, true);
  rt.deposit(S, 'IncentiveAlphaEmittedToMiners', netuid, result.serverEmission);
  return result;
}
