/**
 * Every kind of core's wire-error catalogue, provoked from a real axon listening on 127.0.0.1 over
 * real HTTP: the answer has the kind's status and a body naming the kind, /openapi.json documents
 * it, and the validator's dendrite classifier counts it as the catalogue says. The table is keyed by
 * WireErrorKind, so a kind added to the catalogue does not compile until it is tested here.
 */
import { connect } from 'node:net';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  defineSubnet,
  MemoryReplayStore,
  signRequest,
  WIRE_ERROR_KINDS,
  WIRE_ERRORS,
  WireErrorBodySchema,
  type WireErrorKind,
} from '@subnetkit/core';
import { type AxonOptions, type AxonServer, createAxon, staticMetagraph } from '@subnetkit/miner';
import { btauthSigner, classifyResponse, Dendrite } from '@subnetkit/validator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const subnet = defineSubnet({
  name: 'wire',
  versionKey: 1,
  synapses: {
    Work: {
      request: Type.Object({ ms: Type.Integer({ minimum: 0 }), fail: Type.Optional(Type.Boolean()) }),
      response: Type.Object({ done: Type.Boolean() }),
      timeoutMs: 2_000,
    },
    Slow: { request: Type.Object({}), response: Type.Object({ done: Type.Boolean() }), timeoutMs: 100 },
  },
  miner: {
    setup: () => null,
    forward: {
      Work: async ({ ms, fail }) => {
        await new Promise((r) => setTimeout(r, ms));
        if (fail) throw new Error('model exploded');
        return { done: true };
      },
      Slow: async () => {
        await new Promise((r) => setTimeout(r, 400));
        return { done: true };
      },
    },
  },
  validator: { challenge: () => ({ synapse: 'Slow', request: {}, truth: 0 }), reward: () => [] },
});

let miner: KeyringPair;
let validator: KeyringPair; // registered, permit
let plainMiner: KeyringPair; // registered, no permit
let stranger: KeyringPair; // not registered
let denied: KeyringPair; // registered validator on the deny list
const servers: AxonServer[] = [];
const checkBody = TypeCompiler.Compile(WireErrorBodySchema);

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  [miner, validator, plainMiner, stranger, denied] = ['//Bob', '//Alice', '//Eve', '//Dave', '//Ferdie'].map(
    (u) => keyring.addFromUri(u),
  ) as [KeyringPair, KeyringPair, KeyringPair, KeyringPair, KeyringPair];
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An axon listening on a free port of 127.0.0.1; returns its base URL. */
async function listening(
  overrides: Partial<AxonOptions> = {},
): Promise<{ app: AxonServer; port: number; url: string }> {
  const app = createAxon({
    plugin: subnet,
    model: null,
    hotkey: miner,
    netuid: 1,
    metagraph: staticMetagraph({
      hotkeys: [miner.address, validator.address, plainMiner.address, denied.address],
      stake: [0, 1000, 5, 500],
      validatorPermit: [false, true, false, true],
    }),
    replayStore: new MemoryReplayStore(),
    logger: pino({ level: 'silent' }),
    legacy: true,
    policy: { deny: [denied.address], bodyLimit: 512 },
    ...overrides,
  });
  servers.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  return { app, port, url: `http://127.0.0.1:${port}` };
}

interface Call {
  signer?: KeyringPair;
  path?: string;
  body?: string;
  receiver?: string;
  nonce?: bigint;
}

async function signedInit(call: Call = {}) {
  const path = call.path ?? '/Work';
  const body = call.body ?? '{"ms":0}';
  const headers = await signRequest({
    signer: call.signer ?? validator,
    method: 'POST',
    target: path,
    body,
    receiver: call.receiver ?? miner.address,
    ...(call.nonce === undefined ? {} : { nonce: call.nonce }),
  });
  return { path, body, headers: { ...headers, 'content-type': 'application/json' } };
}

interface Answer {
  status: number;
  text: string;
}

async function post(url: string, init: { path: string; body: string; headers: Record<string, string> }) {
  const res = await fetch(`${url}${init.path}`, { method: 'POST', headers: init.headers, body: init.body });
  return { status: res.status, text: await res.text() } satisfies Answer;
}

let main: { app: AxonServer; url: string };
const send = async (call: Call = {}) => post(main.url, await signedInit(call));

/** A request that reaches the axon only once it has begun closing (ShuttingDown). */
async function whileClosing(): Promise<Answer> {
  const { app, port } = await listening();
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  // Started before close (an active connection is not closed as idle), finished after it began.
  socket.write('POST /Work HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  await new Promise((r) => setTimeout(r, 50));
  const closed = app.close();
  await new Promise((r) => setTimeout(r, 50));
  socket.write('Content-Type: application/json\r\nContent-Length: 8\r\n\r\n{"ms":0}');
  await ended;
  await closed;
  const raw = Buffer.concat(chunks).toString('utf8');
  const [head, text = ''] = raw.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1]), text };
}

