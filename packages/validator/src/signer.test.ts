import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto';
import { MemoryReplayStore, verifyRequest } from '@subnetkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { btauthSigner, threadedSr25519Signer, wasmSr25519Signer } from './signer.js';

describe('signers', () => {
  let keyring: Keyring;
  beforeAll(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  });

  it('WASM signatures verify with @polkadot/util-crypto', () => {
    const pair = keyring.addFromUri('//Alice');
    const signer = wasmSr25519Signer(pair)!;
    const msg = new TextEncoder().encode('btauth/1 payload');
    expect(sr25519Verify(msg, signer.sign(msg) as Uint8Array, pair.publicKey)).toBe(true);
  });

  it('falls back to the pair for ed25519 and locked keys', () => {
    expect(wasmSr25519Signer(new Keyring({ type: 'ed25519' }).addFromUri('//Alice'))).toBeUndefined();
    const locked = keyring.addFromUri('//Locked');
    locked.lock();
    expect(wasmSr25519Signer(locked)).toBeUndefined();
  });

  it('threaded signing batches many requests, each verifiable', async () => {
    const pair = keyring.addFromUri('//Alice');
    const threaded = threadedSr25519Signer(pair)!;
    const msgs = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`message ${i}`));
    try {
      const sigs = await Promise.all(msgs.map((m) => threaded.sign(m)));
      expect(sigs.map((s, i) => sr25519Verify(msgs[i]!, s, pair.publicKey))).toEqual(msgs.map(() => true));
    } finally {
      await threaded.close();
    }
  });

  it.each([false, true])('btauthSigner headers pass verifyRequest (thread: %s)', async (thread) => {
    const pair = keyring.addFromUri('//Alice');
    const miner = keyring.addFromUri('//Bob').address;
    const sign = btauthSigner(pair, { thread });
    const body = '{"a":1}';
    for (let i = 0; i < 3; i++) {
      const headers = await sign({ method: 'POST', target: '/Add', body, receiver: miner });
      const verdict = await verifyRequest(
        { method: 'POST', target: '/Add', headers, body: new TextEncoder().encode(body) },
        { receiver: miner, replayStore: new MemoryReplayStore() },
      );
      expect(verdict.ok).toBe(true);
    }
  });
});
