import { describe, expect, it } from 'vitest';
import { consensusWeights, judgeCommitments, scoresToWeights } from './protocol.js';

const h = (c: string) => c.repeat(64);

describe('commitment rules', () => {
  const round = { startBlock: 100, deadlineBlock: 110 };
  it('accepts the earliest commitment of a hash and marks later ones as copies', () => {
    const j = judgeCommitments(
      [
        { hotkey: 'copier', hash: h('a'), block: 104 },
        { hotkey: 'honest', hash: h('a'), block: 101 },
        { hotkey: 'other', hash: h('b'), block: 105 },
      ],
      round,
    );
    expect(j.get('honest')).toEqual({ status: 'accepted' });
    expect(j.get('copier')).toEqual({ status: 'copy', original: 'honest' });
    expect(j.get('other')).toEqual({ status: 'accepted' });
  });

  it('compares hashes case-insensitively and cannot tell apart commitments of one block', () => {
    const j = judgeCommitments(
      [
        { hotkey: 'x', hash: h('A'), block: 102 },
        { hotkey: 'y', hash: h('a'), block: 102 },
        { hotkey: 'z', hash: h('a'), block: 103 },
      ],
      round,
    );
    expect(j.get('x')).toEqual({ status: 'accepted' });
    expect(j.get('y')).toEqual({ status: 'accepted' });
    expect(j.get('z')?.status).toBe('copy');
  });

  it('refuses commitments after the deadline and from before the round', () => {
    const j = judgeCommitments(
      [
        { hotkey: 'late', hash: h('c'), block: 111 },
        { hotkey: 'stale', hash: h('d'), block: 99 },
        // A late copy of an early original does not make the original a copy.
        { hotkey: 'orig', hash: h('c'), block: 110 },
      ],
      round,
    );
    expect(j.get('late')).toEqual({ status: 'late' });
    expect(j.get('stale')).toEqual({ status: 'stale' });
    expect(j.get('orig')).toEqual({ status: 'accepted' });
  });
});

describe('weights from scores', () => {
  it('normalises scores and averages validators by stake', () => {
    const w1 = scoresToWeights([
      { hotkey: 'a', verdict: 'improves', score: 3 },
      { hotkey: 'b', verdict: 'improves', score: 1 },
      { hotkey: 'c', verdict: 'copy', score: 0 },
    ]);
    expect([...w1]).toEqual([
      ['a', 0.75],
      ['b', 0.25],
      ['c', 0],
    ]);
    const c = consensusWeights([
      { stake: 3, weights: w1 },
      {
        stake: 1,
        weights: new Map([
          ['a', 0],
          ['b', 1],
          ['c', 0],
        ]),
      },
    ]);
    expect(c.get('a')).toBeCloseTo(0.5625);
    expect(c.get('b')).toBeCloseTo(0.4375);
    expect(c.get('c')).toBe(0);
    expect(scoresToWeights([{ hotkey: 'a', verdict: 'no_improvement', score: 0 }]).get('a')).toBe(0);
  });
});
