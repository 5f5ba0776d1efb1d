/**
 * Extrinsic decoding and signature checking, like a Substrate node does for format v4:
 * `compact(len) ‖ 0x84 ‖ MultiAddress ‖ MultiSignature ‖ extra ‖ call` (signed) or `… 0x04 ‖ call` (bare).
 * The signing payload is `call ‖ extra ‖ implicit`, blake2-256-hashed when longer than 256 bytes.
 */
import { sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, ed25519Verify, signatureVerify } from '@polkadot/util-crypto';
import { verifySr25519Schnorrkel } from '@subnetkit/core';
import { Reader, ScaleError, type CodecRegistry, type EnumValue } from '../scale/codec.js';
import { INVALID, invalidTx, RpcError } from './errors.js';

export interface Era {
  immortal: boolean;
  period: number;
  phase: number;
}

export interface Extrinsic {
  /** Full bytes including the length prefix. */
  bytes: Uint8Array;
  /** blake2-256 of `bytes`, hex: what author_submitExtrinsic returns and @polkadot/api calls the tx hash. */
  hash: string;
  signed: boolean;
  signer?: Uint8Array;
  sigType?: number;
  signature?: Uint8Array;
  era: Era;
  nonce: number;
  tip: bigint;
  mode: number;
  callBytes: Uint8Array;
  extraBytes: Uint8Array;
  call: EnumValue;
}

/** Decodes an extrinsic; throws RpcError (1002 / 1010) on malformed input. */
export function decodeExtrinsic(bytes: Uint8Array, codecs: CodecRegistry): Extrinsic {
  try {
    const r = new Reader(bytes);
    const len = r.compactNum();
    if (len !== bytes.length - r.pos) throw new ScaleError('length prefix does not match the extrinsic size');
    const version = r.u8();
    const signed = (version & 0x80) !== 0;
    if ((version & 0x3f) !== 4)
      throw new ScaleError(`unsupported extrinsic version ${version & 0x3f} (the devnet accepts v4)`);
    const x: Partial<Extrinsic> = {
      bytes,
      signed,
      era: { immortal: true, period: 0, phase: 0 },
      nonce: 0,
      tip: 0n,
    };
    x.mode = 0;
    if (signed) {
      const addrType = r.u8();
      if (addrType !== 0) throw invalidTx(INVALID.badSigner);
      x.signer = r.bytes(32).slice();
      x.sigType = r.u8();
      if (x.sigType > 2) throw new ScaleError('unknown signature type');
      x.signature = r.bytes(x.sigType === 2 ? 65 : 64).slice();
      const extraStart = r.pos;
      const e0 = r.u8();
      if (e0 !== 0) {
        const enc = e0 | (r.u8() << 8);
        const period = 2 << (enc % 16);
        const quantize = Math.max(period >> 12, 1);
        const phase = (enc >> 4) * quantize;
        if (period < 4 || phase >= period) throw invalidTx(INVALID.badProof);
        x.era = { immortal: false, period, phase };
      }
      x.nonce = Number(r.compact());
      x.tip = r.compact();
      x.mode = r.u8();
      if (x.mode > 1) throw new ScaleError('bad CheckMetadataHash mode');
      x.extraBytes = bytes.subarray(extraStart, r.pos);
    } else x.extraBytes = new Uint8Array(0);
    x.callBytes = bytes.subarray(r.pos);
    x.call = codecs.get('RuntimeCall').dec(r) as EnumValue;
    if (r.pos !== bytes.length) throw new ScaleError('trailing bytes after the call');
    x.hash = u8aToHex(blake2AsU8a(bytes, 256));
    return x as Extrinsic;
  } catch (e) {
    if (e instanceof RpcError) throw e;
    throw new RpcError(
      1002,
      'Verification Error: Runtime error: Execution failed',
      `Could not decode extrinsic: ${(e as Error).message}`,
    );
  }
}

