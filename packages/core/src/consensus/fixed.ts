/**
 * I32F32 fixed-point arithmetic as subtensor's epoch does it (the `substrate_fixed` crate). A value is
 * held as its raw bits: a JS integer `k` meaning `k / 2^32`. Every value the epoch handles stays below
 * 2^21 (u16 weights at most), so `k` is an exact double. Addition and subtraction are then exact;
 * multiplication floors (an arithmetic shift of the widened product) and division truncates toward zero,
 * like the crate. Both take a fast double path and fall back to BigInt only when the double result lies
 * too close to an integer to be sure of the floor.
 */

/** 2^32: the I32F32 scale. */
export const ONE = 4294967296;
const U16_MAX = 65535;
const EPS = 2 ** -50;

/** I32F32 bits of an integer. */
export function fromInt(x: number): number {
  return x * ONE;
}

/** Nearest I32F32 to a float (saturating_from_num of an f32/f64 rounds to nearest). */
export function fromFloat(x: number): number {
  return Math.round(x * ONE);
}

/** The value as a float (for explanations and approximate comparisons). */
export function toFloat(k: number): number {
  return k / ONE;
}

/** a·b, floored to I32F32 (substrate_fixed `saturating_mul`). */
export function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  const r = (a * b) / ONE;
  const f = Math.floor(r);
  const tol = Math.abs(r) * EPS;
  if (r - f > tol && f + 1 - r > tol) return f;
  return Number((BigInt(a) * BigInt(b)) >> 32n);
}

/** a/b truncated toward zero, and 0 when b is 0 (subtensor's `safe_div`). */
export function div(a: number, b: number): number {
  if (b === 0 || a === 0) return 0;
  const r = (a * ONE) / b;
  const t = Math.trunc(r);
  const tol = Math.abs(r) * EPS;
  const frac = Math.abs(r - t);
  if (frac > tol && 1 - frac > tol) return t;
  return Number((BigInt(a) << 32n) / BigInt(b));
}

/** u16 integer part, saturating (fixed_to_u16). */
export function toU16(k: number): number {
  if (k <= 0) return 0;
  const v = Math.floor(k / ONE);
  return v > U16_MAX ? U16_MAX : v;
}

/** fixed_proportion_to_u16: floor(x · 65535), saturating. */
export function proportionToU16(k: number): number {
  return toU16(k * U16_MAX);
}

let u16Table: Float64Array | null = null;

/** u16_proportion_to_fixed / fixed_to_fixed_u16_proportion of an integer: x / 65535 (tabulated). */
export function u16Proportion(x: number): number {
  if (!Number.isInteger(x) || x < 0 || x > U16_MAX) return div(fromInt(x), fromInt(U16_MAX));
  if (u16Table === null) {
    u16Table = new Float64Array(U16_MAX + 1);
    for (let v = 0; v <= U16_MAX; v++) u16Table[v] = div(fromInt(v), fromInt(U16_MAX));
  }
  return u16Table[x]!;
}

/** Σ x (exact: every partial sum is an integer below 2^53). */
export function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

/** inplace_normalize: x / Σx, left unchanged when the sum is 0. */
export function normalize<T extends number[] | Float64Array>(x: T): T {
  const s = sum(x);
  if (s === 0) return x;
  for (let i = 0; i < x.length; i++) x[i] = div(x[i]!, s);
  return x;
}

/** I32F32 round(): to nearest, ties away from zero. */
export function round(k: number): number {
  const r = Math.round(Math.abs(k) / ONE) * ONE;
  return k < 0 ? -r : r;
}

/** e as substrate_fixed's `consts::E` (U2F126) truncated to I9F23, then widened to I32F32. */
const E_BITS = 22802600 * 2 ** 9;
/** Below this operand (10.0) every term and partial sum of the series is an exact double. */
const EXP_NUMBER_LIMIT = 10 * ONE;
const I32F32_MAX = 2n ** 63n - 1n;

/**
 * substrate_fixed `transcendental::exp` for I32F32 (encointer/substrate-fixed v0.6.0, the version subtensor
 * pins): 1 + x + Σ_{i=2}^{31} term_i with term_i = (term_{i−1}·|x|) / i, each product floored and each
 * quotient truncated in I32F32; a negative operand returns 1 / e^{|x|}. Overflow yields null (Err).
 */
function expFixed(x: number): number | null {
  if (x === 0) return ONE;
  if (x === ONE) return E_BITS;
  const a = Math.abs(x);
  let result: number;
  if (a <= EXP_NUMBER_LIMIT) {
    result = a + ONE;
    let term = a;
    for (let i = 2; i < 32; i++) {
      term = mul(term, a);
      let q = Math.floor(term / i);
      if (q * i > term) q--;
      else if ((q + 1) * i <= term) q++;
      term = q;
      result += term;
    }
  } else {
    const ab = BigInt(a);
    let r = ab + BigInt(ONE);
    let term = ab;
    for (let i = 2n; i < 32n; i++) {
      term = (term * ab) >> 32n;
      if (term > I32F32_MAX) return null;
      term /= i;
      r += term;
      if (r > I32F32_MAX) return null;
    }
    result = Number(r);
    if (x > 0) return result;
    return Number((1n << 64n) / r);
  }
  return x < 0 ? div(ONE, result) : result;
}

/** subtensor's `exp_safe`: e^x with the input clamped to [−20, 20], in substrate_fixed's I32F32 series. */
export function expSafe(k: number): number {
  const x = Math.min(20 * ONE, Math.max(-20 * ONE, k));
  const r = expFixed(x);
  if (r !== null) return r;
  return x <= 0 ? 0 : Number(I32F32_MAX);
}

/**
 * Normalises raw stakes the way subtensor does: I64F64 division by the sum, then conversion to I32F32
 * (which drops the extra fractional bits), i.e. floor(s_i · 2^32 / Σs). Zero sum: all zero.
 */
export function normalizeStake(raw: readonly bigint[]): number[] {
  let total = 0n;
  for (const s of raw) total += s;
  if (total === 0n) return raw.map(() => 0);
  return raw.map((s) => Number((s << 32n) / total));
}

/** (I96F32(x) · E) as u64: floor(x · E / 2^32) for a proportion x and an amount E (rao). */
export function scaleAmount(k: number, amount: bigint): bigint {
  if (k <= 0) return 0n;
  return (BigInt(k) * amount) >> 32n;
}
