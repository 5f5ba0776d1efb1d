/**
 * The devnet runtime description: the real pallets subset (pallets.ts) plus the devnet extras, with the outer
 * enums (RuntimeCall / RuntimeEvent / RuntimeError) and the extrinsic-format types added.
 */
import { EXTRAS } from './extras.js';
import { PALLETS, SUBTENSOR_APIS, TYPE_DEFS } from './pallets.js';
import {
  SELF_CONTAINED_EXTRINSIC_TYPE,
  TRANSACTION_SOURCE_TYPE,
  TRANSACTION_VALIDITY_TYPE,
  VALIDITY_DEFS,
} from './validity.js';
import type { PalletSpec, TypeDefSpec } from './types.js';

/** Runtime version the devnet reports. Mirrors the spec the pallet description was taken from. */
export const RUNTIME_VERSION = {
  specName: 'node-subtensor',
  implName: 'subnetkit-devnet',
  authoringVersion: 1,
  specVersion: 381,
  implVersion: 1,
  transactionVersion: 1,
  stateVersion: 1,
};

/** Rust module path of each pallet (used for the Call/Event/Error type paths). */
const MODULES: Record<string, string[]> = {
  System: ['frame_system', 'pallet'],
  Timestamp: ['pallet_timestamp', 'pallet'],
  Balances: ['pallet_balances', 'pallet'],
  SubtensorModule: ['pallet_subtensor', 'pallet'],
  Sudo: ['pallet_sudo', 'pallet'],
  Commitments: ['pallet_commitments', 'pallet'],
  AdminUtils: ['pallet_admin_utils', 'pallet'],
  Drand: ['pallet_drand', 'pallet'],
};

/** Transaction extensions in the real order: [identifier, explicit type, implicit type]. */
export const TX_EXTENSIONS: [string, string, string][] = [
  ['CheckNonZeroSender', 'frame_system::extensions::check_non_zero_sender::CheckNonZeroSender', '()'],
  ['CheckSpecVersion', 'frame_system::extensions::check_spec_version::CheckSpecVersion', 'u32'],
  ['CheckTxVersion', 'frame_system::extensions::check_tx_version::CheckTxVersion', 'u32'],
  ['CheckGenesis', 'frame_system::extensions::check_genesis::CheckGenesis', 'primitive_types::H256'],
  ['CheckMortality', 'frame_system::extensions::check_mortality::CheckMortality', 'primitive_types::H256'],
  ['CheckNonce', 'node_subtensor_runtime::check_nonce::CheckNonce', '()'],
  ['CheckWeight', 'frame_system::extensions::check_weight::CheckWeight', '()'],
  ['ChargeTransactionPayment', 'pallet_transaction_payment::ChargeTransactionPayment', '()'],
  ['SudoTransactionExtension', 'node_subtensor_runtime::sudo_wrapper::SudoTransactionExtension', '()'],
  [
    'SubtensorTransactionExtension',
    'pallet_subtensor::extensions::subtensor::SubtensorTransactionExtension',
    '()',
  ],
  ['DrandPriority', 'pallet_drand::drand_priority::DrandPriority', '()'],
  ['CheckMetadataHash', 'frame_metadata_hash_extension::CheckMetadataHash', 'Option<[u8; 32]>'],
];

const EXT_FIELDS: Record<string, [string | null, string, string | null][]> = {
  CheckMortality: [[null, 'sp_runtime::generic::era::Era', 'Era']],
  CheckNonce: [[null, 'Compact<u32>', 'T::Nonce']],
  ChargeTransactionPayment: [[null, 'Compact<u64>', 'BalanceOf<T>']],
  CheckMetadataHash: [['mode', 'frame_metadata_hash_extension::Mode', 'Mode']],
};

export const EXTRINSIC_TYPE = 'sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic';
export const ADDRESS_TYPE = 'sp_runtime::multiaddress::MultiAddress<sp_core::crypto::AccountId32, ()>';
export const SIGNATURE_TYPE = 'sp_runtime::MultiSignature';
export const EVENT_RECORD_TYPE = 'frame_system::EventRecord<RuntimeEvent, primitive_types::H256>';
export const TX_EXTRA_TYPE = `(${TX_EXTENSIONS.map((e) => e[1]).join(', ')})`;

