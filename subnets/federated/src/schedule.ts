/**
 * When rounds happen, as pure functions of the chain's block number and the subnet's tempo.
 *
 * A round spans `epochsPerRound` tempo epochs (default 2) and starts in the first block of an epoch
 * (core's `epochIndex` / `firstBlockOfEpoch`, subtensor's rule):
 *
 *   startBlock .. deadlineBlock   miners rebuild the subnet model, train, and commit their update's hash
 *   deadlineBlock + 1 ..          validators read the round's commitments (at `deadlineBlock`), fetch
 *                                 and score the updates; their weights go on chain at the start of the
 *                                 round's second epoch (the validator sets weights once per epoch)
 *   closeBlock                    the epoch that ends the round runs: Yuma turns those weights into
 *                                 incentive
 *   nextStartBlock                the incentive read at this block weights the aggregation of the round's
 *                                 updates into the next subnet model
 *
 * Two epochs, because a validator sets weights once per epoch, at its start: the weights that rank round
 * r's updates are set in the epoch after the one they were scored in, and reach the incentive when that
 * epoch ends. Every node reads the same blocks, so every node computes the same model.
 */
import { epochIndex, firstBlockOfEpoch } from '@subnetkit/core';

/** How rounds map onto the chain. */
export interface RoundSchedule {
  netuid: number;
  /** The subnet's `Tempo`. */
  tempo: number;
  /** Tempo epochs per round (at least 2, see the module comment). */
  epochsPerRound: number;
  /** Blocks after a round's start in which commitments count (the deadline is `startBlock + commitBlocks`). */
  commitBlocks: number;
  /** Rounds before this one keep the initial model (no commitment before it is read). */
  genesisRound: number;
}

/** Options of {@link roundSchedule}. */
export interface RoundScheduleOptions {
  netuid: number;
  tempo: number;
  /** Default 2. */
  epochsPerRound?: number;
  /** Default: half an epoch, `floor((tempo + 1) / 2)`. */
  commitBlocks?: number;
  /** Default 0. */
  genesisRound?: number;
}

/** The blocks of one round. */
export interface RoundWindow {
  round: number;
  /** First block of the round (commitments from here on count). */
  startBlock: number;
  /** Last block a commitment counts in. */
  deadlineBlock: number;
  /** The block whose epoch closes the round (incentive from the round's weights). */
  closeBlock: number;
  /** First block of the next round (`closeBlock + 1`): where the incentive for aggregation is read. */
  nextStartBlock: number;
}

/** Validates and completes a schedule; the message of a bad one names the fix. */
export function roundSchedule(options: RoundScheduleOptions): RoundSchedule {
  const { netuid, tempo } = options;
  if (!(Number.isSafeInteger(tempo) && tempo >= 3))
    throw new Error(
      `the federated subnet needs a tempo of at least 3 blocks (got ${tempo}); set the subnet's tempo higher`,
    );
  const epochsPerRound = options.epochsPerRound ?? 2;
  if (!(Number.isSafeInteger(epochsPerRound) && epochsPerRound >= 2))
    throw new Error(
      `epochsPerRound must be a whole number >= 2 (got ${epochsPerRound}): weights set in a round's first epoch reach the incentive at the end of its second`,
    );
  const commitBlocks = options.commitBlocks ?? Math.floor((tempo + 1) / 2);
  if (!(Number.isSafeInteger(commitBlocks) && commitBlocks >= 1 && commitBlocks <= tempo - 2))
    throw new Error(
      `commitBlocks must be between 1 and tempo - 2 = ${tempo - 2} (got ${commitBlocks}): validators score after the deadline, within the round's first epoch`,
    );
  const genesisRound = options.genesisRound ?? 0;
  if (!(Number.isSafeInteger(genesisRound) && genesisRound >= 0))
    throw new Error(`genesisRound must be a whole number >= 0 (got ${genesisRound})`);
  return { netuid, tempo, epochsPerRound, commitBlocks, genesisRound };
}

/** The round `block` belongs to. */
export function roundAt(s: RoundSchedule, block: number): number {
  return Math.floor(epochIndex(block, s.netuid, s.tempo) / s.epochsPerRound);
}

/** The blocks of round `round`. */
export function roundWindow(s: RoundSchedule, round: number): RoundWindow {
  const startBlock = firstBlockOfEpoch(round * s.epochsPerRound, s.netuid, s.tempo);
  const nextStartBlock = firstBlockOfEpoch((round + 1) * s.epochsPerRound, s.netuid, s.tempo);
  return {
    round,
    startBlock,
    deadlineBlock: startBlock + s.commitBlocks,
    closeBlock: nextStartBlock - 1,
    nextStartBlock,
  };
}

/** What is due at `block`: commit (up to the deadline) or score (after it). */
export function roundPhase(
  s: RoundSchedule,
  block: number,
): { window: RoundWindow; phase: 'commit' | 'score' } {
  const window = roundWindow(s, roundAt(s, block));
  return { window, phase: block <= window.deadlineBlock ? 'commit' : 'score' };
}
