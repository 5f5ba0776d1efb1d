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
