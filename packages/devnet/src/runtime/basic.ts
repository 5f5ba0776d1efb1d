/** System, Timestamp, Balances and Sudo calls. */

import { blake2AsU8a } from '@polkadot/util-crypto';
import type { EnumValue } from '../scale/codec.js';
import { badOrigin, DispatchError, moduleError } from './errors.js';
import { EXISTENTIAL_DEPOSIT, type AccountId, type Runtime } from './runtime.js';

/** Resolves a MultiAddress argument; only `Id` (AccountId32) is meaningful on subtensor. */
export function lookup(addr: unknown): AccountId {
  const a = addr as EnumValue;
  if (a.tag === 'Id' || a.tag === 'Address32') return a.value as Uint8Array;
  throw new DispatchError({ tag: 'CannotLookup' }, 'CannotLookup');
}

/** DispatchError::Token(...), as pallet-balances' fungible transfer reports its failures. */
const token = (name: string) => new DispatchError({ tag: 'Token', value: { tag: name } }, `Token.${name}`);

/**
 * fungible::Mutate::transfer: `can_withdraw` (more than the balance: FundsUnavailable; below the existential
 * deposit with keep-alive: NotExpendable), then `can_deposit` (a new account below it: BelowMinimum).
 */
function transfer(rt: Runtime, from: AccountId, to: AccountId, amount: bigint, keepAlive: boolean): void {
  const free = rt.free(from);
  if (free < amount) throw token('FundsUnavailable');
  const rest = free - amount;
  if (keepAlive && rest < EXISTENTIAL_DEPOSIT) throw token('NotExpendable');
  if (!rt.accountExists(to) && amount > 0n && amount < EXISTENTIAL_DEPOSIT) throw token('BelowMinimum');
  if (Buffer.from(from).equals(Buffer.from(to))) {
    rt.deposit('Balances', 'Transfer', from, to, amount);
    return;
  }
  // Move first so that a reaped sender's dust is accounted after the transfer event order of FRAME.
  rt.setFree(to, rt.free(to) + amount);
  rt.deposit('Balances', 'Transfer', from, to, amount);
  rt.setFree(from, rest);
}

export function registerBasicPallets(rt: Runtime): void {
  rt.on('System', 'remark', (r, o) => {
    r.ensureSigned(o);
  });
  rt.on('System', 'remark_with_event', (r, o, a) => {
    const who = r.ensureSigned(o);
    r.deposit('System', 'Remarked', who, blake2AsU8a(a.remark as Uint8Array, 256));
  });
  rt.on('System', 'set_storage', (r, o, a) => {
    r.ensureRoot(o);
    for (const [k, v] of a.items as [Uint8Array, Uint8Array][]) r.kv.put(toHex(k), v.slice());
    r.invalidateNetuids();
  });
  rt.on('System', 'kill_storage', (r, o, a) => {
    r.ensureRoot(o);
    for (const k of a.keys as Uint8Array[]) r.kv.put(toHex(k), null);
    r.invalidateNetuids();
  });

  rt.on('Timestamp', 'set', (r, o, a) => {
    if (o.kind !== 'none') throw badOrigin();
    r.state.set('Timestamp.Now', BigInt(a.now as bigint));
  });

  rt.on('Balances', 'transfer_allow_death', (r, o, a) => {
    transfer(r, r.ensureSigned(o), lookup(a.dest), BigInt(a.value as bigint), false);
  });
  rt.on('Balances', 'transfer_keep_alive', (r, o, a) => {
    transfer(r, r.ensureSigned(o), lookup(a.dest), BigInt(a.value as bigint), true);
  });
  rt.on('Balances', 'transfer_all', (r, o, a) => {
    const from = r.ensureSigned(o);
    const free = r.free(from);
    const amount = a.keep_alive ? free - EXISTENTIAL_DEPOSIT : free;
    if (amount > 0n) transfer(r, from, lookup(a.dest), amount, Boolean(a.keep_alive));
  });
  rt.on('Balances', 'force_transfer', (r, o, a) => {
    r.ensureRoot(o);
    transfer(r, lookup(a.source), lookup(a.dest), BigInt(a.value as bigint), false);
  });
  rt.on('Balances', 'force_set_balance', (r, o, a) => {
    r.ensureRoot(o);
    const who = lookup(a.who);
    const free = BigInt(a.new_free as bigint);
    const old = r.free(who);
    r.setFree(who, free);
    r.adjustIssuance(free - old);
    r.deposit('Balances', 'BalanceSet', who, free);
  });

  const requireSudo = (r: Runtime, o: Parameters<typeof r.ensureSigned>[0]): void => {
    const who = r.ensureSigned(o);
    const key = r.state.get<Uint8Array | null>('Sudo.Key');
    if (!key || !Buffer.from(key).equals(Buffer.from(who))) throw moduleError('Sudo', 'RequireSudo');
  };
  const sudoResult = (fn: () => void): EnumValue => {
    try {
      fn();
      return { tag: 'Ok', value: null };
    } catch (e) {
      if (e instanceof DispatchError) return { tag: 'Err', value: e.value };
      throw e;
    }
  };
  rt.on('Sudo', 'sudo', (r, o, a) => {
    requireSudo(r, o);
    const res = sudoResult(() => r.dispatch({ kind: 'root' }, a.call as EnumValue));
    r.deposit('Sudo', 'Sudid', res);
  });
  rt.on('Sudo', 'sudo_unchecked_weight', (r, o, a) => {
    requireSudo(r, o);
    const res = sudoResult(() => r.dispatch({ kind: 'root' }, a.call as EnumValue));
    r.deposit('Sudo', 'Sudid', res);
  });
  rt.on('Sudo', 'sudo_as', (r, o, a) => {
    requireSudo(r, o);
    const who = lookup(a.who);
    const res = sudoResult(() => r.dispatch({ kind: 'signed', who }, a.call as EnumValue));
    r.deposit('Sudo', 'SudoAsDone', res);
  });
  rt.on('Sudo', 'set_key', (r, o, a) => {
    requireSudo(r, o);
    const old = r.state.get<Uint8Array | null>('Sudo.Key');
    const next = lookup(a.new);
    r.state.set('Sudo.Key', next);
    r.deposit('Sudo', 'KeyChanged', old, next);
  });
}

function toHex(k: Uint8Array): string {
  return '0x' + Buffer.from(k).toString('hex');
}
