import type { AddressInfo } from 'node:net';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import {
  buildLegacyHeaders,
  defineSubnet,
  LEGACY_EMPTY_BODY_HASH,
  MemoryReplayStore,
  signRequest,
  verifySignature,
  verifySr25519Polkadot,
} from '@subnetkit/core';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AxonOptions, type AxonServer, createAxon } from './axon.js';
import { staticMetagraph } from './metagraph.js';

let keyring: Keyring;
let miner: KeyringPair;
let validator: KeyringPair; // registered, permit, stake 1000
let lowValidator: KeyringPair; // registered, permit, stake 10
let midValidator: KeyringPair; // registered, permit, stake 100
let plainMiner: KeyringPair; // registered, no permit
let stranger: KeyringPair; // not registered

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  miner = keyring.addFromUri('//Bob');
  validator = keyring.addFromUri('//Alice');
  lowValidator = keyring.addFromUri('//Charlie');
  midValidator = keyring.addFromUri('//Ferdie');
  plainMiner = keyring.addFromUri('//Eve');
  stranger = keyring.addFromUri('//Dave');
});

function metagraph() {
  return staticMetagraph({
    hotkeys: [
      miner.address,
      validator.address,
      lowValidator.address,
      midValidator.address,
      plainMiner.address,
    ],
    stake: [0, 1000, 10, 100, 5],
    validatorPermit: [false, true, true, true, false],
  });
}

