/**
 * SubtensorModule: subnets, registration, serving, weights (direct and commit-reveal v2), staking, and the
 * per-block epoch schedule (validator permits). Checks run in subtensor's order with its error names.
 */
import {
  blocksUntilNextEpoch,
  checkWeightsAgainstChainRules,
  epochIndex,
  epochRunsAt,
  firstBlockOfEpoch,
  netuidStorageIndex,
} from '@subnetkit/core';
import { u8aEq } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { Writer } from '../scale/codec.js';
import { st } from './errors.js';
import { maxUpscale } from './weights.js';
import type { AccountId, Origin, Runtime } from './runtime.js';
import { accrueBlockEmission, runSubnetEpoch } from './yuma.js';

const S = 'SubtensorModule';
/** subtensor's DefaultMinStake (rao). */
export const MIN_STAKE = 2_000_000n;
const MAX_UNREVEALED_COMMITS = 10;
const U64F64_ONE = 1n << 64n;

/** Per-uid vectors that grow with every new neuron: [item, value for a new uid]. */
const UID_VECTORS: [string, number | bigint | boolean | 'now'][] = [
  ['Rank', 0],
  ['Trust', 0],
  ['Active', true],
  ['Emission', 0n],
  ['Consensus', 0],
  ['Incentive', 0],
  ['Dividends', 0],
  ['LastUpdate', 'now'],
  ['PruningScores', 0],
  ['ValidatorTrust', 0],
  ['ValidatorPermit', false],
];

type WeightCommit = [Uint8Array, bigint, bigint, bigint];

export class Subtensor {
  constructor(private readonly rt: Runtime) {}

  private get s() {
    return this.rt.state;
  }

  private get now(): number {
    return this.rt.blockNumber;
  }

  exists(netuid: number): boolean {
    return this.s.get<boolean>(`${S}.NetworksAdded`, netuid);
  }

  uidOf(netuid: number, hotkey: AccountId): number | null {
    return this.s.get<number | null>(`${S}.Uids`, netuid, hotkey);
  }

  // ---- epochs ------------------------------------------------------------------------------------------

  /** Epoch index of a block on a subnet (spec 381's stateless formula: core's epochIndex). */
  epochIndex(netuid: number, block: number): number {
    return epochIndex(block, netuid, this.s.get<number>(`${S}.Tempo`, netuid));
  }

  /** Blocks until the next epoch of the subnet (0 = the epoch runs in this block; Infinity when tempo is 0). */
  blocksUntilNextEpoch(netuid: number, block: number): number {
    return blocksUntilNextEpoch(block, netuid, this.s.get<number>(`${S}.Tempo`, netuid));
  }

  /** Block initialisation: advances every subnet's step counter and runs due epochs. */
  onInitialize(): void {
    for (const netuid of this.rt.netuids()) {
      if (netuid === 0) continue;
      accrueBlockEmission(this.rt, netuid);
      if (epochRunsAt(this.now, netuid, this.s.get<number>(`${S}.Tempo`, netuid))) {
        this.epoch(netuid);
        this.s.set(`${S}.BlocksSinceLastStep`, netuid, 0n);
        this.s.set(`${S}.LastMechansimStepBlock`, netuid, BigInt(this.now));
        this.s.set(`${S}.LastEpochBlock`, netuid, BigInt(this.now));
        this.s.mutate<bigint>(`${S}.SubnetEpochIndex`, [netuid], (v) => v + 1n);
      } else {
        this.s.mutate<bigint>(`${S}.BlocksSinceLastStep`, [netuid], (v) => v + 1n);
      }
    }
  }

  /** The Yuma epoch (src/runtime/yuma.ts): consensus, storage outputs and emission payout. */
  epoch(netuid: number): void {
    runSubnetEpoch(this.rt, this, netuid);
  }

  // ---- subnets -------------------------------------------------------------------------------------------

