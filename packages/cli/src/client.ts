/**
 * The CLI's chain connection: connect, run, always close; and the CLI's output stays the CLI's, so
 * the console lines @polkadot/api prints on its own (`RPC-CORE: submitAndWatchExtrinsic ... 1010 ...`,
 * `API/INIT: ...`) are held back. The CLI reports the same failure once, with the cause and the fix.
 */
import { type SubtensorClient, connect } from '@subnetkit/chain';
import { redactText } from '@subnetkit/metrics';
import { logLevel } from './logger.js';

// @polkadot/util's logger prints `console.x(<YYYY-MM-DD HH:MM:SS>, '<padded ORIGIN>:', ...values)`.
const POLKADOT_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const POLKADOT_ORIGIN = /^\s*[A-Z0-9][A-Z0-9/_-]*:$/;

/** True for a console call made by @polkadot/util's logger. */
export function isPolkadotLogLine(args: readonly unknown[]): boolean {
  const [date, origin] = args;
  return (
    typeof date === 'string' &&
    typeof origin === 'string' &&
    POLKADOT_DATE.test(date) &&
    POLKADOT_ORIGIN.test(origin)
  );
}

let installed = false;

/**
 * Routes @polkadot's own console lines away from the CLI's output: dropped, or written to stderr
 * as `subnetkit: [ORIGIN] ...` (secrets redacted) when --log-level (or SUBNETKIT_LOG_LEVEL) is debug or trace. Every other console call
 * passes through untouched. Idempotent.
 */
export function routeLibraryConsole(): void {
  if (installed) return;
  installed = true;
  for (const method of ['log', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      if (!isPolkadotLogLine(args)) {
        original(...args);
        return;
      }
      const level = logLevel();
      if (level === 'debug' || level === 'trace') {
        const [, origin, ...rest] = args;
        process.stderr.write(
          redactText(
            `subnetkit: [${String(origin).trim().replace(/:$/, '')}] ${rest.map(String).join(' ')}\n`,
          ),
        );
      }
    };
  }
}

/** Connects, runs `fn`, and always closes the connection. */
export async function withClient<T>(chain: string, fn: (c: SubtensorClient) => Promise<T>): Promise<T> {
  routeLibraryConsole();
  const client = await connect(chain);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
