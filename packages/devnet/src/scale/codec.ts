/**
 * A small, fast SCALE codec driven by the type expressions of the pallet description.
 *
 * JS representation: bool → boolean; u8..u32/i8..i32 → number; u64/u128/i64/i128 → bigint;
 * Compact<u8..u32> → number, Compact<u64/u128> → bigint; Vec<u8> and [u8; N] → Uint8Array; Vec<u16> → Uint16Array;
 * other Vec/array → array; tuple → array; () → null; Option<T> → T | null;
 * struct → object with the Rust field names; newtype (one unnamed field) → the inner value;
 * enum → { tag: variantName, value?: fields } (fields follow the struct rules).
 */
import { parseType, type TypeNode } from './typeexpr.js';
import type { FieldSpec, TypeDefSpec } from '../metadata/types.js';

export type Value = unknown;

export interface EnumValue {
  tag: string;
  value?: Value;
}

export class Writer {
  buf: Uint8Array;
  len = 0;
  constructor(size = 64) {
    this.buf = new Uint8Array(size);
  }
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  uint(v: number | bigint, size: number): void {
    this.ensure(size);
    if (size <= 4) {
      let n = Number(v);
      for (let i = 0; i < size; i++) {
        this.buf[this.len++] = n & 0xff;
        n = Math.floor(n / 256);
      }
      return;
    }
    let n = BigInt.asUintN(size * 8, BigInt(v as bigint));
    for (let i = 0; i < size; i++) {
      this.buf[this.len++] = Number(n & 0xffn);
      n >>= 8n;
    }
  }
  compact(v: number | bigint): void {
    const n = BigInt(v);
    if (n < 0n) throw new Error('compact of a negative number');
    if (n < 64n) this.u8(Number(n) << 2);
    else if (n < 16384n) this.uint((Number(n) << 2) | 1, 2);
    else if (n < 1073741824n) this.uint(Number(n) * 4 + 2, 4);
    else {
      const bytes: number[] = [];
      let x = n;
      while (x > 0n) {
        bytes.push(Number(x & 0xffn));
        x >>= 8n;
      }
      this.u8(((bytes.length - 4) << 2) | 3);
      for (const b of bytes) this.u8(b);
    }
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ScaleError('unexpected end of input');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  uintN(size: number): number {
    this.need(size);
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.buf[this.pos + i]!;
    this.pos += size;
    return v;
  }
  uintB(size: number): bigint {
    this.need(size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.buf[this.pos + i]!);
    this.pos += size;
    return v;
  }
  compact(): bigint {
    const b0 = this.u8();
    const mode = b0 & 3;
    if (mode === 0) return BigInt(b0 >> 2);
    if (mode === 1) return BigInt(((this.u8() << 8) | b0) >> 2);
    if (mode === 2) {
      this.pos -= 1;
      return BigInt(Math.floor(this.uintN(4) / 4));
    }
    return this.uintB((b0 >> 2) + 4);
  }
  compactNum(): number {
    const v = this.compact();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ScaleError('length too large');
    return Number(v);
  }
}

export class ScaleError extends Error {}

export interface Codec {
  enc(v: Value, w: Writer): void;
  dec(r: Reader): Value;
}

/** Compiles and caches codecs for type expressions against a set of named type definitions. */
export class CodecRegistry {
  private readonly cache = new Map<string, Codec>();
  constructor(private readonly defs: Record<string, TypeDefSpec>) {}

  def(key: string): TypeDefSpec {
    const d = this.defs[key];
    if (!d) throw new Error(`unknown type '${key}'`);
    return d;
  }

  /** The codec of a type expression. */
  get(type: string): Codec {
    let c = this.cache.get(type);
    if (!c) {
      c = this.node(parseType(type));
      this.cache.set(type, c);
    }
    return c;
  }

  encode(type: string, v: Value): Uint8Array {
    const w = new Writer();
    this.get(type).enc(v, w);
    return w.finish();
  }

  decode<T = Value>(type: string, bytes: Uint8Array): T {
    const r = new Reader(bytes);
    const v = this.get(type).dec(r);
    return v as T;
  }

