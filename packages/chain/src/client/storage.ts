/**
 * Batched raw storage reads: keys built from the chain's own metadata (names, hashers), values fetched with
 * `state_queryStorageAt` in a few large requests and decoded with the metadata's types (or by hand for the
 * fixed-size per-uid values, which is much faster for thousands of neurons).
 */
import type { ApiPromise } from '@polkadot/api';
import { unwrapStorageType } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { hexToU8a } from '@polkadot/util';
import { blake2AsU8a, xxhashAsU8a } from '@polkadot/util-crypto';
import { ChainError } from './errors.js';

/** 0x-hex of bytes (Buffer's native encoder: this runs for every key of a metagraph sync). */
export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`;
}

/** Bytes of 0x-hex (native decoder). */
export function fromHex(hex: string): Uint8Array {
  const b = Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Sends one JSON-RPC request (the provider's `send`). */
export type RpcSend = (method: string, params: unknown[]) => Promise<unknown>;

/** Keys per `state_queryStorageAt` request; real nodes cap request and response sizes. */
export const STORAGE_BATCH = 1024;

interface StorageEntryLike {
  key: (...args: unknown[]) => string;
  keyPrefix: () => string;
  creator: {
    meta: {
      type: Parameters<typeof unwrapStorageType>[1] & {
        isMap: boolean;
        asMap: { hashers: { type: string }[] };
      };
      modifier: { isOptional: boolean };
      fallback: { toHex: () => string };
    };
  };
}

/** Reads SubtensorModule (and other pallets') storage in batches. */
export class StorageReader {
  readonly #typeCache = new Map<string, string>();
  constructor(
    readonly api: ApiPromise,
    readonly send: RpcSend,
  ) {}

  #entry(section: string, item: string): StorageEntryLike | undefined {
    const q = this.api.query as unknown as Record<string, Record<string, StorageEntryLike> | undefined>;
    return q[section]?.[item];
  }

  /** True when the runtime declares this storage item (camelCase name, e.g. `weightsSetRateLimit`). */
  has(item: string, section = 'subtensorModule'): boolean {
    return this.#entry(section, item) !== undefined;
  }

  #required(item: string, section: string): StorageEntryLike {
    const e = this.#entry(section, item);
    if (!e) {
      throw new ChainError(
        'StorageUnavailable',
        `the chain's runtime has no ${section}.${item} storage item; this client needs a subtensor-compatible runtime`,
      );
    }
    return e;
  }

  /** The storage key (hex) of an item, hashed as the metadata says. */
  key(item: string, args: unknown[] = [], section = 'subtensorModule'): string {
    return this.#required(item, section).key(...args);
  }

  /** The key prefix of a storage item (twox128(pallet) ‖ twox128(item)). */
  prefix(item: string, section = 'subtensorModule'): string {
    return this.#required(item, section).keyPrefix();
  }

  /**
   * Storage keys for many already SCALE-encoded argument tuples, hashed with the item's hashers from the
   * metadata. Much faster than `key()` for thousands of keys (no codec objects per key).
   */
  keysFor(item: string, argsList: Uint8Array[][], section = 'subtensorModule'): string[] {
    const e = this.#required(item, section);
    const prefix = hexToU8a(e.keyPrefix());
    // Normalise the enum name ('Blake2_128Concat' at run time, 'Blake2128Concat' in the typings).
    const hashers = e.creator.meta.type.isMap
      ? e.creator.meta.type.asMap.hashers.map((h) => String(h.type).replace(/_/g, ''))
      : [];
    return argsList.map((args) => {
      const parts: Uint8Array[] = [prefix];
      args.forEach((a, i) => {
        const h = hashers[i] ?? 'Identity';
        if (h === 'Blake2128Concat') parts.push(blake2AsU8a(a, 128), a);
        else if (h === 'Twox64Concat') parts.push(xxhashAsU8a(a, 64), a);
        else if (h === 'Identity') parts.push(a);
        else
          throw new ChainError(
            'StorageUnavailable',
            `${section}.${item} uses the ${h} hasher, unsupported here`,
          );
      });
      return toHex(Buffer.concat(parts));
    });
  }

  /** The item's value type as the metadata names it, e.g. `Vec<(u16,u16)>`. */
  typeName(item: string, section = 'subtensorModule'): string {
    const e = this.#required(item, section);
    const cacheKey = `${section}.${item}`;
    let type = this.#typeCache.get(cacheKey);
    if (!type) {
      type = unwrapStorageType(this.api.registry, e.creator.meta.type);
      this.#typeCache.set(cacheKey, type);
    }
    return type;
  }

  /** Decodes a raw value (or the item's default when absent) with the item's metadata type. */
  decode(item: string, raw: Uint8Array | null, section = 'subtensorModule'): Codec | null {
    const meta = this.#required(item, section).creator.meta;
    const type = this.typeName(item, section);
    if (raw === null) {
      if (meta.modifier.isOptional) return null;
      return this.api.registry.createType(type, hexToU8a(meta.fallback.toHex()));
    }
    return this.api.registry.createType(type, raw);
  }

  /** Fetches raw values for keys at a block hash: few requests, run in parallel. Missing keys give null. */
  async fetchRaw(keys: string[], at: string): Promise<(Uint8Array | null)[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += STORAGE_BATCH) chunks.push(keys.slice(i, i + STORAGE_BATCH));
    const results = await Promise.all(
      chunks.map(async (chunk) => {
        const res = (await this.send('state_queryStorageAt', [chunk, at])) as {
          changes: [string, string | null][];
        }[];
        const map = new Map<string, string | null>();
        for (const set of res ?? []) for (const [k, v] of set.changes) map.set(k, v);
        return chunk.map((k) => {
          const v = map.get(k) ?? map.get(k.toLowerCase());
          return v === undefined || v === null ? null : fromHex(v);
        });
      }),
    );
    return results.flat();
  }
}

/**
 * Decodes a SCALE `Vec<(u16, u16)>` (a Weights or Bonds row) by hand: a compact length, then
 * little-endian pairs. About 100x faster than a registry codec plus toJSON for 4096-entry rows.
 * Throws when the bytes are not exactly one such vector.
 */
export function decodeU16PairVec(raw: Uint8Array): [number, number][] {
  const bad = (why: string) =>
    new ChainError(
      'StorageUnavailable',
      `a storage value declared Vec<(u16, u16)> is malformed (${why}); the node's storage does not match its metadata`,
    );
  if (raw.length === 0) throw bad('empty bytes');
  const b0 = raw[0]!;
  let len: number;
  let off: number;
  switch (b0 & 3) {
    case 0:
      len = b0 >> 2;
      off = 1;
      break;
    case 1:
      len = (b0 | (raw[1]! << 8)) >> 2;
      off = 2;
      break;
    case 2:
      len = (b0 | (raw[1]! << 8) | (raw[2]! << 16) | (raw[3]! << 24)) >>> 2;
      off = 4;
      break;
    default:
      throw bad('a length of 2^30 or more entries');
  }
  if (raw.length !== off + len * 4)
    throw bad(`${len} entries need ${off + len * 4} bytes, got ${raw.length}`);
  const out = new Array<[number, number]>(len);
  for (let i = 0, p = off; i < len; i++, p += 4)
    out[i] = [raw[p]! | (raw[p + 1]! << 8), raw[p + 2]! | (raw[p + 3]! << 8)];
  return out;
}
