/**
 * subtensor's Commitments pallet from the client side: the `Data` field a byte string is committed as
 * (`Raw0`..`Raw128` inline, `BigRaw` up to 512 bytes), and every hotkey's commitment on a subnet read from
 * `Commitments.CommitmentOf` at one block (keys listed with `state_getKeysPaged`, values in one batch).
 */
import { encodeAddress } from '@polkadot/util-crypto';
import { ChainError } from './errors.js';
import { type StorageReader, fromHex, toHex } from './storage.js';

/** Largest `Raw<n>` variant of subtensor's `Data`. */
export const MAX_RAW_COMMITMENT_BYTES = 128;
/** subtensor's MAX_BIGRAW_COMMITMENT_SIZE_BYTES. */
export const MAX_COMMITMENT_BYTES = 512;
const KEYS_PAGE = 1000;

/** One hotkey's commitment on a subnet. */
export interface CommitmentRecord {
  hotkey: string;
  /** Block the commitment was made in (later commitments by the same hotkey replace it). */
  block: number;
  /** Bytes of the first field that carries bytes (Raw, BigRaw or a hash variant); empty when none does. */
  data: Uint8Array;
  /** Every field as `{ <variant>: 0x-hex | null }` (e.g. `{ Raw32: '0x…' }`, `{ ResetBondsFlag: null }`). */
  fields: Record<string, unknown>[];
}

/** The `Data` field `data` is committed as: `Raw<len>` up to 128 bytes, `BigRaw` up to 512. */
export function commitmentField(data: Uint8Array): Record<string, string> {
  if (data.length > MAX_COMMITMENT_BYTES) {
    throw new ChainError(
      'BadInput',
      `a commitment holds at most ${MAX_COMMITMENT_BYTES} bytes, got ${data.length}; commit a hash of the data ` +
        '(e.g. its sha256) instead of the data',
    );
  }
  const hex = toHex(data);
  return data.length <= MAX_RAW_COMMITMENT_BYTES ? { [`Raw${data.length}`]: hex } : { BigRaw: hex };
}

/** Bytes carried by one decoded `Data` field (JSON of the registry type), or null for None/flags/timelock. */
export function commitmentFieldBytes(field: Record<string, unknown>): Uint8Array | null {
  const [tag, value] = Object.entries(field)[0] ?? [];
  if (tag === undefined || typeof value !== 'string') return null;
  if (/^raw\d+$/i.test(tag) || /^(bigRaw|blakeTwo256|sha256|keccak256|shaThree256)$/i.test(tag))
    return fromHex(value);
  return null;
}

/** Every commitment on `netuid` at block hash `at`, ordered by commitment block then hotkey. */
export async function readCommitmentsAt(
  storage: StorageReader,
  netuid: number,
  at: string,
  ss58Format: number,
): Promise<CommitmentRecord[]> {
  // CommitmentOf keys: prefix ‖ netuid (Identity, u16 LE) ‖ twox64(hotkey) ‖ hotkey.
  const prefix =
    storage.prefix('commitmentOf', 'commitments') +
    toHex(new Uint8Array([netuid & 0xff, netuid >> 8])).slice(2);
  const keys: string[] = [];
  for (;;) {
    const page = (await storage.send('state_getKeysPaged', [
      prefix,
      KEYS_PAGE,
      keys.at(-1) ?? prefix,
      at,
    ])) as string[];
    keys.push(...page);
    if (page.length < KEYS_PAGE) break;
  }
  const raws = await storage.fetchRaw(keys, at);
  const out: CommitmentRecord[] = [];
  keys.forEach((k, i) => {
    const raw = raws[i];
    if (!raw) return;
    const reg = storage.decode('commitmentOf', raw, 'commitments')?.toJSON() as {
      block: number;
      info: { fields: Record<string, unknown>[] };
    };
    const hotkey = encodeAddress(fromHex(k.slice(-64)), ss58Format);
    const fields = reg.info.fields;
    const data = fields.map(commitmentFieldBytes).find((b) => b !== null) ?? new Uint8Array(0);
    out.push({ hotkey, block: Number(reg.block), data, fields });
  });
  return out.sort((a, b) => a.block - b.block || (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0));
}
