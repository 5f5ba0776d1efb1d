/**
 * What the axon's hooks learn about one synapse request, filled in pipeline order: the route's
 * synapse (onRequest), the verified hotkey (authentication), the admitted caller and its priority
 * (access policy), the deadline and the priority slot (admission). The handler reads it.
 */
import type { CallerInfo } from '@subnetkit/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Deadline } from '../deadline.js';

/** One synapse request's state, on `request.synapseCall`. */
export interface SynapseCall {
  /** The synapse this route serves. */
  readonly synapse: string;
  /** `performance.now()` when the request arrived (for `X-Bittensor-Process-Time`). */
  readonly started: number;
  /** The caller's hotkey, once its signature verified. */
  hotkey?: string;
  /** The caller as the access policy admitted it. */
  caller?: CallerInfo;
  /** Stake priority under load (higher is served first). */
  priority: number;
  /** Cancelled at the synapse timeout or when the client goes away (set on admission). */
  deadline?: Deadline;
  /** Gives the priority slot back; the handler hands it to the plugin's work. */
  release?: () => void;
  /** Stops the deadline and its client-close listener once the request is answered. */
  dispose?: () => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    synapseCall: SynapseCall;
  }
  interface FastifyContextConfig {
    /** Set on synapse routes: the synapse name. */
    synapse?: string;
  }
}

/** onRequest: opens the call state for the route's synapse. */
export function openCall(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  request.synapseCall = {
    synapse: request.routeOptions.config.synapse ?? '',
    started: performance.now(),
    priority: 0,
  };
  done();
}

/** The raw body bytes as received (empty when there was no body). */
export function rawBody(request: FastifyRequest): Uint8Array {
  return request.body instanceof Uint8Array ? request.body : EMPTY;
}

const EMPTY = new Uint8Array(0);
