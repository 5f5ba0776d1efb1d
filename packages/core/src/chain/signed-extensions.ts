/**
 * subtensor's own transaction (signed) extensions, in the form @polkadot/api's `signedExtensions` option and
 * `registry.setSignedExtensions` take (protocol facts 2.0; the metadata summary's section 3). polkadot-js
 * knows the FRAME extensions (CheckNonZeroSender ... CheckMetadataHash) by name; these definitions make it
 * encode subtensor's custom ones with the bytes the runtime expects. Declaring an extension a runtime does
 * not list is harmless, so one list serves every runtime version:
 *
 * - spec 425 (main, 2026-06): `ChargeTransactionPaymentWrapper` (replaces ChargeTransactionPayment since
 *   2025-08-15; wraps its `Compact<u64>` tip), `SudoTransactionExtension`, `CheckShieldedTxValidity`,
 *   `SubtensorTransactionExtension`, `DrandPriority`;
 * - spec 381 (the metadata fixture the devnet serves): `SudoTransactionExtension`,
 *   `SubtensorTransactionExtension`, `DrandPriority` (with the plain FRAME ChargeTransactionPayment);
 * - spec 240 and older: `SubtensorSignedExtension`, `CommitmentsSignedExtension`.
 *
 * All of them carry no bytes except the wrapper's tip.
 */

/** One extension definition: the types of its explicit (`extrinsic`) and implicit (`payload`) data. */
export interface SignedExtensionDef {
  extrinsic: Record<string, string>;
  payload: Record<string, string>;
}

const NO_BYTES: SignedExtensionDef = { extrinsic: {}, payload: {} };

/** Pass as `signedExtensions` to `ApiPromise.create` (the chain client and the devnet's tests do). */
export const SUBTENSOR_SIGNED_EXTENSIONS: Readonly<Record<string, SignedExtensionDef>> = Object.freeze({
  ChargeTransactionPaymentWrapper: { extrinsic: { tip: 'Compact<Balance>' }, payload: {} },
  SudoTransactionExtension: NO_BYTES,
  SubtensorTransactionExtension: NO_BYTES,
  DrandPriority: NO_BYTES,
  CheckShieldedTxValidity: NO_BYTES,
  SubtensorSignedExtension: NO_BYTES,
  CommitmentsSignedExtension: NO_BYTES,
});