  /** Creates a subnet with subtensor's creation defaults (plus the devnet's, see README). */
  createSubnet(
    netuid: number,
    coldkey: AccountId,
    hotkey: AccountId,
    lock: bigint,
    ownerNeuron = true,
  ): void {
    const s = this.s;
    s.set(`${S}.NetworksAdded`, netuid, true);
    s.mutate<number>(`${S}.TotalNetworks`, [], (v) => v + 1);
    s.set(`${S}.NetworkRegisteredAt`, netuid, BigInt(this.now));
    s.set(`${S}.SubnetOwner`, netuid, coldkey);
    s.set(`${S}.SubnetOwnerHotkey`, netuid, hotkey);
    s.set(`${S}.SubnetMechanism`, netuid, 1);
    s.set(`${S}.NetworkRegistrationAllowed`, netuid, true);
    s.set(`${S}.MaxAllowedUids`, netuid, 256);
    s.set(`${S}.MaxAllowedValidators`, netuid, 64);
    s.set(`${S}.MinAllowedWeights`, netuid, 1);
    s.set(`${S}.ImmunityPeriod`, netuid, 5000);
    s.set(`${S}.Yuma3On`, netuid, true);
    s.set(`${S}.Burn`, netuid, 1_000_000_000n);
    s.set(`${S}.Tempo`, netuid, s.item(`${S}.Tempo`).defaultValue());
    // Devnet difference: new subnets start with commit-reveal off (subtensor: on).
    s.set(`${S}.CommitRevealWeightsEnabled`, netuid, false);
    s.set(`${S}.SubnetLocked`, netuid, lock);
    s.set(`${S}.LastEpochBlock`, netuid, BigInt(this.now));
    if (ownerNeuron) {
      this.associate(hotkey, coldkey);
      this.appendNeuron(netuid, hotkey);
    }
    this.rt.invalidateNetuids();
  }

  /** Records the hotkey's owning coldkey (Owner, OwnedHotkeys) if it has none yet. */
  associate(hotkey: AccountId, coldkey: AccountId): void {
    if (this.s.has(`${S}.Owner`, hotkey)) return;
    this.s.set(`${S}.Owner`, hotkey, coldkey);
    this.s.append(`${S}.OwnedHotkeys`, [coldkey], hotkey);
  }

  appendNeuron(netuid: number, hotkey: AccountId): number {
    const s = this.s;
    const uid = s.get<number>(`${S}.SubnetworkN`, netuid);
    this.writeNeuron(netuid, uid, hotkey);
    for (const [item, v] of UID_VECTORS)
      s.vecSet(`${S}.${item}`, [netuid], uid, v === 'now' ? BigInt(this.now) : v);
    s.set(`${S}.SubnetworkN`, netuid, uid + 1);
    this.rt.deposit(S, 'NeuronRegistered', netuid, uid, hotkey);
    return uid;
  }

  private writeNeuron(netuid: number, uid: number, hotkey: AccountId): void {
    const s = this.s;
    s.set(`${S}.Keys`, netuid, uid, hotkey);
    s.set(`${S}.Uids`, netuid, hotkey, uid);
    s.set(`${S}.BlockAtRegistration`, netuid, uid, BigInt(this.now));
    s.set(`${S}.IsNetworkMember`, hotkey, netuid, true);
  }

  /** Appends many neurons at once (genesis): the per-uid vectors are written once, not once per neuron. */
  appendNeurons(netuid: number, hotkeys: AccountId[]): void {
    const s = this.s;
    const first = s.get<number>(`${S}.SubnetworkN`, netuid);
    hotkeys.forEach((h, i) => {
      this.writeNeuron(netuid, first + i, h);
    });
    const n = first + hotkeys.length;
    for (const [item, v] of UID_VECTORS) {
      const old = s.get<ArrayLike<unknown>>(`${S}.${item}`, netuid);
      const fill = v === 'now' ? BigInt(this.now) : v;
      const next = Array.from({ length: n }, (_, i) => (i < old.length ? old[i] : fill));
      s.set(`${S}.${item}`, netuid, next);
    }
    s.set(`${S}.SubnetworkN`, netuid, n);
  }

