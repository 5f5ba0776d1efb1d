/**
 * Model weights as bytes: the canonical serialization a miner commits to (its sha256 is the on-chain
 * commitment), and the aggregation every node runs to build the next subnet model. Both are pure
 * JavaScript over Float32Arrays (no tfjs kernels), so every node gets the same bytes.
 *
 * Format (little-endian): `SKFW` magic, version u8 (1), tensor count u32, then per tensor: rank u8,
 * each dimension u32, then the float32 values in row-major order (tfjs `getWeights()` order and layout).
 * Only finite values are valid.
 */
import { artifactHashHex } from '@subnetkit/core';

const MAGIC = [0x53, 0x4b, 0x46, 0x57]; // "SKFW"
const VERSION = 1;

/** One weight tensor: its shape and row-major values. */
export interface WeightTensor {
  shape: number[];
  values: Float32Array;
}

/** A model's weights in tfjs `getWeights()` order. */
export type ModelWeights = WeightTensor[];

/** Raised for bytes that are not a valid weights file (the message names what is wrong). */
export class WeightsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsFormatError';
  }
}

/** Canonical bytes of a model's weights. */
export function encodeWeights(weights: ModelWeights): Uint8Array {
  let size = 4 + 1 + 4;
  for (const t of weights) size += 1 + 4 * t.shape.length + 4 * t.values.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(4, VERSION);
  view.setUint32(5, weights.length, true);
  let off = 9;
  for (const t of weights) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.values.length)
      throw new WeightsFormatError(
        `tensor of shape [${t.shape}] has ${t.values.length} values, expected ${count}`,
      );
    view.setUint8(off++, t.shape.length);
    for (const d of t.shape) {
      view.setUint32(off, d, true);
      off += 4;
    }
    for (let i = 0; i < t.values.length; i++) {
      const v = t.values[i]!;
      if (!Number.isFinite(v)) throw new WeightsFormatError('weights must be finite (found NaN or Infinity)');
      // Normalise -0 to 0 so equal models have equal bytes.
      view.setFloat32(off, v === 0 ? 0 : v, true);
      off += 4;
    }
  }
  return out;
}

/** Decodes canonical weight bytes; throws {@link WeightsFormatError} for anything else. */
export function decodeWeights(bytes: Uint8Array): ModelWeights {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number, off: number) => {
    if (off + n > bytes.length) throw new WeightsFormatError(`weights file is truncated at byte ${off}`);
  };
  need(9, 0);
  if (MAGIC.some((m, i) => bytes[i] !== m))
    throw new WeightsFormatError('not a subnetkit weights file (bad magic)');
  if (view.getUint8(4) !== VERSION)
    throw new WeightsFormatError(`unsupported weights version ${view.getUint8(4)}`);
  const n = view.getUint32(5, true);
  let off = 9;
  const out: ModelWeights = [];
  for (let k = 0; k < n; k++) {
    need(1, off);
    const rank = view.getUint8(off++);
    need(4 * rank, off);
    const shape: number[] = [];
    for (let r = 0; r < rank; r++) {
      shape.push(view.getUint32(off, true));
      off += 4;
    }
    const count = shape.reduce((a, b) => a * b, 1);
    need(4 * count, off);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const v = view.getFloat32(off, true);
      if (!Number.isFinite(v)) throw new WeightsFormatError(`tensor ${k} holds a non-finite value`);
      values[i] = v;
      off += 4;
    }
    out.push({ shape, values });
  }
  if (off !== bytes.length)
    throw new WeightsFormatError(`${bytes.length - off} trailing bytes after the last tensor`);
  return out;
}

/** The commitment of an update: sha256 (hex) of its canonical bytes. */
export function updateHash(bytes: Uint8Array): string {
  return artifactHashHex(bytes, 'sha256');
}

/** True when `w` has exactly the tensor shapes of `base`. */
export function sameShapes(base: ModelWeights, w: ModelWeights): boolean {
  return (
    base.length === w.length &&
    base.every(
      (t, i) => t.shape.length === w[i]!.shape.length && t.shape.every((d, j) => d === w[i]!.shape[j]),
    )
  );
}

/** One entry of an aggregation: a hotkey's consensus weight and its committed update bytes. */
export interface AggregationEntry {
  hotkey: string;
  /** Consensus weight or incentive (any non-negative scale; normalised here). */
  weight: number;
  update: Uint8Array;
}

/**
 * The next subnet model: the average of the updates weighted by consensus weight, as canonical bytes.
 * Deterministic byte-for-byte from its inputs: entries are taken in hotkey order (so the order of the
 * list does not matter), sums run in float64 in that order, each value is rounded to float32 once.
 * Entries with zero weight, undecodable bytes or other shapes than the base are left out; when nothing
 * is left the base model is kept.
 */
export function aggregateUpdates(baseBytes: Uint8Array, entries: AggregationEntry[]): Uint8Array {
  const base = decodeWeights(baseBytes);
  const usable: { weight: number; w: ModelWeights }[] = [];
  const sorted = [...entries].sort((a, b) => (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0));
  for (const e of sorted) {
    if (!(Number.isFinite(e.weight) && e.weight > 0)) continue;
    let w: ModelWeights;
    try {
      w = decodeWeights(e.update);
    } catch {
      continue;
    }
    if (sameShapes(base, w)) usable.push({ weight: e.weight, w });
  }
  const total = usable.reduce((a, u) => a + u.weight, 0);
  if (usable.length === 0 || !(total > 0)) return encodeWeights(base);
  const out: ModelWeights = base.map((t, k) => {
    const acc = new Float64Array(t.values.length);
    for (const u of usable) {
      const share = u.weight / total;
      const v = u.w[k]!.values;
      for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + share * v[i]!;
    }
    return { shape: t.shape.slice(), values: Float32Array.from(acc) };
  });
  return encodeWeights(out);
}
