/**
 * What the miner benches share to measure `subnetkit miner` as a user runs it: a devnet (this
 * process, WebSocket, instant blocks) with a subnet of 4 staked validators holding permits and a
 * fresh miner hotkey registered in a wallet on disk; the real CLI (packages/cli/bin/subnetkit.js)
 * spawned as `subnetkit miner --subnet echo --redis <url> --workers <n>`, which syncs its metagraph
 * cache from that devnet over WebSocket and keeps its replay store in Redis; and a load generator
 * child process (./miner-load-client.mjs, undici Pool with keep-alive and pipelining) fed with
 * btauth/1 requests signed before each timed batch.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, Wallet } from '@subnetkit/chain';
import { type RequestSigner, signRequest } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { Redis } from 'ioredis';
import { fastSigner } from './http-client.js';

export const BENCH_REDIS = process.env.SUBNETKIT_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const CLI = fileURLToPath(new URL('../packages/cli/bin/subnetkit.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('./miner-load-client.mjs', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./miner-bare-server.mjs', import.meta.url));
const NETUID = 1;
const VALIDATOR_URIS = ['//Alice//v', '//Charlie//v', '//Dave//v', '//Eve//v'];

/** A request as the load client sends it. */
export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The devnet subnet the bench's miners serve on. */
export interface BenchSubnet {
  devnet: Devnet;
  netuid: number;
  walletRoot: string;
  minerAddress: string;
  /** The validators' signers (schnorrkel WASM, so signing stays cheap). */
  signers: RequestSigner[];
  /** Deletes the miner's replay keys, the wallet and stops the devnet. */
  stop(): Promise<void>;
}

/** Starts the devnet subnet: 4 validators with stake and permits, a fresh miner hotkey registered. */
export async function startBenchSubnet(): Promise<BenchSubnet> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const validators = VALIDATOR_URIS.map((u) => keyring.addFromUri(u));
  const devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    verifyThreads: 0,
    genesis: {
      subnets: [
        {
          netuid: NETUID,
          owner: 'alice',
          hyperparameters: { tempo: 3, maxAllowedValidators: 4, burn: 1 },
          neurons: VALIDATOR_URIS.map((hotkey, i) => ({ hotkey, coldkey: 'alice', stake: 1000 >> i })),
        },
      ],
    },
  });
  const walletRoot = mkdtempSync(join(tmpdir(), 'bench-miner-'));
  const client = await connect(devnet.url);
  try {
    const wallet = new Wallet({ name: 'bench', hotkey: 'default', path: walletRoot });
    // A fresh hotkey per run: the miner's Redis replay prefix (named after it) is this run's alone.
    const minerAddress = (await wallet.createHotkey({ password: null })).ss58Address;
    await client.burnedRegister(keyring.addFromUri('//Bob'), NETUID, minerAddress);
    devnet.produceBlocks(5); // past an epoch: the staked validators get their permits
    const m = await client.syncMetagraph(NETUID);
    for (const v of validators) {
      const uid = m.hotkeys.indexOf(v.address);
      if (uid < 0 || !m.validatorPermit[uid]) throw new Error(`bench validator ${v.address} has no permit`);
    }
    if (!m.hotkeys.includes(minerAddress)) throw new Error('bench miner hotkey is not registered');
    return {
      devnet,
      netuid: NETUID,
      walletRoot,
      minerAddress,
      signers: validators.map(fastSigner),
      stop: async () => {
        const redis = new Redis(BENCH_REDIS, { maxRetriesPerRequest: 1 });
        try {
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(
              cursor,
              'MATCH',
              `subnetkit:*:${NETUID}:${minerAddress}:*`,
              'COUNT',
              1000,
            );
            if (keys.length) await redis.del(...keys);
            cursor = next;
          } while (cursor !== '0');
        } finally {
          await redis.quit();
        }
        rmSync(walletRoot, { recursive: true, force: true });
        await devnet.stop();
      },
    };
  } catch (err) {
    rmSync(walletRoot, { recursive: true, force: true });
    await devnet.stop();
    throw err;
  } finally {
    await client.close();
  }
}

/** A running `subnetkit miner` process (a single process, or a primary with its workers). */
export interface MinerProcess {
  port: number;
  pid: number;
  /** CPU seconds (user + system) of the process and all its descendants so far, from /proc. */
  cpuSeconds(): number;
  output(): string;
  stop(): Promise<void>;
}

