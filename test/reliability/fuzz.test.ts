/**
 * Fuzz: hostile inputs at every surface, seeded so a failure replays. For each: no crash, no hang
 * (every answer within a bound), bounded memory, and a clear error (a catalogue `{ error, message }`
 * at the axon, a JSON-RPC error at the devnet, one line naming the cause at the CLI).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { buildLegacyRequest, signRequest } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type RunningExporter, runExporter } from '@subnetkit/exporter';
import { createMetricsRegistry, type MetricsServer, startMetricsServer } from '@subnetkit/metrics';
import { type AxonServer, createAxon, staticMetagraph } from '@subnetkit/miner';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import { createValidatorMetrics } from '@subnetkit/validator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli } from '../cli-helpers.js';
import { LONG, recordRow, suiteCommand } from './record.js';

const COMMAND = suiteCommand('fuzz');
const N = LONG ? 20_000 : 1_500;

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PRINTABLE =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

function mutateText(r: () => number, text: string): string {
  const chars = [...text];
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (chars.length + 1));
    const op = r();
    const c = PRINTABLE[Math.floor(r() * PRINTABLE.length)]!;
    if (op < 0.33) chars.splice(at, 1);
    else if (op < 0.66) chars.splice(at, 0, c);
    else chars[at] = c;
  }
  return chars.join('');
}

function deepJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

let miner: KeyringPair;
let validator: KeyringPair;

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  miner = keyring.addFromUri('//Bob');
  validator = keyring.addFromUri('//Alice');
});

describe('fuzz: the axon (btauth/1 and legacy v10)', () => {
  let app: AxonServer;
  let url: string;

  beforeAll(async () => {
    app = createAxon({
      plugin: echo,
      model: makeEchoModel({}),
      hotkey: miner,
      netuid: 1,
      metagraph: staticMetagraph({
        hotkeys: [miner.address, validator.address],
        stake: [0, 1000],
        validatorPermit: [false, true],
      }),
      logger: pino({ level: 'silent' }),
      legacy: true,
      policy: { bodyLimit: 64 * 1024 },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app?.close());

  it(`answers ${N} mutated signed requests with a catalogue error or a valid answer, never a 5xx`, async () => {
    const r = rng(15);
    const statuses: Record<number, number> = {};
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let slowest = 0;
    // A few valid templates of each scheme, re-signed now and then so some stay fresh.
    let templates: { headers: Record<string, string>; body: string }[] = [];
    const refresh = async () => {
      const body = JSON.stringify({ a: Math.floor(r() * 100), b: 2, op: 'add' });
      const btauth = await signRequest({
        signer: validator,
        method: 'POST',
        target: '/Compute',
        body,
        receiver: miner.address,
      });
      const legacy = await buildLegacyRequest({
        signer: validator,
        synapseName: 'Compute',
        axon: { ip: '127.0.0.1', port: 1, hotkey: miner.address },
        dendrite: { ip: '127.0.0.1', uuid: `u-${r()}` },
        fields: { a: 1, b: 2, op: 'add' },
      });
      templates = [{ headers: btauth, body }, legacy];
    };
    for (let i = 0; i < N; i++) {
      if (i % 200 === 0) await refresh();
      const t = templates[i % 2]!;
      const headers: Record<string, string> = { ...t.headers, 'content-type': 'application/json' };
      let body = t.body;
      const what = r();
      const keys = Object.keys(headers);
      if (what < 0.35) {
        const k = keys[Math.floor(r() * keys.length)]!;
        headers[k] = mutateText(r, headers[k]!);
      } else if (what < 0.5) {
        delete headers[keys[Math.floor(r() * keys.length)]!];
      } else if (what < 0.75) {
        body = mutateText(r, body);
      } else if (what < 0.85) {
        body = deepJson(1 + Math.floor(r() * 20_000));
      } else if (what < 0.92) {
        body = JSON.stringify({
          a: '9'.repeat(400),
          b: [1, { c: null }],
          op: 'x'.repeat(Math.floor(r() * 70_000)),
        });
      } else {
        headers[`x-fuzz-${i}`] = mutateText(r, 'value');
        headers['content-type'] = [
          'text/plain',
          'application/x-www-form-urlencoded',
          '',
          'application/json; charset=utf-16',
        ][Math.floor(r() * 4)]!;
      }
      const path = r() < 0.05 ? `/${mutateText(r, 'Compute')}` : '/Compute';
      const started = performance.now();
      let res: Response;
      try {
        res = await fetch(`${url}${encodeURI(path)}`, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        // The client refused to send it (invalid header value): not a server answer, skip.
        if (err instanceof TypeError && !(err as { cause?: unknown }).cause) continue;
        throw err;
      }
      const text = await res.text();
      slowest = Math.max(slowest, performance.now() - started);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      expect(res.status, `${res.status} ${text}`).toBeLessThan(500);
      if (res.status !== 200) {
        // A clear error: the catalogue kind (btauth/1) or the legacy `message` naming it.
        const parsed = JSON.parse(text) as { error?: string; message?: string };
        expect(parsed.error ?? parsed.message, text).toBeTruthy();
      }
    }
    globalThis.gc?.();
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    expect(slowest).toBeLessThan(10_000);
    expect(heapGrowthMb).toBeLessThan(64);
    expect(statuses[200] ?? 0).toBeGreaterThan(0);
    recordRow({
      id: 'axon-mutations',
      suite: 'fuzz',
      what: `${N} mutated btauth/1 and legacy v10 requests (headers edited/dropped, bodies mutated, JSON nested up to 20 000 deep, oversized fields, wrong content types, unknown paths)`,
      result: `statuses ${JSON.stringify(statuses)}; no 5xx; slowest answer ${Math.round(slowest)} ms; heap +${heapGrowthMb.toFixed(1)} MiB after GC (bound 64 MiB)`,
      crashes: 0,
      dataLost: 0,
      command: COMMAND,
    });
  });
});

/** Writes `bytes` to host:port and resolves once the server answers or closes (or 5 s pass). */
function sendRaw(port: number, bytes: Buffer): Promise<'answered' | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 5_000);
    socket.on('data', () => {
      answered = true;
      socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answered ? 'answered' : 'closed');
    });
    socket.on('connect', () => {
      socket.write(bytes);
      socket.end();
    });
  });
}

