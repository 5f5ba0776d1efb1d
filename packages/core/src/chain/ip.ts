/**
 * The axon IP codec: subtensor stores an axon's address as a u128 integer plus `ip_type` 4 or 6
 * (protocol facts 2.5). Pure.
 */
import { ChainValueError } from './errors.js';

/** Encodes IPv4/IPv6 text to the u128 integer and ip_type subtensor expects. */
export function encodeIp(ip: string): { ip: bigint; ipType: 4 | 6 } {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    let n = 0n;
    for (let i = 1; i <= 4; i++) {
      const o = Number(v4[i]);
      if (o > 255) throw new ChainValueError(`invalid IPv4 address ${ip}: each part must be 0-255`);
      n = (n << 8n) | BigInt(o);
    }
    return { ip: n, ipType: 4 };
  }
  if (ip.includes(':')) {
    const [head = '', tail, extra] = ip.split('::');
    if (extra !== undefined) throw new ChainValueError(`invalid IPv6 address ${ip}: '::' may appear once`);
    const parse = (s: string) => (s === '' ? [] : s.split(':'));
    const h = parse(head);
    const t = tail === undefined ? [] : parse(tail);
    const fill = tail === undefined ? 0 : 8 - h.length - t.length;
    const groups = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
      throw new ChainValueError(`invalid IPv6 address ${ip}: expected 8 hex groups (or '::')`);
    }
    let n = 0n;
    for (const g of groups) n = (n << 16n) | BigInt(Number.parseInt(g, 16));
    return { ip: n, ipType: 6 };
  }
  throw new ChainValueError(`invalid IP address ${JSON.stringify(ip)}: expected IPv4 or IPv6`);
}

/** Decodes subtensor's u128 IP integer to text: a dotted quad, or RFC 5952 text for `ipType` 6. */
export function decodeIp(ip: bigint, ipType: number): string {
  if (ipType === 6) {
    const groups: string[] = [];
    for (let i = 7; i >= 0; i--) groups.push(((ip >> BigInt(i * 16)) & 0xffffn).toString(16));
    // Compress the longest run of two or more zero groups (RFC 5952).
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
