/**
 * The `signedExtensions` option for @polkadot/api's ApiPromise.create, valid for the devnet and for a real
 * subtensor node. The three subtensor-specific extensions carry no bytes; ChargeTransactionPaymentWrapper
 * (the identifier newer runtimes use for the fee extension) carries the tip like ChargeTransactionPayment.
 * Declaring an extension that a runtime does not list is harmless.
 */
export const SUBTENSOR_SIGNED_EXTENSIONS = {
  SudoTransactionExtension: { extrinsic: {}, payload: {} },
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  DrandPriority: { extrinsic: {}, payload: {} },
  CheckShieldedTxValidity: { extrinsic: {}, payload: {} },
  ChargeTransactionPaymentWrapper: { extrinsic: { tip: 'Compact<Balance>' }, payload: {} },
} as const;
