/**
 * Python `str()` / `repr()` formatting of JSON-like values, needed to reproduce the legacy v10 body
 * hash, which hashes `str(value)` of each synapse hash field.
 *
 * JSON loses the int/float distinction (`1.0` parses to `1`), so a JS number that is an integer
 * prints as a Python int. Wrap a value of a float field in {@link pyFloat} to print it as a Python
 * float (`1.0`, `1e-05`).
 */

/** A number that must print as a Python `float`. Create with {@link pyFloat}. */
export class PyFloat {
  /** @param value the float's value */
  constructor(readonly value: number) {}
}

/** Marks `value` as a Python float, so `pythonStr(pyFloat(1))` is `1.0`, not `1`. */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** Values {@link pythonStr} can format: what `model_dump()` of a JSON synapse holds. */
export type PyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | PyFloat
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

/**
 * Python `repr(float)`: the shortest round-tripping digits, positional for decimal exponents in
 * [-4, 16), otherwise scientific with a signed exponent of at least two digits; integral values keep
 * `.0`; `inf`, `-inf`, `nan`.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that round-trip, like Python's repr.
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
    const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
    return `${sign}${intPart}.${frac}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = exp < 0 ? '-' : '+';
  return `${sign}${head}e${expSign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Python's `str.isprintable()` per character: not in categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (but space). */
const NON_PRINTABLE = /^[\p{C}\p{Z}]$/u;

/**
 * Python `repr(str)`: single quotes unless the text holds `'` and no `"`; backslash escapes for the
 * quote, `\\`, `\t`, `\n`, `\r`, other control characters as `\xNN`, and non-printable non-ASCII
 * characters as `\xNN`, `\uNNNN` or `\UNNNNNNNN`. Printable non-ASCII stays as is.
 */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x7f) out += ch;
    else if (cp !== 0x20 && NON_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

function pythonRepr(value: PyValue, depth: number): string {
  if (depth > 100) throw new RangeError('pythonStr: value nested more than 100 levels deep');
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pythonStrRepr(value);
  if (typeof value === 'number') {
    // An integral JS number prints as a Python int (exactly, even beyond 2^53); others as floats.
    return Number.isInteger(value) ? BigInt(value).toString() : pythonFloatRepr(value);
  }
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonRepr(v, depth + 1)).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: PyValue });
  return `{${entries.map(([k, v]) => `${pythonStrRepr(k)}: ${pythonRepr(v, depth + 1)}`).join(', ')}}`;
}

/**
 * Python `str(value)` of a JSON-like value: strings as raw text; everything else as Python prints it
 * (`True`, `None`, `[1, 2, 3]`, `{'a': 1}`, float repr such as `0.1` or `1e-05`). Dict keys keep
 * insertion order, as Python dicts do.
 * @throws RangeError for values nested deeper than 100 levels.
 */
export function pythonStr(value: PyValue): string {
  return typeof value === 'string' ? value : pythonRepr(value, 0);
}
