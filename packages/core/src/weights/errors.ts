/**
 * Machine-readable reasons a weight input was rejected. Each maps to one kind of mistake a validator
 * author can make; the error message names the offending index/value and how to fix it.
 */
export type WeightsErrorCode =
  | 'LENGTH_MISMATCH'
  | 'NON_FINITE_WEIGHT'
  | 'NEGATIVE_WEIGHT'
  | 'INVALID_UID'
  | 'DUPLICATE_UID'
  | 'UID_OUT_OF_RANGE'
  | 'INVALID_U16'
  | 'INVALID_PARAMETER';

/**
 * Thrown by the weight helpers when their input can not be turned into a valid on-chain weight vector.
 * Nothing is silently clamped or dropped: fix the input named in `message`.
 */
export class WeightsError extends Error {
  /** Which rule was broken (stable, safe to switch on). */
  readonly code: WeightsErrorCode;

  constructor(code: WeightsErrorCode, message: string) {
    super(message);
    this.name = 'WeightsError';
    this.code = code;
  }
}
