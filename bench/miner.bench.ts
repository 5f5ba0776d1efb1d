/**
 * Miner axon throughput: btauth/1-signed requests over real HTTP (keep-alive, 127.0.0.1) to a miner
 * serving the echo subnet in this process, against the pure sr25519 verify ceiling measured in the
 * same run on the same signatures. The client runs in a worker thread (the other core), so the
 * miner's event loop is the thread being measured; requests are signed before the timed loop.
 *
 * Figures:
 * - miner.signed_requests_per_s: answered requests per second per core of the miner thread
 *   (completed / busy seconds of the miner's event loop).
 * - miner.signed_requests_per_s_wall: the same over wall time (what the client saw).
 * - miner.verify_only_per_s: `verifySignature` calls per second over the same payloads (the ceiling).
 * - miner.verify_ceiling_ratio: signed_requests_per_s / verify_only_per_s (target >= 0.7).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { sr25519_sign } from '@polkadot-labs/schnorrkel-wasm';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
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
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import type { Figure } from './harness.js';

const REQUESTS = Number(process.env.MINER_BENCH_REQUESTS ?? 16_000);
const WARMUP = 2_000;
const CONCURRENCY = 64;
const SOCKETS = 16;

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

/**
 * Signs with schnorrkel WASM (about 25x faster than the keyring's JS signer), so preparing tens of
 * thousands of requests stays out of the benchmark's time budget. The secret comes from the pair's
 * PKCS8 export (16-byte header, then the 64-byte secret key).
 */
function fastSigner(pair: KeyringPair): RequestSigner {
  const secret = pair.encodePkcs8().slice(16, 80);
  return { address: pair.address, type: 'sr25519', sign: (m) => sr25519_sign(pair.publicKey, secret, m) };
}

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

/**
 * CPU seconds this thread has used, from /proc (Linux), so "per core" excludes time the thread was
 * preempted by other processes. Undefined where /proc is unavailable (then wall-clock busy time is used).
 */
function threadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100) ticks
  } catch {
    return undefined;
  }
}

/** Verifies every prepared signature; returns calls per CPU second (per wall second without /proc). */
function verifyOnly(requests: Prepared[]): number {
  const cpu0 = threadCpuSeconds();
  const start = performance.now();
  for (const r of requests) {
    if (!verifySignature('sr25519', r.message, r.signature, r.publicKey)) throw new Error('verify failed');
  }
  const wall = (performance.now() - start) / 1000;
  const cpu1 = threadCpuSeconds();
  const seconds = cpu0 !== undefined && cpu1 !== undefined && cpu1 > cpu0 ? cpu1 - cpu0 : wall;
  return requests.length / seconds;
}

/** The client: a worker thread with a keep-alive agent, CONCURRENCY requests in flight. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, requests, concurrency, sockets } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
const statuses = {};
let next = 0;
let done = 0;
const start = performance.now();
function one() {
  if (next >= requests.length) return;
  const r = requests[next++];
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: r.path, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) }, agent }, (res) => {
    res.resume();
    res.on('end', () => {
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      done++;
      if (done === requests.length) {
        agent.destroy();
        parentPort.postMessage({ ms: performance.now() - start, statuses });
      } else one();
    });
  });
  req.on('error', (err) => { parentPort.postMessage({ error: err.message }); });
  req.end(r.body);
}
for (let i = 0; i < concurrency; i++) one();
`;

function runClient(
  port: number,
  requests: Prepared[],
): Promise<{ ms: number; statuses: Record<string, number> }> {
  const wire = requests.map((r) => ({ path: r.path, headers: r.headers, body: r.body }));
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, {
      eval: true,
      workerData: { port, requests: wire, concurrency: CONCURRENCY, sockets: SOCKETS },
    });
    worker.once('message', (m: { ms: number; statuses: Record<string, number>; error?: string }) => {
      void worker.terminate();
      if (m.error) reject(new Error(`bench client: ${m.error}`));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

export default async function minerBench(): Promise<Figure[]> {
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
  try {
    const signers = validators.map(fastSigner);
    const warm = await prepare(signers, miner.address, WARMUP);
    const timed = await prepare(signers, miner.address, REQUESTS);
    await runClient(port, warm);
    verifyOnly(warm); // JIT warm-up of the verify loop too

    const verifyBefore = verifyOnly(timed);
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = threadCpuSeconds();
    const result = await runClient(port, timed);
    const cpu1 = threadCpuSeconds();
    const elu = performance.eventLoopUtilization(elu0);
    const verifyAfter = verifyOnly(timed);

    const ok = result.statuses['200'] ?? 0;
    if (ok !== REQUESTS) {
      throw new Error(`expected ${REQUESTS} answers with 200, got ${JSON.stringify(result.statuses)}`);
    }
    const wallPerS = ok / (result.ms / 1000);
    const cpuSeconds = cpu0 !== undefined && cpu1 !== undefined && cpu1 > cpu0 ? cpu1 - cpu0 : undefined;
    const busySeconds = cpuSeconds ?? elu.active / 1000;
    const basis = cpuSeconds === undefined ? 'busy (event-loop) second' : 'CPU second';
    const perCore = ok / busySeconds;
    const verifyPerS = (verifyBefore + verifyAfter) / 2;
    const ratio = perCore / verifyPerS;
    const backend = activeSr25519Backend();
    return [
      {
        name: 'miner.signed_requests_per_s',
        value: Math.round(perCore),
        unit: 'req/s/core',
        note: `${ok} btauth/1-signed echo requests over keep-alive HTTP, ${CONCURRENCY} in flight; per ${basis} of the miner thread (event loop ${(elu.utilization * 100).toFixed(0)}% busy)`,
      },
      {
        name: 'miner.signed_requests_per_s_wall',
        value: Math.round(wallPerS),
        unit: 'req/s',
        note: 'same run over wall time, client in a worker thread',
      },
      {
        name: 'miner.verify_only_per_s',
        value: Math.round(verifyPerS),
        unit: 'verify/s',
        note: `pure verifySignature(sr25519, ${backend}) over the same ${REQUESTS} payloads per ${basis}, mean of before/after the HTTP run (${Math.round(verifyBefore)} / ${Math.round(verifyAfter)})`,
      },
      {
        name: 'miner.verify_ceiling_ratio',
        value: Math.round(ratio * 1000) / 1000,
        unit: 'ratio',
        note: `miner.signed_requests_per_s (${Math.round(perCore)}) / miner.verify_only_per_s (${Math.round(verifyPerS)}), same run; target >= 0.7`,
      },
    ];
  } finally {
    await app.close();
  }
}
