import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sr25519WellFormed, verifyMessage } from './extrinsic.js';
import { Verifier } from './verifier.js';

await cryptoWaitReady();
const pair = new Keyring({ type: 'sr25519' }).addFromUri('//Verifier');
const msg = new Uint8Array([1, 2, 3, 4]);
const sig = pair.sign(msg);
const x = (signature: Uint8Array, signer = pair.publicKey) => ({ sigType: 1, signer, signature });

describe('sr25519 verification', () => {
  const verifier = new Verifier(1);
  afterAll(() => verifier.close());

  it('accepts a valid signature and refuses altered ones without throwing', () => {
    expect(verifyMessage(x(sig), msg)).toBe(true);
    expect(verifyMessage(x(sig), new Uint8Array([9]))).toBe(false);
    expect(verifyMessage(x(new Uint8Array(64)), msg)).toBe(false);
    expect(verifyMessage(x(sig, new Uint8Array(32).fill(255)), msg)).toBe(false);
  });

  it('checks the schnorrkel marker and the scalar range before verifying', () => {
    expect(sr25519WellFormed(sig)).toBe(true);
    const unmarked = sig.slice();
    unmarked[63]! &= 0x7f;
    expect(sr25519WellFormed(unmarked)).toBe(false);
    const big = sig.slice();
    big.fill(0xff, 32);
    expect(sr25519WellFormed(big)).toBe(false);
  });

  it('verifies on worker threads with the same answers', async () => {
    // A key that verified once goes to the fast path (the workers).
    expect(verifyMessage(x(sig), msg)).toBe(true);
    const good = Array.from({ length: 20 }, (_, i) => {
      const m = new Uint8Array([i]);
      return [m, pair.sign(m)] as const;
    });
    const results = await Promise.all(good.map(([m, s]) => verifier.verify(x(s), m)));
    expect(results.every(Boolean)).toBe(true);
    const bad = await Promise.all(good.map(([m, s]) => verifier.verify(x(s), new Uint8Array([...m, 1]))));
    expect(bad.some(Boolean)).toBe(false);
  });
});
