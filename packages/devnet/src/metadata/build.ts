/**
 * Builds the runtime metadata (V14 and V15) served by state_getMetadata / Metadata_metadata_at_version,
 * from the runtime description, as a portable type registry that @polkadot/types can encode.
 */
import { Metadata, TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { parseType, typeToString, type TypeNode } from '../scale/typeexpr.js';
import type { FieldSpec, TypeDefSpec } from './types.js';
import {
  ADDRESS_TYPE,
  callTypeKey,
  errorTypeKey,
  EVENT_RECORD_TYPE,
  eventTypeKey,
  EXTRINSIC_TYPE,
  RUNTIME_APIS,
  RUNTIME_DEFS,
  RUNTIME_PALLETS,
  SIGNATURE_TYPE,
  TX_EXTENSIONS,
  TX_EXTRA_TYPE,
} from './spec.js';
import { runtimeVersionBytes } from './version.js';

interface PortableType {
  id: number;
  type: { path: string[]; params: { name: string; type: number | null }[]; def: unknown; docs: string[] };
}

/** Assigns portable type ids to type expressions, deduplicated by canonical text. */
export class PortableBuilder {
  readonly types: PortableType[] = [];
  private readonly ids = new Map<string, number>();
  constructor(private readonly defs: Record<string, TypeDefSpec>) {}

  id(expr: string): number {
    return this.node(parseType(expr));
  }

  private node(n: TypeNode): number {
    const key = typeToString(n);
    const hit = this.ids.get(key);
    if (hit !== undefined) return hit;
    const id = this.types.length;
    const entry: PortableType = { id, type: { path: [], params: [], def: null, docs: [] } };
    this.types.push(entry);
    this.ids.set(key, id);
    const t = entry.type;
    switch (n.kind) {
      case 'prim':
        t.def = { Primitive: n.name[0]!.toUpperCase() + n.name.slice(1) };
        break;
      case 'compact':
        t.def = { Compact: { type: this.node(n.inner) } };
        break;
      case 'vec':
        t.def = { Sequence: { type: this.node(n.inner) } };
        break;
      case 'array':
        t.def = { Array: { len: n.len, type: this.node(n.inner) } };
        break;
      case 'tuple':
        t.def = { Tuple: n.items.map((x) => this.node(x)) };
        break;
      case 'option': {
        const inner = this.node(n.inner);
        t.path = ['Option'];
        t.params = [{ name: 'T', type: inner }];
        t.def = {
          Variant: {
            variants: [
              { name: 'None', fields: [], index: 0, docs: [] },
              {
                name: 'Some',
                fields: [{ name: null, type: inner, typeName: 'T', docs: [] }],
                index: 1,
                docs: [],
              },
            ],
          },
        };
        break;
      }
      case 'named': {
        const d = this.defs[n.key];
        if (!d) throw new Error(`metadata: unknown type '${n.key}'`);
        t.path = d.path;
        t.params = (d.params ?? []).map(([name, ty]) => ({ name, type: ty === null ? null : this.id(ty) }));
        if (d.composite) t.def = { Composite: { fields: this.fields(d.composite) } };
        else
          t.def = {
            Variant: {
              variants: (d.variant ?? []).map(([name, index, fields]) => ({
                name,
                fields: this.fields(fields),
                index,
                docs: [],
              })),
            },
          };
        break;
      }
    }
    return id;
  }

  private fields(fs: FieldSpec[]) {
    return fs.map(([name, type, typeName]) => ({ name, type: this.id(type), typeName, docs: [] }));
  }
}

/** Plain JSON of the V14/V15 metadata body plus the lookup, ready for `new Metadata(registry, …)`. */
export function buildMetadataJson(version: 14 | 15): Record<string, unknown> {
  const b = new PortableBuilder(RUNTIME_DEFS);
  const runtimeCall = b.id('RuntimeCall');
  const runtimeEvent = b.id('RuntimeEvent');
  const runtimeError = b.id('RuntimeError');
  b.id(EVENT_RECORD_TYPE);
  const extrinsicType = b.id(EXTRINSIC_TYPE);
  // System.Version is the version the devnet reports (its runtime APIs are the served ones).
  const versionHex = u8aToHex(runtimeVersionBytes());
  const pallets = RUNTIME_PALLETS.map((p) => ({
    name: p.name,
    storage: p.storage
      ? {
          prefix: p.name,
          items: p.storage.map((s) => ({
            name: s.name,
            modifier: s.modifier === 'Optional' ? 'Optional' : 'Default',
            type: s.hashers
              ? {
                  Map: {
                    hashers: s.hashers,
                    key: b.id(s.keys!.length === 1 ? s.keys![0]! : `(${s.keys!.join(', ')})`),
                    value: b.id(s.value),
                  },
                }
              : { Plain: b.id(s.value) },
            fallback: s.fallback,
            docs: [],
          })),
        }
      : null,
    calls: p.calls ? { type: b.id(callTypeKey(p.name)) } : null,
    events: p.events ? { type: b.id(eventTypeKey(p.name)) } : null,
    constants: (p.constants ?? []).map((c) => ({
      name: c.name,
      type: b.id(c.type),
      value: p.name === 'System' && c.name === 'Version' ? versionHex : c.value,
      docs: [],
    })),
    errors: p.errors ? { type: b.id(errorTypeKey(p.name)) } : null,
    index: p.index,
    docs: [],
  }));
  const signedExtensions = TX_EXTENSIONS.map(([identifier, type, implicit]) => ({
    identifier,
    type: b.id(type),
    additionalSigned: b.id(implicit),
  }));
  const addressType = b.id(ADDRESS_TYPE);
  const signatureType = b.id(SIGNATURE_TYPE);
  const extraType = b.id(TX_EXTRA_TYPE);
  if (version === 14) {
    return {
      lookup: { types: b.types },
      pallets,
      extrinsic: { type: extrinsicType, version: 4, signedExtensions },
      type: runtimeCall,
    };
  }
  const apis = RUNTIME_APIS.map(([name, , methods]) => ({
    name,
    methods: methods.map(([m, inputs, output]) => ({
      name: m,
      inputs: inputs.map(([n, t]) => ({ name: n, type: b.id(t) })),
      output: b.id(output),
      docs: [],
    })),
    docs: [],
  }));
  return {
    lookup: { types: b.types },
    pallets,
    extrinsic: { version: 4, addressType, callType: runtimeCall, signatureType, extraType, signedExtensions },
    type: b.id('RuntimeCall'),
    apis,
    outerEnums: { callType: runtimeCall, eventType: runtimeEvent, errorType: runtimeError },
    custom: { map: {} },
  };
}

/** SCALE bytes of `RuntimeMetadataPrefixed` for the given version. */
export function buildMetadataBytes(version: 14 | 15): Uint8Array {
  const registry = new TypeRegistry();
  const md = new Metadata(registry, {
    magicNumber: 0x6174656d,
    metadata: { [`v${version}`]: buildMetadataJson(version) },
  } as never);
  return md.toU8a();
}
