import { describe, expect, it } from 'vitest';
import { emaUpdate, type ScoreEntry } from './ema.js';
import { explainScore } from './explain.js';
import type { ScoreHistoryEntry } from './score-store.js';

const metagraph = { n: 4, hotkeys: ['V', 'A', 'B', 'C'] };
const hp = { minAllowedWeights: 1, maxWeightsLimit: 65535 };

/** A history as the fold writes it (newest first), from rewards in round order. */
function history(rewards: number[], alpha: number): ScoreHistoryEntry[] {
  let score = 0;
  return rewards
    .map((reward, k) => {
      score = emaUpdate(score, reward, alpha);
      return { round: k + 1, challengeId: `c${k + 1}`, reward, latencyMs: 10, outcome: 'ok', score };
    })
    .reverse();
}

describe('explainScore', () => {
  const hA = history([1, 1, 0.5], 0.5);
  const scores = new Map<number, ScoreEntry>([
    [1, { hotkey: 'A', score: hA[0]!.score }],
    [2, { hotkey: 'B', score: 0.25 }],
    [3, { hotkey: 'old', score: 0.9 }],
  ]);

  it("replays the uid's rounds oldest first and recomputes its share of the weights", () => {
    const x = explainScore({
      uid: 1,
      scores,
      history: hA,
      alpha: 0.5,
      metagraph,
      hyperparameters: hp,
      onChainRow: [
        [1, 65535],
        [2, 30000],
      ],
      lastUpdate: 42,
    });
    expect(x.score).toBe(0.625);
    expect(x.rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    expect(x.rounds[0]!.previous).toBeNull();
    expect(x.rounds[2]).toMatchObject({ previous: 0.75, expected: 0.625, score: 0.625 });
    expect(x.consistent).toBe(true);
    // uid 3's score was earned by another hotkey: it does not count.
    expect(x.weight.scoreShare).toBeCloseTo(0.625 / (0.625 + 0.25), 12);
    expect(x.weight.weight).toBeCloseTo(0.625 / 0.875, 6);
    expect(x.weight.value).toBe(65535);
    expect(x.weight.place).toBe(1);
    expect(x.weight.weightedUids).toBe(2);
    expect(x.onChain).toEqual({ value: 65535, lastUpdate: 42 });
  });

  it('flags a history that the EMA does not explain, and a uid whose score is not its hotkey’s', () => {
    const bad = hA.map((e, k) => (k === 0 ? { ...e, score: 0.9 } : e));
    expect(
      explainScore({ uid: 1, scores, history: bad, alpha: 0.5, metagraph, hyperparameters: hp }).consistent,
    ).toBe(false);
    const x = explainScore({ uid: 3, scores, history: [], alpha: 0.5, metagraph, hyperparameters: hp });
    expect(x).toMatchObject({ hotkey: 'C', scoredHotkey: 'old', score: 0, onChain: null });
    expect(x.weight).toMatchObject({ value: 0, place: null, scoreShare: 0 });
  });
});
