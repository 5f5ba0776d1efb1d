/**
 * Worked examples from subtensor (pallets/subtensor/src/tests/epoch.rs, opentensor/subtensor),
 * replayed through runEpoch with a minimal in-memory "chain" that stores the epoch outputs like
 * subtensor does; plus property tests.
 */
import { describe, expect, it } from 'vitest';
import { maxUpscaleU16 } from '../weights/chain-rules.js';
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
  /** With commit-reveal on: each uid's earliest unexpired commit block (see EpochInput.commitBlocks). */
  commitBlocks: (number | null)[] | undefined;
  last!: EpochResult;

  /** `StakeThreshold` (rao). */
  stakeThreshold = 0n;

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

  /** A new hotkey takes `uid` (subtensor's replace_neuron): no stake, no permit, registered now. */
  replaceNeuron(uid: number): void {
    this.stake[uid] = 0n;
    this.registered[uid] = this.block;
    this.permit[uid] = false;
    this.weights[uid] = [];
    this.bonds[uid] = [];
  }

  /** set_weights: stores the values max-upscaled as subtensor does (`vec_u16_max_upscale_to_u16`). */
  setWeights(uid: number, dests: number[], values: number[]): void {
    const up = maxUpscaleU16(values);
    this.weights[uid] = dests.map((d, k) => [d, up[k]!]);
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
      commitBlocks: this.commitBlocks,
      stakeThreshold: this.stakeThreshold,
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

/** tests/epoch.rs `distribute_nodes`: validators blockwise (0), regularly interleaved (1) or shuffled (2). */
function distributeNodes(validators: number, n: number, interleave: number): [number[], number[]] {
  let uids = Array.from({ length: n }, (_, i) => i);
  if (interleave === 1) {
    const every = Math.floor(n / validators);
    return [uids.filter((i) => i % every === 0), uids.filter((i) => i % every !== 0)];
  }
  if (interleave === 2) {
    // subtensor shuffles with an unseeded rng; any permutation must give the same outcome.
    const r = rng(512);
    uids = uids
      .map((u) => [r(), u] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, u]) => u);
  }
  return [uids.slice(0, validators), uids.slice(validators)];
}

