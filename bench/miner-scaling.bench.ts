/**
 * `subnetkit miner --workers <n>` scaling (issue 16), as a user runs it: the real CLI spawned twice
 * (./miner-production.ts) as `subnetkit miner --subnet echo --redis <url> --workers 1` and
 * `--workers 2` (a node:cluster primary forking 2 axon processes that share its port and the Redis
 * replay store), both serving the same registered hotkey of a devnet subnet (metagraph cache over
 * WebSocket; the second announces the first one's port, so it does not serve_axon again). A load
 * generator child process (undici Pool, keep-alive, pipelining) sends btauth/1-signed echo requests,
 * signed right before each timed batch, to each in alternating rounds.
 *
 * Figure: miner.scaling_2_cores = requests per wall-clock second with 2 workers / with 1 worker
 * (target >= 1.6). On a 2-core machine the load client's own CPU shares the cores with the workers,
 * so the note gives the bound that follows from the measured CPU per request: one worker can use a
 * whole core (T1 = 1 / w1), two workers get what the client leaves of two cores
 * (T2 = 2 / (w2 + c)), so the ratio cannot exceed 2 w1 / (w2 + c).
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Figure } from './harness.js';
import {
  BENCH_REDIS,
  expectAllOk,
  type MinerProcess,
  signEchoRequests,
  spawnMiner,
  startBenchSubnet,
  startLoadClient,
} from './miner-production.js';

const CHUNK = Number(process.env.MINER_SCALING_CHUNK ?? 1_500);
const ROUNDS = 6;
const WARMUP = 1_500;
/** 16 keep-alive connections, 4 requests pipelined on each: 64 in flight. */
const LOAD = { connections: 16, pipelining: 4 };

export default async function minerScaling(): Promise<Figure[]> {
  const load0 = loadavg()[0]!;
  const subnet = await startBenchSubnet();
  const pools: MinerProcess[] = [];
  const client = await startLoadClient();
  try {
    pools.push(await spawnMiner(subnet, 1));
    pools.push(await spawnMiner(subnet, 2, ['--external-port', String(pools[0]!.port)]));
    const receiver = subnet.minerAddress;
    for (const p of pools) {
      // Twice: the 2-worker pool's connections land on both workers, each needs its JIT warm.
      for (let i = 0; i < 2; i++) {
        const warm = await signEchoRequests(subnet.signers, receiver, WARMUP);
        expectAllOk(await client.run(p.port, warm, LOAD), WARMUP, 'warm-up');
      }
    }
    const wall = [0, 0];
    const cpu = [0, 0];
    const clientCpu = [0, 0];
    for (let round = 0; round < ROUNDS; round++) {
      for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const p = pools[i]!;
        const batch = await signEchoRequests(subnet.signers, receiver, CHUNK);
        const cpu0 = p.cpuSeconds();
        const r = await client.run(p.port, batch, LOAD);
        cpu[i]! += p.cpuSeconds() - cpu0;
        expectAllOk(r, CHUNK, `--workers ${i + 1}`);
        wall[i]! += r.ms / 1000;
        clientCpu[i]! += r.cpuSeconds;
      }
    }
    const load1 = loadavg()[0]!;
    const n = CHUNK * ROUNDS;
    const one = n / wall[0]!;
    const two = n / wall[1]!;
    const ratio = two / one;
    const w1 = cpu[0]! / n;
    const w2 = cpu[1]! / n;
    const c = clientCpu[1]! / n;
    const bound = (2 * w1) / (w2 + c);
    const us = (s: number) => `${Math.round(s * 1e6)} us`;
    return [
      {
        name: 'miner.scaling_2_cores',
        value: Number(ratio.toFixed(2)),
        unit: 'ratio',
        note: `requests per wall-clock second of \`subnetkit miner --subnet echo --redis ${BENCH_REDIS} --workers 2\` (${Math.round(two)}/s; primary + 2 axon processes, node:cluster) over \`--workers 1\` (${Math.round(one)}/s; one process), same run: btauth/1-signed echo requests (4 validators with permits on a devnet, metagraph cache over WebSocket), ${LOAD.connections} keep-alive connections x ${LOAD.pipelining} pipelined from a load client child process (undici), ${ROUNDS} alternating rounds of ${CHUNK} per pool; ${availableParallelism()} cores; load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}. CPU per request (from /proc): 1 worker ${us(w1)}, 2 workers ${us(w2)} (sum over the primary and its workers), load client ${us(c)}; the pools used ${(cpu[0]! / wall[0]!).toFixed(2)} and ${(cpu[1]! / wall[1]!).toFixed(2)} cores of wall time, the client ${(clientCpu[1]! / wall[1]!).toFixed(2)} beside the 2 workers. Bound on this machine from those costs: 2 x ${us(w1)} / (${us(w2)} + ${us(c)}) = ${bound.toFixed(2)}. Target >= 1.6`,
      },
    ];
  } finally {
    await client.stop();
    for (const p of pools.reverse()) await p.stop().catch(() => {});
    await subnet.stop();
  }
}
