/**
 * Yuma consensus: subtensor's epoch (`epoch_mechanism` in pallets/subtensor/src/epoch/run_epoch.rs) in
 * I32F32 fixed point, step for step, so the u16/u64 outputs equal what subtensor stores.
 */
import {
  div,
  expSafe,
  fromInt,
  mul,
  normalize,
  normalizeStake,
  ONE,
  proportionToU16,
  round,
  scaleAmount,
  sum,
  toFloat,
  toU16,
  u16Proportion,
} from './fixed.js';
import type { EpochInput, EpochResult, SparseRow, SparseU16Row } from './types.js';

/** A sparse row of I32F32 bits: parallel column and value arrays, columns ascending or as stored. */
interface Row {
  j: number[];
  v: number[];
}

const emptyRow = (): Row => ({ j: [], v: [] });

function readRows(
  rows: readonly (SparseU16Row | undefined)[],
  n: number,
  conv: (x: number) => number,
): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const row = emptyRow();
    if (r)
      for (const [j, x] of r) {
        if (j >= n) continue;
        row.j.push(j);
        row.v.push(conv(x));
      }
    out.push(row);
  }
  return out;
}

function mapRows(m: Row[], keep: (i: number, j: number, v: number) => boolean): Row[] {
  return m.map((r, i) => {
    const o = emptyRow();
    for (let k = 0; k < r.j.length; k++)
      if (keep(i, r.j[k]!, r.v[k]!)) {
        o.j.push(r.j[k]!);
        o.v.push(r.v[k]!);
      }
    return o;
  });
}

function rowSum(r: Row): number {
  return sum(r.v);
}

function colNormalize(m: Row[], n: number): void {
  const cs = new Array<number>(n).fill(0);
  for (const r of m) for (let k = 0; k < r.j.length; k++) cs[r.j[k]!]! += r.v[k]!;
  for (const r of m)
    for (let k = 0; k < r.j.length; k++) {
      const d = cs[r.j[k]!]!;
      if (d !== 0) r.v[k] = div(r.v[k]!, d);
    }
}

function colMaxUpscale(m: Row[], n: number): void {
  const mx = new Array<number>(n).fill(0);
  for (const r of m) for (let k = 0; k < r.j.length; k++) if (mx[r.j[k]!]! < r.v[k]!) mx[r.j[k]!] = r.v[k]!;
  for (const r of m)
    for (let k = 0; k < r.j.length; k++) {
      const d = mx[r.j[k]!]!;
      if (d !== 0) r.v[k] = div(r.v[k]!, d);
    }
}

/** Stake-weighted κ-quantile by subtensor's deterministic mid-pivot partition search (`weighted_median`). */
function weightedMedian(stake: number[], score: number[], minority: number, total: number): number {
  let part: number[] = stake.map((_, i) => i);
  let lo = 0;
  let hi = total;
  const limit = part.length;
  for (let it = 0; it <= limit; it++) {
    const n = part.length;
    if (n === 0) return 0;
    if (n === 1) return score[part[0]!]!;
    const pivot = score[part[Math.floor(n / 2)]!]!;
    let loStake = 0;
    let hiStake = 0;
    const lower: number[] = [];
    const upper: number[] = [];
    for (const idx of part) {
      const s = score[idx]!;
      if (s === pivot) continue;
      if (s < pivot) {
        loStake += stake[idx]!;
        lower.push(idx);
      } else {
        hiStake += stake[idx]!;
        upper.push(idx);
      }
    }
    if (minority < lo + loStake && lower.length > 0) {
      part = lower;
      hi = lo + loStake;
    } else if (hi - hiStake <= minority && upper.length > 0) {
      part = upper;
      lo = hi - hiStake;
    } else return pivot;
  }
  return 0;
}

/** `weighted_median_col_sparse`: consensus per column over validators with positive active stake. */
function consensusOf(activeStake: number[], w: Row[], n: number, kappa: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < activeStake.length; i++) if (activeStake[i]! > 0) rows.push(i);
  const use = normalize(rows.map((i) => activeStake[i]!));
  const total = sum(use);
  const minority = total - kappa;
  const cols: number[][] = Array.from({ length: n }, () => new Array<number>(rows.length).fill(0));
  rows.forEach((i, k) => {
    const r = w[i]!;
    for (let q = 0; q < r.j.length; q++) cols[r.j[q]!]![k] = r.v[q]!;
  });
  if (rows.length === 0) return new Array<number>(n).fill(0);
  return cols.map((c) => weightedMedian(use, c, minority, total));
}

/** Dense accumulation of a sparse row into ascending sparse output keeping entries > 0. */
function densePositive(acc: Float64Array, touched: number[]): Row {
  touched.sort((a, b) => a - b);
  const o = emptyRow();
  let prev = -1;
  for (const j of touched) {
    if (j === prev) continue;
    prev = j;
    const x = acc[j]!;
    if (x > 0) {
      o.j.push(j);
      o.v.push(x);
    }
    acc[j] = 0;
  }
  return o;
}

