/**
 * Genesis: the dev accounts (//Alice..//Ferdie, funded, Alice is sudo), the root network, and optional
 * subnets with hyperparameters and neurons from a DevnetGenesis (object or JSON file).
 */
import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, isHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { encodeIp, taoToRao } from '@subnetkit/core';
import type { Chain } from './chain.js';
import type { AccountId } from './runtime/runtime.js';

/** Names of the funded development accounts, in order. Each is the sr25519 key of `//<Name>`. */
export const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;

/** Free balance of each dev account at genesis: 1,000,000 TAO. */
export const DEV_BALANCE_RAO = 1_000_000n * 1_000_000_000n;

/** An amount in TAO: a number or a decimal string (up to 9 decimals). */
export type TaoAmount = number | string;

/** Hyperparameters a genesis subnet can set (each maps to the SubtensorModule item named in the README). */
export interface GenesisHyperparameters {
  tempo?: number;
  weightsRateLimit?: number;
  minAllowedWeights?: number;
  maxWeightsLimit?: number;
  commitRevealWeightsEnabled?: boolean;
  revealPeriodEpochs?: number;
  weightsVersionKey?: number | string;
  immunityPeriod?: number;
  maxAllowedUids?: number;
  maxAllowedValidators?: number;
  /** Registration burn in TAO. */
  burn?: TaoAmount;
  minBurn?: TaoAmount;
  maxBurn?: TaoAmount;
  servingRateLimit?: number;
  registrationAllowed?: boolean;
  activityCutoff?: number;
  kappa?: number;
  rho?: number;
  bondsMovingAverage?: number | string;
  bondsPenalty?: number;
  yuma3Enabled?: boolean;
  liquidAlphaEnabled?: boolean;
}

export interface GenesisAxon {
  /** IPv4 or IPv6 address text. */
  ip: string;
  port: number;
  version?: number;
  protocol?: number;
}

export interface GenesisNeuron {
  /** Hotkey: a dev name ("alice"), a secret URI ("//Alice//hot1") or an SS58 address / 0x public key. */
  hotkey: string;
  /** Coldkey, same forms as hotkey. */
  coldkey: string;
  /** Stake in TAO, credited from coldkey to hotkey on this subnet (minted, not taken from the balance). */
  stake?: TaoAmount;
  axon?: GenesisAxon;
}

export interface GenesisSubnet {
  netuid: number;
  /** Owner coldkey (same forms as GenesisNeuron.hotkey). */
  owner: string;
  /** Owner hotkey; when given it becomes uid 0, like register_network. */
  ownerHotkey?: string;
  hyperparameters?: GenesisHyperparameters;
  neurons?: GenesisNeuron[];
}

/** The genesis file format (see README). */
export interface DevnetGenesis {
  /** Extra funded accounts. */
  accounts?: { address: string; balance: TaoAmount }[];
  /** Sudo key (default //Alice). */
  sudo?: string;
  /** Global parameters. */
  stakeThreshold?: TaoAmount;
  adminFreezeWindow?: number;
  networkMinLockCost?: TaoAmount;
  /** Period of the devnet's drand beacon, whole seconds (default 3, as drand quicknet). */
  drandPeriod?: number;
  subnets?: GenesisSubnet[];
}

const keyCache = new Map<string, AccountId>();
let keyring: Keyring | null = null;

/** Resolves an account reference (dev name, secret URI, SS58 or 0x public key) to its 32-byte id. */
export function resolveAccount(ref: string): AccountId {
  const hit = keyCache.get(ref);
  if (hit) return hit;
  let out: AccountId;
  const dev = DEV_ACCOUNTS.find((n) => n.toLowerCase() === ref.toLowerCase());
  if (dev) out = resolveAccount(`//${dev}`);
  else if (ref.includes('//') || ref.includes(' ')) {
    keyring ??= new Keyring({ type: 'sr25519', ss58Format: 42 });
    out = keyring.createFromUri(ref).publicKey;
  } else if (isHex(ref) && ref.length === 66) out = hexToU8a(ref);
  else {
    try {
      out = decodeAddress(ref);
    } catch {
      throw new Error(
        `genesis: '${ref}' is neither a dev account name, a secret URI (//Name), an SS58 address nor a 0x public key`,
      );
    }
  }
  keyCache.set(ref, out);
  return out;
}

