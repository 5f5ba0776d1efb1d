/** Axon IP encoding as subtensor stores it (protocol facts 2.5). Pure. */
import { ChainError } from './errors.js';

/** An axon as published on chain, decoded. */
export interface AxonInfo {
  /** Block of the last serve_axon (0 when never served). */
  block: number;
  version: number;
  /** Dotted quad (IPv4) or RFC 5952 text (IPv6); `0.0.0.0` when never served. */
  ip: string;
  port: number;
  ipType: number;
  protocol: number;
}

/** Encodes an IPv4/IPv6 address to the u128 integer and ip_type subtensor expects. */
export function encodeIp(ip: string): { ip: bigint; ipType: 4 | 6 } {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    let n = 0n;
    for (let i = 1; i <= 4; i++) {
      const o = Number(v4[i]);
      if (o > 255) throw new ChainError('BadInput', `invalid IPv4 address ${ip}`);
      n = (n << 8n) | BigInt(o);
    }
    return { ip: n, ipType: 4 };
  }
  if (ip.includes(':')) {
    const [head = '', tail, extra] = ip.split('::');
    if (extra !== undefined) throw new ChainError('BadInput', `invalid IPv6 address ${ip}`);
    const parse = (s: string) => (s === '' ? [] : s.split(':'));
    const h = parse(head);
    const t = tail === undefined ? [] : parse(tail);
    const fill = tail === undefined ? 0 : 8 - h.length - t.length;
    const groups = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
      throw new ChainError('BadInput', `invalid IPv6 address ${ip}`);
    }
    let n = 0n;
    for (const g of groups) n = (n << 16n) | BigInt(Number.parseInt(g, 16));
    return { ip: n, ipType: 6 };
  }
  throw new ChainError('BadInput', `invalid IP address ${JSON.stringify(ip)}: expected IPv4 or IPv6`);
}

/** Decodes subtensor's u128 IP integer to text. */
export function decodeIp(ip: bigint, ipType: number): string {
  if (ipType === 6) {
    const groups: string[] = [];
    for (let i = 7; i >= 0; i--) groups.push(((ip >> BigInt(i * 16)) & 0xffffn).toString(16));
    // Compress the longest run of zero groups (RFC 5952).
    let best = -1;
    let bestLen = 0;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== '0') {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > bestLen && j - i > 1) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (best < 0) return groups.join(':');
    return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  }
  const n = Number(ip & 0xffffffffn);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Reads a little-endian unsigned integer of `len` bytes. */
export function readUintLE(bytes: Uint8Array, offset: number, len: number): bigint {
  let v = 0n;
  for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i] ?? 0);
  return v;
}

/**
 * Decodes the SCALE bytes of `AxonInfo { block u64, version u32, ip u128, port u16, ip_type u8, protocol u8,
 * placeholder1 u8, placeholder2 u8 }` (34 bytes). Returns null for absent/short values.
 */
export function decodeAxonInfo(bytes: Uint8Array | null | undefined): AxonInfo | null {
  if (!bytes || bytes.length < 34) return null;
  const ipType = bytes[30]!;
  return {
    block: Number(readUintLE(bytes, 0, 8)),
    version: Number(readUintLE(bytes, 8, 4)),
    ip: decodeIp(readUintLE(bytes, 12, 16), ipType),
    port: Number(readUintLE(bytes, 28, 2)),
    ipType,
    protocol: bytes[31]!,
  };
}
