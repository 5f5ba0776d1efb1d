import { describe, expect, it } from 'vitest';
import { pyFloat, pythonFloatRepr, pythonStr, pythonStrRepr } from './python-str.js';

// Expected strings were produced by CPython 3 (`str(...)` / `repr(...)`).
describe('pythonStr', () => {
  it('formats scalars like Python str()', () => {
    expect(pythonStr('hello')).toBe('hello');
    expect(pythonStr("raw 'text'")).toBe("raw 'text'");
    expect(pythonStr(42)).toBe('42');
    expect(pythonStr(-7)).toBe('-7');
    expect(pythonStr(12345678901234567890n)).toBe('12345678901234567890');
    expect(pythonStr(true)).toBe('True');
    expect(pythonStr(false)).toBe('False');
    expect(pythonStr(null)).toBe('None');
    expect(pythonStr(undefined)).toBe('None');
    expect(pythonStr(0.1)).toBe('0.1');
    expect(pythonStr(pyFloat(1))).toBe('1.0');
    expect(pythonStr(pyFloat(12))).toBe('12.0');
  });

  it('formats floats like Python repr()', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [-0.0001, '-0.0001'],
      [1e-4 * 0.99, '9.900000000000001e-05'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [123.456, '123.456'],
      [1.5e300, '1.5e+300'],
      [2.5e-7, '2.5e-07'],
      [-0, '-0.0'],
      [0, '0.0'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [Number.NEGATIVE_INFINITY, '-inf'],
      [Number.NaN, 'nan'],
      [12, '12.0'],
      [100, '100.0'],
      [1 / 3, '0.3333333333333333'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [123456789012345680, '1.2345678901234568e+17'],
      [9999999999999998, '9999999999999998.0'],
    ];
    for (const [value, expected] of cases) expect(pythonFloatRepr(value)).toBe(expected);
  });

  it('formats lists and dicts with Python repr of their items', () => {
    expect(pythonStr([1, 2, 3])).toBe('[1, 2, 3]');
    expect(pythonStr([])).toBe('[]');
    expect(pythonStr({})).toBe('{}');
    expect(
      pythonStr({
        a: 1,
        b: [1.5, null, true, "it's"],
        c: { d: 'x"y' },
        'q\'"': '\n\t\\\x00\x7f\x85é\u2028\u{1F600}\ud800',
      }),
    ).toBe(
      "{'a': 1, 'b': [1.5, None, True, \"it's\"], 'c': {'d': 'x\"y'}, 'q\\'\"': '\\n\\t\\\\\\x00\\x7f\\x85\u00e9\\u2028\ud83d\ude00\\ud800'}",
    );
    expect(pythonStr(['both \' and "', 'tab\there', '', 'ÿ\xa0\xad'])).toBe(
      "['both \\' and \"', 'tab\\there', '', '\u00ff\\xa0\\xad']",
    );
    expect(pythonStr({ k: '\u200b\ufeff\u{e0001} \u3000x' })).toBe(
      "{'k': '\\u200b\\ufeff\\U000e0001 \\u3000x'}",
    );
  });

  it('repr of a string picks quotes as Python does', () => {
    expect(pythonStrRepr('plain')).toBe("'plain'");
    expect(pythonStrRepr("it's")).toBe('"it\'s"');
    expect(pythonStrRepr('say "hi"')).toBe('\'say "hi"\'');
  });

  it('refuses absurdly deep nesting instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(() => pythonStr(deep as never)).toThrow(RangeError);
  });
});
