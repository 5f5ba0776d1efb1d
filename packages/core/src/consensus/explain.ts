/**
 * "Why did uid X get Y": an explanation of one uid's epoch outputs from the epoch's inputs and result
 * (its trace), and a check that the re-run epoch reproduces the values stored on chain. Pure; the CLI's
 * `subnetkit explain` reads the inputs and stored values from a chain and prints this.
 */
import { pad, type WeightMaskReason, weightMask } from './epoch.js';
import type { EpochHyperparameters, EpochInput, EpochResult, SparseRow, SparseU16Row } from './types.js';

/** Why a stored weight did not count: the row's validator had no permit, or the epoch masked the entry. */
export type DroppedWeightReason = 'no_permit' | WeightMaskReason;

/** One validator's vote on the uid: its stake, its weight, how consensus clipped it, its bond. */
export interface ValidatorVote {
  uid: number;
  /** Stake weight (rao). */
  stake: bigint;
  /** Normalised stake, and the active stake its vote carries (0 without a permit or when inactive). */
  stakeShare: number;
  activeStake: number;
  validatorPermit: boolean;
  active: boolean;
  /** Its weight on the uid as stored (u16, row max-upscaled); 0 when it set none. */
  storedWeight: number;
  /** Why the stored weight did not count, when it did not. */
  dropped?: DroppedWeightReason;
  /** Its weight on the uid after masking and row normalisation. */
  weight: number;
  /** The weight after clipping at consensus, and how much clipping took off. */
  clippedWeight: number;
  clippedBy: number;
  /** activeStake × clippedWeight: what this vote adds to the uid's rank. */
  rankContribution: number;
  /** Its bond in the uid before and after this epoch's moving average (see EpochTrace.bonds). */
  bondBefore: number;
  bondAfter: number;
  /** Liquid alpha of this (validator, uid) pair when liquid alpha was used. */
  liquidAlpha?: number;
}

/** One miner the uid (as a validator) holds a bond in, and what that bond earned it. */
export interface BondHolding {
  uid: number;
  /** The bond after this epoch's moving average. */
  bond: number;
  /** Its share of all bonds in that miner (what dividends split by). */
  share: number;
  /** That miner's incentive. */
  incentive: number;
  /** share × incentive (× the uid's active stake under Yuma 3), before dividends are normalised. */
  contribution: number;
}

/** A hyperparameter the epoch read, and what it did to this uid. */
export interface HyperparameterEffect {
  name: keyof EpochHyperparameters;
  value: number | boolean | readonly [number, number];
  effect: string;
}

/** A stored value that differs from the re-run epoch's. */
export interface StoredDifference {
  field: string;
  stored: string;
  computed: string;
}

/** Whether the re-run epoch reproduces the values stored on chain for the uid. */
export interface Reproduction {
  exact: boolean;
  /** Fields compared (u16 and u64 values as stored). */
  compared: string[];
  differences: StoredDifference[];
}

/** The values an epoch stored, as read from chain storage (u16 vectors, u64 emission, u16 bond rows). */
export interface StoredEpochValues {
  incentive: readonly number[];
  dividends: readonly number[];
  consensus: readonly number[];
  validatorTrust: readonly number[];
  emission: readonly bigint[];
  trust?: readonly number[];
  rank?: readonly number[];
  bonds?: readonly (SparseU16Row | undefined)[];
}

/** Why one uid got its incentive, dividends and emission in one epoch. */
export interface UidExplanation {
  uid: number;
  n: number;
  /** The block the epoch ran in. */
  epochBlock: number;
  stake: bigint;
  stakeShare: number;
  activeStake: number;
  active: boolean;
  validatorPermit: boolean;
  lastUpdate: number;
  registeredAt: number;
  /** The uid as a miner: the validators' votes, consensus, rank, incentive. */
  miner: {
    /** Stake-weighted κ-quantile of the validators' weights on the uid. */
    consensus: number;
    /** Σ activeStake × weight before clipping, and after (legacy "preranks" and "ranks"). */
    preranks: number;
    ranks: number;
    /** ranks / preranks: the part of the uid's votes that survived clipping. */
    trust: number;
    incentive: number;
    /** Alpha (rao) the uid earned as a miner. */
    emission: bigint;
    /** Every validator with active stake, a stored weight on the uid or a bond in it, by active stake. */
    votes: ValidatorVote[];
  };
  /** The uid as a validator: how far its weights agreed with consensus, its bonds, its dividends. */
  validator: {
    /** Σ of its clipped weights (1 = every weight at or under consensus). */
    validatorTrust: number;
    dividends: number;
    /** Alpha (rao) the uid earned as a validator. */
    emission: bigint;
    bonds: BondHolding[];
  };
  /** Alpha (rao) the epoch distributed, and the uid's total `Emission`. */
  epochEmission: bigint;
  emission: bigint;
  /** The stored (u16 / u64) values the epoch computed for the uid. */
  values: {
    incentive: number;
    dividends: number;
    consensus: number;
    validatorTrust: number;
    trust: number;
    rank: number;
    emission: bigint;
  };
  hyperparameters: HyperparameterEffect[];
  /** Present when stored values were given: whether the re-run reproduces them. */
  reproduction?: Reproduction;
}

