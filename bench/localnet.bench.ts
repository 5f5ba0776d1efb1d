/**
 * A full local subnet: `subnetkit localnet --miners 255` (the devnet, a staked validator and 255 echo
 * miners in one process; 256 uids, MaxAllowedUids) started as the CLI starts it. Measures the time
 * from spawning the process until every miner serves its axon and the validator runs (the command
 * prints its metrics targets then), and the process's peak resident memory from start until its
 * weights over all 256 uids are on chain (sampled from /proc every 250 ms). Redis is the shared one
 * on 127.0.0.1:6379 (or REDIS_URL), under a fresh key prefix the command removes; it is not counted.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { Figure } from './harness.js';

const CLI = resolve(import.meta.dirname, '../packages/cli/bin/subnetkit.js');
const MINERS = 255;
/** Give up after this long (the figures of a full subnet on 2 shared cores take minutes). */
const TIMEOUT_MS = 15 * 60_000;

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return 0;
  }
}

export default async function (): Promise<Figure[]> {
  const load = loadavg()[0]!.toFixed(1);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'localnet',
      '--miners',
      String(MINERS),
      '--port',
      '0',
      '--rounds',
      '2',
      '--timeout',
      String(TIMEOUT_MS / 1000),
      '--redis',
      process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SUBNETKIT_LOG_LEVEL: 'warn' } },
  );
  let out = '';
  let startMs: number | undefined;
  let rssAtStart = 0;
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(child.pid!));
  }, 250);
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (startMs === undefined && out.includes('metrics (Prometheus):')) {
      startMs = performance.now() - started;
      rssAtStart = rssMb(child.pid!);
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS + 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(timer);
  clearInterval(sampler);
  const totalS = (performance.now() - started) / 1000;
  if (code !== 0 || startMs === undefined)
    throw new Error(`subnetkit localnet --miners ${MINERS} exited ${code}:\n${out.slice(-3000)}`);
  if (!out.includes('weights rank the miners:'))
    throw new Error(`subnetkit localnet --miners ${MINERS} reported no weights:\n${out.slice(-3000)}`);
  return [
    {
      name: 'localnet.start_s_256',
      value: Number((startMs / 1000).toFixed(1)),
      unit: 's',
      note: `subnetkit localnet --miners ${MINERS} --port 0: spawn to every axon serving and the validator running (devnet genesis, ${MINERS} burned_register, ${MINERS} serve_axon at 250 ms blocks); validator's weights after 2 rounds on chain ${totalS.toFixed(0)} s after spawn; load average ${load}`,
    },
    {
      name: 'localnet.memory_mb_256',
      value: Math.round(peak),
      unit: 'MB',
      note: `peak RSS of the one localnet process (devnet + validator + ${MINERS} miners, each with its own WebSocket chain client) from spawn until weights on chain; ${rssAtStart.toFixed(0)} MB when start-up finished; Redis not counted`,
    },
  ];
}
