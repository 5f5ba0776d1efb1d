/** Inputs and outputs of the Yuma epoch (subtensor's `epoch_mechanism`). */

/** One sparse row as stored on chain: (uid, u16 value) pairs. */
export type SparseU16Row = ReadonlyArray<readonly [number, number]>;

/** The hyperparameters the epoch reads, under subtensor's storage names (camelCased). */
export interface EpochHyperparameters {
  /** `Tempo`: blocks between epochs (used for the bond mask when no epoch ran yet). */
  tempo: number;
  /** Activity cutoff in blocks (`ActivityCutoff`): validators silent longer than this are inactive. */
  activityCutoff: number;
  /** `Kappa` (u16; 32767 ≈ 0.5): the stake quantile consensus takes. */
  kappa: number;
  /** `BondsMovingAverage` (u64, millionths; 900000 ⇒ α = 0.1). */
  bondsMovingAverage: number;
  /** `BondsPenalty` (u16; 65535 = bonds follow the clipped weights). */
  bondsPenalty: number;
  /** `MaxAllowedValidators`: top-k by stake get a validator permit. */
  maxAllowedValidators: number;
  /** `Yuma3On`. */
  yuma3: boolean;
  /** `LiquidAlphaOn` (used by Yuma 3 only). */
  liquidAlpha: boolean;
  /** `AlphaValues` (u16 low, u16 high). */
  alphaValues: readonly [number, number];
  /** `AlphaSigmoidSteepness` (i16). */
  alphaSigmoidSteepness: number;
}

/** subtensor's defaults for a subnet created by `register_network` (runtime constants + creation overrides). */
export const DEFAULT_EPOCH_HYPERPARAMETERS: EpochHyperparameters = {
  tempo: 360,
  activityCutoff: 5000,
  kappa: 32767,
  bondsMovingAverage: 900_000,
  bondsPenalty: 65535,
  maxAllowedValidators: 64,
  yuma3: true,
  liquidAlpha: false,
  alphaValues: [45875, 58982],
  alphaSigmoidSteepness: 1000,
};

/** Everything the epoch reads, as it is in chain storage at the epoch's block. */
export interface EpochInput {
  /** `SubnetworkN`. Every per-uid array has this length (shorter arrays are padded with defaults). */
  n: number;
  /** The block the epoch runs in. */
  currentBlock: number;
  /**
   * Raw stake per uid (rao): the stake weight `TotalHotkeyAlpha + TaoWeight·root stake` as an integer.
   */
  stake: readonly bigint[];
  /** `Weights` rows as stored (row max-upscaled u16), one per uid; missing = no row. */
  weights: readonly (SparseU16Row | undefined)[];
  /** `Bonds` rows as stored, one per uid. */
  bonds: readonly (SparseU16Row | undefined)[];
  /** `LastUpdate` per uid. */
  lastUpdate: readonly number[];
  /** `BlockAtRegistration` per uid. */
  blockAtRegistration: readonly number[];
  /** `ValidatorPermit` as stored by the previous epoch. */
  validatorPermit: readonly boolean[];
  /** uid of `SubnetOwnerHotkey` when it is registered on the subnet. */
  ownerUid?: number | null;
  /** `StakeThreshold` (rao): stake below it counts as 0 (the owner is exempt). Default 0. */
  stakeThreshold?: bigint;
  /** `LastMechansimStepBlock` (0 when no epoch ran yet). */
  lastStepBlock: number;
  /**
   * With commit-reveal on: per uid, the block of its earliest unexpired weight commit (null = none).
   * Weights of i on j are dropped when that commit predates j's registration.
   */
  commitBlocks?: readonly (number | null)[];
  /** Alpha (rao) this epoch distributes (pending server + validator emission). */
  emission: bigint;
  hyperparameters: EpochHyperparameters;
}

/** A sparse row of values in [0, 1] for explanations: (uid, value). */
export type SparseRow = Array<[number, number]>;

/** The epoch's intermediate values (floats in [0, 1]), enough to say why a uid got what it got. */
export interface EpochTrace {
  /** Normalised stake (after the stake threshold). */
  stake: number[];
  /** Stake of active permitted validators, normalised: the weight each validator's vote carries. */
  activeStake: number[];
  /** Whether each uid set weights within the activity cutoff. */
  active: boolean[];
  /** Permits used by this epoch (the stored ones, owner forced on). */
  validatorPermit: boolean[];
  /** Weights after masking (no permit, self-weight, outdated, commit-reveal) and row normalisation. */
  weights: SparseRow[];
  /** Weights clipped at consensus. */
  clippedWeights: SparseRow[];
  /** Weights the bonds follow (weights interpolated toward clipped weights by the bonds penalty). */
  weightsForBonds: SparseRow[];
  /** Stake-weighted κ-quantile of each column. */
  consensus: number[];
  /** Σ_i activeStake_i · W_ij before clipping (legacy "preranks"). */
  preranks: number[];
  /** Σ_i activeStake_i · clipped W_ij, before normalisation. */
  ranks: number[];
  /** ranks / preranks (legacy Trust). */
  trust: number[];
  incentive: number[];
  validatorTrust: number[];
  /** Bonds after masking, as the EMA sees them (Yuma 3: proportions; Yuma 2: column-normalised). */
  previousBonds: SparseRow[];
  /** Bonds after the moving average (Yuma 3: unnormalised proportions; Yuma 2: column-normalised). */
  bonds: SparseRow[];
  /** Liquid alpha per (validator, uid) when it was used, else null (one α for all, see `alpha`). */
  liquidAlphas: SparseRow[] | null;
  /** The single EMA α when liquid alpha is off. */
  alpha: number;
  dividends: number[];
  /** Emission shares (server, validator, combined) before scaling by the epoch's amount. */
  serverShare: number[];
  validatorShare: number[];
  combinedShare: number[];
  kappa: number;
  bondsPenalty: number;
}

/** The epoch's outputs in subtensor's storage precision, plus the trace. */
export interface EpochResult {
  /** `Active`. */
  active: boolean[];
  /** `StakeWeight` (u16). */
  stakeWeight: number[];
  /** `ValidatorPermit` for the next epoch. */
  validatorPermit: boolean[];
  /** `Consensus` (u16). */
  consensus: number[];
  /** `Incentive` (u16). */
  incentive: number[];
  /** `Dividends` (u16). */
  dividends: number[];
  /** `ValidatorTrust` (u16). */
  validatorTrust: number[];
  /** `Rank` (u16, legacy: the normalised ranks, equal to incentive). */
  rank: number[];
  /** `Trust` (u16, legacy: ranks after / before clipping). */
  trust: number[];
  /** `PruningScores` (u16, legacy: combined emission max-upscaled). */
  pruningScores: number[];
  /** `Emission` (u64 rao): combined emission per uid. */
  emission: bigint[];
  /** Alpha each uid earns as a miner (incentive share). */
  serverEmission: bigint[];
  /** Alpha each uid earns as a validator (dividend share). */
  validatorEmission: bigint[];
  /** `Bonds` rows to store (u16), one per uid (empty rows for uids without a new permit). */
  bonds: Array<Array<[number, number]>>;
  /** Intermediate values; each field is computed on first read (memoised), so unread ones cost nothing. */
  trace: EpochTrace;
}
