/**
 * subtensor's custom transaction extensions, declared for @polkadot/api (protocol facts 2.0, metadata summary
 * section 3). polkadot-js only knows the FRAME ones by name; these definitions make it encode the same bytes
 * as the runtime expects, on the devnet and on the real chain.
 */
import type { ApiOptions } from '@polkadot/api/types';

type ExtDef = NonNullable<ApiOptions['signedExtensions']>;

const NO_OP = { extrinsic: {}, payload: {} };

/**
 * Pass as `signedExtensions` to `ApiPromise.create` (done by {@link connect}).
 * - `ChargeTransactionPaymentWrapper` (runtime since 2025-08) wraps the standard tip: a `Compact<Balance>`.
 * - `SudoTransactionExtension`, `SubtensorTransactionExtension`, `DrandPriority`, `CheckShieldedTxValidity`
 *   and the older `SubtensorSignedExtension` / `CommitmentsSignedExtension` carry no bytes.
 */
export const SUBTENSOR_SIGNED_EXTENSIONS: ExtDef = {
  ChargeTransactionPaymentWrapper: { extrinsic: { tip: 'Compact<Balance>' }, payload: {} },
  SudoTransactionExtension: NO_OP,
  SubtensorTransactionExtension: NO_OP,
  DrandPriority: NO_OP,
  CheckShieldedTxValidity: NO_OP,
  SubtensorSignedExtension: NO_OP,
  CommitmentsSignedExtension: NO_OP,
};
