/**
 * End to end: a real devnet over WebSocket, a miner registered with burned_register and announced
 * with serve_axon, real HTTP, requests signed only with @subnetkit/core's btauth/1 functions, the
 * replay store in the shared Redis. Every bad-input case of the miner is exercised over the wire,
 * and the miner keeps answering after each one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import { connect, type SubtensorClient, Wallet } from '@subnetkit/chain';
import { defineSubnet, signRequest } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import {
  type AxonServer,
  connectRedisReplayStore,
  type ConnectedReplayStore,
  createAxon,
  detectExternalIp,
  type RunningMiner,
  startMiner,
  subtensorMinerChain,
} from '@subnetkit/miner';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers.js';

const NETUID = 1;
const TEMPO = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = pino({ level: 'silent' });

let devnet: Devnet;
let client: SubtensorClient;
let keyring: Keyring;
let minerHotkey: KeyringPair; // registered by this test, serves the axon
let validator: KeyringPair; // genesis neuron, stake 1000 -> validator permit
let smallValidator: KeyringPair; // genesis neuron, stake 10 -> validator permit, lower priority
let plainNeuron: KeyringPair; // registered by this test, no stake -> no permit
let stranger: KeyringPair; // never registered
let replay: ConnectedReplayStore;
let miner: RunningMiner;
let axonUrl: string;
const prefix = `test:e2e:miner:${randomUUID()}:`;
const extraAxons: AxonServer[] = [];

async function call(
  url: string,
  synapse: string,
  body: string,
  opts: { signer?: KeyringPair; receiver?: string; nonce?: bigint; tamper?: (b: string) => string } = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers; sent: RequestInit }> {
  const headers = await signRequest({
    signer: opts.signer ?? validator,
    method: 'POST',
    target: `/${synapse}`,
    body,
    receiver: opts.receiver ?? minerHotkey.address,
    ...(opts.nonce === undefined ? {} : { nonce: opts.nonce }),
  });
  const sent: RequestInit = {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: opts.tamper ? opts.tamper(body) : body,
  };
  return send(url, synapse, sent);
}

async function send(url: string, synapse: string, init: RequestInit) {
  const res = await fetch(`${url}/${synapse}`, init);
  const text = await res.text();
  return {
    status: res.status,
    json: JSON.parse(text) as Record<string, unknown>,
    headers: res.headers,
    sent: init,
  };
}

async function expectStillServing(): Promise<void> {
  const res = await call(axonUrl, 'Compute', JSON.stringify({ a: 40, b: 2, op: 'add' }));
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ result: 42 });
}

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  minerHotkey = keyring.addFromUri('//Bob//miner');
  validator = keyring.addFromUri('//Alice//validator');
  smallValidator = keyring.addFromUri('//Charlie//validator');
  plainNeuron = keyring.addFromUri('//Dave//plain');
  stranger = keyring.addFromUri('//Eve//stranger');
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        {
          netuid: NETUID,
          owner: 'alice',
          hyperparameters: { tempo: TEMPO, maxAllowedValidators: 4, burn: 1 },
          neurons: [
            { hotkey: '//Alice//validator', coldkey: 'alice', stake: 1000 },
            { hotkey: '//Charlie//validator', coldkey: 'charlie', stake: 10 },
          ],
        },
      ],
    },
  });
  client = await connect(devnet.url);
  const bob = keyring.addFromUri('//Bob');
  const dave = keyring.addFromUri('//Dave');
  await client.burnedRegister(bob, NETUID, minerHotkey.address);
  await client.burnedRegister(dave, NETUID, plainNeuron.address);
  // Run an epoch so validator permits are computed from stake.
  devnet.produceBlocks(TEMPO + 2);
  replay = await connectRedisReplayStore(REDIS_URL, { prefix });
  miner = await startMiner({
    plugin: echo,
    hotkey: minerHotkey,
    netuid: NETUID,
    chain: subtensorMinerChain(client, minerHotkey),
    port: 0,
    host: '0.0.0.0',
    // The devnet accepts 127.0.0.1 (subtensor would not); prefer the machine's real address.
    externalIp: detectExternalIp() ?? '127.0.0.1',
    replayStore: replay.store,
    logger: quiet,
    dataDir: mkdtempSync(join(tmpdir(), 'e2e-miner-')),
    policy: { bodyLimit: 4096 },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(extraAxons.map((a) => a.close()));
  await miner?.stop();
  const keys = await replay?.redis.keys(`${prefix}*`);
  if (keys && keys.length > 0) await replay.redis.del(...keys);
  await replay?.close();
  await client?.close();
  await devnet?.stop();
});

describe('miner end to end on the devnet', () => {
  it('registers, announces its axon on chain and answers a validator found through the metagraph', async () => {
    const metagraph = await client.syncMetagraph(NETUID);
    const uid = metagraph.hotkeys.indexOf(minerHotkey.address);
    expect(uid).toBeGreaterThanOrEqual(0);
    const axon = metagraph.axons[uid]!;
    expect(axon.port).toBe(miner.port);
    expect(axon.ip).toBe(miner.announced?.ip);
    expect(metagraph.validatorPermit[metagraph.hotkeys.indexOf(validator.address)]).toBe(true);
    // Call the miner where the chain says it is, as a validator would.
    axonUrl = `http://${axon.ip}:${axon.port}`;
    const res = await call(axonUrl, 'Compute', JSON.stringify({ a: 6, b: 7, op: 'mul' }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result: 42 });
    expect(res.headers.get('x-bittensor-hotkey')).toBe(minerHotkey.address);
  });

  it('401 MalformedAuth for missing headers', async () => {
    const res = await send(axonUrl, 'Compute', { method: 'POST', body: '{"a":1,"b":2,"op":"add"}' });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('MalformedAuth');
    await expectStillServing();
  });

  it('401 MalformedAuth for an unparsable header', async () => {
    const ok = await call(axonUrl, 'Compute', '{"a":1,"b":2,"op":"add"}');
    const headers = { ...(ok.sent.headers as Record<string, string>), 'X-Bittensor-Version': 'two' };
    const res = await send(axonUrl, 'Compute', { ...ok.sent, headers });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('MalformedAuth');
    await expectStillServing();
  });

  it('401 WrongReceiver when signed for another hotkey', async () => {
    const res = await call(axonUrl, 'Compute', '{"a":1,"b":2,"op":"add"}', { receiver: stranger.address });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('WrongReceiver');
    await expectStillServing();
  });

  it('401 StaleRequest for an old nonce', async () => {
    const nonce = (BigInt(Date.now()) - 30_000n) * 1_000_000n;
    const res = await call(axonUrl, 'Compute', '{"a":1,"b":2,"op":"add"}', { nonce });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('StaleRequest');
    await expectStillServing();
  });

  it('401 BadSignature when the body is altered in flight', async () => {
    const res = await call(axonUrl, 'Compute', '{"a":1,"b":2,"op":"add"}', {
      tamper: (b) => b.replace('"a":1', '"a":9'),
    });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('BadSignature');
    await expectStillServing();
  });

  it('401 ReplayedRequest for a resent request, also when it goes to a second miner process', async () => {
    const first = await call(axonUrl, 'Compute', '{"a":1,"b":2,"op":"add"}');
    expect(first.status).toBe(200);
    const again = await send(axonUrl, 'Compute', first.sent);
    expect(again.status).toBe(401);
    expect(again.json.error).toBe('ReplayedRequest');
    // A second axon for the same hotkey sharing the Redis replay store refuses it too.
    const twin = createAxon({
      plugin: echo,
      model: makeEchoModel({}),
      hotkey: minerHotkey,
      netuid: NETUID,
      metagraph: miner.metagraph,
      replayStore: replay.store,
      logger: quiet,
    });
    extraAxons.push(twin);
    await twin.listen({ port: 0, host: '127.0.0.1' });
    const twinUrl = `http://127.0.0.1:${(twin.server.address() as { port: number }).port}`;
    const crossReplay = await send(twinUrl, 'Compute', first.sent);
    expect(crossReplay.status).toBe(401);
    expect(crossReplay.json.error).toBe('ReplayedRequest');
    await expectStillServing();
  });

  it('403 for a verified hotkey that is not registered, or registered without validator permit', async () => {
    const unregistered = await call(axonUrl, 'Compute', '{"a":1,"b":2,"op":"add"}', { signer: stranger });
    expect(unregistered.status).toBe(403);
    expect(unregistered.json.error).toBe('NotRegistered');
    const noPermit = await call(axonUrl, 'Compute', '{"a":1,"b":2,"op":"add"}', { signer: plainNeuron });
    expect(noPermit.status).toBe(403);
    expect(noPermit.json.error).toBe('NoValidatorPermit');
    await expectStillServing();
  });

  it('413 for a body over the limit', async () => {
    const big = JSON.stringify({ a: 1, b: 2, op: 'add', pad: 'x'.repeat(8192) });
    const res = await call(axonUrl, 'Compute', big);
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('PayloadTooLarge');
    await expectStillServing();
  });

  it('400 naming the field for a body that does not match the schema', async () => {
    const res = await call(axonUrl, 'Compute', JSON.stringify({ a: 1, b: 2, op: 'pow' }));
    expect(res.status).toBe(400);
    expect(res.json.field).toBe('/op');
    expect(String(res.json.message)).toContain('/op');
    await expectStillServing();
  });

  it('serves /openapi.json, /metrics and /healthz', async () => {
    const doc = (await (await fetch(`${axonUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(['/Compute', '/ComputeStream']);
    const metrics = await (await fetch(`${axonUrl}/metrics`)).text();
    expect(metrics).toMatch(/subnetkit_miner_requests_total\{[^}]*status="200"/);
    expect(metrics).toMatch(/subnetkit_miner_auth_failures_total\{[^}]*kind="BadSignature"[^}]*\} [1-9]/);
    const health = await fetch(`${axonUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});

/** A plugin whose handlers misbehave on request, served against the same chain metagraph. */
const faulty = defineSubnet({
  name: 'faulty',
  versionKey: 1,
  synapses: {
    Work: {
      request: Type.Object({ ms: Type.Integer({ minimum: 0 }), fail: Type.Optional(Type.Boolean()) }),
      response: Type.Object({ done: Type.Boolean() }),
    },
  },
  miner: {
    setup: () => null,
    forward: {
      // Honours its signal, as plugins should: at the deadline it stops and frees its slot.
      Work: async ({ ms, fail }, ctx) => {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(ctx.signal.reason);
          });
        });
        if (fail) throw new Error('the model crashed');
        return { done: true };
      },
    },
  },
  validator: { challenge: () => ({ synapse: 'Work', request: { ms: 0 }, truth: 0 }), reward: () => [] },
});

