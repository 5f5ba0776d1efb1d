/**
 * The plaintext of a timelocked weight commit: SCALE of subtensor's `WeightsTlockPayload`
 * (pallets/subtensor/src/coinbase/reveal_commits.rs; bittensor-drand src/drand.rs builds the same struct):
 * `{ hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>, version_key: u64 }`.
 */
import { compactFromU8aLim, compactToU8a, u8aConcat } from '@polkadot/util';

export interface WeightsTlockPayload {
  /** The committing hotkey's 32-byte public key (the chain drops the reveal when it differs from the committer). */
  hotkey: Uint8Array;
  uids: number[];
  values: number[];
  versionKey: bigint;
}

function u16Vec(items: number[]): Uint8Array {
  const out = new Uint8Array(items.length * 2);
  items.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${v} is not a u16`);
    out[i * 2] = v & 0xff;
    out[i * 2 + 1] = v >> 8;
  });
  return u8aConcat(compactToU8a(items.length), out);
}

function u64(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`${value} is not a u64`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

export function encodeWeightsTlockPayload(p: WeightsTlockPayload): Uint8Array {
  if (p.uids.length !== p.values.length) {
    throw new RangeError(`uids (${p.uids.length}) and values (${p.values.length}) differ in length`);
  }
  return u8aConcat(
    compactToU8a(p.hotkey.length),
    p.hotkey,
    u16Vec(p.uids),
    u16Vec(p.values),
    u64(p.versionKey),
  );
}

/** Decodes a payload; throws when the bytes are not exactly one `WeightsTlockPayload`. */
export function decodeWeightsTlockPayload(bytes: Uint8Array): WeightsTlockPayload {
  let at = 0;
  const len = (): number => {
    const [off, n] = compactFromU8aLim(bytes.subarray(at));
    at += off;
    return n;
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new RangeError('WeightsTlockPayload: input too short');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const readU16s = (): number[] => {
    const n = len();
    const raw = take(n * 2);
    return Array.from({ length: n }, (_, i) => raw[i * 2]! | (raw[i * 2 + 1]! << 8));
  };
  const hotkey = take(len()).slice();
  const uids = readU16s();
  const values = readU16s();
  const vk = take(8);
  const versionKey = new DataView(vk.buffer, vk.byteOffset, 8).getBigUint64(0, true);
  if (at !== bytes.length) throw new RangeError('WeightsTlockPayload: trailing bytes');
  return { hotkey, uids, values, versionKey };
}
