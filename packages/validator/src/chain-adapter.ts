/**
 * Adapts `@subnetkit/chain`'s SubtensorClient to {@link ValidatorChain}. Typed structurally, so tests
 * and other chain clients can stand in for it. On commit-reveal subnets `setWeights` commits (the
 * client keeps the salt) and {@link ValidatorChain.maintain} reveals due commits on every weights check.
 */
import type { MetagraphView } from '@subnetkit/core';
import type { SetWeightsResult, ValidatorChain, ValidatorHyperparameters } from './types.js';

/** The parts of `SubtensorClient` the validator uses. */
export interface ValidatorSubtensorClient<Pair> {
  block(): Promise<{ number: number }>;
  syncMetagraph(netuid: number): Promise<MetagraphView>;
  hyperparameters(netuid: number): Promise<HyperparametersLike>;
  /** Sends u16 `values` as given (the validator has already processed them: see `computeWeights`). */
  setWeights(
    hotkey: Pair,
    netuid: number,
    uids: ArrayLike<number>,
    values: ArrayLike<number>,
    versionKey: bigint | number,
  ): Promise<{ mode: 'set' | 'commit'; blockNumber: number; txHash: string }>;
  revealDueCommits?(hotkey: Pair, netuid: number): Promise<unknown[]>;
}

interface HyperparametersLike {
  tempo: number;
  minAllowedWeights: number;
  maxWeightsLimit: number;
  weightsVersionKey: bigint | number;
  weightsSetRateLimit: number;
  commitRevealWeightsEnabled: boolean;
}

function toHyperparameters(hp: HyperparametersLike): ValidatorHyperparameters {
  return {
    tempo: hp.tempo,
    weightsRateLimit: hp.weightsSetRateLimit,
    minAllowedWeights: hp.minAllowedWeights,
    maxWeightsLimit: hp.maxWeightsLimit,
    weightsVersionKey: Number(hp.weightsVersionKey),
    commitRevealEnabled: hp.commitRevealWeightsEnabled,
  };
}

/** A {@link ValidatorChain} over a connected SubtensorClient; `hotkey` signs set_weights / commits. */
export function subtensorValidatorChain<Pair extends { address: string }>(
  client: ValidatorSubtensorClient<Pair>,
  hotkey: Pair,
): ValidatorChain {
  return {
    async currentBlock() {
      return (await client.block()).number;
    },
    async metagraph(netuid): Promise<MetagraphView> {
      const m = await client.syncMetagraph(netuid);
      return {
        netuid: m.netuid,
        block: m.block,
        n: m.n,
        hotkeys: m.hotkeys,
        axons: m.axons.map((a) => ({ ip: a.ip, port: a.port })),
        validatorPermit: m.validatorPermit,
        stake: m.stake,
        lastUpdate: m.lastUpdate,
      };
    },
    async hyperparameters(netuid) {
      return toHyperparameters(await client.hyperparameters(netuid));
    },
    async setWeights(netuid, uids, values, versionKey): Promise<SetWeightsResult> {
      const r = await client.setWeights(hotkey, netuid, uids, values, versionKey);
      return { mode: r.mode, block: r.blockNumber, txHash: r.txHash };
    },
    async maintain(netuid) {
      await client.revealDueCommits?.(hotkey, netuid);
    },
  };
}
