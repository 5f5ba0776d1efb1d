/**
 * The synapse route handler: runs the plugin's forward on the validated body under the request's
 * deadline, checks the answer against the response schema and sends it. Everything before (auth,
 * body, access, admission) happened in hooks; every failure goes to the error handler.
 */
import { randomUUID } from 'node:crypto';
import { WireError } from '@subnetkit/core';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { raceCancel } from '../deadline.js';
import type { SynapseRunner } from '../runner.js';
import { describeSchemaError } from './body.js';

/** Options of {@link createSynapseHandler}. */
export interface SynapseHandlerOptions {
  synapse: string;
  /** The subnet's name, for log lines. */
  subnet: string;
  runner: SynapseRunner;
  response: TSchema;
  /** This miner's hotkey, sent back as `X-Bittensor-Hotkey`. */
  hotkey: string;
  log: Logger;
}

/** Builds the handler of `POST /<synapse>`. */
export function createSynapseHandler(
  options: SynapseHandlerOptions,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const { synapse, subnet, runner, hotkey, log } = options;
  const response = TypeCompiler.Compile(options.response);
  return async (request, reply) => {
    const call = request.synapseCall;
    const deadline = call.deadline!;
    try {
      const work = runner.run(request.body, call.caller!, call.priority, deadline);
      // The slot is held until the plugin's work settles, even after a 408 (see runner.ts).
      const slot = call.release!;
      call.release = undefined;
      work.then(slot, slot);
      const result = await raceCancel(work, deadline);
      if (!response.Check(result)) {
        const { field, message } = describeSchemaError(response, result);
        const id = randomUUID();
        log.error(
          { id, synapse, field, subnet },
          `subnet ${subnet} returned a ${synapse} response that does not match its schema (field ${field}: ${message}); fix miner.forward.${synapse}`,
        );
        throw new WireError('InternalError', `the ${synapse} handler returned an invalid response (#${id})`);
      }
      return reply
        .code(200)
        .header('x-bittensor-hotkey', hotkey)
        .header('x-bittensor-process-time', ((performance.now() - call.started) / 1000).toFixed(6))
        .type('application/json')
        .send(JSON.stringify(result));
    } finally {
      call.dispose?.();
    }
  };
}