describe('runEpoch: Yuma 2 cases of tests/epoch.rs (Yuma3On off, as in subtensor’s mock)', () => {
  const yuma2 = { ...DEFAULT_EPOCH_HYPERPARAMETERS, yuma3: false };

  it('tests/epoch.rs test_512_graph: 64 validators weighting 448 servers equally, every interleaving, server self-weights off/on', () => {
    const n = 512;
    const stakePerValidator = 328_125_000_000_000n;
    for (const interleave of [0, 1, 2])
      for (const serverSelf of [false, true]) {
        const [validators, servers] = distributeNodes(64, n, interleave);
        const stake = new Array<bigint>(n).fill(0n);
        for (const v of validators) stake[v] = stakePerValidator;
        const sim = new SimSubnet(stake, {
          ...yuma2,
          tempo: 65534,
          maxAllowedValidators: 64,
          bondsPenalty: 65535,
        });
        sim.block = 0;
        sim.epoch(); // permits
        sim.block = 1;
        for (const v of validators)
          sim.setWeights(
            v,
            servers,
            servers.map(() => Math.floor(65535 / n)),
          );
        if (serverSelf) for (const s of servers) sim.setWeights(s, [s], [65535]);
        for (let e = 0; e < 3; e++) sim.epoch();
        const r = sim.last;
        const [validator, server] = [validators[0]!, servers[0]!];
        for (const uid of validators) {
          expect([r.consensus[uid], r.incentive[uid], r.dividends[uid]]).toEqual([0, 0, 1023]);
          expect(r.emission[uid]).toBe(7_812_500n);
          expect(sim.bonds[uid]!.find(([j]) => j === validator)).toBeUndefined();
          expect(sim.bonds[uid]!.find(([j]) => j === server)?.[1]).toBe(65535);
        }
        for (const uid of servers) {
          expect([r.consensus[uid], r.incentive[uid], r.dividends[uid]]).toEqual([146, 146, 0]);
          expect(r.emission[uid]).toBe(1_116_071n);
          expect(sim.bonds[uid]).toEqual([]);
        }
      }
  });

  it('tests/epoch.rs test_active_stake: a validator whose weights are older than the activity cutoff loses dividends', () => {
    const sim = new SimSubnet([1n, 1n, 1n, 1n], { ...yuma2, tempo: 1, maxAllowedValidators: 4 });
    sim.block = 0;
    sim.epoch();
    sim.block = 1;
    for (const uid of [0, 1]) sim.setWeights(uid, [2, 3], [32767, 32767]);
    let r = sim.epoch();
    expect(r.dividends.slice(0, 2)).toEqual([32767, 32767]);
    expect(r.emission).toEqual([250_000_000n, 250_000_000n, 250_000_000n, 250_000_000n]);
    for (const v of [0, 1])
      expect(sim.bonds[v]).toEqual([
        [2, 65535],
        [3, 65535],
      ]);

    // Block 5002: only uid 0 refreshes its weights; uid 1 is inactive (activity cutoff 5000).
    sim.block = 5002;
    sim.setWeights(0, [2, 3], [32767, 32767]);
    r = sim.epoch();
    expect([r.dividends[0], r.dividends[1]]).toEqual([36044, 29490]);
    expect([r.emission[0], r.emission[1]]).toEqual([274_999_999n, 224_999_999n]);
    expect(sim.bonds[0]).toEqual([
      [2, 65535],
      [3, 65535],
    ]);
    expect(sim.bonds[1]).toEqual([
      [2, 53619],
      [3, 53619],
    ]);

    // uid 1 refreshes too; epoch at block 5003.
    sim.setWeights(1, [2, 3], [32767, 32767]);
    sim.block = 5003;
    r = sim.epoch();
    expect([r.dividends[0], r.dividends[1]]).toEqual([35716, 29818]);
    expect([r.emission[0], r.emission[1]]).toEqual([272_501_132n, 227_498_866n]);
    expect(sim.bonds[0]).toEqual([
      [2, 65535],
      [3, 65535],
    ]);
    expect(sim.bonds[1]).toEqual([
      [2, 54712],
      [3, 54712],
    ]);
  });

  it('tests/epoch.rs test_outdated_weights: weights on a uid set before its re-registration are masked', () => {
    const sim = new SimSubnet([1n, 1n, 1n, 1n], {
      ...yuma2,
      tempo: 0,
      maxAllowedValidators: 4,
      bondsPenalty: 65535,
    });
    sim.block = 0;
    sim.epoch();
    sim.block = 1;
    const third = Math.floor(65535 / 3);
    for (const uid of [0, 1]) sim.setWeights(uid, [2, 3], [2 * third, third]);
    for (const uid of [2, 3]) sim.setWeights(uid, [uid], [65535]);
    sim.epoch();
    // A new hotkey takes uid 3 (the lowest pruning score) at block 1: no stake, no permit.
    sim.stake[3] = 0n;
    sim.registered[3] = 1;
    sim.permit[3] = false;
    sim.block = 2;
    sim.setWeights(0, [2, 3], [2 * third, third]);
    const r = sim.epoch();
    expect(r.dividends[0]).toBe(32767);
    expect(r.emission[0]).toBe(250_000_000n);
    expect(sim.bonds[0]).toEqual([
      [2, 65535],
      [3, 65535],
    ]);
  });
  it('tests/epoch.rs test_zero_weights: without weights emission follows stake; weights on a uid re-registered in the same block are masked', () => {
    const sim = new SimSubnet([1n, 0n], { ...yuma2, tempo: 65534 });
    sim.block = 0;
    expect(sim.epoch().emission).toEqual([1_000_000_000n, 0n]);
    sim.block = 1;
    sim.setWeights(1, [1], [65535]); // server self-weight
    expect(sim.epoch().emission).toEqual([1_000_000_000n, 0n]);
    sim.block = 2;
    sim.setWeights(0, [1], [65535]);
    sim.replaceNeuron(1); // a new key takes uid 1 in block 2: the weight set in block 2 is outdated
    expect(sim.epoch().emission).toEqual([1_000_000_000n, 0n]);
    sim.block = 3;
    sim.setWeights(0, [1], [65535]);
    expect(sim.epoch().emission).toEqual([500_000_000n, 500_000_000n]);
  });

  it('tests/epoch.rs test_deregistered_miner_bonds: bonds on a re-registered uid are dropped, the others kept', () => {
    const sim = new SimSubnet([1n, 1n, 1n, 1n], {
      ...yuma2,
      tempo: 2,
      maxAllowedValidators: 4,
      bondsPenalty: 65535,
    });
    sim.block = 0;
    sim.epoch();
    sim.block = 1;
    const third = Math.floor(65535 / 3);
    for (const uid of [0, 1]) sim.setWeights(uid, [2, 3], [2 * third, third]);
    sim.block = 3;
    sim.epoch();
    const bond = (j: number) => sim.bonds[0]!.find(([c]) => c === j)?.[1] ?? 0;
    const [b02, b03] = [bond(2), bond(3)];
    expect(b02).toBeGreaterThan(0);
    expect(b03).toBeGreaterThan(0);
    sim.block = 4;
    sim.replaceNeuron(3); // uid 3 got 1/3 of the weight: pruned first
    for (const uid of [0, 1]) sim.setWeights(uid, [2, 3], [2 * third, third]);
    sim.block = 5;
    sim.epoch();
    expect(bond(2)).toBeGreaterThanOrEqual(b02);
    expect(bond(3)).toBeLessThanOrEqual(b03);
    expect(bond(3)).toBe(0);
  });

  it('tests/epoch.rs test_validator_permits: permits go to the top-k stakes at or above the stake threshold', () => {
    for (const interleave of [0, 1, 2])
      for (const [n, k] of [
        [2, 1],
        [4, 2],
        [8, 4],
      ] as const)
        for (const assignment of [0, 1]) {
          const [validators, servers] = distributeNodes(k, n, interleave);
          const stake = new Array<bigint>(n).fill(0n);
          for (const v of validators) stake[v] = assignment === 1 ? BigInt(v + n) : 1n;
          for (const s of servers) stake[s] = assignment === 1 ? BigInt(s) : 0n;
          const initial = [...stake];
          const minStake = BigInt(k);
          const sim = new SimSubnet(stake, { ...yuma2, tempo: 65534, maxAllowedValidators: k });
          sim.stakeThreshold = minStake;
          sim.block = 0;
          let r = sim.epoch();
          for (const v of validators) expect(r.validatorPermit[v]).toBe(initial[v]! >= minStake);
          for (const s of servers) expect(r.validatorPermit[s]).toBe(false);
          for (const s of servers) sim.stake[s] = sim.stake[s]! + BigInt(2 * n);
          sim.block = 1;
          r = sim.epoch();
          for (const v of validators) expect(r.validatorPermit[v]).toBe(false);
          for (const s of servers) expect(r.validatorPermit[s]).toBe(initial[s]! + BigInt(2 * n) >= minStake);
        }
  });

  it('tests/epoch.rs test_epoch_does_not_mask_outside_window_but_masks_inside: commit-reveal masks uids registered after a live commit', () => {
    // tempo 8, reveal period 2: commit at 8 (expired by the epoch), uid 1 registered at 8; second commit at
    // 32, uids 2 and 3 registered at 33; the validator votes 1/3 each at 34 and the epoch runs.
    const sim = new SimSubnet([10_000n, 1_000n, 1_000n, 1_000n], {
      ...yuma2,
      tempo: 8,
      maxAllowedValidators: 1,
    });
    sim.permit[0] = true;
    sim.registered = [0, 8, 33, 33];
    sim.block = 34;
    sim.setWeights(0, [1, 2, 3], [21845, 21845, 21845]);
    sim.commitBlocks = [32, null, null, null];
    const r = sim.epoch();
    expect(r.incentive[1]).toBeGreaterThan(0);
    expect([r.incentive[2], r.incentive[3]]).toEqual([0, 0]);
    // Without commit-reveal (tests/epoch.rs test_epoch_no_mask_when_commit_reveal_disabled) nothing is masked.
    sim.commitBlocks = undefined;
    const open = sim.epoch();
    expect(open.incentive.slice(1).every((x) => x > 0)).toBe(true);
  });

  it('tests/consensus.rs test_consensus_guarantees: the major set’s emission ratio is at least its stake ratio', () => {
    for (const [majorStake, majorWeight, minorWeight, stddev] of [
      [0.51, 1, 1, 0.001],
      [0.51, 0.03, 0, 0.001],
      [0.51, 0.51, 0.49, 0.001],
      [0.51, 0.51, 1, 0.001],
      [0.51, 0.61, 0.8, 0.1],
      [0.6, 0.67, 0.65, 0.2],
      [0.6, 0.74, 0.77, 0.4],
      [0.6, 0.76, 0.8, 0.4],
      [0.6, 0.76, 1, 0.4],
      [0.6, 0.92, 1, 0.4],
      [0.6, 0.94, 1, 0.4],
      [0.65, 0.78, 0.85, 0.6],
      [0.7, 0.81, 0.85, 0.8],
      [0.7, 0.83, 0.85, 1],
    ] as const) {
      const ratio = consensusGuarantee(majorStake, majorWeight, minorWeight, stddev);
      expect(ratio, `${majorStake}/${majorWeight}/${minorWeight}/${stddev}`).toBeGreaterThanOrEqual(
        majorStake,
      );
    }
  });
});

