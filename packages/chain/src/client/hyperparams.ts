/** Subnet hyperparameters, read from chain storage at a block (never hard-coded). */
import type { Codec } from '@polkadot/types/types';
import { u16ToFloat } from '@subnetkit/core';
import { effectiveActivityCutoff } from './runtime-shape.js';
import type { StorageReader } from './storage.js';

/** A subnet's hyperparameters. Raw chain integers plus the float conversions of protocol facts 4.5. */
export interface Hyperparameters {
  netuid: number;
  /** Blocks per epoch. */
  tempo: number;
  /** SubnetworkN: registered neurons. */
  n: number;
  maxAllowedUids: number;
  minAllowedWeights: number;
  /** MaxWeightsLimit raw u16 (65535 = no limit). */
  maxWeightsLimit: number;
  /** MaxWeightsLimit / 65535. */
  maxWeightLimit: number;
  weightsVersionKey: bigint;
  /** Blocks between two set_weights (or commits) of one hotkey. */
  weightsSetRateLimit: number;
  commitRevealWeightsEnabled: boolean;
  /** Epochs between a commit and its reveal. */
  revealPeriodEpochs: number;
  servingRateLimit: number;
  immunityPeriod: number;
  maxAllowedValidators: number;
  /** Registration burn, rao. */
  burn: bigint;
  networkRegistrationAllowed: boolean;
  /** Optional items: undefined when the runtime does not declare them. */
  /**
   * Blocks without weights after which a validator's weights stop counting, as the epoch applies it:
   * `ActivityCutoff`, or on runtimes with `ActivityCutoffFactorMilli` (spec 425) that factor × tempo / 1000.
   */
  activityCutoff?: number;
  /** `ActivityCutoffFactorMilli` (per-mille of tempo) on runtimes that declare it. */
  activityCutoffFactorMilli?: number;
  kappa?: number;
  rho?: number;
  /** BondsMovingAverage / 1e6. */
  bondsMovingAverage?: number;
  minBurn?: bigint;
  maxBurn?: bigint;
  difficulty?: bigint;
  liquidAlphaEnabled?: boolean;
  yuma3Enabled?: boolean;
  alphaLow?: number;
  alphaHigh?: number;
  subtokenEnabled?: boolean;
  commitRevealVersion?: number;
  /** Minimum stake weight to set weights, rao. */
  stakeThreshold?: bigint;
  /** TaoWeight / u64::MAX. */
  taoWeight?: number;
  ownerColdkey?: string;
  ownerHotkey?: string;
}

const U64_MAX = 2 ** 64 - 1;
const big = (c: Codec | null) => (c === null ? 0n : BigInt(c.toString()));
const num = (c: Codec | null) => Number(big(c));
const bool = (c: Codec | null) => c !== null && c.toJSON() === true;
// The all-zero AccountId is the ValueQuery default: "not set".
const account = (c: Codec | null) =>
  c === null || c.toU8a().every((b) => b === 0) ? undefined : c.toString();

type Conv = (c: Codec | null) => unknown;
/** [field, storage item, keyed by netuid?, conversion, required?] */
const ITEMS: [keyof Hyperparameters, string, boolean, Conv, boolean][] = [
  ['tempo', 'tempo', true, num, true],
  ['n', 'subnetworkN', true, num, true],
  ['maxAllowedUids', 'maxAllowedUids', true, num, true],
  ['minAllowedWeights', 'minAllowedWeights', true, num, true],
  ['maxWeightsLimit', 'maxWeightsLimit', true, num, true],
  ['weightsVersionKey', 'weightsVersionKey', true, big, true],
  ['weightsSetRateLimit', 'weightsSetRateLimit', true, num, true],
  ['commitRevealWeightsEnabled', 'commitRevealWeightsEnabled', true, bool, true],
  ['revealPeriodEpochs', 'revealPeriodEpochs', true, num, false],
  ['servingRateLimit', 'servingRateLimit', true, num, true],
  ['immunityPeriod', 'immunityPeriod', true, num, false],
  ['maxAllowedValidators', 'maxAllowedValidators', true, num, false],
  ['burn', 'burn', true, big, false],
  ['networkRegistrationAllowed', 'networkRegistrationAllowed', true, bool, false],
  ['activityCutoff', 'activityCutoff', true, num, false],
  ['activityCutoffFactorMilli', 'activityCutoffFactorMilli', true, num, false],
  ['kappa', 'kappa', true, (c) => u16ToFloat(num(c)), false],
  ['rho', 'rho', true, num, false],
  ['bondsMovingAverage', 'bondsMovingAverage', true, (c) => num(c) / 1e6, false],
  ['minBurn', 'minBurn', true, big, false],
  ['maxBurn', 'maxBurn', true, big, false],
  ['difficulty', 'difficulty', true, big, false],
  ['liquidAlphaEnabled', 'liquidAlphaOn', true, bool, false],
  ['yuma3Enabled', 'yuma3On', true, bool, false],
  ['subtokenEnabled', 'subtokenEnabled', true, bool, false],
  ['commitRevealVersion', 'commitRevealWeightsVersion', false, num, false],
  ['stakeThreshold', 'stakeThreshold', false, big, false],
  ['taoWeight', 'taoWeight', false, (c) => num(c) / U64_MAX, false],
  ['ownerColdkey', 'subnetOwner', true, account, false],
  ['ownerHotkey', 'subnetOwnerHotkey', true, account, false],
];

/** The storage keys needed for {@link decodeHyperparameters}; fetch them together with other reads. */
export function hyperparameterKeys(reader: StorageReader, netuid: number): string[] {
  const keys: string[] = [];
  for (const [, item, byNetuid, , required] of ITEMS) {
    if (!required && !reader.has(item)) continue;
    keys.push(reader.key(item, byNetuid ? [netuid] : []));
  }
  if (reader.has('alphaValues')) keys.push(reader.key('alphaValues', [netuid]));
  return keys;
}

/** Decodes the values fetched for {@link hyperparameterKeys}, in the same order. */
export function decodeHyperparameters(
  reader: StorageReader,
  netuid: number,
  raw: (Uint8Array | null)[],
): Hyperparameters {
  const out: Record<string, unknown> = { netuid };
  let i = 0;
  for (const [field, item, , conv, required] of ITEMS) {
    if (!required && !reader.has(item)) continue;
    out[field] = conv(reader.decode(item, raw[i++] ?? null));
  }
  if (reader.has('alphaValues')) {
    const pair = reader.decode('alphaValues', raw[i++] ?? null)?.toJSON() as [number, number] | undefined;
    if (pair) {
      out.alphaLow = u16ToFloat(pair[0]);
      out.alphaHigh = u16ToFloat(pair[1]);
    }
  }
  out.maxWeightLimit = u16ToFloat(out.maxWeightsLimit as number);
  out.activityCutoff = effectiveActivityCutoff(out as unknown as Hyperparameters);
  if (out.activityCutoff === undefined) delete out.activityCutoff;
  if (out.revealPeriodEpochs === undefined) out.revealPeriodEpochs = 1;
  if (out.ownerColdkey === undefined) delete out.ownerColdkey;
  if (out.ownerHotkey === undefined) delete out.ownerHotkey;
  return out as unknown as Hyperparameters;
}
