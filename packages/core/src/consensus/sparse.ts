/**
 * Sparse matrices of I32F32 bits for the epoch, in compressed-row form (typed arrays, no per-entry
 * objects): row i holds the entries `ptr[i] .. ptr[i + 1] − 1` of `col`/`val`. The helpers mirror the
 * sparse routines of subtensor's `epoch/math.rs` (column normalisation, EMA, interpolation), with the same
 * fixed-point rounding (`mul`/`div` of ./fixed.ts).
 */
import { div, mul } from './fixed.js';
import type { SparseU16Row } from './types.js';

export interface Csr {
  /** Number of rows. */
  rows: number;
  /** Row starts, length rows + 1. */
  ptr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/** Builds a matrix row by row; `push` then `endRow` for each row in order. */
export class CsrBuilder {
  private ptr: Int32Array;
  private col: Int32Array;
  private val: Float64Array;
  private row = 0;
  private nnz = 0;

  constructor(
    private readonly rows: number,
    capacity: number,
  ) {
    this.ptr = new Int32Array(rows + 1);
    this.col = new Int32Array(Math.max(1, capacity));
    this.val = new Float64Array(Math.max(1, capacity));
  }

  push(j: number, v: number): void {
    if (this.nnz === this.col.length) {
      const c = new Int32Array(this.col.length * 2);
      c.set(this.col);
      this.col = c;
      const v2 = new Float64Array(this.val.length * 2);
      v2.set(this.val);
      this.val = v2;
    }
    this.col[this.nnz] = j;
    this.val[this.nnz++] = v;
  }

  endRow(): void {
    this.ptr[++this.row] = this.nnz;
  }

  build(): Csr {
    while (this.row < this.rows) this.endRow();
    return { rows: this.rows, ptr: this.ptr, col: this.col, val: this.val };
  }
}

/**
 * Reads stored (uid, u16) rows into a matrix, converting values by `conv` and keeping entries for which
 * `keep(i, j)` holds; columns ≥ n are dropped (subtensor ignores them), order is kept as stored.
 */
export function readCsr(
  rows: readonly (SparseU16Row | undefined)[],
  n: number,
  conv: (x: number) => number,
  keepRow: (i: number) => boolean,
  keep: (i: number, j: number) => boolean,
): Csr {
  let cap = 0;
  for (let i = 0; i < n; i++) cap += rows[i]?.length ?? 0;
  const b = new CsrBuilder(n, cap);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r && keepRow(i))
      for (let q = 0; q < r.length; q++) {
        const e = r[q]!;
        const j = e[0];
        if (j < n && keep(i, j)) b.push(j, conv(e[1]));
      }
    b.endRow();
  }
  return b.build();
}

export function copyCsr(m: Csr): Csr {
  const nnz = m.ptr[m.rows]!;
  return { rows: m.rows, ptr: m.ptr.slice(), col: m.col.slice(0, nnz), val: m.val.slice(0, nnz) };
}

/** Σ of each row (exact: integer bits below 2^53). */
export function rowSums(m: Csr): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let k = m.ptr[i]!; k < m.ptr[i + 1]!; k++) s += m.val[k]!;
    out[i] = s;
  }
  return out;
}

/** inplace_row_normalize_sparse. */
export function rowNormalize(m: Csr): void {
  const sums = rowSums(m);
  for (let i = 0; i < m.rows; i++) {
    const s = sums[i]!;
    if (s > 0) for (let k = m.ptr[i]!; k < m.ptr[i + 1]!; k++) m.val[k] = div(m.val[k]!, s);
  }
}

/** inplace_col_normalize_sparse: each column divided by its sum (zero columns unchanged). */
export function colNormalize(m: Csr, n: number): void {
  const cs = new Float64Array(n);
  const nnz = m.ptr[m.rows]!;
  for (let k = 0; k < nnz; k++) cs[m.col[k]!] = cs[m.col[k]!]! + m.val[k]!;
  for (let k = 0; k < nnz; k++) {
    const d = cs[m.col[k]!]!;
    if (d !== 0) m.val[k] = div(m.val[k]!, d);
  }
}