/** The pids of `pid`'s children (Linux /proc), recursively. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) {
      if (task) children.push(Number(task));
    }
  } catch {
    return [];
  }
  children = children.flatMap((c) => [c, ...descendants(c)]);
  return children;
}

/** utime + stime of one process in seconds (Linux /proc; 0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
  } catch {
    return 0;
  }
}

/**
 * Spawns `subnetkit miner --subnet echo` on the bench subnet with `--redis` and `--workers n` (plus
 * `extra` flags, e.g. `--external-port`), resolving once it serves.
 */
export async function spawnMiner(
  subnet: BenchSubnet,
  workers: number,
  extra: string[] = [],
  nodeArgs: string[] = [],
): Promise<MinerProcess> {
  const args = [
    ...nodeArgs,
    CLI,
    'miner',
    '--subnet',
    'echo',
    '--netuid',
    String(subnet.netuid),
    '--wallet',
    'bench',
    '--hotkey',
    'default',
    '--wallet-path',
    subnet.walletRoot,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--external-ip',
    '127.0.0.1',
    '--chain',
    subnet.devnet.url,
    '--redis',
    BENCH_REDIS,
    '--workers',
    String(workers),
    '--data-dir',
    join(subnet.walletRoot, 'data'),
    ...extra,
  ];
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SUBNETKIT_')) env[k] = v;
  const child = spawn(process.execPath, args, {
    env: { ...env, SUBNETKIT_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = workers > 1 ? /serving on port (\d+) with \d+ worker/ : /serving on 127\.0\.0\.1:(\d+)/;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subnetkit miner not ready in 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`subnetkit miner exited ${code}:\n${out}`));
    });
  });
  const pid = child.pid!;
  return {
    port,
    pid,
    cpuSeconds: () => [pid, ...descendants(pid)].reduce((s, p) => s + processCpuSeconds(p), 0),
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** Signs `count` echo requests to `receiver`, round-robin over `signers` (each with a fresh nonce). */
export async function signEchoRequests(
  signers: readonly RequestSigner[],
  receiver: string,
  count: number,
): Promise<LoadRequest[]> {
  const out: LoadRequest[] = [];
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({ a: i % 1000, b: 7, op: 'add' });
    const headers = await signRequest({
      signer: signers[i % signers.length]!,
      method: 'POST',
      target: '/Compute',
      body,
      receiver,
    });
    out.push({ path: '/Compute', headers: { ...headers, 'content-type': 'application/json' }, body });
  }
  return out;
}

/** What one batch of the load client saw. */
export interface LoadResult {
  ms: number;
  statuses: Record<string, number>;
  /** CPU seconds the client process used for the batch (all its threads). */
  cpuSeconds: number;
}

/** The load generator child process. */
export interface LoadClient {
  pid: number;
  /** Sends `requests` to 127.0.0.1:`port`, `connections` keep-alive sockets each `pipelining` deep. */
  run(
    port: number,
    requests: readonly LoadRequest[],
    options: { connections: number; pipelining: number },
  ): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** Forks ./miner-load-client.mjs. */
export async function startLoadClient(): Promise<LoadClient> {
  const child: ChildProcess = fork(CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bench load client exited with code ${code}`)));
  });
  child.removeAllListeners('exit');
  let next = 0;
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  child.on('message', (m: LoadResult & { id: number; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error && m.ms === undefined) p.reject(new Error(`bench load client: ${m.error}`));
    else p.resolve(m);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`bench load client exited with code ${code}`));
    pending.clear();
  });
  return {
    pid: child.pid!,
    run: (port, requests, options) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        child.send({ type: 'run', id, port, requests, ...options });
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send({ type: 'stop' });
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** Throws unless every answer of `r` was a 200, naming what came back. */
export function expectAllOk(r: LoadResult, count: number, what: string): void {
  if ((r.statuses['200'] ?? 0) !== count) {
    throw new Error(`${what}: expected ${count} answers with 200, got ${JSON.stringify(r.statuses)}`);
  }
}

/** A bare Fastify server child process (./miner-bare-server.mjs). */
export interface BareServer {
  port: number;
  pid: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Forks ./miner-bare-server.mjs: `http` (the HTTP stack alone) or `verify` (plus btauth/1 verifyRequest). */
export async function startBareServer(mode: 'http' | 'verify', receiver: string): Promise<BareServer> {
  const child = fork(BARE_SERVER, [], {
    env: { ...process.env, BENCH_MODE: mode, BENCH_RECEIVER: receiver },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bench ${mode} server exited with code ${code}`)));
  });
  child.removeAllListeners('exit');
  const pid = child.pid!;
  return {
    port,
    pid,
    cpuSeconds: () => processCpuSeconds(pid),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send({ type: 'stop' });
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