/** Standard normal samples (Box–Muller over our deterministic generator). */
function normal(size: number, r: () => number): number[] {
  return Array.from({ length: size }, () => {
    const u1 = Math.max(r(), 1e-12);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r());
  });
}

/** Non-negative noisy proportions summing to 1 (1 + stddev·N(0, 1), clipped at 0, normalised). */
function noisyShares(size: number, stddev: number, r: () => number): number[] {
  const x = normal(size, r).map((z) => Math.max(0, 1 + stddev * z));
  const total = sumOf(x);
  return x.map((v) => v / total);
}

/**
 * tests/consensus.rs `split_graph` + the (upstream commented-out) `test_consensus_guarantees`: a major and a
 * minor set of validators and servers; each validator puts `majorWeight` (major validators) or
 * `1 − minorWeight` (minor validators) of its weight on the major servers. One epoch (Yuma 2, as the mock).
 */
function consensusGuarantee(
  majorStake: number,
  majorWeight: number,
  minorWeight: number,
  stddev: number,
): number {
  const n = 512;
  const [validators, servers] = distributeNodes(64, n, 2);
  const ratioCount = (total: number) => Math.min(total - 1, Math.max(1, Math.floor(majorStake * total)));
  const majorValidators = validators.slice(0, ratioCount(validators.length));
  const minorValidators = validators.slice(majorValidators.length);
  const majorServers = servers.slice(0, ratioCount(servers.length));
  const minorServers = servers.slice(majorServers.length);
  const r = rng(Math.round(majorStake * 1000 + majorWeight * 100 + minorWeight * 10));
  const stake = new Array<bigint>(n).fill(0n);
  for (const [ratio, set] of [
    [majorStake, majorValidators],
    [1 - majorStake, minorValidators],
  ] as const) {
    const shares = noisyShares(set.length, 0.3, r);
    set.forEach((v, i) => {
      stake[v] = BigInt(Math.floor(ratio * shares[i]! * 21e15));
    });
  }
  const sim = new SimSubnet(stake, {
    ...DEFAULT_EPOCH_HYPERPARAMETERS,
    yuma3: false,
    tempo: 65534,
    maxAllowedValidators: 64,
    bondsPenalty: 65535,
  });
  sim.block = 0;
  sim.epoch();
  sim.block = 1;
  for (const [first, set] of [
    [majorWeight, majorValidators],
    [1 - minorWeight, minorValidators],
  ] as const)
    for (const v of set) {
      const dests: number[] = [];
      const values: number[] = [];
      for (const [w, srvs] of [
        [first, majorServers],
        [1 - first, minorServers],
      ] as const) {
        const shares = noisyShares(srvs.length, stddev, r);
        srvs.forEach((s, i) => {
          dests.push(s);
          values.push(Math.floor(w * shares[i]! * 65535));
        });
      }
      sim.setWeights(v, dests, values);
    }
  for (const s of servers) sim.setWeights(s, [s], [65535]);
  const out = sim.epoch();
  const total = (set: number[]) => set.reduce((a, uid) => a + Number(out.emission[uid]!), 0);
  const major = total(majorValidators) + total(majorServers);
  return major / (major + total(minorValidators) + total(minorServers));
}

