import { isAdderOp } from './graph.js';
import type { NetworkBuilder, Value } from './net-builder.js';
import { bitLength, bitsFor } from './ranges.js';

/**
 * LUT-based distributed arithmetic: a matrix over narrow values computed partly by lookup
 * tables.
 *
 * The columns (the layer's distinct input variables) whose values fit in a few bits are packed
 * into groups of at most K address bits (K = the LUT's inputs: 4 on iCE40 and ECP5, 6 on
 * Xilinx parts). For each row and group, the partial sum Σ_{i∈group} w_i·x_i is a function of
 * at most K bits: a table (a ROM whose address is the group's bits side by side, a `cat`
 * node), one LUT per output bit and one logic level. A partial sum is written as g·T, with T
 * the table of the group's weights divided by their greatest common divisor g (sign included,
 * so that the first non-zero weight is positive): rows whose weights in a group are equal, or a
 * multiple or a negation of each other, share one table, and a group whose only non-zero
 * weight is one column needs no table (the column itself is the term). The tables and the
 * columns left as they are then form a new matrix (rows × terms, the coefficients g), which
 * goes through the usual CMVM optimizer: its shared sums and adder trees. Wider columns may
 * first be cut into slices (tableForm's `slice`): each slice a value of its own, its weights
 * shifted.
 *
 * The choice (cellsSince, cells as synth_ice40 counts them): a table costs one LUT per output
 * bit, an adder ADDER_CELLS_PER_BIT per result bit. Per layer (network.ts, matrixOn), `auto`
 * builds shift-add and every table form and keeps the cheapest, tables only when they save
 * AUTO_MARGIN; `table` keeps the cheapest table form whenever some group exists; `shift-add`
 * never builds them.
 */

/** How a matrix is computed: shifts and adds only, lookup tables for narrow inputs, or the cheaper of the two per layer. */
export type Arith = 'shift-add' | 'table' | 'auto';
export const ARITH_MODES: readonly Arith[] = ['auto', 'shift-add', 'table'];
/** auto: the form with fewer cells per layer (network.ts, matrixOn). */
export const DEFAULT_ARITH: Arith = 'auto';
/** Inputs of the target's LUT (iCE40 and ECP5: 4). */
export const DEFAULT_LUT_INPUTS = 4;
export const MAX_LUT_INPUTS = 8;

/** A column's field: the bits of its variable that a table reads (two's complement if signed). */
interface Field {
  v: number;
  width: number;
  signed: boolean;
  lo: bigint;
  hi: bigint;
}

/** The matrix rewritten over tables: new columns (variables), coefficients, and constant parts. */
export interface TableForm {
  /** The new matrix's columns: table outputs and the columns kept as they are. */
  cols: number[];
  M: bigint[][];
  /** Per row, a constant to add (tables whose every entry is the same). */
  offset: bigint[];
  /** Distinct tables built, and groups. */
  tables: number;
  groups: number;
}

function fieldOf(b: NetworkBuilder, v: number): Field {
  const { lo, hi } = b.range(v);
  const signed = lo < 0n;
  return { v, width: bitsFor(lo, hi, signed), signed, lo, hi };
}

