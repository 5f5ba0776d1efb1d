/**
 * Small, total parsing helpers shared by btauth/1 and the legacy v10 verifier: header lookup, hex and
 * SS58 decoding. Every function returns `undefined` for bad input instead of throwing, because the
 * input is whatever an unauthenticated caller sent.
 */
import { decodeAddress } from '@polkadot/util-crypto';

/**
 * Request headers as Node (`IncomingHttpHeaders`), Fastify or a plain object gives them. Names are
 * matched case-insensitively; a value that arrives as an array of more than one element is a
 * duplicated header.
 */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Result of looking a header up in a {@link HeaderBag}. */
export type HeaderLookup =
  | { readonly state: 'missing' }
  | { readonly state: 'duplicate' }
  | { readonly state: 'present'; readonly value: string };

/** A case-insensitive view of a header bag, built once per request. */
export class HeaderReader {
  private readonly map = new Map<string, HeaderLookup>();

  constructor(headers: unknown) {
    if (headers === null || typeof headers !== 'object') return;
    for (const [rawName, raw] of Object.entries(headers as Record<string, unknown>)) {
      const name = rawName.toLowerCase();
      let entry: HeaderLookup;
      if (raw === undefined) continue;
      if (typeof raw === 'string') entry = { state: 'present', value: raw };
      else if (Array.isArray(raw) && raw.length === 1 && typeof raw[0] === 'string')
        entry = { state: 'present', value: raw[0] };
      else if (Array.isArray(raw) && raw.length === 0) continue;
      else entry = { state: 'duplicate' }; // arrays of several values, numbers, objects: not one clean value
      // The same name under two spellings ("X-Foo" and "x-foo") is a duplicate too.
      this.map.set(name, this.map.has(name) ? { state: 'duplicate' } : entry);
    }
  }

  /** Looks up `name` (any case). */
  get(name: string): HeaderLookup {
    return this.map.get(name.toLowerCase()) ?? { state: 'missing' };
  }
}

const HEX_RE = /^(?:0x)?((?:[0-9a-fA-F]{2})*)$/;

/**
 * Decodes hex (optional `0x`, either case) of exactly `byteLength` bytes, or returns `undefined`.
 * The length is checked before any work so huge values cost nothing.
 */
export function decodeHexExact(value: string, byteLength: number): Uint8Array | undefined {
  const expected = byteLength * 2;
  if (value.length !== expected && value.length !== expected + 2) return undefined;
  const match = HEX_RE.exec(value);
  if (!match || match[1]!.length !== expected) return undefined;
  const out = new Uint8Array(byteLength);
  const hex = match[1]!;
  for (let i = 0; i < byteLength; i++) {
    out[i] = (nibble(hex.charCodeAt(i * 2)) << 4) | nibble(hex.charCodeAt(i * 2 + 1));
  }
  return out;
}

/** Lowercase hex of `bytes` without a prefix. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX_BYTES[b]!;
  return out;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Value of one hex digit character code (the caller has already checked it is one). */
function nibble(code: number): number {
  if (code <= 0x39) return code - 0x30; // 0-9
  return (code | 0x20) - 0x57; // a-f, A-F
}

/** Longest SS58 string worth decoding (a 32-byte key with a two-byte prefix is 48-49 characters). */
const MAX_SS58_LENGTH = 64;
const ss58Cache = new Map<string, Uint8Array | null>();
const SS58_CACHE_LIMIT = 16_384;

/**
 * Decodes an SS58 address (any network prefix, checksum enforced) to its 32-byte public key, or
 * returns `undefined`. Results are memoised in a bounded cache since the same hotkeys call again and
 * again; callers must not mutate the returned array.
 */
export function decodeSs58PublicKey(address: string): Uint8Array | undefined {
  if (address.length === 0 || address.length > MAX_SS58_LENGTH) return undefined;
  const cached = ss58Cache.get(address);
  if (cached !== undefined) return cached ?? undefined;
  let key: Uint8Array | null = null;
  try {
    const decoded = decodeAddress(address, false);
    // decodeAddress also accepts hex strings and 33-byte (ecdsa) keys; a hotkey is SS58 of 32 bytes.
    if (decoded.length === 32 && !address.startsWith('0x')) key = decoded;
  } catch {
    key = null;
  }
  if (ss58Cache.size >= SS58_CACHE_LIMIT) {
    const oldest = ss58Cache.keys().next();
    if (!oldest.done) ss58Cache.delete(oldest.value);
  }
  ss58Cache.set(address, key);
  return key ?? undefined;
}

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses a canonical unsigned decimal integer (no sign, no leading zeros, at most `maxDigits`
 * digits) to a bigint, or returns `undefined`.
 */
export function parseDecimal(value: string, maxDigits: number): bigint | undefined {
  if (value.length === 0 || value.length > maxDigits || !DECIMAL_RE.test(value)) return undefined;
  return BigInt(value);
}

/** Quotes an attacker-supplied value for an error message, cut to a safe length. */
export function quoteForMessage(value: string, max = 64): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}...` : clean);
}
