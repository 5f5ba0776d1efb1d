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

/** Where a stored commit stands relative to its reveal window. */
export interface CommitTiming {
  status: 'waiting' | 'due' | 'expired';
  /** First block at which the reveal is accepted. */
  revealAtBlock: number;
}

/**
 * Classifies a `WeightCommits` entry for a reveal that would execute in block `nextBlock`. Two on-chain
 * layouts exist: `(hash, commit_block, first_reveal_block, last_reveal_block)` (subtensor's
 * `get_reveal_blocks`) and the epoch form `(hash, commit_epoch, commit_block, 0)`; the last field tells
 * them apart. `currentEpoch` is only used for the epoch form.
 */
export function commitTiming(
  entry: readonly [unknown, number | string, number | string, number | string],
  nextBlock: number,
  s: { netuid: number; tempo: number; revealPeriodEpochs: number; currentEpoch: number },
): CommitTiming {
  const [, a, b, c] = entry.map((x, i) => (i === 0 ? 0 : Number(x))) as [number, number, number, number];
  if (c !== 0 && c >= b) {
    const status = nextBlock < b ? 'waiting' : nextBlock > c ? 'expired' : 'due';
    return { status, revealAtBlock: b };
  }
  const revealEpoch = a + s.revealPeriodEpochs;
  const revealAtBlock = firstBlockOfEpoch(revealEpoch, s.netuid, s.tempo);
  const status = s.currentEpoch < revealEpoch ? 'waiting' : s.currentEpoch > revealEpoch ? 'expired' : 'due';
  return { status, revealAtBlock };
}
