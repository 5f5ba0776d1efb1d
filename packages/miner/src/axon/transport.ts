/**
 * Connection-level limits of the axon, below the request pipeline: slow senders and oversized
 * bodies.
 *
 * - Slow senders. Node's HTTP server cuts a request whose headers have not all arrived within
 *   `headersTimeoutMs`, or whose headers and body have not all arrived within `bodyTimeoutMs`
 *   (408, then the socket is closed), checked every second. Idle keep-alive connections close after
 *   `keepAliveTimeoutMs`. A socket that trickles bytes or declares more body than it sends is thus
 *   closed within the timeout plus one second, however many of them there are.
 * - Oversized bodies. Fastify answers 413 as soon as the body is known to be over the limit and asks
 *   for `connection: close`; Node then closes the socket right after the answer, while the client is
 *   still uploading, and the client's next write meets a reset that can hide the 413. Instead the
 *   axon keeps the connection open and lets Node read and discard the rest of the body (a lingering
 *   close), up to `LINGER_MS` and for bodies that declare at most `MAX_DRAIN_BYTES`; the client
 *   finishes its upload and reads the 413.
 */
import type { ServerOptions } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** Slow-sender limits (all in ms). */
export interface TransportLimits {
  /** All request headers must arrive within this (default 10 000). */
  headersTimeoutMs?: number;
  /** Headers and the whole body must arrive within this, from the request's first byte (default 30 000). */
  bodyTimeoutMs?: number;
  /** An idle keep-alive connection closes after this (default 15 000). */
  keepAliveTimeoutMs?: number;
}

/** Default header timeout, ms. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Default timeout for the whole request (headers and body), ms. */
export const BODY_TIMEOUT_MS = 30_000;
/** Default idle keep-alive timeout, ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 15_000;
/** How often Node checks the header and body timeouts, ms. */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** After a 413, how long the rest of the body is read and discarded before the socket is closed, ms. */
export const LINGER_MS = 10_000;
/** A 413 body declaring more than this (content-length) is not drained; the socket closes at once. */
export const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

/** The Fastify server options that enforce `limits`. */
export function transportServerOptions(limits: TransportLimits = {}): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
} {
  const headersTimeout = limits.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const requestTimeout = limits.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  const keepAliveTimeout = limits.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS;
  for (const [name, value] of Object.entries({ headersTimeout, requestTimeout, keepAliveTimeout })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`axon ${name} must be a positive integer of ms, got ${value}`);
    }
  }
  if (headersTimeout > requestTimeout) {
    throw new RangeError(
      `axon headersTimeoutMs (${headersTimeout}) must not exceed bodyTimeoutMs (${requestTimeout})`,
    );
  }
  return {
    requestTimeout,
    keepAliveTimeout,
    http: { headersTimeout, requestTimeout, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
  };
}

/**
 * onSend: for a 413 answered before the body was read, keep the connection open so Node discards
 * the rest of the body instead of resetting a client that is still sending (see the module notes).
 * Must run before the drain hook, which asks for `connection: close` while shutting down.
 */
export function lingerOnTooLarge(
  request: FastifyRequest,
  reply: FastifyReply,
  _payload: unknown,
  done: HookHandlerDoneFunction,
): void {
  const raw = request.raw;
  if (reply.statusCode === 413 && !raw.complete) {
    const declared = Number(request.headers['content-length']);
    if (!(declared > MAX_DRAIN_BYTES)) {
      reply.removeHeader('connection');
      const socket = raw.socket;
      const timer = setTimeout(() => {
        if (!raw.complete) socket.destroy();
      }, LINGER_MS);
      timer.unref();
      const clear = () => clearTimeout(timer);
      raw.once('end', clear);
      socket.once('close', clear);
    }
  }
  done();
}
