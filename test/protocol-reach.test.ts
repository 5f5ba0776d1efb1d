/**
 * Protocol reach over real HTTP on 127.0.0.1: the validator's dendrite against the miner's axon in
 * btauth/1 and in `--legacy` v10 mode, plain and streaming synapses (echo's Compute and
 * ComputeStream), `--protocol auto` against an axon that answers the way the Python SDK's axon
 * does (bittensor/core/axon.py: `{"message": ...}` failures, the full synapse JSON with
 * `bt_header_axon_*` headers on success), and bad input: stalled, endless, malformed and oversized
 * streams, v10 answers whose headers or body are not the SDK's shapes, and the btauth/1 schemes this
 * server refuses by name.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import {
  defineSubnet,
  MemoryLegacyNonceStore,
  MemoryReplayStore,
  type QueryOutcome,
  signRequest,
  verifyLegacyRequest,
} from '@subnetkit/core';
import { type AxonServer, createAxon, staticMetagraph } from '@subnetkit/miner';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import {
  btauthSigner,
  Dendrite,
  type DendriteResponse,
  type MinerTarget,
  synapseQueryOptions,
} from '@subnetkit/validator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let validator: KeyringPair;
let minerKey: KeyringPair;
let dendrite: Dendrite;
const servers: { close(): Promise<unknown> }[] = [];

const request = { a: 12, b: 30, op: 'add' as const }; // 42
const computeOptions = (protocol?: 'btauth' | 'legacy' | 'auto') =>
  synapseQueryOptions(echo, 'Compute', { timeoutMs: 2_000, protocol });
const streamOptions = (protocol?: 'btauth' | 'legacy' | 'auto') =>
  synapseQueryOptions(echo, 'ComputeStream', { timeoutMs: 2_000, protocol });

async function axon(
  legacy: boolean | { only: true },
  env: Record<string, string> = {},
): Promise<MinerTarget> {
  const app: AxonServer = createAxon({
    plugin: echo,
    model: makeEchoModel(env),
    hotkey: minerKey,
    netuid: 1,
    metagraph: staticMetagraph({
      hotkeys: [minerKey.address, validator.address],
      stake: [0, 1000],
      validatorPermit: [false, true],
    }),
    replayStore: new MemoryReplayStore(),
    legacy,
    logger: pino({ level: 'silent' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  servers.push(app);
  const port = (app.server.address() as { port: number }).port;
  return { uid: 1, hotkey: minerKey.address, ip: '127.0.0.1', port };
}

/** A raw HTTP server for shapes no axon of ours sends. */
async function raw(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<MinerTarget> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  });
  return {
    uid: 7,
    hotkey: minerKey.address,
    ip: '127.0.0.1',
    port: (server.address() as { port: number }).port,
  };
}

async function one(target: MinerTarget, synapse: string, options: object): Promise<DendriteResponse> {
  const [r] = await dendrite.query([target], synapse, request, options);
  return r!;
}

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  validator = keyring.addFromUri('//Alice');
  minerKey = keyring.addFromUri('//Bob');
  dendrite = new Dendrite({ sign: btauthSigner(validator), timeoutMs: 2_000 });
});

afterAll(async () => {
  await dendrite.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('legacy v10 against the miner in --legacy mode', () => {
  it('answers a plain synapse: the SDK body and headers read back into the response', async () => {
    const target = await axon(true);
    const r = await one(target, 'Compute', computeOptions('legacy'));
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ outcome: 'ok', status: 200, response: { result: 42 } });
  });

  it('streams a synapse in the StreamingSynapse shape', async () => {
    const target = await axon(true);
    const r = await one(target, 'ComputeStream', streamOptions('legacy'));
    expect(r).toMatchObject({ outcome: 'ok', response: { result: 42 } });
    expect(r.stream).toMatchObject({ chunks: 2 });
    expect(r.stream!.firstChunkMs).toBeGreaterThan(0);
    expect(r.stream!.cut).toBeUndefined();
  });

  it('is refused by a btauth/1-only miner with the catalogue kind', async () => {
    const target = await axon(false);
    const r = await one(target, 'Compute', computeOptions('legacy'));
    expect(r.outcome).toBe('refused');
    expect(r.kind).toBe('MalformedAuth');
  });
});

