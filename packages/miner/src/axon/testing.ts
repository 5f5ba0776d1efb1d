/** Fakes of Fastify's request and reply for the hook unit tests (only what the hooks read). */
import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SynapseCall } from './call.js';

/** A request to `POST /<synapse>` with the given headers and body. */
export function fakeRequest(
  init: {
    synapse?: string;
    headers?: Record<string, string>;
    body?: unknown;
    url?: string;
    call?: Partial<SynapseCall>;
  } = {},
): FastifyRequest {
  const synapse = init.synapse ?? 'Compute';
  const url = init.url ?? `/${synapse}`;
  return {
    method: 'POST',
    url,
    raw: { url },
    headers: init.headers ?? {},
    body: init.body,
    routeOptions: { config: { synapse } },
    synapseCall: { synapse, started: performance.now(), priority: 0, ...init.call },
  } as unknown as FastifyRequest;
}

/** A reply whose raw response is an EventEmitter (emit 'close' to play a client going away). */
export function fakeReply(): FastifyReply & { raw: EventEmitter & { writableFinished: boolean } } {
  const raw = Object.assign(new EventEmitter(), { writableFinished: false });
  return { raw } as unknown as FastifyReply & { raw: EventEmitter & { writableFinished: boolean } };
}
