/** Dispatch and transaction-validity errors, shaped like Substrate's. */
import type { EnumValue } from '../scale/codec.js';
import { RUNTIME_PALLETS } from '../metadata/spec.js';

/** A dispatch failure: becomes `System.ExtrinsicFailed { dispatch_error }`. */
export class DispatchError extends Error {
  constructor(
    readonly value: EnumValue,
    message: string,
  ) {
    super(message);
  }
}

const errorIndex = new Map<string, [number, number]>();
for (const p of RUNTIME_PALLETS)
  for (const e of p.errors ?? []) errorIndex.set(`${p.name}.${e.name}`, [p.index, e.index]);

/** A module error by pallet and error name, e.g. moduleError('SubtensorModule', 'SettingWeightsTooFast'). */
export function moduleError(pallet: string, name: string): DispatchError {
  const idx = errorIndex.get(`${pallet}.${name}`);
  if (!idx) throw new Error(`unknown error ${pallet}.${name}`);
  return new DispatchError(
    { tag: 'Module', value: { index: idx[0], error: new Uint8Array([idx[1], 0, 0, 0]) } },
    `${pallet}.${name}`,
  );
}

/** Shorthand for SubtensorModule errors. */
export const st = (name: string): DispatchError => moduleError('SubtensorModule', name);

export const badOrigin = (): DispatchError => new DispatchError({ tag: 'BadOrigin' }, 'BadOrigin');

/** A JSON-RPC error from transaction submission (author_submitExtrinsic). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

/** 1010 Invalid Transaction with Substrate's reason text. */
export const invalidTx = (reason: string): RpcError => new RpcError(1010, 'Invalid Transaction', reason);

export const INVALID = {
  badProof: 'Transaction has a bad signature',
  stale: 'Transaction is outdated',
  future: 'Transaction will be valid in the future',
  ancientBirth: 'Transaction has an ancient birth block',
  payment: 'Inability to pay some fees (e.g. account balance too low)',
  call: 'Transaction call is not expected',
  badSigner: 'Invalid signing address',
  mandatory: 'Transaction dispatch is mandatory; transactions must not be validated.',
} as const;
