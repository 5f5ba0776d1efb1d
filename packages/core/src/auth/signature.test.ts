import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activeSr25519Backend,
  verifyEd25519,
  verifySignature,
  verifySr25519Polkadot,
  verifySr25519Schnorrkel,
} from './signature.js';

const message = new TextEncoder().encode('btauth/1\nsr25519\nPOST\n/generate\nabc\n1\nalice\nbob');

function flipBit(bytes: Uint8Array, index: number, mask = 1): Uint8Array {
  const copy = bytes.slice();
  copy[index]! ^= mask;
  return copy;
}

describe('sr25519 verifiers', () => {
  let alice: ReturnType<Keyring['addFromUri']>;
  let bob: ReturnType<Keyring['addFromUri']>;
  let signature: Uint8Array;

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    signature = alice.sign(message); // @polkadot/keyring: substrate signing context
  });

  const backends = [
    ['schnorrkel-wasm', verifySr25519Schnorrkel],
    ['polkadot-js', verifySr25519Polkadot],
  ] as const;

  for (const [name, verify] of backends) {
    it(`${name} verifies a @polkadot/keyring //Alice signature (substrate context)`, () => {
      expect(verify(message, signature, alice.publicKey)).toBe(true);
    });

    it(`${name} rejects an altered message, signature or key`, () => {
      expect(verify(flipBit(message, 0), signature, alice.publicKey)).toBe(false);
      expect(verify(message.subarray(1), signature, alice.publicKey)).toBe(false);
      expect(verify(message, flipBit(signature, 5), alice.publicKey)).toBe(false);
      expect(verify(message, flipBit(signature, 40), alice.publicKey)).toBe(false);
      expect(verify(message, signature, bob.publicKey)).toBe(false);
    });
  }

  it('schnorrkel-wasm verifies fresh randomized signatures repeatedly (both backends agree)', () => {
    for (let i = 0; i < 5; i++) {
      const msg = new TextEncoder().encode(`message ${i}`);
      const sig = bob.sign(msg);
      expect(verifySr25519Schnorrkel(msg, sig, bob.publicKey)).toBe(true);
      expect(verifySr25519Polkadot(msg, sig, bob.publicKey)).toBe(true);
      expect(verifySr25519Schnorrkel(msg, sig, alice.publicKey)).toBe(false);
    }
  });

  it('a signature over the <Bytes>-wrapped message is not accepted for the bare message', () => {
    const wrapped = new TextEncoder().encode(`<Bytes>${new TextDecoder().decode(message)}</Bytes>`);
    expect(verifySr25519Schnorrkel(message, alice.sign(wrapped), alice.publicKey)).toBe(false);
  });

  it('returns false, without a WASM panic, on hostile keys and signatures', () => {
    const notAPoint = new Uint8Array(32).fill(0xff); // not a canonical Ristretto encoding
    const unmarked = signature.slice();
    unmarked[63]! &= 0x7f; // schnorrkel marker bit cleared
    const nonCanonical = signature.slice();
    nonCanonical.fill(0xff, 32, 63);
    nonCanonical[63] = 0xff; // s >= group order, marker set
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [message, signature, notAPoint],
      [message, signature, new Uint8Array(31)],
      [message, signature, new Uint8Array(33)],
      [message, new Uint8Array(64), alice.publicKey],
      [message, new Uint8Array(63), alice.publicKey],
      [message, new Uint8Array(65), alice.publicKey],
      [message, unmarked, alice.publicKey],
      [message, nonCanonical, alice.publicKey],
    ];
    for (const [msg, sig, key] of cases) {
      expect(verifySr25519Schnorrkel(msg, sig, key)).toBe(false);
      expect(verifySr25519Polkadot(msg, sig, key)).toBe(false);
      expect(verifySignature('sr25519', msg, sig, key)).toBe(false);
    }
    // Had any of these reached the WASM and panicked, the verifier would have switched backends.
    expect(activeSr25519Backend()).toBe('schnorrkel-wasm');
    expect(verifySignature('sr25519', message, signature, alice.publicKey)).toBe(true);
  });

  it('the identity point (all-zero key) is a valid encoding but verifies nothing', () => {
    expect(verifySr25519Schnorrkel(message, signature, new Uint8Array(32))).toBe(false);
    expect(activeSr25519Backend()).toBe('schnorrkel-wasm');
  });
});

describe('ed25519 verifier', () => {
  it('verifies a @polkadot/keyring ed25519 signature and rejects alterations', async () => {
    await cryptoWaitReady();
    const alice = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
    const sig = alice.sign(message);
    expect(verifyEd25519(message, sig, alice.publicKey)).toBe(true);
    expect(verifySignature('ed25519', message, sig, alice.publicKey)).toBe(true);
    expect(verifySignature('ed25519', flipBit(message, 3), sig, alice.publicKey)).toBe(false);
    expect(verifySignature('ed25519', message, flipBit(sig, 10), alice.publicKey)).toBe(false);
    expect(verifySignature('ed25519', message, sig, new Uint8Array(32).fill(0xff))).toBe(false);
    expect(verifySignature('ed25519', message, sig.subarray(1), alice.publicKey)).toBe(false);
    // The same bytes do not pass as an sr25519 signature.
    expect(verifySignature('sr25519', message, sig, alice.publicKey)).toBe(false);
  });

  it('rejects an unknown scheme', () => {
    expect(verifySignature('mldsa' as 'sr25519', message, new Uint8Array(64), new Uint8Array(32))).toBe(
      false,
    );
  });
});
