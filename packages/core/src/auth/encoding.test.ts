import { describe, expect, it } from 'vitest';
import { decodeHexExact, decodeSs58PublicKey, HeaderReader, parseDecimal, toHex } from './encoding.js';

describe('hex helpers', () => {
  it('round-trips every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = toHex(all);
    expect(hex).toMatch(/^[0-9a-f]{512}$/);
    expect(decodeHexExact(hex, 256)).toEqual(all);
    expect(decodeHexExact(`0x${hex.toUpperCase()}`, 256)).toEqual(all);
  });

  it('rejects wrong lengths and non-hex without throwing', () => {
    expect(decodeHexExact('0xabcd', 2)).toEqual(Uint8Array.from([0xab, 0xcd]));
    expect(decodeHexExact('0xabc', 2)).toBeUndefined();
    expect(decodeHexExact('0xabcdef', 2)).toBeUndefined();
    expect(decodeHexExact('0xabcg', 2)).toBeUndefined();
    expect(decodeHexExact('0Xabcd', 2)).toBeUndefined();
    expect(decodeHexExact('ab cd', 2)).toBeUndefined();
    expect(decodeHexExact('', 0)).toEqual(new Uint8Array(0));
  });
});

describe('parseDecimal', () => {
  it('accepts canonical unsigned decimals only', () => {
    expect(parseDecimal('0', 20)).toBe(0n);
    expect(parseDecimal('18446744073709551615', 20)).toBe(18446744073709551615n);
    for (const bad of [
      '',
      '00',
      '01',
      '-1',
      '+1',
      '1e3',
      '1.0',
      ' 1',
      '1 ',
      '0x10',
      '123456789012345678901',
    ]) {
      expect(parseDecimal(bad, 20)).toBeUndefined();
    }
  });
});

describe('decodeSs58PublicKey', () => {
  it('decodes SS58 hotkeys and rejects everything else', () => {
    expect(decodeSs58PublicKey('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toHaveLength(32);
    expect(decodeSs58PublicKey('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toHaveLength(32); // cached
    expect(decodeSs58PublicKey('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ')).toBeUndefined();
    expect(decodeSs58PublicKey(`0x${'11'.repeat(32)}`)).toBeUndefined();
    expect(decodeSs58PublicKey('')).toBeUndefined();
    expect(decodeSs58PublicKey('0OIl')).toBeUndefined();
  });
});

describe('HeaderReader', () => {
  it('matches names case-insensitively and flags duplicates', () => {
    const reader = new HeaderReader({
      'X-One': 'a',
      'x-two': ['b'],
      'x-three': ['c', 'd'],
      'X-Four': 'e',
      'x-four': 'f',
    });
    expect(reader.get('x-one')).toEqual({ state: 'present', value: 'a' });
    expect(reader.get('X-TWO')).toEqual({ state: 'present', value: 'b' });
    expect(reader.get('x-three')).toEqual({ state: 'duplicate' });
    expect(reader.get('x-four')).toEqual({ state: 'duplicate' });
    expect(reader.get('x-five')).toEqual({ state: 'missing' });
    expect(new HeaderReader(null).get('x')).toEqual({ state: 'missing' });
    expect(new HeaderReader({ n: 5 }).get('n')).toEqual({ state: 'duplicate' });
  });
});
