/**
 * The drand side of the devnet: its own beacon (BLS12-381, the quicknet scheme `bls-unchained-g1-rfc9380`)
 * whose pulses are stored as subtensor's Drand pallet stores them, the timelocked weight commits of
 * SubtensorModule (`commit_timelocked_weights` and its mechanism variants), and their reveal by the chain
 * (subtensor `reveal_crv3_commits_for_subnet`), with subtensor's checks and error names.
 *
 * Devnet differences: the beacon key is derived from a public devnet seed (like the //Alice dev keys, so
 * anyone can open a devnet commit early), pulses are signed in block initialisation from the devnet's wall
 * clock (subtensor ingests them through an off-chain worker's unsigned `write_pulse`), and commits are keyed
 * by the legacy epoch index the rest of the devnet (spec 381) uses.
 */
import {
  beaconKeyPairFromSeed,
  beaconRandomness,
  beaconSign,
  currentBeaconRound,
  decodeWeightsTlockPayload,
  timelockDecrypt,
} from '@subnetkit/core';
import { u8aEq } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { DispatchError, st } from './errors.js';
import type { AccountId, Origin, Runtime } from './runtime.js';
import { hashKeyPart } from './storage.js';
import type { Subtensor } from './subtensor.js';

const S = 'SubtensorModule';
const D = 'Drand';
/** At most this many pulses are written per block while catching up (the pallet's off-chain worker cap). */
export const MAX_PULSES_PER_BLOCK = 50;
/** Unrevealed timelocked commits one hotkey may have in one epoch (subtensor: 10). */
const MAX_UNREVEALED = 10;
/** Pulses older than this many rounds are pruned (OldestStoredRound advances). */
const KEEP_PULSES = 10_000;
/** subtensor's MAX_CRV3_COMMIT_SIZE_BYTES. */
const MAX_COMMIT_BYTES = 5000;
/** The public seed of the devnet beacon key. */
export const DEVNET_BEACON_SEED = 'subnetkit devnet drand beacon';

export interface BeaconConfiguration {
  public_key: Uint8Array;
  period: number;
  genesis_time: number;
  hash: Uint8Array;
  group_hash: Uint8Array;
  scheme_id: Uint8Array;
  metadata: { beacon_id: Uint8Array };
}

type TimelockedCommit = [AccountId, bigint, Uint8Array, bigint];

const text = (s: string) => new TextEncoder().encode(s);

export class Drand {
  private readonly beacon = beaconKeyPairFromSeed(text(DEVNET_BEACON_SEED));

  constructor(
    private readonly rt: Runtime,
    private readonly sub: Subtensor,
    /** Wall clock, ms (replaceable in tests). */
    public clock: () => number = Date.now,
  ) {}

  private get s() {
    return this.rt.state;
  }

  /**
   * Writes the devnet's BeaconConfig (its own key, the given period, genesis = now). Called at genesis;
   * a restored state keeps the one it has.
   */
  initBeacon(periodSeconds: number): void {
    if (!Number.isInteger(periodSeconds) || periodSeconds < 1)
      throw new Error(
        `devnet: the drand period must be a whole number of seconds >= 1, got ${periodSeconds}`,
      );
    const cfg: BeaconConfiguration = {
      public_key: this.beacon.publicKey,
      period: periodSeconds,
      genesis_time: Math.floor(this.clock() / 1000),
      hash: blake2AsU8a(this.beacon.publicKey, 256),
      group_hash: blake2AsU8a(text(`group ${DEVNET_BEACON_SEED}`), 256),
      scheme_id: text('bls-unchained-g1-rfc9380'),
      metadata: { beacon_id: text('subnetkit-devnet') },
    };
    this.s.set(`${D}.BeaconConfig`, cfg);
  }

  config(): BeaconConfiguration {
    return this.s.get<BeaconConfiguration>(`${D}.BeaconConfig`);
  }

  /** Whether BeaconConfig holds this devnet's key (a state from before the drand side holds quicknet's). */
  private ownsBeacon(): boolean {
    return u8aEq(this.config().public_key, this.beacon.publicKey);
  }

  /** Block initialisation: ingest due pulses, then reveal matured timelocked commits (subtensor's order). */
  onInitialize(): void {
    this.writePulses();
    for (const netuid of this.rt.netuids()) if (netuid !== 0) this.revealForSubnet(netuid);
  }