describe('btauth/1 streaming', () => {
  it('assembles the chunks and reports time to first chunk and chunk rate', async () => {
    const target = await axon(false, { ECHO_DELAY_MS: '50' });
    const r = await one(target, 'ComputeStream', streamOptions('btauth'));
    expect(r).toMatchObject({ outcome: 'ok', response: { result: 42 } });
    expect(r.stream!.chunks).toBe(2);
    expect(r.stream!.firstChunkMs).toBeGreaterThanOrEqual(45);
    expect(r.stream!.durationMs).toBeGreaterThanOrEqual(r.stream!.firstChunkMs!);
  });

  it('scores a wrong streamed answer through reward like a plain one', async () => {
    const target = await axon(false, { ECHO_ERROR_RATE: '1' });
    const r = await one(target, 'ComputeStream', streamOptions('btauth'));
    expect(r).toMatchObject({ outcome: 'ok', response: { result: 43 } });
    const scores = await echo.validator.reward(
      { synapse: 'ComputeStream', request, truth: 42, responses: [r] } as never,
      { round: 1, log: pino({ level: 'silent' }) },
    );
    expect(scores).toEqual([0]);
  });
});

describe('a miner whose stream goes wrong', () => {
  const Chunk = Type.Object({ text: Type.String() });
  const Streamed = {
    request: Type.Object({ a: Type.Integer(), b: Type.Integer(), op: Type.String() }),
    response: Type.Object({ result: Type.Integer() }),
    stream: { chunk: Chunk, assemble: () => ({ result: 0 }) },
  };
  const broken = defineSubnet({
    name: 'broken',
    versionKey: 1,
    synapses: { BadChunk: Streamed, NoStream: Streamed },
    miner: {
      setup: () => null,
      forward: {
        BadChunk: async function* () {
          yield { text: '4' };
          yield { text: 2 } as unknown as { text: string };
        },
        NoStream: (() => ({ result: 42 })) as never,
      },
    },
    validator: { challenge: () => ({ synapse: 'BadChunk', request, truth: 0 }), reward: () => [] },
  });

  it('ends the stream with an error event for a chunk off its schema, and 500s a forward that does not stream', async () => {
    const app = createAxon({
      plugin: broken,
      model: null,
      hotkey: minerKey,
      netuid: 1,
      metagraph: staticMetagraph({
        hotkeys: [minerKey.address, validator.address],
        stake: [0, 1000],
        validatorPermit: [false, true],
      }),
      logger: pino({ level: 'silent' }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push(app);
    const target = {
      uid: 1,
      hotkey: minerKey.address,
      ip: '127.0.0.1',
      port: (app.server.address() as { port: number }).port,
    };
    const bad = await one(target, 'BadChunk', synapseQueryOptions(broken, 'BadChunk', { timeoutMs: 2_000 }));
    expect(bad).toMatchObject({ outcome: 'invalid_response', stream: { chunks: 1, cut: 'malformed_event' } });
    expect(bad.error).toMatch(/error event.*InternalError/);
    const none = await one(target, 'NoStream', synapseQueryOptions(broken, 'NoStream', { timeoutMs: 2_000 }));
    expect(none).toMatchObject({ outcome: 'http_error', status: 500, kind: 'InternalError' });
  });
});

describe('--protocol auto', () => {
  it('speaks v10 to an axon that answers like the Python SDK, and remembers it', async () => {
    const nonces = new MemoryLegacyNonceStore();
    let btauthSeen = 0;
    let legacySeen = 0;
    const target = await raw(async (req, res, body) => {
      if (req.headers.bt_header_dendrite_hotkey === undefined) {
        // axon.py default_verify without a dendrite nonce: 401, `{"message": ...}`, no wire-error kind.
        btauthSeen++;
        res.writeHead(401, { 'content-type': 'application/json', bt_header_axon_status_code: '401' });
        res.end(JSON.stringify({ message: 'Not Verified with error: Missing Nonce' }));
        return;
      }
      const verdict = await verifyLegacyRequest(req.headers, body, {
        receiver: minerKey.address,
        nonceStore: nonces,
      });
      if (!verdict.ok) {
        res.writeHead(verdict.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: verdict.message }));
        return;
      }
      legacySeen++;
      const synapse = JSON.parse(body) as Record<string, unknown> & { a: number; b: number };
      // The SDK's success: the whole synapse, `axon.status_code` 200, and to_headers() of it.
      res.writeHead(200, {
        'content-type': 'application/json',
        name: 'Compute',
        timeout: '2.0',
        bt_header_axon_status_code: '200',
        bt_header_axon_status_message: 'Success',
        bt_header_axon_process_time: '0.0012',
        bt_header_dendrite_hotkey: validator.address,
        computed_body_hash: String(req.headers.computed_body_hash),
      });
      res.end(
        JSON.stringify({
          ...synapse,
          axon: {
            ...(synapse.axon as object),
            status_code: 200,
            status_message: 'Success',
            process_time: 0.0012,
          },
          result: synapse.a + synapse.b,
        }),
      );
    });
    const first = await one(target, 'Compute', computeOptions('auto'));
    expect(first).toMatchObject({ outcome: 'ok', response: { result: 42 }, attempts: 2 });
    const second = await one(target, 'Compute', computeOptions('auto'));
    expect(second).toMatchObject({ outcome: 'ok', response: { result: 42 }, attempts: 1 });
    expect([btauthSeen, legacySeen]).toEqual([1, 2]);
  });

  it('speaks v10 to a miner serving legacy v10 only (LegacyAuth to btauth/1)', async () => {
    const target = await axon({ only: true });
    const first = await one(target, 'ComputeStream', streamOptions('auto'));
    expect(first).toMatchObject({ outcome: 'ok', response: { result: 42 }, attempts: 2 });
    const btauth = await one(target, 'Compute', computeOptions('btauth'));
    expect(btauth).toMatchObject({ outcome: 'refused', kind: 'LegacyAuth' });
  });

  it('keeps btauth/1 for a subnetkit miner, --legacy or not', async () => {
    for (const legacy of [false, true]) {
      const r = await one(await axon(legacy), 'Compute', computeOptions('auto'));
      expect(r).toMatchObject({ outcome: 'ok', attempts: 1 });
    }
  });
});

describe('bad streams are cut at their deadline and scored as such', () => {
  const sse = (res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'text/event-stream', bt_header_axon_status_code: '200' });

  async function cutBy(
    handler: (res: ServerResponse) => void,
    expected: { outcome: QueryOutcome; cut: string },
    protocol: 'btauth' | 'legacy' = 'btauth',
  ) {
    const target = await raw((_req, res) => handler(res));
    const started = performance.now();
    const r = await one(target, 'ComputeStream', streamOptions(protocol));
    expect(r.outcome).toBe(expected.outcome);
    expect(r.stream?.cut).toBe(expected.cut);
    expect(r.response).toBeUndefined();
    // Never past the synapse timeout (2 s), plus scheduling slack on a loaded machine.
    expect(performance.now() - started).toBeLessThan(4_000);
    return r;
  }

  it('a stream that stalls before its first chunk', async () => {
    const r = await cutBy((res) => sse(res), { outcome: 'timeout', cut: 'first_chunk_deadline' });
    expect(r.stream!.chunks).toBe(0);
    expect(r.stream!.firstChunkMs).toBeUndefined();
  });

  it('a stream that never ends', async () => {
    const r = await cutBy(
      (res) => {
        sse(res);
        const timer = setInterval(() => res.write('data: {"text":"4"}\n\n'), 40);
        res.on('close', () => clearInterval(timer));
      },
      { outcome: 'timeout', cut: 'total_deadline' },
    );
    expect(r.stream!.chunks).toBeGreaterThan(5);
    expect(r.stream!.chunksPerSecond).toBeGreaterThan(5);
  });

  it('a stream with an event that is not JSON, or not a chunk, or an error event', async () => {
    for (const event of [
      'data: {"text":\n\n',
      'data: {"digits":"4"}\n\n',
      'event: error\ndata: {"message":"x"}\n\n',
    ]) {
      const r = await cutBy(
        (res) => {
          sse(res);
          res.write('data: {"text":"4"}\n\n');
          res.end(event);
        },
        { outcome: 'invalid_response', cut: 'malformed_event' },
      );
      expect(r.stream!.chunks).toBe(1);
    }
  });

  it('a stream over the size cap (echo caps ComputeStream at 4 KiB)', async () => {
    const r = await cutBy(
      (res) => {
        sse(res);
        const timer = setInterval(() => res.write(`: ${'x'.repeat(1_000)}\n`), 5);
        res.on('close', () => clearInterval(timer));
      },
      { outcome: 'invalid_response', cut: 'size_cap' },
    );
    expect(r.stream!.bytes).toBeGreaterThan(4_096);
  });
});

