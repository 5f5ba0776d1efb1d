/**
 * Worked examples from subtensor (pallets/subtensor/src/tests/epoch.rs, opentensor/subtensor) and
 * ../shared/docs/protocol-facts.md §5.6, replayed through runEpoch with a minimal in-memory "chain" that
 * stores the epoch outputs like subtensor does; plus property tests.
 */
import { describe, expect, it } from 'vitest';
import { runEpoch } from './epoch.js';
import { DEFAULT_EPOCH_HYPERPARAMETERS, type EpochHyperparameters, type EpochResult } from './types.js';

/** Minimal subnet state: what the epoch reads and what it writes back, as subtensor stores it. */
class SimSubnet {
  block = 1;
  weights: Array<Array<[number, number]>>;
  bonds: Array<Array<[number, number]>>;
  lastUpdate: number[];
  registered: number[];
  permit: boolean[];
  lastStepBlock = 0;
  last!: EpochResult;

  constructor(
    readonly stake: bigint[],
    readonly hp: EpochHyperparameters,
    readonly ownerUid: number | null = null,
  ) {
    const n = stake.length;
    this.weights = Array.from({ length: n }, () => []);
    this.bonds = Array.from({ length: n }, () => []);
    this.lastUpdate = new Array(n).fill(0);
    this.registered = new Array(n).fill(0);
    this.permit = new Array(n).fill(false);
  }

  /** set_weights with already max-upscaled u16 values (the chain upscales; our inputs peak at 65535). */
  setWeights(uid: number, dests: number[], values: number[]): void {
    const max = Math.max(...values);
    this.weights[uid] = dests.map((d, k) => [d, max === 0 ? 0 : Math.floor((values[k]! * 65535) / max)]);
    this.lastUpdate[uid] = this.block;
  }

  epoch(emission = 1_000_000_000n): EpochResult {
    const r = runEpoch({
      n: this.stake.length,
      currentBlock: this.block,
      stake: this.stake,
      weights: this.weights,
      bonds: this.bonds,
      lastUpdate: this.lastUpdate,
      blockAtRegistration: this.registered,
      validatorPermit: this.permit,
      ownerUid: this.ownerUid,
      lastStepBlock: this.lastStepBlock,
      emission,
      hyperparameters: this.hp,
    });
    this.bonds = r.bonds;
    this.permit = r.validatorPermit;
    this.last = r;
    return r;
  }

  nextBlock(): void {
    this.block++;
  }
}

const p = (u16: number) => u16 / 65535;