/** How to make the axon answer each kind ('unread': the caller had gone; checked inside). */
const triggers: Record<WireErrorKind, () => Promise<Answer | 'unread'>> = {
  InvalidRequest: () => send({ body: '{"ms":"soon"}' }),
  MalformedAuth: () => post(main.url, { path: '/Work', body: '{"ms":0}', headers: {} }),
  WrongReceiver: () => send({ receiver: stranger.address }),
  StaleRequest: () => send({ nonce: (BigInt(Date.now()) - 60_000n) * 1_000_000n }),
  BadSignature: async () => post(main.url, { ...(await signedInit()), body: '{"ms":1}' }),
  ReplayedRequest: async () => {
    const init = await signedInit();
    expect((await post(main.url, init)).status).toBe(200);
    return post(main.url, init);
  },
  LegacyAuth: () =>
    post(main.url, {
      path: '/Work',
      body: '{"name":"Work","ms":0}',
      headers: { bt_header_dendrite_hotkey: validator.address, 'content-type': 'application/json' },
    }),
  Denied: () => send({ signer: denied }),
  NotRegistered: () => send({ signer: stranger }),
  NoValidatorPermit: () => send({ signer: plainMiner }),
  UnknownSynapse: () => send({ path: '/Nope' }),
  Timeout: () => send({ path: '/Slow', body: '{}' }),
  PayloadTooLarge: () => send({ body: JSON.stringify({ ms: 0, pad: 'x'.repeat(600) }) }),
  ClientClosed: async () => {
    // The caller gives up first: the dendrite's own deadline aborts the request; the miner records
    // 499 and nobody reads the body. The dendrite counts it as its own timeout.
    const before = main.app.axon.stats().byStatus[499] ?? 0;
    const dendrite = new Dendrite({ sign: btauthSigner(validator), timeoutMs: 150 });
    const port = Number(new URL(main.url).port);
    const [res] = await dendrite.query([{ uid: 0, hotkey: miner.address, ip: '127.0.0.1', port }], 'Work', {
      ms: 600,
    });
    await dendrite.close();
    for (let i = 0; (main.app.axon.stats().byStatus[499] ?? 0) === before; i++) {
      if (i > 200) throw new Error('the miner never recorded the closed request');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(res!.outcome).toBe(WIRE_ERRORS.ClientClosed.outcome);
    const metrics = await (await fetch(`${main.url}/metrics`)).text();
    expect(metrics).toMatch(/subnetkit_miner_requests_total\{[^}]*synapse="Work",status="499"[^}]*\} 1/);
    return 'unread';
  },
  InternalError: () => send({ body: '{"ms":0,"fail":true}' }),
  Overloaded: async () => {
    const busy = await listening({ policy: { maxConcurrency: 1, maxQueue: 0 } });
    const slow = post(busy.url, await signedInit({ body: '{"ms":300}' }));
    for (let i = 0; busy.app.axon.stats().running === 0; i++) {
      if (i > 200) throw new Error('the first request never started');
      await new Promise((r) => setTimeout(r, 10));
    }
    const shed = await post(busy.url, await signedInit());
    expect((await slow).status).toBe(200);
    return shed;
  },
  ShuttingDown: whileClosing,
  Unavailable: async () => {
    const down = await listening({
      replayStore: { remember: () => Promise.reject(new Error('ECONNREFUSED')) },
    });
    return post(down.url, await signedInit());
  },
};

describe('the wire-error catalogue over real HTTP', () => {
  let openapi: string;

  beforeAll(async () => {
    main = await listening();
    openapi = await (await fetch(`${main.url}/openapi.json`)).text();
    // Warm up signing and verification (WASM init) so no kind is a cold-start timeout.
    expect((await send()).status).toBe(200);
  });

  it.each(WIRE_ERROR_KINDS)('%s', async (kind) => {
    const spec = WIRE_ERRORS[kind];
    const answer = await triggers[kind]();
    const documented = JSON.parse(openapi).paths['/Work'].post.responses[String(spec.status)];
    expect(documented.description).toContain(`${kind}`);
    if (answer === 'unread') return;
    expect(answer.status).toBe(spec.status);
    const body = JSON.parse(answer.text) as unknown;
    expect(checkBody.Check(body)).toBe(true);
    expect((body as { error: string }).error).toBe(kind);
    const verdict = classifyResponse(answer.status, answer.text, () => undefined);
    expect(verdict.outcome).toBe(spec.outcome);
    expect(verdict.kind).toBe(kind);
  });
});