describe('miner failure statuses over HTTP (chain metagraph, faulty handlers)', () => {
  let url: string;
  const lines: string[] = [];

  beforeAll(async () => {
    const app = createAxon({
      plugin: faulty,
      model: null,
      hotkey: minerHotkey,
      netuid: NETUID,
      metagraph: miner.metagraph,
      replayStore: replay.store,
      logger: pino({ level: 'info' }, { write: (l: string) => lines.push(l) }),
      policy: { timeoutMs: 300, maxConcurrency: 1, maxQueue: 1 },
    });
    extraAxons.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  it('500 with the error logged when the handler throws', async () => {
    const res = await call(url, 'Work', JSON.stringify({ ms: 0, fail: true }));
    expect(res.status).toBe(500);
    expect(res.json.error).toBe('InternalError');
    expect(lines.join('\n')).toContain('the model crashed');
    expect((await call(url, 'Work', JSON.stringify({ ms: 0 }))).status).toBe(200);
  });

  it('408 at the request timeout when the handler is too slow', async () => {
    const res = await call(url, 'Work', JSON.stringify({ ms: 2_000 }));
    expect(res.status).toBe(408);
    expect(res.json.error).toBe('Timeout');
    expect((await call(url, 'Work', JSON.stringify({ ms: 0 }))).status).toBe(200);
  });

  it('503 for the lowest-stake caller when saturated', async () => {
    // The big validator holds the only slot; the small one waits; a second small request finds
    // the queue full and, having no more stake than the waiter, is shed at once.
    const busy = call(url, 'Work', JSON.stringify({ ms: 200 }));
    await new Promise((r) => setTimeout(r, 50));
    const waiting = call(url, 'Work', JSON.stringify({ ms: 0 }), { signer: smallValidator });
    await new Promise((r) => setTimeout(r, 50));
    const shed = await call(url, 'Work', JSON.stringify({ ms: 0 }), { signer: smallValidator });
    expect(shed.status).toBe(503);
    expect(shed.json.error).toBe('Overloaded');
    expect((await busy).status).toBe(200);
    expect((await waiting).status).toBe(200);
    expect((await call(url, 'Work', JSON.stringify({ ms: 0 }))).status).toBe(200);
  });
});

/** Starts a private redis-server (never the shared one) and resolves once it answers. */
async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        r(true);
      });
      socket.once('error', () => r(false));
    });
    if (up) return proc;
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