  private replaceNeuron(netuid: number, uid: number, hotkey: AccountId): void {
    const s = this.s;
    const old = s.get<Uint8Array>(`${S}.Keys`, netuid, uid);
    s.remove(`${S}.Uids`, netuid, old);
    s.remove(`${S}.Axons`, netuid, old);
    s.remove(`${S}.Prometheus`, netuid, old);
    s.remove(`${S}.NeuronCertificates`, netuid, old);
    s.remove(`${S}.IsNetworkMember`, old, netuid);
    s.set(`${S}.Keys`, netuid, uid, hotkey);
    s.set(`${S}.Uids`, netuid, hotkey, uid);
    s.set(`${S}.BlockAtRegistration`, netuid, uid, BigInt(this.now));
    s.set(`${S}.IsNetworkMember`, hotkey, netuid, true);
    s.remove(`${S}.Weights`, netuid, uid);
    s.remove(`${S}.Bonds`, netuid, uid);
    for (const [item, v] of UID_VECTORS)
      s.vecSet(`${S}.${item}`, [netuid], uid, v === 'now' ? BigInt(this.now) : v);
    this.rt.deposit(S, 'NeuronRegistered', netuid, uid, hotkey);
  }

  /** subtensor's get_neuron_to_prune: lowest emission among non-immune, non-owner uids. */
  neuronToPrune(netuid: number): number | null {
    const s = this.s;
    const n = s.get<number>(`${S}.SubnetworkN`, netuid);
    const immunity = BigInt(s.get<number>(`${S}.ImmunityPeriod`, netuid));
    const ownerHot = s.get<Uint8Array>(`${S}.SubnetOwnerHotkey`, netuid);
    const emission = s.get<bigint[]>(`${S}.Emission`, netuid);
    const now = BigInt(this.now);
    let best: [number, bigint, bigint] | null = null;
    for (let uid = 0; uid < n; uid++) {
      const reg = s.get<bigint>(`${S}.BlockAtRegistration`, netuid, uid);
      if (now - reg < immunity) continue;
      if (u8aEq(s.get<Uint8Array>(`${S}.Keys`, netuid, uid), ownerHot)) continue;
      const e = emission[uid] ?? 0n;
      if (!best || e < best[1] || (e === best[1] && reg < best[2])) best = [uid, e, reg];
    }
    return best ? best[0] : null;
  }

  registerNetwork(coldkey: AccountId, hotkey: AccountId): number {
    const s = this.s;
    const owner = s.get<Uint8Array>(`${S}.Owner`, hotkey);
    if (s.has(`${S}.Owner`, hotkey) && !u8aEq(owner, coldkey)) throw st('NonAssociatedColdKey');
    const lock = s.get<bigint>(`${S}.NetworkMinLockCost`);
    if (this.rt.free(coldkey) < lock) throw st('CannotAffordLockCost');
    let netuid = 1;
    while (this.exists(netuid)) netuid++;
    if (lock > 0n) this.rt.withdraw(coldkey, lock, st('CannotAffordLockCost'));
    s.set(`${S}.NetworkLastLockCost`, lock);
    this.createSubnet(netuid, coldkey, hotkey, lock);
    this.rt.deposit(S, 'NetworkAdded', netuid, 1);
    return netuid;
  }

  startCall(coldkey: AccountId, netuid: number): void {
    const s = this.s;
    if (!this.exists(netuid)) throw st('SubnetNotExists');
    if (!u8aEq(s.get<Uint8Array>(`${S}.SubnetOwner`, netuid), coldkey)) throw st('NotSubnetOwner');
    if (s.has(`${S}.FirstEmissionBlockNumber`, netuid)) throw st('FirstEmissionBlockNumberAlreadySet');
    const at = s.get<bigint>(`${S}.NetworkRegisteredAt`, netuid) + s.get<bigint>(`${S}.StartCallDelay`);
    if (BigInt(this.now) < at) throw st('NeedWaitingMoreBlocksToStarCall');
    const first = BigInt(this.now + 1);
    s.set(`${S}.FirstEmissionBlockNumber`, netuid, first);
    s.set(`${S}.SubtokenEnabled`, netuid, true);
    this.rt.deposit(S, 'FirstEmissionBlockNumberSet', netuid, first);
  }

