/**
 * Chain state: a map from the real Substrate storage key (hex) to SCALE bytes, with nested transactional
 * layers (for dispatch rollback) and a per-block journal of previous values (for queries at older blocks).
 */
import { u8aToHex, hexToU8a } from '@polkadot/util';
import { blake2AsU8a, xxhashAsU8a } from '@polkadot/util-crypto';
import { type CodecRegistry, Reader, Writer, type Codec } from '../scale/codec.js';
import type { PalletSpec, StorageSpec } from '../metadata/types.js';

export type Layer = Map<string, Uint8Array | null>;

/** Length of a storage item's key prefix as hex: `0x` ‖ twox128(pallet) ‖ twox128(item). */
const ITEM_PREFIX_CHARS = 2 + 64;

/**
 * The committed state map, with its keys also grouped by storage item, so listing the keys of one item
 * (state_getKeys, the per-block scans of the runtime) does not walk the whole state.
 */
export class StateMap extends Map<string, Uint8Array> {
  private readonly byItem = new Map<string, Set<string>>();

  override set(key: string, value: Uint8Array): this {
    if (!super.has(key)) {
      const item = key.slice(0, ITEM_PREFIX_CHARS);
      let keys = this.byItem.get(item);
      if (!keys) {
        keys = new Set();
        this.byItem.set(item, keys);
      }
      keys.add(key);
    }
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    const item = key.slice(0, ITEM_PREFIX_CHARS);
    const keys = this.byItem.get(item);
    if (keys) {
      keys.delete(key);
      if (keys.size === 0) this.byItem.delete(item);
    }
    return true;
  }

  override clear(): void {
    super.clear();
    this.byItem.clear();
  }

  /** Keys that start with the prefix, unsorted. */
  keysStartingWith(prefix: string): string[] {
    const out: string[] = [];
    if (prefix.length >= ITEM_PREFIX_CHARS) {
      const keys = this.byItem.get(prefix.slice(0, ITEM_PREFIX_CHARS));
      if (keys) for (const k of keys) if (k.startsWith(prefix)) out.push(k);
      return out;
    }
    for (const [item, keys] of this.byItem)
      if (item.startsWith(prefix)) for (const k of keys) out.push(k);
      else if (prefix.startsWith(item)) for (const k of keys) if (k.startsWith(prefix)) out.push(k);
    return out;
  }
}

export class KV {
  /** Committed state. */
  readonly base = new StateMap();
  private readonly layers: Layer[] = [];
  /** Previous committed values of the keys changed since `startJournal` (null = absent). */
  journal: Layer | null = null;

  get(key: string): Uint8Array | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const v = this.layers[i]!.get(key);
      if (v !== undefined) return v === null ? undefined : v;
    }
    return this.base.get(key);
  }

  put(key: string, value: Uint8Array | null): void {
    const top = this.layers[this.layers.length - 1];
    if (top) top.set(key, value);
    else this.commitKey(key, value);
  }

  private commitKey(key: string, value: Uint8Array | null): void {
    if (this.journal && !this.journal.has(key)) this.journal.set(key, this.base.get(key) ?? null);
    if (value === null) this.base.delete(key);
    else this.base.set(key, value);
  }

  begin(): void {
    this.layers.push(new Map());
  }

  commit(): void {
    const top = this.layers.pop();
    if (!top) throw new Error('commit without begin');
    const below = this.layers[this.layers.length - 1];
    for (const [k, v] of top) {
      if (below) below.set(k, v);
      else this.commitKey(k, v);
    }
  }

  rollback(): void {
    if (!this.layers.pop()) throw new Error('rollback without begin');
  }

  /** Runs fn in a layer, committing on success and rolling back on throw. */
  transactional<T>(fn: () => T): T {
    this.begin();
    try {
      const out = fn();
      this.commit();
      return out;
    } catch (e) {
      this.rollback();
      throw e;
    }
  }

  /** Committed keys that start with the prefix, sorted. */
  keysWithPrefix(prefix: string): string[] {
    return this.base.keysStartingWith(prefix).sort();
  }
}

const hashCache = new Map<string, string>();

function twox128Hex(s: string): string {
  return u8aToHex(xxhashAsU8a(s, 128)).slice(2);
}

