/** A field of a call, event, error variant or struct: [name (null when unnamed), type expression, Rust type name]. */
export type FieldSpec = [string | null, string, string | null];

/** A call, event or error variant of a pallet. */
export interface VariantSpec {
  name: string;
  index: number;
  fields: FieldSpec[];
}

/** A storage item. `keys`/`hashers` are absent for plain values. */
export interface StorageSpec {
  name: string;
  modifier: 'Default' | 'Optional' | string;
  /** SCALE of the default value (ValueQuery) or 0x00 (OptionQuery). */
  fallback: string;
  hashers?: string[];
  keys?: string[];
  value: string;
}

export interface ConstantSpec {
  name: string;
  type: string;
  value: string;
}

/** The part of one pallet's metadata the devnet implements. */
export interface PalletSpec {
  name: string;
  index: number;
  storage?: StorageSpec[];
  calls?: VariantSpec[];
  events?: VariantSpec[];
  errors?: VariantSpec[];
  constants?: ConstantSpec[];
}

/** A named (path-carrying) type: a struct or an enum. */
export interface TypeDefSpec {
  path: string[];
  params?: [string, string | null][];
  composite?: FieldSpec[];
  variant?: [string, number, FieldSpec[]][];
}