  /** burned_register: the coldkey pays Burn[netuid]; a full subnet replaces its pruning candidate. */
  burnedRegister(coldkey: AccountId, netuid: number, hotkey: AccountId): number {
    const s = this.s;
    if (netuid === 0) throw st('RegistrationNotPermittedOnRootSubnet');
    if (!this.exists(netuid)) throw st('SubnetNotExists');
    if (!s.get<boolean>(`${S}.NetworkRegistrationAllowed`, netuid)) throw st('SubNetRegistrationDisabled');
    if (this.uidOf(netuid, hotkey) !== null) throw st('HotKeyAlreadyRegisteredInSubNet');
    const burn = s.get<bigint>(`${S}.Burn`, netuid);
    if (this.rt.free(coldkey) < burn) throw st('NotEnoughBalanceToStake');
    if (s.has(`${S}.Owner`, hotkey) && !u8aEq(s.get<Uint8Array>(`${S}.Owner`, hotkey), coldkey))
      throw st('NonAssociatedColdKey');
    const n = s.get<number>(`${S}.SubnetworkN`, netuid);
    const max = s.get<number>(`${S}.MaxAllowedUids`, netuid);
    let prune: number | null = null;
    if (n >= max) {
      prune = this.neuronToPrune(netuid);
      if (prune === null) throw st('NoNeuronIdAvailable');
    }
    if (burn > 0n) this.rt.withdraw(coldkey, burn, st('NotEnoughBalanceToStake'));
    s.mutate<bigint>(`${S}.RAORecycledForRegistration`, [netuid], (v) => v + burn);
    this.associate(hotkey, coldkey);
    if (prune === null) return this.appendNeuron(netuid, hotkey);
    this.replaceNeuron(netuid, prune, hotkey);
    return prune;
  }

  // ---- serving -------------------------------------------------------------------------------------------

  private validIp(ipType: number, ip: bigint): boolean {
    const strict = this.rt.options.strictServeAxon;
    if (ipType === 4) {
      if (ip >= 0xffffffffn) return false;
      if (strict && ip === 0x7f000001n) return false;
      return true;
    }
    if (ip === (1n << 128n) - 1n) return false;
    if (strict && ip === 1n) return false;
    return true;
  }

  serveAxon(hotkey: AccountId, a: Record<string, unknown>, prometheus: boolean): void {
    const s = this.s;
    const netuid = a.netuid as number;
    if (this.uidOf(netuid, hotkey) === null) throw st('HotKeyNotRegisteredInNetwork');
    const ipType = a.ip_type as number;
    if (ipType !== 4 && ipType !== 6) throw st('InvalidIpType');
    const ip = a.ip as bigint;
    if (!this.validIp(ipType, ip) || (prometheus && ip === 0n)) throw st('InvalidIpAddress');
    const item = prometheus ? `${S}.Prometheus` : `${S}.Axons`;
    const prev = s.get<{ block: bigint } | null>(item, netuid, hotkey);
    const limit = s.get<bigint>(`${S}.ServingRateLimit`, netuid);
    if (prev && limit > 0n && BigInt(this.now) - prev.block < limit) throw st('ServingRateLimitExceeded');
    if ((a.port as number) === 0) throw st('InvalidPort');
    if (prometheus) {
      s.set(item, netuid, hotkey, {
        block: BigInt(this.now),
        version: a.version,
        ip,
        port: a.port,
        ip_type: ipType,
      });
      this.rt.deposit(S, 'PrometheusServed', netuid, hotkey);
    } else {
      s.set(item, netuid, hotkey, {
        block: BigInt(this.now),
        version: a.version,
        ip,
        port: a.port,
        ip_type: ipType,
        protocol: a.protocol,
        placeholder1: a.placeholder1,
        placeholder2: a.placeholder2,
      });
      this.rt.deposit(S, 'AxonServed', netuid, hotkey);
    }
  }

  // ---- weights -------------------------------------------------------------------------------------------

  private netuidIndex(netuid: number, mecid: number): number {
    return netuidStorageIndex(netuid, mecid);
  }

  /** check_weights_min_stake: stake weight >= StakeThreshold, the subnet owner hotkey exempt. */
  meetsStakeThreshold(hotkey: AccountId, netuid: number): boolean {
    const threshold = this.s.get<bigint>(`${S}.StakeThreshold`);
    if (threshold === 0n) return true;
    if (u8aEq(this.s.get<Uint8Array>(`${S}.SubnetOwnerHotkey`, netuid), hotkey)) return true;
    return this.stakeWeight(hotkey, netuid) >= Number(threshold);
  }

