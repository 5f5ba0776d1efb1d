import { PIXELS, SIDE } from './data.js';

/** How hard the validator distorts a digit; each draw is uniform in [-max, max] (scale: 1 ± max). */
export interface TransformStrength {
  /** Largest shift in pixels, per axis. */
  shift: number;
  /** Largest rotation in degrees. */
  rotateDeg: number;
  /** Largest relative scale change. */
  scale: number;
  /** Standard deviation of the added Gaussian pixel noise. */
  noise: number;
}

/** The distortion validators apply to every challenge digit. */
export const CHALLENGE_STRENGTH: TransformStrength = { shift: 2, rotateDeg: 15, scale: 0.12, noise: 0.08 };

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Rotates, scales and shifts a 28x28 digit about its centre (bilinear sampling, zero outside),
 * then adds Gaussian noise and clips to [0, 1]. Pure: the same `random` sequence gives the same
 * image. The result differs from every image in the mnist package, so a miner cannot answer by
 * looking challenge images up.
 */
export function transformDigit(
  image: ArrayLike<number>,
  random: () => number,
  strength: TransformStrength = CHALLENGE_STRENGTH,
  out: Float32Array = new Float32Array(PIXELS),
): Float32Array {
  const u = () => random() * 2 - 1;
  const angle = (u() * strength.rotateDeg * Math.PI) / 180;
  const scale = 1 + u() * strength.scale;
  const dx = u() * strength.shift;
  const dy = u() * strength.shift;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const c = (SIDE - 1) / 2;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      // Inverse map: where in the source does output pixel (x, y) come from?
      const ox = x - c - dx;
      const oy = y - c - dy;
      const sx = cos * ox + sin * oy + c;
      const sy = -sin * ox + cos * oy + c;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const at = (xx: number, yy: number) =>
        xx < 0 || yy < 0 || xx >= SIDE || yy >= SIDE ? 0 : image[yy * SIDE + xx]!;
      const v =
        at(x0, y0) * (1 - fx) * (1 - fy) +
        at(x0 + 1, y0) * fx * (1 - fy) +
        at(x0, y0 + 1) * (1 - fx) * fy +
        at(x0 + 1, y0 + 1) * fx * fy;
      out[y * SIDE + x] = v;
    }
  }
  if (strength.noise > 0) {
    for (let p = 0; p < PIXELS; p++) {
      out[p] = Math.min(1, Math.max(0, out[p]! + gaussian(random) * strength.noise));
    }
  }
  return out;
}
