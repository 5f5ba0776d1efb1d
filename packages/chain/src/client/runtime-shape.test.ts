import { readFileSync } from 'node:fs';
import type { ApiPromise } from '@polkadot/api';
import { Metadata, Struct, TypeRegistry } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata/decorate';
import { compactStripLength, u8aToHex } from '@polkadot/util';
import { describe, expect, it } from 'vitest';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '@subnetkit/core';
import { decodeHyperparameters, hyperparameterKeys } from './hyperparams.js';
import {
  declareMetadataExtensions,
  detectRuntimeShape,
  effectiveActivityCutoff,
  metadataSignedExtensions,
  nextEpochBlock,
} from './runtime-shape.js';
import { StorageReader } from './storage.js';

const FIXTURES = new URL('../../../../fixtures/subtensor/', import.meta.url);
const SPEC381 = readFileSync(new URL('subtensor-metadata-v16-spec381.scale', FIXTURES));
const SPEC393 = readFileSync(new URL('subtensor-metadata-v16-spec393-finney.scale', FIXTURES));

// biome-ignore lint/suspicious/noExplicitAny: metadata JSON is edited field by field
type Json = Record<string, any>;

/**
 * The spec-381 metadata reshaped to what the spec-425 runtime source declares for the items subnetkit
 * reads (opentensor/subtensor @ 14bc6f9, pallets/subtensor/src/lib.rs and runtime/src/lib.rs): the stateful
 * epoch scheduler's `LastEpochBlock` / `PendingEpochAt` / `SubnetEpochIndex`, `ActivityCutoffFactorMilli`,
 * `AlphaV2` / `TotalHotkeySharesV2`, no `Rank` / `Trust` / `PruningScores`, `CheckShieldedTxValidity`
 * between `SudoTransactionExtension` and `SubtensorTransactionExtension`, spec_version 425. `extraExtension`
 * appends a synthetic byte-carrying extension (no real runtime has one) to exercise the derivation.
 */
function spec425Shape(extraExtension = false): Uint8Array {
  const md = new Metadata(new TypeRegistry(), SPEC381).toJSON() as Json;
  const v16 = md.metadata.v16 as Json;
  const types = v16.lookup.types as Json[];
  const prim = (name: string) => types.find((t) => t.type.def.primitive === name.toUpperCase())!.id as number;
  const sub = (v16.pallets as Json[]).find((p) => p.name === 'SubtensorModule')!;
  const items = sub.storage.items as Json[];
  const byName = (n: string) => items.find((i) => i.name === n)!;
  const netuidMap = (name: string, value: number, bytes: number) => ({
    ...byName('LastMechansimStepBlock'),
    name,
    type: { map: { hashers: ['Identity'], key: byName('LastMechansimStepBlock').type.map.key, value } },
    fallback: `0x${'00'.repeat(bytes)}`,
  });
  const drop = new Set(['Rank', 'Trust', 'PruningScores']);
  sub.storage.items = [
    ...items.filter((i) => !drop.has(i.name)),
    netuidMap('LastEpochBlock', prim('u64'), 8),
    netuidMap('PendingEpochAt', prim('u64'), 8),
    netuidMap('SubnetEpochIndex', prim('u64'), 8),
    { ...netuidMap('ActivityCutoffFactorMilli', prim('u32'), 4), fallback: '0xe8030000' },
    { ...byName('Alpha'), name: 'AlphaV2' },
    { ...byName('TotalHotkeyShares'), name: 'TotalHotkeySharesV2' },
  ];
  const exts = v16.extrinsic.transactionExtensions as Json[];
  const empty = exts.find((e) => e.identifier === 'CheckNonZeroSender')!;
  const at = exts.findIndex((e) => e.identifier === 'SubtensorTransactionExtension');
  exts.splice(at, 0, { ...empty, identifier: 'CheckShieldedTxValidity' });
  if (extraExtension)
    exts.splice(at, 0, { identifier: 'SyntheticFee', type: prim('u64'), implicit: prim('u32') });
  for (const [, list] of Object.entries(v16.extrinsic.transactionExtensionsByVersion as Json)) {
    (list as number[]).splice(0, list.length, ...exts.map((_, i) => i));
  }
  const system = (v16.pallets as Json[]).find((p) => p.name === 'System')!;
  const version = (system.constants as Json[]).find((c) => c.name === 'Version')!;
  const reg = new TypeRegistry();
  const rv = reg.createType('RuntimeVersion', version.value).toJSON() as Json;
  version.value = reg.createType('RuntimeVersion', { ...rv, specVersion: 425 }).toHex();
  return new Metadata(new TypeRegistry(), md).toU8a();
}

