/**
 * Conformance with the real subtensor metadata (spec 381): every call, storage item, event, error and
 * constant the devnet declares must carry the real name, index, argument names and types, hashers and
 * defaults. Devnet-only extras must not collide with anything real.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Metadata, TypeRegistry } from '@polkadot/types';
import type { PortableRegistry } from '@polkadot/types/metadata';
import { describe, expect, it } from 'vitest';
import { buildMetadataBytes } from './build.js';
import { EXTRAS } from './extras.js';
import { PALLETS } from './pallets.js';
import { RUNTIME_APIS, TX_EXTENSIONS } from './spec.js';

const fixture = fileURLToPath(
  new URL('../../../../fixtures/subtensor/subtensor-metadata-v16-spec381.scale', import.meta.url),
);

/** A canonical, registry-independent text of a portable type, so two metadata blobs can be compared. */
function render(lookup: PortableRegistry, id: number, depth = 0): string {
  const t = lookup.getSiType(id);
  const d = t.def;
  const path = t.path.map(String);
  const name = path.at(-1) ?? '';
  if (name === 'RuntimeCall' || name === 'RuntimeEvent' || name === 'RuntimeError') return name;
  if (d.isPrimitive) return d.asPrimitive.toString().toLowerCase();
  if (d.isCompact) return `Compact<${render(lookup, d.asCompact.type.toNumber(), depth)}>`;
  if (d.isSequence) return `Vec<${render(lookup, d.asSequence.type.toNumber(), depth)}>`;
  if (d.isArray) return `[${render(lookup, d.asArray.type.toNumber(), depth)}; ${d.asArray.len.toNumber()}]`;
  if (d.isTuple) return `(${d.asTuple.map((x) => render(lookup, x.toNumber(), depth)).join(', ')})`;
  if (name === 'Option') return `Option<${render(lookup, t.params[0]!.type.unwrap().toNumber(), depth)}>`;
  if (name === 'BoundedVec' || name === 'WeakBoundedVec')
    return `Vec<${render(lookup, t.params[0]!.type.unwrap().toNumber(), depth)}>`;
  if (depth > 4) return name;
  if (d.isComposite) {
    const fields = d.asComposite.fields.map(
      (f) =>
        `${f.name.isSome ? `${f.name.unwrap().toString()}: ` : ''}${render(lookup, f.type.toNumber(), depth + 1)}`,
    );
    return `${name}{${fields.join(', ')}}`;
  }
  if (d.isVariant) {
    const vs = [...d.asVariant.variants]
      .sort((a, b) => a.index.toNumber() - b.index.toNumber())
      .map(
        (v) =>
          `${v.index.toNumber()}:${v.name.toString()}(${v.fields.map((f) => render(lookup, f.type.toNumber(), depth + 1)).join(', ')})`,
      );
    return `${name}[${vs.join('|')}]`;
  }
  return name;
}

function load(bytes: Uint8Array) {
  const registry = new TypeRegistry();
  const md = new Metadata(registry, bytes);
  registry.setMetadata(md);
  return md.asLatest;
}

type Latest = ReturnType<typeof load>;

function variantsOf(m: Latest, pallet: string, kind: 'calls' | 'events' | 'errors') {
  const p = m.pallets.find((x) => x.name.toString() === pallet);
  if (!p || p[kind].isNone) return [];
  return m.lookup.getSiType(p[kind].unwrap().type).def.asVariant.variants.map((v) => ({
    name: v.name.toString(),
    index: v.index.toNumber(),
    fields: v.fields.map(
      (f) => `${f.name.isSome ? f.name.unwrap().toString() : '_'}: ${render(m.lookup, f.type.toNumber())}`,
    ),
  }));
}

function storageOf(m: Latest, pallet: string) {
  const p = m.pallets.find((x) => x.name.toString() === pallet);
  if (!p || p.storage.isNone) return [];
  return p.storage.unwrap().items.map((it) => {
    const ty = it.type;
    const base = {
      name: it.name.toString(),
      modifier: it.modifier.toString(),
      fallback: it.fallback.toHex(),
    };
    if (ty.isPlain)
      return { ...base, hashers: [] as string[], key: '', value: render(m.lookup, ty.asPlain.toNumber()) };
    const map = ty.asMap;
    return {
      ...base,
      hashers: map.hashers.map(String),
      key: render(m.lookup, map.key.toNumber()),
      value: render(m.lookup, map.value.toNumber()),
    };
  });
}