  /** Codec for a list of fields (struct / call args / enum payload). */
  fields(fields: FieldSpec[]): Codec {
    const codecs = fields.map((f) => this.get(f[1]));
    if (fields.length === 0) return { enc: () => {}, dec: () => null };
    const named = fields[0]![0] !== null;
    if (!named && fields.length === 1) return codecs[0]!;
    if (!named) {
      return {
        enc: (v, w) => {
          const a = v as Value[];
          for (let i = 0; i < codecs.length; i++) codecs[i]!.enc(a[i], w);
        },
        dec: (r) => codecs.map((c) => c.dec(r)),
      };
    }
    const names = fields.map((f) => f[0]!);
    return {
      enc: (v, w) => {
        const o = v as Record<string, Value>;
        for (let i = 0; i < codecs.length; i++) {
          const name = names[i]!;
          if (!(name in o)) throw new Error(`missing field '${name}'`);
          codecs[i]!.enc(o[name], w);
        }
      },
      dec: (r) => {
        const o: Record<string, Value> = {};
        for (let i = 0; i < codecs.length; i++) o[names[i]!] = codecs[i]!.dec(r);
        return o;
      },
    };
  }

  /** Codec for an enum given its variants. */
  variants(vs: [string, number, FieldSpec[]][]): Codec {
    const byName = new Map<string, { index: number; codec: Codec }>();
    const byIndex = new Map<number, { name: string; codec: Codec }>();
    // Lazy so that recursive types (RuntimeCall inside Sudo.sudo) resolve.
    let built = false;
    const build = () => {
      if (built) return;
      built = true;
      for (const [name, index, fields] of vs) {
        const codec = this.fields(fields);
        byName.set(name, { index, codec });
        byIndex.set(index, { name, codec });
      }
    };
    return {
      enc: (v, w) => {
        build();
        const e = (typeof v === 'string' ? { tag: v } : v) as EnumValue;
        const x = byName.get(e.tag);
        if (!x) throw new Error(`unknown variant '${e.tag}'`);
        w.u8(x.index);
        x.codec.enc(e.value, w);
      },
      dec: (r) => {
        build();
        const i = r.u8();
        const x = byIndex.get(i);
        if (!x) throw new ScaleError(`unknown variant index ${i}`);
        const value = x.codec.dec(r);
        return value === null ? { tag: x.name } : { tag: x.name, value };
      },
    };
  }

  private node(n: TypeNode): Codec {
    switch (n.kind) {
      case 'prim':
        return prim(n.name);
      case 'compact': {
        const big = n.inner.kind === 'prim' && (n.inner.name === 'u64' || n.inner.name === 'u128');
        if (n.inner.kind === 'tuple' && n.inner.items.length === 0) return { enc: () => {}, dec: () => null };
        return {
          enc: (v, w) => w.compact(v as number | bigint),
          dec: (r) => (big ? r.compact() : Number(r.compact())),
        };
      }
      case 'vec': {
        if (n.inner.kind === 'prim' && n.inner.name === 'u8') {
          return {
            enc: (v, w) => {
              const b = v as Uint8Array;
              w.compact(b.length);
              w.bytes(b);
            },
            dec: (r) => r.bytes(r.compactNum()).slice(),
          };
        }
        if (n.inner.kind === 'prim' && n.inner.name === 'u16') return vecU16;
        const inner = this.lazy(n.inner);
        return {
          enc: (v, w) => {
            const a = v as Value[];
            w.compact(a.length);
            for (const x of a) inner.enc(x, w);
          },
          dec: (r) => {
            const len = r.compactNum();
            if (len > r.buf.length - r.pos) throw new ScaleError('vector longer than input');
            const out: Value[] = new Array(len);
            for (let i = 0; i < len; i++) out[i] = inner.dec(r);
            return out;
          },
        };
      }
      case 'option': {
        const inner = this.lazy(n.inner);
        return {
          enc: (v, w) => {
            if (v === null || v === undefined) w.u8(0);
            else {
              w.u8(1);
              inner.enc(v, w);
            }
          },
          dec: (r) => {
            const t = r.u8();
            if (t === 0) return null;
            if (t !== 1) throw new ScaleError('bad Option tag');
            return inner.dec(r);
          },
        };
      }
      case 'array': {
        const len = n.len;
        if (n.inner.kind === 'prim' && n.inner.name === 'u8') {
          return {
            enc: (v, w) => {
              const b = v as Uint8Array;
              if (b.length !== len) throw new Error(`expected ${len} bytes, got ${b.length}`);
              w.bytes(b);
            },
            dec: (r) => r.bytes(len).slice(),
          };
        }
        const inner = this.lazy(n.inner);
        return {
          enc: (v, w) => {
            for (const x of v as Value[]) inner.enc(x, w);
          },
          dec: (r) => {
            const out: Value[] = [];
            for (let i = 0; i < len; i++) out.push(inner.dec(r));
            return out;
          },
        };
      }
      case 'tuple': {
        if (n.items.length === 0) return { enc: () => {}, dec: () => null };
        if (n.items.length === 2 && n.items.every((x) => x.kind === 'prim' && x.name === 'u16'))
          return pairU16;
        const items = n.items.map((x) => this.lazy(x));
        return {
          enc: (v, w) => {
            const a = v as Value[];
            for (let i = 0; i < items.length; i++) items[i]!.enc(a[i], w);
          },
          dec: (r) => items.map((c) => c.dec(r)),
        };
      }
      case 'named': {
        const d = this.def(n.key);
        if (d.composite) return this.fields(d.composite);
        if (d.variant) return this.variants(d.variant);
        throw new Error(`type '${n.key}' has no definition`);
      }
    }
  }

