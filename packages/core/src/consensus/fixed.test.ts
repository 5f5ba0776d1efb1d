/**
 * The I32F32 helpers against exact integer arithmetic, and subtensor's tests/math.rs cases for exp_safe and
 * sigmoid_safe (pallets/subtensor/src/tests/math.rs, opentensor/subtensor).
 */
import { describe, expect, it } from 'vitest';
import { div, expSafe, fromFloat, fromInt, mul, ONE } from './fixed.js';

/**
 * substrate_fixed v0.6.0 `transcendental::exp::<I32F32, I32F32>` in BigInt: the Taylor series up to i = 31
 * with floored products and truncated quotients, 1/e^|x| for negative x; e (consts::E >> 103, widened) at 1.
 */
function expReference(x: bigint): bigint {
  const one = 1n << 32n;
  if (x === 0n) return one;
  if (x === one) return (0xadf85458a2bb4a9aafdc5620273d3cf1n >> 103n) << 9n;
  const a = x < 0n ? -x : x;
  let result = a + one;
  let term = a;
  for (let i = 2n; i < 32n; i++) {
    term = (term * a) >> 32n;
    term = (term << 32n) / (i << 32n);
    result += term;
  }
  return x < 0n ? (one << 32n) / result : result;
}

/** subtensor's sigmoid_safe(input, rho, kappa) = 1 / (1 + exp_safe(−rho · (input − kappa))). */
function sigmoidSafe(input: number, rho: number, kappa: number): number {
  const negRho = mul(rho, -ONE);
  return div(ONE, expSafe(mul(negRho, input - kappa)) + ONE);
}

describe('expSafe', () => {
  it('equals substrate_fixed’s I32F32 exp series bit for bit over [−20, 20]', () => {
    let s = 12345;
    const next = () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const inputs = [0, ONE, -ONE, ONE / 2, -ONE / 2, 10 * ONE, -10 * ONE, 10 * ONE + 1, 20 * ONE, -20 * ONE];
    for (let k = 0; k < 3000; k++) inputs.push(Math.round((next() * 40 - 20) * ONE));
    for (let k = 0; k < 500; k++) inputs.push(Math.round((next() * 2 - 1) * 5 * ONE));
    for (const x of inputs) expect(expSafe(x), `exp(${x / ONE})`).toBe(Number(expReference(BigInt(x))));
  });

  it('tests/math.rs test_math_exp_safe: inputs outside [−20, 20] are clamped', () => {
    expect(expSafe(0)).toBe(ONE);
    expect(expSafe(-21 * ONE)).toBe(expSafe(-20 * ONE));
    expect(expSafe(-(2 ** 62))).toBe(expSafe(-20 * ONE));
    expect(expSafe(21 * ONE)).toBe(expSafe(20 * ONE));
    expect(expSafe(2 ** 62)).toBe(expSafe(20 * ONE));
    // The series stops at i = 31, so e^20 comes out ~0.8 % low, as on chain: Σ_{i≤31} 20^i / i!.
    let partial = 0;
    let term = 1;
    for (let i = 0; i < 32; i++) {
      partial += term;
      term = (term * 20) / (i + 1);
    }
    expect(Math.abs(expSafe(20 * ONE) / ONE - partial) / partial).toBeLessThan(1e-8);
    expect(expSafe(20 * ONE) / ONE).toBeLessThan(Math.exp(20) * 0.995);
  });

  it('tests/math.rs test_math_sigmoid_safe: rho 30, kappa 0.5 gives subtensor’s I32F32 values exactly', () => {
    const trust = [-(2 ** 63), 0, fromFloat(0.4), fromFloat(0.5), fromFloat(0.6), fromInt(1), 2 ** 63 - 1];
    const target = [0.0000000019, 0.0000003057, 0.0474258729, 0.5, 0.952574127, 0.9999996943, 0.9999999981];
    // I32F32::min/max_value saturate the products in subtensor; the clamp to ±20 gives the same exp here.
    const got = trust.map((t) =>
      sigmoidSafe(Math.max(-(2 ** 40), Math.min(2 ** 40, t)), fromInt(30), fromFloat(0.5)),
    );
    expect(got).toEqual(target.map(fromFloat));
  });
});