function mergePallets(base: PalletSpec[], extras: PalletSpec[]): PalletSpec[] {
  const out = base.map((p) => ({ ...p }));
  for (const x of extras) {
    const p = out.find((q) => q.name === x.name);
    if (!p) {
      out.push(x);
      continue;
    }
    for (const k of ['storage', 'calls', 'events', 'errors', 'constants'] as const) {
      const add = x[k];
      if (!add) continue;
      // biome-ignore lint/suspicious/noExplicitAny: merging arrays of the same element type
      (p as any)[k] = [...((p[k] as unknown[]) ?? []), ...add];
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** All pallets the devnet serves, in index order. */
export const RUNTIME_PALLETS: PalletSpec[] = mergePallets(PALLETS, EXTRAS);

export function callTypeKey(pallet: string): string {
  return [...MODULES[pallet]!, 'Call'].join('::');
}
export function eventTypeKey(pallet: string): string {
  return [...MODULES[pallet]!, 'Event'].join('::');
}
export function errorTypeKey(pallet: string): string {
  return [...MODULES[pallet]!, 'Error'].join('::');
}

function buildDefs(): Record<string, TypeDefSpec> {
  const defs: Record<string, TypeDefSpec> = { ...TYPE_DEFS, ...VALIDITY_DEFS };
  const outer = (name: string, kind: 'calls' | 'events' | 'errors', key: (p: string) => string) => {
    const variants: [string, number, [string | null, string, string | null][]][] = [];
    for (const p of RUNTIME_PALLETS) {
      const vs = p[kind];
      if (!vs) continue;
      const k = key(p.name);
      defs[k] = {
        path: k.split('::'),
        params: [['T', null]],
        variant: vs
          .slice()
          .sort((a, b) => a.index - b.index)
          .map((v) => [v.name, v.index, v.fields]),
      };
      variants.push([p.name, p.index, [[null, k, null]]]);
    }
    defs[name] = { path: ['node_subtensor_runtime', name], variant: variants };
  };
  outer('RuntimeCall', 'calls', callTypeKey);
  outer('RuntimeEvent', 'events', eventTypeKey);
  outer('RuntimeError', 'errors', errorTypeKey);
  for (const [id, type] of TX_EXTENSIONS) {
    defs[type] = { path: type.split('::'), params: [['T', null]], composite: EXT_FIELDS[id] ?? [] };
  }
  defs[EXTRINSIC_TYPE] = {
    path: EXTRINSIC_TYPE.split('::'),
    params: [
      ['Address', ADDRESS_TYPE],
      ['Call', 'RuntimeCall'],
      ['Signature', SIGNATURE_TYPE],
      ['Extra', TX_EXTRA_TYPE],
    ],
    composite: [[null, 'Vec<u8>', null]],
  };
  defs.OpaqueMetadata = { path: ['sp_core', 'OpaqueMetadata'], composite: [[null, 'Vec<u8>', null]] };
  return defs;
}

/** Every named type the runtime uses, including the outer enums. */
export const RUNTIME_DEFS: Record<string, TypeDefSpec> = buildDefs();

/** Runtime APIs the devnet serves through state_call: [name, version, methods: [name, inputs, output]]. */
export const RUNTIME_APIS: [string, number, [string, [string, string][], string][]][] = [
  ['Core', 5, [['version', [], 'sp_version::RuntimeVersion']]],
  [
    'Metadata',
    2,
    [
      ['metadata', [], 'OpaqueMetadata'],
      ['metadata_at_version', [['version', 'u32']], 'Option<OpaqueMetadata>'],
      ['metadata_versions', [], 'Vec<u32>'],
    ],
  ],
  [
    'TaggedTransactionQueue',
    3,
    [
      [
        'validate_transaction',
        [
          ['source', TRANSACTION_SOURCE_TYPE],
          ['tx', SELF_CONTAINED_EXTRINSIC_TYPE],
          ['block_hash', 'primitive_types::H256'],
        ],
        TRANSACTION_VALIDITY_TYPE,
      ],
    ],
  ],
  ['AccountNonceApi', 1, [['account_nonce', [['account', 'sp_core::crypto::AccountId32']], 'u32']]],
  [
    'TransactionPaymentApi',
    4,
    [
      [
        'query_info',
        [
          ['uxt', EXTRINSIC_TYPE],
          ['len', 'u32'],
        ],
        'pallet_transaction_payment::types::RuntimeDispatchInfo<u64, sp_weights::weight_v2::Weight>',
      ],
    ],
  ],
  ...SUBTENSOR_APIS,
];
