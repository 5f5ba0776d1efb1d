/**
 * Admission (preHandler, after the access policy): starts the request's deadline (the synapse
 * timeout, or the client going away) and waits for a slot of the stake-priority gate. Shed
 * requests get 503 Overloaded; a deadline that fires while waiting answers 408 or 499.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientGone, Deadline } from '../deadline.js';
import type { PriorityGate } from '../priority-gate.js';

/** Builds the admission preHandler; `timeoutMs` gives each synapse's timeout. */
export function createAdmitHook(
  gate: PriorityGate,
  timeoutMs: (synapse: string) => number,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    const call = request.synapseCall;
    const deadline = new Deadline(timeoutMs(call.synapse));
    // The response's 'close' before it finished means the client went away (the request's own
    // 'close' fires as soon as its body was read, so it cannot tell).
    const onClose = () => {
      if (!reply.raw.writableFinished) deadline.cancel(new ClientGone());
    };
    reply.raw.once('close', onClose);
    call.deadline = deadline;
    call.dispose = () => {
      deadline.dispose();
      reply.raw.off('close', onClose);
    };
    try {
      call.release = await gate.acquire(call.priority, deadline);
    } catch (err) {
      call.dispose();
      throw err;
    }
  };
}
