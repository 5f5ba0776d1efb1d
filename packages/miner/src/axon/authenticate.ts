/**
 * Authentication (preValidation): btauth/1 over the raw body bytes, then the replay store. A
 * caller an earlier hook already verified (the legacy v10 plugin) passes through.
 */
import { type BtAuthFailureKind, type ReplayStore, verifyRequest, WireError } from '@subnetkit/core';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { rawBody } from './call.js';

/** Options of {@link createAuthenticate}. */
export interface AuthenticateOptions {
  /** This miner's hotkey: requests must be addressed to it. */
  receiver: string;
  replayStore: ReplayStore;
  maxAgeMs?: number;
  maxFutureMs?: number;
  log: Logger;
  /** Counts a failure by kind (metrics). */
  onFailure?: (kind: BtAuthFailureKind) => void;
}

/**
 * Runs a verification whose only possible throw is the replay / nonce store failing (e.g. Redis
 * down): that is the miner's fault, not the caller's, so it answers 503 Unavailable and logs why.
 */
export async function replayStoreCall<T>(log: Logger, verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch (err) {
    log.error({ err }, 'replay store failed while verifying a request; is Redis reachable?');
    throw new WireError(
      'Unavailable',
      'the miner cannot check request replays right now (its replay store is down); retry later',
      { cause: err },
    );
  }
}

/** Builds the btauth/1 preValidation hook. */
export function createAuthenticate(options: AuthenticateOptions): (request: FastifyRequest) => Promise<void> {
  const verifyOptions = {
    receiver: options.receiver,
    replayStore: options.replayStore,
    ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
    ...(options.maxFutureMs === undefined ? {} : { maxFutureMs: options.maxFutureMs }),
  };
  return async (request) => {
    const call = request.synapseCall;
    if (call.hotkey !== undefined) return;
    const result = await replayStoreCall(options.log, () =>
      verifyRequest(
        {
          method: request.method,
          target: request.raw.url ?? request.url,
          headers: request.headers,
          body: rawBody(request),
        },
        verifyOptions,
      ),
    );
    if (!result.ok) {
      options.onFailure?.(result.kind);
      throw new WireError(result.kind, result.message);
    }
    call.hotkey = result.hotkey;
  };
}