  /** Defers compilation so recursive named types work. */
  private lazy(n: TypeNode): Codec {
    let c: Codec | undefined;
    const get = () => {
      if (!c) c = this.node(n);
      return c;
    };
    if (n.kind === 'prim') return get();
    return { enc: (v, w) => get().enc(v, w), dec: (r) => get().dec(r) };
  }
}

/** Vec<u16> decodes to a Uint16Array (a copy of the little-endian bytes); it encodes from any ArrayLike. */
const vecU16: Codec = {
  enc: (v, w) => {
    const a = v as ArrayLike<number>;
    w.compact(a.length);
    w.ensure(a.length * 2);
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      w.buf[w.len++] = x & 0xff;
      w.buf[w.len++] = (x >> 8) & 0xff;
    }
  },
  dec: (r) => {
    const len = r.compactNum();
    r.need(len * 2);
    const out = new Uint16Array(len);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(r.buf.subarray(r.pos, r.pos + len * 2));
    else for (let i = 0; i < len; i++) out[i] = r.buf[r.pos + 2 * i]! | (r.buf[r.pos + 2 * i + 1]! << 8);
    r.pos += len * 2;
    return out;
  },
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const pairU16: Codec = {
  enc: (v, w) => {
    const [a, b] = v as [number, number];
    w.ensure(4);
    w.buf[w.len++] = a & 0xff;
    w.buf[w.len++] = (a >> 8) & 0xff;
    w.buf[w.len++] = b & 0xff;
    w.buf[w.len++] = (b >> 8) & 0xff;
  },
  dec: (r) => {
    r.need(4);
    const x = r.buf;
    const p = r.pos;
    r.pos += 4;
    return [x[p]! | (x[p + 1]! << 8), x[p + 2]! | (x[p + 3]! << 8)];
  },
};

function prim(name: string): Codec {
  switch (name) {
    case 'bool':
      return {
        enc: (v, w) => w.u8(v ? 1 : 0),
        dec: (r) => {
          const b = r.u8();
          if (b > 1) throw new ScaleError('bad bool');
          return b === 1;
        },
      };
    case 'str':
      return {
        enc: (v, w) => {
          const b = new TextEncoder().encode(v as string);
          w.compact(b.length);
          w.bytes(b);
        },
        dec: (r) => new TextDecoder().decode(r.bytes(r.compactNum())),
      };
    case 'u8':
    case 'u16':
    case 'u32': {
      const size = name === 'u8' ? 1 : name === 'u16' ? 2 : 4;
      return { enc: (v, w) => w.uint(v as number, size), dec: (r) => r.uintN(size) };
    }
    case 'i8':
    case 'i16':
    case 'i32': {
      const size = name === 'i8' ? 1 : name === 'i16' ? 2 : 4;
      const bits = size * 8;
      return {
        enc: (v, w) => w.uint(BigInt.asUintN(bits, BigInt(v as number)), size),
        dec: (r) => Number(BigInt.asIntN(bits, BigInt(r.uintN(size)))),
      };
    }
    case 'u64':
    case 'u128':
    case 'u256': {
      const size = name === 'u64' ? 8 : name === 'u128' ? 16 : 32;
      return { enc: (v, w) => w.uint(v as bigint, size), dec: (r) => r.uintB(size) };
    }
    case 'i64':
    case 'i128':
    case 'i256': {
      const size = name === 'i64' ? 8 : name === 'i128' ? 16 : 32;
      return {
        enc: (v, w) => w.uint(BigInt.asUintN(size * 8, BigInt(v as bigint)), size),
        dec: (r) => BigInt.asIntN(size * 8, r.uintB(size)),
      };
    }
    default:
      throw new Error(`unsupported primitive '${name}'`);
  }
}
