/**
 * The `ctx.peers` the CLI's runners give a plugin with artifact synapses: artifacts fetched from other
 * neurons of the subnet, signed with btauth/1 by the runner's own hotkey, axons read from the metagraph.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SubtensorClient } from '@subnetkit/chain';
import type { SubnetPlugin } from '@subnetkit/core';
import { btauthSigner, type PeerArtifactsClient, peerArtifacts } from '@subnetkit/validator';

/** Peers for `plugin` as `hotkey` on `netuid`, or undefined when the plugin has no artifact synapse. */
export function pluginPeers(
  plugin: SubnetPlugin,
  hotkey: KeyringPair,
  client: Pick<SubtensorClient, 'syncMetagraph'>,
  netuid: number,
): PeerArtifactsClient | undefined {
  if (!plugin.synapseNames.some((n) => plugin.synapses[n]?.artifact)) return undefined;
  return peerArtifacts({ plugin, sign: btauthSigner(hotkey), metagraph: () => client.syncMetagraph(netuid) });
}
