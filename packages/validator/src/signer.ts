/**
 * btauth/1 signing for the dendrite: every attempt gets a fresh nanosecond nonce and a new signature
 * by the validator hotkey (core's `signRequest`).
 *
 * A validator signs one request per miner per round (256 per round on a full subnet), so signing
 * speed matters: @polkadot/keyring's sr25519 `sign` is pure JS (about 5 ms per signature on this
 * project's machines), while schnorrkel compiled to WASM signs the same message in about 0.2 ms.
 * {@link btauthSigner} therefore signs sr25519 hotkeys through WASM when the pair's secret is
 * available, and falls back to the pair's own `sign` otherwise.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { sr25519_sign, sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { type RequestSigner, signRequest } from '@subnetkit/core';
import type { DendriteSigner } from './dendrite.js';

// @polkadot/util-crypto's PKCS8 layout: 16-byte header, 64-byte secret key, 5-byte divider, 32-byte public key.
const PKCS8_SECRET = [16, 80] as const;
const PKCS8_LENGTH = 117;

/**
 * A `RequestSigner` that signs sr25519 with schnorrkel WASM, given the pair's 64-byte secret key in
 * @polkadot's form. Returns undefined (use the pair itself) when the pair is not sr25519, is locked,
 * or a self-test signature does not verify.
 */
export function wasmSr25519Signer(pair: KeyringPair): RequestSigner | undefined {
  if (pair.type !== 'sr25519') return undefined;
  let secret: Uint8Array;
  try {
    const pkcs8 = pair.encodePkcs8();
    if (pkcs8.length !== PKCS8_LENGTH) return undefined;
    secret = pkcs8.slice(...PKCS8_SECRET);
  } catch {
    return undefined; // locked pair
  }
  const publicKey = pair.publicKey;
  try {
    const probe = new TextEncoder().encode('subnetkit signer self-test');
    if (!sr25519_verify(publicKey, probe, sr25519_sign(publicKey, secret, probe))) return undefined;
  } catch {
    return undefined;
  }
  return {
    address: pair.address,
    type: 'sr25519',
    sign: (message) => sr25519_sign(publicKey, secret, message),
  };
}

/** A dendrite signer for `hotkey` (a keyring pair, e.g. loaded from a btcli wallet, or any core `RequestSigner`). */
export function btauthSigner(hotkey: RequestSigner | KeyringPair): DendriteSigner {
  const signer = ('encodePkcs8' in hotkey ? wasmSr25519Signer(hotkey) : undefined) ?? hotkey;
  return ({ method, target, body, receiver }) => signRequest({ signer, method, target, body, receiver });
}
