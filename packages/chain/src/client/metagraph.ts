/**
 * Metagraph sync from storage: every per-uid vector is one storage value per netuid, the per-hotkey maps
 * are fetched for all uids in a few batched `state_queryStorageAt` requests (no per-uid round trips).
 */
import { encodeAddress } from '@polkadot/util-crypto';
import { type MetagraphView, netuidStorageIndex, raoToTokens, U16_MAX } from '@subnetkit/core';
import { type AxonInfo, decodeAxonInfo, readUintLE } from './axon.js';
import { type Hyperparameters, decodeHyperparameters, hyperparameterKeys } from './hyperparams.js';
import { decodeU16PairVec, type StorageReader, toHex } from './storage.js';

/** A subnet's neurons at one block: parallel arrays indexed by uid (core's MetagraphView, and more). */
export interface Metagraph extends MetagraphView {
  netuid: number;
  /** Block number and hash the state was read at. */
  block: number;
  blockHash: string;
  /** Number of neurons (SubnetworkN). */
  n: number;
  hyperparameters: Hyperparameters;
  uids: number[];
  hotkeys: string[];
  coldkeys: string[];
  /** A hotkey's alpha stake on this subnet (TotalHotkeyAlpha), in alpha tokens. */
  alphaStake: number[];
  /** A hotkey's root (netuid 0) TAO stake, in TAO. */
  taoStake: number[];
  /** Stake weight as the epoch uses it: alpha + TaoWeight * tao (tokens). */
  stake: number[];
  /** Proportions in [0, 1] (u16 / 65535). Rank/trust are zero on runtimes that dropped them. */
  rank: number[];
  trust: number[];
  consensus: number[];
  incentive: number[];
  dividends: number[];
  validatorTrust: number[];
  /** Emission per epoch, in alpha tokens (rao / 1e9). */
  emission: number[];
  active: boolean[];
  /** Block of each neuron's last set_weights / commit. */
  lastUpdate: number[];
  validatorPermit: boolean[];
  /** Axon per uid; a never-served axon has block 0 and ip 0.0.0.0. */
  axons: AxonInfo[];
  /** Raw weight rows `[dest uid, u16 value][]` (only when requested). */
  weights?: [number, number][][];
  /** Raw bond rows `[uid, u16 value][]` (only when requested). */
  bonds?: [number, number][][];
}

/** What to fetch in a metagraph sync. */
export interface SyncOptions {
  /** Read at this block number (default: the best block). */
  block?: number;
  /** Also fetch weight rows. */
  weights?: boolean;
  /** Also fetch bond rows. */
  bonds?: boolean;
  /** Mechanism id for weights/bonds/incentive/lastUpdate (NetUidStorageIndex = mecid*4096 + netuid). */
  mecid?: number;
}

const VECTORS = [
  ['rank', 'rank'],
  ['trust', 'trust'],
  ['consensus', 'consensus'],
  ['incentive', 'incentive'],
  ['dividends', 'dividends'],
  ['validatorTrust', 'validatorTrust'],
  ['emission', 'emission'],
  ['active', 'active'],
  ['lastUpdate', 'lastUpdate'],
  ['validatorPermit', 'validatorPermit'],
] as const;
/** Vectors keyed by NetUidStorageIndex rather than netuid. */
const BY_INDEX = new Set(['incentive', 'lastUpdate']);

const NEVER_SERVED: AxonInfo = { block: 0, version: 0, ip: '0.0.0.0', port: 0, ipType: 0, protocol: 0 };

/** SCALE u16 (little-endian). */
function u16le(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >> 8) & 0xff);
}

// SS58 encoding costs a blake2b-512 per address; hotkeys/coldkeys rarely change between syncs.
const ss58Cache = new Map<string, string>();
function ss58(bytes: Uint8Array, format: number): string {
  const k = `${format}:${toHex(bytes)}`;
  let v = ss58Cache.get(k);
  if (v === undefined) {
    if (ss58Cache.size > 200_000) ss58Cache.clear();
    v = encodeAddress(bytes, format);
    ss58Cache.set(k, v);
  }
  return v;
}

function u64(raw: Uint8Array | null): bigint {
  return raw && raw.length >= 8 ? readUintLE(raw, 0, 8) : 0n;
}

function padTo<T>(xs: T[], n: number, fill: T): T[] {
  if (xs.length >= n) return xs.slice(0, n);
  return [...xs, ...Array<T>(n - xs.length).fill(fill)];
}

