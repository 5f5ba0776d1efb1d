/**
 * Miner axon throughput: btauth/1-signed requests over real HTTP (keep-alive, 127.0.0.1) to a miner
 * serving the echo subnet in this process, against the pure sr25519 verify ceiling measured in the
 * same run on the same signatures. The client runs in a worker thread (the other core), so the
 * miner's event loop is the thread being measured; requests are signed before the timed loop.
 *
 * Figures:
 * - miner.signed_requests_per_s: answered requests per CPU second of the miner thread.
 * - miner.signed_requests_per_s_wall: the same over wall time (what the client saw).
 * - miner.verify_only_per_s: `verifySignature` calls per second over the same payloads (the ceiling).
 * - miner.http_only_per_s: the same requests to a bare Fastify route (the HTTP stack's own cost).
 * - miner.verify_ceiling_ratio: signed_requests_per_s / verify_only_per_s (target >= 0.7).
 * - miner.vision_http_speedup_64 (and _single): a vision miner's signed HTTP requests/s at 64
 *   callers with the default micro-batching over batching off (./vision-http.ts).
 *
 * "Per core" is per CPU second of the miner thread, read from /proc (Linux), so time the thread was
 * preempted by other processes does not count; the three measurements are interleaved in rounds.
 */
import { performance } from 'node:perf_hooks';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  activeSr25519Backend,
  bodySha256Hex,
  buildBtAuthPayload,
  decodeHexExact,
  decodeSs58PublicKey,
  MemoryReplayStore,
  type RequestSigner,
  signRequest,
  verifySignature,
} from '@subnetkit/core';
import { createAxon, staticMetagraph } from '@subnetkit/miner';
import Fastify from 'fastify';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import type { Figure } from './harness.js';
import { fastSigner, runClient, threadCpuSeconds } from './http-client.js';
import { visionHttpSpeedup } from './vision-http.js';

const REQUESTS = Number(process.env.MINER_BENCH_REQUESTS ?? 8_000);
const WARMUP = 2_000;
const CONCURRENCY = 64;
const SOCKETS = 16;
const ROUNDS = 4;

interface Prepared {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** For the verify-only loop: exactly what the miner verifies. */
  message: Uint8Array;
  signature: Uint8Array;
  publicKey: Uint8Array;
}

const encoder = new TextEncoder();

async function prepare(signers: RequestSigner[], receiver: string, count: number): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const signer = signers[i % signers.length]!;
    const body = JSON.stringify({ a: i % 1000, b: 7, op: 'add' });
    const headers = await signRequest({ signer, method: 'POST', target: '/Compute', body, receiver });
    const message = encoder.encode(
      buildBtAuthPayload({
        scheme: 'sr25519',
        method: 'POST',
        target: '/Compute',
        bodySha256Hex: bodySha256Hex(body),
        nonce: headers['X-Bittensor-Nonce']!,
        sender: signer.address,
        receiver,
      }),
    );
    out.push({
      path: '/Compute',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
      message,
      signature: decodeHexExact(headers['X-Bittensor-Signature']!, 64)!,
      publicKey: decodeSs58PublicKey(signer.address)!,
    });
  }
  return out;
}

/** CPU seconds of this thread spent in `fn` (wall seconds where /proc is unavailable). */
async function cpuSecondsOf(
  fn: () => unknown,
): Promise<{ seconds: number; wallSeconds: number; onCpu: boolean }> {
  const cpu0 = threadCpuSeconds();
  const start = performance.now();
  await fn();
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu1 = threadCpuSeconds();
  const onCpu = cpu0 !== undefined && cpu1 !== undefined && cpu1 > cpu0;
  return { seconds: onCpu ? cpu1! - cpu0! : wallSeconds, wallSeconds, onCpu };
}

/** Verifies every prepared signature, exactly as the miner's verifier is called. */
function verifyAll(requests: Prepared[]): void {
  for (const r of requests) {
    if (!verifySignature('sr25519', r.message, r.signature, r.publicKey)) throw new Error('verify failed');
  }
}

function runEchoClient(port: number, requests: Prepared[]) {
  return runClient(
    port,
    requests.map((r, i) => ({ path: r.path, headers: r.headers, body: i })),
    requests.map((r) => r.body),
    { concurrency: CONCURRENCY, sockets: SOCKETS },
  );
}

export default async function minerBench(): Promise<Figure[]> {
  return [...(await echoBench()), ...(await visionHttpSpeedup())];
}

