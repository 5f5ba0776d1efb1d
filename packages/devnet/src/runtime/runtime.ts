/**
 * The devnet runtime: typed state, origins, events, accounts and call dispatch. The pallet logic lives in
 * balances.ts, subtensor.ts and admin.ts; this module routes calls and applies extrinsics.
 */
import { u8aToHex } from '@polkadot/util';
import { CodecRegistry, type EnumValue } from '../scale/codec.js';
import { RUNTIME_DEFS, RUNTIME_PALLETS } from '../metadata/spec.js';
import { DispatchError, moduleError, badOrigin } from './errors.js';
import { KV, State } from './storage.js';

export type AccountId = Uint8Array;

export type Origin = { kind: 'signed'; who: AccountId } | { kind: 'root' } | { kind: 'none' };

export interface EventRecord {
  phase: EnumValue;
  event: EnumValue;
  topics: Uint8Array[];
}

export interface AccountInfo {
  nonce: number;
  consumers: number;
  providers: number;
  sufficients: number;
  data: { free: bigint; reserved: bigint; frozen: bigint; flags: bigint };
}

/** A call handler receives the origin and the decoded call arguments. */
export type CallHandler = (rt: Runtime, origin: Origin, args: Record<string, unknown>) => void;

/** Options of the runtime that change chain rules. */
export interface RuntimeOptions {
  /** serve_axon rejects loopback addresses exactly like subtensor (default false: local subnets need them). */
  strictServeAxon: boolean;
}

export const EXISTENTIAL_DEPOSIT = 500n;
const FLAGS_NEW_LOGIC = 1n << 127n;

const eventNames = new Map<string, [string, string][]>();
for (const p of RUNTIME_PALLETS)
  for (const e of p.events ?? [])
    eventNames.set(
      `${p.name}.${e.name}`,
      e.fields.map((f) => [f[0] ?? '', f[1]]),
    );

export class Runtime {
  readonly codecs = new CodecRegistry(RUNTIME_DEFS);
  readonly kv = new KV();
  readonly state = new State(this.kv, this.codecs, RUNTIME_PALLETS);
  /** Current block number while building a block (the best block otherwise). */
  blockNumber = 0;
  /** Phase for new events. */
  phase: EnumValue = { tag: 'Initialization' };
  /** Events of the block being built. */
  events: EventRecord[] = [];
  private readonly handlers = new Map<string, CallHandler>();
  private netuidCache: number[] | null = null;

  constructor(readonly options: RuntimeOptions) {}

  /** Registers the handler of `Pallet.call_name`. */
  on(pallet: string, call: string, handler: CallHandler): void {
    this.handlers.set(`${pallet}.${call}`, handler);
  }

  /** Dispatches a decoded RuntimeCall in a storage transaction; events of a failed call are dropped. */
  dispatch(origin: Origin, call: EnumValue): void {
    const inner = call.value as EnumValue;
    const h = this.handlers.get(`${call.tag}.${inner.tag}`);
    if (!h)
      throw new DispatchError({ tag: 'Other' }, `${call.tag}.${inner.tag} is not implemented by the devnet`);
    const mark = this.events.length;
    this.kv.begin();
    try {
      h(this, origin, (inner.value ?? {}) as Record<string, unknown>);
      this.kv.commit();
    } catch (e) {
      this.kv.rollback();
      this.events.length = mark;
      throw e;
    }
  }

  /** Deposits an event; `args` follow the event's fields in order. */
  deposit(pallet: string, name: string, ...args: unknown[]): void {
    const fields = eventNames.get(`${pallet}.${name}`);
    if (!fields) throw new Error(`unknown event ${pallet}.${name}`);
    if (fields.length !== args.length)
      throw new Error(`event ${pallet}.${name} takes ${fields.length} fields, got ${args.length}`);
    let value: unknown = null;
    if (fields.length === 1 && !fields[0]![0]) value = args[0];
    else if (fields.length > 0 && fields[0]![0])
      value = Object.fromEntries(fields.map((f, i) => [f[0], args[i]]));
    else if (fields.length > 0) value = args;
    this.events.push({
      phase: this.phase,
      event: { tag: pallet, value: value === null ? { tag: name } : { tag: name, value } },
      topics: [],
    });
  }