describe('miner with its Redis replay store going away', () => {
  let redisProc: ChildProcess | undefined;

  afterAll(() => {
    if (redisProc && redisProc.exitCode === null) redisProc.kill('SIGKILL');
  });

  it('answers 503 while Redis is down and serves again once it is back', async () => {
    const port = await freePort();
    redisProc = await startRedis(port);
    const store = await connectRedisReplayStore(`redis://127.0.0.1:${port}`, { prefix: 'replay:' });
    const app = createAxon({
      plugin: echo,
      model: makeEchoModel({}),
      hotkey: minerHotkey,
      netuid: NETUID,
      metagraph: miner.metagraph,
      replayStore: store.store,
      logger: quiet,
    });
    extraAxons.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      expect((await call(url, 'Compute', '{"a":1,"b":1,"op":"add"}')).status).toBe(200);
      const exited = new Promise((r) => redisProc!.once('exit', r));
      redisProc.kill('SIGKILL');
      await exited;
      const down = await call(url, 'Compute', '{"a":1,"b":1,"op":"add"}');
      expect(down.status).toBe(503);
      expect(down.json.error).toBe('Unavailable');
      redisProc = await startRedis(port);
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await call(url, 'Compute', '{"a":1,"b":1,"op":"add"}')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    } finally {
      await store.close();
      redisProc.kill('SIGKILL');
    }
  });
});