/** inplace_col_max_upscale_sparse: each column divided by its maximum. */
export function colMaxUpscale(m: Csr, n: number): void {
  const mx = new Float64Array(n);
  const nnz = m.ptr[m.rows]!;
  for (let k = 0; k < nnz; k++) if (mx[m.col[k]!]! < m.val[k]!) mx[m.col[k]!] = m.val[k]!;
  for (let k = 0; k < nnz; k++) {
    const d = mx[m.col[k]!]!;
    if (d !== 0) m.val[k] = div(m.val[k]!, d);
  }
}

/** Each entry multiplied by its row's factor (row_hadamard_sparse). */
export function scaleRows(m: Csr, factor: ArrayLike<number>): Csr {
  const o = copyCsr(m);
  for (let i = 0; i < m.rows; i++)
    for (let k = o.ptr[i]!; k < o.ptr[i + 1]!; k++) o.val[k] = mul(o.val[k]!, factor[i]!);
  return o;
}

/** Σ_i x_i · M_ij per column j (matmul_sparse of a row vector). */
export function vecMatmul(x: ArrayLike<number>, m: Csr, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < m.rows; i++) {
    const s = x[i]!;
    for (let k = m.ptr[i]!; k < m.ptr[i + 1]!; k++) out[m.col[k]!] = out[m.col[k]!]! + mul(s, m.val[k]!);
  }
  return out;
}

/** Σ_j M_ij · x_j per row i (matmul_transpose_sparse). */
export function matVecmul(m: Csr, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let acc = 0;
    for (let k = m.ptr[i]!; k < m.ptr[i + 1]!; k++) acc += mul(m.val[k]!, x[m.col[k]!]!);
    out[i] = acc;
  }
  return out;
}

/**
 * Row-wise merge of two matrices through a dense accumulator: `f(a_ij, b_ij)` for every column present in
 * either row (0 for a missing side), keeping positive results, columns ascending (as subtensor's
 * densify-then-sparsify routines emit them).
 */
export function mergeRows(a: Csr, b: Csr, n: number, f: (x: number, y: number) => number): Csr {
  const accA = new Float64Array(n);
  const accB = new Float64Array(n);
  const seen = new Uint8Array(n);
  const touched = new Int32Array(n);
  const out = new CsrBuilder(a.rows, a.ptr[a.rows]! + b.ptr[b.rows]!);
  for (let i = 0; i < a.rows; i++) {
    let t = 0;
    let sorted = true;
    let last = -1;
    const mark = (j: number) => {
      if (seen[j]) return;
      seen[j] = 1;
      if (j < last) sorted = false;
      last = j;
      touched[t++] = j;
    };
    for (let k = a.ptr[i]!; k < a.ptr[i + 1]!; k++) {
      accA[a.col[k]!] = a.val[k]!;
      mark(a.col[k]!);
    }
    if (i < b.rows)
      for (let k = b.ptr[i]!; k < b.ptr[i + 1]!; k++) {
        accB[b.col[k]!] = b.val[k]!;
        mark(b.col[k]!);
      }
    const cols = touched.subarray(0, t);
    if (!sorted) cols.sort();
    for (let q = 0; q < t; q++) {
      const j = cols[q]!;
      const v = f(accA[j]!, accB[j]!);
      if (v > 0) out.push(j, v);
      accA[j] = 0;
      accB[j] = 0;
      seen[j] = 0;
    }
    out.endRow();
  }
  return out.build();
}

/** The matrix as (uid, value) rows, values mapped by `f`. */
export function toRows<T>(
  m: Csr,
  f: (v: number) => T,
  keepRow?: (i: number) => boolean,
): Array<Array<[number, T]>> {
  const out: Array<Array<[number, T]>> = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    const row: Array<[number, T]> = [];
    if (!keepRow || keepRow(i))
      for (let k = m.ptr[i]!; k < m.ptr[i + 1]!; k++) row.push([m.col[k]!, f(m.val[k]!)]);
    out[i] = row;
  }
  return out;
}
