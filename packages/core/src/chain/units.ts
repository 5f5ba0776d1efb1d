/**
 * Units of the chain's integers (protocol facts 4.5 and the notation note): TAO/alpha amounts in rao
 * (1e-9), and u16 proportions. Pure; amounts are exact (no floating point).
 */
import { ChainValueError } from './errors.js';

/** Rao per TAO (and per alpha): token decimals are 9. */
export const RAO_PER_TAO = 1_000_000_000n;

/** Largest value a u16 can hold; uids, weight values and u16 proportions live in [0, U16_MAX]. */
export const U16_MAX = 65535;

/** Parses a TAO amount (`"1.5"`, `2`, `"0.000000001"`) into rao; rejects negatives and more than 9 decimals. */
export function taoToRao(amount: string | number): bigint {
  const s = typeof amount === 'number' ? amount.toFixed(9) : amount.trim();
  const m = /^(\d+)(?:\.(\d{0,9})\d*)?$/.exec(s);
  if (!m || (typeof amount === 'string' && /\.\d{10,}/.test(s) && !/\.\d{9}0+$/.test(s))) {
    throw new ChainValueError(
      `invalid amount ${JSON.stringify(amount)}: use a non-negative number with up to 9 decimals`,
    );
  }
  return BigInt(m[1]!) * RAO_PER_TAO + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Formats rao as a TAO decimal string without trailing zeros (`1500000000n` -> `"1.5"`). */
export function raoToTao(rao: bigint): string {
  const neg = rao < 0n;
  const a = neg ? -rao : rao;
  const whole = a / RAO_PER_TAO;
  const frac = (a % RAO_PER_TAO).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Rao as a float number of tokens, for views and metrics (`Number(rao) / 1e9`; not exact above 2^53 rao). */
export function raoToTokens(rao: bigint | number): number {
  return Number(rao) / 1e9;
}
