import type { IncomingHttpHeaders } from 'node:http';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BtAuthRequest,
  type BtAuthResult,
  bodySha256Hex,
  buildBtAuthPayload,
  freshNonce,
  type RequestSigner,
  signRequest,
  type VerifyRequestOptions,
  verifyRequest,
} from './btauth.js';
import { MemoryReplayStore, type ReplayStore } from './replay-store.js';

// Golden fixture of the btauth/1 spec (docs/guides/signed-requests, "Golden test vectors").
const ALICE_SR = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const ALICE_ED = '5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu';
const BOB_SR = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const NONCE = 1752076800000000000n;
const BODY = '{"prompt": "hello"}';
const BODY_SHA256 = '341c57448e531310fbbe83f44cea2a5e838bd9e8a6b82b269f01d0dbbc23c3cc';
const TARGET = '/generate?stream=false';
/** The exact ed25519 signature the spec pins for //Alice (ed25519) over the golden payload. */
const SPEC_ED25519_SIGNATURE =
  '0x1a6b631988bf1f7ea093ab9d5acf61f05c316d0b0e428b24b487b75a5f6ee0e1a56a26918fdf871b6cf09437e6588023a4ce423cf622621b2a7feee17612f704';

const bodyBytes = new TextEncoder().encode(BODY);
const MS = 1_000_000n;

let aliceSr: KeyringPair;
let aliceEd: KeyringPair;
let bob: KeyringPair;
let charlie: KeyringPair;

beforeAll(async () => {
  await cryptoWaitReady();
  const sr = new Keyring({ type: 'sr25519' });
  aliceSr = sr.addFromUri('//Alice');
  bob = sr.addFromUri('//Bob');
  charlie = sr.addFromUri('//Charlie');
  aliceEd = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
});

/** A replay store that records how often it was consulted. */
class CountingStore implements ReplayStore {
  calls = 0;
  private readonly inner = new MemoryReplayStore();
  async remember(hotkey: string, nonce: string, ttlMs: number): Promise<boolean> {
    this.calls++;
    return this.inner.remember(hotkey, nonce, ttlMs);
  }
}

function options(overrides: Partial<VerifyRequestOptions> = {}): VerifyRequestOptions {
  return { receiver: BOB_SR, replayStore: new MemoryReplayStore(), now: () => NONCE, ...overrides };
}

async function signedGolden(signer: RequestSigner = aliceSr): Promise<BtAuthRequest> {
  const headers = await signRequest({
    signer,
    method: 'post',
    target: TARGET,
    body: BODY,
    receiver: BOB_SR,
    nonce: NONCE,
  });
  return { method: 'POST', target: TARGET, headers, body: bodyBytes };
}

function expectFailure(result: BtAuthResult, kind: string): string {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.kind).toBe(kind);
  expect(result.message.length).toBeGreaterThan(10);
  return result.message;
}

function withHeader(
  request: BtAuthRequest,
  name: string,
  value: string | string[] | undefined,
): BtAuthRequest {
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (k.toLowerCase() !== name.toLowerCase()) headers[k] = v as string;
  }
  if (value !== undefined) headers[name] = value;
  return { ...request, headers };
}