describe('v10 answers that are not the SDK shapes', () => {
  const cases: [string, (res: ServerResponse) => void][] = [
    [
      '200 that is not JSON',
      (res) => {
        res.writeHead(200, { 'content-type': 'text/plain', bt_header_axon_status_code: '200' });
        res.end('hello');
      },
    ],
    [
      '200 whose body is an array',
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json', bt_header_axon_status_code: '200' });
        res.end('[42]');
      },
    ],
    [
      'a status header that is not an integer',
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json', bt_header_axon_status_code: 'ok' });
        res.end('{"result": 42}');
      },
    ],
    [
      'no axon status at all',
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"result": 42}');
      },
    ],
    [
      'a streaming synapse answered with JSON',
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json', bt_header_axon_status_code: '200' });
        res.end('{"result": 42}');
      },
    ],
  ];
  for (const [name, handler] of cases) {
    it(`${name} is protocol_mismatch`, async () => {
      const target = await raw((_req, res) => handler(res));
      const streaming = name.startsWith('a streaming');
      const r = streaming
        ? await one(target, 'ComputeStream', streamOptions('legacy'))
        : await one(target, 'Compute', computeOptions('legacy'));
      expect(r.outcome).toBe('protocol_mismatch');
      expect(r.error).toBeTruthy();
    });
  }

  it('a 200 whose axon status says 408 counts as the SDK counts it: a timeout', async () => {
    const target = await raw((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', bt_header_axon_status_code: '408' });
      res.end('{"result": null}');
    });
    expect((await one(target, 'Compute', computeOptions('legacy'))).outcome).toBe('timeout');
  });
});

describe('btauth/1 schemes beyond sr25519 and ed25519', () => {
  it('the axon answers 401 naming the scheme it does not verify', async () => {
    const target = await axon(false);
    for (const scheme of ['mldsa', 'hashed']) {
      const body = JSON.stringify(request);
      const headers = await signRequest({
        signer: validator,
        method: 'POST',
        target: '/Compute',
        body,
        receiver: minerKey.address,
      });
      const res = await fetch(`http://127.0.0.1:${target.port}/Compute`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'x-bittensor-crypto': scheme,
          'x-bittensor-signature': `0x${'ab'.repeat(scheme === 'mldsa' ? 5_303 : 64)}`,
        },
        body,
      });
      expect(res.status).toBe(401);
      const answer = (await res.json()) as { error: string; message: string };
      expect(answer.error).toBe('MalformedAuth');
      expect(answer.message).toContain(`"${scheme}" is not supported`);
    }
  });
});
