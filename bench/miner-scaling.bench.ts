/**
 * `subnetkit miner --workers <n>` scaling: btauth/1-signed echo requests over real HTTP (keep-alive,
 * 127.0.0.1) to a pool of 1 and a pool of 2 axon worker processes (node:cluster, sharing their port
 * and one Redis replay store, ./miner-scaling-worker.mjs), in wall-clock requests per second.
 *
 * Figure: miner.scaling_2_cores = requests/s with 2 workers / requests/s with 1 worker (target >= 1.6).
 * The load generator is a worker thread of this process (requests signed before the timed loop), so on
 * a 2-core machine it shares the cores with the axon workers; pools alternate over rounds, the figure
 * is the ratio of the summed requests over the summed wall time.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { signRequest } from '@subnetkit/core';
import { Redis } from 'ioredis';
import type { Figure } from './harness.js';
import { fastSigner, runClient } from './http-client.js';

const REDIS_URL = process.env.SUBNETKIT_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const REQUESTS = Number(process.env.MINER_SCALING_REQUESTS ?? 6_000);
const ROUNDS = 6;
const CONCURRENCY = 64;
const SOCKETS = 16;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a pool's processes have used, from /proc (Linux); 0 elsewhere. */
function poolCpuSeconds(p: Pool): number {
  let ticks = 0;
  for (const w of p.workers) {
    try {
      const stat = readFileSync(`/proc/${w.process.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  }
  return ticks / 100; // USER_HZ
}

interface Pool {
  port: number;
  workers: Worker[];
}

async function startPool(n: number, env: Record<string, string>): Promise<Pool> {
  const port = await freePort();
  const workers: Worker[] = [];
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = cluster.fork({ ...env, BENCH_PORT: String(port) });
          workers.push(w);
          w.once('message', () => resolve());
          w.once('exit', (code) => reject(new Error(`bench axon worker exited with code ${code}`)));
        }),
    ),
  );
  return { port, workers };
}

async function stopPool(p: Pool): Promise<void> {
  await Promise.all(
    p.workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          w.removeAllListeners('exit');
          w.once('exit', () => resolve());
          w.send({ type: 'stop' });
          setTimeout(() => w.process.kill('SIGKILL'), 5_000).unref();
        }),
    ),
  );
}

export default async function minerScaling(): Promise<Figure[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const miner = keyring.addFromUri('//Bob');
  const validators = ['//Alice', '//Charlie', '//Dave', '//Eve'].map((u) => keyring.addFromUri(u));
  const signers = validators.map(fastSigner);
  const prefix = `bench:miner-scaling:${randomUUID()}:`;
  cluster.setupPrimary({
    exec: fileURLToPath(new URL('./miner-scaling-worker.mjs', import.meta.url)),
    silent: false,
  });
  const env = {
    BENCH_REDIS: REDIS_URL,
    BENCH_PREFIX: prefix,
    BENCH_VALIDATORS: JSON.stringify(validators.map((v) => v.address)),
  };
  const pools = [await startPool(1, env), await startPool(2, env)];
  const redis = new Redis(REDIS_URL);
  try {
    const sign = async (count: number) => {
      const reqs = [];
      const bodies = [];
      for (let i = 0; i < count; i++) {
        const body = JSON.stringify({ a: i % 1000, b: 7, op: 'add' });
        const headers = await signRequest({
          signer: signers[i % signers.length]!,
          method: 'POST',
          target: '/Compute',
          body,
          receiver: miner.address,
        });
        reqs.push({ path: '/Compute', headers: { ...headers, 'content-type': 'application/json' }, body: i });
        bodies.push(body);
      }
      return { reqs, bodies };
    };
    // Warm both pools (JIT, connections, Redis).
    for (const p of pools) {
      const w = await sign(1_000);
      await runClient(p.port, w.reqs, w.bodies, { concurrency: CONCURRENCY, sockets: SOCKETS });
    }
    const chunk = Math.ceil(REQUESTS / ROUNDS);
    const wall = [0, 0];
    const ok = [0, 0];
    const cpu = [0, 0];
    const load0 = loadavg()[0]!;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const batch = await sign(chunk);
        const cpu0 = poolCpuSeconds(pools[i]!);
        const r = await runClient(pools[i]!.port, batch.reqs, batch.bodies, {
          concurrency: CONCURRENCY,
          sockets: SOCKETS,
        });
        if ((r.statuses['200'] ?? 0) !== chunk) {
          throw new Error(`expected ${chunk} answers with 200, got ${JSON.stringify(r.statuses)}`);
        }
        wall[i]! += r.ms / 1000;
        cpu[i]! += poolCpuSeconds(pools[i]!) - cpu0;
        ok[i]! += chunk;
      }
    }
    const one = ok[0]! / wall[0]!;
    const two = ok[1]! / wall[1]!;
    const ratio = two / one;
    const load1 = loadavg()[0]!;
    const us = (i: number) => (cpu[i]! > 0 ? `${Math.round((cpu[i]! / ok[i]!) * 1e6)} us` : 'n/a');
    return [
      {
        name: 'miner.scaling_2_cores',
        value: Number(ratio.toFixed(2)),
        unit: 'ratio',
        note: `wall-clock requests/s of 2 axon worker processes (${Math.round(two)}/s) over 1 (${Math.round(one)}/s), same run: echo subnet, btauth/1-signed requests (4 validators, signed before the timed loop), Redis replay store at ${REDIS_URL}, 64 in flight over 16 keep-alive sockets, ${ROUNDS} alternating rounds of ${chunk} requests per pool; the load generator is a worker thread of the bench process on the same ${availableParallelism()} cores; load average ${load0.toFixed(1)} -> ${load1.toFixed(1)}. CPU per request (sum over the pool's processes): 1 worker ${us(0)}, 2 workers ${us(1)}; 2 workers used ${(cpu[1]! / wall[1]!).toFixed(2)} cores of wall time, 1 worker ${(cpu[0]! / wall[0]!).toFixed(2)}. Target >= 1.6`,
      },
    ];
  } finally {
    await Promise.all(pools.map(stopPool));
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  }
}
