/** A private redis-server on its own port (never the shared one) that a test may SIGKILL and restart. */
import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { until } from './helpers.js';

/** Options of {@link PrivateRedis}. */
export interface PrivateRedisOptions {
  /**
   * Persist with an append-only file in this directory (`appendfsync always`), so a restart keeps
   * every acknowledged write. Default: no persistence (a restart comes back empty).
   */
  aofDir?: string;
}

export class PrivateRedis {
  proc: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly options: PrivateRedisOptions = {},
  ) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const persistence = this.options.aofDir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.options.aofDir]
      : ['--appendonly', 'no'];
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--save', '', ...persistence, '--bind', '127.0.0.1'],
      { stdio: 'ignore' },
    );
    await until('redis-server to answer', async () => {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        // With AOF, Redis answers LOADING until the file is read back.
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    });
  }
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}
