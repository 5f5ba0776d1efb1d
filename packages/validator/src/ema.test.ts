import { describe, expect, it } from 'vitest';
import { checkAlpha, emaUpdate, foldScores, sanitizeScore, type ScoreEntry } from './ema.js';

describe('ema', () => {
  it('moves a fraction alpha toward the new score', () => {
    expect(emaUpdate(0, 1, 0.1)).toBeCloseTo(0.1, 12);
    expect(emaUpdate(0.5, 0, 0.2)).toBeCloseTo(0.4, 12);
    expect(emaUpdate(0.3, 0.3, 0.7)).toBeCloseTo(0.3, 12);
  });

  it('sanitizes rewards into [0, 1]', () => {
    expect(sanitizeScore(Number.NaN)).toBe(0);
    expect(sanitizeScore(-3)).toBe(0);
    expect(sanitizeScore(7)).toBe(1);
    expect(sanitizeScore('0.5')).toBe(0);
    expect(sanitizeScore(0.25)).toBe(0.25);
  });

  it('rejects alphas outside (0, 1]', () => {
    expect(() => checkAlpha(0)).toThrow(/out of range/);
    expect(() => checkAlpha(1.5)).toThrow(/out of range/);
    expect(checkAlpha(1)).toBe(1);
  });

  it('folds several rounds and resets a uid whose hotkey changed', () => {
    let state = new Map<number, ScoreEntry>();
    state = foldScores(
      state,
      [
        { uid: 0, hotkey: 'A', score: 1 },
        { uid: 1, hotkey: 'B', score: 0.5 },
      ],
      0.5,
    );
    state = foldScores(state, [{ uid: 0, hotkey: 'A', score: 1 }], 0.5);
    expect(state.get(0)).toEqual({ hotkey: 'A', score: 0.75 });
    expect(state.get(1)).toEqual({ hotkey: 'B', score: 0.25 });
    // uid 1 re-registered by hotkey C: starts from 0, not from B's 0.25.
    state = foldScores(state, [{ uid: 1, hotkey: 'C', score: 0 }], 0.5);
    expect(state.get(1)).toEqual({ hotkey: 'C', score: 0 });
  });
});
