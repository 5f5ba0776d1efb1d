/**
 * Graceful drain: once the axon starts closing, new synapse requests get 503 ShuttingDown, and
 * every answer carries `connection: close` so close() does not wait for the idle timeout of each
 * validator's keep-alive connection. In-flight requests finish normally.
 */
import { WireError } from '@subnetkit/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** The drain state and its hooks. */
export interface Drain {
  /** preClose: starts draining. */
  preClose(done: HookHandlerDoneFunction): void;
  /** onRequest (synapse routes): refuses new work while draining. */
  refuseNewWork(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  /** onSend: closes the connection after each answer while draining. */
  closeConnections(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: HookHandlerDoneFunction,
  ): void;
}

/** Creates the drain hooks of one axon. */
export function createDrain(): Drain {
  let closing = false;
  return {
    preClose(done) {
      closing = true;
      done();
    },
    refuseNewWork(_request, _reply, done) {
      if (closing) done(new WireError('ShuttingDown', 'the miner is shutting down; retry another miner'));
      else done();
    },
    closeConnections(_request, reply, _payload, done) {
      if (closing) reply.header('connection', 'close');
      done();
    },
  };
}
