/** Small helpers shared by the end-to-end tests. */
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (for servers that cannot listen on 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Poll `fn` until it returns a truthy value and return it; errors thrown by `fn` count as "not
 * yet". After `timeoutMs` it fails naming `what` and the last error seen.
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false | null>,
  timeoutMs = 60_000,
  pollMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Genesis of subnet `netuid` (tempo 5, weights every block) whose one neuron is the staked validator `//Alice//validator`. */
export function oneValidatorGenesis(netuid: number) {
  return {
    subnets: [
      {
        netuid,
        owner: 'alice',
        hyperparameters: { tempo: 5, weightsRateLimit: 1, maxAllowedValidators: 8, burn: 1 },
        neurons: [{ hotkey: '//Alice//validator', coldkey: 'alice', stake: 1000 }],
      },
    ],
  };
}

/** startValidator timings for e2e tests: rounds every 500 ms, quick weight checks and retries, one miner per job. */
export const FAST_VALIDATOR = {
  emaAlpha: 0.3,
  roundIntervalMs: 500,
  weightsCheckIntervalMs: 400,
  weightsBackoffMs: 200,
  weightsAttempts: 30,
  batchSize: 1,
  resyncBlocks: 5,
} as const;
