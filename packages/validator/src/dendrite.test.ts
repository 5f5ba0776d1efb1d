import { createServer } from 'node:net';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { MemoryReplayStore, verifyRequest } from '@subnetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dendrite } from './dendrite.js';
import { btauthSigner } from './signer.js';
import { type FakeAxons, startFakeAxons } from './testing/fake-axons.js';
import type { MinerTarget } from './types.js';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('Dendrite', () => {
  let keyring: Keyring;
  let axons: FakeAxons;
  let dendrite: Dendrite;
  const minerKeys: string[] = [];
  const replay = new MemoryReplayStore();
  const failFirst = new Set<number>();
  const seenNonces: string[] = [];

  beforeAll(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const validator = keyring.addFromUri('//Alice');
    for (let i = 0; i < 6; i++) minerKeys.push(keyring.addFromUri(`//Miner${i}`).address);
    // Axon behaviours: 0 ok, 1 slow, 2 403 with a message (no catalogue kind: judged by status), 3 wrong schema, 4 not JSON, 5 fails once then ok.
    axons = await startFakeAxons({
      count: 6,
      delayMs: (i) => (i === 1 ? 2_000 : 0),
      respond: async (i, synapse, body, headers) => {
        const verdict = await verifyRequest(
          {
            method: 'POST',
            target: `/${synapse}`,
            headers,
            body: new TextEncoder().encode(JSON.stringify(body)),
          },
          { receiver: minerKeys[i]!, replayStore: replay },
        );
        if (!verdict.ok) return { status: 401, body: { message: verdict.message } };
        seenNonces.push(String(headers['x-bittensor-nonce']));
        const { a, b } = body as { a: number; b: number };
        if (i === 2) return { status: 403, body: { message: 'Non-validator hotkey' } };
        if (i === 3) return { body: { wrong: true } };
        if (i === 4) return { body: 'not json at all' };
        if (i === 5 && !failFirst.has(5)) {
          failFirst.add(5);
          return { status: 503, body: { message: 'busy' } };
        }
        return { body: { result: a + b } };
      },
    });
    dendrite = new Dendrite({ sign: btauthSigner(validator), timeoutMs: 600, retries: 1 });
    // Warm up signing and verification (WASM init) so the first real query is not a timeout.
    const a0 = axons.axons[0]!;
    await dendrite.query(
      [{ uid: 0, hotkey: minerKeys[0]!, ip: a0.ip, port: a0.port }],
      'Compute',
      { a: 0, b: 0 },
      { timeoutMs: 10_000 },
    );
    seenNonces.length = 0;
  });

  afterAll(async () => {
    await dendrite.close();
    await axons.close();
  });

  const targets = (): MinerTarget[] =>
    axons.axons.map((a, uid) => ({ uid, hotkey: minerKeys[uid]!, ip: a.ip, port: a.port }));
  const validate = (b: unknown) =>
    typeof (b as { result?: unknown })?.result === 'number' ? undefined : 'result must be a number';

  it('classifies every outcome, signs each attempt freshly, and keeps order', async () => {
    const refusedPort = await closedPort();
    const all = [...targets(), { uid: 6, hotkey: minerKeys[0]!, ip: '127.0.0.1', port: refusedPort }];
    const res = await dendrite.query(all, 'Compute', { a: 2, b: 3 }, { validate });
    expect(res.map((r) => r.uid)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(res.map((r) => r.outcome)).toEqual([
      'ok',
      'timeout',
      'refused',
      'invalid_response',
      'invalid_response',
      'ok',
      'refused',
    ]);
    expect(res[0]!.response).toEqual({ result: 5 });
    expect(res[0]!.status).toBe(200);
    expect(res[2]).toMatchObject({ status: 403, error: 'HTTP 403: Non-validator hotkey', attempts: 1 });
    expect(res[3]!.error).toMatch(/result must be a number/);
    // The 503 was retried with a new nonce (the replay store would have refused a resend).
    expect(res[5]).toMatchObject({ outcome: 'ok', attempts: 2, response: { result: 5 } });
    expect(res[1]!.attempts).toBe(2);
    expect(res[6]!.attempts).toBe(2);
    for (const r of res) expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(new Set(seenNonces).size).toBe(seenNonces.length);
  });

  it('honours a per-query timeout longer than the dendrite default', async () => {
    const a1 = axons.axons[1]!;
    const [r] = await dendrite.query(
      [{ uid: 1, hotkey: minerKeys[1]!, ip: a1.ip, port: a1.port }],
      'Compute',
      { a: 1, b: 1 },
      {
        validate,
        timeoutMs: 6_000,
      },
    );
    expect(r).toMatchObject({ outcome: 'ok', response: { result: 2 } });
    expect(r!.latencyMs).toBeGreaterThan(600);
  });

  it('fans out to many axons in one call under a concurrency cap', async () => {
    const many = await startFakeAxons({
      count: 64,
      delayMs: 5,
      respond: (_i, _s, body) => ({ body: { result: (body as { a: number }).a } }),
    });
    // Fewer pools than axons: old pools are closed and reopened as needed, answers unaffected.
    const capped = new Dendrite({ sign: () => ({}), concurrency: 8, timeoutMs: 5_000, maxPools: 16 });
    try {
      const list = many.axons.map((a, uid) => ({ uid, hotkey: `hk${uid}`, ip: a.ip, port: a.port }));
      const res = await capped.query(list, 'Compute', { a: 7 }, { validate });
      expect(res.every((r) => r.outcome === 'ok' && (r.response as { result: number }).result === 7)).toBe(
        true,
      );
      expect(many.hits.every((h) => h === 1)).toBe(true);
      const again = await capped.query(list, 'Compute', { a: 8 }, { validate });
      expect(again.every((r) => r.outcome === 'ok')).toBe(true);
    } finally {
      await capped.close();
      await many.close();
    }
  });

  it('rejects invalid options with a clear message', () => {
    expect(() => new Dendrite({ sign: () => ({}), concurrency: 0 })).toThrow(/concurrency 0 is invalid/);
  });
});

