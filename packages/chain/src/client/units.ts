/** TAO/alpha amounts: decimal text <-> rao (1e-9). Pure; exact (no floating point). */
import { ChainError } from './errors.js';

/** Rao per TAO (and per alpha). */
export const RAO_PER_TAO = 1_000_000_000n;

/** Parses a TAO amount (`"1.5"`, `2`, `"0.000000001"`) into rao; rejects negatives and >9 decimals. */
export function taoToRao(amount: string | number): bigint {
  const s = typeof amount === 'number' ? amount.toFixed(9) : amount.trim();
  const m = /^(\d+)(?:\.(\d{0,9})\d*)?$/.exec(s);
  if (!m || (typeof amount === 'string' && /\.\d{10,}/.test(s) && !/\.\d{9}0+$/.test(s))) {
    throw new ChainError(
      'BadInput',
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