const at = (row: SparseRow | SparseU16Row | undefined, j: number): number => {
  if (!row) return 0;
  for (const [c, v] of row) if (c === j) return v;
  return 0;
};
const has = (row: SparseU16Row | SparseRow | undefined, j: number) => !!row?.some(([c]) => c === j);

/** Compares the epoch's outputs for `uid` with the stored ones. */
export function compareStored(result: EpochResult, stored: StoredEpochValues, uid: number): Reproduction {
  const differences: StoredDifference[] = [];
  const compared: string[] = [];
  const check = (field: string, s: unknown, c: unknown) => {
    compared.push(field);
    const [a, b] = [String(s ?? 0), String(c ?? 0)];
    if (a !== b) differences.push({ field, stored: a, computed: b });
  };
  check('incentive', stored.incentive[uid], result.incentive[uid]);
  check('dividends', stored.dividends[uid], result.dividends[uid]);
  check('consensus', stored.consensus[uid], result.consensus[uid]);
  check('validatorTrust', stored.validatorTrust[uid], result.validatorTrust[uid]);
  check('emission', stored.emission[uid], result.emission[uid]);
  if (stored.trust) check('trust', stored.trust[uid], result.trust[uid]);
  if (stored.rank) check('rank', stored.rank[uid], result.rank[uid]);
  if (stored.bonds) {
    const key = (row: SparseU16Row | undefined) =>
      JSON.stringify([...(row ?? [])].filter(([, v]) => v !== 0).sort((x, y) => x[0] - y[0]));
    check('bonds', key(stored.bonds[uid]), key(result.bonds[uid]));
  }
  return { exact: differences.length === 0, compared, differences };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

function hyperparameterEffects(
  hp: EpochHyperparameters,
  uid: number,
  votes: ValidatorVote[],
  trace: EpochResult['trace'],
): HyperparameterEffect[] {
  const inactive = votes.filter((v) => v.validatorPermit && !v.active).map((v) => v.uid);
  const noPermit = votes.filter((v) => v.dropped === 'no_permit').map((v) => v.uid);
  const clipped = votes.filter((v) => v.clippedBy > 0);
  const out: HyperparameterEffect[] = [
    {
      name: 'kappa',
      value: hp.kappa,
      effect: `consensus on uid ${uid} is the weight validators holding ${pct(trace.kappa)} of active stake give at least; ${clipped.length} weight(s) above it were clipped to it`,
    },
    {
      name: 'activityCutoff',
      value: hp.activityCutoff,
      effect: inactive.length
        ? `validators ${inactive.join(', ')} set no weights in the last ${hp.activityCutoff} blocks and had no vote`
        : `every permitted validator set weights within ${hp.activityCutoff} blocks`,
    },
    {
      name: 'maxAllowedValidators',
      value: hp.maxAllowedValidators,
      effect: noPermit.length
        ? `validators ${noPermit.join(', ')} were outside the top ${hp.maxAllowedValidators} by stake: their weights did not count`
        : `the top ${hp.maxAllowedValidators} uids by stake hold validator permits`,
    },
    {
      name: 'yuma3',
      value: hp.yuma3,
      effect: hp.yuma3
        ? 'Yuma 3: bonds are each validator’s own moving average of its weights; dividends split by bond share × incentive × active stake'
        : 'Yuma 2: bonds are the stake-weighted moving average of weights, column-normalised; dividends split by bond share × incentive',
    },
    {
      name: 'bondsPenalty',
      value: hp.bondsPenalty,
      effect: `bonds follow the weights moved ${pct(trace.bondsPenalty)} of the way to their clipped values`,
    },
  ];
  if (hp.yuma3 && trace.liquidAlphas) {
    out.push(
      {
        name: 'liquidAlpha',
        value: true,
        effect:
          'each (validator, miner) bond moves by its own α between the alpha bounds (see liquidAlpha per vote)',
      },
      { name: 'alphaValues', value: hp.alphaValues, effect: 'the bounds (u16) of liquid alpha' },
      {
        name: 'alphaSigmoidSteepness',
        value: hp.alphaSigmoidSteepness,
        effect: 'how sharply liquid alpha moves between its bounds',
      },
    );
  } else {
    out.push({
      name: 'bondsMovingAverage',
      value: hp.bondsMovingAverage,
      effect: `bonds move α = ${trace.alpha.toFixed(6)} of the way to this epoch's weights`,
    });
  }
  out.push({
    name: 'tempo',
    value: hp.tempo,
    effect: `the epoch runs every ${hp.tempo + 1} blocks and pays out the alpha accrued since the last one`,
  });
  return out;
}

/**
 * Explains `uid`'s outputs of one epoch from its input and result. With `stored` (the values read from
 * chain state after the epoch), also says whether the re-run reproduces them exactly.
 */
export function explainUid(
  input: EpochInput,
  result: EpochResult,
  uid: number,
  stored?: StoredEpochValues,
): UidExplanation {
  const { n } = input;
  if (!Number.isInteger(uid) || uid < 0 || uid >= n) {
    throw new RangeError(`uid ${uid} is not on the subnet at block ${input.currentBlock} (it has ${n} uids)`);
  }
  const t = result.trace;
  const owner = input.ownerUid ?? null;
  const lastUpdate = pad(input.lastUpdate, n, 0);
  const registered = pad(input.blockAtRegistration, n, 0);
  const stake = pad(input.stake, n, 0n);
  const mask = weightMask(lastUpdate, registered, owner, input.commitBlocks);

  const votes: ValidatorVote[] = [];
  for (let i = 0; i < n; i++) {
    const storedRow = input.weights[i];
    const bondBefore = at(t.previousBonds[i], uid);
    const bondAfter = at(t.bonds[i], uid);
    if (!(t.activeStake[i]! > 0 || has(storedRow, uid) || bondBefore > 0 || bondAfter > 0)) continue;
    const weight = at(t.weights[i], uid);
    const clippedWeight = at(t.clippedWeights[i], uid);
    const vote: ValidatorVote = {
      uid: i,
      stake: stake[i]!,
      stakeShare: t.stake[i]!,
      activeStake: t.activeStake[i]!,
      validatorPermit: t.validatorPermit[i]!,
      active: t.active[i]!,
      storedWeight: at(storedRow, uid),
      weight,
      clippedWeight,
      clippedBy: weight - clippedWeight,
      rankContribution: t.activeStake[i]! * clippedWeight,
      bondBefore,
      bondAfter,
    };
    if (has(storedRow, uid) && at(storedRow, uid) > 0) {
      const why = t.validatorPermit[i] ? mask(i, uid) : 'no_permit';
      if (why) vote.dropped = why;
    }
    if (t.liquidAlphas && has(t.liquidAlphas[i], uid)) vote.liquidAlpha = at(t.liquidAlphas[i], uid);
    votes.push(vote);
  }
  votes.sort((a, b) => b.activeStake - a.activeStake || a.uid - b.uid);

  // Dividends: each bond's share of its miner's bonds (Yuma 2 bonds are column-normalised already).
  const bonds: BondHolding[] = [];
  for (const [j, bond] of t.bonds[uid] ?? []) {
    let column = 0;
    for (let i = 0; i < n; i++) column += at(t.bonds[i], j);
    const share = input.hyperparameters.yuma3 ? (column > 0 ? bond / column : 0) : bond;
    const incentive = t.incentive[j]!;
    const contribution = share * incentive * (input.hyperparameters.yuma3 ? t.activeStake[uid]! : 1);
    bonds.push({ uid: j, bond, share, incentive, contribution });
  }
  bonds.sort((a, b) => b.contribution - a.contribution || a.uid - b.uid);

  const explanation: UidExplanation = {
    uid,
    n,
    epochBlock: input.currentBlock,
    stake: stake[uid]!,
    stakeShare: t.stake[uid]!,
    activeStake: t.activeStake[uid]!,
    active: t.active[uid]!,
    validatorPermit: t.validatorPermit[uid]!,
    lastUpdate: lastUpdate[uid]!,
    registeredAt: registered[uid]!,
    miner: {
      consensus: t.consensus[uid]!,
      preranks: t.preranks[uid]!,
      ranks: t.ranks[uid]!,
      trust: t.trust[uid]!,
      incentive: t.incentive[uid]!,
      emission: result.serverEmission[uid]!,
      votes,
    },
    validator: {
      validatorTrust: t.validatorTrust[uid]!,
      dividends: t.dividends[uid]!,
      emission: result.validatorEmission[uid]!,
      bonds,
    },
    epochEmission: input.emission,
    emission: result.emission[uid]!,
    values: {
      incentive: result.incentive[uid]!,
      dividends: result.dividends[uid]!,
      consensus: result.consensus[uid]!,
      validatorTrust: result.validatorTrust[uid]!,
      trust: result.trust[uid]!,
      rank: result.rank[uid]!,
      emission: result.emission[uid]!,
    },
    hyperparameters: hyperparameterEffects(input.hyperparameters, uid, votes, t),
  };
  if (stored) explanation.reproduction = compareStored(result, stored, uid);
  return explanation;
}
