import { describe, expect, it } from 'vitest';
import { runEpoch } from './epoch.js';
import { compareStored, explainUid } from './explain.js';
import { DEFAULT_EPOCH_HYPERPARAMETERS, type EpochInput } from './types.js';

/**
 * uids 0..2 validators (stake 600/300/100), 3..5 miners. Validators 0 and 1 agree; validator 2 puts
 * all its weight on miner 5 (an outlier clipped to consensus). Validator 1 also weights itself.
 * Miner 5 registered at block 50, after validator 1 last set weights (its weight there is outdated).
 */
function input(yuma3: boolean): EpochInput {
  const E = 1_000_000_000n;
  return {
    n: 6,
    currentBlock: 100,
    stake: [600n * E, 300n * E, 100n * E, 0n, 0n, 0n],
    weights: [
      [
        [3, 65535],
        [4, 32768],
      ],
      [
        [1, 65535],
        [3, 65535],
        [4, 32768],
        [5, 10000],
      ],
      [[5, 65535]],
      [[4, 65535]],
    ],
    bonds: [[[3, 30000]], [], [], []],
    lastUpdate: [90, 40, 90, 90, 0, 0],
    blockAtRegistration: [0, 0, 0, 0, 0, 50],
    validatorPermit: [true, true, true, false, false, false],
    lastStepBlock: 89,
    emission: 10n * E,
    hyperparameters: { ...DEFAULT_EPOCH_HYPERPARAMETERS, tempo: 10, activityCutoff: 5000, yuma3 },
  };
}

describe('explainUid', () => {
  for (const yuma3 of [true, false]) {
    it(`explains a miner's incentive from the votes (Yuma ${yuma3 ? 3 : 2})`, () => {
      const inp = input(yuma3);
      const r = runEpoch(inp);
      const x = explainUid(inp, r, 3);
      expect(x.epochBlock).toBe(100);
      expect(x.values.incentive).toBe(r.incentive[3]);
      // Validators 0..2 have active stake; miner 3 (no permit) weighted 4 and is not a voter on 3.
      expect(x.miner.votes.map((v) => v.uid)).toEqual([0, 1, 2]);
      expect(x.miner.votes[0]!.stake).toBe(600_000_000_000n);
      // The votes' rank contributions add up to the uid's rank.
      const sum = x.miner.votes.reduce((a, v) => a + v.rankContribution, 0);
      expect(sum).toBeCloseTo(x.miner.ranks, 6);
      expect(x.miner.incentive).toBeCloseTo(r.trace.incentive[3]!, 9);
      expect(x.emission).toBe(r.emission[3]);
      expect(x.hyperparameters.map((h) => h.name)).toContain('kappa');
      expect(x.hyperparameters.map((h) => h.name)).toContain('bondsMovingAverage');
      // Validator 0 holds a bond in miner 3.
      expect(x.miner.votes[0]!.bondAfter).toBeGreaterThan(0);
    });
  }

  it('shows the clipping of an outlier weight and the weights the epoch dropped', () => {
    const inp = input(true);
    const r = runEpoch(inp);
    const x = explainUid(inp, r, 5);
    const byUid = new Map(x.miner.votes.map((v) => [v.uid, v]));
    // Validator 2's weight on 5 is above consensus and is clipped to it.
    const v2 = byUid.get(2)!;
    expect(v2.weight).toBe(1);
    expect(v2.clippedWeight).toBeCloseTo(x.miner.consensus, 9);
    expect(v2.clippedBy).toBeCloseTo(1 - x.miner.consensus, 9);
    // Validator 1 last set weights before miner 5 registered: dropped as outdated.
    expect(byUid.get(1)!.dropped).toBe('outdated');
    expect(byUid.get(1)!.storedWeight).toBe(10000);
    expect(byUid.get(1)!.weight).toBe(0);
    expect(x.hyperparameters.find((h) => h.name === 'kappa')!.effect).toMatch(/1 weight\(s\) above it/);
    // Validator 1's self-weight is dropped; uid 3's weights do not count (no permit).
    expect(explainUid(inp, r, 1).miner.votes.find((v) => v.uid === 1)!.dropped).toBe('self_weight');
    expect(explainUid(inp, r, 4).miner.votes.find((v) => v.uid === 3)!.dropped).toBe('no_permit');
  });

  it("explains a validator's dividends from its bonds", () => {
    const inp = input(true);
    const r = runEpoch(inp);
    const x = explainUid(inp, r, 0);
    expect(x.validator.bonds.map((b) => b.uid).sort()).toEqual([3, 4]);
    expect(x.validator.dividends).toBeCloseTo(r.trace.dividends[0]!, 9);
    expect(x.validator.emission).toBe(r.validatorEmission[0]);
    expect(x.validator.validatorTrust).toBeGreaterThan(0.9);
  });

  it('says whether stored values are reproduced, and shows the differences', () => {
    const inp = input(true);
    const r = runEpoch(inp);
    const stored = {
      incentive: r.incentive,
      dividends: r.dividends,
      consensus: r.consensus,
      validatorTrust: r.validatorTrust,
      emission: r.emission,
      trust: r.trust,
      rank: r.rank,
      bonds: r.bonds,
    };
    const same = explainUid(inp, r, 3, stored).reproduction!;
    expect(same).toEqual({
      exact: true,
      compared: [
        'incentive',
        'dividends',
        'consensus',
        'validatorTrust',
        'emission',
        'trust',
        'rank',
        'bonds',
      ],
      differences: [],
    });
    const off = compareStored(
      r,
      { ...stored, incentive: r.incentive.map((v, i) => (i === 3 ? v - 1 : v)) },
      3,
    );
    expect(off.exact).toBe(false);
    expect(off.differences).toEqual([
      { field: 'incentive', stored: String(r.incentive[3]! - 1), computed: String(r.incentive[3]) },
    ]);
  });

  it('names a uid that is not on the subnet', () => {
    const inp = input(true);
    expect(() => explainUid(inp, runEpoch(inp), 6)).toThrow(/uid 6 is not on the subnet.*6 uids/);
  });
});