/** A genesis TAO amount in rao (core's taoToRao), with the error saying it comes from the genesis. */
function genesisRao(v: TaoAmount): bigint {
  try {
    return taoToRao(v);
  } catch (e) {
    throw new Error(`genesis: ${(e as Error).message}`);
  }
}

/** Loads a genesis file (JSON). */
export function loadGenesisFile(path: string): DevnetGenesis {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`devnet: cannot read the genesis file ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as DevnetGenesis;
  } catch (e) {
    throw new Error(`devnet: the genesis file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

const HYPER: Record<keyof GenesisHyperparameters, [string, 'u16' | 'u64' | 'bool' | 'tao']> = {
  tempo: ['Tempo', 'u16'],
  weightsRateLimit: ['WeightsSetRateLimit', 'u64'],
  minAllowedWeights: ['MinAllowedWeights', 'u16'],
  maxWeightsLimit: ['MaxWeightsLimit', 'u16'],
  commitRevealWeightsEnabled: ['CommitRevealWeightsEnabled', 'bool'],
  revealPeriodEpochs: ['RevealPeriodEpochs', 'u64'],
  weightsVersionKey: ['WeightsVersionKey', 'u64'],
  immunityPeriod: ['ImmunityPeriod', 'u16'],
  maxAllowedUids: ['MaxAllowedUids', 'u16'],
  maxAllowedValidators: ['MaxAllowedValidators', 'u16'],
  burn: ['Burn', 'tao'],
  minBurn: ['MinBurn', 'tao'],
  maxBurn: ['MaxBurn', 'tao'],
  servingRateLimit: ['ServingRateLimit', 'u64'],
  registrationAllowed: ['NetworkRegistrationAllowed', 'bool'],
  activityCutoff: ['ActivityCutoff', 'u16'],
  kappa: ['Kappa', 'u16'],
  rho: ['Rho', 'u16'],
  bondsMovingAverage: ['BondsMovingAverage', 'u64'],
  bondsPenalty: ['BondsPenalty', 'u16'],
  yuma3Enabled: ['Yuma3On', 'bool'],
  liquidAlphaEnabled: ['LiquidAlphaOn', 'bool'],
};

/** Writes the genesis state into a fresh chain (block 0) and seals the genesis block. */
export function buildGenesis(chain: Chain, genesis: DevnetGenesis = {}): void {
  const rt = chain.rt;
  const s = rt.state;
  rt.blockNumber = 0;
  rt.events = [];
  for (const name of DEV_ACCOUNTS) rt.setFree(resolveAccount(name), DEV_BALANCE_RAO);
  rt.adjustIssuance(DEV_BALANCE_RAO * BigInt(DEV_ACCOUNTS.length));
  for (const a of genesis.accounts ?? []) {
    const amount = genesisRao(a.balance);
    rt.setFree(resolveAccount(a.address), amount);
    rt.adjustIssuance(amount);
  }
  s.set('Sudo.Key', resolveAccount(genesis.sudo ?? 'Alice'));
  // Root network (netuid 0), as on a real chain.
  s.set('SubtensorModule.NetworksAdded', 0, true);
  s.set('SubtensorModule.TotalNetworks', 1);
  s.set('SubtensorModule.SubtokenEnabled', 0, true);
  // Devnet difference: no admin freeze window, so hyperparameters can be changed in any block.
  s.set('SubtensorModule.AdminFreezeWindow', genesis.adminFreezeWindow ?? 0);
  if (genesis.stakeThreshold !== undefined)
    s.set('SubtensorModule.StakeThreshold', genesisRao(genesis.stakeThreshold));
  if (genesis.networkMinLockCost !== undefined)
    s.set('SubtensorModule.NetworkMinLockCost', genesisRao(genesis.networkMinLockCost));
  s.set('Timestamp.Now', BigInt(Date.now()));

  for (const sn of genesis.subnets ?? []) {
    if (!Number.isInteger(sn.netuid) || sn.netuid < 1 || sn.netuid > 65535)
      throw new Error(`genesis: netuid ${sn.netuid} must be an integer in 1..65535`);
    if (chain.sub.exists(sn.netuid) || s.get<boolean>('SubtensorModule.NetworksAdded', sn.netuid))
      throw new Error(`genesis: netuid ${sn.netuid} is listed twice`);
    const owner = resolveAccount(sn.owner);
    const ownerHot = sn.ownerHotkey ? resolveAccount(sn.ownerHotkey) : null;
    // Without an owner hotkey the subnet has no owner neuron and SubnetOwnerHotkey = the owner coldkey.
    chain.sub.createSubnet(sn.netuid, owner, ownerHot ?? owner, 0n, ownerHot !== null);
    s.set('SubtensorModule.SubtokenEnabled', sn.netuid, true);
    s.set('SubtensorModule.FirstEmissionBlockNumber', sn.netuid, 1n);
    for (const [k, v] of Object.entries(sn.hyperparameters ?? {})) {
      const spec = HYPER[k as keyof GenesisHyperparameters];
      if (!spec) throw new Error(`genesis: unknown hyperparameter '${k}' on netuid ${sn.netuid}`);
      const [item, kind] = spec;
      const value =
        kind === 'bool'
          ? Boolean(v)
          : kind === 'u16'
            ? Number(v)
            : kind === 'tao'
              ? genesisRao(v as TaoAmount)
              : BigInt(v as number);
      s.set(`SubtensorModule.${item}`, sn.netuid, value);
    }
    const n = (sn.neurons ?? []).length + (ownerHot ? 1 : 0);
    if (n > s.get<number>('SubtensorModule.MaxAllowedUids', sn.netuid))
      throw new Error(
        `genesis: netuid ${sn.netuid} lists ${n} neurons but maxAllowedUids is ${s.get<number>('SubtensorModule.MaxAllowedUids', sn.netuid)}; raise hyperparameters.maxAllowedUids`,
      );
    const hotkeys: AccountId[] = [];
    const seen = new Set<string>();
    for (const nr of sn.neurons ?? []) {
      const hot = resolveAccount(nr.hotkey);
      const cold = resolveAccount(nr.coldkey);
      const hex = Buffer.from(hot).toString('hex');
      if (seen.has(hex) || chain.sub.uidOf(sn.netuid, hot) !== null)
        throw new Error(`genesis: hotkey ${nr.hotkey} is listed twice on netuid ${sn.netuid}`);
      seen.add(hex);
      if (
        s.has('SubtensorModule.Owner', hot) &&
        !Buffer.from(s.get<Uint8Array>('SubtensorModule.Owner', hot)).equals(Buffer.from(cold))
      )
        throw new Error(`genesis: hotkey ${nr.hotkey} belongs to another coldkey`);
      chain.sub.associate(hot, cold);
      hotkeys.push(hot);
      if (nr.stake !== undefined) chain.sub.creditStake(cold, hot, sn.netuid, genesisRao(nr.stake));
      if (nr.axon) {
        let ip: bigint;
        let ipType: number;
        try {
          ({ ip, ipType } = encodeIp(nr.axon.ip));
        } catch (e) {
          throw new Error(`genesis: axon of ${nr.hotkey}: ${(e as Error).message}`);
        }
        s.set('SubtensorModule.Axons', sn.netuid, hot, {
          block: 0n,
          version: nr.axon.version ?? 0,
          ip,
          port: nr.axon.port,
          ip_type: ipType,
          protocol: nr.axon.protocol ?? 4,
          placeholder1: 0,
          placeholder2: 0,
        });
      }
    }
    chain.sub.appendNeurons(sn.netuid, hotkeys);
    chain.sub.epoch(sn.netuid);
  }
  chain.drand.initBeacon(genesis.drandPeriod ?? 3);
  rt.events = [];
  rt.invalidateNetuids();
  chain.sealGenesis();
}
