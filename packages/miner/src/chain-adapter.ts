/**
 * Adapts `@subnetkit/chain`'s SubtensorClient to {@link MinerChain}. Typed structurally so the
 * miner's hot path does not import the chain client.
 */
import { type AxonEndpoint, isServing, type MetagraphView } from '@subnetkit/core';
import type { MinerChain, MinerMetagraph } from './metagraph.js';

/** The parts of `SubtensorClient` (from `@subnetkit/chain`) the miner uses. */
export interface MinerSubtensorClient<Pair> {
  syncMetagraph(netuid: number): Promise<MetagraphView>;
  serveAxon(
    hotkey: Pair,
    args: { netuid: number; ip: string; port: number; version?: number },
  ): Promise<unknown>;
}

/** A {@link MinerChain} over a connected SubtensorClient; `hotkey` signs serve_axon. */
export function subtensorMinerChain<Pair extends { address: string }>(
  client: MinerSubtensorClient<Pair>,
  hotkey: Pair,
): MinerChain {
  return {
    async metagraph(netuid): Promise<MinerMetagraph> {
      const m = await client.syncMetagraph(netuid);
      return { block: m.block, hotkeys: m.hotkeys, stake: m.stake, validatorPermit: m.validatorPermit };
    },
    async axonOf(netuid, address): Promise<AxonEndpoint | undefined> {
      const m = await client.syncMetagraph(netuid);
      const uid = m.hotkeys.indexOf(address);
      const axon = uid >= 0 ? m.axons[uid] : undefined;
      return axon && isServing(axon) ? { ip: axon.ip, port: axon.port } : undefined;
    },
    async serveAxon(netuid, endpoint) {
      await client.serveAxon(hotkey, {
        netuid,
        ip: endpoint.ip,
        port: endpoint.port,
        version: endpoint.version,
      });
    },
  };
}