describe('btauth/1 payload (spec golden vectors)', () => {
  it('hashes the golden body', () => {
    expect(bodyBytes.length).toBe(19);
    expect(bodySha256Hex(BODY)).toBe(BODY_SHA256);
    expect(bodySha256Hex(bodyBytes)).toBe(BODY_SHA256);
  });

  it('builds the exact sr25519 payload', () => {
    const payload = buildBtAuthPayload({
      scheme: 'sr25519',
      method: 'post',
      target: TARGET,
      bodySha256Hex: BODY_SHA256,
      nonce: NONCE,
      sender: ALICE_SR,
      receiver: BOB_SR,
    });
    expect(payload).toBe(
      'btauth/1\nsr25519\nPOST\n/generate?stream=false\n' +
        '341c57448e531310fbbe83f44cea2a5e838bd9e8a6b82b269f01d0dbbc23c3cc\n1752076800000000000\n' +
        '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\n5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
    );
    expect(payload.endsWith('\n')).toBe(false);
    expect(payload.split('\n')).toHaveLength(8);
  });

  it('uses - for an unbound receiver and keeps the target exactly as sent', () => {
    const payload = buildBtAuthPayload({
      scheme: 'ed25519',
      method: 'GET',
      target: '/a%20b?q=1&r=%2F',
      bodySha256Hex: bodySha256Hex(''),
      nonce: '1',
      sender: ALICE_ED,
    });
    expect(payload.split('\n')).toEqual([
      'btauth/1',
      'ed25519',
      'GET',
      '/a%20b?q=1&r=%2F',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      '1',
      ALICE_ED,
      '-',
    ]);
  });

  it('refuses fields that would break the line format', () => {
    const base = {
      scheme: 'sr25519' as const,
      method: 'POST',
      target: '/x',
      bodySha256Hex: BODY_SHA256,
      nonce: 1n,
      sender: ALICE_SR,
    };
    expect(() => buildBtAuthPayload({ ...base, target: '/x\nevil' })).toThrow(/line breaks/);
    expect(() => buildBtAuthPayload({ ...base, nonce: '012' })).toThrow(/decimal/);
    expect(() => buildBtAuthPayload({ ...base, nonce: -1n })).toThrow(/decimal/);
    expect(() => buildBtAuthPayload({ ...base, bodySha256Hex: 'abc' })).toThrow(/64 hex/);
  });

  it('matches the ed25519 signature pinned by the spec, byte for byte', async () => {
    expect(aliceEd.address).toBe(ALICE_ED);
    const payload = buildBtAuthPayload({
      scheme: 'ed25519',
      method: 'POST',
      target: TARGET,
      bodySha256Hex: BODY_SHA256,
      nonce: NONCE,
      sender: ALICE_ED,
      receiver: BOB_SR,
    });
    // ed25519 is deterministic: @polkadot/keyring reproduces the spec's bytes.
    const keyringSignature = `0x${Buffer.from(aliceEd.sign(new TextEncoder().encode(payload))).toString('hex')}`;
    expect(keyringSignature).toBe(SPEC_ED25519_SIGNATURE);
    const headers = await signRequest({
      signer: aliceEd,
      method: 'POST',
      target: TARGET,
      body: bodyBytes,
      receiver: BOB_SR,
      nonce: NONCE,
    });
    expect(headers).toEqual({
      'X-Bittensor-Version': '1',
      'X-Bittensor-Hotkey': ALICE_ED,
      'X-Bittensor-Receiver': BOB_SR,
      'X-Bittensor-Nonce': '1752076800000000000',
      'X-Bittensor-Crypto': 'ed25519',
      'X-Bittensor-Signature': SPEC_ED25519_SIGNATURE,
    });
  });
});