describe('conformance with the real subtensor metadata (spec 381)', () => {
  const real = load(readFileSync(fixture));
  const mine = load(buildMetadataBytes(15));

  it('uses the real pallet indices', () => {
    for (const p of PALLETS) {
      const r = real.pallets.find((x) => x.name.toString() === p.name);
      expect(r, p.name).toBeTruthy();
      expect(r!.index.toNumber(), p.name).toBe(p.index);
      const m = mine.pallets.find((x) => x.name.toString() === p.name);
      expect(m!.index.toNumber(), p.name).toBe(p.index);
    }
  });

  for (const kind of ['calls', 'events', 'errors'] as const) {
    it(`declares ${kind} with the real names, indices, field names and types`, () => {
      let compared = 0;
      for (const p of PALLETS) {
        const realVs = variantsOf(real, p.name, kind);
        const extraNames = new Set((EXTRAS.find((x) => x.name === p.name)?.[kind] ?? []).map((v) => v.name));
        for (const v of variantsOf(mine, p.name, kind)) {
          if (extraNames.has(v.name)) continue;
          const r = realVs.find((x) => x.name === v.name);
          expect(r, `${p.name}.${v.name} is not in the real metadata`).toBeTruthy();
          expect(v, `${p.name}.${v.name}`).toEqual(r);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(10);
    });
  }

  it('lists every real error of SubtensorModule and AdminUtils, so error indices decode to the same names', () => {
    for (const p of ['SubtensorModule', 'AdminUtils']) {
      expect(variantsOf(mine, p, 'errors').filter((v) => v.name)).toEqual(variantsOf(real, p, 'errors'));
    }
  });

  it('serves the whole Commitments pallet: every call, event, error, storage item and constant', () => {
    for (const kind of ['calls', 'events', 'errors'] as const)
      expect(variantsOf(mine, 'Commitments', kind), kind).toEqual(variantsOf(real, 'Commitments', kind));
    expect(storageOf(mine, 'Commitments')).toEqual(storageOf(real, 'Commitments'));
    const consts = (m: Latest) =>
      m.pallets
        .find((x) => x.name.toString() === 'Commitments')!
        .constants.map((c) => [c.name.toString(), render(m.lookup, c.type.toNumber()), c.value.toHex()]);
    expect(consts(mine)).toEqual(consts(real));
  });

  it('declares storage items with the real hashers, key and value types, modifiers and defaults', () => {
    let compared = 0;
    for (const p of PALLETS) {
      const realItems = storageOf(real, p.name);
      const extraNames = new Set((EXTRAS.find((x) => x.name === p.name)?.storage ?? []).map((s) => s.name));
      for (const s of storageOf(mine, p.name)) {
        if (extraNames.has(s.name)) continue;
        const r = realItems.find((x) => x.name === s.name);
        expect(r, `${p.name}.${s.name} is not in the real metadata`).toBeTruthy();
        expect(s, `${p.name}.${s.name}`).toEqual(r);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(190);
  });

  it('declares constants with the real types', () => {
    for (const p of PALLETS) {
      const rp = real.pallets.find((x) => x.name.toString() === p.name)!;
      const mp = mine.pallets.find((x) => x.name.toString() === p.name)!;
      for (const c of mp.constants) {
        const r = rp.constants.find((x) => x.name.eq(c.name));
        expect(r, `${p.name}.${c.name}`).toBeTruthy();
        expect(render(mine.lookup, c.type.toNumber())).toBe(render(real.lookup, r!.type.toNumber()));
      }
    }
  });

  it('declares runtime APIs with the real method names, inputs and outputs', () => {
    let compared = 0;
    for (const [name, version, methods] of RUNTIME_APIS) {
      const r = real.apis.find((a) => a.name.toString() === name);
      expect(r, name).toBeTruthy();
      expect(r!.version.toNumber(), name).toBe(version);
      const m = mine.apis.find((a) => a.name.toString() === name)!;
      for (const [method] of methods) {
        const rm = r!.methods.find((x) => x.name.toString() === method);
        const mm = m.methods.find((x) => x.name.toString() === method)!;
        expect(rm, `${name}.${method}`).toBeTruthy();
        // The real `uxt` is frontier's self-contained wrapper around the same opaque extrinsic bytes: compare
        // that input by name only.
        const sig = (lookup: PortableRegistry, x: typeof mm) => ({
          inputs: x.inputs.map((i) =>
            i.name.eq('uxt') ? 'uxt' : `${i.name.toString()}: ${render(lookup, i.type.toNumber())}`,
          ),
          output: render(lookup, x.output.toNumber()),
        });
        expect(sig(mine.lookup, mm), `${name}.${method}`).toEqual(sig(real.lookup, rm!));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(8);
  });

  it('serves the real transaction extensions in the real order', () => {
    const realIds = real.extrinsic.transactionExtensions.map((e) => e.identifier.toString());
    expect(TX_EXTENSIONS.map((e) => e[0])).toEqual(realIds);
  });

  it('keeps devnet extras clear of real names and indices', () => {
    for (const x of EXTRAS) {
      for (const kind of ['calls', 'events', 'errors'] as const) {
        const realVs = variantsOf(real, x.name, kind);
        for (const v of x[kind] ?? []) {
          expect(
            realVs.find((r) => r.name === v.name),
            `${x.name}.${v.name}`,
          ).toBeUndefined();
          expect(
            realVs.find((r) => r.index === v.index),
            `${x.name}.${v.name} index ${v.index}`,
          ).toBeUndefined();
        }
      }
      const realItems = storageOf(real, x.name);
      for (const s of x.storage ?? [])
        expect(
          realItems.find((r) => r.name === s.name),
          s.name,
        ).toBeUndefined();
    }
  });

  it('decodes a set_weights call to the same bytes as the real metadata', () => {
    const bytes = '0x07000100080000010008ffffff7f0000000000000000';
    const reg = new TypeRegistry();
    reg.setMetadata(new Metadata(reg, buildMetadataBytes(14)));
    const call = reg.createType('Call', bytes);
    expect(`${call.section}.${call.method}`).toBe('subtensorModule.setWeights');
    expect(call.toHex()).toBe(bytes);
  });
});
