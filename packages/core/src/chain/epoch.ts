/**
 * Tempo and epoch arithmetic (protocol facts 5.1). Pure; the one copy used by the chain client, the
 * validator's weight schedule and the devnet's block initialisation.
 *
 * These are subtensor's stateless (legacy) formulas, as its code computes them (`run_coinbase.rs`,
 * `subnets/weights.rs`): the epoch of `netuid` runs in block `b` when `blocks_until_next_epoch(b) ==
 * tempo - (b + netuid + 1) mod (tempo + 1)` is 0, i.e. when `(b + netuid + 2) mod (tempo + 1) == 0`, and
 * the period is `tempo + 1` blocks. `get_epoch_index` steps one block later, in the first block after the
 * epoch ran. (subtensor's doc comment, and protocol facts 5.1 after it, say the epoch runs where
 * `(b + netuid + 1) mod (tempo + 1) == 0`: one block late; the code's table, tempo 100 netuid 0 -> block
 * 99, agrees with the formula used here.) The spec-381 runtime the devnet emulates schedules epochs this
 * way, and SDK 10.2.0 still computes `blocks_until_next_epoch` with it client-side. Newer runtimes (the "dynamic tempo" scheduler) fire on `b - LastEpochBlock >= tempo`
 * and count epochs in `SubnetEpochIndex`; a client reads that storage item when the runtime has it.
 * `tempo == 0` disables epochs.
 */

/**
 * subtensor's epoch index of a block (`get_epoch_index`): `(block + netuid + 1) / (tempo + 1)`; commit-reveal
 * windows are counted in it. It steps in the block after {@link epochRunsAt}.
 */
export function epochIndex(block: number, netuid: number, tempo: number): number {
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

/** First block of an epoch under {@link epochIndex} (clamped at block 0). */
export function firstBlockOfEpoch(epoch: number, netuid: number, tempo: number): number {
  return Math.max(0, epoch * (tempo + 1) - netuid - 1);
}

/**
 * Blocks until the subnet's next epoch runs: `tempo - (block + netuid + 1) % (tempo + 1)`; 0 means the
 * epoch runs in `block`. Infinity when `tempo == 0` (epochs disabled).
 */
export function blocksUntilNextEpoch(block: number, netuid: number, tempo: number): number {
  if (tempo === 0) return Number.POSITIVE_INFINITY;
  return tempo - ((block + netuid + 1) % (tempo + 1));
}

/** Whether the subnet's epoch runs in `block` (`should_run_epoch`; never when `tempo == 0`). */
export function epochRunsAt(block: number, netuid: number, tempo: number): boolean {
  return blocksUntilNextEpoch(block, netuid, tempo) === 0;
}

/** Where a block sits in the subnet's tempo cycle. */
export interface TempoPosition {
  block: number;
  epoch: number;
  /** Blocks since the current epoch began (0-based). */
  intoEpoch: number;
  blocksUntilNextEpoch: number;
}

/** Tempo position of a block. */
export function tempoPosition(block: number, netuid: number, tempo: number): TempoPosition {
  const epoch = epochIndex(block, netuid, tempo);
  return {
    block,
    epoch,
    intoEpoch: block - firstBlockOfEpoch(epoch, netuid, tempo),
    blocksUntilNextEpoch: blocksUntilNextEpoch(block, netuid, tempo),
  };
}