/** `mat_ema_sparse`: α·new + (1−α)·old per entry, positive entries kept, columns ascending. */
function emaSparse(next: Row[], old: Row[], alpha: number, n: number): Row[] {
  const oneMinus = ONE - alpha;
  const acc = new Float64Array(n);
  return next.map((r, i) => {
    const o = old[i] ?? emptyRow();
    if (r.j.length === 0 && o.j.length === 0) return emptyRow();
    const touched: number[] = [];
    for (let k = 0; k < r.j.length; k++) {
      acc[r.j[k]!] = acc[r.j[k]!]! + mul(alpha, r.v[k]!);
      touched.push(r.j[k]!);
    }
    for (let k = 0; k < o.j.length; k++) {
      acc[o.j[k]!] = acc[o.j[k]!]! + mul(oneMinus, o.v[k]!);
      touched.push(o.j[k]!);
    }
    return densePositive(acc, touched);
  });
}

/** `alpha_sigmoid`: liquid alpha of one (validator, uid) pair. */
function alphaSigmoid(c: number, w: number, b: number, low: number, high: number, steep: number): number {
  const clamp = (x: number, a: number, z: number) => Math.max(a, Math.min(z, x));
  const diffBuy = clamp(w - c, 0, ONE);
  const diffSell = clamp(b - w, 0, ONE);
  const d = w >= b ? diffBuy : diffSell;
  const e = expSafe(mul(div(steep, fromInt(-100)), d - ONE / 2));
  const sigmoid = div(ONE, ONE + e);
  return clamp(low + mul(sigmoid, high - low), low, high);
}

/** `mat_ema_alpha_sparse` with the liquid alphas of `compute_liquid_alpha_values_sparse`. */
function emaLiquid(
  next: Row[],
  old: Row[],
  consensus: number[],
  low: number,
  high: number,
  steep: number,
): { bonds: Row[]; alphas: Row[] } {
  const n = consensus.length;
  const bonds: Row[] = [];
  const alphas: Row[] = [];
  const wDense = new Float64Array(n);
  const bDense = new Float64Array(n);
  for (let i = 0; i < next.length; i++) {
    const r = next[i]!;
    const o = old[i] ?? emptyRow();
    for (let k = 0; k < r.j.length; k++) wDense[r.j[k]!] = r.v[k]!;
    for (let k = 0; k < o.j.length; k++) bDense[o.j[k]!] = o.v[k]!;
    const alphaAt = (j: number) => alphaSigmoid(consensus[j]!, wDense[j]!, bDense[j]!, low, high, steep);
    const out = emptyRow();
    const al = emptyRow();
    for (let k = 0; k < r.j.length; k++) {
      const j = r.j[k]!;
      const a = alphaAt(j);
      const decayed = mul(ONE - a, bDense[j]!);
      const inc = Math.max(0, mul(a, r.v[k]!));
      const val = Math.min(ONE, decayed + inc);
      al.j.push(j);
      al.v.push(a);
      if (val > 0) {
        out.j.push(j);
        out.v.push(val);
      }
    }
    for (let k = 0; k < r.j.length; k++) wDense[r.j[k]!] = 0;
    for (let k = 0; k < o.j.length; k++) bDense[o.j[k]!] = 0;
    bonds.push(out);
    alphas.push(al);
  }
  return { bonds, alphas };
}

/** `interpolate_sparse`: A + ratio·(B − A), positive entries kept, columns ascending. */
function interpolate(a: Row[], b: Row[], n: number, ratio: number): Row[] {
  if (ratio === 0) return a.map((r) => ({ j: [...r.j], v: [...r.v] }));
  if (ratio === ONE) return b.map((r) => ({ j: [...r.j], v: [...r.v] }));
  const r1 = new Float64Array(n);
  const r2 = new Float64Array(n);
  return a.map((ra, i) => {
    const rb = b[i]!;
    const touched: number[] = [];
    for (let k = 0; k < ra.j.length; k++) {
      r1[ra.j[k]!] = ra.v[k]!;
      touched.push(ra.j[k]!);
    }
    for (let k = 0; k < rb.j.length; k++) {
      r2[rb.j[k]!] = rb.v[k]!;
      touched.push(rb.j[k]!);
    }
    touched.sort((x, y) => x - y);
    const o = emptyRow();
    let prev = -1;
    for (const j of touched) {
      if (j === prev) continue;
      prev = j;
      const v = r1[j]! + mul(ratio, r2[j]! - r1[j]!);
      if (v > 0) {
        o.j.push(j);
        o.v.push(v);
      }
      r1[j] = 0;
      r2[j] = 0;
    }
    return o;
  });
}

