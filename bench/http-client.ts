/**
 * The HTTP load client of the miner benches: a worker thread (the other core, so the miner's event
 * loop is the thread measured) with a keep-alive agent keeping `concurrency` requests in flight, and
 * the fast sr25519 signer used to prepare signed requests before the timed loop.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { sr25519_sign } from '@polkadot-labs/schnorrkel-wasm';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { RequestSigner } from '@subnetkit/core';

/** One request to send: its body is `bodies[body]` (bodies are shared so large ones cross to the worker once). */
export interface WireRequest {
  path: string;
  headers: Record<string, string>;
  body: number;
}

/** What the client saw: wall time of the whole run, the answers by HTTP status, request latency. */
export interface ClientResult {
  ms: number;
  statuses: Record<string, number>;
  /** Median and 99th percentile of request latency (send to end of answer), ms. */
  p50Ms: number;
  p99Ms: number;
}

/**
 * Signs with schnorrkel WASM (about 25x faster than the keyring's JS signer), so preparing tens of
 * thousands of requests stays out of the benchmark's time budget. The secret comes from the pair's
 * PKCS8 export (16-byte header, then the 64-byte secret key).
 */
export function fastSigner(pair: KeyringPair): RequestSigner {
  const secret = pair.encodePkcs8().slice(16, 80);
  return { address: pair.address, type: 'sr25519', sign: (m) => sr25519_sign(pair.publicKey, secret, m) };
}

const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, requests, bodies, concurrency, sockets } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
const statuses = {};
const latencies = [];
let next = 0;
let done = 0;
const start = performance.now();
function one() {
  if (next >= requests.length) return;
  const r = requests[next++];
  const body = bodies[r.body];
  const sent = performance.now();
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: r.path, headers: { ...r.headers, 'content-length': Buffer.byteLength(body) }, agent }, (res) => {
    res.resume();
    res.on('end', () => {
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      latencies.push(performance.now() - sent);
      done++;
      if (done === requests.length) {
        agent.destroy();
        latencies.sort((a, b) => a - b);
        const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
        parentPort.postMessage({ ms: performance.now() - start, statuses, p50Ms: at(0.5), p99Ms: at(0.99) });
      } else one();
    });
  });
  req.on('error', (err) => { parentPort.postMessage({ error: err.message }); });
  req.end(body);
}
for (let i = 0; i < concurrency; i++) one();
`;

/** Sends every request to 127.0.0.1:`port`, `concurrency` in flight over at most `sockets` connections. */
export function runClient(
  port: number,
  requests: readonly WireRequest[],
  bodies: readonly string[],
  options: { concurrency: number; sockets: number },
): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, {
      eval: true,
      workerData: { port, requests, bodies, ...options },
    });
    worker.once('message', (m: ClientResult & { error?: string }) => {
      void worker.terminate();
      if (m.error) reject(new Error(`bench client: ${m.error}`));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

/**
 * CPU seconds this thread has used, from /proc (Linux), so "per core" excludes time the thread was
 * preempted by other processes. Undefined where /proc is unavailable (then wall-clock busy time is used).
 */
export function threadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100) ticks
  } catch {
    return undefined;
  }
}
