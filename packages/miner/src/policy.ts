/**
 * The blacklist and priority policy: pure functions of a verified hotkey, the metagraph and the
 * operator's settings. Runs only after the signature verified, so the hotkey is authentic.
 */
import { type CallerInfo, fixCommand, type SynapseAccess } from '@subnetkit/core';
import type { NeuronLookup } from './metagraph.js';

/** Operator settings for who may call the miner. */
export interface AccessPolicy {
  /** Admit registered hotkeys without a validator permit (local testing). Default false. */
  allowNonValidators?: boolean;
  /** Hotkeys always admitted, even when unregistered (e.g. your own test validator). */
  allow?: readonly string[];
  /** Hotkeys always refused, even registered validators. Wins over `allow`. */
  deny?: readonly string[];
}

/** The outcome of the blacklist check. */
export type AccessDecision =
  | { ok: true; caller: CallerInfo; priority: number }
  | { ok: false; reason: 'Denied' | 'NotRegistered' | 'NoValidatorPermit'; message: string };

/**
 * Compiles an {@link AccessPolicy} into a fast check against a metagraph lookup. `access` is the
 * synapse's own rule (core's `SynapseDefinition.access`): `registered` admits any registered hotkey
 * without a validator permit; the deny list wins either way.
 */
export function createAccessCheck(
  policy: AccessPolicy,
  metagraph: NeuronLookup,
  netuid: number,
): (hotkey: string, access?: SynapseAccess) => AccessDecision {
  const allow = new Set(policy.allow ?? []);
  const deny = new Set(policy.deny ?? []);
  const allowNonValidators = policy.allowNonValidators ?? false;
  return (hotkey, access = 'validators') => {
    if (deny.has(hotkey)) {
      return { ok: false, reason: 'Denied', message: `hotkey ${hotkey} is on this miner's deny list` };
    }
    const neuron = metagraph.lookup(hotkey);
    if (allow.has(hotkey)) {
      const caller: CallerInfo = { hotkey };
      if (neuron) {
        caller.uid = neuron.uid;
        caller.stake = neuron.stake;
      }
      return { ok: true, caller, priority: neuron?.stake ?? 0 };
    }
    if (!neuron) {
      return {
        ok: false,
        reason: 'NotRegistered',
        message: `hotkey ${hotkey} is not registered on netuid ${netuid}; register it (${fixCommand('subnet register', { '--netuid': netuid })} / btcli subnet register) or ask the miner operator to allow it`,
      };
    }
    if (!neuron.validatorPermit && !allowNonValidators && access !== 'registered') {
      return {
        ok: false,
        reason: 'NoValidatorPermit',
        message: `hotkey ${hotkey} (uid ${neuron.uid}) has no validator permit on netuid ${netuid}; this miner answers validators only (operators: --allow-non-validators)`,
      };
    }
    return {
      ok: true,
      caller: { hotkey, uid: neuron.uid, stake: neuron.stake },
      priority: neuron.stake,
    };
  };
}