/** Reads a metagraph at a block hash (see {@link SyncOptions}). `ss58Format` encodes the addresses. */
export async function syncMetagraphAt(
  reader: StorageReader,
  netuid: number,
  at: { hash: string; number: number },
  opts: SyncOptions = {},
  ss58Format = 42,
): Promise<Metagraph> {
  const index = netuidStorageIndex(netuid, opts.mecid);
  // Round trip 1: hyperparameters (incl. n) and every per-uid vector.
  const hpKeys = hyperparameterKeys(reader, netuid);
  const vecItems = VECTORS.filter(([, item]) => reader.has(item));
  const vecKeys = vecItems.map(([, item]) => reader.key(item, [BY_INDEX.has(item) ? index : netuid]));
  const raw1 = await reader.fetchRaw([...hpKeys, ...vecKeys], at.hash);
  const hyperparameters = decodeHyperparameters(reader, netuid, raw1.slice(0, hpKeys.length));
  const n = hyperparameters.n;
  const uids = Array.from({ length: n }, (_, i) => i);
  const vec: Record<string, unknown[]> = {};
  vecItems.forEach(([field, item], i) => {
    const codec = reader.decode(item, raw1[hpKeys.length + i] ?? null);
    vec[field] = (codec?.toJSON() as unknown[] | null) ?? [];
  });
  const prop = (f: string) => padTo((vec[f] ?? []) as number[], n, 0).map((x) => Number(x) / U16_MAX);

  // Round trip 2: uid -> hotkey, plus weights/bonds rows (keyed by uid, so no hotkeys needed).
  const nu = u16le(netuid);
  const ix = u16le(index);
  const keyKeys = reader.keysFor(
    'keys',
    uids.map((u) => [nu, u16le(u)]),
  );
  const wKeys = opts.weights
    ? reader.keysFor(
        'weights',
        uids.map((u) => [ix, u16le(u)]),
      )
    : [];
  const bKeys = opts.bonds
    ? reader.keysFor(
        'bonds',
        uids.map((u) => [ix, u16le(u)]),
      )
    : [];
  const raw2 = await reader.fetchRaw([...keyKeys, ...wKeys, ...bKeys], at.hash);
  const hotkeyBytes = raw2.slice(0, n).map((r) => r ?? new Uint8Array(32));
  const hotkeys = hotkeyBytes.map((b) => ss58(b, ss58Format));
  const rows = (item: string, from: number, len: number) => {
    if (len === 0) return undefined;
    // Weights and Bonds are Vec<(u16, u16)> on subtensor: decoded by hand (262k pairs at 64 x 4096).
    const fast = reader.typeName(item).replace(/\s/g, '') === 'Vec<(u16,u16)>';
    return raw2
      .slice(from, from + len)
      .map((r) =>
        r === null
          ? []
          : fast
            ? decodeU16PairVec(r)
            : ((reader.decode(item, r)?.toJSON() as [number, number][] | null) ?? []),
      );
  };

  // Round trip 3: per-hotkey maps (owner, axon, alpha stake on this subnet and on root).
  const hasAxons = reader.has('axons');
  const ownerKeys = reader.keysFor(
    'owner',
    hotkeyBytes.map((h) => [h]),
  );
  const axonKeys = hasAxons
    ? reader.keysFor(
        'axons',
        hotkeyBytes.map((h) => [nu, h]),
      )
    : [];
  const alphaKeys = reader.keysFor(
    'totalHotkeyAlpha',
    hotkeyBytes.map((h) => [h, nu]),
  );
  const root = u16le(0);
  const rootKeys =
    netuid === 0
      ? []
      : reader.keysFor(
          'totalHotkeyAlpha',
          hotkeyBytes.map((h) => [h, root]),
        );
  const raw3 = await reader.fetchRaw([...ownerKeys, ...axonKeys, ...alphaKeys, ...rootKeys], at.hash);
  const take = (() => {
    let o = 0;
    return (len: number) => {
      const part = raw3.slice(o, o + len);
      o += len;
      return part;
    };
  })();
  const owners = take(n);
  const axonsRaw = hasAxons ? take(n) : [];
  const alphaRaw = take(n);
  const rootRaw = netuid === 0 ? alphaRaw : take(n);

  const taoWeight = hyperparameters.taoWeight ?? 0;
  const alphaStake = alphaRaw.map((r) => raoToTokens(u64(r)));
  const taoStake = netuid === 0 ? alphaStake.map(() => 0) : rootRaw.map((r) => raoToTokens(u64(r)));
  const meta: Metagraph = {
    netuid,
    block: at.number,
    blockHash: at.hash,
    n,
    hyperparameters,
    uids,
    hotkeys,
    coldkeys: owners.map((r) => ss58(r ?? new Uint8Array(32), ss58Format)),
    alphaStake,
    taoStake,
    stake: alphaStake.map((a, i) => a + taoWeight * (taoStake[i] ?? 0)),
    rank: prop('rank'),
    trust: prop('trust'),
    consensus: prop('consensus'),
    incentive: prop('incentive'),
    dividends: prop('dividends'),
    validatorTrust: prop('validatorTrust'),
    emission: padTo((vec.emission ?? []) as number[], n, 0).map((x) => raoToTokens(x)),
    active: padTo((vec.active ?? []) as boolean[], n, false),
    lastUpdate: padTo((vec.lastUpdate ?? []) as number[], n, 0).map(Number),
    validatorPermit: padTo((vec.validatorPermit ?? []) as boolean[], n, false),
    axons: uids.map((u) => (hasAxons ? decodeAxonInfo(axonsRaw[u]) : null) ?? { ...NEVER_SERVED }),
  };
  const w = rows('weights', n, wKeys.length);
  if (w) meta.weights = w;
  const b = rows('bonds', n + wKeys.length, bKeys.length);
  if (b) meta.bonds = b;
  return meta;
}
