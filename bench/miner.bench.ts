/**
 * Miner axon throughput as production runs it (issue 16): `subnetkit miner --subnet echo --redis <url>
 * --workers 1` spawned from the real CLI (./miner-production.ts), its metagraph cache synced over
 * WebSocket from a devnet in this process where 4 staked validators hold permits and the miner's
 * hotkey is registered, its btauth/1 replay store in Redis. A load generator child process (undici
 * Pool, keep-alive, pipelining) sends echo requests signed right before each timed batch. Two bare
 * Fastify child processes with the same raw-body parser are measured in the same rounds: one that
 * only answers (the HTTP stack), one that also runs core's full btauth/1 verifyRequest (the least a
 * signed-request server does), and the pure sr25519 verify loop runs on this thread over the same
 * payloads. Everything is in wall-clock seconds, interleaved in rounds so load changes hit all four.
 *
 * Figures:
 * - miner.signed_requests_per_s: answered requests per wall-clock second (the headline).
 * - miner.signed_requests_per_s_wall: the same number (the name predates the wall-clock headline).
 * - miner.signed_requests_per_cpu_s: the same requests per CPU second of the miner process (all threads).
 * - miner.verify_only_per_s: `verifySignature` calls per wall-clock second over the same payloads.
 * - miner.http_only_per_s: the same requests to the bare Fastify route.
 * - miner.fastify_verify_per_s: the same requests to bare Fastify + verifyRequest (the bound).
 * - miner.verify_ceiling_ratio: signed_requests_per_s / verify_only_per_s (goal >= 0.7), the bound
 *   fastify_verify_per_s / verify_only_per_s in its note.
 * - miner.vision_http_speedup_64 (and _single): a vision miner's signed HTTP requests/s at 64
 *   callers with the default micro-batching over batching off (./vision-http.ts).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  activeSr25519Backend,
  bodySha256Hex,
  buildBtAuthPayload,
  decodeHexExact,
  decodeSs58PublicKey,
  verifySignature,
} from '@subnetkit/core';
import type { Figure } from './harness.js';
import { threadCpuSeconds } from './http-client.js';
import {
  BENCH_REDIS,
  expectAllOk,
  type LoadRequest,
  signEchoRequests,
  spawnMiner,
  startBareServer,
  startBenchSubnet,
  startLoadClient,
} from './miner-production.js';
import { visionHttpSpeedup } from './vision-http.js';

const CHUNK = Number(process.env.MINER_BENCH_CHUNK ?? 1_500);
const ROUNDS = 4;
const WARMUP = 1_500;
/** 16 keep-alive connections, 4 requests pipelined on each: 64 in flight. */
const LOAD = { connections: 16, pipelining: 4 };

const encoder = new TextEncoder();

/** Exactly what the miner's verifier is called with, rebuilt from the signed headers. */
function verifyInputs(requests: readonly LoadRequest[], receiver: string) {
  return requests.map((r) => ({
    message: encoder.encode(
      buildBtAuthPayload({
        scheme: 'sr25519',
        method: 'POST',
        target: r.path,
        bodySha256Hex: bodySha256Hex(r.body),
        nonce: r.headers['X-Bittensor-Nonce']!,
        sender: r.headers['X-Bittensor-Hotkey']!,
        receiver,
      }),
    ),
    signature: decodeHexExact(r.headers['X-Bittensor-Signature']!, 64)!,
    publicKey: decodeSs58PublicKey(r.headers['X-Bittensor-Hotkey']!)!,
  }));
}

/**
 * Seconds of verifying every input, as the miner's verifier is called: CPU seconds of this thread
 * (from /proc, so time other processes took the core away does not lower the ceiling; on a quiet
 * core that equals wall time), wall seconds where /proc is unavailable.
 */
function verifyAll(inputs: ReturnType<typeof verifyInputs>): number {
  const cpu0 = threadCpuSeconds();
  const start = performance.now();
  for (const v of inputs) {
    if (!verifySignature('sr25519', v.message, v.signature, v.publicKey)) throw new Error('verify failed');
  }
  const wall = (performance.now() - start) / 1000;
  const cpu1 = threadCpuSeconds();
  return cpu0 !== undefined && cpu1 !== undefined && cpu1 > cpu0 ? cpu1 - cpu0 : wall;
}

export default async function minerBench(): Promise<Figure[]> {
  return [...(await echoBench()), ...(await visionHttpSpeedup())];
}

