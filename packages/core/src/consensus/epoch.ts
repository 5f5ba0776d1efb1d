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
import {
  type Csr,
  CsrBuilder,
  colMaxUpscale,
  colNormalize,
  copyCsr,
  matVecmul,
  mergeRows,
  readCsr,
  rowNormalize,
  rowSums,
  scaleRows,
  toRows,
  vecMatmul,
} from './sparse.js';
import type { EpochInput, EpochResult, EpochTrace, SparseRow } from './types.js';

/**
 * Scratch buffers for the column medians: validators' scores column-major (column j of the R rows with
 * stake at `j·R`), and three index buffers the partition search rotates through.
 */
interface MedianScratch {
  part: Int32Array;
  lower: Int32Array;
  upper: Int32Array;
}

/**
 * Stake-weighted κ-quantile of one column by subtensor's deterministic mid-pivot partition search
 * (`weighted_median`); the partitions keep the validators' order, as subtensor's do.
 */
function weightedMedian(
  stake: Float64Array,
  score: Float64Array,
  off: number,
  minority: number,
  total: number,
  s: MedianScratch,
): number {
  const R = stake.length;
  let { part, lower, upper } = s;
  for (let k = 0; k < R; k++) part[k] = k;
  let len = R;
  let lo = 0;
  let hi = total;
  for (let it = 0; it <= R; it++) {
    if (len === 0) return 0;
    if (len === 1) return score[off + part[0]!]!;
    const pivot = score[off + part[len >> 1]!]!;
    let loStake = 0;
    let hiStake = 0;
    let nl = 0;
    let nu = 0;
    for (let q = 0; q < len; q++) {
      const idx = part[q]!;
      const v = score[off + idx]!;
      if (v === pivot) continue;
      if (v < pivot) {
        loStake += stake[idx]!;
        lower[nl++] = idx;
      } else {
        hiStake += stake[idx]!;
        upper[nu++] = idx;
      }
    }
    if (minority < lo + loStake && nl > 0) {
      [part, lower] = [lower, part];
      len = nl;
      hi = lo + loStake;
    } else if (hi - hiStake <= minority && nu > 0) {
      [part, upper] = [upper, part];
      len = nu;
      lo = hi - hiStake;
    } else return pivot;
  }
  return 0;
}

/** `weighted_median_col_sparse`: consensus per column over validators with positive active stake. */
function consensusOf(activeStake: Float64Array, w: Csr, n: number, kappa: number): Float64Array {
  const rows: number[] = [];
  for (let i = 0; i < activeStake.length; i++) if (activeStake[i]! > 0) rows.push(i);
  const R = rows.length;
  const out = new Float64Array(n);
  if (R === 0) return out;
  const use = normalize(Float64Array.from(rows, (i) => activeStake[i]!));
  const total = sum(use);
  const minority = total - kappa;
  const cols = new Float64Array(n * R);
  for (let k = 0; k < R; k++) {
    const i = rows[k]!;
    for (let q = w.ptr[i]!; q < w.ptr[i + 1]!; q++) cols[w.col[q]! * R + k] = w.val[q]!;
  }
  const scratch = { part: new Int32Array(R), lower: new Int32Array(R), upper: new Int32Array(R) };
  for (let j = 0; j < n; j++) out[j] = weightedMedian(use, cols, j * R, minority, total, scratch);
  return out;
}

/** `alpha_sigmoid`: liquid alpha of one (validator, uid) pair. */
function alphaSigmoid(
  c: number,
  w: number,
  b: number,
  low: number,
  high: number,
  steep: number,
  exp: (x: number) => number,
): number {
  const clamp = (x: number, a: number, z: number) => Math.max(a, Math.min(z, x));
  const diffBuy = clamp(w - c, 0, ONE);
  const diffSell = clamp(b - w, 0, ONE);
  const d = w >= b ? diffBuy : diffSell;
  const e = exp(mul(div(steep, fromInt(-100)), d - ONE / 2));
  const sigmoid = div(ONE, ONE + e);
  return clamp(low + mul(sigmoid, high - low), low, high);
}

