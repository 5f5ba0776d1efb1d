/**
 * subtensor's Commitments pallet (pallet index 18, spec 381): `set_commitment(netuid, info)` stores up to
 * three `Data` fields per (netuid, hotkey) with the block they were made in, limited by space per tempo
 * epoch (`MaxSpace`, default 3,100 "bytes"; every commitment counts at least 100), and timelock-encrypted
 * fields are revealed by the chain once their drand round's pulse is stored.
 *
 * Checks in subtensor's order with its error names: the signer must be a hotkey registered on the netuid
 * (`AccountNotAllowedCommit`), at most `MaxFields` fields (`TooManyFieldsInCommitmentInfo`), and the space
 * used in the current epoch of the subnet plus this commitment must fit `MaxSpace` (`SpaceLimitExceeded`).
 * Deposits are zero in subtensor's runtime (InitialDeposit = FieldDeposit = 0), so nothing is reserved.
 */
import { timelockDecrypt } from '@subnetkit/core';
import { u8aToHex } from '@polkadot/util';
import type { EnumValue } from '../scale/codec.js';
import { moduleError } from './errors.js';
import type { AccountId, Origin, Runtime } from './runtime.js';
import type { Subtensor } from './subtensor.js';

const C = 'Commitments';
const S = 'SubtensorModule';
/** subtensor's runtime MaxCommitFields. */
export const MAX_COMMIT_FIELDS = 3;
/** Every commitment counts at least this much space (pallet_commitments `min_used_space`). */
export const MIN_USED_SPACE = 100n;
/** Revealed timelocked commitments kept per (netuid, hotkey) (pallet_commitments `MAX_REVEALS`). */
const MAX_REVEALS = 10;

/** One field of a commitment: `{ tag: 'Raw32', value: bytes }`, `{ tag: 'Sha256', value }`, ... */
export type CommitmentData = EnumValue;

export interface Registration {
  deposit: bigint;
  block: number;
  info: { fields: CommitmentData[] };
}

/** subtensor's `Data::len_for_rate_limit`. */
export function dataSpace(d: CommitmentData): bigint {
  if (d.tag === 'None' || d.tag === 'ResetBondsFlag') return 0n;
  if (d.tag === 'TimelockEncrypted') return BigInt((d.value as { encrypted: Uint8Array }).encrypted.length);
  return BigInt((d.value as Uint8Array).length);
}

/** Space a commitment uses against `MaxSpace`: the fields' sizes, at least {@link MIN_USED_SPACE}. */
export function commitmentSpace(fields: CommitmentData[]): bigint {
  const sum = fields.reduce((a, f) => a + dataSpace(f), 0n);
  return sum > MIN_USED_SPACE ? sum : MIN_USED_SPACE;
}

type IndexEntry = [number, AccountId];

export class Commitments {
  constructor(
    private readonly rt: Runtime,
    private readonly sub: Subtensor,
  ) {}

  private get s() {
    return this.rt.state;
  }

  setCommitment(who: AccountId, netuid: number, info: { fields: CommitmentData[] }): void {
    const s = this.s;
    // AllowCommitments: the hotkey must hold a uid on the subnet.
    if (this.sub.uidOf(netuid, who) === null) throw moduleError(C, 'AccountNotAllowedCommit');
    if (info.fields.length > MAX_COMMIT_FIELDS) throw moduleError(C, 'TooManyFieldsInCommitmentInfo');
    const now = this.rt.blockNumber;
    const required = commitmentSpace(info.fields);
    const usage = s.get<{ last_epoch: bigint; used_space: bigint } | null>(
      `${C}.UsedSpaceOf`,
      netuid,
      who,
    ) ?? {
      last_epoch: 0n,
      used_space: 0n,
    };
    const epoch = BigInt(this.sub.epochIndex(netuid, now));
    if (usage.last_epoch !== epoch) {
      usage.last_epoch = epoch;
      usage.used_space = 0n;
    }
    if (info.fields.some((f) => f.tag === 'ResetBondsFlag')) {
      s.set(`${C}.LastBondsReset`, netuid, who, now);
      this.resetBonds(netuid, who);
    }
    const max = BigInt(s.get<number>(`${C}.MaxSpace`));
    if (usage.used_space + required > max) throw moduleError(C, 'SpaceLimitExceeded');
    usage.used_space += required;
    s.set(`${C}.UsedSpaceOf`, netuid, who, usage);
    s.set(`${C}.CommitmentOf`, netuid, who, { deposit: 0n, block: now, info } satisfies Registration);
    s.set(`${C}.LastCommitment`, netuid, who, now);
    const index = this.timelockedIndex().filter(([n, a]) => !(n === netuid && u8aToHex(a) === u8aToHex(who)));
    const tl = info.fields.find((f) => f.tag === 'TimelockEncrypted');
    if (tl) {
      const round = (tl.value as { reveal_round: bigint }).reveal_round;
      this.rt.deposit(C, 'TimelockCommitment', netuid, who, round);
      index.push([netuid, who]);
    } else {
      this.rt.deposit(C, 'Commitment', netuid, who);
    }
    this.setTimelockedIndex(index);
  }

