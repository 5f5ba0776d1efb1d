/**
 * Commit-reveal mode selection and the drand beacon as the connected chain describes it: the beacon's public
 * key, genesis and period come from `Drand.BeaconConfig` of that chain (quicknet on finney, the devnet's own
 * beacon on the devnet), so the same code encrypts correctly for both.
 */
import type { ApiPromise } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import { ChainError } from './errors.js';

/** The beacon a chain's Drand pallet follows. */
export interface BeaconInfo {
  /** 96-byte compressed G2 public key. */
  publicKey: Uint8Array;
  genesisTime: number;
  period: number;
}

/** `v2`: hash commit + reveal by the client; `timelock`: `commit_timelocked_weights`, revealed by the chain. */
export type CommitMode = 'v2' | 'timelock';

/**
 * The SDK's choice: on a commit-reveal subnet it sends timelocked commits whenever the runtime has them
 * (`commit_timelocked_weights` and the Drand pallet); only older runtimes get v2 hash commits.
 */
export function chooseCommitMode(api: ApiPromise): CommitMode {
  const tx = api.tx as unknown as Record<string, Record<string, unknown> | undefined>;
  const q = api.query as unknown as Record<string, Record<string, unknown> | undefined>;
  return tx.subtensorModule?.commitTimelockedWeights && q.drand?.beaconConfig ? 'timelock' : 'v2';
}

/** Reads `Drand.BeaconConfig` at a block. */
export async function readBeaconInfo(api: ApiPromise, at: string): Promise<BeaconInfo> {
  const q = api.query as unknown as Record<string, Record<string, { at?: unknown } | undefined> | undefined>;
  if (!q.drand?.beaconConfig) {
    throw new ChainError(
      'CallUnavailable',
      "the chain's runtime has no Drand pallet, so timelocked commits cannot be made; connect to a subtensor " +
        'node (or the subnetkit devnet) with a runtime that has commit_timelocked_weights',
    );
  }
  const cfg = (await (await api.at(at)).query.drand!.beaconConfig!()).toJSON() as {
    publicKey: string;
    period: number;
    genesisTime: number;
  };
  return {
    publicKey: hexToU8a(cfg.publicKey),
    genesisTime: Number(cfg.genesisTime),
    period: Number(cfg.period),
  };
}

/**
 * Average seconds per block over the last `span` blocks, from `Timestamp.Now`; `fallback` (12 s, subtensor's
 * target) when the chain is too young or has no timestamps.
 */
export async function estimateBlockTimeSeconds(
  api: ApiPromise,
  head: { number: number; hash: string },
  span = 10,
  fallback = 12,
): Promise<number> {
  const back = Math.min(span, head.number - 1);
  if (back < 1 || !(api.query as unknown as Record<string, unknown>).timestamp) return fallback;
  const pastHash = (await api.rpc.chain.getBlockHash(head.number - back)).toHex();
  const [now, past] = await Promise.all([
    (await api.at(head.hash)).query.timestamp!.now!(),
    (await api.at(pastHash)).query.timestamp!.now!(),
  ]);
  const ms = Number(now.toString()) - Number(past.toString());
  return ms > 0 ? ms / 1000 / back : fallback;
}
