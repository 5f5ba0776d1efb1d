/** Tempo and epoch arithmetic for commit-reveal and the block helper. Pure. */

/**
 * subtensor's epoch index of a block (`get_epoch_index`): `(block + netuid + 1) / (tempo + 1)`.
 * Runtimes with a stateful `SubnetEpochIndex` use that counter instead (the client reads it when present).
 */
export function epochIndex(block: number, netuid: number, tempo: number): number {
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

/** First block of an epoch under {@link epochIndex}. */
export function firstBlockOfEpoch(epoch: number, netuid: number, tempo: number): number {
  return Math.max(0, epoch * (tempo + 1) - netuid - 1);
}

/** Blocks until the subnet's next epoch runs (`tempo - (block + netuid + 1) % (tempo + 1)`). */
export function blocksUntilNextEpoch(block: number, netuid: number, tempo: number): number {
  if (tempo === 0) return Number.POSITIVE_INFINITY;
  return tempo - ((block + netuid + 1) % (tempo + 1));
}

/** Where a block sits in the subnet's tempo cycle. */
export interface TempoPosition {
  block: number;
  epoch: number;
  /** Blocks since the current epoch began (0-based). */
  intoEpoch: number;
  blocksUntilNextEpoch: number;
}

/** Tempo position of a block (legacy epoch formula). */
export function tempoPosition(block: number, netuid: number, tempo: number): TempoPosition {
  const epoch = epochIndex(block, netuid, tempo);
  return {
    block,
    epoch,
    intoEpoch: block - firstBlockOfEpoch(epoch, netuid, tempo),
    blocksUntilNextEpoch: blocksUntilNextEpoch(block, netuid, tempo),
  };
}

/** A random salt of 8 u16 values (the SDK's length). */
export function randomSalt(len = 8): number[] {
  return Array.from(crypto.getRandomValues(new Uint16Array(len)));
}
