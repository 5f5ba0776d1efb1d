/**
 * The chain as subnet plugins see it (core's `SubnetChainView` / `MinerChainAccess`): block number,
 * commitments, incentive, and for a miner its own commitment, over a connected SubtensorClient.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import type { MinerChainAccess, SubnetChainView } from '@subnetkit/core';
import type { SubtensorClient } from './client.js';

/** The parts of `SubtensorClient` the plugin view uses. */
export type PluginChainClient = Pick<
  SubtensorClient,
  'block' | 'commitments' | 'syncMetagraph' | 'hyperparameters'
>;

/** A read-only {@link SubnetChainView} of `netuid`. */
export function subnetChainView(client: PluginChainClient, netuid: number): SubnetChainView {
  return {
    netuid,
    async block() {
      return (await client.block()).number;
    },
    async commitments(opts = {}) {
      const records = await client.commitments(netuid, opts);
      return records.map((r) => ({ hotkey: r.hotkey, block: r.block, data: r.data }));
    },
    async incentive(opts = {}) {
      const m = await client.syncMetagraph(netuid, opts.block === undefined ? {} : { block: opts.block });
      const out: Record<string, number> = {};
      m.hotkeys.forEach((hotkey, uid) => {
        out[hotkey] = m.incentive[uid] ?? 0;
      });
      return out;
    },
    async tempo() {
      return (await client.hyperparameters(netuid)).tempo;
    },
  };
}

/** A miner's {@link MinerChainAccess} of `netuid`: the view plus commitments signed by `hotkey`. */
export function minerChainAccess(
  client: PluginChainClient & Pick<SubtensorClient, 'setCommitment' | 'uidOf'>,
  netuid: number,
  hotkey: KeyringPair,
): MinerChainAccess {
  return {
    ...subnetChainView(client, netuid),
    hotkey: hotkey.address,
    async commit(data) {
      const r = await client.setCommitment(hotkey, netuid, data);
      return { block: r.blockNumber };
    },
    async uid() {
      return (await client.uidOf(netuid, hotkey.address)) ?? undefined;
    },
  };
}
