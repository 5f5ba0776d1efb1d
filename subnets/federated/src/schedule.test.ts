import { epochRunsAt } from '@subnetkit/core';
import { describe, expect, it } from 'vitest';
import { roundAt, roundPhase, roundSchedule, roundWindow } from './schedule.js';

describe('round schedule', () => {
  const s = roundSchedule({ netuid: 1, tempo: 24 });

  it('gives each round two epochs, a deadline half an epoch in, and closes it with an epoch', () => {
    expect(s).toEqual({ netuid: 1, tempo: 24, epochsPerRound: 2, commitBlocks: 12, genesisRound: 0 });
    // netuid 1, tempo 24: epochs run where (b + 3) % 25 == 0, i.e. blocks 22, 47, 72, 97, ...
    expect(roundWindow(s, 0)).toEqual({
      round: 0,
      startBlock: 0,
      deadlineBlock: 12,
      closeBlock: 47,
      nextStartBlock: 48,
    });
    expect(roundWindow(s, 1)).toEqual({
      round: 1,
      startBlock: 48,
      deadlineBlock: 60,
      closeBlock: 97,
      nextStartBlock: 98,
    });
    for (let r = 0; r < 20; r++) {
      const w = roundWindow(s, r);
      expect(epochRunsAt(w.closeBlock, 1, 24)).toBe(true);
      // Exactly one more epoch runs inside the round (the one after which weights are set).
      const inside = Array.from({ length: w.closeBlock - w.startBlock }, (_, i) => w.startBlock + i).filter(
        (b) => epochRunsAt(b, 1, 24),
      );
      expect(inside).toHaveLength(1);
      expect(inside[0]!).toBeGreaterThan(w.deadlineBlock);
      expect(roundWindow(s, r + 1).startBlock).toBe(w.nextStartBlock);
    }
  });

  it('maps every block to its round and phase', () => {
    for (let b = 0; b < 500; b++) {
      const r = roundAt(s, b);
      const w = roundWindow(s, r);
      expect(b).toBeGreaterThanOrEqual(w.startBlock);
      expect(b).toBeLessThanOrEqual(w.closeBlock);
      expect(roundPhase(s, b).phase).toBe(b <= w.deadlineBlock ? 'commit' : 'score');
    }
  });

  it('refuses schedules that cannot work, naming the fix', () => {
    expect(() => roundSchedule({ netuid: 1, tempo: 2 })).toThrow(/tempo of at least 3/);
    expect(() => roundSchedule({ netuid: 1, tempo: 24, epochsPerRound: 1 })).toThrow(
      /epochsPerRound must be a whole number >= 2/,
    );
    expect(() => roundSchedule({ netuid: 1, tempo: 24, commitBlocks: 23 })).toThrow(
      /commitBlocks must be between 1 and tempo - 2 = 22/,
    );
    expect(() => roundSchedule({ netuid: 1, tempo: 24, genesisRound: -1 })).toThrow(/genesisRound/);
  });
});