  private stakeWeight(hotkey: AccountId, netuid: number): number {
    const alpha = this.s.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, netuid);
    const tao = this.s.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, 0);
    const taoWeight = Number(this.s.get<bigint>(`${S}.TaoWeight`)) / 2 ** 64;
    return Number(alpha) + Number(tao) * taoWeight;
  }

  /**
   * set_weights / set_mechanism_weights, and the tail of reveal_weights (`fromReveal`: commit-reveal is on,
   * so the CR and rate-limit checks are skipped and LastUpdate is left alone).
   */
  setWeights(
    hotkey: AccountId,
    netuid: number,
    mecid: number,
    dests: ArrayLike<number>,
    weights: ArrayLike<number>,
    versionKey: bigint,
    fromReveal = false,
  ): void {
    const s = this.s;
    const crOn = s.get<boolean>(`${S}.CommitRevealWeightsEnabled`, netuid);
    if (!fromReveal && crOn) throw st('CommitRevealEnabled');
    if (netuid === 0) throw st('CanNotSetRootNetworkWeights');
    if (dests.length !== weights.length) throw st('WeightVecNotEqualSize');
    if (!this.exists(netuid) || mecid >= s.get<number>(`${S}.MechanismCountCurrent`, netuid))
      throw st('MechanismDoesNotExist');
    const n = s.get<number>(`${S}.SubnetworkN`, netuid);
    if (dests.length > n) throw st('UidsLengthExceedUidsInSubNet');
    const uid = this.uidOf(netuid, hotkey);
    if (uid === null) throw st('HotKeyNotRegisteredInSubNet');
    const isOwnerHot = u8aEq(s.get<Uint8Array>(`${S}.SubnetOwnerHotkey`, netuid), hotkey);
    if (!this.meetsStakeThreshold(hotkey, netuid)) throw st('NotEnoughStakeToSetWeights');
    const requiredKey = s.get<bigint>(`${S}.WeightsVersionKey`, netuid);
    if (requiredKey !== 0n && versionKey < requiredKey) throw st('IncorrectWeightVersionKey');
    const idx = this.netuidIndex(netuid, mecid);
    if (!crOn) {
      const last = (s.vecGet(`${S}.LastUpdate`, [idx], uid) as bigint | undefined) ?? 0n;
      const limit = s.get<bigint>(`${S}.WeightsSetRateLimit`, netuid);
      if (last !== 0n && BigInt(this.now) - last < limit) throw st('SettingWeightsTooFast');
    }
    const selfWeight = dests.length === 1 && dests[0] === uid;
    if (!selfWeight && !isOwnerHot && s.vecGet(`${S}.ValidatorPermit`, [netuid], uid) !== true)
      throw st('NeuronNoValidatorPermit');
    const violation = checkWeightsAgainstChainRules({
      uids: dests,
      values: weights,
      n,
      minAllowedWeights: s.get<number>(`${S}.MinAllowedWeights`, netuid),
      maxWeightsLimit: s.get<number>(`${S}.MaxWeightsLimit`, netuid),
      selfUid: uid,
    });
    if (violation) throw st(violation.error);
    // Weights row: Vec<(u16, u16)>, encoded directly (rows can have 4096 entries).
    const up = maxUpscale(weights);
    const w = new Writer(8 + dests.length * 4);
    w.compact(dests.length);
    w.ensure(dests.length * 4);
    for (let i = 0; i < dests.length; i++) {
      const d = dests[i]!;
      const x = up[i]!;
      w.buf[w.len++] = d & 0xff;
      w.buf[w.len++] = d >> 8;
      w.buf[w.len++] = x & 0xff;
      w.buf[w.len++] = x >> 8;
    }
    s.setRaw(`${S}.Weights`, [idx, uid], w.finish());
    if (!crOn) s.vecSet(`${S}.LastUpdate`, [idx], uid, BigInt(this.now));
    this.rt.deposit(S, 'WeightsSet', idx, uid);
  }

  /** First and last block of the reveal window of a commit made at `commitBlock`. */
  private revealBlocks(netuid: number, commitBlock: number): [number, number] {
    const tempo = this.s.get<number>(`${S}.Tempo`, netuid);
    const period = Number(this.s.get<bigint>(`${S}.RevealPeriodEpochs`, netuid));
    const first = firstBlockOfEpoch(this.epochIndex(netuid, commitBlock) + period, netuid, tempo);
    return [first, first + tempo];
  }

  commitWeights(hotkey: AccountId, netuid: number, mecid: number, hash: Uint8Array): void {
    const s = this.s;
    if (!s.get<boolean>(`${S}.CommitRevealWeightsEnabled`, netuid)) throw st('CommitRevealDisabled');
    if (!this.exists(netuid) || mecid >= s.get<number>(`${S}.MechanismCountCurrent`, netuid))
      throw st('MechanismDoesNotExist');
    const uid = this.uidOf(netuid, hotkey);
    if (uid === null) throw st('HotKeyNotRegisteredInSubNet');
    const idx = this.netuidIndex(netuid, mecid);
    const last = (s.vecGet(`${S}.LastUpdate`, [idx], uid) as bigint | undefined) ?? 0n;
    const limit = s.get<bigint>(`${S}.WeightsSetRateLimit`, netuid);
    if (last !== 0n && BigInt(this.now) - last < limit) throw st('CommittingWeightsTooFast');
    const now = BigInt(this.now);
    const commits = (s.get<WeightCommit[] | null>(`${S}.WeightCommits`, idx, hotkey) ?? []).filter(
      (c) => c[3] >= now,
    );
    if (commits.length >= MAX_UNREVEALED_COMMITS) throw st('TooManyUnrevealedCommits');
    const [first, lastBlock] = this.revealBlocks(netuid, this.now);
    commits.push([hash, now, BigInt(first), BigInt(lastBlock)]);
    s.set(`${S}.WeightCommits`, idx, hotkey, commits);
    s.vecSet(`${S}.LastUpdate`, [idx], uid, now);
    this.rt.deposit(S, 'WeightsCommitted', hotkey, idx, hash);
  }

  revealWeights(
    hotkey: AccountId,
    netuid: number,
    mecid: number,
    uids: ArrayLike<number>,
    values: ArrayLike<number>,
    salt: ArrayLike<number>,
    versionKey: bigint,
  ): void {
    const s = this.s;
    if (!s.get<boolean>(`${S}.CommitRevealWeightsEnabled`, netuid)) throw st('CommitRevealDisabled');
    const idx = this.netuidIndex(netuid, mecid);
    const commits = s.get<WeightCommit[] | null>(`${S}.WeightCommits`, idx, hotkey);
    if (!commits || commits.length === 0) throw st('NoWeightsCommitFound');
    const w = new Writer(64 + uids.length * 4);
    w.bytes(hotkey);
    w.uint(idx, 2);
    for (const v of [uids, values, salt]) {
      w.compact(v.length);
      for (let i = 0; i < v.length; i++) w.uint(v[i]!, 2);
    }
    w.uint(versionKey, 8);
    const hash = blake2AsU8a(w.finish(), 256);
    const now = BigInt(this.now);
    const pos = commits.findIndex((c) => u8aEq(c[0], hash));
    if (pos < 0) {
      if (commits.every((c) => c[3] < now)) throw st('ExpiredWeightCommit');
      throw st('InvalidRevealCommitHashNotMatch');
    }
    const c = commits[pos]!;
    if (now < c[2]) throw st('RevealTooEarly');
    if (now > c[3]) throw st('ExpiredWeightCommit');
    const rest = commits.slice(pos + 1).filter((x) => x[3] >= now);
    if (rest.length) s.set(`${S}.WeightCommits`, idx, hotkey, rest);
    else s.remove(`${S}.WeightCommits`, idx, hotkey);
    this.setWeights(hotkey, netuid, mecid, uids, values, versionKey, true);
    this.rt.deposit(S, 'WeightsRevealed', hotkey, idx, hash);
  }

  // ---- staking (1 TAO = 1 alpha, no swap pool) -------------------------------------------------------------

  /**
   * Stakes `amount` rao from the coldkey onto the hotkey on a subnet, in subtensor's storage items.
   * `emitted`: alpha minted by emission (no TAO enters the pool: TotalStake and SubnetTAO stay).
   */
  creditStake(coldkey: AccountId, hotkey: AccountId, netuid: number, amount: bigint, emitted = false): void {
    const s = this.s;
    const total = s.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, netuid);
    const shares = s.get<{ bits: bigint }>(`${S}.TotalHotkeyShares`, hotkey, netuid).bits;
    const newShares = total === 0n || shares === 0n ? amount * U64F64_ONE : (amount * shares) / total;
    s.set(`${S}.TotalHotkeyAlpha`, hotkey, netuid, total + amount);
    s.set(`${S}.TotalHotkeyShares`, hotkey, netuid, { bits: shares + newShares });
    const mine = s.get<{ bits: bigint }>(`${S}.Alpha`, hotkey, coldkey, netuid).bits;
    s.set(`${S}.Alpha`, hotkey, coldkey, netuid, { bits: mine + newShares });
    if (!emitted) {
      s.mutate<bigint>(`${S}.TotalStake`, [], (v) => v + amount);
      s.mutate<bigint>(`${S}.SubnetTAO`, [netuid], (v) => v + amount);
    }
    s.mutate<bigint>(`${S}.SubnetAlphaOut`, [netuid], (v) => v + amount);
    if (!s.contains32(`${S}.StakingHotkeys`, [coldkey], hotkey))
      s.append(`${S}.StakingHotkeys`, [coldkey], hotkey);
  }

  /**
   * Emitted alpha paid to a hotkey for all of its stakers pro rata (subtensor's
   * increase_stake_for_hotkey_on_subnet): the shares' value grows. A hotkey without shares pays its owner.
   */
  increaseHotkeyAlpha(hotkey: AccountId, netuid: number, amount: bigint): void {
    const s = this.s;
    if (s.get<{ bits: bigint }>(`${S}.TotalHotkeyShares`, hotkey, netuid).bits === 0n) {
      this.creditStake(s.get<Uint8Array>(`${S}.Owner`, hotkey), hotkey, netuid, amount, true);
      return;
    }
    s.mutate<bigint>(`${S}.TotalHotkeyAlpha`, [hotkey, netuid], (v) => v + amount);
    s.mutate<bigint>(`${S}.SubnetAlphaOut`, [netuid], (v) => v + amount);
  }

  /** The coldkey's alpha on (hotkey, netuid): shares / total shares × TotalHotkeyAlpha. */
  stakeOf(coldkey: AccountId, hotkey: AccountId, netuid: number): bigint {
    const s = this.s;
    const total = s.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, netuid);
    const shares = s.get<{ bits: bigint }>(`${S}.TotalHotkeyShares`, hotkey, netuid).bits;
    const mine = s.get<{ bits: bigint }>(`${S}.Alpha`, hotkey, coldkey, netuid).bits;
    if (shares === 0n) return 0n;
    return (mine * total) / shares;
  }

  addStake(coldkey: AccountId, hotkey: AccountId, netuid: number, amount: bigint): void {
    const s = this.s;
    if (!this.exists(netuid)) throw st('SubnetNotExists');
    if (netuid !== 0 && !s.get<boolean>(`${S}.SubtokenEnabled`, netuid)) throw st('SubtokenDisabled');
    if (amount < MIN_STAKE) throw st('AmountTooLow');
    if (this.rt.free(coldkey) < amount) throw st('NotEnoughBalanceToStake');
    if (!s.has(`${S}.Owner`, hotkey)) throw st('HotKeyAccountNotExists');
    this.rt.withdraw(coldkey, amount, st('NotEnoughBalanceToStake'));
    this.creditStake(coldkey, hotkey, netuid, amount);
    this.rt.deposit(S, 'StakeAdded', coldkey, hotkey, amount, amount, netuid, 0n);
  }

  removeStake(coldkey: AccountId, hotkey: AccountId, netuid: number, amount: bigint): void {
    const s = this.s;
    if (!this.exists(netuid)) throw st('SubnetNotExists');
    if (netuid !== 0 && !s.get<boolean>(`${S}.SubtokenEnabled`, netuid)) throw st('SubtokenDisabled');
    if (amount === 0n) throw st('AmountTooLow');
    if (!s.has(`${S}.Owner`, hotkey)) throw st('HotKeyAccountNotExists');
    const mine = this.stakeOf(coldkey, hotkey, netuid);
    if (mine < amount) throw st('NotEnoughStakeToWithdraw');
    const total = s.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, netuid);
    const shares = s.get<{ bits: bigint }>(`${S}.TotalHotkeyShares`, hotkey, netuid).bits;
    const myShares = s.get<{ bits: bigint }>(`${S}.Alpha`, hotkey, coldkey, netuid).bits;
    const burnShares = amount === mine ? myShares : (amount * shares + total - 1n) / total;
    s.set(`${S}.TotalHotkeyAlpha`, hotkey, netuid, total - amount);
    s.set(`${S}.TotalHotkeyShares`, hotkey, netuid, { bits: shares - burnShares });
    if (myShares - burnShares <= 0n) s.remove(`${S}.Alpha`, hotkey, coldkey, netuid);
    else s.set(`${S}.Alpha`, hotkey, coldkey, netuid, { bits: myShares - burnShares });
    s.mutate<bigint>(`${S}.TotalStake`, [], (v) => (v > amount ? v - amount : 0n));
    s.mutate<bigint>(`${S}.SubnetTAO`, [netuid], (v) => (v > amount ? v - amount : 0n));
    s.mutate<bigint>(`${S}.SubnetAlphaOut`, [netuid], (v) => (v > amount ? v - amount : 0n));
    this.rt.depositInto(coldkey, amount);
    this.rt.deposit(S, 'StakeRemoved', coldkey, hotkey, amount, amount, netuid, 0n);
  }
}

