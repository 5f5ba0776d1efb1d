/**
 * Parser for the Rust-like type expressions used in the pallet description:
 * `u16`, `Vec<u16>`, `Compact<u64>`, `Option<T>`, `[u8; 32]`, `(u16, u16)`, `()`, and named types
 * (`sp_core::crypto::AccountId32`, `frame_system::EventRecord<RuntimeEvent, primitive_types::H256>`).
 */
export type TypeNode =
  | { kind: 'prim'; name: string }
  | { kind: 'compact'; inner: TypeNode }
  | { kind: 'vec'; inner: TypeNode }
  | { kind: 'option'; inner: TypeNode }
  | { kind: 'array'; inner: TypeNode; len: number }
  | { kind: 'tuple'; items: TypeNode[] }
  | { kind: 'named'; key: string };

export const PRIMITIVES = new Set([
  'bool',
  'char',
  'str',
  'u8',
  'u16',
  'u32',
  'u64',
  'u128',
  'u256',
  'i8',
  'i16',
  'i32',
  'i64',
  'i128',
  'i256',
]);

const cache = new Map<string, TypeNode>();

/** Parses a type expression (memoised). Throws on malformed input. */
export function parseType(src: string): TypeNode {
  const hit = cache.get(src);
  if (hit) return hit;
  const p = new Parser(src);
  const node = p.type();
  p.ws();
  if (p.pos !== src.length) throw new Error(`unexpected '${src.slice(p.pos)}' in type '${src}'`);
  cache.set(src, node);
  return node;
}

/** Canonical text of a node (the inverse of parseType). */
export function typeToString(n: TypeNode): string {
  switch (n.kind) {
    case 'prim':
      return n.name;
    case 'compact':
      return `Compact<${typeToString(n.inner)}>`;
    case 'vec':
      return `Vec<${typeToString(n.inner)}>`;
    case 'option':
      return `Option<${typeToString(n.inner)}>`;
    case 'array':
      return `[${typeToString(n.inner)}; ${n.len}]`;
    case 'tuple':
      return `(${n.items.map(typeToString).join(', ')})`;
    case 'named':
      return n.key;
  }
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    while (this.s[this.pos] === ' ') this.pos++;
  }

  eat(ch: string): boolean {
    this.ws();
    if (this.s[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  expect(ch: string): void {
    if (!this.eat(ch)) throw new Error(`expected '${ch}' at ${this.pos} in type '${this.s}'`);
  }

  type(): TypeNode {
    this.ws();
    if (this.eat('(')) {
      const items: TypeNode[] = [];
      if (!this.eat(')')) {
        do items.push(this.type());
        while (this.eat(','));
        this.expect(')');
      }
      return { kind: 'tuple', items };
    }
    if (this.eat('[')) {
      const inner = this.type();
      this.expect(';');
      this.ws();
      const m = /^\d+/.exec(this.s.slice(this.pos));
      if (!m) throw new Error(`expected array length in type '${this.s}'`);
      this.pos += m[0].length;
      this.expect(']');
      return { kind: 'array', inner, len: Number(m[0]) };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*/.exec(this.s.slice(this.pos));
    if (!m) throw new Error(`expected a type at ${this.pos} in '${this.s}'`);
    const ident = m[0];
    this.pos += ident.length;
    const args: TypeNode[] = [];
    if (this.eat('<')) {
      do args.push(this.type());
      while (this.eat(','));
      this.expect('>');
    }
    if (ident === 'Vec' && args.length === 1) return { kind: 'vec', inner: args[0]! };
    if (ident === 'Compact' && args.length === 1) return { kind: 'compact', inner: args[0]! };
    if (ident === 'Option' && args.length === 1) return { kind: 'option', inner: args[0]! };
    if (args.length === 0 && PRIMITIVES.has(ident)) return { kind: 'prim', name: ident };
    return { kind: 'named', key: args.length ? `${ident}<${args.map(typeToString).join(', ')}>` : ident };
  }
}
