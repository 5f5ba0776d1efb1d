/**
 * The TaggedTransactionQueue_validate_transaction runtime API: runs the pool's checks on a transaction
 * (signature, nonce, era, payment, subtensor's extension checks) and answers a SCALE `TransactionValidity`.
 * Clients (PAPI) call it before broadcasting and report its error, so it must refuse what the pool refuses.
 */
import { u8aConcat } from '@polkadot/util';
import type { Chain } from '../chain.js';
import { type INVALID_TRANSACTION_VARIANTS, TRANSACTION_VALIDITY_TYPE } from '../metadata/validity.js';
import { INVALID, RpcError } from '../runtime/errors.js';
import { eraBirth } from '../runtime/extrinsic.js';
import { Reader, Writer } from '../scale/codec.js';

type InvalidVariant = (typeof INVALID_TRANSACTION_VARIANTS)[number];

/** Substrate's 1010 reason texts → InvalidTransaction variants. */
const REASONS: Record<string, InvalidVariant> = {
  [INVALID.badProof]: 'BadProof',
  [INVALID.stale]: 'Stale',
  [INVALID.future]: 'Future',
  [INVALID.ancientBirth]: 'AncientBirthBlock',
  [INVALID.payment]: 'Payment',
  [INVALID.call]: 'Call',
  [INVALID.badSigner]: 'BadSigner',
  [INVALID.mandatory]: 'MandatoryValidation',
};

const U64_MAX = (1n << 64n) - 1n;

/** The InvalidTransaction of a 1010 pool refusal (`Custom error: N` → Custom(N)); null for other errors. */
export function invalidTransactionOf(e: unknown): { tag: string; value?: number } | null {
  if (!(e instanceof RpcError) || e.code !== 1010 || typeof e.data !== 'string') return null;
  const custom = /^Custom error: (\d+)$/.exec(e.data);
  if (custom) return { tag: 'Custom', value: Number(custom[1]) };
  const tag = REASONS[e.data];
  return tag ? { tag } : null;
}

/** `(AccountId, nonce)` SCALE: the tag a signed transaction provides (and requires for nonce − 1). */
function nonceTag(who: Uint8Array, nonce: number): Uint8Array {
  const w = new Writer(36);
  w.uint(nonce, 4);
  return u8aConcat(who, w.finish());
}

/**
 * Answers `validate_transaction(source, tx, block_hash)` against the best block's state.
 * Throws RpcError 4003 when the arguments do not decode (as a runtime API call with bad input fails).
 */
export async function validateTransactionCall(chain: Chain, args: Uint8Array): Promise<Uint8Array> {
  let tx: Uint8Array;
  try {
    const r = new Reader(args);
    const source = r.u8();
    if (source > 2) throw new Error('bad TransactionSource');
    const start = r.pos;
    const len = r.compactNum();
    r.bytes(len);
    tx = args.subarray(start, r.pos);
    r.bytes(32);
    if (r.pos !== args.length) throw new Error('trailing bytes');
  } catch {
    throw new RpcError(
      4003,
      'Client error: Execution failed: Could not decode the runtime API arguments of TaggedTransactionQueue_validate_transaction',
    );
  }
  const codecs = chain.rt.codecs;
  try {
    const x = await chain.validateTransaction(tx);
    const signer = x.signer!;
    const stateNonce = chain.rt.account(signer).nonce;
    const next = chain.bestNumber() + 1;
    const longevity = x.era.immortal ? U64_MAX : BigInt(eraBirth(x.era, next) + x.era.period - next);
    return codecs.encode(TRANSACTION_VALIDITY_TYPE, {
      tag: 'Ok',
      value: {
        priority: 0n,
        requires: x.nonce > stateNonce ? [nonceTag(signer, x.nonce - 1)] : [],
        provides: [nonceTag(signer, x.nonce)],
        longevity,
        propagate: true,
      },
    });
  } catch (e) {
    const invalid = invalidTransactionOf(e);
    if (invalid)
      return codecs.encode(TRANSACTION_VALIDITY_TYPE, {
        tag: 'Err',
        value: { tag: 'Invalid', value: invalid },
      });
    if (e instanceof RpcError && e.code === 1002)
      throw new RpcError(4003, `Client error: Execution failed: ${e.data ?? e.message}`);
    throw e;
  }
}
