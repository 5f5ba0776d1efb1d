/**
 * A private three-master Redis Cluster on loopback (never the shared Redis): `redis-server
 * --cluster-enabled yes` on three free ports, joined with `redis-cli --cluster create`. Every master
 * persists to an append-only file (`appendfsync always`), so a restarted master keeps every
 * acknowledged write. `stop()` kills the servers and removes their directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from './helpers.js';

const run = promisify(execFile);

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free as well. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair (p, p + 10000) for a Redis Cluster node on 127.0.0.1');
}

/** `redis-cli -p <port> <args>` with a 5 s bound (a probe must never hang the test). */
async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 5_000,
  });
  return stdout;
}

async function clusterInfo(port: number): Promise<string> {
  try {
    const out = await cli(port, 'CLUSTER', 'INFO');
    return out.includes('cluster_state') ? out : '';
  } catch {
    return '';
  }
}

export class RedisCluster {
  readonly ports: number[] = [];
  private readonly procs = new Map<number, ChildProcess>();
  private dir = '';

  /** Seeds as a `redis+cluster://` URL. */
  get url(): string {
    return `redis+cluster://${this.ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
  }

  /** Seeds as comma-separated `redis://` URLs (the other accepted form). */
  get seedUrls(): string {
    return this.ports.map((p) => `redis://127.0.0.1:${p}`).join(',');
  }

  async start(masters = 3): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'subnetkit-cluster-'));
    const taken = new Set<number>();
    for (let i = 0; i < masters; i++) this.ports.push(await freeClusterPort(taken));
    await Promise.all(this.ports.map((p) => this.startNode(p)));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await this.untilOk();
  }

  private async startNode(port: number): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--appendfilename',
        `appendonly-${port}.aof`,
        '--appenddirname',
        `aof-${port}`,
        '--dbfilename',
        `dump-${port}.rdb`,
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    this.procs.set(port, proc);
    await until(`redis-server :${port} to answer`, async () => (await clusterInfo(port)) !== '');
  }

  /** Until every node reports `cluster_state:ok`. */
  async untilOk(timeoutMs = 30_000): Promise<void> {
    await until(
      'the Redis Cluster to report cluster_state:ok on every node',
      async () => {
        const infos = await Promise.all(this.ports.map(clusterInfo));
        return infos.every((i) => i.includes('cluster_state:ok'));
      },
      timeoutMs,
    );
  }

  /** The port of the master serving `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const port = this.ports[0] as number;
    const slot = Number((await cli(port, 'CLUSTER', 'KEYSLOT', key)).trim());
    // CLUSTER NODES lines: "<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges…>".
    for (const line of (await cli(port, 'CLUSTER', 'NODES')).split('\n')) {
      const f = line.trim().split(' ');
      if (!f[2]?.includes('master')) continue;
      for (const range of f.slice(8)) {
        const [from, to = from] = range.split('-').map(Number);
        if (from !== undefined && to !== undefined && slot >= from && slot <= to) {
          return Number(f[1]?.split('@')[0]?.split(':')[1]);
        }
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** SIGKILL one master and start it again on the same port, files and cluster identity. */
  async restart(port: number): Promise<void> {
    const p = this.procs.get(port);
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
    }
    await this.startNode(port);
    await this.untilOk();
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.procs.values()].map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        await exited;
      }),
    );
    this.procs.clear();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