/** Wires the SubtensorModule calls into the runtime. */
export function registerSubtensor(rt: Runtime): Subtensor {
  const sub = new Subtensor(rt);
  const signed = (o: Origin) => rt.ensureSigned(o);
  const u64 = (v: unknown) => BigInt(v as bigint);
  rt.on(S, 'set_weights', (_r, o, a) =>
    sub.setWeights(
      signed(o),
      a.netuid as number,
      0,
      a.dests as ArrayLike<number>,
      a.weights as ArrayLike<number>,
      u64(a.version_key),
    ),
  );
  rt.on(S, 'set_mechanism_weights', (_r, o, a) =>
    sub.setWeights(
      signed(o),
      a.netuid as number,
      a.mecid as number,
      a.dests as ArrayLike<number>,
      a.weights as ArrayLike<number>,
      u64(a.version_key),
    ),
  );
  rt.on(S, 'commit_weights', (_r, o, a) =>
    sub.commitWeights(signed(o), a.netuid as number, 0, a.commit_hash as Uint8Array),
  );
  rt.on(S, 'commit_mechanism_weights', (_r, o, a) =>
    sub.commitWeights(signed(o), a.netuid as number, a.mecid as number, a.commit_hash as Uint8Array),
  );
  rt.on(S, 'reveal_weights', (_r, o, a) =>
    sub.revealWeights(
      signed(o),
      a.netuid as number,
      0,
      a.uids as ArrayLike<number>,
      a.values as ArrayLike<number>,
      a.salt as ArrayLike<number>,
      u64(a.version_key),
    ),
  );
  rt.on(S, 'reveal_mechanism_weights', (_r, o, a) =>
    sub.revealWeights(
      signed(o),
      a.netuid as number,
      a.mecid as number,
      a.uids as ArrayLike<number>,
      a.values as ArrayLike<number>,
      a.salt as ArrayLike<number>,
      u64(a.version_key),
    ),
  );
  rt.on(S, 'serve_axon', (_r, o, a) => sub.serveAxon(signed(o), a, false));
  rt.on(S, 'serve_prometheus', (_r, o, a) => sub.serveAxon(signed(o), a, true));
  rt.on(S, 'burned_register', (_r, o, a) => {
    sub.burnedRegister(signed(o), a.netuid as number, a.hotkey as Uint8Array);
  });
  rt.on(S, 'register_network', (_r, o, a) => {
    sub.registerNetwork(signed(o), a.hotkey as Uint8Array);
  });
  rt.on(S, 'start_call', (_r, o, a) => sub.startCall(signed(o), a.netuid as number));
  rt.on(S, 'add_stake', (_r, o, a) =>
    sub.addStake(signed(o), a.hotkey as Uint8Array, a.netuid as number, u64(a.amount_staked)),
  );
  rt.on(S, 'remove_stake', (_r, o, a) =>
    sub.removeStake(signed(o), a.hotkey as Uint8Array, a.netuid as number, u64(a.amount_unstaked)),
  );
  return sub;
}