describe('fuzz: random bytes to every HTTP port, malformed JSON-RPC at the devnet', () => {
  let devnet: Devnet;
  let axon: AxonServer;
  let exporter: RunningExporter;
  let validatorMetrics: MetricsServer;
  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
    // The validator's /metrics + /healthz server as startValidator builds it (its registry and metrics).
    const registry = createMetricsRegistry();
    createValidatorMetrics(registry);
    validatorMetrics = await startMetricsServer({ registry, port: 0, host: '127.0.0.1' });
    exporter = await runExporter({
      chain: devnet.url,
      netuids: [0],
      port: 0,
      host: '127.0.0.1',
      logger: pino({ level: 'silent' }),
    });
    axon = createAxon({
      plugin: echo,
      model: makeEchoModel({}),
      hotkey: miner,
      netuid: 1,
      metagraph: staticMetagraph({ hotkeys: [miner.address], stake: [0], validatorPermit: [false] }),
      logger: pino({ level: 'silent' }),
    });
    await axon.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await axon?.close();
    await exporter?.stop();
    await validatorMetrics?.close();
    await devnet?.stop();
  });

  it('random bytes: every port answers or closes, nothing hangs, each keeps serving', async () => {
    const r = rng(99);
    const ports = {
      axon: (axon.server.address() as AddressInfo).port,
      devnet: Number(new URL(devnet.url).port),
      validatorMetrics: validatorMetrics.port,
      exporter: exporter.port,
    };
    const rounds = LONG ? 2_000 : 200;
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < rounds; i++) {
      const len = 1 + Math.floor(r() * 4096);
      const bytes = Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
      // A quarter start like an HTTP request line so the parser gets further.
      if (i % 4 === 0) bytes.write('POST /Compute HTTP/1.1\r\n', 0, 'latin1');
      for (const [name, port] of Object.entries(ports)) {
        const o = await sendRaw(port, bytes);
        outcomes[`${name}:${o}`] = (outcomes[`${name}:${o}`] ?? 0) + 1;
        expect(o, `${name} hung on random bytes #${i}`).not.toBe('timeout');
      }
    }
    expect((await fetch(`http://127.0.0.1:${ports.axon}/healthz`)).status).toBe(200);
    const health = await fetch(`http://127.0.0.1:${ports.devnet}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }),
    });
    expect(health.status).toBe(200);
    for (const name of ['validatorMetrics', 'exporter'] as const) {
      const metrics = await fetch(`http://127.0.0.1:${ports[name]}/metrics`);
      expect(metrics.status, `${name} /metrics after random bytes`).toBe(200);
    }
    recordRow({
      id: 'random-bytes-ports',
      suite: 'fuzz',
      what: `${rounds} random byte strings (1-4096 bytes) to every HTTP port: the axon, the devnet, the validator's /metrics server and the exporter`,
      result: `outcomes ${JSON.stringify(outcomes)}; no hang; each serves afterwards`,
      crashes: 0,
      dataLost: 0,
      command: COMMAND,
    });
  });

  it('malformed JSON-RPC, deep JSON, oversized frames, invalid extrinsics: JSON-RPC errors, devnet keeps serving', async () => {
    const ws = new WebSocket(devnet.url.replace(/^http/, 'ws'), { maxPayload: 64 * 1024 * 1024 });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const r = rng(3);
    const cases: string[] = [
      '{',
      'null',
      '[]',
      '{"jsonrpc":"2.0"}',
      '{"jsonrpc":"2.0","id":1,"method":42}',
      '{"jsonrpc":"2.0","id":1,"method":"no_such_method","params":[]}',
      `{"jsonrpc":"2.0","id":1,"method":"system_health","params":${deepJson(50_000)}}`,
      `{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["0x${'ff'.repeat(300)}"]}`,
      `{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["nothex"]}`,
      `{"jsonrpc":"2.0","id":1,"method":"state_call","params":["Core_version","0xzz"]}`,
    ];
    const extra = LONG ? 2_000 : 200;
    for (let i = 0; i < extra; i++) {
      const hex = Buffer.from(
        Array.from({ length: 1 + Math.floor(r() * 200) }, () => Math.floor(r() * 256)),
      ).toString('hex');
      cases.push(`{"jsonrpc":"2.0","id":${i + 2},"method":"author_submitExtrinsic","params":["0x${hex}"]}`);
    }
    let errors = 0;
    for (const text of cases) {
      const answer = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${text.slice(0, 80)}`)), 5_000);
        ws.once('message', (d) => {
          clearTimeout(timer);
          resolve(d.toString());
        });
        ws.send(text);
      });
      const parsed = JSON.parse(answer) as { error?: { code: number; message: string } };
      if (parsed.error) {
        errors++;
        expect(parsed.error.message.length).toBeGreaterThan(0);
      }
    }
    expect(errors).toBeGreaterThanOrEqual(cases.length - 1);
    // An oversized frame (32 MiB): refused or closed, never a crash.
    const big = `{"jsonrpc":"2.0","id":1,"method":"system_health","params":["${'a'.repeat(32 * 1024 * 1024)}"]}`;
    const bigOutcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 15_000);
      ws.once('message', () => {
        clearTimeout(timer);
        resolve('answered');
      });
      ws.once('close', () => {
        clearTimeout(timer);
        resolve('closed');
      });
      ws.send(big);
    });
    expect(bigOutcome).not.toBe('timeout');
    ws.terminate();
    const health = await fetch(devnet.url.replace(/^ws/, 'http'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }),
    });
    expect(health.status).toBe(200);
    recordRow({
      id: 'devnet-jsonrpc',
      suite: 'fuzz',
      what: `${cases.length} malformed JSON-RPC texts (broken JSON, wrong types, unknown methods, 50 000-deep params, random extrinsics) and a 32 MiB frame over WebSocket`,
      result: `${errors} JSON-RPC errors naming the cause; 32 MiB frame ${bigOutcome}; devnet serves afterwards`,
      crashes: 0,
      dataLost: 0,
      command: COMMAND,
    });
  });
});

describe('fuzz: corrupted wallet and config files to the CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('fails with one clear line, no stack trace, no hang', async () => {
    const hotkeys = join(root, 'w', 'hotkeys');
    mkdirSync(hotkeys, { recursive: true });
    const keyfiles: Record<string, string | Buffer> = {
      empty: '',
      'not-json': 'this is not a keyfile',
      'json-wrong-shape': '{"secretPhrase": 5}',
      truncated:
        '{"secretPhrase": "legal winner thank year wave sausage worth useful legal winner thank yellow", "secretSeed": "0x7f7f7f7f',
      binary: Buffer.from([0, 255, 1, 254, 2, 253, 3]),
      'nacl-garbage': '$NACLgarbage',
    };
    const configs: Record<string, string> = {
      'bad.yaml': 'netuid: [1, 2\n  port: :::\n',
      'bad.json': '{"netuid": ',
      'wrong-types.yaml': 'netuid: "one"\nport: -5\n',
      'unknown-key.yaml': 'netuid: 1\nfoo: bar\n',
    };
    const runs: { what: string; code: number | null; out: string }[] = [];
    for (const [name, content] of Object.entries(keyfiles)) {
      writeFileSync(join(hotkeys, name), content, { mode: 0o600 });
      const r = await runCli(
        ['wallet', 'sign', '--wallet', 'w', '--hotkey', name, '--wallet-path', root, '--message', 'hi'],
        {},
        30_000,
      );
      runs.push({ what: `hotkey ${name}`, code: r.code, out: r.stderr + r.stdout });
    }
    for (const [name, content] of Object.entries(configs)) {
      const file = join(root, name);
      writeFileSync(file, content);
      const r = await runCli(['miner', '--config', file, '--subnet', 'echo'], {}, 30_000);
      runs.push({ what: `config ${name}`, code: r.code, out: r.stderr + r.stdout });
    }
    for (const run of runs) {
      expect(run.code, `${run.what}: ${run.out}`).not.toBe(0);
      expect(run.out, run.what).not.toMatch(/\n\s+at .+:\d+:\d+\)?/); // no stack trace
      expect(run.out.trim().length, run.what).toBeGreaterThan(10);
      // The secrets inside a corrupted keyfile never reach the output.
      expect(run.out, run.what).not.toMatch(/sausage|0x7f7f/);
    }
    recordRow({
      id: 'cli-corrupted-files',
      suite: 'fuzz',
      what: `${Object.keys(keyfiles).length} corrupted hotkey files (wallet sign) and ${Object.keys(configs).length} corrupted config files (miner --config)`,
      result: 'each exits non-zero with a message naming the file and cause, no stack trace, no secret',
      crashes: 0,
      dataLost: 0,
      command: COMMAND,
    });
  });
});