/** `mat_ema_alpha_sparse` with the liquid alphas of `compute_liquid_alpha_values_sparse`. */
function emaLiquid(
  next: Csr,
  old: Csr,
  consensus: Float64Array,
  low: number,
  high: number,
  steep: number,
): { bonds: Csr; alphas: Csr } {
  const n = consensus.length;
  const bonds = new CsrBuilder(next.rows, next.ptr[next.rows]!);
  const alphas = new CsrBuilder(next.rows, next.ptr[next.rows]!);
  const wDense = new Float64Array(n);
  const bDense = new Float64Array(n);
  // exp_safe is pure; many (weight, bond, consensus) triples share its argument.
  const memo = new Map<number, number>();
  const exp = (x: number) => {
    let v = memo.get(x);
    if (v === undefined) {
      v = expSafe(x);
      memo.set(x, v);
    }
    return v;
  };
  for (let i = 0; i < next.rows; i++) {
    const [r0, r1] = [next.ptr[i]!, next.ptr[i + 1]!];
    const [o0, o1] = [old.ptr[i]!, old.ptr[i + 1]!];
    for (let k = r0; k < r1; k++) wDense[next.col[k]!] = next.val[k]!;
    for (let k = o0; k < o1; k++) bDense[old.col[k]!] = old.val[k]!;
    for (let k = r0; k < r1; k++) {
      const j = next.col[k]!;
      const a = alphaSigmoid(consensus[j]!, wDense[j]!, bDense[j]!, low, high, steep, exp);
      const decayed = mul(ONE - a, bDense[j]!);
      const inc = Math.max(0, mul(a, next.val[k]!));
      const val = Math.min(ONE, decayed + inc);
      alphas.push(j, a);
      if (val > 0) bonds.push(j, val);
    }
    for (let k = r0; k < r1; k++) wDense[next.col[k]!] = 0;
    for (let k = o0; k < o1; k++) bDense[old.col[k]!] = 0;
    bonds.endRow();
    alphas.endRow();
  }
  return { bonds: bonds.build(), alphas: alphas.build() };
}

/** vec_max_upscale_to_u16 (legacy PruningScores). */
function maxUpscaleToU16(x: Float64Array): number[] {
  const u16max = fromInt(65535);
  let m = 0;
  for (const v of x) if (v > m) m = v;
  if (m === 0) return Array.from(x, (e) => toU16(mul(e, u16max)));
  if (m > fromInt(32768)) {
    const f = div(u16max, m);
    return Array.from(x, (e) => toU16(round(mul(e, f))));
  }
  return Array.from(x, (e) => toU16(round(div(mul(e, u16max), m))));
}

const floats = (x: ArrayLike<number>) => Array.from(x, toFloat);
const floatRows = (m: Csr): SparseRow[] => toRows(m, toFloat);

/** Pads (or cuts) a per-uid vector to n entries. */
export function pad<T>(x: readonly T[], n: number, fill: T): T[] {
  const out = x.slice(0, n);
  while (out.length < n) out.push(fill);
  return out;
}

/**
 * The trace's fields as memoised enumerable getters: building every sparse row as (uid, float) pairs
 * costs more than the epoch itself, and only explanations read them.
 */
function lazyTrace(fields: { [K in keyof EpochTrace]: () => EpochTrace[K] }): EpochTrace {
  const trace = {} as EpochTrace;
  for (const key of Object.keys(fields) as (keyof EpochTrace)[]) {
    let done = false;
    let value: unknown;
    Object.defineProperty(trace, key, {
      enumerable: true,
      get: () => {
        if (!done) {
          value = fields[key]();
          done = true;
        }
        return value;
      },
    });
  }
  return trace;
}

/** Why the epoch drops a stored weight of validator i on uid j (a row without a permit is dropped whole). */
export type WeightMaskReason = 'self_weight' | 'outdated' | 'commit_reveal';

/**
 * The epoch's entry mask over the weights (subtensor's `mask_diag_sparse_except`, `mask_rows_sparse` on
 * `LastUpdate <= BlockAtRegistration`, and the commit-reveal mask): null keeps the weight.
 */
