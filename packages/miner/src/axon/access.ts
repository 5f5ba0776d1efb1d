/**
 * Access policy (preHandler): deny list, allow list, registration and validator permit of the
 * verified hotkey (see `policy.ts`); refusals are 403 with the reason as the kind.
 */
import { type SynapseAccess, WireError } from '@subnetkit/core';
import type { FastifyRequest } from 'fastify';
import type { AccessDecision } from '../policy.js';

/**
 * Builds the access preHandler from a compiled access check; `accessOf` gives each synapse's own rule
 * (`SynapseDefinition.access`, default `validators`).
 */
export function createAccessHook(
  check: (hotkey: string, access?: SynapseAccess) => AccessDecision,
  onRefused?: (reason: Extract<AccessDecision, { ok: false }>['reason']) => void,
  accessOf: (synapse: string) => SynapseAccess | undefined = () => undefined,
): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const call = request.synapseCall;
    if (call.hotkey === undefined) throw new Error('access check ran before authentication');
    const decision = check(call.hotkey, accessOf(call.synapse));
    if (!decision.ok) {
      onRefused?.(decision.reason);
      throw new WireError(decision.reason, decision.message);
    }
    call.caller = decision.caller;
    call.priority = decision.priority;
  };
}
