import { compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { WeightsError } from './errors.js';
import { U16_MAX, at, checkSameLength, checkU16Values } from './validate.js';

/** Input of {@link weightCommitHash}: everything the later `reveal_weights` call will carry. */
export interface WeightCommitInput {
  /** The committing hotkey's 32-byte public key (AccountId), not its SS58 string. */
  hotkeyPublicKey: Uint8Array;
  /** `NetUidStorageIndex` = mechanism id * 4096 + netuid (equals netuid for mechanism 0). */
  netuidIndex: number;
  /** Destination uids (u16). */
  uids: ArrayLike<number>;
  /** u16 weight values, one per uid. */
  values: ArrayLike<number>;
  /** Random u16 salt; keep it secret until the reveal. */
  salt: ArrayLike<number>;
  /** `version_key` (u64) that the reveal will send. */
  versionKey: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * Commit-reveal v2 commit hash (`commit_weights`): Blake2b-256 of the SCALE encoding of
 * `(AccountId, u16 netuid_index, Vec<u16> uids, Vec<u16> values, Vec<u16> salt, u64 version_key)`,
 * the same bytes the chain hashes when checking `reveal_weights` and the SDK's `generate_weight_hash`.
 * Returns the H256 as `0x`-prefixed lowercase hex.
 */
export function weightCommitHash(input: WeightCommitInput): `0x${string}` {
  const { hotkeyPublicKey, netuidIndex, uids, values, salt, versionKey } = input;
  if (!(hotkeyPublicKey instanceof Uint8Array) || hotkeyPublicKey.length !== 32) {
    throw new WeightsError(
      'INVALID_PARAMETER',
      `hotkeyPublicKey must be the 32-byte public key, got ${describeBytes(hotkeyPublicKey)}; ` +
        'decode the SS58 address with decodeAddress() first',
    );
  }
  checkU16Values([netuidIndex], 'netuidIndex');
  checkSameLength(uids, values, 'values');
  checkU16Values(uids, 'uids');
  checkU16Values(values);
  checkU16Values(salt, 'salt');
  if (typeof versionKey !== 'bigint' || versionKey < 0n || versionKey > U64_MAX) {
    throw new WeightsError(
      'INVALID_PARAMETER',
      `versionKey is ${String(versionKey)}; expected a bigint in [0, 2^64-1] (e.g. BigInt(spec.versionKey))`,
    );
  }
  const version = new Uint8Array(8);
  new DataView(version.buffer).setBigUint64(0, versionKey, true);
  const bytes = u8aConcat(
    hotkeyPublicKey,
    u16le(netuidIndex),
    vecU16(uids),
    vecU16(values),
    vecU16(salt),
    version,
  );
  return u8aToHex(blake2AsU8a(bytes, 256)) as `0x${string}`;
}

function u16le(x: number): Uint8Array {
  return new Uint8Array([x & 0xff, (x >> 8) & 0xff]);
}

// SCALE Vec<u16>: compact length prefix, then each item as u16 little-endian.
function vecU16(xs: ArrayLike<number>): Uint8Array {
  const body = new Uint8Array(xs.length * 2);
  for (let i = 0; i < xs.length; i++) {
    const v = at(xs, i) & U16_MAX;
    body[2 * i] = v & 0xff;
    body[2 * i + 1] = v >> 8;
  }
  return u8aConcat(compactToU8a(xs.length), body);
}

function describeBytes(x: unknown): string {
  if (x instanceof Uint8Array) return `${x.length} bytes`;
  return typeof x === 'string' ? `the string "${x}"` : typeof x;
}