/** Birth block of a mortal era relative to the current block. */
export function eraBirth(era: Era, current: number): number {
  if (era.immortal) return 0;
  return Math.floor((Math.max(current, era.phase) - era.phase) / era.period) * era.period + era.phase;
}

export interface SigningContext {
  specVersion: number;
  transactionVersion: number;
  genesisHash: Uint8Array;
  /** Hash of the era's birth block (genesis for immortal). */
  birthHash: Uint8Array;
}

/** The bytes the signature covers: the signing payload, or its blake2-256 when longer than 256 bytes. */
export function signingMessage(x: Extrinsic, ctx: SigningContext): Uint8Array {
  const implicit = new Uint8Array(8 + 32 + 32 + 1);
  const dv = new DataView(implicit.buffer);
  dv.setUint32(0, ctx.specVersion, true);
  dv.setUint32(4, ctx.transactionVersion, true);
  implicit.set(ctx.genesisHash, 8);
  implicit.set(ctx.birthHash, 40);
  // CheckMetadataHash implicit: None (the devnet runtime carries no metadata hash).
  implicit[72] = 0;
  const payload = new Uint8Array(x.callBytes.length + x.extraBytes.length + implicit.length);
  payload.set(x.callBytes, 0);
  payload.set(x.extraBytes, x.callBytes.length);
  payload.set(implicit, x.callBytes.length + x.extraBytes.length);
  return payload.length > 256 ? blake2AsU8a(payload, 256) : payload;
}

// Group order L of ristretto255, little-endian: a signature scalar must be below it.
const L = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** Public keys that decompressed fine once: the fast verifier only sees those (it panics on bad points). */
const goodKeys = new Set<string>();

/** Cheap format checks schnorrkel would otherwise panic on: the schnorrkel marker and a canonical scalar. */
export function sr25519WellFormed(sig: Uint8Array): boolean {
  if (sig.length !== 64 || (sig[63]! & 0x80) === 0) return false;
  for (let i = 31; i >= 0; i--) {
    const b = i === 31 ? sig[32 + i]! & 0x7f : sig[32 + i]!;
    if (b !== L[i]) return b < L[i]!;
  }
  return false;
}

/** Whether the public key verified a signature before (so the fast verifier may be used for it). */
export function isKnownKey(pub: Uint8Array): boolean {
  return goodKeys.has(Buffer.from(pub.buffer, pub.byteOffset, pub.length).toString('hex'));
}

/**
 * sr25519 verification with @polkadot-labs/schnorrkel-wasm: directly for keys seen before, and the first
 * time a key shows up through @subnetkit/core's verifier, which checks first that the key is a Ristretto
 * point (schnorrkel-wasm panics on one that is not) and falls back to @polkadot/util-crypto if it ever does.
 */
function sr25519Check(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (!sr25519WellFormed(sig)) return false;
  if (isKnownKey(pub)) return sr25519_verify(pub, msg, sig);
  const ok = verifySr25519Schnorrkel(msg, sig, pub);
  if (ok) {
    if (goodKeys.size > 100_000) goodKeys.clear();
    goodKeys.add(Buffer.from(pub.buffer, pub.byteOffset, pub.length).toString('hex'));
  }
  return ok;
}

/** Verifies the extrinsic's signature over the signing message (MultiSignature: ed25519, sr25519, ecdsa). */
export function verifyMessage(
  x: Pick<Extrinsic, 'sigType' | 'signer' | 'signature'>,
  msg: Uint8Array,
): boolean {
  const signer = x.signer!;
  const sig = x.signature!;
  try {
    if (x.sigType === 1) return sr25519Check(signer, msg, sig);
    if (x.sigType === 0) return ed25519Verify(msg, sig, signer);
    // ECDSA: the account is blake2-256 of the compressed public key; signatureVerify recovers and compares.
    const multi = new Uint8Array(66);
    multi[0] = 2;
    multi.set(sig, 1);
    return signatureVerify(msg, multi, signer).isValid;
  } catch {
    return false;
  }
}