/** Captures log lines so tests can assert that errors were logged. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

const servers: AxonServer[] = [];
function axon(overrides: Partial<AxonOptions> = {}): AxonServer {
  const app = createAxon({
    plugin: echo,
    model: makeEchoModel({}),
    hotkey: miner,
    netuid: 1,
    metagraph: metagraph(),
    replayStore: new MemoryReplayStore(),
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  servers.push(app);
  return app;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface SignedCall {
  signer?: KeyringPair;
  path?: string;
  body?: string;
  receiver?: string;
  nonce?: bigint;
}

async function signed(call: SignedCall = {}) {
  const path = call.path ?? '/Compute';
  const body = call.body ?? JSON.stringify({ a: 2, b: 3, op: 'add' });
  const headers = await signRequest({
    signer: call.signer ?? validator,
    method: 'POST',
    target: path,
    body,
    receiver: call.receiver ?? miner.address,
    ...(call.nonce === undefined ? {} : { nonce: call.nonce }),
  });
  return {
    method: 'POST' as const,
    url: path,
    payload: body,
    headers: { ...headers, 'content-type': 'application/json' },
  };
}

async function expectStillServing(app: AxonServer) {
  const res = await app.inject(await signed({ body: JSON.stringify({ a: 20, b: 22, op: 'add' }) }));
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ result: 42 });
}

describe('axon: the happy path', () => {
  it('answers a btauth/1-signed request from a registered validator', async () => {
    const app = axon();
    const res = await app.inject(await signed({ body: JSON.stringify({ a: 6, b: 7, op: 'mul' }) }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ result: 42 });
    expect(res.headers['x-bittensor-hotkey']).toBe(miner.address);
    expect(Number(res.headers['x-bittensor-process-time'])).toBeGreaterThanOrEqual(0);
  });

  it('accepts a request without content-type (the raw bytes are what was signed)', async () => {
    const app = axon();
    const req = await signed();
    const { 'content-type': _ct, ...headers } = req.headers;
    const res = await app.inject({ ...req, headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ result: 5 });
  });

  it('batches concurrent requests through forwardBatch', async () => {
    const app = axon({ batch: { maxBatchSize: 8, maxWaitMs: 20 } });
    const calls = await Promise.all(
      Array.from({ length: 8 }, (_, i) => signed({ body: JSON.stringify({ a: i, b: 1, op: 'add' }) })),
    );
    const results = await Promise.all(calls.map((c) => app.inject(c)));
    expect(results.map((r) => r.json().result)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const metrics = await (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = /subnetkit_miner_batch_size_count\{[^}]*synapse="Compute"[^}]*\} (\d+)/.exec(metrics);
    const sum = /subnetkit_miner_batch_size_sum\{[^}]*synapse="Compute"[^}]*\} (\d+)/.exec(metrics);
    expect(Number(sum?.[1])).toBe(8);
    expect(Number(count?.[1])).toBeLessThan(8);
  });
});

describe('axon: btauth/1 failures are 401 with the error kind', () => {
  it('MalformedAuth for missing headers', async () => {
    const app = axon();
    const res = await app.inject({ method: 'POST', url: '/Compute', payload: '{"a":1,"b":2,"op":"add"}' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('MalformedAuth');
    expect(res.json().message).toMatch(/X-Bittensor/);
    await expectStillServing(app);
  });

  it('MalformedAuth for an unparsable signature or nonce', async () => {
    const app = axon();
    const req = await signed();
    const badSig = await app.inject({
      ...req,
      headers: { ...req.headers, 'X-Bittensor-Signature': '0xnothex' },
    });
    expect(badSig.statusCode).toBe(401);
    expect(badSig.json().error).toBe('MalformedAuth');
    const badNonce = await app.inject({ ...req, headers: { ...req.headers, 'X-Bittensor-Nonce': '-12' } });
    expect(badNonce.json().error).toBe('MalformedAuth');
    await expectStillServing(app);
  });

  it('WrongReceiver when signed for another hotkey', async () => {
    const app = axon();
    const res = await app.inject(await signed({ receiver: stranger.address }));
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('WrongReceiver');
    await expectStillServing(app);
  });

  it('StaleRequest for an old nonce', async () => {
    const app = axon();
    const old = (BigInt(Date.now()) - 60_000n) * 1_000_000n;
    const res = await app.inject(await signed({ nonce: old }));
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('StaleRequest');
    await expectStillServing(app);
  });

  it('BadSignature when the body was altered after signing', async () => {
    const app = axon();
    const req = await signed({ body: JSON.stringify({ a: 1, b: 2, op: 'add' }) });
    const res = await app.inject({ ...req, payload: JSON.stringify({ a: 1, b: 3, op: 'add' }) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('BadSignature');
    await expectStillServing(app);
  });

  it('BadSignature when the path was changed after signing', async () => {
    const app = axon();
    const req = await signed();
    const res = await app.inject({ ...req, url: '/Compute?x=1' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('BadSignature');
  });

  it('ReplayedRequest when the same signed request arrives twice', async () => {
    const app = axon();
    const req = await signed();
    expect((await app.inject(req)).statusCode).toBe(200);
    const again = await app.inject(req);
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toBe('ReplayedRequest');
    await expectStillServing(app);
  });

  it('counts verification failures by kind in /metrics', async () => {
    const app = axon();
    await app.inject(await signed({ receiver: stranger.address }));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/subnetkit_miner_auth_failures_total\{[^}]*kind="WrongReceiver"[^}]*\} 1/);
    expect(metrics).toMatch(/subnetkit_miner_requests_total\{[^}]*synapse="Compute",status="401"[^}]*\} 1/);
  });
});

describe('axon: replay store outage', () => {
  it('answers 503 while the replay store fails, logs it, and recovers', async () => {
    const { logger, lines } = memoryLogger();
    const memory = new MemoryReplayStore();
    let down = true;
    const flaky = {
      remember: (hotkey: string, nonce: string, ttl: number) =>
        down ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) : memory.remember(hotkey, nonce, ttl),
    };
    const app = axon({ replayStore: flaky, logger });
    const res = await app.inject(await signed());
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('Unavailable');
    expect(lines.some((l) => JSON.stringify(l).includes('ECONNREFUSED'))).toBe(true);
    down = false;
    await expectStillServing(app);
  });
});

describe('axon: blacklist (403)', () => {
  it('refuses a verified but unregistered hotkey', async () => {
    const app = axon();
    const res = await app.inject(await signed({ signer: stranger }));
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('NotRegistered');
    expect(res.json().message).toContain(stranger.address);
    await expectStillServing(app);
  });

  it('refuses a registered hotkey without validator permit unless allowNonValidators', async () => {
    const strict = axon();
    const refused = await strict.inject(await signed({ signer: plainMiner }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('NoValidatorPermit');
    const relaxed = axon({ policy: { allowNonValidators: true } });
    const ok = await relaxed.inject(await signed({ signer: plainMiner }));
    expect(ok.statusCode).toBe(200);
  });

  it("admits a registered non-validator on an access: 'registered' synapse only", async () => {
    const peerPlugin = defineSubnet({
      name: 'peers',
      versionKey: 1,
      synapses: {
        Shared: {
          request: Type.Object({ a: Type.Integer() }),
          response: Type.Object({ a: Type.Integer() }),
          access: 'registered',
        },
        Private: {
          request: Type.Object({ a: Type.Integer() }),
          response: Type.Object({ a: Type.Integer() }),
        },
      },
      miner: { setup: () => null, forward: { Shared: ({ a }) => ({ a }), Private: ({ a }) => ({ a }) } },
      validator: { challenge: () => null, reward: (r) => r.responses.map(() => 0) },
    });
    const app = axon({ plugin: peerPlugin, model: null, policy: { deny: [lowValidator.address] } });
    const body = JSON.stringify({ a: 5 });
    const shared = await app.inject(await signed({ signer: plainMiner, path: '/Shared', body }));
    expect(shared.statusCode).toBe(200);
    expect(shared.json()).toEqual({ a: 5 });
    const refused = await app.inject(await signed({ signer: plainMiner, path: '/Private', body }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('NoValidatorPermit');
    // Still: unregistered hotkeys and the deny list are refused on the open synapse.
    const stray = await app.inject(await signed({ signer: stranger, path: '/Shared', body }));
    expect(stray.json().error).toBe('NotRegistered');
    const denied = await app.inject(await signed({ signer: lowValidator, path: '/Shared', body }));
    expect(denied.json().error).toBe('Denied');
  });

  it('applies the deny list over the permit and the allow list over registration', async () => {
    const app = axon({ policy: { deny: [validator.address], allow: [stranger.address] } });
    const denied = await app.inject(await signed({ signer: validator }));
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toBe('Denied');
    const allowed = await app.inject(await signed({ signer: stranger }));
    expect(allowed.statusCode).toBe(200);
  });
});

describe('axon: bad bodies', () => {
  it('413 for a body over the limit', async () => {
    const app = axon({ policy: { bodyLimit: 256 } });
    const res = await app.inject(await signed({ body: JSON.stringify({ a: 1, b: 2, op: 'x'.repeat(400) }) }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('PayloadTooLarge');
    expect(res.json().message).toContain('256');
    await expectStillServing(app);
  });

  it('400 naming the field for a body that does not match the schema', async () => {
    const app = axon();
    const res = await app.inject(await signed({ body: JSON.stringify({ a: 'two', b: 3, op: 'add' }) }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('InvalidRequest');
    expect(res.json().field).toBe('/a');
    expect(res.json().message).toContain('/a');
    const missing = await app.inject(await signed({ body: JSON.stringify({ a: 1, op: 'add' }) }));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('/b');
    await expectStillServing(app);
  });

  it('400 for a body that is not JSON', async () => {
    const app = axon();
    const res = await app.inject(await signed({ body: '{"a": 1,' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/not valid JSON/);
    await expectStillServing(app);
  });

  it('404 for an unknown synapse, listing the served ones', async () => {
    const app = axon();
    const res = await app.inject(await signed({ path: '/Nope' }));
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain('/Compute');
  });
});

const slowSubnet = defineSubnet({
  name: 'slow',
  versionKey: 1,
  synapses: {
    Work: {
      request: Type.Object({ ms: Type.Integer({ minimum: 0 }), fail: Type.Optional(Type.Boolean()) }),
      response: Type.Object({ done: Type.Boolean() }),
      timeoutMs: 2_000,
    },
    Garbage: { request: Type.Object({}), response: Type.Object({ n: Type.Integer() }) },
  },
  miner: {
    setup: () => null,
    forward: {
      // Deliberately ignores its abort signal: the axon must still answer on time.
      Work: async ({ ms, fail }) => {
        await new Promise((r) => setTimeout(r, ms));
        if (fail) throw new Error('model exploded');
        return { done: true };
      },
      Garbage: () => ({ n: 'not a number' }) as unknown as { n: number },
    },
  },
  validator: { challenge: () => ({ synapse: 'Garbage', request: {}, truth: 0 }), reward: () => [] },
});

function workCall(signer: KeyringPair, ms: number, extra: Record<string, unknown> = {}) {
  return signed({ signer, path: '/Work', body: JSON.stringify({ ms, ...extra }) });
}

describe('axon: handler failures', () => {
  it('500 with the error logged when the handler throws', async () => {
    const { logger, lines } = memoryLogger();
    const app = axon({ plugin: slowSubnet, model: null, logger });
    const res = await app.inject(await workCall(validator, 0, { fail: true }));
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toBe('InternalError');
    expect(res.json().message).not.toContain('model exploded');
    const logged = lines.find((l) => l.level === 50);
    expect(JSON.stringify(logged)).toContain('model exploded');
    const ok = await app.inject(await workCall(validator, 0));
    expect(ok.statusCode).toBe(200);
  });

  it('500 when the handler returns a response that breaks its schema', async () => {
    const { logger, lines } = memoryLogger();
    const app = axon({ plugin: slowSubnet, model: null, logger });
    const res = await app.inject(await signed({ path: '/Garbage', body: '{}' }));
    expect(res.statusCode).toBe(500);
    expect(lines.some((l) => String(l.msg).includes('does not match its schema'))).toBe(true);
  });

  it('408 at the request timeout when the handler is too slow', async () => {
    const app = axon({ plugin: slowSubnet, model: null, policy: { timeoutMs: 100 } });
    const res = await app.inject(await workCall(validator, 1_000));
    expect(res.statusCode).toBe(408);
    expect(res.json().error).toBe('Timeout');
    expect(res.json().message).toContain('100 ms');
    const ok = await app.inject(await workCall(validator, 0));
    expect(ok.statusCode).toBe(200);
  });
});

describe('axon: a handler past its deadline keeps its slot until it really finishes', () => {
  it('answers 408 on time, then 503 while the ignored work still runs, then serves again', async () => {
    const app = axon({
      plugin: slowSubnet,
      model: null,
      policy: { timeoutMs: 100, maxConcurrency: 1, maxQueue: 0 },
    });
    const slow = await app.inject(await workCall(validator, 600)); // ignores its signal
    expect(slow.statusCode).toBe(408);
    const busy = await app.inject(await workCall(validator, 0));
    expect(busy.statusCode).toBe(503);
    await new Promise((r) => setTimeout(r, 700));
    const ok = await app.inject(await workCall(validator, 0));
    expect(ok.statusCode).toBe(200);
  });
});

describe('axon: overload sheds the lowest stake first (503)', () => {
  it('sheds a waiting low-stake request when a higher-stake one arrives, and refuses the lowest incoming', async () => {
    const app = axon({ plugin: slowSubnet, model: null, policy: { maxConcurrency: 1, maxQueue: 1 } });
    // Sign everything first so the requests reach the gate in a known order.
    const [busy, low, mid, lowest] = await Promise.all([
      workCall(validator, 300),
      workCall(lowValidator, 0),
      workCall(midValidator, 0),
      workCall(lowValidator, 0),
    ]);
    const busyRes = app.inject(busy); // takes the only slot
    await new Promise((r) => setTimeout(r, 50));
    const lowRes = app.inject(low); // waits in the only queue place
    await new Promise((r) => setTimeout(r, 50));
    const midRes = app.inject(mid); // outranks low: low is shed
    await new Promise((r) => setTimeout(r, 50));
    const lowestRes = await app.inject(lowest); // ranks below mid, queue full: refused at once
    expect(lowestRes.statusCode).toBe(503);
    expect(lowestRes.json().error).toBe('Overloaded');
    const [b, l, m] = await Promise.all([busyRes, lowRes, midRes]);
    expect(b.statusCode).toBe(200);
    expect(l.statusCode).toBe(503);
    expect(l.json().error).toBe('Overloaded');
    expect(m.statusCode).toBe(200);
    expect(app.axon.stats().shed).toBe(2);
    const ok = await app.inject(await workCall(validator, 0));
    expect(ok.statusCode).toBe(200);
  });
});

describe('axon: service routes and shutdown', () => {
  it('describes every synapse in /openapi.json', async () => {
    const app = axon({ plugin: slowSubnet, model: null });
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/Work', '/Garbage']);
    expect(doc.components.schemas.WorkRequest.required).toEqual(['ms']);
    expect(doc.paths['/Work'].post.responses['401']).toBeDefined();
    expect(doc.paths['/Work'].post.parameters.map((p: { name: string }) => p.name)).toContain(
      'X-Bittensor-Signature',
    );
  });

  it('serves /healthz and /metrics', async () => {
    const app = axon();
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ ok: true, hotkey: miner.address, subnet: 'echo' });
    await app.inject(await signed());
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('subnetkit_miner_request_duration_seconds_bucket');
    expect(metrics).toContain('subnetkit_miner_inference_seconds_bucket');
    expect(metrics).toContain('subnetkit_miner_queue_depth');
    const sick = axon({ health: () => ({ ok: false, reason: 'metagraph stale' }) });
    expect((await sick.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
  });

  it('drains in-flight requests on close', async () => {
    const app = axon({ plugin: slowSubnet, model: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as AddressInfo;
    const req = await workCall(validator, 300);
    const pending = fetch(`http://127.0.0.1:${address.port}/Work`, {
      method: 'POST',
      headers: req.headers,
      body: req.payload,
    });
    // Close only once the request is inside the handler (a fixed sleep races a loaded machine).
    for (let i = 0; app.axon.stats().running === 0; i++) {
      if (i > 500) throw new Error('the request never reached the handler');
      await new Promise((r) => setTimeout(r, 10));
    }
    await app.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
  });
});

describe('axon: legacy v10 headers', () => {
  it('answers a legacy-signed request with the full synapse when enabled, and refuses it otherwise', async () => {
    const synapse = {
      name: 'Compute',
      timeout: 12.0,
      total_size: 0,
      header_size: 0,
      dendrite: { hotkey: validator.address },
      axon: { hotkey: miner.address },
      computed_body_hash: '',
      a: 4,
      b: 5,
      op: 'mul',
    };
    const legacyCall = async () => ({
      method: 'POST' as const,
      url: '/Compute',
      payload: JSON.stringify(synapse),
      headers: {
        'content-type': 'application/json',
        ...(await buildLegacyHeaders({
          signer: validator,
          synapseName: 'Compute',
          axon: { ip: '10.0.0.2', port: 8091, hotkey: miner.address },
          dendrite: { ip: '10.0.0.1', uuid: 'test-uuid' },
          bodyHash: LEGACY_EMPTY_BODY_HASH,
        })),
      },
    });
    const app = axon({ legacy: true });
    const res = await app.inject(await legacyCall());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Compute', a: 4, b: 5, result: 20, axon: { status_code: 200 } });
    expect(res.headers.bt_header_axon_status_code).toBe('200');
    const replay = await app.inject(await legacyCall());
    expect(replay.statusCode).toBe(200); // a fresh, larger nonce is fine
    const off = axon();
    const refused = await off.inject(await legacyCall());
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('MalformedAuth');
  });
});

describe('sr25519 verifier choice', () => {
  it('verifies @polkadot/keyring signatures with schnorrkel-wasm and rejects altered ones', () => {
    const message = new TextEncoder().encode('btauth/1\nsr25519\nPOST\n/Compute\nabc');
    for (const pair of [validator, miner, stranger]) {
      const sig = pair.sign(message);
      expect(verifySignature('sr25519', message, sig, pair.publicKey)).toBe(true);
      expect(verifySr25519Polkadot(message, sig, pair.publicKey)).toBe(true);
      const alteredMessage = message.slice();
      alteredMessage[0] = alteredMessage[0]! ^ 1;
      expect(verifySignature('sr25519', alteredMessage, sig, pair.publicKey)).toBe(false);
      const alteredSig = sig.slice();
      alteredSig[5] = alteredSig[5]! ^ 1;
      expect(verifySignature('sr25519', message, alteredSig, pair.publicKey)).toBe(false);
      expect(
        verifySignature('sr25519', message, sig, miner === pair ? validator.publicKey : miner.publicKey),
      ).toBe(false);
    }
  });
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