describe('Dendrite signing failures', () => {
  it('reports a signing failure as an error, not as a refusing miner', async () => {
    const d = new Dendrite({
      sign: () => {
        throw new Error('hotkey is locked');
      },
    });
    try {
      const target = { uid: 0, hotkey: 'hk', ip: '127.0.0.1', port: 9 };
      // Signing ahead swallows the failure (nothing is kept); the query itself reports it.
      expect(await d.presign([target], 'Add', {})).toBe(0);
      expect(d.presignedCount).toBe(0);
      await expect(d.query([target], 'Add', {})).rejects.toThrow(
        /could not sign the request to hk: hotkey is locked/,
      );
    } finally {
      await d.close();
    }
  });
});

describe('Dendrite.presign', () => {
  let axons: FakeAxons;
  const replay = new MemoryReplayStore();
  const minerKeys: string[] = [];
  let signs = 0;
  let validatorSign: ReturnType<typeof btauthSigner>;

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    for (let i = 0; i < 3; i++) minerKeys.push(keyring.addFromUri(`//Presign${i}`).address);
    validatorSign = btauthSigner(keyring.addFromUri('//Alice'));
    // Real btauth/1 verification with a replay store: a reused signature would be refused (401).
    axons = await startFakeAxons({
      count: 3,
      respond: async (i, synapse, body, headers) => {
        const verdict = await verifyRequest(
          {
            method: 'POST',
            target: `/${synapse}`,
            headers,
            body: new TextEncoder().encode(JSON.stringify(body)),
          },
          { receiver: minerKeys[i]!, replayStore: replay },
        );
        if (!verdict.ok) return { status: 401, body: { message: verdict.message } };
        if (i === 2) return { status: 503, body: { message: 'busy' } };
        return { body: { result: (body as { a: number }).a } };
      },
    });
  });
  afterAll(async () => {
    await axons.close();
  });

  const counting = (): typeof validatorSign =>
    Object.assign(
      (req: Parameters<typeof validatorSign>[0]) => {
        signs++;
        return validatorSign(req);
      },
      { hotkey: validatorSign.hotkey },
    );
  const targets = (n = 2): MinerTarget[] =>
    axons.axons.slice(0, n).map((a, uid) => ({ uid, hotkey: minerKeys[uid]!, ip: a.ip, port: a.port }));

  it('uses each signature made ahead once, for exactly that request, and the miner accepts it', async () => {
    const d = new Dendrite({ sign: counting(), timeoutMs: 5_000 });
    try {
      signs = 0;
      expect(await d.presign(targets(), 'Compute', { a: 4 })).toBe(2);
      // Signing the same requests ahead again makes nothing new.
      expect(await d.presign(targets(), 'Compute', { a: 4 })).toBe(0);
      expect(signs).toBe(2);
      const res = await d.query(targets(), 'Compute', { a: 4 });
      expect(res.map((r) => r.outcome)).toEqual(['ok', 'ok']);
      expect(signs).toBe(2);
      expect(d.presignedCount).toBe(0);
      // The next query signs afresh (a reused signature would be a replay, refused with 401).
      const again = await d.query(targets(), 'Compute', { a: 4 });
      expect(again.map((r) => r.outcome)).toEqual(['ok', 'ok']);
      expect(signs).toBe(4);
      // A signature made for another body is not used for this one.
      await d.presign(targets(1), 'Compute', { a: 5 });
      await d.query(targets(1), 'Compute', { a: 6 });
      expect(signs).toBe(6);
      expect(d.presignedCount).toBe(1);
      // onSigned fires once, after every first attempt of the query was signed.
      let fired = 0;
      const seen: number[] = [];
      await d.query(targets(), 'Compute', { a: 7 }, { onSigned: () => seen.push(signs, ++fired) });
      expect(seen).toEqual([8, 1]);
      await d.query([], 'Compute', { a: 7 }, { onSigned: () => fired++ });
      expect(fired).toBe(2);
    } finally {
      await d.close();
    }
  });

  it('signs retries and stale signatures afresh, and never signs legacy v10 ahead', async () => {
    const d = new Dendrite({ sign: counting(), timeoutMs: 5_000, retries: 1, presignMaxAgeMs: 50 });
    try {
      signs = 0;
      const busy = { uid: 2, hotkey: minerKeys[2]!, ip: axons.axons[2]!.ip, port: axons.axons[2]!.port };
      await d.presign([busy], 'Compute', { a: 1 });
      const [r] = await d.query([busy], 'Compute', { a: 1 });
      // First attempt used the presigned headers, the retry signed its own: two signatures, no replay.
      expect(r).toMatchObject({ status: 503, attempts: 2 });
      expect(signs).toBe(2);
      await d.presign(targets(1), 'Compute', { a: 2 });
      await new Promise((res) => setTimeout(res, 80));
      expect(d.presignedCount).toBe(0);
      const [late] = await d.query(targets(1), 'Compute', { a: 2 });
      expect(late!.outcome).toBe('ok');
      expect(signs).toBe(4);
      expect(await d.presign(targets(), 'Compute', { a: 3 }, { protocol: 'legacy' })).toBe(0);
    } finally {
      await d.close();
    }
  });

  it('rejects an invalid presignMaxAgeMs', () => {
    expect(() => new Dendrite({ sign: () => ({}), presignMaxAgeMs: 0 })).toThrow(
      /presignMaxAgeMs 0 is invalid/,
    );
  });
});
