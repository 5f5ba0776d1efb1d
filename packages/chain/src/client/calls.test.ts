import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata/decorate';
import type { Call, RuntimeVersion } from '@polkadot/types/interfaces';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import { findUnknownExtensions } from '@polkadot/types/extrinsic/signedExtensions';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '@subnetkit/core';
import {
  type TxLike,
  buildAddStake,
  buildAdminUtils,
  buildBurnedRegister,
  buildCommitTimelockedWeights,
  buildCommitWeights,
  buildRegisterNetwork,
  buildRemoveStake,
  buildRevealWeights,
  buildServeAxon,
  buildSetCommitment,
  buildSetWeights,
  buildStartCall,
  buildSudo,
  buildTransfer,
} from './calls.js';
import { commitmentField } from './commitments.js';

// The real subtensor runtime metadata (spec 381), kept in the repository: fixtures/subtensor/.
const FIXTURE = new URL(
  '../../../../fixtures/subtensor/subtensor-metadata-v16-spec381.scale',
  import.meta.url,
);
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const HASH = '0x15d1d763685dfce22d8650296059d5767f0932787b33a80c31d996c3d36b6eef';

describe('call encoding conforms to the real subtensor metadata (spec 381)', () => {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, readFileSync(FIXTURE));
  registry.setMetadata(metadata, undefined, SUBTENSOR_SIGNED_EXTENSIONS);
  const tx = expandMetadata(registry, metadata).tx as unknown as TxLike<Call>;

  type Case = [string, Call, string, string, [number, number], [string, string][]];
  const cases: Case[] = [
    [
      'set_weights',
      buildSetWeights(tx, { netuid: 1, uids: [0, 1], values: [65535, 32767], versionKey: 0n }),
      'subtensorModule',
      'setWeights',
      [7, 0],
      [
        ['netuid', 'u16'],
        ['dests', 'Vec<u16>'],
        ['weights', 'Vec<u16>'],
        ['versionKey', 'u64'],
      ],
    ],
    [
      'set_mechanism_weights',
      buildSetWeights(tx, { netuid: 1, mecid: 1, uids: [0], values: [65535], versionKey: 3n }),
      'subtensorModule',
      'setMechanismWeights',
      [7, 119],
      [
        ['netuid', 'u16'],
        ['mecid', 'u8'],
        ['dests', 'Vec<u16>'],
        ['weights', 'Vec<u16>'],
        ['versionKey', 'u64'],
      ],
    ],
    [
      'commit_weights',
      buildCommitWeights(tx, { netuid: 1, commitHash: HASH }),
      'subtensorModule',
      'commitWeights',
      [7, 96],
      [
        ['netuid', 'u16'],
        ['commitHash', 'H256'],
      ],
    ],
    [
      'commit_timelocked_weights',
      buildCommitTimelockedWeights(tx, {
        netuid: 1,
        commit: new Uint8Array([1, 2, 3]),
        revealRound: 7n,
        version: 4,
      }),
      'subtensorModule',
      'commitTimelockedWeights',
      [7, 113],
      [
        ['netuid', 'u16'],
        ['commit', 'Bytes'],
        ['revealRound', 'u64'],
        ['commitRevealVersion', 'u16'],
      ],
    ],
    [
      'commit_timelocked_mechanism_weights',
      buildCommitTimelockedWeights(tx, {
        netuid: 1,
        mecid: 1,
        commit: new Uint8Array([9]),
        revealRound: 7n,
        version: 4,
      }),
      'subtensorModule',
      'commitTimelockedMechanismWeights',
      [7, 118],
      [
        ['netuid', 'u16'],
        ['mecid', 'u8'],
        ['commit', 'Bytes'],
        ['revealRound', 'u64'],
        ['commitRevealVersion', 'u16'],
      ],
    ],
    [
      'reveal_weights',
      buildRevealWeights(tx, {
        netuid: 1,
        uids: [0, 1],
        values: [65535, 32768],
        salt: [1, 2, 3, 4, 5, 6, 7, 8],
        versionKey: 0n,
      }),
      'subtensorModule',
      'revealWeights',
      [7, 97],
      [
        ['netuid', 'u16'],
        ['uids', 'Vec<u16>'],
        ['values', 'Vec<u16>'],
        ['salt', 'Vec<u16>'],
        ['versionKey', 'u64'],
      ],
    ],
    [
      'serve_axon',
      buildServeAxon(tx, {
        netuid: 1,
        version: 10002000,
        ip: 3232235786n,
        port: 8091,
        ipType: 4,
        protocol: 4,
      }),
      'subtensorModule',
      'serveAxon',
      [7, 4],
      [
        ['netuid', 'u16'],
        ['version', 'u32'],
        ['ip', 'u128'],
        ['port', 'u16'],
        ['ipType', 'u8'],
        ['protocol', 'u8'],
        ['placeholder1', 'u8'],
        ['placeholder2', 'u8'],
      ],
    ],
    [
      'burned_register',
      buildBurnedRegister(tx, { netuid: 1, hotkey: ALICE }),
      'subtensorModule',
      'burnedRegister',
      [7, 7],
      [
        ['netuid', 'u16'],
        ['hotkey', 'AccountId32'],
      ],
    ],
    [
      'register_network',
      buildRegisterNetwork(tx, { hotkey: ALICE }),
      'subtensorModule',
      'registerNetwork',
      [7, 59],
      [['hotkey', 'AccountId32']],
    ],
    [
      'start_call',
      buildStartCall(tx, { netuid: 2 }),
      'subtensorModule',
      'startCall',
      [7, 92],
      [['netuid', 'u16']],
    ],
    [
      'add_stake',
      buildAddStake(tx, { hotkey: ALICE, netuid: 1, amountRao: 5_000_000_000n }),
      'subtensorModule',
      'addStake',
      [7, 2],
      [
        ['hotkey', 'AccountId32'],
        ['netuid', 'u16'],
        ['amountStaked', 'u64'],
      ],
    ],
    [
      'remove_stake',
      buildRemoveStake(tx, { hotkey: ALICE, netuid: 1, amountRao: 1_000n }),
      'subtensorModule',
      'removeStake',
      [7, 3],
      [
        ['hotkey', 'AccountId32'],
        ['netuid', 'u16'],
        ['amountUnstaked', 'u64'],
      ],
    ],
    [
      'transfer_keep_alive',
      buildTransfer(tx, { dest: ALICE, amountRao: 10n }),
      'balances',
      'transferKeepAlive',
      [5, 3],
      [
        ['dest', 'MultiAddress'],
        ['value', 'Compact<u64>'],
      ],
    ],
    [
      'transfer_allow_death',
      buildTransfer(tx, { dest: ALICE, amountRao: 10n, keepAlive: false }),
      'balances',
      'transferAllowDeath',
      [5, 0],
      [
        ['dest', 'MultiAddress'],
        ['value', 'Compact<u64>'],
      ],
    ],
    [
      'sudo(sudo_set_weights_set_rate_limit)',
      buildSudo(tx, buildAdminUtils(tx, 'sudoSetWeightsSetRateLimit', [1, 0n])),
      'sudo',
      'sudo',
      [12, 0],
      [['call', 'Call']],
    ],
  ];

  it.each(cases)(
    '%s: call index, argument names/types and a decode round trip',
    (_n, c, sec, meth, idx, args) => {
      expect(Array.from(c.callIndex)).toEqual(idx);
      expect(c.section).toBe(sec);
      expect(c.method).toBe(meth);
      expect(c.meta.args.map((a) => [a.name.toString(), a.type.toString()])).toEqual(args);
      const back = registry.createType('Call', c.toU8a());
      expect(back.section).toBe(sec);
      expect(back.method).toBe(meth);
      expect(back.toJSON()).toEqual(c.toJSON());
      expect(back.toHex()).toBe(c.toHex());
    },
  );

  it('encodes set_weights to the golden bytes from the metadata summary', () => {
    const c = buildSetWeights(tx, { netuid: 1, uids: [0, 1], values: [65535, 32767], versionKey: 0n });
    expect(c.toHex()).toBe('0x07000100080000010008ffffff7f0000000000000000');
  });

  it('sends the timelocked commit bytes as they are (Bytes: compact length + the ciphertext)', () => {
    const c = buildCommitTimelockedWeights(tx, {
      netuid: 1,
      commit: new Uint8Array([0xaa, 0xbb, 0xcc]),
      revealRound: 7n,
      version: 4,
    });
    // index 7/113, netuid 1, compact(3) aabbcc, round 7 (u64 LE), version 4 (u16 LE)
    expect(c.toHex()).toBe('0x07710100' + '0caabbcc' + '0700000000000000' + '0400');
  });

  it('encodes set_commitment with the real Data variants (Raw<n> index n+1, BigRaw 136)', () => {
    const raw = buildSetCommitment(tx, { netuid: 1, fields: [commitmentField(new Uint8Array([1, 2, 3]))] });
    // Commitments 18 / call 0, netuid 1, one field, Raw3 (index 4) 010203
    expect(raw.toHex()).toBe('0x1200' + '0100' + '04' + '04' + '010203');
    const big = buildSetCommitment(tx, { netuid: 2, fields: [commitmentField(new Uint8Array(130).fill(7))] });
    // BigRaw (index 136) with compact(130) = 0x0902
    expect(big.toHex()).toBe('0x1200' + '0200' + '04' + '88' + '0902' + '07'.repeat(130));
  });

  it('decodes the inner AdminUtils call of a sudo wrapper', () => {
    const c = buildSudo(tx, buildAdminUtils(tx, 'sudoSetWeightsSetRateLimit', [1, 0n]));
    const inner = registry.createType('Call', c.toU8a()).args[0] as Call;
    expect([inner.section, inner.method, Array.from(inner.callIndex)]).toEqual([
      'adminUtils',
      'sudoSetWeightsSetRateLimit',
      [19, 7],
    ]);
  });

  it('signs an extrinsic with the runtime extension list and decodes it back', async () => {
    await cryptoWaitReady();
    const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
    const c = buildSetWeights(tx, { netuid: 1, uids: [0, 1], values: [65535, 32767], versionKey: 0n });
    const ext = registry.createType('Extrinsic', c);
    const version = metadata.asLatest.pallets
      .find((p) => p.name.toString() === 'System')!
      .constants.find((k) => k.name.toString() === 'Version')!;
    const runtimeVersion = registry.createType('RuntimeVersion', version.value) as unknown as RuntimeVersion;
    const genesis = `0x${'11'.repeat(32)}`;
    ext.sign(alice, {
      blockHash: genesis,
      genesisHash: genesis,
      nonce: 5,
      runtimeVersion,
      signedExtensions: registry.signedExtensions,
    });
    const back = registry.createType('Extrinsic', ext.toU8a());
    expect(back.isSigned).toBe(true);
    expect(back.signer.toString()).toBe(ALICE);
    expect(back.nonce.toNumber()).toBe(5);
    expect(`${back.method.section}.${back.method.method}`).toBe('subtensorModule.setWeights');
    expect(back.toHex()).toBe(ext.toHex());
  });

  it('declares every transaction extension of the real metadata that polkadot-js does not know', () => {
    const real = registry.metadata.extrinsic.transactionExtensions.map((e) => e.identifier.toString());
    expect(findUnknownExtensions(real)).toEqual([
      'SudoTransactionExtension',
      'SubtensorTransactionExtension',
      'DrandPriority',
    ]);
    expect(findUnknownExtensions(real, SUBTENSOR_SIGNED_EXTENSIONS)).toEqual([]);
    // None of them adds bytes in this runtime: the explicit and implicit types are empty.
    for (const e of registry.metadata.extrinsic.transactionExtensions) {
      if (!(e.identifier.toString() in SUBTENSOR_SIGNED_EXTENSIONS)) continue;
      for (const t of [e.type, e.implicit]) {
        const def = registry.lookup.getTypeDef(t);
        expect(
          def.type === '()' || def.type === 'Null' || (def.sub as unknown[] | undefined)?.length === 0,
          `${e.identifier}`,
        ).toBe(true);
      }
    }
  });

  it('encodes the tip of ChargeTransactionPaymentWrapper (newer runtimes) exactly like ChargeTransactionPayment', async () => {
    await cryptoWaitReady();
    const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
    // The same runtime, with the fee extension renamed as runtimes since 2025-08 name it.
    const json = metadata.toJSON() as {
      metadata: { v16: { extrinsic: { transactionExtensions: { identifier: string }[] } } };
    };
    const exts = json.metadata.v16.extrinsic.transactionExtensions;
    const fee = exts.findIndex((e) => e.identifier === 'ChargeTransactionPayment');
    exts[fee]!.identifier = 'ChargeTransactionPaymentWrapper';
    const sign = (reg: TypeRegistry, meta: Metadata) => {
      const c = buildSetWeights(expandMetadata(reg, meta).tx as unknown as TxLike<Call>, {
        netuid: 1,
        uids: [0],
        values: [1],
        versionKey: 0n,
      });
      const version = meta.asLatest.pallets
        .find((p) => p.name.toString() === 'System')!
        .constants.find((k) => k.name.toString() === 'Version')!;
      const runtimeVersion = reg.createType('RuntimeVersion', version.value) as unknown as RuntimeVersion;
      const genesis = `0x${'22'.repeat(32)}`;
      const opts = { blockHash: genesis, genesisHash: genesis, nonce: 1, tip: 5, runtimeVersion };
      // The signed payload is deterministic (the sr25519 signature is not): compare it byte for byte.
      const payload = reg.createType(
        'ExtrinsicPayload',
        { method: c.toHex(), ...opts, era: '0x00' },
        { version: 4 },
      );
      const ext = reg.createType('Extrinsic', c);
      ext.sign(alice, { ...opts, signedExtensions: reg.signedExtensions });
      return { payload: payload.toHex(), tip: reg.createType('Extrinsic', ext.toU8a()).tip.toNumber() };
    };
    const wrapped = new TypeRegistry();
    const wrappedMeta = new Metadata(wrapped, json as unknown as Uint8Array);
    wrapped.setMetadata(wrappedMeta, undefined, SUBTENSOR_SIGNED_EXTENSIONS);
    expect(wrapped.signedExtensions).toContain('ChargeTransactionPaymentWrapper');
    const a = sign(registry, metadata);
    const b = sign(wrapped, wrappedMeta);
    expect(b.tip).toBe(5);
    expect(b.payload).toBe(a.payload);
  });
});