export function weightMask(
  lastUpdate: readonly number[],
  registered: readonly number[],
  owner: number | null,
  commitBlocks: readonly (number | null)[] | undefined,
): (i: number, j: number) => WeightMaskReason | null {
  return (i, j) => {
    if (i === j && i !== owner) return 'self_weight';
    if (lastUpdate[i]! <= registered[j]!) return 'outdated';
    const cb = commitBlocks?.[i];
    return cb !== undefined && cb !== null && cb < registered[j]! ? 'commit_reveal' : null;
  };
}

/**
 * Next epoch's validator permits: every staked uid, less the n − k lowest by stake when n ≥ k (a stable
 * sort by stake ascending, as subtensor's `is_topk` with `sort_by_key`); the subnet owner always keeps one.
 */
function topKPermits(stake: Float64Array, n: number, k: number, owner: number | null): boolean[] {
  const permit = Array.from(stake, (s) => s !== 0);
  if (n >= k) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => stake[a]! - stake[b]!);
    for (let q = 0; q < n - k; q++) permit[order[q]!] = false;
  }
  if (owner !== null && owner < n) permit[owner] = true;
  return permit;
}

/** Each weight clipped to its column's consensus (`weights.min(consensus)`; zeros dropped). */
function clipToConsensus(weights: Csr, consensus: ArrayLike<number>, n: number): Csr {
  const builder = new CsrBuilder(n, weights.ptr[n]!);
  for (let i = 0; i < n; i++) {
    for (let k = weights.ptr[i]!; k < weights.ptr[i + 1]!; k++) {
      const j = weights.col[k]!;
      const th = consensus[j]!;
      const v = weights.val[k]!;
      if (th < v) {
        if (th > 0) builder.push(j, th);
      } else builder.push(j, v);
    }
    builder.endRow();
  }
  return builder.build();
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
  const stake = Float64Array.from(normalizeStake(rawStake));

  // Permits: this epoch uses the stored ones; the next one gets the top-k by stake.
  const permit = pad(input.validatorPermit, n, false);
  if (owner !== null && owner < n) permit[owner] = true;
  const newPermit = topKPermits(stake, n, hp.maxAllowedValidators, owner);

  // Active stake.
  const activeStake = normalize(Float64Array.from(stake, (s, i) => (active[i] && permit[i] ? s : 0)));

  // Weights: permit rows, diagonal (owner keeps its self-weight), outdated, commit-reveal, row-normalise.
  const masked = weightMask(lastUpdate, registered, owner, input.commitBlocks);
  const weights = readCsr(
    input.weights,
    n,
    fromInt,
    (i) => permit[i]!,
    (i, j) => masked(i, j) === null,
  );
  rowNormalize(weights);

  // Consensus, clipping, validator trust.
  const kappa = div(fromInt(hp.kappa), fromInt(65535));
  const consensus = consensusOf(activeStake, weights, n, kappa);
  const clipped = clipToConsensus(weights, consensus, n);
  const validatorTrust = rowSums(clipped);

  // Ranks (before and after clipping), trust, incentive.
  const preranks = vecMatmul(activeStake, weights, n);
  const ranks = vecMatmul(activeStake, clipped, n);
  const trust = ranks.map((r, j) => div(r, preranks[j]!));
  const incentive = normalize(ranks.slice());

  // Bonds and dividends.
  const bondsPenalty = div(fromInt(hp.bondsPenalty), fromInt(65535));
  const weightsForBonds =
    bondsPenalty === 0
      ? copyCsr(weights)
      : bondsPenalty === ONE
        ? copyCsr(clipped)
        : mergeRows(weights, clipped, n, (w, c) => w + mul(bondsPenalty, c - w));
  const lastTempo =
    input.lastStepBlock === 0 ? Math.max(0, currentBlock - hp.tempo) : input.lastStepBlock + 1;
  const bma = Number((BigInt(hp.bondsMovingAverage) << 32n) / 1_000_000n);
  const alpha = ONE - bma;
  const oneMinusAlpha = ONE - alpha;
  const ema = (next: Csr, old: Csr) =>
    mergeRows(next, old, n, (x, y) => mul(alpha, x) + mul(oneMinusAlpha, y));
  const bondMask = (_i: number, j: number) => !(lastTempo <= registered[j]!);
  const everyRow = () => true;
  let previousBonds: Csr;
  let bonds: Csr;
  let liquid: Csr | null = null;
  let dividends: Float64Array;
  if (hp.yuma3) {
    previousBonds = readCsr(input.bonds, n, u16Proportion, everyRow, bondMask);
    if (hp.liquidAlpha && consensus.some((c) => c !== 0)) {
      const r = emaLiquid(
        weightsForBonds,
        previousBonds,
        consensus,
        u16Proportion(hp.alphaValues[0]),
        u16Proportion(hp.alphaValues[1]),
        fromInt(hp.alphaSigmoidSteepness),
      );
      bonds = r.bonds;
      liquid = r.alphas;
    } else bonds = ema(weightsForBonds, previousBonds);
    const norm = copyCsr(bonds);
    colNormalize(norm, n);
    dividends = normalize(matVecmul(norm, incentive).map((b, i) => mul(b, activeStake[i]!)));
  } else {
    previousBonds = readCsr(input.bonds, n, fromInt, everyRow, bondMask);
    colNormalize(previousBonds, n);
    const delta = scaleRows(weightsForBonds, activeStake);
    colNormalize(delta, n);
    bonds = ema(delta, previousBonds);
    colNormalize(bonds, n);
    dividends = normalize(matVecmul(bonds, incentive));
  }
  // Yuma 2 stores bonds column max-upscaled; the trace shows them column-normalised.
  const stored = hp.yuma3 ? bonds : copyCsr(bonds);
  if (!hp.yuma3) colMaxUpscale(stored, n);

  // Emission shares.
  const combined = incentive.map((x, i) => x + dividends[i]!);
  const emissionSum = sum(combined);
  let serverShare = emissionSum === 0 ? incentive.slice() : incentive.map((x) => div(x, emissionSum));
  let validatorShare = emissionSum === 0 ? dividends.slice() : dividends.map((x) => div(x, emissionSum));
  let combinedShare = normalize(combined.slice());
  if (emissionSum === 0) {
    const base = sum(activeStake) === 0 ? stake : activeStake;
    validatorShare = base.slice();
    combinedShare = base.slice();
    serverShare = serverShare.slice();
  }
  const E = input.emission;
  const u16s = (x: Float64Array) => Array.from(x, proportionToU16);
  const amounts = (x: Float64Array) => Array.from(x, (k) => scaleAmount(k, E));

  return {
    active,
    stakeWeight: u16s(stake),
    validatorPermit: newPermit,
    consensus: u16s(consensus),
    incentive: u16s(incentive),
    dividends: u16s(dividends),
    validatorTrust: u16s(validatorTrust),
    rank: u16s(incentive),
    trust: u16s(trust),
    pruningScores: maxUpscaleToU16(combinedShare),
    emission: amounts(combinedShare),
    serverEmission: amounts(serverShare),
    validatorEmission: amounts(validatorShare),
    bonds: toRows(stored, proportionToU16, (i) => newPermit[i]!),
    trace: lazyTrace({
      stake: () => floats(stake),
      activeStake: () => floats(activeStake),
      active: () => active,
      validatorPermit: () => permit,
      weights: () => floatRows(weights),
      clippedWeights: () => floatRows(clipped),
      weightsForBonds: () => floatRows(weightsForBonds),
      consensus: () => floats(consensus),
      preranks: () => floats(preranks),
      ranks: () => floats(ranks),
      trust: () => floats(trust),
      incentive: () => floats(incentive),
      validatorTrust: () => floats(validatorTrust),
      previousBonds: () => floatRows(previousBonds),
      bonds: () => floatRows(bonds),
      liquidAlphas: () => (liquid ? floatRows(liquid) : null),
      alpha: () => toFloat(alpha),
      dividends: () => floats(dividends),
      serverShare: () => floats(serverShare),
      validatorShare: () => floats(validatorShare),
      combinedShare: () => floats(combinedShare),
      kappa: () => toFloat(kappa),
      bondsPenalty: () => toFloat(bondsPenalty),
    }),
  };
}
