/**
 * Signature verification for hotkey-signed requests (btauth/1 and the legacy v10 axon scheme).
 *
 * sr25519 has two implementations here. `@polkadot-labs/schnorrkel-wasm` (the schnorrkel Rust crate
 * compiled to WASM, signing context `substrate`) measured about 10x faster than `sr25519Verify` of
 * `@polkadot/util-crypto` (pure JS, `@scure/sr25519`) on this project's machines (see
 * `bench/auth.bench.ts`), so it is the default. Its WASM functions *panic* on a public key that is
 * not a Ristretto point or on a malformed signature; a WASM panic traps, leaks the argument buffers
 * and after enough of them corrupts the instance. Hostile input must never reach that path, so every
 * input is pre-checked here (lengths, the schnorrkel marker bit, canonical scalar, point decoding
 * with a bounded cache), and if a panic still happens the process switches to the JS verifier for
 * good rather than risk a broken WASM instance.
 */
import { RistrettoPoint } from '@noble/curves/ed25519';
import { sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { ed25519Verify, sr25519Verify } from '@polkadot/util-crypto';

/** Signature schemes subnetkit can verify. */
export type SignatureScheme = 'sr25519' | 'ed25519';

/** The sr25519 implementations available to {@link verifySignature}. */
export type Sr25519Backend = 'schnorrkel-wasm' | 'polkadot-js';

const PUBLIC_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

/** The group order l = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const GROUP_ORDER_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/**
 * True when the 64-byte signature has the form schnorrkel's `Signature::from_bytes` accepts: the
 * marker bit (top bit of the last byte) set, and the scalar half (marker cleared) below the group
 * order. Anything else would make the WASM verifier panic.
 */
function isSchnorrkelSignatureShape(signature: Uint8Array): boolean {
  const last = signature[63]!;
  if ((last & 0x80) === 0) return false;
  // Compare s (bytes 32..63, marker cleared) with l, most significant byte first.
  for (let i = 31; i >= 0; i--) {
    const byte = i === 31 ? last & 0x7f : signature[32 + i]!;
    const limit = GROUP_ORDER_LE[i]!;
    if (byte < limit) return true;
    if (byte > limit) return false;
  }
  return false; // s == l is not canonical
}

/** Bounded memo of "does this 32-byte string decode to a Ristretto point"; hotkeys repeat a lot. */
const pointCache = new Map<string, boolean>();
const POINT_CACHE_LIMIT = 16_384;

function isRistrettoPoint(publicKey: Uint8Array): boolean {
  const key = String.fromCharCode(...publicKey);
  const known = pointCache.get(key);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    RistrettoPoint.fromHex(publicKey);
    valid = true;
  } catch {
    valid = false;
  }
  if (pointCache.size >= POINT_CACHE_LIMIT) {
    // Drop the oldest insertion; Map iterates in insertion order.
    const oldest = pointCache.keys().next();
    if (!oldest.done) pointCache.delete(oldest.value);
  }
  pointCache.set(key, valid);
  return valid;
}

let schnorrkelHealthy = true;

/**
 * Verifies an sr25519 signature (signing context `substrate`) with `@polkadot/util-crypto`
 * (`@scure/sr25519`, pure JS). Never throws: malformed input yields `false`.
 */
export function verifySr25519Polkadot(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  try {
    return sr25519Verify(message, signature, publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies an sr25519 signature (signing context `substrate`) with `@polkadot-labs/schnorrkel-wasm`.
 * The module instantiates its WASM synchronously on import (the bytes are inlined), so no async init is
 * needed in Node ESM. Inputs that would make the WASM panic are rejected in JS first; never throws.
 */
export function verifySr25519Schnorrkel(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  if (!isSchnorrkelSignatureShape(signature)) return false;
  if (!isRistrettoPoint(publicKey)) return false;
  if (!schnorrkelHealthy) return verifySr25519Polkadot(message, signature, publicKey);
  try {
    return sr25519_verify(publicKey, message, signature);
  } catch {
    // A panic got past the pre-checks: the WASM instance may now leak or be corrupt. Stop using it.
    schnorrkelHealthy = false;
    return verifySr25519Polkadot(message, signature, publicKey);
  }
}

/**
 * The sr25519 implementation {@link verifySignature} uses: `schnorrkel-wasm` unless a WASM panic
 * forced the process onto the JS verifier.
 */
export function activeSr25519Backend(): Sr25519Backend {
  return schnorrkelHealthy ? 'schnorrkel-wasm' : 'polkadot-js';
}

/**
 * Verifies an ed25519 signature (plain RFC 8032) with `@polkadot/util-crypto`. Never throws.
 */
export function verifyEd25519(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  try {
    return ed25519Verify(message, signature, publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies `signature` over the exact `message` bytes for `publicKey` under `scheme`. sr25519 uses
 * the `substrate` signing context (as extrinsics do); a `<Bytes>`-wrapped message is *not* accepted.
 * Never throws: wrong lengths, keys that are not curve points and unknown schemes all return `false`.
 */
export function verifySignature(
  scheme: SignatureScheme,
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (scheme === 'sr25519') return verifySr25519Schnorrkel(message, signature, publicKey);
  if (scheme === 'ed25519') return verifyEd25519(message, signature, publicKey);
  return false;
}
