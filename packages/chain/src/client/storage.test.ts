import { readFileSync } from 'node:fs';
import type { ApiPromise } from '@polkadot/api';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata/decorate';
import { compactStripLength, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '@subnetkit/core';
import { decodeHyperparameters, hyperparameterKeys } from './hyperparams.js';
import { decodeU16PairVec, StorageReader } from './storage.js';

const FIXTURE = new URL(
  '../../../../fixtures/subtensor/subtensor-metadata-v16-spec381.scale',
  import.meta.url,
);
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const le16 = (n: number) => Uint8Array.of(n & 255, n >> 8);

describe('storage keys and defaults from the real subtensor metadata (spec 381)', () => {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, readFileSync(FIXTURE));
  registry.setMetadata(metadata, undefined, SUBTENSOR_SIGNED_EXTENSIONS);
  const decorated = expandMetadata(registry, metadata);
  // StorageReader only needs `query` (api.query-shaped entries) and `registry`; wrap the raw creators the way
  // ApiPromise does: `key(...args)`, `keyPrefix()`, `creator`.
  type Creator = ((...arg: unknown[]) => Uint8Array) & {
    keyPrefix: () => Uint8Array;
    meta: { type: { isMap: boolean; asMap: { hashers: unknown[] } } };
  };
  const query: Record<string, Record<string, unknown>> = {};
  for (const [section, items] of Object.entries(decorated.query)) {
    query[section] = {};
    for (const [name, c] of Object.entries(items as Record<string, Creator>)) {
      query[section][name] = {
        creator: c,
        keyPrefix: () => u8aToHex(c.keyPrefix()),
        key: (...args: unknown[]) => {
          const n = c.meta.type.isMap ? c.meta.type.asMap.hashers.length : 0;
          // Raw creators return the key with a compact length prefix; api.query keys have none.
          return u8aToHex(compactStripLength(n === 0 ? c() : n === 1 ? c(args[0]) : c(...args))[1]);
        },
      };
    }
  }
  const api = { query, registry } as unknown as ApiPromise;
  const reader = new StorageReader(api, async () => {
    throw new Error('offline');
  });
  const alice = decodeAddress(ALICE);

  it('builds the golden Weights(1, 0) key from the metadata summary', () => {
    expect(reader.key('weights', [1, 0])).toBe(
      '0x658faa385070e074c85bf6b568cf0555a1e7036061f484bc3048a64b64e35ec401000000',
    );
    expect(reader.keysFor('weights', [[le16(1), le16(0)]])).toEqual([reader.key('weights', [1, 0])]);
  });

  it('fast keys equal polkadot-js keys for every hasher the sync uses', () => {
    const cases: [string, unknown[], Uint8Array[]][] = [
      ['keys', [1, 7], [le16(1), le16(7)]],
      ['owner', [ALICE], [alice]],
      ['axons', [1, ALICE], [le16(1), alice]],
      ['totalHotkeyAlpha', [ALICE, 3], [alice, le16(3)]],
      ['bonds', [4097, 2], [le16(4097), le16(2)]],
      ['revealPeriodEpochs', [5], [le16(5)]], // Twox64Concat
      ['weightCommits', [1, ALICE], [le16(1), alice]], // Twox64Concat x2
      ['liquidAlphaOn', [2], [le16(2)]], // Blake2_128Concat
    ];
    for (const [item, args, encoded] of cases) {
      expect(reader.keysFor(item, [encoded])[0], item).toBe(reader.key(item, args));
    }
  });

  it('decodes absent hyperparameters to the metadata defaults', () => {
    const keys = hyperparameterKeys(reader, 1);
    const hp = decodeHyperparameters(
      reader,
      1,
      keys.map(() => null),
    );
    // Defaults of this (fast-runtime) build, per the metadata summary section 8.1.
    expect(hp).toMatchObject({
      tempo: 10,
      n: 0,
      maxAllowedUids: 256,
      minAllowedWeights: 1024,
      maxWeightsLimit: 65535,
      weightsVersionKey: 0n,
      weightsSetRateLimit: 100,
      commitRevealWeightsEnabled: true,
      revealPeriodEpochs: 1,
      servingRateLimit: 50,
      commitRevealVersion: 4,
      kappa: 32767 / 65535,
      bondsMovingAverage: 0.9,
    });
    expect(hp.ownerColdkey).toBeUndefined();
  });

  it('decodes Weights and Bonds rows by hand exactly as the metadata codec does', () => {
    expect(reader.typeName('weights').replace(/\s/g, '')).toBe('Vec<(u16,u16)>');
    expect(reader.typeName('bonds').replace(/\s/g, '')).toBe('Vec<(u16,u16)>');
    // Lengths across every compact width: 0, 1 (single byte), 63/64 (two bytes), 16384 (four bytes).
    for (const len of [0, 1, 63, 64, 4096, 16384]) {
      const pairs: [number, number][] = Array.from({ length: len }, (_, i) => [
        i % 65536,
        (i * 7919) % 65536,
      ]);
      const bytes = registry.createType('Vec<(u16, u16)>', pairs).toU8a();
      const viaCodec = reader.decode('bonds', bytes)!.toJSON();
      expect(decodeU16PairVec(bytes), `len ${len}`).toEqual(viaCodec);
      expect(decodeU16PairVec(bytes)).toEqual(pairs);
    }
  });

  it('rejects bytes that are not one Vec<(u16, u16)>, naming the mismatch', () => {
    const ok = registry.createType('Vec<(u16, u16)>', [[1, 2]]).toU8a();
    expect(() => decodeU16PairVec(new Uint8Array(0))).toThrow(/malformed \(empty bytes\)/);
    expect(() => decodeU16PairVec(ok.slice(0, -1))).toThrow(/1 entries need 5 bytes, got 4/);
    expect(() => decodeU16PairVec(Uint8Array.of(...ok, 0))).toThrow(/got 6/);
    expect(() => decodeU16PairVec(Uint8Array.of(3, 0, 0, 0, 0))).toThrow(/2\^30/);
  });
});