/** Hashes one encoded key part with a Substrate storage hasher; returns hex without 0x. */
export function hashKeyPart(hasher: string, enc: Uint8Array): string {
  const raw = u8aToHex(enc).slice(2);
  switch (hasher) {
    case 'Identity':
      return raw;
    case 'Blake2_128Concat':
    case 'Twox64Concat': {
      const ck = hasher[0] + raw;
      let h = hashCache.get(ck);
      if (h === undefined) {
        h =
          hasher === 'Twox64Concat'
            ? u8aToHex(xxhashAsU8a(enc, 64)).slice(2) + raw
            : u8aToHex(blake2AsU8a(enc, 128)).slice(2) + raw;
        if (hashCache.size > 500_000) hashCache.clear();
        hashCache.set(ck, h);
      }
      return h;
    }
    case 'Blake2_128':
      return u8aToHex(blake2AsU8a(enc, 128)).slice(2);
    case 'Blake2_256':
      return u8aToHex(blake2AsU8a(enc, 256)).slice(2);
    case 'Twox128':
      return u8aToHex(xxhashAsU8a(enc, 128)).slice(2);
    case 'Twox256':
      return u8aToHex(xxhashAsU8a(enc, 256)).slice(2);
    default:
      throw new Error(`unknown hasher ${hasher}`);
  }
}

/** A compiled storage item: key derivation plus value codec and default. */
export class StorageItem {
  readonly prefix: string;
  readonly keyCodecs: Codec[];
  readonly valueCodec: Codec;
  readonly fallback: Uint8Array;
  readonly optional: boolean;
  private fallbackValue: unknown;
  private hasFallbackValue = false;

  constructor(
    readonly pallet: string,
    readonly spec: StorageSpec,
    codecs: CodecRegistry,
  ) {
    this.prefix = '0x' + twox128Hex(pallet) + twox128Hex(spec.name);
    this.keyCodecs = (spec.keys ?? []).map((k) => codecs.get(k));
    this.valueCodec = codecs.get(spec.value);
    this.fallback = hexToU8a(spec.fallback);
    this.optional = spec.modifier === 'Optional';
  }

  key(keys: readonly unknown[]): string {
    if (keys.length !== this.keyCodecs.length)
      throw new Error(
        `${this.pallet}.${this.spec.name} takes ${this.keyCodecs.length} keys, got ${keys.length}`,
      );
    let k = this.prefix;
    for (let i = 0; i < keys.length; i++) {
      const w = new Writer(40);
      this.keyCodecs[i]!.enc(keys[i], w);
      k += hashKeyPart(this.spec.hashers![i]!, w.finish());
    }
    return k;
  }

  defaultValue(): unknown {
    if (this.optional) return null;
    if (!this.hasFallbackValue) {
      this.fallbackValue = decodeWith(this.valueCodec, this.fallback);
      this.hasFallbackValue = true;
    }
    return structuredClone(this.fallbackValue);
  }
}

export function decodeWith(c: Codec, bytes: Uint8Array): unknown {
  return c.dec(new Reader(bytes));
}

export function encodeWith(c: Codec, v: unknown): Uint8Array {
  const w = new Writer();
  c.enc(v, w);
  return w.finish();
}

/** Typed access to the state through the storage items of the runtime description. */
export class State {
  readonly items = new Map<string, StorageItem>();

  constructor(
    readonly kv: KV,
    readonly codecs: CodecRegistry,
    pallets: PalletSpec[],
  ) {
    for (const p of pallets)
      for (const s of p.storage ?? [])
        this.items.set(`${p.name}.${s.name}`, new StorageItem(p.name, s, codecs));
  }

  item(path: string): StorageItem {
    const it = this.items.get(path);
    if (!it) throw new Error(`unknown storage item ${path}`);
    return it;
  }

  /** Decoded value, or the default (ValueQuery) / null (OptionQuery) when absent. */
  get<T = unknown>(path: string, ...keys: unknown[]): T {
    const it = this.item(path);
    const raw = this.kv.get(it.key(keys));
    if (raw === undefined) return it.defaultValue() as T;
    return decodeWith(it.valueCodec, raw) as T;
  }

  has(path: string, ...keys: unknown[]): boolean {
    const it = this.item(path);
    return this.kv.get(it.key(keys)) !== undefined;
  }

  raw(path: string, ...keys: unknown[]): Uint8Array | undefined {
    const it = this.item(path);
    return this.kv.get(it.key(keys));
  }

  /** Writes a value under the keys (the last argument is the value). */
  set(path: string, ...keysAndValue: unknown[]): void {
    const it = this.item(path);
    const value = keysAndValue[keysAndValue.length - 1];
    const keys = keysAndValue.slice(0, -1);
    this.kv.put(it.key(keys), encodeWith(it.valueCodec, value));
  }

