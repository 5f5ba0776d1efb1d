import { WeightsError } from './errors.js';
import { U16_MAX, at, checkNonNegativeInt, checkU16Values, checkUids } from './validate.js';

/** Names of the subtensor dispatch errors the weight payload checks can produce (pallet SubtensorModule). */
export type ChainWeightsErrorName =
  | 'WeightVecNotEqualSize'
  | 'UidsLengthExceedUidsInSubNet'
  | 'DuplicateUids'
  | 'UidVecContainInvalidOne'
  | 'WeightVecLengthIsLow'
  | 'MaxWeightExceeded';

/** A weight payload the chain would reject: the subtensor error name plus a human explanation. */
export interface ChainWeightsViolation {
  /** The subtensor error name, as it appears in a failed extrinsic's dispatch error. */
  error: ChainWeightsErrorName;
  /** What is wrong and how to fix it. */
  message: string;
}

/** Input of {@link checkWeightsAgainstChainRules}. */
export interface ChainWeightsCheckInput {
  /** Destination uids as sent on chain (`dests`). */
  uids: ArrayLike<number>;
  /** u16 weight values as sent on chain. */
  values: ArrayLike<number>;
  /** `SubnetworkN[netuid]`: the number of neurons on the subnet. */
  n: number;
  /** `MinAllowedWeights[netuid]`. */
  minAllowedWeights: number;
  /** `MaxWeightsLimit[netuid]` as the raw u16 (65535 = no limit, the default). */
  maxWeightsLimit: number;
  /** The caller's own uid: a single weight on it (a self-weight) skips the length and max checks. */
  selfUid?: number;
}

const FRAC_BITS = 32n;
const ONE = 1n << FRAC_BITS;
const HALF = 1n << (FRAC_BITS - 1n);
const U16_MAX_N = BigInt(U16_MAX);

/**
 * The chain's max-upscale of a u16 weight vector (`vec_u16_max_upscale_to_u16`, I32F32 fixed point with
 * truncating multiply/divide and round-half-away-from-zero): the largest value becomes 65535, the others
 * keep their ratio. An all-zero vector stays all zeros. This is what subtensor stores in `Weights`.
 */
export function maxUpscaleU16(values: ArrayLike<number>): number[] {
  checkU16Values(values);
  let max = 0;
  for (let i = 0; i < values.length; i++) if (at(values, i) > max) max = at(values, i);
  if (max === 0) return Array.from({ length: values.length }, () => 0);
  const maxN = BigInt(max);
  const out: number[] = [];
  // Above 32768 the chain computes e * (65535 / max) to stay inside I32F32's range; below, (e * 65535) / max.
  const factor = max > 32768 ? (U16_MAX_N << FRAC_BITS) / maxN : 0n;
  for (let i = 0; i < values.length; i++) {
    const e = BigInt(at(values, i));
    const bits = max > 32768 ? e * factor : ((e * U16_MAX_N) << FRAC_BITS) / maxN;
    const rounded = (bits + HALF) >> FRAC_BITS;
    out.push(Number(rounded > U16_MAX_N ? U16_MAX_N : rounded));
  }
  return out;
}

/**
 * Applies subtensor's payload checks for `set_weights` / `reveal_weights` (protocol-facts 2.1 steps
 * 3, 5, 11, 12, 13, 14, in the chain's order) and returns the first violation, or `null` when the chain
 * would accept the payload. Account-level checks (registration, stake, permit, rate limit, version key,
 * commit-reveal mode) are out of scope: they need chain state.
 *
 * Used by both the devnet (to reject) and the client (to refuse before sending), so they agree.
 * Throws {@link WeightsError} only for inputs that can not be u16 vectors at all (non-integers, > 65535).
 */
export function checkWeightsAgainstChainRules(input: ChainWeightsCheckInput): ChainWeightsViolation | null {
  const { uids, values, n, minAllowedWeights, maxWeightsLimit, selfUid } = input;
  checkNonNegativeInt('n', n);
  checkNonNegativeInt('minAllowedWeights', minAllowedWeights);
  checkU16Values([maxWeightsLimit], 'maxWeightsLimit');
  if (selfUid !== undefined) checkU16Values([selfUid], 'selfUid');
  checkU16Values(uids, 'uids');
  checkU16Values(values);

  if (uids.length !== values.length) {
    return violation(
      'WeightVecNotEqualSize',
      `${uids.length} uids but ${values.length} weight values; send one value per uid`,
    );
  }
  if (uids.length > n) {
    return violation(
      'UidsLengthExceedUidsInSubNet',
      `${uids.length} weights but the subnet has only ${n} neurons; drop uids that do not exist`,
    );
  }
  try {
    checkUids(uids);
  } catch (err) {
    if (err instanceof WeightsError && err.code === 'DUPLICATE_UID')
      return violation('DuplicateUids', err.message);
    throw err;
  }
  for (let i = 0; i < uids.length; i++) {
    if (at(uids, i) >= n) {
      return violation(
        'UidVecContainInvalidOne',
        `uids[${i}] is ${at(uids, i)} but the subnet has ${n} neurons (valid uids 0..${n - 1}); resync the metagraph`,
      );
    }
  }
  const isSelfWeight = selfUid !== undefined && values.length === 1 && at(uids, 0) === selfUid;
  const minLength = Math.min(n, minAllowedWeights);
  if (!isSelfWeight && values.length < minLength) {
    return violation(
      'WeightVecLengthIsLow',
      `${values.length} weights but the subnet requires at least ${minLength} (min(n, MinAllowedWeights)); ` +
        'set weights on more uids (zero values count)',
    );
  }
  if (!isSelfWeight && maxWeightsLimit !== U16_MAX && !maxLimited(maxUpscaleU16(values), maxWeightsLimit)) {
    return violation(
      'MaxWeightExceeded',
      `the largest weight is above MaxWeightsLimit ${maxWeightsLimit}/65535 of the total; ` +
        'spread weight over more uids (processWeightsForNetuid caps shares at maxWeightLimit)',
    );
  }
  return null;
}

// check_vec_max_limited: normalize in I32F32 (truncating division) and compare with limit/65535.
function maxLimited(values: number[], limit: number): boolean {
  let sum = 0n;
  for (const v of values) sum += BigInt(v);
  const limitFixed = (BigInt(limit) << FRAC_BITS) / U16_MAX_N;
  let max = 0n;
  for (const v of values) {
    const share = sum === 0n ? BigInt(v) * ONE : (BigInt(v) << FRAC_BITS) / sum;
    if (share > max) max = share;
  }
  return values.length === 0 || max <= limitFixed;
}

function violation(error: ChainWeightsErrorName, message: string): ChainWeightsViolation {
  return { error, message: `${error}: ${message}` };
}
