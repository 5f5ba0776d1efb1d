/**
 * The axon's one error handler: every failure, thrown anywhere in the pipeline, becomes a catalogue
 * kind (core's wire-error catalogue) and is answered as `{ error, message, field? }`. Unexpected
 * errors are logged with an id and answered as InternalError without their details.
 */
import { randomUUID } from 'node:crypto';
import { WireError } from '@subnetkit/core';
import { BatcherClosedError, QueueFullError } from '@subnetkit/inference';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ClientGone, RequestTimeout } from '../deadline.js';
import { OverloadedError } from '../priority-gate.js';

/**
 * The catalogue kind of a known failure, or undefined for an unexpected one (a bug or a plugin
 * that threw). `synapse` names the route in messages; `bodyLimit` is the miner's body limit.
 */
export function toWireError(
  err: unknown,
  context: { synapse?: string; bodyLimit: number },
): WireError | undefined {
  if (err instanceof WireError) return err;
  if (err instanceof RequestTimeout) {
    return new WireError('Timeout', `${context.synapse} took longer than its ${err.timeoutMs} ms timeout`);
  }
  if (err instanceof OverloadedError || err instanceof QueueFullError)
    return new WireError('Overloaded', err.message);
  if (err instanceof BatcherClosedError) {
    return new WireError('ShuttingDown', 'the miner is shutting down; retry another miner');
  }
  if (err instanceof ClientGone) return new WireError('ClientClosed', err.message);
  const { statusCode, code, message } = (err ?? {}) as Partial<FastifyError>;
  if (statusCode === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new WireError(
      'PayloadTooLarge',
      `request body is over this miner's ${context.bodyLimit}-byte limit`,
    );
  }
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new WireError('InvalidRequest', message ?? `HTTP ${statusCode}`);
  }
  return undefined;
}

/** Sends a catalogue failure with the miner's hotkey header. */
export function sendWireError(reply: FastifyReply, err: WireError, hotkey: string): FastifyReply {
  return reply.code(err.status).header('x-bittensor-hotkey', hotkey).send(err.body());
}

/** Options of {@link createErrorHandler}. */
export interface ErrorHandlerOptions {
  hotkey: string;
  bodyLimit: number;
  /** The subnet's name, for log lines. */
  subnet: string;
  log: Logger;
}

/** The `setErrorHandler` of the axon. */
export function createErrorHandler(
  options: ErrorHandlerOptions,
): (err: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  const { hotkey, bodyLimit, subnet, log } = options;
  return (err, request, reply) => {
    const synapse = request.routeOptions.config.synapse;
    const known = toWireError(err, { synapse, bodyLimit });
    if (known) return sendWireError(reply, known, hotkey);
    const id = randomUUID();
    if (synapse === undefined) {
      log.error({ err, id, url: request.url }, 'unhandled axon error');
      return sendWireError(
        reply,
        new WireError('InternalError', `internal error #${id}; see the miner log`),
        hotkey,
      );
    }
    log.error({ err, id, synapse, subnet }, `miner.forward.${synapse} of subnet ${subnet} threw`);
    return sendWireError(
      reply,
      new WireError('InternalError', `the ${synapse} handler failed (#${id}); the miner log has the cause`),
      hotkey,
    );
  };
}

/** The `setNotFoundHandler` of the axon: 404 UnknownSynapse listing the served synapses. */
export function createNotFoundHandler(
  synapseNames: readonly string[],
  hotkey: string,
): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  const served = synapseNames.map((s) => `/${s}`).join(', ');
  return (request, reply) =>
    sendWireError(
      reply,
      new WireError(
        'UnknownSynapse',
        `no route ${request.method} ${request.url.split('?')[0]}; this miner serves POST ${served} (see /openapi.json)`,
      ),
      hotkey,
    );
}
