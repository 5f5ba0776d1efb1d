/**
 * btauth/1 signing for the dendrite: every attempt gets a fresh nanosecond nonce and a new signature
 * by the validator hotkey (core's `signRequest`).
 */
import { type RequestSigner, signRequest } from '@subnetkit/core';
import type { DendriteSigner } from './dendrite.js';

/** A dendrite signer for `hotkey` (a @polkadot/keyring pair, e.g. loaded from a btcli wallet). */
export function btauthSigner(hotkey: RequestSigner): DendriteSigner {
  return ({ method, target, body, receiver }) =>
    signRequest({ signer: hotkey, method, target, body, receiver });
}