describe('signRequest', () => {
  it('emits sr25519 headers without X-Bittensor-Crypto and a lowercase 0x signature', async () => {
    const { headers } = await signedGolden();
    expect(Object.keys(headers)).toEqual([
      'X-Bittensor-Version',
      'X-Bittensor-Hotkey',
      'X-Bittensor-Receiver',
      'X-Bittensor-Nonce',
      'X-Bittensor-Signature',
    ]);
    expect(headers['X-Bittensor-Signature']).toMatch(/^0x[0-9a-f]{128}$/);
  });

  it('accepts a KeyringPair as signer and rejects key types btauth/1 cannot use', async () => {
    const signer: RequestSigner = aliceSr; // compiles: a KeyringPair is a RequestSigner
    expect(signer.address).toBe(ALICE_SR);
    const ecdsa = new Keyring({ type: 'ecdsa' }).addFromUri('//Alice');
    await expect(signRequest({ signer: ecdsa, method: 'GET', target: '/', body: '' })).rejects.toThrow(
      /sr25519 \(default\) or ed25519/,
    );
    const broken: RequestSigner = { address: ALICE_SR, type: 'sr25519', sign: () => new Uint8Array(10) };
    await expect(signRequest({ signer: broken, method: 'GET', target: '/', body: '' })).rejects.toThrow(/64/);
  });

  it('never reuses a nonce, default nonces are unix ns', async () => {
    const a = freshNonce();
    const b = freshNonce();
    expect(b > a).toBe(true);
    const now = BigInt(Date.now()) * MS;
    expect(a > now - 5_000n * MS && a < now + 5_000n * MS).toBe(true);
    const nonces = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const headers = await signRequest({
        signer: aliceSr,
        method: 'GET',
        target: '/',
        body: '',
        receiver: BOB_SR,
      });
      nonces.add(headers['X-Bittensor-Nonce']!);
    }
    expect(nonces.size).toBe(50);
  });

  it('omits the receiver header for unbound requests', async () => {
    const headers = await signRequest({
      signer: aliceSr,
      method: 'GET',
      target: '/',
      body: '',
      nonce: NONCE,
    });
    expect(headers['X-Bittensor-Receiver']).toBeUndefined();
  });
});