async function echoBench(): Promise<Figure[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const miner = keyring.addFromUri('//Bob');
  const validators = ['//Alice', '//Charlie', '//Dave', '//Eve'].map((u) => keyring.addFromUri(u));
  const app = createAxon({
    plugin: echo,
    model: makeEchoModel({}),
    hotkey: miner,
    netuid: 1,
    metagraph: staticMetagraph({
      hotkeys: [miner.address, ...validators.map((v) => v.address)],
      stake: [0, 1000, 500, 250, 125],
      validatorPermit: [false, true, true, true, true],
    }),
    replayStore: new MemoryReplayStore(),
    // Requests are signed before the timed loop, so allow them to be older than the 10 s default.
    maxAgeMs: 600_000,
    policy: { maxConcurrency: 256, maxQueue: 4096 },
    logger: pino({ level: 'silent' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  // The HTTP stack alone, for reference: same parser, a constant answer.
  const bare = Fastify({ logger: false });
  bare.removeAllContentTypeParsers();
  bare.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  bare.post('/Compute', async (_req, reply) => reply.type('application/json').send('{"result":7}'));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const barePort = (bare.server.address() as { port: number }).port;
  try {
    const signers = validators.map(fastSigner);
    const warm = await prepare(signers, miner.address, WARMUP);
    const timed = await prepare(signers, miner.address, REQUESTS);
    await runEchoClient(port, warm);
    await runEchoClient(barePort, warm);
    verifyAll(warm); // JIT warm-up of the verify loop too

    // Interleave the three measurements in rounds so load changes on the machine hit all of them.
    const chunk = Math.ceil(REQUESTS / ROUNDS);
    let verifySeconds = 0;
    let minerSeconds = 0;
    let minerWall = 0;
    let bareSeconds = 0;
    let onCpu = true;
    const statuses: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const part = timed.slice(round * chunk, (round + 1) * chunk);
      const v = await cpuSecondsOf(() => verifyAll(part));
      verifySeconds += v.seconds;
      let result: { ms: number; statuses: Record<string, number> } | undefined;
      const m = await cpuSecondsOf(async () => {
        result = await runEchoClient(port, part);
      });
      minerSeconds += m.seconds;
      minerWall += result!.ms / 1000;
      for (const [code, n] of Object.entries(result!.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
      const b = await cpuSecondsOf(() => runEchoClient(barePort, part));
      bareSeconds += b.seconds;
      onCpu &&= v.onCpu && m.onCpu && b.onCpu;
    }

    const ok = statuses['200'] ?? 0;
    if (ok !== REQUESTS) {
      throw new Error(`expected ${REQUESTS} answers with 200, got ${JSON.stringify(statuses)}`);
    }
    const basis = onCpu ? 'CPU second' : 'wall second';
    const perCore = ok / minerSeconds;
    const wallPerS = ok / minerWall;
    const verifyPerS = REQUESTS / verifySeconds;
    const barePerS = REQUESTS / bareSeconds;
    const ratio = perCore / verifyPerS;
    const us = (perS: number) => (1e6 / perS).toFixed(0);
    const backend = activeSr25519Backend();
    return [
      {
        name: 'miner.signed_requests_per_s',
        value: Math.round(perCore),
        unit: 'req/s/core',
        note: `${ok} btauth/1-signed echo requests over keep-alive HTTP, ${CONCURRENCY} in flight, per ${basis} of the miner thread (${us(perCore)} us per request)`,
      },
      {
        name: 'miner.signed_requests_per_s_wall',
        value: Math.round(wallPerS),
        unit: 'req/s',
        note: 'same requests over wall time (client in a worker thread; on a loaded machine this includes preemption)',
      },
      {
        name: 'miner.verify_only_per_s',
        value: Math.round(verifyPerS),
        unit: 'verify/s',
        note: `pure verifySignature(sr25519, ${backend}) over the same payloads, per ${basis}, interleaved with the HTTP rounds (${us(verifyPerS)} us per verify)`,
      },
      {
        name: 'miner.http_only_per_s',
        value: Math.round(barePerS),
        unit: 'req/s/core',
        note: `the same requests to a bare Fastify route with the same raw-body parser (no auth, no plugin): the HTTP stack alone costs ${us(barePerS)} us per request`,
      },
      {
        name: 'miner.verify_ceiling_ratio',
        value: Math.round(ratio * 1000) / 1000,
        unit: 'ratio',
        note: `miner.signed_requests_per_s (${Math.round(perCore)}) / miner.verify_only_per_s (${Math.round(verifyPerS)}), same run; target >= 0.7. HTTP alone bounds it at ${(barePerS / (barePerS + verifyPerS)).toFixed(2)} here`,
      },
    ];
  } finally {
    await Promise.all([app.close(), bare.close()]);
  }
}