function metadataOf(bytes: Uint8Array): Metadata {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, bytes);
  registry.setMetadata(metadata, undefined, SUBTENSOR_SIGNED_EXTENSIONS, true);
  return metadata;
}

/** A StorageReader over offline metadata (api.query-shaped entries, as in storage.test.ts). */
function readerOf(metadata: Metadata): StorageReader {
  const registry = metadata.registry;
  const decorated = expandMetadata(registry, metadata);
  type Creator = ((...arg: unknown[]) => Uint8Array) & {
    keyPrefix: () => Uint8Array;
    meta: { type: { isMap: boolean; asMap: { hashers: unknown[] } } };
  };
  const query: Record<string, Record<string, unknown>> = {};
  for (const [section, entries] of Object.entries(decorated.query)) {
    query[section] = {};
    for (const [name, c] of Object.entries(entries as Record<string, Creator>)) {
      query[section][name] = {
        creator: c,
        keyPrefix: () => u8aToHex(c.keyPrefix()),
        key: (...args: unknown[]) => {
          const n = c.meta.type.isMap ? c.meta.type.asMap.hashers.length : 0;
          return u8aToHex(compactStripLength(n === 0 ? c() : n === 1 ? c(args[0]) : c(...args))[1]);
        },
      };
    }
  }
  return new StorageReader({ query, registry } as unknown as ApiPromise, async () => {
    throw new Error('offline');
  });
}