  /** Signs and stores every round the beacon has produced since the last stored one (capped per block). */
  writePulses(): void {
    if (!this.ownsBeacon()) return;
    const cfg = this.config();
    const latest = currentBeaconRound(this.clock() / 1000, cfg.genesis_time, cfg.period);
    let last = this.s.get<bigint>(`${D}.LastStoredRound`);
    if (latest <= last) return;
    const rounds: bigint[] = [];
    // A long pause (stopped devnet) catches up from the newest rounds back, like a fresh drand pallet.
    const from =
      latest - last > BigInt(MAX_PULSES_PER_BLOCK) ? latest - BigInt(MAX_PULSES_PER_BLOCK) + 1n : last + 1n;
    for (let r = from; r <= latest; r++) {
      const signature = beaconSign(this.beacon.secretKey, r);
      this.s.set(`${D}.Pulses`, r, { round: r, randomness: beaconRandomness(signature), signature });
      rounds.push(r);
    }
    last = latest;
    this.s.set(`${D}.LastStoredRound`, last);
    const oldest = this.s.get<bigint>(`${D}.OldestStoredRound`);
    if (oldest === 0n) this.s.set(`${D}.OldestStoredRound`, from);
    else if (last - oldest > BigInt(KEEP_PULSES)) {
      const newOldest = last - BigInt(KEEP_PULSES);
      for (let r = oldest; r < newOldest; r++) this.s.remove(`${D}.Pulses`, r);
      this.s.set(`${D}.OldestStoredRound`, newOldest);
    }
    this.rt.deposit(D, 'NewPulse', rounds);
  }

  // ---- SubtensorModule: commit_timelocked_weights ------------------------------------------------------

  commitTimelocked(
    who: AccountId,
    netuid: number,
    mecid: number,
    commit: Uint8Array,
    revealRound: bigint,
    version: number | null,
  ): void {
    const s = this.s;
    if (!this.sub.exists(netuid) || mecid >= s.get<number>(`${S}.MechanismCountCurrent`, netuid))
      throw st('MechanismDoesNotExist');
    if (commit.length > MAX_COMMIT_BYTES)
      throw new DispatchError(
        { tag: 'Other' },
        `commit is ${commit.length} bytes; subtensor bounds it to ${MAX_COMMIT_BYTES}`,
      );
    const idx = mecid * 4096 + netuid;
    if (!s.get<boolean>(`${S}.CommitRevealWeightsEnabled`, netuid)) throw st('CommitRevealDisabled');
    if (version !== null && version !== s.get<number>(`${S}.CommitRevealWeightsVersion`))
      throw st('IncorrectCommitRevealVersion');
    const uid = this.sub.uidOf(netuid, who);
    if (uid === null) throw st('HotKeyNotRegisteredInSubNet');
    const now = BigInt(this.rt.blockNumber);
    const last = (s.vecGet(`${S}.LastUpdate`, [idx], uid) as bigint | undefined) ?? 0n;
    const limit = s.get<bigint>(`${S}.WeightsSetRateLimit`, netuid);
    if (last !== 0n && now - last < limit) throw st('CommittingWeightsTooFast');
    const epoch = BigInt(this.sub.epochIndex(netuid, this.rt.blockNumber));
    const commits = s.get<TimelockedCommit[]>(`${S}.TimelockedWeightCommits`, idx, epoch);
    if (commits.filter((c) => u8aEq(c[0], who)).length >= MAX_UNREVEALED)
      throw st('TooManyUnrevealedCommits');
    commits.push([who, now, commit, revealRound]);
    s.set(`${S}.TimelockedWeightCommits`, idx, epoch, commits);
    this.rt.deposit(S, 'TimelockedWeightsCommitted', who, idx, blake2AsU8a(commit, 256), revealRound);
    s.vecSet(`${S}.LastUpdate`, [idx], uid, now);
  }

  // ---- reveal (subtensor reveal_crv3_commits_for_subnet) ------------------------------------------------

