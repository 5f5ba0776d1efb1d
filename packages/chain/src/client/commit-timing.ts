/** Commit-reveal timing on top of core's epoch arithmetic. Pure. */
import { firstBlockOfEpoch } from '@subnetkit/core';

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
