import { describe, expect, it } from 'vitest';
import { KV, StateMap } from './storage.js';

const item = (c: string) => `0x${c.repeat(64)}`;

describe('StateMap key index', () => {
  it('lists the keys of one item, of a pallet-level prefix and of short keys, after sets, deletes and clear', () => {
    const m = new StateMap();
    const v = new Uint8Array([1]);
    const a = item('a');
    const b = item('b');
    m.set(`${a}01`, v);
    m.set(`${a}02`, v);
    m.set(`${a}0201`, v);
    m.set(`${b}01`, v);
    m.set('0x3a636f6465', v); // ':code', shorter than an item prefix
    m.set(`${a}01`, v); // overwrite: still one key
    const sorted = (p: string) => m.keysStartingWith(p).sort();
    expect(sorted(a)).toEqual([`${a}01`, `${a}02`, `${a}0201`]);
    expect(sorted(`${a}02`)).toEqual([`${a}02`, `${a}0201`]);
    expect(sorted('0xaaaa')).toEqual([`${a}01`, `${a}02`, `${a}0201`]);
    expect(sorted('0x3a63')).toEqual(['0x3a636f6465']);
    expect(sorted('0x3a636f6465')).toEqual(['0x3a636f6465']);
    expect(sorted('0x3a636f646566')).toEqual([]);
    expect(sorted('0x')).toHaveLength(5);
    expect(sorted(item('c'))).toEqual([]);
    // Every answer equals a scan of the whole map.
    const scan = (p: string) => [...m.keys()].filter((k) => k.startsWith(p)).sort();
    for (const p of ['0x', a, `${a}0`, '0x3a', b, `${b}01`]) expect(sorted(p)).toEqual(scan(p));
    expect(m.delete(`${a}02`)).toBe(true);
    expect(m.delete(`${a}02`)).toBe(false);
    expect(sorted(a)).toEqual([`${a}01`, `${a}0201`]);
    m.delete(`${b}01`);
    expect(sorted(b)).toEqual([]);
    m.clear();
    expect(sorted('0x')).toEqual([]);
    m.set(`${b}07`, v);
    expect(sorted(b)).toEqual([`${b}07`]);
  });

  it('KV.keysWithPrefix sees committed keys only, sorted', () => {
    const kv = new KV();
    const a = item('a');
    kv.put(`${a}02`, new Uint8Array([2]));
    kv.put(`${a}01`, new Uint8Array([1]));
    kv.begin();
    kv.put(`${a}03`, new Uint8Array([3]));
    kv.put(`${a}01`, null);
    expect(kv.keysWithPrefix(a)).toEqual([`${a}01`, `${a}02`]);
    kv.commit();
    expect(kv.keysWithPrefix(a)).toEqual([`${a}02`, `${a}03`]);
  });
});