/**
 * tests/epoch.rs `setup_yuma_3_scenario`: uids registered at block 1 with the given stakes, tempo 1, bonds
 * penalty 0, α sigmoid steepness 1000, bonds moving average 975 000, κ = u16::MAX / 2, liquid alpha on with
 * `set_alpha_values_32(0.1, 0.3)` (stored as u16 (6553, 19660)), Yuma 3 on, 3 validator permits; the first
 * epoch (block 2) issues the permits. Each scenario epoch: set_weights, next block, epoch.
 */
function yuma3Scenario(stakes: number[], liquidAlpha = true): SimSubnet {
  const sim = new SimSubnet(stakes.map(BigInt), {
    ...DEFAULT_EPOCH_HYPERPARAMETERS,
    tempo: 1,
    yuma3: true,
    liquidAlpha,
    alphaValues: [6553, 19660],
    alphaSigmoidSteepness: 1000,
    maxAllowedValidators: 3,
    bondsMovingAverage: 975_000,
    bondsPenalty: 0,
    kappa: 32767,
  });
  sim.registered.fill(1);
  sim.block = 2;
  sim.epoch();
  return sim;
}

/**
 * Runs a scenario's epochs and checks them as `run_epoch_and_check_bonds_dividends` does: dividends (u16 as
 * a proportion) within 1e-3 of subtensor's targets, and each validator's bonds on the servers (uids 3..)
 * within 1e-3 of the listed targets.
 */
