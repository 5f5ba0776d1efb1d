import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A Redis the local subnet can use, and how to let go of it. */
export interface LocalRedis {
  url: string;
  /** True when localnet started its own redis-server (stopped again by `stop`). */
  private: boolean;
  stop(): Promise<void>;
}

/** Does a Redis server answer PING at `url` within `timeoutMs`? */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Use the Redis at `url` if it answers; otherwise start a private, memory-only redis-server on a
 * free loopback port (when one is installed), so `subnetkit localnet` works on embedded defaults.
 */
export async function ensureRedis(url: string, log: (msg: string) => void): Promise<LocalRedis> {
  if (await redisAnswers(url)) return { url, private: false, stop: async () => {} };
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
  } catch (err) {
    throw new Error(
      `no Redis answers at ${url} and redis-server could not be started (${(err as Error).message}); install Redis or pass --redis <url>`,
    );
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
    ]);
    if (failed) {
      throw new Error(
        `no Redis answers at ${url} and redis-server could not be started (${failed.message}); install Redis (apt-get install redis-server) or pass --redis <url>`,
      );
    }
    if (await redisAnswers(privateUrl, 500)) {
      log(`no Redis at ${url}; started a private memory-only redis-server at ${privateUrl}`);
      return {
        url: privateUrl,
        private: true,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
  }
  child.kill('SIGKILL');
  throw new Error(
    `no Redis answers at ${url}, and a private redis-server on port ${port} did not answer within 5 s`,
  );
}
