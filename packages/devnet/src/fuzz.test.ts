import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from './devnet.js';
import { RpcError } from './runtime/errors.js';

await cryptoWaitReady();

/** Deterministic pseudo-random bytes. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function compact(n: number): number[] {
  if (n < 64) return [n << 2];
  if (n < 16384) return [((n << 2) | 1) & 0xff, (n << 2) >> 8];
  const v = n * 4 + 2;
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}

describe('bad input never crashes the devnet', () => {
  let dn: Devnet;
  beforeAll(async () => {
    dn = await startDevnet({ port: 0 });
  });
  afterAll(() => dn?.stop());

  it('refuses random extrinsic bytes with JSON-RPC errors', () => {
    const r = rng(42);
    for (let i = 0; i < 400; i++) {
      const len = 1 + Math.floor(r() * 300);
      const body = Array.from({ length: len }, () => Math.floor(r() * 256));
      // Half look like signed v4 extrinsics calling a random pallet/call.
      if (i % 2 === 0) {
        body[0] = 0x84;
        body[1] = 0;
      }
      const hex = '0x' + Buffer.from([...compact(body.length), ...body]).toString('hex');
      try {
        dn.chain.submit(hex);
        throw new Error(`accepted random bytes ${hex}`);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(RpcError);
      }
    }
    expect(dn.chain.poolSize()).toBe(0);
  });

  it('answers random request texts and keeps serving', async () => {
    const r = rng(7);
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"jsonrpc"',
      ':',
      '"2.0"',
      ',',
      '"method"',
      '"params"',
      '"id"',
      '1',
      'null',
      '"state_getStorage"',
      '"0x12"',
      '"chain_getBlock"',
      'true',
      '-5',
      '"x"',
    ];
    for (let i = 0; i < 150; i++) {
      const text = Array.from(
        { length: 1 + Math.floor(r() * 14) },
        () => pieces[Math.floor(r() * pieces.length)],
      ).join('');
      const res = await fetch(dn.httpUrl, { method: 'POST', body: text });
      expect(res.status).toBe(200);
      const out = await res.text();
      if (out) expect(() => JSON.parse(out)).not.toThrow();
    }
    const health = await fetch(dn.httpUrl, {
      method: 'POST',
      body: '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}',
    });
    expect(((await health.json()) as { result: { isSyncing: boolean } }).result.isSyncing).toBe(false);
  });
});
