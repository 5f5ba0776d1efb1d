/**
 * Legacy v10 (bittensor <= 10) callers, as one Fastify plugin for the synapse routes: detects the
 * `bt_header_dendrite_*` headers (onRequest), verifies them and strips the Python synapse's base
 * fields from the body (preValidation, before btauth/1 which then passes the verified caller), and
 * reshapes every answer the way a Python dendrite reads it (onSend): the full synapse with
 * `axon.status_code` on success, `{ message }` with `bt_header_axon_*` headers on failure.
 * Requests without those headers are left alone.
 */
import {
  LEGACY_BASE_FIELDS,
  type LegacyNonceStore,
  legacyFailure,
  readWireError,
  verifyLegacyRequest,
  WireError,
} from '@subnetkit/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { replayStoreCall } from './authenticate.js';
import { rawBody } from './call.js';

/** Options of {@link legacyV10}. */
export interface LegacyV10Options {
  /** This miner's hotkey. */
  receiver: string;
  /** Last nonce per `hotkey:uuid`. */
  nonceStore: LegacyNonceStore;
  /** Per synapse, the Python class's `required_hash_fields`, in declared order. */
  requiredHashFields?: Record<string, readonly string[]>;
  log: Logger;
  /** Counts a verification failure (metrics). */
  onFailure?: () => void;
  /** Serve legacy v10 requests only, as a Python SDK axon does (btauth/1 requests get 401 LegacyAuth). */
  only?: boolean;
}

/** Whether a request carries legacy v10 signed headers. */
export function isLegacyRequest(headers: FastifyRequest['headers']): boolean {
  return (
    headers.bt_header_dendrite_signature !== undefined || headers.bt_header_dendrite_hotkey !== undefined
  );
}

/** The Fastify plugin. Its hooks apply to the routes of the scope that registers it. */
export async function legacyV10(scope: FastifyInstance, options: LegacyV10Options): Promise<void> {
  /** The full synapse body of each legacy request (null until it is decoded). */
  const calls = new WeakMap<FastifyRequest, { synapse: Record<string, unknown> | null }>();

  scope.addHook('onRequest', async (request) => {
    if (isLegacyRequest(request.headers)) calls.set(request, { synapse: null });
  });

  scope.addHook('preValidation', async (request) => {
    const legacy = calls.get(request);
    if (!legacy) {
      if (options.only) {
        options.onFailure?.();
        throw new WireError(
          'LegacyAuth',
          'Not Verified with error: Missing Nonce; this axon serves legacy v10 (bittensor SDK <= 10) requests only: sign with the bt_header_dendrite_* headers',
        );
      }
      return;
    }
    const raw = rawBody(request);
    const result = await replayStoreCall(options.log, () =>
      verifyLegacyRequest(request.headers, raw, {
        receiver: options.receiver,
        nonceStore: options.nonceStore,
        requiredHashFields: options.requiredHashFields?.[request.synapseCall.synapse] ?? [],
      }),
    );
    if (!result.ok) {
      options.onFailure?.();
      throw new WireError(result.status === 400 ? 'InvalidRequest' : 'LegacyAuth', result.message);
    }
    request.synapseCall.hotkey = result.hotkey;
    // Verification parsed the body as a JSON object; validate and forward only the subnet's fields.
    const synapse = JSON.parse(Buffer.from(raw).toString('utf8')) as Record<string, unknown>;
    legacy.synapse = synapse;
    request.body = Object.fromEntries(
      Object.entries(synapse).filter(([k]) => !LEGACY_BASE_FIELDS.includes(k)),
    );
  });

  scope.addHook('onSend', async (request, reply, payload) => {
    const legacy = calls.get(request);
    if (!legacy) return payload;
    if (typeof payload !== 'string') {
      // A streaming synapse (the SDK's StreamingSynapse answer): the stream as is, with the axon status.
      if (reply.statusCode === 200 && legacy.synapse)
        reply.headers(axonStatusHeaders(reply, options.receiver));
      return payload;
    }
    if (reply.statusCode === 200 && legacy.synapse)
      return legacyAnswer(reply, legacy.synapse, payload, options.receiver);
    const { kind, message } = readWireError(payload);
    const text = kind === undefined ? (message ?? payload) : `${kind}: ${message}`;
    const failure = legacyFailure(reply.statusCode, text, kind);
    reply.headers(failure.headers);
    return failure.body;
  });
}
// Hooks of a plugin reach its parent's routes only without encapsulation (what `fastify-plugin`
// sets); the synapse scope that registers this plugin is itself encapsulated.
(legacyV10 as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

/** The `bt_header_axon_*` headers of a successful answer. */
function axonStatusHeaders(reply: FastifyReply, hotkey: string): Record<string, string> {
  return {
    bt_header_axon_status_code: '200',
    bt_header_axon_status_message: 'Success',
    bt_header_axon_process_time: String(reply.getHeader('x-bittensor-process-time') ?? '0'),
    bt_header_axon_hotkey: hotkey,
  };
}

/** The full synapse back, with the axon status a Python dendrite requires. */
function legacyAnswer(
  reply: FastifyReply,
  synapse: Record<string, unknown>,
  payload: string,
  hotkey: string,
): string {
  const processTime = String(reply.getHeader('x-bittensor-process-time') ?? '0');
  const axon = {
    ...((synapse.axon as Record<string, unknown> | null) ?? {}),
    status_code: 200,
    status_message: 'Success',
    process_time: Number(processTime),
    hotkey,
  };
  reply.headers(axonStatusHeaders(reply, hotkey));
  return JSON.stringify({ ...synapse, ...(JSON.parse(payload) as object), axon });
}
