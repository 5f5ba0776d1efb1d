/**
 * subtensor's `vec_u16_max_upscale_to_u16` with exact safe-integer arithmetic (no BigInt), for the
 * set_weights hot path. Same results as @subnetkit/core's maxUpscaleU16 (I32F32, truncating multiply and
 * divide, round half away from zero); the unit test checks them against each other.
 */
const TWO32 = 2 ** 32;
const TWO31 = 2 ** 31;
const TWO16 = 2 ** 16;

export function maxUpscale(values: ArrayLike<number>): Uint16Array {
  const n = values.length;
  const out = new Uint16Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) if (values[i]! > max) max = values[i]!;
  if (max === 0) return out;
  if (max > 32768) {
    // bits = e * floor((65535 << 32) / max); result = (bits + 2^31) >> 32, split to stay below 2^53.
    const factor = Math.floor((65535 * TWO32) / max);
    const fHi = Math.floor(factor / TWO16);
    const fLo = factor % TWO16;
    for (let i = 0; i < n; i++) {
      const e = values[i]!;
      const x = e * fHi;
      const y = e * fLo + TWO31;
      const r = Math.floor((x + Math.floor(y / TWO16)) / TWO16);
      out[i] = Math.min(r, 65535);
    }
    return out;
  }
  // bits = floor((e * 65535) << 32 / max); result = (bits + 2^31) >> 32.
  for (let i = 0; i < n; i++) {
    const p = values[i]! * 65535;
    const a = Math.floor(p / max);
    const rem = p - a * max;
    const frac = Math.floor((rem * TWO32) / max);
    const r = a + Math.floor((frac + TWO31) / TWO32);
    out[i] = Math.min(r, 65535);
  }
  return out;
}
