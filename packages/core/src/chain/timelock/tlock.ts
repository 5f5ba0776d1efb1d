/**
 * Timelock encryption to a drand round, byte-compatible with the `tle` crate that subtensor decrypts
 * with (ideal-lab5/timelock rev 5416406, `tle::tlock::{tle, tld}` over `TinyBLS381` with
 * `AESGCMStreamCipherProvider`, as used by bittensor-drand `encrypt_and_compress`).
 *
 * Scheme (drand quicknet, `bls-unchained-g1-rfc9380`): beacon public key on G2, round signatures on G1,
 * identity = SHA-256(round as u64 big-endian) hashed to G1 with RFC 9380 and DST
 * `BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_`. A fresh 32-byte key is IBE-encrypted (Boneh-Franklin
 * FullIdent) in the header and the message is AES-256-GCM-encrypted with it in the body.
 *
 * Wire format: arkworks `serialize_compressed` of
 * `TLECiphertext { header: { u: G2, v: Vec<u8>, w: Vec<u8> }, body: Vec<u8>, cipher_suite: Vec<u8> }`
 * where `body` is itself `AESOutput { ciphertext: Vec<u8>, nonce: Vec<u8> }` serialized the same way.
 * arkworks writes a `Vec` as its length (u64 little-endian) followed by the items, G2 points in the
 * compressed zcash encoding (96 bytes), and field elements little-endian.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381';
import { sha256 } from '@noble/hashes/sha2.js';

/** The DST drand quicknet hashes round messages to G1 with. */
export const QUICKNET_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
export const TLE_CIPHER_SUITE = new TextEncoder().encode('AES_GCM_');
const AES_NONCE_LEN = 12;
const AES_TAG_LEN = 16;

type G1Point = ReturnType<typeof bls12_381.G1.ProjectivePoint.fromHex>;
type G2Point = ReturnType<typeof bls12_381.G2.ProjectivePoint.fromHex>;
type Fp12 = ReturnType<typeof bls12_381.pairing>;

const Fr = bls12_381.fields.Fr;

/** Thrown when a ciphertext cannot be parsed or decrypted with the given signature. */
export class TimelockDecryptError extends Error {
  override readonly name = 'TimelockDecryptError';
}

/** The 32-byte message drand signs for `round`: SHA-256 of the round as u64 big-endian. */
export function roundMessage(round: bigint): Uint8Array {
  const be = new Uint8Array(8);
  new DataView(be.buffer).setBigUint64(0, round, false);
  return sha256(be);
}

/** The round's identity point on G1 (what the beacon signs). */
export function roundIdentity(round: bigint): G1Point {
  return bls12_381.G1.hashToCurve(roundMessage(round), { DST: QUICKNET_DST }) as unknown as G1Point;
}

// ---------------------------------------------------------------- arkworks serialization helpers