  setMaxSpace(origin: Origin, limit: number): void {
    this.rt.ensureRoot(origin);
    this.s.set(`${C}.MaxSpace`, limit);
  }

  /** Block initialisation: reveals timelocked fields whose drand pulse is stored (reveal_timelocked_commitments). */
  onInitialize(): void {
    const s = this.s;
    const index = this.timelockedIndex();
    if (index.length === 0) return;
    let next = index.slice();
    const drop = (netuid: number, who: AccountId) => {
      next = next.filter(([n, a]) => !(n === netuid && u8aToHex(a) === u8aToHex(who)));
    };
    for (const [netuid, who] of index) {
      const reg = s.get<Registration | null>(`${C}.CommitmentOf`, netuid, who);
      if (!reg) {
        drop(netuid, who);
        continue;
      }
      const remain: CommitmentData[] = [];
      const revealed: Uint8Array[] = [];
      for (const f of reg.info.fields) {
        if (f.tag !== 'TimelockEncrypted') {
          remain.push(f);
          continue;
        }
        const { encrypted, reveal_round } = f.value as { encrypted: Uint8Array; reveal_round: bigint };
        const pulse = s.get<{ signature: Uint8Array } | null>('Drand.Pulses', reveal_round);
        if (!pulse) {
          remain.push(f);
          continue;
        }
        let plain: Uint8Array;
        try {
          plain = timelockDecrypt(encrypted, pulse.signature);
        } catch {
          continue; // undecryptable: dropped, as subtensor does
        }
        if (plain.length > 0) revealed.push(plain);
      }
      if (revealed.length > 0) {
        const reveals = s.get<[Uint8Array, bigint][] | null>(`${C}.RevealedCommitments`, netuid, who) ?? [];
        for (const r of revealed) {
          reveals.push([r, BigInt(this.rt.blockNumber)]);
          this.rt.deposit(C, 'CommitmentRevealed', netuid, who);
        }
        s.set(`${C}.RevealedCommitments`, netuid, who, reveals.slice(-MAX_REVEALS));
      }
      reg.info.fields = remain;
      if (remain.length === 0) {
        s.remove(`${C}.CommitmentOf`, netuid, who);
        drop(netuid, who);
      } else {
        s.set(`${C}.CommitmentOf`, netuid, who, reg);
        if (!remain.some((f) => f.tag === 'TimelockEncrypted')) drop(netuid, who);
      }
    }
    this.setTimelockedIndex(next);
  }

  private timelockedIndex(): IndexEntry[] {
    return this.s.get<IndexEntry[]>(`${C}.TimelockedIndex`);
  }

  /** Stores the index as the BTreeSet it is: sorted by (netuid, account bytes), unique. */
  private setTimelockedIndex(entries: IndexEntry[]): void {
    const byKey = new Map<string, IndexEntry>();
    for (const e of entries) byKey.set(`${e[0].toString(16).padStart(4, '0')}${u8aToHex(e[1])}`, e);
    this.s.set(
      `${C}.TimelockedIndex`,
      [...byKey.keys()].sort().map((k) => byKey.get(k)!),
    );
  }

  /** subtensor's ResetBondsOnCommit: drops the hotkey's column from every bond row, when BondsResetOn. */
  private resetBonds(netuid: number, who: AccountId): void {
    const s = this.s;
    if (!s.get<boolean>(`${S}.BondsResetOn`, netuid)) return;
    const uid = this.sub.uidOf(netuid, who);
    if (uid === null) return;
    const n = s.get<number>(`${S}.SubnetworkN`, netuid);
    const mechanisms = s.get<number>(`${S}.MechanismCountCurrent`, netuid);
    for (let mecid = 0; mecid < mechanisms; mecid++) {
      const idx = mecid * 4096 + netuid;
      for (let i = 0; i < n; i++) {
        if (!s.has(`${S}.Bonds`, idx, i)) continue;
        const row = s.get<[number, number][]>(`${S}.Bonds`, idx, i);
        s.set(
          `${S}.Bonds`,
          idx,
          i,
          row.filter(([j]) => j !== uid),
        );
      }
    }
  }
}

/** Wires the Commitments calls into the runtime. */
export function registerCommitments(rt: Runtime, sub: Subtensor): Commitments {
  const c = new Commitments(rt, sub);
  rt.on(C, 'set_commitment', (_r, o, a) =>
    c.setCommitment(rt.ensureSigned(o), a.netuid as number, a.info as { fields: CommitmentData[] }),
  );
  rt.on(C, 'set_max_space', (_r, o, a) => c.setMaxSpace(o, a.new_limit as number));
  return c;
}