/** Columns packed, in order, into groups of at most K bits; a column wider than K bits is in none. */
function groupsOf(fields: readonly Field[], K: number, least: number): number[][] {
  const groups: number[][] = [];
  let cur: number[] = [];
  let bits = 0;
  fields.forEach((f, c) => {
    if (f.width > K) return;
    if (bits + f.width > K) {
      groups.push(cur);
      cur = [];
      bits = 0;
    }
    cur.push(c);
    bits += f.width;
  });
  if (cur.length > 0) groups.push(cur);
  return groups.filter((g) => g.length >= least);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * The value of field `f` in a table address (its bits at `at`), clamped to the field's range:
 * addresses that no input can make still get an entry the inputs could give.
 */
function fieldValue(addr: bigint, at: number, f: Field): bigint {
  const bits = addr >> BigInt(at);
  const x = f.signed ? BigInt.asIntN(f.width, bits) : BigInt.asUintN(f.width, bits);
  return x < f.lo ? f.lo : x > f.hi ? f.hi : x;
}

/**
 * The columns cut into slices of `slice` bits (the lowest first; the top one signed when the
 * column is): column c is Σ_p slice_p · 2^(p·slice), so a slice is a column of its own with
 * the weights shifted. Slices of one position lie side by side (position 0 of every column,
 * then position 1, …), so that a group holds the same bits of neighbouring columns. Columns
 * no wider than `slice` stay whole.
 */
function sliced(b: NetworkBuilder, M: readonly (readonly bigint[])[], fields: readonly Field[], slice: number): { M: bigint[][]; fields: Field[] } {
  const parts: { c: number; p: number; f: Field }[] = [];
  fields.forEach((f, c) => {
    if (f.width <= slice) {
      parts.push({ c, p: 0, f });
      return;
    }
    const n = Math.ceil(f.width / slice);
    for (let p = 0; p < n; p++) {
      const top = p === n - 1;
      // the slice's bits as a value of their own (wiring: a shift and the low bits)
      const shifted = p === 0 ? f.v : b.nonLinear('shr', f.v, p * slice);
      const width = top ? f.width - p * slice : slice;
      const v = top ? shifted : b.nonLinear('fit', shifted, 0, { width, signed: false, overflow: 'wrap' });
      const r = b.range(v);
      const sf: Field = { v, width, signed: top && f.signed, lo: r.lo, hi: r.hi };
      parts.push({ c, p, f: sf });
    }
  });
  parts.sort((x, y) => x.p - y.p || x.c - y.c);
  return { M: M.map((row) => parts.map((q) => row[q.c]! << BigInt(q.p * slice))), fields: parts.map((q) => q.f) };
}

/**
 * M (rows × cols, over the variables `cols`) rewritten over tables of groups of at most K
 * address bits, the columns first cut into slices of `slice` bits when given; null when no
 * group forms.
 */
export function tableForm(b: NetworkBuilder, M0: readonly (readonly bigint[])[], cols0: readonly number[], K: number, slice: number | null = null): TableForm | null {
  const whole = cols0.map((v) => fieldOf(b, v));
  const { M, fields } = slice === null ? { M: M0, fields: whole } : sliced(b, M0, whole, slice);
  const cols = fields.map((f) => f.v);
  const groups = groupsOf(fields, K, slice === null ? 2 : 1);
  if (groups.length === 0) return null;
  const inGroup = new Array<boolean>(cols.length).fill(false);
  for (const g of groups) for (const c of g) inGroup[c] = true;
  const newCols: number[] = [];
  const colIndex = new Map<number, number>();
  const rows = M.length;
  const M2: bigint[][] = Array.from({ length: rows }, () => []);
  const offset = new Array<bigint>(rows).fill(0n);
  const column = (v: number): number => {
    let k = colIndex.get(v);
    if (k === undefined) {
      k = newCols.length;
      colIndex.set(v, k);
      newCols.push(v);
      for (const r of M2) r.push(0n);
    }
    return k;
  };
  const addTerm = (o: number, t: Value, coef: bigint): void => {
    if (t.v < 0) {
      offset[o]! += coef * t.c;
      return;
    }
    const k = column(t.v);
    M2[o]![k]! += coef << BigInt(t.shift);
    offset[o]! += coef * t.c;
  };
  // the columns in no group keep their coefficients
  for (let c = 0; c < cols.length; c++) {
    if (inGroup[c]) continue;
    for (let o = 0; o < rows; o++) if (M[o]![c] !== 0n) addTerm(o, { v: cols[c]!, shift: 0, c: 0n }, M[o]![c]!);
  }
  const tables = new Map<string, Value>();
  groups.forEach((g, gi) => {
    const gf = g.map((c) => fields[c]!);
    const ats: number[] = [];
    let at = 0;
    for (const f of gf) {
      ats.push(at);
      at += f.width;
    }
    let address = -1;
    for (let o = 0; o < rows; o++) {
      const w = g.map((c) => M[o]![c]!);
      const nz = w.filter((x) => x !== 0n);
      if (nz.length === 0) continue;
      let d = 0n;
      for (const x of nz) d = gcd(d, x < 0n ? -x : x);
      // a slice alone: its table is the multiple (the odd part), as a KCM's
      if (g.length === 1) d &= -d;
      const coef = nz[0]! < 0n ? -d : d;
      const canon = w.map((x) => x / coef);
      const j = w.findIndex((x) => x !== 0n);
      if (nz.length === 1 && canon[j] === 1n) {
        // one column, times a power of two: no table
        addTerm(o, { v: cols[g[j]!]!, shift: 0, c: 0n }, w[j]!);
        continue;
      }
      const key = `${gi}:${canon.join(',')}`;
      let t = tables.get(key);
      if (t === undefined) {
        if (address < 0) address = b.cat(gf.map((f) => f.v), gf.map((f) => f.width));
        t = b.table({ v: address, shift: 0, c: 0n }, (a) => gf.reduce((s, f, j) => s + canon[j]! * fieldValue(a, ats[j]!, f), 0n));
        tables.set(key, t);
      }
      addTerm(o, t, coef);
    }
  });
  return { cols: newCols, M: M2, offset, tables: tables.size, groups: groups.length };
}

/**
 * Cells (SB_LUT4 + SB_CARRY) per result bit of an adder, as synth_ice40 maps da-gen's adders:
 * one LUT and one carry per bit less what Yosys finds constant or shares. Fitted on
 * `npm run bench:synth -- --lut` (2026-12-03): the shift-add designs' measured cells over their
 * adder result bits were 1.33–1.72, 1.55 in the middle; a table's output bit is one LUT.
 */
export const ADDER_CELLS_PER_BIT = 1.55;
/** `auto` keeps tables only when the estimate saves at least this share of the cells (the estimate's spread). */
export const AUTO_MARGIN = 0.03;

/**
 * A lower bound on the cells of a CMVM over `cols` (each a variable with its range) that ends in
 * at most `outputs` distinct results (they may be columns themselves).
 *
 * Pick for every node (column or adder) that is not a result one adder that reads it: a forest
 * whose roots are the results, an adder with at most two children. An adder's range is at least
 * as large as each operand's (shifts only enlarge it), so it has at least log2(that size) bits,
 * as many as any column below it. Charge each adder with two children to the column that is the
 * narrowest below the child whose narrowest column is wider: every column is charged at most
 * once, and all but one per tree are. So the adders' bits are at least the sum of the
 * cols − outputs narrowest columns' bits, and there are at least cols − outputs adders. Used to
 * leave out a form that cannot win before its CMVM is searched.
 */
export function adderCellsAtLeast(b: NetworkBuilder, cols: readonly number[], outputs: number): { adders: number; cells: number } {
  const adders = Math.max(0, cols.length - outputs);
  const widths = cols
    .map((v) => {
      const r = b.range(v);
      return Math.max(1, bitLength(r.hi - r.lo));
    })
    .sort((x, y) => x - y);
  let bits = 0;
  for (let k = 0; k < adders; k++) bits += widths[k]!;
  return { adders, cells: Math.floor(ADDER_CELLS_PER_BIT * bits) };
}

/**
 * The cells (LUTs and carries, as on iCE40) of the nodes built since `mark`: ADDER_CELLS_PER_BIT
 * per result bit of an adder, one LUT per output bit of a table (its address fits one LUT).
 */
export function cellsSince(b: NetworkBuilder, mark: number): number {
  let cells = 0;
  for (let k = mark; k < b.nodes.length; k++) {
    const n = b.nodes[k]!;
    if (isAdderOp(n.op)) cells += ADDER_CELLS_PER_BIT * bitsFor(n.lo, n.hi);
    else if (n.op === 'table') cells += bitsFor(n.lo, n.hi);
  }
  return Math.round(cells);
}
