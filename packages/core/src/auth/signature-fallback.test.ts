import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { describe, expect, it, vi } from 'vitest';

// Simulate a schnorrkel-wasm panic (a WASM trap surfaces as a thrown RuntimeError) on the first call.
const wasmCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('@polkadot-labs/schnorrkel-wasm', () => ({
  sr25519_verify: () => {
    wasmCalls.count++;
    throw new Error('RuntimeError: unreachable');
  },
}));

const { activeSr25519Backend, verifySignature } = await import('./signature.js');

describe('sr25519 verifier after a WASM panic', () => {
  it('answers from the JS verifier and stops calling the WASM', async () => {
    await cryptoWaitReady();
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    const message = new TextEncoder().encode('hello');
    const signature = alice.sign(message);
    expect(activeSr25519Backend()).toBe('schnorrkel-wasm');
    expect(verifySignature('sr25519', message, signature, alice.publicKey)).toBe(true);
    expect(activeSr25519Backend()).toBe('polkadot-js');
    expect(verifySignature('sr25519', message, signature, alice.publicKey)).toBe(true);
    expect(verifySignature('sr25519', new TextEncoder().encode('hellO'), signature, alice.publicKey)).toBe(
      false,
    );
    expect(wasmCalls.count).toBe(1);
  });
});