  // ---- origins ---------------------------------------------------------------------------------------

  ensureSigned(origin: Origin): AccountId {
    if (origin.kind !== 'signed') throw badOrigin();
    return origin.who;
  }

  ensureRoot(origin: Origin): void {
    if (origin.kind !== 'root') throw badOrigin();
  }

  // ---- accounts --------------------------------------------------------------------------------------

  account(who: AccountId): AccountInfo {
    return this.state.get<AccountInfo>('System.Account', who);
  }

  accountExists(who: AccountId): boolean {
    return this.state.has('System.Account', who);
  }

  setAccount(who: AccountId, info: AccountInfo): void {
    this.state.set('System.Account', who, info);
  }

  free(who: AccountId): bigint {
    return this.account(who).data.free;
  }

  /** Sets the free balance, creating (NewAccount/Endowed) or reaping (KilledAccount) the account. */
  setFree(who: AccountId, free: bigint): void {
    const exists = this.accountExists(who);
    const info = this.account(who);
    if (free < EXISTENTIAL_DEPOSIT && info.data.reserved === 0n && info.consumers === 0) {
      if (exists) {
        this.state.remove('System.Account', who);
        if (free > 0n) this.deposit('Balances', 'DustLost', who, free);
        this.deposit('System', 'KilledAccount', who);
        this.adjustIssuance(-free);
      }
      return;
    }
    info.data.free = free;
    if (!exists || info.providers === 0) {
      info.providers = 1;
      info.data.flags = FLAGS_NEW_LOGIC;
      this.setAccount(who, info);
      this.deposit('System', 'NewAccount', who);
      this.deposit('Balances', 'Endowed', who, free);
      return;
    }
    this.setAccount(who, info);
  }

  adjustIssuance(delta: bigint): void {
    const v = this.state.get<bigint>('Balances.TotalIssuance') + delta;
    this.state.set('Balances.TotalIssuance', v < 0n ? 0n : v);
  }

  /** Takes `amount` from the free balance (keeping the account alive), or throws `error`. */
  withdraw(who: AccountId, amount: bigint, error: DispatchError): void {
    const free = this.free(who);
    if (free < amount) throw error;
    const rest = free - amount;
    if (rest < EXISTENTIAL_DEPOSIT && rest !== 0n) throw error;
    this.setFree(who, rest);
    this.adjustIssuance(-amount);
    this.deposit('Balances', 'Withdraw', who, amount);
  }

  /** Adds `amount` to the free balance (minting). */
  depositInto(who: AccountId, amount: bigint): void {
    this.setFree(who, this.free(who) + amount);
    this.adjustIssuance(amount);
    this.deposit('Balances', 'Deposit', who, amount);
  }

  // ---- subnets ---------------------------------------------------------------------------------------

  /** Netuids of existing subnets (root included), ascending. */
  netuids(): number[] {
    if (!this.netuidCache) {
      const it = this.state.item('SubtensorModule.NetworksAdded');
      const out: number[] = [];
      for (const k of this.kv.keysWithPrefix(it.prefix)) {
        const raw = this.kv.base.get(k);
        if (raw && raw[0] === 1)
          out.push(
            Number.parseInt(k.slice(it.prefix.length, it.prefix.length + 2), 16) |
              (Number.parseInt(k.slice(it.prefix.length + 2, it.prefix.length + 4), 16) << 8),
          );
      }
      this.netuidCache = out.sort((a, b) => a - b);
    }
    return this.netuidCache;
  }

  invalidateNetuids(): void {
    this.netuidCache = null;
  }

  hex(a: AccountId): string {
    return u8aToHex(a);
  }

  error(pallet: string, name: string): DispatchError {
    return moduleError(pallet, name);
  }
}