describe('verifyRequest', () => {
  it('accepts the golden sr25519 request signed by @polkadot/keyring', async () => {
    const result = await verifyRequest(await signedGolden(), options());
    expect(result).toEqual({ ok: true, hotkey: ALICE_SR, nonce: NONCE, scheme: 'sr25519' });
  });

  it('accepts the spec-pinned ed25519 request when the server trusts ed25519 for that hotkey', async () => {
    const request: BtAuthRequest = {
      method: 'POST',
      target: TARGET,
      body: bodyBytes,
      headers: {
        'x-bittensor-version': '1',
        'x-bittensor-hotkey': ALICE_ED,
        'x-bittensor-receiver': BOB_SR,
        'x-bittensor-nonce': '1752076800000000000',
        'x-bittensor-crypto': 'ed25519',
        'x-bittensor-signature': SPEC_ED25519_SIGNATURE,
      },
    };
    const schemeFor = (hotkey: string) => (hotkey === ALICE_ED ? ('ed25519' as const) : undefined);
    expect(await verifyRequest(request, options({ schemeFor }))).toEqual({
      ok: true,
      hotkey: ALICE_ED,
      nonce: NONCE,
      scheme: 'ed25519',
    });
    // Without the server-side pin the header alone is not trusted.
    expect(expectFailure(await verifyRequest(request, options()), 'MalformedAuth')).toMatch(/sr25519/);
  });

  it('matches header names case-insensitively and takes Node IncomingHttpHeaders', async () => {
    const signed = await signedGolden();
    const incoming: IncomingHttpHeaders = { host: 'miner:8091', 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(signed.headers)) incoming[k.toLowerCase()] = v as string;
    expect((await verifyRequest({ ...signed, headers: incoming }, options())).ok).toBe(true);
    const upper: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) upper[k.toUpperCase()] = v as string;
    expect((await verifyRequest({ ...signed, headers: upper }, options())).ok).toBe(true);
  });

  it('rebuilds the payload from what was received: any altered part fails', async () => {
    const signed = await signedGolden();
    const alteredBody = bodyBytes.slice();
    alteredBody[5]! ^= 1;
    expectFailure(await verifyRequest({ ...signed, body: alteredBody }, options()), 'BadSignature');
    expectFailure(
      await verifyRequest({ ...signed, body: bodyBytes.subarray(0, 18) }, options()),
      'BadSignature',
    );
    expectFailure(
      await verifyRequest({ ...signed, target: '/generate?stream=true' }, options()),
      'BadSignature',
    );
    expectFailure(await verifyRequest({ ...signed, target: '/generate' }, options()), 'BadSignature');
    expectFailure(await verifyRequest({ ...signed, method: 'PUT' }, options()), 'BadSignature');
    const laterNonce = withHeader(signed, 'X-Bittensor-Nonce', (NONCE + 1n).toString());
    expectFailure(await verifyRequest(laterNonce, options()), 'BadSignature');
    const sig = signed.headers['X-Bittensor-Signature'] as string;
    const flipped = `${sig.slice(0, 10)}${(Number.parseInt(sig[10]!, 16) ^ 1).toString(16)}${sig.slice(11)}`;
    expectFailure(
      await verifyRequest(withHeader(signed, 'X-Bittensor-Signature', flipped), options()),
      'BadSignature',
    );
    const otherSender = withHeader(signed, 'X-Bittensor-Hotkey', charlie.address);
    expectFailure(await verifyRequest(otherSender, options()), 'BadSignature');
  });

  it('a lowercase method from the framework is uppercased before verifying', async () => {
    const signed = await signedGolden();
    expect((await verifyRequest({ ...signed, method: 'post' }, options())).ok).toBe(true);
  });

  it('rejects requests addressed to another receiver, or unbound ones by default', async () => {
    const signed = await signedGolden();
    // Signed for Bob, presented to Charlie (e.g. a miner proxying a validator's request).
    const message = expectFailure(
      await verifyRequest(signed, options({ receiver: charlie.address })),
      'WrongReceiver',
    );
    expect(message).toContain(charlie.address);
    // Receiver header rewritten to Charlie's address while Charlie is the server: bad signature.
    const rewritten = withHeader(signed, 'X-Bittensor-Receiver', charlie.address);
    expectFailure(await verifyRequest(rewritten, options({ receiver: charlie.address })), 'BadSignature');
    expectFailure(await verifyRequest(rewritten, options()), 'WrongReceiver');

    const unboundHeaders = await signRequest({
      signer: aliceSr,
      method: 'POST',
      target: TARGET,
      body: BODY,
      nonce: NONCE,
    });
    const unbound: BtAuthRequest = {
      method: 'POST',
      target: TARGET,
      headers: unboundHeaders,
      body: bodyBytes,
    };
    expect(expectFailure(await verifyRequest(unbound, options()), 'WrongReceiver')).toMatch(/not bound/);
    expect(await verifyRequest(unbound, options({ requireReceiver: false }))).toMatchObject({ ok: true });
    // A bound request still has to name this server when unbound ones are allowed.
    expectFailure(
      await verifyRequest(signed, options({ receiver: charlie.address, requireReceiver: false })),
      'WrongReceiver',
    );
  });

  it('applies the freshness window with inclusive edges', async () => {
    const signed = await signedGolden();
    const at = (now: bigint, extra: Partial<VerifyRequestOptions> = {}) =>
      verifyRequest(signed, options({ now: () => now, ...extra }));
    expect((await at(NONCE + 10_000n * MS)).ok).toBe(true);
    expect(expectFailure(await at(NONCE + 10_000n * MS + 1n), 'StaleRequest')).toMatch(/old.*clock/s);
    expect((await at(NONCE - 2_000n * MS)).ok).toBe(true);
    expect(expectFailure(await at(NONCE - 2_000n * MS - 1n), 'StaleRequest')).toMatch(/future.*clock/s);
    expect((await at(NONCE + 30_000n * MS, { maxAgeMs: 30_000 })).ok).toBe(true);
    expectFailure(await at(NONCE + 1_000n * MS, { maxAgeMs: 500 }), 'StaleRequest');
    expectFailure(await at(NONCE - 1n, { maxFutureMs: 0 }), 'StaleRequest');
    await expect(at(NONCE, { maxAgeMs: -1 })).rejects.toThrow(RangeError);
  });

  it('rejects a replay, and consults the store only after the signature verifies', async () => {
    const signed = await signedGolden();
    const store = new CountingStore();
    expect((await verifyRequest(signed, options({ replayStore: store }))).ok).toBe(true);
    expect(store.calls).toBe(1);
    const message = expectFailure(
      await verifyRequest(signed, options({ replayStore: store })),
      'ReplayedRequest',
    );
    expect(message).toMatch(/fresh nonce/);
    expect(store.calls).toBe(2);

    const forged = withHeader(signed, 'X-Bittensor-Nonce', (NONCE + 5n).toString());
    expectFailure(await verifyRequest(forged, options({ replayStore: store })), 'BadSignature');
    expectFailure(
      await verifyRequest(signed, options({ replayStore: store, now: () => NONCE + 11_000n * MS })),
      'StaleRequest',
    );
    expectFailure(
      await verifyRequest(signed, options({ replayStore: store, receiver: charlie.address })),
      'WrongReceiver',
    );
    expect(store.calls).toBe(2);

    // The same nonce from another hotkey is a different pair.
    const fromBob = await signRequest({
      signer: bob,
      method: 'POST',
      target: TARGET,
      body: BODY,
      receiver: BOB_SR,
      nonce: NONCE,
    });
    const bobRequest = { ...signed, headers: fromBob };
    expect((await verifyRequest(bobRequest, options({ replayStore: store }))).ok).toBe(true);
  });

  it('passes the freshness window to the store as the TTL', async () => {
    let ttl = 0;
    const store: ReplayStore = {
      remember: async (_h, _n, ttlMs) => {
        ttl = ttlMs;
        return true;
      },
    };
    await verifyRequest(
      await signedGolden(),
      options({ replayStore: store, maxAgeMs: 10_000, maxFutureMs: 2_000 }),
    );
    expect(ttl).toBe(12_000);
  });

  it('pins the scheme from server configuration, never from the header alone', async () => {
    const signed = await signedGolden();
    // sr25519 signer claiming ed25519.
    const claimsEd = withHeader(signed, 'X-Bittensor-Crypto', 'ed25519');
    expect(expectFailure(await verifyRequest(claimsEd, options()), 'MalformedAuth')).toMatch(
      /ed25519.*sr25519/,
    );
    // Server trusts ed25519 for the sender, request comes without the header (sr25519).
    const schemeFor = () => 'ed25519' as const;
    expectFailure(await verifyRequest(signed, options({ schemeFor })), 'MalformedAuth');
    // An explicit sr25519 header is the same as none.
    expect((await verifyRequest(withHeader(signed, 'X-Bittensor-Crypto', 'sr25519'), options())).ok).toBe(
      true,
    );
    expect(
      expectFailure(
        await verifyRequest(withHeader(signed, 'X-Bittensor-Crypto', 'mldsa'), options()),
        'MalformedAuth',
      ),
    ).toMatch(/not supported/);
    // The spec's other schemes are refused by name, before the signature length is looked at: an
    // ML-DSA envelope is 5,303 bytes (10,608 header characters with 0x).
    const mldsa = withHeader(
      withHeader(signed, 'X-Bittensor-Crypto', 'mldsa'),
      'X-Bittensor-Signature',
      `0x${'ab'.repeat(5_303)}`,
    );
    const mldsaMessage = expectFailure(await verifyRequest(mldsa, options()), 'MalformedAuth');
    expect(mldsaMessage).toMatch(/"mldsa" is not supported.*ML-DSA-65.*envelope/);
    expect(mldsaMessage).not.toMatch(/128 hex/);
    expect(
      expectFailure(
        await verifyRequest(withHeader(signed, 'X-Bittensor-Crypto', 'hashed'), options()),
        'MalformedAuth',
      ),
    ).toMatch(/"hashed" is not supported.*rotating/);
    expect(
      expectFailure(
        await verifyRequest(withHeader(signed, 'X-Bittensor-Crypto', 'rsa'), options()),
        'MalformedAuth',
      ),
    ).toMatch(/unknown/);
  });

  it('reports malformed headers with a fix', async () => {
    const signed = await signedGolden();
    for (const name of [
      'X-Bittensor-Version',
      'X-Bittensor-Hotkey',
      'X-Bittensor-Nonce',
      'X-Bittensor-Signature',
    ]) {
      const message = expectFailure(
        await verifyRequest(withHeader(signed, name, undefined), options()),
        'MalformedAuth',
      );
      expect(message).toContain(name);
    }
    const cases: [string, string | string[]][] = [
      ['X-Bittensor-Version', '2'],
      ['X-Bittensor-Version', ''],
      ['X-Bittensor-Hotkey', 'not-an-address'],
      ['X-Bittensor-Hotkey', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ'], // bad checksum
      ['X-Bittensor-Hotkey', `0x${'11'.repeat(32)}`],
      ['X-Bittensor-Hotkey', '5'.repeat(100_000)],
      ['X-Bittensor-Nonce', '01752076800000000000'],
      ['X-Bittensor-Nonce', '-1'],
      ['X-Bittensor-Nonce', '1.5e18'],
      ['X-Bittensor-Nonce', ' 1752076800000000000'],
      ['X-Bittensor-Nonce', '9'.repeat(21)],
      ['X-Bittensor-Nonce', '9'.repeat(1_000_000)],
      ['X-Bittensor-Signature', '0x1234'],
      ['X-Bittensor-Signature', `0x${'zz'.repeat(64)}`],
      ['X-Bittensor-Signature', `0x${'ab'.repeat(65)}`],
      ['X-Bittensor-Signature', 'f'.repeat(10_000_000)],
      ['X-Bittensor-Nonce', ['1752076800000000000', '1752076800000000000']],
      ['X-Bittensor-Signature', [signed.headers['X-Bittensor-Signature'] as string, '0x00']],
    ];
    for (const [name, value] of cases) {
      const result = await verifyRequest(withHeader(signed, name, value), options());
      expectFailure(result, 'MalformedAuth');
      if (!result.ok) expect(result.message.length).toBeLessThan(400);
    }
    // Same header under two spellings.
    const twice = { ...signed, headers: { ...signed.headers, 'x-bittensor-nonce': '1752076800000000000' } };
    expect(expectFailure(await verifyRequest(twice, options()), 'MalformedAuth')).toMatch(/more than once/);
    // A one-element array is just the value.
    const single = withHeader(signed, 'X-Bittensor-Nonce', ['1752076800000000000']);
    expect((await verifyRequest(single, options())).ok).toBe(true);
  });

  it('never throws on garbage', async () => {
    const signed = await signedGolden();
    const garbage: unknown[] = [
      null,
      undefined,
      42,
      'headers',
      [],
      { 'x-bittensor-version': 1, 'x-bittensor-hotkey': {}, 'x-bittensor-nonce': null },
      { 'x-bittensor-version': ['1', '1'] },
      Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-${i}`, 'v'])),
    ];
    for (const headers of garbage) {
      const result = await verifyRequest(
        { ...signed, headers: headers as BtAuthRequest['headers'] },
        options(),
      );
      expectFailure(result, 'MalformedAuth');
    }
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const alphabet = '0123456789abcdefxX-_ \n\u0000\u00e9';
    for (let i = 0; i < 300; i++) {
      const name = Object.keys(signed.headers)[rand() % 5]!;
      const len = rand() % 140;
      let value = '';
      for (let j = 0; j < len; j++) value += alphabet[rand() % alphabet.length];
      const result = await verifyRequest(withHeader(signed, name, value), options());
      expect(result.ok).toBe(false);
    }
    const lineBreak = await verifyRequest({ ...signed, target: '/generate\nx' }, options());
    expectFailure(lineBreak, 'MalformedAuth');
  });
});