function checkScenario(
  sim: SimSubnet,
  weightsAt: (epoch: number) => number[][],
  servers: number[],
  targetBonds: number[][][],
  targetDividends: number[][],
): void {
  for (let epoch = 0; epoch < targetDividends.length; epoch++) {
    weightsAt(epoch).forEach((w, v) => {
      sim.setWeights(v, servers, w);
    });
    sim.nextBlock();
    const r = sim.epoch();
    const dividends = r.dividends.map(p);
    targetDividends[epoch]!.forEach((t, uid) => {
      expect(Math.abs(dividends[uid]! - t), `epoch ${epoch} dividends[${uid}]`).toBeLessThanOrEqual(1e-3);
    });
    targetBonds[epoch]!.forEach((row, v) => {
      row.forEach((t, k) => {
        const b = p(sim.bonds[v]!.find(([j]) => j === servers[k])?.[1] ?? 0);
        expect(Math.abs(b - t), `epoch ${epoch} bonds[${v}][${servers[k]}]`).toBeLessThanOrEqual(1e-3);
      });
    });
  }
}

const MAX = 65535;
const HALF = 32767;
const to = (a: number[], b: number[], c: number[]) => [a, b, c];
const S1 = [MAX, 0];
const S2 = [0, MAX];

describe('runEpoch: Yuma 3 scenarios of tests/epoch.rs (liquid alpha on)', () => {
  it('test_yuma_3_kappa_moves_first: the big validator (0.8) moves to server 2 first', () => {
    checkScenario(
      yuma3Scenario([8, 1, 1, 0, 0]),
      (e) => [to(S1, S1, S1), to(S2, S1, S1), to(S2, S2, S1)][e] ?? to(S2, S2, S2),
      [3, 4],
      [
        [
          [0.1013, 0],
          [0.1013, 0],
          [0.1013, 0],
        ],
        [
          [0.0908, 0.1013],
          [0.3697, 0],
          [0.3697, 0],
        ],
        [
          [0.0815, 0.1924],
          [0.317, 0.1013],
          [0.558, 0],
        ],
        [
          [0.0731, 0.2742],
          [0.2765, 0.1924],
          [0.4306, 0.1013],
        ],
        [
          [0.0656, 0.3478],
          [0.2435, 0.2742],
          [0.3589, 0.1924],
        ],
        [
          [0.0588, 0.4139],
          [0.2157, 0.3478],
          [0.3089, 0.2742],
        ],
      ],
      [
        [0.8, 0.1, 0.1, 0, 0],
        [1, 0, 0, 0, 0],
        [0.9382, 0.0618, 0, 0, 0],
        [0.8819, 0.0773, 0.0407, 0, 0],
        [0.8564, 0.0844, 0.0592, 0, 0],
        [0.8418, 0.0884, 0.0697, 0, 0],
      ],
    );
  });

  it('test_yuma_3_kappa_moves_second: a small eager validator moves first, the big one second', () => {
    checkScenario(
      yuma3Scenario([8, 1, 1, 0, 0]),
      (e) => [to(S1, S1, S1), to(S1, S2, S1), to(S2, S2, S1)][e] ?? to(S2, S2, S2),
      [3, 4],
      [
        [
          [0.1013, 0],
          [0.1013, 0],
          [0.1013, 0],
        ],
        [
          [0.1924, 0],
          [0.0908, 0.2987],
          [0.1924, 0],
        ],
        [
          [0.1715, 0.1013],
          [0.0815, 0.3697],
          [0.4336, 0],
        ],
        [
          [0.1531, 0.1924],
          [0.0731, 0.4336],
          [0.3608, 0.1013],
        ],
        [
          [0.1369, 0.2742],
          [0.0656, 0.491],
          [0.3103, 0.1924],
        ],
        [
          [0.1225, 0.3478],
          [0.0588, 0.5426],
          [0.2712, 0.2742],
        ],
      ],
      [
        [0.8, 0.1, 0.1, 0, 0],
        [0.8446, 0.0498, 0.1056, 0, 0],
        [0.6868, 0.3132, 0, 0, 0],
        [0.7421, 0.209, 0.0489, 0, 0],
        [0.7625, 0.1706, 0.0669, 0, 0],
        [0.773, 0.1508, 0.0762, 0, 0],
      ],
    );
  });

  it('test_yuma_3_kappa_moves_last: both small validators move before the big one', () => {
    checkScenario(
      yuma3Scenario([8, 1, 1, 0, 0]),
      (e) => [to(S1, S1, S1), to(S1, S2, S1), to(S1, S2, S2)][e] ?? to(S2, S2, S2),
      [3, 4],
      [
        [
          [0.1013, 0],
          [0.1013, 0],
          [0.1013, 0],
        ],
        [
          [0.1924, 0],
          [0.0908, 0.2987],
          [0.1924, 0],
        ],
        [
          [0.2742, 0],
          [0.0815, 0.5081],
          [0.1715, 0.2987],
        ],
        [
          [0.2416, 0.1013],
          [0.0731, 0.558],
          [0.1531, 0.3697],
        ],
        [
          [0.2141, 0.1924],
          [0.0656, 0.6028],
          [0.1369, 0.4336],
        ],
        [
          [0.1903, 0.2742],
          [0.0588, 0.643],
          [0.1225, 0.491],
        ],
      ],
      [
        [0.8, 0.1, 0.1, 0, 0],
        [0.8446, 0.0498, 0.1056, 0, 0],
        [0.8966, 0.0333, 0.0701, 0, 0],
        [0.4663, 0.321, 0.2127, 0, 0],
        [0.5976, 0.234, 0.1683, 0, 0],
        [0.6592, 0.1932, 0.1475, 0, 0],
      ],
    );
  });

  it('test_yuma_3_one_epoch_switch: one validator of equal stake switches for one epoch', () => {
    checkScenario(
      yuma3Scenario([33, 33, 34, 0, 0]),
      (e) => (e === 2 ? to(S1, S1, S2) : to(S1, S1, S1)),
      [3, 4],
      [
        [
          [0.1013, 0],
          [0.1013, 0],
          [0.1013, 0],
        ],
        [
          [0.1924, 0],
          [0.1924, 0],
          [0.1924, 0],
        ],
        [
          [0.2742, 0],
          [0.2742, 0],
          [0.1715, 0.2987],
        ],
        [
          [0.3478, 0],
          [0.3478, 0],
          [0.2554, 0.2618],
        ],
        [
          [0.4139, 0],
          [0.4139, 0],
          [0.3309, 0.2312],
        ],
        [
          [0.4733, 0],
          [0.4733, 0],
          [0.3987, 0.2051],
        ],
      ],
      [
        [0.33, 0.33, 0.34, 0, 0],
        [0.33, 0.33, 0.34, 0, 0],
        [0.3782, 0.3782, 0.2436, 0, 0],
        [0.3628, 0.3628, 0.2745, 0, 0],
        [0.3541, 0.3541, 0.2917, 0, 0],
        [0.3487, 0.3487, 0.3026, 0, 0],
      ],
    );
  });

  it('test_yuma_3_stable_miner: a stable server keeps its bonds while another one is switched to', () => {
    const A = [HALF, 0, HALF];
    const B = [0, HALF, HALF];
    checkScenario(
      yuma3Scenario([8, 1, 1, 0, 0, 0]),
      (e) => [to(A, A, A), to(A, B, A), to(B, B, A)][e] ?? to(B, B, B),
      [3, 4, 5],
      [
        [
          [0.0507, 0, 0.0507],
          [0.0507, 0, 0.0507],
          [0.0507, 0, 0.0507],
        ],
        [
          [0.0962, 0, 0.0962],
          [0.0455, 0.1, 0.0962],
          [0.0962, 0, 0.0962],
        ],
        [
          [0.0863, 0.0507, 0.1371],
          [0.0408, 0.1405, 0.1371],
          [0.177, 0, 0.1371],
        ],
        [
          [0.0774, 0.0962, 0.1739],
          [0.0367, 0.177, 0.1739],
          [0.1579, 0.0507, 0.1739],
        ],
        [
          [0.0694, 0.1371, 0.2069],
          [0.0329, 0.2097, 0.2069],
          [0.1411, 0.0962, 0.2069],
        ],
        [
          [0.0623, 0.1739, 0.2366],
          [0.0296, 0.2391, 0.2366],
          [0.1263, 0.1371, 0.2366],
        ],
      ],
      [
        [0.8, 0.1, 0.1, 0, 0, 0],
        [0.8226, 0.0745, 0.1028, 0, 0, 0],
        [0.775, 0.1685, 0.0565, 0, 0, 0],
        [0.7864, 0.1372, 0.0764, 0, 0, 0],
        [0.7912, 0.1241, 0.0847, 0, 0, 0],
        [0.7937, 0.1173, 0.089, 0, 0, 0],
      ],
    );
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
