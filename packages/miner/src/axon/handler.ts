/**
 * The synapse route handler: runs the plugin's forward on the validated body under the request's
 * deadline, checks the answer against the response schema and sends it. Everything before (auth,
 * body, access, admission) happened in hooks; every failure goes to the error handler.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type ArtifactDefinition,
  artifactDefinition,
  type StreamDefinition,
  WireError,
} from '@subnetkit/core';
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
  /** Set for a streaming synapse: forward returns chunks, sent as `text/event-stream`. */
  stream?: StreamDefinition;
  /** Set for an artifact synapse: forward returns bytes, sent as `application/octet-stream`. */
  artifact?: ArtifactDefinition;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** Builds the handler of `POST /<synapse>`. */
export function createSynapseHandler(
  options: SynapseHandlerOptions,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const { synapse, subnet, runner, hotkey, log } = options;
  const response = TypeCompiler.Compile(options.response);
  const chunkCheck = options.stream ? TypeCompiler.Compile(options.stream.chunk) : undefined;
  const artifact = options.artifact ? artifactDefinition(options.artifact) : undefined;
  return async (request, reply) => {
    const call = request.synapseCall;
    const deadline = call.deadline!;
    let streaming = false;
    try {
      const work = runner.run(request.body, call.caller!, call.priority, deadline);
      // The slot is held until the plugin's work settles, even after a 408 (see runner.ts).
      const slot = call.release!;
      call.release = undefined;
      if (!chunkCheck) work.then(slot, slot);
      else work.then(undefined, slot); // a stream gives its slot back when it ends
      const result = await raceCancel(work, deadline);
      if (chunkCheck) {
        if (!isAsyncIterable(result)) {
          slot();
          const id = randomUUID();
          log.error(
            { id, synapse, subnet },
            `subnet ${subnet}: ${synapse} streams, but miner.forward.${synapse} did not return an async iterable of chunks; make it an async function*`,
          );
          throw new WireError('InternalError', `the ${synapse} handler returned no stream (#${id})`);
        }
        streaming = true;
        const events = Readable.from(
          sseEvents(result, chunkCheck, deadline, { synapse, subnet, log }, () => {
            slot();
            call.dispose?.();
          }),
          { objectMode: false },
        );
        return reply
          .code(200)
          .header('x-bittensor-hotkey', hotkey)
          .header('cache-control', 'no-cache')
          .type('text/event-stream')
          .send(events);
      }
      if (artifact) {
        if (!(result instanceof Uint8Array) || result.length === 0 || result.length > artifact.maxBytes) {
          const id = randomUUID();
          const got =
            result instanceof Uint8Array ? `${result.length} bytes` : `a ${typeof result}, not a Uint8Array`;
          log.error(
            { id, synapse, subnet },
            `subnet ${subnet}: ${synapse} answers with an artifact of 1 to ${artifact.maxBytes} bytes, but miner.forward.${synapse} returned ${got}; return the artifact's bytes`,
          );
          throw new WireError(
            'InternalError',
            `the ${synapse} handler returned an invalid artifact (#${id})`,
          );
        }
        return reply
          .code(200)
          .header('x-bittensor-hotkey', hotkey)
          .header('x-bittensor-process-time', ((performance.now() - call.started) / 1000).toFixed(6))
          .type(artifact.contentType)
          .send(Buffer.from(result.buffer, result.byteOffset, result.byteLength));
      }
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
      if (!streaming) call.dispose?.();
    }
  };
}

/**
 * The chunks as server-sent events (`data: <json>` each), until the plugin's iterable ends or the
 * request's deadline passes (the stream then just ends: the caller's own deadline judges it). A
 * chunk that fails the chunk schema ends the stream with an `error` event naming the request id.
 */
async function* sseEvents(
  chunks: AsyncIterable<unknown>,
  check: ReturnType<typeof TypeCompiler.Compile>,
  deadline: NonNullable<FastifyRequest['synapseCall']['deadline']>,
  where: { synapse: string; subnet: string; log: Logger },
  done: () => void,
): AsyncGenerator<string> {
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await raceCancel(iterator.next(), deadline).catch(() => undefined);
      if (next === undefined || next.done) return;
      if (!check.Check(next.value)) {
        const { field, message } = describeSchemaError(check, next.value);
        const id = randomUUID();
        where.log.error(
          { id, synapse: where.synapse, field, subnet: where.subnet },
          `subnet ${where.subnet} streamed a ${where.synapse} chunk that does not match its chunk schema (field ${field}: ${message}); fix miner.forward.${where.synapse}`,
        );
        yield `event: error\ndata: ${JSON.stringify({ error: 'InternalError', message: `invalid chunk (#${id})` })}\n\n`;
        return;
      }
      yield `data: ${JSON.stringify(next.value)}\n\n`;
    }
  } finally {
    // Not awaited: a plugin stuck before its next yield must not keep the slot.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
    done();
  }
}