export async function echoBench(): Promise<Figure[]> {
  const load0 = loadavg();
  const subnet = await startBenchSubnet();
  const receiver = subnet.minerAddress;
  const servers: { stop(): Promise<void> }[] = [];
  try {
    const miner = await spawnMiner(subnet, 1);
    servers.push(miner);
    const bare = await startBareServer('http', receiver);
    servers.push(bare);
    const fv = await startBareServer('verify', receiver);
    servers.push(fv);
    const client = await startLoadClient();
    servers.push(client);
    const targets = [
      { name: 'miner', port: miner.port, cpu: () => miner.cpuSeconds() },
      { name: 'http', port: bare.port, cpu: () => bare.cpuSeconds() },
      { name: 'fastify+verify', port: fv.port, cpu: () => fv.cpuSeconds() },
    ];
    // Warm-up (JIT, connections, Redis, the verify loop); each batch is signed just before it is sent,
    // so it is well inside the miner's 10 s freshness window.
    for (const t of targets) {
      const warm = await signEchoRequests(subnet.signers, receiver, WARMUP);
      expectAllOk(await client.run(t.port, warm, LOAD), WARMUP, `warm-up of ${t.name}`);
    }
    verifyAll(verifyInputs(await signEchoRequests(subnet.signers, receiver, WARMUP), receiver));

    const wall = [0, 0, 0];
    const cpu = [0, 0, 0];
    const clientCpu = [0, 0, 0];
    let verifySeconds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so no target always runs right after the same one.
      for (let k = 0; k < targets.length; k++) {
        const i = (k + round) % targets.length;
        const t = targets[i]!;
        const batch = await signEchoRequests(subnet.signers, receiver, CHUNK);
        if (i === 0) verifySeconds += verifyAll(verifyInputs(batch, receiver));
        const cpu0 = t.cpu();
        const r = await client.run(t.port, batch, LOAD);
        cpu[i]! += t.cpu() - cpu0;
        expectAllOk(r, CHUNK, t.name);
        wall[i]! += r.ms / 1000;
        clientCpu[i]! += r.cpuSeconds;
      }
    }
    const load1 = loadavg();
    const n = CHUNK * ROUNDS;
    const [minerPerS, httpPerS, fvPerS] = wall.map((w) => n / w) as [number, number, number];
    const minerPerCpuS = n / cpu[0]!;
    const verifyPerS = n / verifySeconds;
    const ratio = minerPerS / verifyPerS;
    const bound = fvPerS / verifyPerS;
    const us = (perS: number) => (1e6 / perS).toFixed(0);
    const cpuUs = (i: number) => ((cpu[i]! / n) * 1e6).toFixed(0);
    const clientUs = (i: number) => ((clientCpu[i]! / n) * 1e6).toFixed(0);
    const backend = activeSr25519Backend();
    const setting = `2 cores; load average ${load0[0]!.toFixed(2)} -> ${load1[0]!.toFixed(2)}`;
    const what = `${n} btauth/1-signed echo requests (4 validators, signed before each timed batch of ${CHUNK}), ${LOAD.connections} keep-alive connections x ${LOAD.pipelining} pipelined = ${LOAD.connections * LOAD.pipelining} in flight from a load client child process (undici Pool)`;
    return [
      {
        name: 'miner.signed_requests_per_s',
        value: Math.round(minerPerS),
        unit: 'req/s',
        note: `requests per wall-clock second answered 200 by \`subnetkit miner --subnet echo --redis ${BENCH_REDIS} --workers 1\` (the CLI in a child process: Redis replay store, metagraph cache synced over WebSocket from a devnet where the callers are validators with permits); ${what}; ${ROUNDS} rounds interleaved with the bare servers and the verify loop; the miner process used ${cpuUs(0)} us of CPU per request, the client ${clientUs(0)} us; ${setting}`,
      },
      {
        name: 'miner.signed_requests_per_s_wall',
        value: Math.round(minerPerS),
        unit: 'req/s',
        note: 'same as miner.signed_requests_per_s (requests per wall-clock second, which is now the headline too)',
      },
      {
        name: 'miner.signed_requests_per_cpu_s',
        value: Math.round(minerPerCpuS),
        unit: 'req/s/core',
        note: `the same requests per CPU second of the miner process (user + system of all its threads, from /proc): ${cpuUs(0)} us per request; ${setting}`,
      },
      {
        name: 'miner.verify_only_per_s',
        value: Math.round(verifyPerS),
        unit: 'verify/s',
        note: `pure verifySignature(sr25519, ${backend}) over the miner's payloads on one thread of the bench process, per CPU second of that thread (the ceiling, not lowered by preemption; equal to wall time on a quiet core), interleaved with the HTTP rounds (${us(verifyPerS)} us per verify); ${setting}`,
      },
      {
        name: 'miner.http_only_per_s',
        value: Math.round(httpPerS),
        unit: 'req/s',
        note: `the same requests to a bare Fastify route (child process, the axon's raw-body parser, no auth, no plugin), per wall-clock second: ${us(httpPerS)} us per request (${cpuUs(1)} us of server CPU, ${clientUs(1)} us of client CPU); ${setting}`,
      },
      {
        name: 'miner.fastify_verify_per_s',
        value: Math.round(fvPerS),
        unit: 'req/s',
        note: `the same requests to bare Fastify + core's btauth/1 verifyRequest (in-memory replay store, constant answer; child process), per wall-clock second: ${us(fvPerS)} us per request (${cpuUs(2)} us of server CPU); the most a one-process signed-request server reaches here, so ${bound.toFixed(2)} x verify_only bounds miner.verify_ceiling_ratio; ${setting}`,
      },
      {
        name: 'miner.verify_ceiling_ratio',
        value: Math.round(ratio * 1000) / 1000,
        unit: 'ratio',
        note: `miner.signed_requests_per_s (${Math.round(minerPerS)}) / miner.verify_only_per_s (${Math.round(verifyPerS)}), same run (requests per wall-clock second over verifies per CPU second of a thread; equal bases on a quiet machine); goal >= 0.7. Measured bound: bare Fastify + verify reaches ${bound.toFixed(2)} (miner.fastify_verify_per_s ${Math.round(fvPerS)}/s), HTTP alone ${(httpPerS / (httpPerS + verifyPerS)).toFixed(2)} when its cost adds to a verify; per CPU second of the miner process the ratio is ${(minerPerCpuS / verifyPerS).toFixed(2)}; ${setting}`,
      },
    ];
  } finally {
    for (const s of servers.reverse()) await s.stop().catch(() => {});
    await subnet.stop();
  }
}
