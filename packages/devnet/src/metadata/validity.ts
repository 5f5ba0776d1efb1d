/**
 * Types of the TaggedTransactionQueue runtime API (sp_runtime::transaction_validity), as in the real
 * spec-381 metadata, and the JS shapes the devnet encodes them from.
 */
import type { TypeDefSpec } from './types.js';

const TV = 'sp_runtime::transaction_validity';
export const TRANSACTION_SOURCE_TYPE = `${TV}::TransactionSource`;
export const VALID_TRANSACTION_TYPE = `${TV}::ValidTransaction`;
export const TRANSACTION_VALIDITY_ERROR_TYPE = `${TV}::TransactionValidityError`;
/** `TransactionValidity = Result<ValidTransaction, TransactionValidityError>`. */
export const TRANSACTION_VALIDITY_TYPE = `Result<${VALID_TRANSACTION_TYPE}, ${TRANSACTION_VALIDITY_ERROR_TYPE}>`;

/** InvalidTransaction variants in the real order. */
export const INVALID_TRANSACTION_VARIANTS = [
  'Call',
  'Payment',
  'Future',
  'Stale',
  'BadProof',
  'AncientBirthBlock',
  'ExhaustsResources',
  'Custom',
  'BadMandatory',
  'MandatoryValidation',
  'BadSigner',
  'IndeterminateImplicit',
  'UnknownOrigin',
] as const;

/** The runtime's self-contained extrinsic (a newtype of the generic one), the `tx` argument's type. */
export const SELF_CONTAINED_EXTRINSIC_TYPE = 'fp_self_contained::unchecked_extrinsic::UncheckedExtrinsic';
const GENERIC_EXTRINSIC_TYPE = 'sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic';

export const VALIDITY_DEFS: Record<string, TypeDefSpec> = {
  [SELF_CONTAINED_EXTRINSIC_TYPE]: {
    path: SELF_CONTAINED_EXTRINSIC_TYPE.split('::'),
    composite: [
      [null, GENERIC_EXTRINSIC_TYPE, 'generic::UncheckedExtrinsic<Address, Call, Signature, Extension>'],
    ],
  },
  [TRANSACTION_SOURCE_TYPE]: {
    path: TRANSACTION_SOURCE_TYPE.split('::'),
    variant: [
      ['InBlock', 0, []],
      ['Local', 1, []],
      ['External', 2, []],
    ],
  },
  [VALID_TRANSACTION_TYPE]: {
    path: VALID_TRANSACTION_TYPE.split('::'),
    composite: [
      ['priority', 'u64', 'TransactionPriority'],
      ['requires', 'Vec<Vec<u8>>', 'Vec<TransactionTag>'],
      ['provides', 'Vec<Vec<u8>>', 'Vec<TransactionTag>'],
      ['longevity', 'u64', 'TransactionLongevity'],
      ['propagate', 'bool', 'bool'],
    ],
  },
  [`${TV}::InvalidTransaction`]: {
    path: `${TV}::InvalidTransaction`.split('::'),
    variant: INVALID_TRANSACTION_VARIANTS.map((name, i) => [
      name,
      i,
      name === 'Custom' ? [[null, 'u8', 'u8']] : [],
    ]),
  },
  [`${TV}::UnknownTransaction`]: {
    path: `${TV}::UnknownTransaction`.split('::'),
    variant: [
      ['CannotLookup', 0, []],
      ['NoUnsignedValidator', 1, []],
      ['Custom', 2, [[null, 'u8', 'u8']]],
    ],
  },
  [TRANSACTION_VALIDITY_ERROR_TYPE]: {
    path: TRANSACTION_VALIDITY_ERROR_TYPE.split('::'),
    variant: [
      ['Invalid', 0, [[null, `${TV}::InvalidTransaction`, 'InvalidTransaction']]],
      ['Unknown', 1, [[null, `${TV}::UnknownTransaction`, 'UnknownTransaction']]],
    ],
  },
  [TRANSACTION_VALIDITY_TYPE]: {
    path: ['Result'],
    params: [
      ['T', VALID_TRANSACTION_TYPE],
      ['E', TRANSACTION_VALIDITY_ERROR_TYPE],
    ],
    variant: [
      ['Ok', 0, [[null, VALID_TRANSACTION_TYPE, null]]],
      ['Err', 1, [[null, TRANSACTION_VALIDITY_ERROR_TYPE, null]]],
    ],
  },
};