function u64le(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

function arkVec(bytes: Uint8Array): Uint8Array {
  return concat(u64le(bytes.length), bytes);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  take(n: number): Uint8Array {
    if (n < 0 || this.at + n > this.bytes.length) throw new TimelockDecryptError('ciphertext is truncated');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  vec(): Uint8Array {
    const len = new DataView(this.take(8).slice().buffer).getBigUint64(0, true);
    if (len > BigInt(this.bytes.length))
      throw new TimelockDecryptError('ciphertext has an impossible length');
    return this.take(Number(len));
  }
  end(): void {
    if (this.at !== this.bytes.length) throw new TimelockDecryptError('ciphertext has trailing bytes');
  }
}

function fpLE(x: bigint): Uint8Array {
  const out = new Uint8Array(48);
  let v = x;
  for (let i = 0; i < 48; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** arkworks `serialize_compressed` of an Fq12 (c0 then c1; Fq6 c0,c1,c2; Fq2 c0,c1; Fq little-endian). */
export function serializeGt(f: Fp12): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f6 of [f.c0, f.c1]) {
    for (const f2 of [f6.c0, f6.c1, f6.c2]) parts.push(fpLE(f2.c0), fpLE(f2.c1));
  }
  return concat(...parts);
}

const h2 = (gt: Fp12): Uint8Array => sha256(serializeGt(gt));
const h3 = (a: Uint8Array, b: Uint8Array): bigint => {
  const h = sha256(concat(a, b));
  let v = 0n;
  for (const byte of h) v = (v << 8n) | BigInt(byte);
  return Fr.create(v);
};
const h4 = (a: Uint8Array): Uint8Array => sha256(a).subarray(0, a.length);
const xor = (a: Uint8Array, b: Uint8Array): Uint8Array => a.map((x, i) => x ^ b[i]!);

function frLE(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = x;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function frFromBytes(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const byte of bytes) v = (v << 8n) | BigInt(byte);
  return Fr.create(v);
}

// ---------------------------------------------------------------- encrypt / decrypt

/** Randomness for one encryption; fixed only in tests. */
export interface TimelockRandomness {
  /** The AES-256 key that the IBE header carries (`esk` in bittensor-drand). */
  key: Uint8Array;
  /** 48 random bytes reduced to the IBE scalar `t` (sigma = SHA-256 of its 32-byte encoding). */
  t: Uint8Array;
  /** The 12-byte AES-GCM nonce. */
  nonce: Uint8Array;
}

function freshRandomness(): TimelockRandomness {
  return { key: randomBytes(32), t: randomBytes(48), nonce: randomBytes(AES_NONCE_LEN) };
}

/**
 * Encrypts `message` so that it opens only with the beacon's signature for `round`.
 * `beaconPublicKey` is the 96-byte compressed G2 key (`Drand.BeaconConfig.public_key` on subtensor).
 */
export function timelockEncrypt(
  message: Uint8Array,
  round: bigint,
  beaconPublicKey: Uint8Array,
  randomness: TimelockRandomness = freshRandomness(),
): Uint8Array {
  const { key, t, nonce } = randomness;
  if (key.length !== 32) throw new RangeError('timelock key must be 32 bytes');
  if (nonce.length !== AES_NONCE_LEN) throw new RangeError('AES-GCM nonce must be 12 bytes');
  const pPub = bls12_381.G2.ProjectivePoint.fromHex(beaconPublicKey);
  pPub.assertValidity();
  // IBE header (tle ibe::fullident Identity::encrypt).
  const sigma = h4(frLE(frFromBytes(t)));
  const r = h3(sigma, key);
  if (r === 0n) throw new RangeError('degenerate IBE scalar; retry with fresh randomness');
  const u = bls12_381.G2.ProjectivePoint.BASE.multiply(r);
  const gId = bls12_381.pairing(roundIdentity(round), pPub.multiply(r));
  const v = xor(sigma, h2(gId));
  const w = xor(key, h4(sigma));
  // Body: AES-256-GCM, empty AAD, tag appended (aes-gcm `encrypt_in_place`).
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const ct = concat(cipher.update(message), cipher.final(), cipher.getAuthTag());
  const body = concat(arkVec(ct), arkVec(nonce));
  return concat(u.toRawBytes(true), arkVec(v), arkVec(w), arkVec(body), arkVec(TLE_CIPHER_SUITE));
}

export interface ParsedTimelockCiphertext {
  u: Uint8Array;
  v: Uint8Array;
  w: Uint8Array;
  aesCiphertext: Uint8Array;
  nonce: Uint8Array;
  cipherSuite: Uint8Array;
}

export function parseTimelockCiphertext(bytes: Uint8Array): ParsedTimelockCiphertext {
  const r = new Reader(bytes);
  const u = r.take(96);
  const v = r.vec();
  const w = r.vec();
  const body = r.vec();
  const cipherSuite = r.vec();
  r.end();
  const b = new Reader(body);
  const aesCiphertext = b.vec();
  const nonce = b.vec();
  b.end();
  return { u, v, w, aesCiphertext, nonce, cipherSuite };
}

/**
 * Decrypts with the beacon's 48-byte compressed G1 signature for the round the message was encrypted to
 * (`Drand.Pulses[round].signature`). Throws {@link TimelockDecryptError} for a wrong signature or round,
 * a malformed ciphertext, or a tampered body, as `tld` fails.
 */
export function timelockDecrypt(ciphertext: Uint8Array, signature: Uint8Array): Uint8Array {
  const ct = parseTimelockCiphertext(ciphertext);
  let u: G2Point;
  let sig: G1Point;
  try {
    u = bls12_381.G2.ProjectivePoint.fromHex(ct.u);
    sig = bls12_381.G1.ProjectivePoint.fromHex(signature);
  } catch (err) {
    throw new TimelockDecryptError(`not a valid curve point: ${(err as Error).message}`);
  }
  if (ct.v.length !== 32 || ct.w.length !== 32)
    throw new TimelockDecryptError('IBE header must hold 32-byte v and w');
  const sigma = xor(ct.v, h2(bls12_381.pairing(sig, u)));
  const key = xor(ct.w, h4(sigma));
  if (!bls12_381.G2.ProjectivePoint.BASE.multiply(h3(sigma, key) || 1n).equals(u)) {
    throw new TimelockDecryptError('the signature does not open this ciphertext (wrong round or beacon)');
  }
  if (ct.nonce.length !== AES_NONCE_LEN || ct.aesCiphertext.length < AES_TAG_LEN) {
    throw new TimelockDecryptError('malformed AES-GCM body');
  }
  try {
    const d = createDecipheriv('aes-256-gcm', key, ct.nonce);
    d.setAuthTag(ct.aesCiphertext.subarray(ct.aesCiphertext.length - AES_TAG_LEN));
    return concat(d.update(ct.aesCiphertext.subarray(0, ct.aesCiphertext.length - AES_TAG_LEN)), d.final());
  } catch {
    throw new TimelockDecryptError('AES-GCM authentication failed (tampered body)');
  }
}

// ---------------------------------------------------------------- beacon side (devnet, tests)

/** A beacon key pair of the quicknet scheme: secret scalar, public key on G2 (96 bytes compressed). */
export interface BeaconKeyPair {
  secretKey: bigint;
  publicKey: Uint8Array;
}

/** Derives a beacon key pair from a seed (any bytes; hashed and reduced to a non-zero scalar). */
export function beaconKeyPairFromSeed(seed: Uint8Array): BeaconKeyPair {
  const wide = concat(sha256(seed), sha256(concat(seed, new Uint8Array([1]))));
  const secretKey = frFromBytes(wide) || 1n;
  return { secretKey, publicKey: bls12_381.G2.ProjectivePoint.BASE.multiply(secretKey).toRawBytes(true) };
}

/** The beacon's signature for `round` (48-byte compressed G1), as a drand quicknet node produces it. */
export function beaconSign(secretKey: bigint, round: bigint): Uint8Array {
  return roundIdentity(round).multiply(secretKey).toRawBytes(true);
}

/** Verifies a round signature against the beacon key: e(sig, G2) == e(H(round), pk). */
export function verifyBeaconSignature(publicKey: Uint8Array, round: bigint, signature: Uint8Array): boolean {
  try {
    const pk = bls12_381.G2.ProjectivePoint.fromHex(publicKey);
    const sig = bls12_381.G1.ProjectivePoint.fromHex(signature);
    const lhs = bls12_381.pairing(sig, bls12_381.G2.ProjectivePoint.BASE);
    const rhs = bls12_381.pairing(roundIdentity(round), pk);
    return bls12_381.fields.Fp12.eql(lhs, rhs);
  } catch {
    return false;
  }
}

/** drand's `randomness` for a signature: SHA-256 of the signature bytes. */
export function beaconRandomness(signature: Uint8Array): Uint8Array {
  return sha256(signature);
}
