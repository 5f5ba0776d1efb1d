/**
 * Core's `PeerArtifacts` over the dendrite: fetch one artifact from a neuron's axon, signed with
 * btauth/1 by the caller's hotkey, read under a size cap and accepted only with the expected hash.
 * Miners use it to read each other's artifacts on synapses open to registered hotkeys
 * (`access: 'registered'`); a validator uses it outside its rounds.
 */
import type { AnySubnetPlugin, MetagraphView, PeerArtifactRequest, PeerArtifacts } from '@subnetkit/core';
import { Dendrite, type DendriteSigner } from './dendrite.js';
import type { MinerTarget } from './types.js';

/** Options of {@link peerArtifacts}. */
export interface PeerArtifactsOptions {
  plugin: AnySubnetPlugin;
  /** Signs each request with the caller's hotkey (see `btauthSigner`). */
  sign: DendriteSigner;
  /**
   * The subnet's metagraph (hotkeys and axons), e.g. `client.syncMetagraph(netuid)`; read again at most
   * every `refreshMs` and whenever a hotkey is not found.
   */
  metagraph: () => Promise<Pick<MetagraphView, 'hotkeys' | 'axons'>>;
  /** How long a metagraph read is reused, ms (default 5 000). */
  refreshMs?: number;
  /** Concurrent fetches at most (default 8). */
  concurrency?: number;
}

/** A {@link PeerArtifacts} with a `close()` for its connections. */
export interface PeerArtifactsClient extends PeerArtifacts {
  close(): Promise<void>;
}

/** Builds a {@link PeerArtifacts} for `plugin`'s artifact synapses. */
export function peerArtifacts(options: PeerArtifactsOptions): PeerArtifactsClient {
  const dendrite = new Dendrite({ sign: options.sign, concurrency: options.concurrency ?? 8 });
  const refreshMs = options.refreshMs ?? 5_000;
  let cached: { at: number; view: Pick<MetagraphView, 'hotkeys' | 'axons'> } | undefined;

  async function target(hotkey: string): Promise<MinerTarget | undefined> {
    const find = (view: Pick<MetagraphView, 'hotkeys' | 'axons'>) => {
      const uid = view.hotkeys.indexOf(hotkey);
      const axon = uid >= 0 ? view.axons[uid] : undefined;
      return axon && axon.port > 0 ? { uid, hotkey, ip: axon.ip, port: axon.port } : undefined;
    };
    if (cached && Date.now() - cached.at < refreshMs) {
      const hit = find(cached.view);
      if (hit) return hit;
    }
    cached = { at: Date.now(), view: await options.metagraph() };
    return find(cached.view);
  }

  return {
    async fetch(req: PeerArtifactRequest): Promise<Uint8Array> {
      const def = options.plugin.synapses[req.synapse];
      if (!def?.artifact)
        throw new Error(
          `subnet ${options.plugin.name}: synapse ${req.synapse} does not answer with an artifact; fetch one of ${options.plugin.synapseNames.filter((n) => options.plugin.synapses[n]?.artifact).join(', ') || '(none)'}`,
        );
      const peer = await target(req.hotkey);
      if (!peer)
        throw new Error(
          `peer ${req.hotkey} has no axon on netuid (not registered, or it has not served its axon yet)`,
        );
      const [answer] = await dendrite.query<Uint8Array>([peer], req.synapse, req.request, {
        timeoutMs: req.timeoutMs ?? def.timeoutMs ?? 12_000,
        protocol: 'btauth',
        artifact: {
          definition: { ...def.artifact, maxBytes: req.maxBytes ?? def.artifact.maxBytes },
          expected: { [req.hotkey]: req.hash },
        },
      });
      if (answer?.outcome === 'ok' && answer.response instanceof Uint8Array) return answer.response;
      const why = answer?.artifact?.rejection ?? answer?.kind ?? answer?.outcome ?? 'no answer';
      throw new Error(
        `fetching ${req.synapse} from ${req.hotkey} (uid ${peer.uid}, ${peer.ip}:${peer.port}) failed: ${why}${answer?.error ? ` (${answer.error})` : ''}`,
      );
    },
    close: () => dendrite.close(),
  };
}