describe('runtime shape from the connected chain metadata', () => {
  it('spec 381 (the devnet fixture) is the legacy shape', () => {
    const s = detectRuntimeShape(metadataOf(SPEC381));
    expect(s).toMatchObject({
      specVersion: 381,
      epochSchedule: 'legacy',
      activityCutoff: 'blocks',
      rankTrust: true,
      stakeShares: 'Alpha',
      mechanismWeights: true,
      timelockedCommits: true,
    });
    expect(s.extensions.map((e) => e.identifier)).not.toContain('CheckShieldedTxValidity');
    expect(s.extensions.filter((e) => e.carriesData && !e.builtin)).toEqual([]);
  });

  it('finney spec 393 adds only the zero-byte CheckShieldedTxValidity for what subnetkit uses', () => {
    const s = detectRuntimeShape(metadataOf(SPEC393));
    expect(s).toMatchObject({ specVersion: 393, epochSchedule: 'legacy', activityCutoff: 'blocks' });
    expect(s.extensions.find((e) => e.identifier === 'CheckShieldedTxValidity')).toEqual({
      identifier: 'CheckShieldedTxValidity',
      carriesData: false,
      builtin: false,
    });
    // The fee extension keeps polkadot-js's own identifier and layout (Compact<u64> tip).
    expect(s.extensions.find((e) => e.identifier === 'ChargeTransactionPayment')).toMatchObject({
      carriesData: true,
      builtin: true,
    });
  });

  it('the spec-425 shape is detected from its storage items', () => {
    const s = detectRuntimeShape(metadataOf(spec425Shape()));
    expect(s).toMatchObject({
      specVersion: 425,
      epochSchedule: 'stateful',
      activityCutoff: 'tempoFactor',
      rankTrust: false,
      stakeShares: 'AlphaV2',
    });
  });

  it('hyperparameters report the activity cutoff the epoch applies, in both shapes', () => {
    const le = (n: number, bytes: number) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, n, true);
      return b.slice(0, bytes);
    };
    for (const [bytes, expected] of [
      [SPEC381, 7000],
      [spec425Shape(), 3], // max(1, floor(250 × 12 / 1000))
    ] as const) {
      const reader = readerOf(metadataOf(bytes));
      const keys = hyperparameterKeys(reader, 1);
      const raw = keys.map((k) => {
        if (k === reader.key('tempo', [1])) return le(12, 2);
        if (k === reader.key('activityCutoff', [1])) return le(7000, 2);
        if (reader.has('activityCutoffFactorMilli') && k === reader.key('activityCutoffFactorMilli', [1])) {
          return le(250, 4);
        }
        return null;
      });
      const hp = decodeHyperparameters(reader, 1, raw);
      expect(hp.activityCutoff).toBe(expected);
    }
  });

  it('declares every zero-byte extension from metadata and derives the types of one that carries bytes', () => {
    const metadata = metadataOf(spec425Shape(true));
    const registry = metadata.registry;
    expect(Object.keys(metadataSignedExtensions(metadata, SUBTENSOR_SIGNED_EXTENSIONS))).toEqual([
      'SyntheticFee',
    ]);
    expect(metadataSignedExtensions(metadata)).toHaveProperty('CheckShieldedTxValidity', {
      extrinsic: {},
      payload: {},
    });
    const user = { ...SUBTENSOR_SIGNED_EXTENSIONS };
    declareMetadataExtensions(metadata, user);
    expect(user).toHaveProperty('SyntheticFee');
    // The signed part of an extrinsic now carries the u64 after the tip, the payload the u32 implicit.
    const signed = new Struct(registry, registry.getSignedExtensionTypes(), {
      era: '0x00',
      nonce: 5,
      tip: 0,
      syntheticFee: 77n,
    });
    // era 00 (immortal), nonce 5 (compact 0x14), tip 0, SyntheticFee u64 77, CheckMetadataHash mode 0
    expect(u8aToHex(signed.toU8a())).toBe('0x0014004d0000000000000000');
    expect(Object.keys(registry.getSignedExtensionExtra())).toContain('syntheticFeeImplicit');
  });

  it('next epoch block under each schedule', () => {
    // legacy: subtensor's should_run_epoch, blocks_until_next_epoch = tempo - (b + netuid + 1) % (tempo + 1) == 0
    expect(nextEpochBlock('legacy', { block: 100, netuid: 1, tempo: 10 })).toBe(107);
    expect(nextEpochBlock('legacy', { block: 107, netuid: 1, tempo: 10 })).toBe(107);
    expect(nextEpochBlock('legacy', { block: 108, netuid: 1, tempo: 10 })).toBe(118);
    // stateful: LastEpochBlock + tempo, or an earlier PendingEpochAt
    expect(nextEpochBlock('stateful', { block: 100, netuid: 1, tempo: 10, lastEpochBlock: 95 })).toBe(105);
    expect(
      nextEpochBlock('stateful', {
        block: 100,
        netuid: 1,
        tempo: 10,
        lastEpochBlock: 95,
        pendingEpochAt: 102,
      }),
    ).toBe(102);
    expect(
      nextEpochBlock('stateful', { block: 100, netuid: 1, tempo: 0, lastEpochBlock: 95 }),
    ).toBeUndefined();
    expect(() => nextEpochBlock('stateful', { block: 1, netuid: 1, tempo: 10 })).toThrow(/LastEpochBlock/);
    expect(effectiveActivityCutoff({ activityCutoffFactorMilli: 1, tempo: 10 })).toBe(1);
    expect(effectiveActivityCutoff({ activityCutoff: 5000, tempo: 10 })).toBe(5000);
  });
});
