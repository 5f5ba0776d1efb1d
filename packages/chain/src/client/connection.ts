/**
 * Connecting to a node: WebSocket with exponential reconnect backoff, request timeouts, and errors that name
 * the URL and the reason.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '@subnetkit/core';
import { ChainError } from './errors.js';
import { resolveChainUrl } from './networks.js';
import { declareMetadataExtensions } from './runtime-shape.js';

/** Connection tuning. */
export interface ConnectionOptions {
  /** Fail a JSON-RPC request after this long. Default 30 s. */
  requestTimeoutMs?: number;
  /** Give up the initial connection (all retries) after this long. Default 15 s. */
  connectTimeoutMs?: number;
  /** First reconnect delay, doubled per failed attempt up to `maxReconnectDelayMs`. Default 250 ms. */
  reconnectDelayMs?: number;
  /** Upper bound of the reconnect delay. Default 10 s. */
  maxReconnectDelayMs?: number;
}

/** An open connection: the ApiPromise, its provider and the resolved URL. */
export interface Connection {
  url: string;
  api: ApiPromise;
  provider: WsProvider;
  /** Sends a raw JSON-RPC request (used for batched storage reads). */
  send: (method: string, params: unknown[]) => Promise<unknown>;
  close: () => Promise<void>;
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  if (e && typeof e === 'object' && 'error' in e) return describe((e as { error: unknown }).error);
  return String(e);
}

/**
 * Opens an ApiPromise on `chain` (a ws(s) URL or `local`/`test`/`finney`) with subtensor's signed
 * extensions. Reconnects with backoff after drops; throws a ChainError naming the URL when the first
 * connection cannot be made within `connectTimeoutMs`.
 */
export async function openConnection(chain: string, opts: ConnectionOptions = {}): Promise<Connection> {
  const url = resolveChainUrl(chain);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
  const firstDelay = opts.reconnectDelayMs ?? 250;
  const maxDelay = opts.maxReconnectDelayMs ?? 10_000;

  // autoConnectMs = 0: reconnection is ours, with backoff instead of a fixed delay.
  const provider = new WsProvider(url, 0, undefined, requestTimeoutMs);
  let closing = false;
  let delay = firstDelay;
  let timer: NodeJS.Timeout | undefined;
  let lastError = 'no response';
  const offError = provider.on('error', (e: unknown) => {
    lastError = describe(e) || 'connection refused';
  });
  const offConnected = provider.on('connected', () => {
    delay = firstDelay;
  });
  const offDisconnected = provider.on('disconnected', () => {
    if (closing) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closing && !provider.isConnected) provider.connect().catch(() => undefined);
    }, delay);
    delay = Math.min(delay * 2, maxDelay);
  });

  const close = async () => {
    closing = true;
    clearTimeout(timer);
    offError();
    offConnected();
    offDisconnected();
    await provider.disconnect().catch(() => undefined);
  };

  let deadline: NodeJS.Timeout | undefined;
  let opened = false;
  const timedOut = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => {
      const why = opened
        ? `${url} accepted the WebSocket but did not answer the API's requests within ${connectTimeoutMs} ms ` +
          `(${lastError}); check that it is a Substrate node and not overloaded`
        : `cannot connect to ${url} within ${connectTimeoutMs} ms (${lastError}); check the URL (--chain) and ` +
          'that the node is running and reachable';
      reject(new ChainError('ConnectionFailed', why));
    }, connectTimeoutMs);
  });
  let api: ApiPromise | undefined;
  try {
    await provider.connect().catch((e: unknown) => {
      throw new ChainError('ConnectionFailed', `cannot connect to ${url}: ${describe(e)}`, { cause: e });
    });
    await Promise.race([provider.isReady, timedOut]);
    opened = true;
    // Kept by reference: @polkadot/api re-reads it on runtime upgrades, so the entries derived from the
    // metadata below stay declared.
    const signedExtensions = { ...SUBTENSOR_SIGNED_EXTENSIONS };
    api = new ApiPromise({ provider, signedExtensions, noInitWarn: true });
    await Promise.race([api.isReadyOrError, timedOut]);
    declareMetadataExtensions(api.runtimeMetadata, signedExtensions);
  } catch (e) {
    clearTimeout(deadline);
    await api?.disconnect().catch(() => undefined);
    await close();
    if (e instanceof ChainError) throw e;
    throw new ChainError('ConnectionFailed', `cannot initialise the API on ${url}: ${describe(e)}`, {
      cause: e,
    });
  }
  clearTimeout(deadline);
  const ready = api;
  return {
    url,
    api: ready,
    provider,
    send: async (method, params) => {
      try {
        return await provider.send(method, params);
      } catch (e) {
        throw new ChainError('ConnectionFailed', `${method} on ${url} failed: ${describe(e)}`, { cause: e });
      }
    },
    close: async () => {
      closing = true;
      clearTimeout(timer);
      await ready.disconnect().catch(() => undefined);
      await close();
    },
  };
}
