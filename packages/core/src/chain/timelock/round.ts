/**
 * The drand round a timelocked weight commit is encrypted to, computed exactly as the Python SDK does
 * (bittensor-drand `generate_commit` in src/drand.rs): aim at the 3rd block of the reveal epoch (legacy
 * epoch arithmetic), convert its expected wall-clock time into a drand round, rounding down.
 */

/** Blocks after the first reveal block at which the pulse should be on chain (`SECURITY_BLOCK_OFFSET`). */
export const REVEAL_SECURITY_BLOCK_OFFSET = 3;

export interface RevealRoundInput {
  currentBlock: number;
  netuid: number;
  tempo: number;
  /** `RevealPeriodEpochs[netuid]`. */
  revealPeriodEpochs: number;
  /** Seconds per block (12 on finney). */
  blockTimeSeconds: number;
  /** Wall-clock time now, in (fractional) seconds since the Unix epoch. */
  nowSeconds: number;
  /** The beacon's genesis time (Unix seconds) and period (seconds), from `Drand.BeaconConfig`. */
  genesisTime: number;
  period: number;
}

export interface RevealRound {
  /** The first block of the epoch in which the chain reveals the commit. */
  firstRevealBlock: number;
  /** `firstRevealBlock + 3`: the block by which the pulse should have been ingested. */
  targetBlock: number;
  revealRound: bigint;
}

export function computeRevealRound(i: RevealRoundInput): RevealRound {
  const tempoPlusOne = i.tempo + 1;
  const netuidPlusOne = i.netuid + 1;
  const currentEpoch = Math.floor((i.currentBlock + netuidPlusOne) / tempoPlusOne);
  const revealEpoch = currentEpoch + i.revealPeriodEpochs;
  const firstRevealBlock = Math.max(0, revealEpoch * tempoPlusOne - netuidPlusOne);
  const targetBlock = firstRevealBlock + REVEAL_SECURITY_BLOCK_OFFSET;
  const blocksUntil = Math.max(0, targetBlock - i.currentBlock);
  const targetSeconds = i.nowSeconds + blocksUntil * i.blockTimeSeconds;
  const round = Math.floor((targetSeconds - i.genesisTime) / i.period);
  return { firstRevealBlock, targetBlock, revealRound: BigInt(Math.max(1, round)) };
}

/** The latest round a beacon has produced at `nowSeconds` (round 1 is emitted at genesis). */
export function currentBeaconRound(nowSeconds: number, genesisTime: number, period: number): bigint {
  if (nowSeconds < genesisTime) return 0n;
  return BigInt(Math.floor((nowSeconds - genesisTime) / period) + 1);
}