const CLI = resolve(import.meta.dirname, '../packages/cli/bin/subnetkit.js');

describe('subnetkit miner (the CLI) against the devnet', () => {
  let child: ChildProcess | undefined;
  const walletRoot = mkdtempSync(join(tmpdir(), 'e2e-wallets-'));

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(walletRoot, { recursive: true, force: true });
  });

  it('loads the wallet and plugin, serves, announces, answers, and drains on SIGTERM', async () => {
    const wallet = new Wallet({ name: 'cli-miner', hotkey: 'default', path: walletRoot });
    const created = await wallet.createHotkey({ password: null });
    const ferdie = keyring.addFromUri('//Ferdie');
    await client.burnedRegister(ferdie, NETUID, created.ss58Address);
    child = spawn(
      process.execPath,
      [
        CLI,
        'miner',
        '--subnet',
        'echo',
        '--netuid',
        String(NETUID),
        '--wallet',
        'cli-miner',
        '--hotkey',
        'default',
        '--wallet-path',
        walletRoot,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--external-ip',
        '127.0.0.1',
        '--chain',
        devnet.url,
        '--redis',
        REDIS_URL,
        '--data-dir',
        join(walletRoot, 'data'),
      ],
      { env: { ...process.env, SUBNETKIT_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`CLI miner did not start:\n${output}`)), 60_000);
      const check = () => {
        const m = /serving on 127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      };
      child!.stdout?.on('data', check);
      child!.once('exit', (code) => reject(new Error(`CLI miner exited with ${code}:\n${output}`)));
    });
    const metagraph = await client.syncMetagraph(NETUID);
    const uid = metagraph.hotkeys.indexOf(created.ss58Address);
    expect(metagraph.axons[uid]).toMatchObject({ ip: '127.0.0.1', port });
    const body = JSON.stringify({ a: 2, b: 2, op: 'add' });
    const headers = await signRequest({
      signer: validator,
      method: 'POST',
      target: '/Compute',
      body,
      receiver: created.ss58Address,
    });
    const res = await fetch(`http://127.0.0.1:${port}/Compute`, { method: 'POST', headers, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: 4 });
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('miner stopped');
    const keys = await replay.redis.keys(`subnetkit:replay:${NETUID}:${created.ss58Address}:*`);
    if (keys.length > 0) await replay.redis.del(...keys);
  });
});
