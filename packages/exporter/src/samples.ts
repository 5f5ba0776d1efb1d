/**
 * The chain's view of one subnet as metric samples. Pure: a metagraph in, label sets and values out, so the
 * exporter's I/O (reading the chain, serving /metrics) stays apart from what it exports.
 */
import type { AxonInfo, Metagraph } from '@subnetkit/chain';
import { tempoPosition } from '@subnetkit/core';

/** Default characters of a hotkey's SS58 address kept in the `hotkey_prefix` label. */
export const HOTKEY_PREFIX_LENGTH = 8;

/** Labels of a per-uid series. All three are bounded: uid < MaxAllowedUids, one hotkey per uid. */
export interface NeuronLabels {
  netuid: string;
  uid: string;
  hotkey_prefix: string;
}

/** One neuron's exported values. */
export interface NeuronSample {
  labels: NeuronLabels;
  /** Stake weight as the epoch uses it: alpha + TaoWeight * root TAO (tokens). */
  stake: number;
  incentive: number;
  dividends: number;
  /** Emission per epoch, alpha tokens. */
  emission: number;
  trust: number;
  consensus: number;
  validatorTrust: number;
  validatorPermit: boolean;
  active: boolean;
  /** An axon with an address and port is published (genesis axons have block 0, so the block can't tell). */
  axonServed: boolean;
  /** Block of the last set_weights / commit (0 = never). */
  lastUpdate: number;
  /** Blocks since the last weights, only for uids holding a validator permit. */
  weightsAgeBlocks?: number;
}

/** One subnet's exported values at one block. */
export interface SubnetSample {
  netuid: number;
  block: number;
  neurons: number;
  maxAllowedUids: number;
  tempo: number;
  epoch: number;
  /** Blocks since the current epoch began (0-based). */
  blocksIntoEpoch: number;
  blocksUntilNextEpoch: number;
  /** Registration burn (burned_register cost), TAO. */
  registrationCostTao: number;
  /** Blocks a new registration is immune from deregistration. */
  immunityPeriod: number;
  perNeuron: NeuronSample[];
}

/** True when an axon with a routable address and a port is on chain. */
function served(axon: AxonInfo | undefined): boolean {
  return axon !== undefined && axon.port > 0 && axon.ip !== '0.0.0.0' && axon.ip !== '::';
}

/** Rao (bigint) to TAO as a float; exact enough for a gauge. */
function raoToTaoNumber(rao: bigint): number {
  return Number(rao / 1_000_000_000n) + Number(rao % 1_000_000_000n) / 1e9;
}

/** Turns a metagraph read at `mg.block` into the samples the exporter serves. */
export function subnetSample(mg: Metagraph, hotkeyPrefixLength = HOTKEY_PREFIX_LENGTH): SubnetSample {
  const hp = mg.hyperparameters;
  const pos = tempoPosition(mg.block, mg.netuid, hp.tempo);
  const perNeuron: NeuronSample[] = mg.uids.map((uid, i) => {
    const permit = mg.validatorPermit[i] ?? false;
    const lastUpdate = mg.lastUpdate[i] ?? 0;
    const sample: NeuronSample = {
      labels: {
        netuid: String(mg.netuid),
        uid: String(uid),
        hotkey_prefix: (mg.hotkeys[i] ?? '').slice(0, hotkeyPrefixLength),
      },
      stake: mg.stake[i] ?? 0,
      incentive: mg.incentive[i] ?? 0,
      dividends: mg.dividends[i] ?? 0,
      emission: mg.emission[i] ?? 0,
      trust: mg.trust[i] ?? 0,
      consensus: mg.consensus[i] ?? 0,
      validatorTrust: mg.validatorTrust[i] ?? 0,
      validatorPermit: permit,
      active: mg.active[i] ?? false,
      axonServed: served(mg.axons[i]),
      lastUpdate,
    };
    if (permit) sample.weightsAgeBlocks = Math.max(0, mg.block - lastUpdate);
    return sample;
  });
  return {
    netuid: mg.netuid,
    block: mg.block,
    neurons: mg.n,
    maxAllowedUids: hp.maxAllowedUids,
    tempo: hp.tempo,
    epoch: pos.epoch,
    blocksIntoEpoch: pos.intoEpoch,
    blocksUntilNextEpoch: Number.isFinite(pos.blocksUntilNextEpoch) ? pos.blocksUntilNextEpoch : -1,
    registrationCostTao: raoToTaoNumber(hp.burn),
    immunityPeriod: hp.immunityPeriod,
    perNeuron,
  };
}