  revealForSubnet(netuid: number): void {
    const s = this.s;
    const period = BigInt(s.get<bigint>(`${S}.RevealPeriodEpochs`, netuid));
    const cur = BigInt(this.sub.epochIndex(netuid, this.rt.blockNumber));
    const revealEpoch = cur > period ? cur - period : 0n;
    const mechanisms = s.get<number>(`${S}.MechanismCountCurrent`, netuid);
    for (let mecid = 0; mecid < mechanisms; mecid++) {
      const idx = mecid * 4096 + netuid;
      // Drop expired commits (epochs before the one being revealed).
      for (const epoch of this.commitEpochs(idx))
        if (epoch < revealEpoch) s.remove(`${S}.TimelockedWeightCommits`, idx, epoch);
      if (cur < period) return;
      const entries = s.get<TimelockedCommit[]>(`${S}.TimelockedWeightCommits`, idx, revealEpoch);
      if (entries.length === 0) continue;
      s.remove(`${S}.TimelockedWeightCommits`, idx, revealEpoch);
      const unrevealed: TimelockedCommit[] = [];
      for (const entry of entries) {
        const [who, , ciphertext, round] = entry;
        const pulse = s.get<{ signature: Uint8Array } | null>(`${D}.Pulses`, round);
        if (!pulse) {
          unrevealed.push(entry); // retried every block of the reveal epoch
          continue;
        }
        let plain: Uint8Array;
        let payload: ReturnType<typeof decodeWeightsTlockPayload>;
        try {
          plain = timelockDecrypt(ciphertext, pulse.signature);
          payload = decodeWeightsTlockPayload(plain);
        } catch {
          continue; // undecryptable or not a payload: dropped silently, as subtensor does
        }
        if (!u8aEq(payload.hotkey, who)) continue; // hotkey mismatch: dropped
        this.rt.kv.begin();
        try {
          this.sub.setWeights(who, netuid, mecid, payload.uids, payload.values, payload.versionKey, true);
          this.rt.deposit(S, 'TimelockedWeightsRevealed', idx, who);
          this.rt.kv.commit();
        } catch {
          this.rt.kv.rollback(); // failed set_weights checks: dropped
        }
      }
      if (unrevealed.length) s.set(`${S}.TimelockedWeightCommits`, idx, revealEpoch, unrevealed);
    }
  }

  /** Epochs with timelocked commits stored for a netuid index (committed state). */
  private commitEpochs(idx: number): bigint[] {
    const it = this.s.item(`${S}.TimelockedWeightCommits`);
    // Key: prefix ‖ twox64(idx) ‖ idx (u16 LE) ‖ twox64(epoch) ‖ epoch (u64 LE).
    const prefix = it.prefix + hashKeyPart('Twox64Concat', new Uint8Array([idx & 0xff, idx >> 8]));
    const out: bigint[] = [];
    for (const k of this.rt.kv.keysWithPrefix(prefix)) {
      const raw = k.slice(prefix.length + 16, prefix.length + 32);
      if (raw.length !== 16) continue;
      out.push(Buffer.from(raw, 'hex').readBigUInt64LE(0));
    }
    return out;
  }
}

/** Wires the timelocked commit calls into the runtime. */
export function registerDrand(rt: Runtime, sub: Subtensor, clock?: () => number): Drand {
  const drand = new Drand(rt, sub, clock);
  const signed = (o: Origin) => rt.ensureSigned(o);
  const bytes = (v: unknown) => v as Uint8Array;
  rt.on(S, 'commit_timelocked_weights', (_r, o, a) =>
    drand.commitTimelocked(
      signed(o),
      a.netuid as number,
      0,
      bytes(a.commit),
      BigInt(a.reveal_round as bigint),
      a.commit_reveal_version as number,
    ),
  );
  rt.on(S, 'commit_timelocked_mechanism_weights', (_r, o, a) =>
    drand.commitTimelocked(
      signed(o),
      a.netuid as number,
      a.mecid as number,
      bytes(a.commit),
      BigInt(a.reveal_round as bigint),
      a.commit_reveal_version as number,
    ),
  );
  // Legacy CRv3 call: no version argument; subtensor treats it as the current version.
  rt.on(S, 'commit_crv3_mechanism_weights', (_r, o, a) =>
    drand.commitTimelocked(
      signed(o),
      a.netuid as number,
      a.mecid as number,
      bytes(a.commit),
      BigInt(a.reveal_round as bigint),
      null,
    ),
  );
  return drand;
}