/** vec_max_upscale_to_u16 (legacy PruningScores). */
function maxUpscaleToU16(x: number[]): number[] {
  const u16max = fromInt(65535);
  let m = 0;
  for (const v of x) if (v > m) m = v;
  if (x.length === 0) return [];
  if (m === 0) return x.map((e) => toU16(mul(e, u16max)));
  if (m > fromInt(32768)) return x.map((e) => toU16(round(mul(e, div(u16max, m)))));
  return x.map((e) => toU16(round(div(mul(e, u16max), m))));
}

const floats = (x: number[]) => x.map(toFloat);
const floatRows = (m: Row[]): SparseRow[] => m.map((r) => r.j.map((j, k) => [j, toFloat(r.v[k]!)]));

function pad<T>(x: readonly T[], n: number, fill: T): T[] {
  const out = x.slice(0, n);
  while (out.length < n) out.push(fill);
  return out;
}

/**
 * Runs one Yuma epoch over a subnet's state. Pure: the caller reads the inputs from storage and writes
 * the outputs back (see `EpochResult`). Matches subtensor's `epoch_mechanism`, including its fixed-point
 * rounding, so the u16 and u64 outputs are the values subtensor would store.
 */
export function runEpoch(input: EpochInput): EpochResult {
  const { n, currentBlock, hyperparameters: hp } = input;
  const lastUpdate = pad(input.lastUpdate, n, 0);
  const registered = pad(input.blockAtRegistration, n, 0);
  const owner = input.ownerUid ?? null;

  // Activity.
  const active = lastUpdate.map((u) => !(u + hp.activityCutoff < currentBlock));

  // Stake, with the stake threshold (owner exempt).
  const threshold = input.stakeThreshold ?? 0n;
  const rawStake = pad(input.stake, n, 0n).map((s, uid) => (uid !== owner && s < threshold ? 0n : s));
  const stake = normalizeStake(rawStake);

  // Permits: this epoch uses the stored ones; the next one gets the top-k by stake.
  const permit = pad(input.validatorPermit, n, false);
  if (owner !== null && owner < n) permit[owner] = true;
  const newPermit = stake.map((s) => s !== 0);
  if (n >= hp.maxAllowedValidators) {
    const order = stake.map((_, i) => i).sort((a, b) => stake[a]! - stake[b]!);
    for (const idx of order.slice(0, n - hp.maxAllowedValidators)) newPermit[idx] = false;
  }
  if (owner !== null && owner < n) newPermit[owner] = true;

  // Active stake.
  const activeStake = normalize(stake.map((s, i) => (active[i] && permit[i] ? s : 0)));

  // Weights: permit rows, diagonal (owner keeps its self-weight), outdated, commit-reveal, row-normalise.
  let weights = readRows(input.weights, n, fromInt);
  weights = mapRows(weights, (i, j) => {
    if (!permit[i]) return false;
    if (i === j && !(i === owner)) return false;
    if (lastUpdate[i]! <= registered[j]!) return false;
    const cb = input.commitBlocks?.[i];
    if (cb !== undefined && cb !== null && cb < registered[j]!) return false;
    return true;
  });
  for (const r of weights) {
    const s = rowSum(r);
    if (s > 0) for (let k = 0; k < r.v.length; k++) r.v[k] = div(r.v[k]!, s);
  }

  // Consensus, clipping, validator trust.
  const kappa = div(fromInt(hp.kappa), fromInt(65535));
  const consensus = consensusOf(activeStake, weights, n, kappa);
  const clipped = weights.map((r) => {
    const o = emptyRow();
    for (let k = 0; k < r.j.length; k++) {
      const j = r.j[k]!;
      const th = consensus[j]!;
      if (th < r.v[k]!) {
        if (th > 0) {
          o.j.push(j);
          o.v.push(th);
        }
      } else {
        o.j.push(j);
        o.v.push(r.v[k]!);
      }
    }
    return o;
  });
  const validatorTrust = clipped.map(rowSum);

  // Ranks (before and after clipping), trust, incentive.
  const matmul = (m: Row[]) => {
    const out = new Array<number>(n).fill(0);
    m.forEach((r, i) => {
      const s = activeStake[i]!;
      for (let k = 0; k < r.j.length; k++) out[r.j[k]!] = out[r.j[k]!]! + mul(s, r.v[k]!);
    });
    return out;
  };
  const preranks = matmul(weights);
  const ranks = matmul(clipped);
  const trust = ranks.map((r, j) => div(r, preranks[j]!));
  const incentive = normalize([...ranks]);

  // Bonds and dividends.
  const bondsPenalty = div(fromInt(hp.bondsPenalty), fromInt(65535));
  const weightsForBonds = interpolate(weights, clipped, n, bondsPenalty);
  const lastTempo =
    input.lastStepBlock === 0 ? Math.max(0, currentBlock - hp.tempo) : input.lastStepBlock + 1;
  const bma = Number((BigInt(hp.bondsMovingAverage) << 32n) / 1_000_000n);
  const alpha = ONE - bma;
  let previousBonds: Row[];
  let ema: Row[];
  let liquid: Row[] | null = null;
  let dividends: number[];
  if (hp.yuma3) {
    previousBonds = mapRows(
      readRows(input.bonds, n, u16Proportion),
      (_i, j) => !(lastTempo <= registered[j]!),
    );
    if (hp.liquidAlpha && consensus.some((c) => c !== 0)) {
      const low = u16Proportion(hp.alphaValues[0]);
      const high = u16Proportion(hp.alphaValues[1]);
      const r = emaLiquid(
        weightsForBonds,
        previousBonds,
        consensus,
        low,
        high,
        fromInt(hp.alphaSigmoidSteepness),
      );
      ema = r.bonds;
      liquid = r.alphas;
    } else ema = emaSparse(weightsForBonds, previousBonds, alpha, n);
    const norm = ema.map((r) => ({ j: [...r.j], v: [...r.v] }));
    colNormalize(norm, n);
    const perValidator = norm.map((r) => {
      let acc = 0;
      for (let k = 0; k < r.j.length; k++) acc += mul(r.v[k]!, incentive[r.j[k]!]!);
      return acc;
    });
    dividends = normalize(perValidator.map((b, i) => mul(b, activeStake[i]!)));
  } else {
    previousBonds = mapRows(readRows(input.bonds, n, fromInt), (_i, j) => !(lastTempo <= registered[j]!));
    colNormalize(previousBonds, n);
    const delta = weightsForBonds.map((r, i) => ({
      j: [...r.j],
      v: r.v.map((x) => mul(x, activeStake[i]!)),
    }));
    colNormalize(delta, n);
    ema = emaSparse(delta, previousBonds, alpha, n);
    colNormalize(ema, n);
    dividends = normalize(
      ema.map((r) => {
        let acc = 0;
        for (let k = 0; k < r.j.length; k++) acc += mul(incentive[r.j[k]!]!, r.v[k]!);
        return acc;
      }),
    );
  }
  const emaTrace = floatRows(ema);
  if (!hp.yuma3) colMaxUpscale(ema, n);

  // Emission shares.
  const combined = incentive.map((x, i) => x + dividends[i]!);
  const emissionSum = sum(combined);
  let serverShare = emissionSum === 0 ? [...incentive] : incentive.map((x) => div(x, emissionSum));
  let validatorShare = emissionSum === 0 ? [...dividends] : dividends.map((x) => div(x, emissionSum));
  let combinedShare = normalize([...combined]);
  if (emissionSum === 0) {
    const base = sum(activeStake) === 0 ? stake : activeStake;
    validatorShare = [...base];
    combinedShare = [...base];
    serverShare = [...serverShare];
  }
  const E = input.emission;

  return {
    active,
    stakeWeight: stake.map(proportionToU16),
    validatorPermit: newPermit,
    consensus: consensus.map(proportionToU16),
    incentive: incentive.map(proportionToU16),
    dividends: dividends.map(proportionToU16),
    validatorTrust: validatorTrust.map(proportionToU16),
    rank: incentive.map(proportionToU16),
    trust: trust.map(proportionToU16),
    pruningScores: maxUpscaleToU16(combinedShare),
    emission: combinedShare.map((x) => scaleAmount(x, E)),
    serverEmission: serverShare.map((x) => scaleAmount(x, E)),
    validatorEmission: validatorShare.map((x) => scaleAmount(x, E)),
    bonds: ema.map((r, i) =>
      newPermit[i] ? r.j.map((j, k) => [j, proportionToU16(r.v[k]!)] as [number, number]) : [],
    ),
    trace: {
      stake: floats(stake),
      activeStake: floats(activeStake),
      active,
      validatorPermit: permit,
      weights: floatRows(weights),
      clippedWeights: floatRows(clipped),
      weightsForBonds: floatRows(weightsForBonds),
      consensus: floats(consensus),
      preranks: floats(preranks),
      ranks: floats(ranks),
      trust: floats(trust),
      incentive: floats(incentive),
      validatorTrust: floats(validatorTrust),
      previousBonds: floatRows(previousBonds),
      bonds: emaTrace,
      liquidAlphas: liquid ? floatRows(liquid) : null,
      alpha: toFloat(alpha),
      dividends: floats(dividends),
      serverShare: floats(serverShare),
      validatorShare: floats(validatorShare),
      combinedShare: floats(combinedShare),
      kappa: toFloat(kappa),
      bondsPenalty: toFloat(bondsPenalty),
    },
  };
}