  setRaw(path: string, keys: unknown[], bytes: Uint8Array): void {
    this.kv.put(this.item(path).key(keys), bytes);
  }

  remove(path: string, ...keys: unknown[]): void {
    this.kv.put(this.item(path).key(keys), null);
  }

  /** Element width of a fixed-width vector item (Vec<u64> / Vec<u16> / Vec<bool>). */
  private elemSize(it: StorageItem): number {
    const v = it.spec.value;
    if (v === 'Vec<u64>') return 8;
    if (v === 'Vec<u16>') return 2;
    if (v === 'Vec<bool>') return 1;
    throw new Error(`${it.spec.name} is not a fixed-width vector`);
  }

  /** Length of a fixed-width vector item without decoding it. */
  vecLen(path: string, ...keys: unknown[]): number {
    const raw = this.raw(path, ...keys);
    if (!raw) return 0;
    return new Reader(raw).compactNum();
  }

  /**
   * One element of a fixed-width vector item (number for u16, bigint for u64, boolean for bool), or
   * undefined when out of range. Reads the bytes in place: these vectors have one entry per uid.
   */
  vecGet(path: string, keys: unknown[], idx: number): number | bigint | boolean | undefined {
    const it = this.item(path);
    const size = this.elemSize(it);
    const raw = this.kv.get(it.key(keys));
    if (!raw) return undefined;
    const r = new Reader(raw);
    const len = r.compactNum();
    if (idx < 0 || idx >= len) return undefined;
    r.pos += idx * size;
    if (size === 8) return r.uintB(8);
    if (size === 2) return r.uintN(2);
    return r.u8() === 1;
  }

  /** Sets one element of a fixed-width vector item, growing it with zeros when needed. */
  vecSet(path: string, keys: unknown[], idx: number, value: number | bigint | boolean): void {
    const it = this.item(path);
    const size = this.elemSize(it);
    const key = it.key(keys);
    const raw = this.kv.get(key);
    let len = 0;
    let hdr = 0;
    if (raw) {
      const r = new Reader(raw);
      len = r.compactNum();
      hdr = r.pos;
    }
    let out: Uint8Array;
    let off: number;
    if (raw && idx < len) {
      out = raw.slice();
      off = hdr;
    } else {
      const w = new Writer(8 + (idx + 1) * size);
      w.compact(idx + 1);
      off = w.len;
      w.ensure((idx + 1) * size);
      if (raw) w.buf.set(raw.subarray(hdr, hdr + len * size), off);
      w.len = off + (idx + 1) * size;
      out = w.finish();
    }
    const p = off + idx * size;
    if (size === 8) {
      let n = BigInt.asUintN(64, BigInt(value as bigint));
      for (let i = 0; i < 8; i++) {
        out[p + i] = Number(n & 0xffn);
        n >>= 8n;
      }
    } else if (size === 2) {
      out[p] = Number(value) & 0xff;
      out[p + 1] = (Number(value) >> 8) & 0xff;
    } else out[p] = value ? 1 : 0;
    this.kv.put(key, out);
  }

  /** Appends one already-encoded element to a Vec item without decoding the others. */
  append(path: string, keys: unknown[], elem: Uint8Array): void {
    const it = this.item(path);
    const key = it.key(keys);
    const raw = this.kv.get(key);
    let len = 0;
    let body: Uint8Array = new Uint8Array(0);
    if (raw) {
      const r = new Reader(raw);
      len = r.compactNum();
      body = raw.subarray(r.pos);
    }
    const w = new Writer(body.length + elem.length + 5);
    w.compact(len + 1);
    w.bytes(body);
    w.bytes(elem);
    this.kv.put(key, w.finish());
  }

  /** Whether a Vec<[u8; 32]>-like item holds the given 32-byte element (scans the bytes). */
  contains32(path: string, keys: unknown[], elem: Uint8Array): boolean {
    const raw = this.raw(path, ...keys);
    if (!raw) return false;
    const r = new Reader(raw);
    const len = r.compactNum();
    for (let i = 0; i < len; i++) {
      const off = r.pos + i * 32;
      let eq = true;
      for (let j = 0; j < 32; j++)
        if (raw[off + j] !== elem[j]) {
          eq = false;
          break;
        }
      if (eq) return true;
    }
    return false;
  }

  mutate<T>(path: string, keys: unknown[], fn: (v: T) => T): T {
    const v = fn(this.get<T>(path, ...keys));
    this.set(path, ...keys, v);
    return v;
  }
}