describe('runEpoch: subtensor worked examples', () => {
  it('tests/epoch.rs test_1_graph: a single self-weighting neuron earns no rank, trust, consensus, incentive or dividends', () => {
    const sim = new SimSubnet([1_000_000_000n], {
      ...DEFAULT_EPOCH_HYPERPARAMETERS,
      tempo: 65534,
      yuma3: false,
    });
    sim.block = 1;
    sim.setWeights(0, [0], [65535]);
    const r = sim.epoch();
    expect([r.rank[0], r.trust[0], r.consensus[0], r.incentive[0], r.dividends[0]]).toEqual([0, 0, 0, 0, 0]);
  });

  it('tests/epoch.rs test_10_graph: ten self-weighting neurons with stake 1 each get emission 99999999', () => {
    const sim = new SimSubnet(new Array(10).fill(1n), {
      ...DEFAULT_EPOCH_HYPERPARAMETERS,
      tempo: 65534,
      yuma3: false,
    });
    for (let i = 0; i < 10; i++) sim.setWeights(i, [i], [65535]);
    const r = sim.epoch();
    for (let i = 0; i < 10; i++) {
      expect([r.rank[i], r.trust[i], r.consensus[i], r.incentive[i], r.dividends[i]]).toEqual([
        0, 0, 0, 0, 0,
      ]);
      expect(r.emission[i]).toBe(99_999_999n);
    }
  });

  it('tests/epoch.rs test_bonds: Yuma 2 bonds and emission equal subtensor’s stored u16/u64 values', () => {
    const sim = new SimSubnet([1n, 2n, 3n, 4n, 0n, 0n, 0n, 0n], {
      ...DEFAULT_EPOCH_HYPERPARAMETERS,
      tempo: 1,
      yuma3: false,
      maxAllowedValidators: 8,
      bondsPenalty: 65535,
      bondsMovingAverage: 900_000,
    });
    sim.block = 0;
    sim.epoch(); // first epoch: validator permits
    sim.nextBlock();
    const quarter = Math.floor(65535 / 4);
    for (let uid = 0; uid < 4; uid++)
      sim.setWeights(uid, [4, 5, 6, 7], [quarter, Math.floor(65535 / 2), quarter * 3, 65535]);
    let r = sim.epoch();
    expect(sim.bonds.map((b) => b[0]?.[1])).toEqual([
      16383,
      32767,
      49151,
      65535,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(r.emission).toEqual([
      49999998n,
      99999999n,
      150000000n,
      200000001n,
      49998779n,
      100000610n,
      149996337n,
      200004272n,
    ]);

    // Self-weight only on val1.
    sim.setWeights(0, [0], [65535]);
    sim.nextBlock();
    r = sim.epoch();
    expect(sim.bonds.slice(0, 4).map((b) => b.find(([j]) => j === 4)![1])).toEqual([
      14582, 32767, 49151, 65535,
    ]);
    expect(r.emission).toEqual([
      44998351n,
      101110561n,
      151667215n,
      202223870n,
      49998779n,
      100000610n,
      149996337n,
      200004272n,
    ]);

    // Self-weight only on val2.
    sim.setWeights(1, [1], [65535]);
    sim.nextBlock();
    sim.epoch();
    expect(sim.bonds.slice(0, 4).map((b) => b.find(([j]) => j === 4)![1])).toEqual([
      12603, 28321, 49151, 65535,
    ]);

    // Self-weight only on val3: no consensus left, emission follows stake.
    sim.setWeights(2, [2], [65535]);
    sim.nextBlock();
    r = sim.epoch();
    expect(sim.bonds.slice(0, 4).map((b) => b.find(([j]) => j === 7)![1])).toEqual([
      12602, 28320, 49150, 65535,
    ]);
    expect(r.emission).toEqual([99999999n, 199999999n, 299999999n, 399999999n, 0n, 0n, 0n, 0n]);

    // val3 -> srv4: 1.
    sim.setWeights(2, [7], [65535]);
    sim.nextBlock();
    r = sim.epoch();
    expect(sim.bonds.slice(0, 4).map((b) => b.find(([j]) => j === 7)![1])).toEqual([
      10951, 24609, 49150, 65535,
    ]);
    expect(r.emission).toEqual([36443733n, 81898628n, 163565493n, 218092144n, 0n, 0n, 0n, 500000000n]);

    for (const [b0, b1, e] of [
      [9559, 21482, [32799427n, 73706612n, 168638129n, 224855830n, 0n, 0n, 0n, 500000000n]],
      [8376, 18824, [29518068n, 66336137n, 173203134n, 230942659n, 0n, 0n, 0n, 500000000n]],
    ] as const) {
      sim.nextBlock();
      r = sim.epoch();
      expect([sim.bonds[0]!.find(([j]) => j === 7)![1], sim.bonds[1]!.find(([j]) => j === 7)![1]]).toEqual([
        b0,
        b1,
      ]);
      expect(r.emission).toEqual(e);
    }
  });

  it('tests/epoch.rs test_yuma_3_liquid_alpha_disabled (protocol-facts §5.6 B): dividends and bonds per epoch', () => {
    const sim = new SimSubnet([33n, 33n, 34n, 0n, 0n], {
      ...DEFAULT_EPOCH_HYPERPARAMETERS,
      tempo: 1,
      yuma3: true,
      liquidAlpha: false,
      maxAllowedValidators: 3,
      bondsMovingAverage: 975_000,
      bondsPenalty: 0,
      kappa: 32767,
    });
    // setup_yuma_3_scenario: registration at block 1, first epoch at block 2 sets the permits.
    sim.registered.fill(1);
    sim.block = 2;
    sim.epoch();
    const dividends = [
      [0.33, 0.33, 0.34],
      [0.33, 0.33, 0.34],
      [0.3734, 0.3734, 0.2532],
      [0.3611, 0.3611, 0.2779],
      [0.3541, 0.3541, 0.2919],
      [0.3495, 0.3495, 0.3009],
    ];
    const bondsV01 = [0.025, 0.0494, 0.0731, 0.0963, 0.1189, 0.1409];
    const bondsV2: Array<[number, number] | null> = [
      null,
      null,
      [0.0481, 0.025],
      [0.0719, 0.0244],
      [0.0951, 0.0238],
      [0.1178, 0.0232],
    ];
    for (let epoch = 0; epoch < 6; epoch++) {
      sim.nextBlock();
      for (let v = 0; v < 3; v++) sim.setWeights(v, [3, 4], epoch === 2 && v === 2 ? [0, 65535] : [65535, 0]);
      sim.nextBlock();
      const r = sim.epoch();
      r.dividends.slice(0, 3).forEach((d, i) => {
        expect(Math.abs(p(d) - dividends[epoch]![i]!)).toBeLessThan(1.5e-4);
      });
      const bond = (v: number, j: number) => p(sim.bonds[v]!.find(([c]) => c === j)?.[1] ?? 0);
      expect(Math.abs(bond(0, 3) - bondsV01[epoch]!)).toBeLessThan(1e-4);
      expect(Math.abs(bond(1, 3) - bondsV01[epoch]!)).toBeLessThan(1e-4);
      const v2 = bondsV2[epoch];
      if (v2) {
        expect(Math.abs(bond(2, 3) - v2[0])).toBeLessThan(1e-4);
        expect(Math.abs(bond(2, 4) - v2[1])).toBeLessThan(1e-4);
      }
    }
  });
});

/** A deterministic pseudo-random generator for property tests. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomSubnet(seed: number, n: number, validators: number, yuma3: boolean) {
  const r = rng(seed);
  const stake = Array.from({ length: n }, (_, i) =>
    i < validators ? BigInt(1 + Math.floor(r() * 1e6)) * 1_000_000_000n : 0n,
  );
  const sim = new SimSubnet(stake, {
    ...DEFAULT_EPOCH_HYPERPARAMETERS,
    tempo: 10,
    yuma3,
    maxAllowedValidators: validators,
  });
  sim.epoch();
  sim.nextBlock();
  for (let v = 0; v < validators; v++) {
    const dests = Array.from({ length: n - validators }, (_, k) => validators + k);
    sim.setWeights(
      v,
      dests,
      dests.map(() => 1 + Math.floor(r() * 65534)),
    );
  }
  sim.nextBlock();
  return sim;
}

const sumOf = (x: number[]) => x.reduce((a, b) => a + b, 0);

describe('runEpoch: properties', () => {
  for (const yuma3 of [true, false]) {
    it(`outputs are normalised (incentive, dividends sum to 1; emission to the amount) — ${yuma3 ? 'Yuma 3' : 'Yuma 2'}`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const sim = randomSubnet(seed, 24, 6, yuma3);
        for (let e = 0; e < 3; e++) {
          const r = sim.epoch(1_000_000_000n);
          expect(Math.abs(sumOf(r.trace.incentive) - 1)).toBeLessThan(1e-6);
          expect(Math.abs(sumOf(r.trace.dividends) - 1)).toBeLessThan(1e-6);
          expect(Math.abs(sumOf(r.incentive.map(p)) - 1)).toBeLessThan(24 / 65535);
          const total = r.emission.reduce((a, b) => a + b, 0n);
          expect(total <= 1_000_000_000n && total > 1_000_000_000n - 100n).toBe(true);
          for (const x of [...r.incentive, ...r.dividends, ...r.consensus, ...r.validatorTrust]) {
            expect(x).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThanOrEqual(65535);
          }
          sim.nextBlock();
        }
      }
    });
  }

  it('zero stake has no influence: a registered validator without stake changes nothing by its weights', () => {
    const run = (rogue: number[]) => {
      const sim = new SimSubnet([100n, 200n, 0n, 0n, 0n, 0n], {
        ...DEFAULT_EPOCH_HYPERPARAMETERS,
        tempo: 10,
        maxAllowedValidators: 3,
      });
      sim.block = 4;
      sim.epoch(); // permits: top 3 by stake, non-zero stake only
      sim.nextBlock();
      sim.setWeights(0, [3, 4, 5], [65535, 30000, 1000]);
      sim.setWeights(1, [3, 4, 5], [60000, 65535, 0]);
      sim.setWeights(2, [3, 4, 5], rogue);
      sim.nextBlock();
      return sim.epoch();
    };
    const a = run([0, 0, 65535]);
    const b = run([65535, 0, 0]);
    expect(a.validatorPermit.slice(0, 3)).toEqual([true, true, false]);
    expect(a.incentive).toEqual(b.incentive);
    expect(a.consensus).toEqual(b.consensus);
    expect(a.dividends).toEqual(b.dividends);
    expect(a.emission).toEqual(b.emission);
    expect(a.dividends[2]).toBe(0);
  });

  it('an outlier weight is clipped to consensus', () => {
    const run = (outlier: number[]) => {
      const sim = new SimSubnet([300n, 300n, 300n, 100n, 0n, 0n], {
        ...DEFAULT_EPOCH_HYPERPARAMETERS,
        tempo: 10,
        maxAllowedValidators: 4,
      });
      sim.block = 4;
      sim.epoch();
      sim.nextBlock();
      for (let v = 0; v < 3; v++) sim.setWeights(v, [4, 5], [65535, 65535]);
      sim.setWeights(3, [4, 5], outlier);
      sim.nextBlock();
      return sim.epoch();
    };
    const r = run([65535, 0]); // the outlier puts everything on uid 4
    expect(r.trace.consensus[4]).toBeCloseTo(0.5, 6);
    expect(r.trace.weights[3]!.find(([j]) => j === 4)![1]).toBeCloseTo(1, 6);
    expect(r.trace.clippedWeights[3]!.find(([j]) => j === 4)![1]).toBeCloseTo(0.5, 6);
    expect(r.trace.validatorTrust[3]).toBeCloseTo(0.5, 6);
    // uid 4 gains nothing from the outlier's extra weight: its rank is what a consensus-level vote gives.
    const honest = run([65535, 65535]);
    expect(r.trace.ranks[4]).toBeCloseTo(honest.trace.ranks[4]!, 8);
    expect(r.trace.preranks[4]).toBeGreaterThan(honest.trace.preranks[4]!);
  });

  it('a validator that copies the consensus one epoch late earns no more than an honest one over many epochs', () => {
    for (const yuma3 of [true, false]) {
      const sim = new SimSubnet([400n, 400n, 400n, 400n, 0n, 0n, 0n, 0n], {
        ...DEFAULT_EPOCH_HYPERPARAMETERS,
        tempo: 1,
        yuma3,
        maxAllowedValidators: 4,
      });
      sim.epoch();
      const r = rng(7);
      let previousConsensus: number[] | null = null;
      const earned = [0n, 0n, 0n, 0n];
      for (let epoch = 0; epoch < 40; epoch++) {
        sim.nextBlock();
        // Miner quality drifts each epoch; honest validators (0..2) see it now.
        const truth = [4, 5, 6, 7].map(() => 1 + Math.floor(r() * 65534));
        for (let v = 0; v < 3; v++) sim.setWeights(v, [4, 5, 6, 7], truth);
        // Validator 3 copies last epoch's consensus.
        if (previousConsensus)
          sim.setWeights(
            3,
            [4, 5, 6, 7],
            [4, 5, 6, 7].map((j) => Math.max(1, Math.round(previousConsensus![j]! * 65535))),
          );
        else sim.setWeights(3, [4, 5, 6, 7], truth);
        sim.nextBlock();
        const out = sim.epoch();
        previousConsensus = out.trace.consensus;
        for (let v = 0; v < 4; v++) earned[v]! += out.validatorEmission[v]!;
      }
      expect(earned[3]! <= earned[0]!).toBe(true);
    }
  });
});
