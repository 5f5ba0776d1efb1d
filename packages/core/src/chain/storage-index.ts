/** Per-mechanism storage keys (protocol facts 2.0). Pure. */

/** Mechanisms per subnet index block: `NetUidStorageIndex = mecid * 4096 + netuid`. */
export const MECHANISM_STRIDE = 4096;

/**
 * subtensor's `NetUidStorageIndex` of a subnet mechanism: the key of `Weights`, `Bonds`, `Incentive`,
 * `LastUpdate` and of the commit-reveal hash. Mechanism 0 gives the netuid itself.
 */
export function netuidStorageIndex(netuid: number, mecid = 0): number {
  return mecid * MECHANISM_STRIDE + netuid;
}
