import type { AdderGraph, FitFormat, InputFormat, KernelDef, NetNode } from './graph.js';
import { fitValue, inputRange, isAdderOp, roundHalfEven } from './graph.js';
import { bitsFor } from './ranges.js';

/**
 * The builder of a network graph, and the values that flow between its layers.
 *
 * A value is affine in one variable: `(v << shift) + c`, or the constant `c` when v = −1.
 * Shifts and offsets cost nothing in hardware (wiring, and constants that join the next bias),
 * so they are carried along instead of built: a bipolar value ±1 is (b << 1) − 1 of its bit b.
 *
 * Ranges: the inputs and every non-linear node are "bases", each with an interval; every
 * linear node is a linear form over bases plus a constant, whose range is exact when its bases
 * vary independently (always true within the first layer) and a sound bound otherwise.
 */

/** `(v << shift) + c`, or the constant c when v = −1. */
export interface Value {
  v: number;
  shift: number;
  c: bigint;
}

export const constant = (c: bigint): Value => ({ v: -1, shift: 0, c });

/** Squares of values up to this many bits are a lookup table; wider ones are shift-and-add. */
export const SQUARE_ROM_MAX_BITS = 8;

/** Levels of logic a square takes: one table lookup, or a tree of partial products. */
export function squareLevels(width: number): number {
  return width <= SQUARE_ROM_MAX_BITS ? 1 : Math.ceil(Math.log2(width)) + 1;
}

interface Form {
  idx: number[];
  val: bigint[];
  c: bigint;
}

export class NetworkBuilder {
  readonly nodes: NetNode[] = [];
  /** Linear forms of linear variables (sorted base indices with coefficients, and a constant). */
  private readonly forms = new Map<number, Form>();
  private readonly lo: bigint[] = [];
  private readonly hi: bigint[] = [];
  private readonly levels: number[] = [];
  private readonly memo = new Map<string, number>();
  /** The kernels that inst nodes instantiate, and the node count when each was added. */
  readonly kernels: KernelDef[] = [];
  private readonly kernelAt: number[] = [];
  /** The adders of each instance (its kernel's that its zero inputs leave), with the node count it was built at. */
  private readonly instAdders: { at: number; adders: number }[] = [];

  constructor(
    readonly nIn: number,
    readonly input: InputFormat,
  ) {
    const r = inputRange(input);
    for (let i = 0; i < nIn; i++) {
      this.lo.push(r.lo);
      this.hi.push(r.hi);
      this.levels.push(0);
    }
  }

  range(v: number): { lo: bigint; hi: bigint } {
    return { lo: this.lo[v]!, hi: this.hi[v]! };
  }

  level(v: number): number {
    return this.levels[v]!;
  }

  /** A point to roll back to (the nodes built so far). */
  mark(): number {
    return this.nodes.length;
  }

  /** Forget every node built after `mark` (to try another way of building the same thing). */
  rollback(mark: number): void {
    const end = this.nIn + mark;
    this.nodes.length = mark;
    this.lo.length = end;
    this.hi.length = end;
    this.levels.length = end;
    for (const k of [...this.forms.keys()]) if (k >= end) this.forms.delete(k);
    for (const [k, v] of [...this.memo]) if (v >= end) this.memo.delete(k);
    while (this.kernelAt.length > 0 && this.kernelAt[this.kernelAt.length - 1]! >= mark) {
      this.kernelAt.pop();
      this.kernels.pop();
    }
    while (this.instAdders.length > 0 && this.instAdders[this.instAdders.length - 1]!.at >= mark) this.instAdders.pop();
  }

  /** Adders among the nodes built since `mark`, an instance's adders included. */
  addersSince(mark: number): number {
    let n = 0;
    for (let k = mark; k < this.nodes.length; k++) if (isAdderOp(this.nodes[k]!.op)) n++;
    for (const i of this.instAdders) if (i.at >= mark) n += i.adders;
    return n;
  }

  /** A kernel that instances can use; its index. */
  addKernel(k: KernelDef): number {
    this.kernels.push(k);
    this.kernelAt.push(this.nodes.length);
    return this.kernels.length - 1;
  }

  /**
   * One instance of a kernel over `args` (a variable per kernel input, −1 tied to zero): an
   * inst node per output asked for, at `level`. Each output's `coef` is the coefficient of each
   * input in that output's variable (the kernel's matrix row over its output shift), from which
   * its range follows exactly as an adder's would; an output whose value cannot vary is that
   * constant instead of a node. `adders` is what the instance costs.
   */
  instance(kernel: number, args: readonly number[], outs: readonly { out: number; coef: readonly bigint[] }[], level: number, adders: number): Value[] {
    const id = this.nIn + this.nodes.length;
    const at = this.nodes.length;
    const shared = [...args];
    // the inputs' forms, once; when each is a base of its own (an input, or after a step), an
    // output's form is its coefficients over the inputs in the order of their variables
    const forms = args.map((v) => (v < 0 ? null : this.forms.get(v) ?? null));
    const bases = forms.every((f) => f === null);
    const order = args.map((_, t) => t).filter((t) => args[t]! >= 0).sort((p, q) => args[p]! - args[q]! || p - q);
    const values = outs.map(({ out, coef }) => {
      let f: Form;
      if (bases) {
        const idx: number[] = [];
        const val: bigint[] = [];
        for (const t of order) {
          const k = coef[t]!;
          if (k === 0n) continue;
          const v = args[t]!;
          if (idx.length > 0 && idx[idx.length - 1] === v) val[val.length - 1]! += k;
          else {
            idx.push(v);
            val.push(k);
          }
        }
        // an input twice whose coefficients cancel
        const keep = val.map((k) => k !== 0n);
        f = keep.every(Boolean) ? { idx, val, c: 0n } : { idx: idx.filter((_, j) => keep[j]), val: val.filter((_, j) => keep[j]), c: 0n };
      } else {
        const sum = new Map<number, bigint>();
        let c = 0n;
        args.forEach((v, t) => {
          const k = coef[t]!;
          if (v < 0 || k === 0n) return;
          const fv = forms[t] ?? { idx: [v], val: [1n], c: 0n };
          c += k * fv.c;
          fv.idx.forEach((i, j) => sum.set(i, (sum.get(i) ?? 0n) + k * fv.val[j]!));
        });
        const idx = [...sum.keys()].filter((i) => sum.get(i) !== 0n).sort((p, q) => p - q);
        f = { idx, val: idx.map((i) => sum.get(i)!), c };
      }
      if (f.idx.length === 0) return constant(f.c);
      const { lo, hi } = this.rangeOf(f);
      return { v: this.push({ op: 'inst', kernel, instance: id, args: shared, out, level, lo, hi }, f), shift: 0, c: 0n };
    });
    // an instance none of whose outputs varies is not built
    if (this.nodes.length > at) this.instAdders.push({ at, adders });
    return values;
  }

  private form(v: number): Form {
    return this.forms.get(v) ?? { idx: [v], val: [1n], c: 0n };
  }

  /** The linear combination ka·(a form) + kb·(b form) + c. */
  private combine(a: number, ka: bigint, b: number, kb: bigint, c: bigint): Form {
    const fa = this.form(a);
    const fb = b >= 0 ? this.form(b) : { idx: [], val: [], c: 0n };
    const idx: number[] = [];
    const val: bigint[] = [];
    let p = 0;
    let q = 0;
    while (p < fa.idx.length || q < fb.idx.length) {
      const ia = p < fa.idx.length ? fa.idx[p]! : Infinity;
      const ib = q < fb.idx.length ? fb.idx[q]! : Infinity;
      let i: number;
      let x = 0n;
      if (ia <= ib) {
        i = ia;
        x += ka * fa.val[p++]!;
      } else i = ib;
      if (ib === i) x += kb * fb.val[q++]!;
      if (x !== 0n) {
        idx.push(i);
        val.push(x);
      }
    }
    return { idx, val, c: ka * fa.c + kb * fb.c + c };
  }

  private push(n: NetNode, form: Form | null): number {
    const v = this.nIn + this.nodes.length;
    this.nodes.push(n);
    this.lo.push(n.lo);
    this.hi.push(n.hi);
    this.levels.push(n.level);
    if (form !== null) this.forms.set(v, form);
    return v;
  }

  private rangeOf(f: Form): { lo: bigint; hi: bigint } {
    let lo = f.c;
    let hi = f.c;
    for (let k = 0; k < f.idx.length; k++) {
      const c = f.val[k]!;
      const b = f.idx[k]!;
      if (c > 0n) {
        lo += c * this.lo[b]!;
        hi += c * this.hi[b]!;
      } else {
        lo += c * this.hi[b]!;
        hi += c * this.lo[b]!;
      }
    }
    return { lo, hi };
  }

  /** A linear node: add, sub, neg (b = −1) or addc. */
  linear(op: 'add' | 'sub' | 'neg' | 'addc', a: number, shiftA: number, b: number, shiftB: number, c = 0n): number {
    const ka = (op === 'neg' ? -1n : 1n) << BigInt(shiftA);
    const kb = b < 0 ? 0n : (op === 'sub' ? -1n : 1n) << BigInt(shiftB);
    const f = this.combine(a, ka, b, kb, op === 'addc' ? c : 0n);
    const level = 1 + Math.max(this.levels[a]!, b >= 0 ? this.levels[b]! : 0);
    const { lo, hi } = this.rangeOf(f);
    const at = { level, lo, hi };
    const node: NetNode =
      op === 'add' || op === 'sub' ? { op, a, shiftA, b, shiftB, ...at } : op === 'neg' ? { op, a, shiftA, ...at } : { op, a, shiftA, c, ...at };
    return this.push(node, f);
  }

  /** A non-linear node (a base of the range forms), shared when the same one is asked twice. */
  nonLinear(op: 'shr' | 'rne' | 'relu' | 'fit' | 'square', a: number, shiftA: number, fit?: FitFormat): number {
    const key = `${op}:${a}:${shiftA}:${fit ? `${fit.width}${fit.signed ? 's' : 'u'}${fit.overflow}` : ''}`;
    const seen = this.memo.get(key);
    if (seen !== undefined) return seen;
    const lo = this.lo[a]!;
    const hi = this.hi[a]!;
    const la = this.levels[a]!;
    let r: { lo: bigint; hi: bigint };
    let level: number;
    switch (op) {
      case 'shr':
        r = { lo: lo >> BigInt(shiftA), hi: hi >> BigInt(shiftA) };
        level = la;
        break;
      case 'rne':
        // monotonic: the ends of the range go to the ends; the increment is a carry chain
        r = { lo: roundHalfEven(lo, shiftA), hi: roundHalfEven(hi, shiftA) };
        level = la + 1;
        break;
      case 'relu':
        r = { lo: lo < 0n ? 0n : lo, hi: hi < 0n ? 0n : hi };
        level = la + 1;
        break;
      case 'fit': {
        const f = fit!;
        const s = BigInt(shiftA);
        if (f.overflow !== 'wrap') {
          r = { lo: fitValue(lo << s, f), hi: fitValue(hi << s, f) };
          level = la + 1;
        } else {
          const w = BigInt(f.width);
          r = f.signed ? { lo: -(1n << (w - 1n)), hi: (1n << (w - 1n)) - 1n } : { lo: 0n, hi: (1n << w) - 1n };
          level = la;
        }
        break;
      }
      case 'square': {
        const l2 = lo * lo;
        const h2 = hi * hi;
        r = lo >= 0n ? { lo: l2, hi: h2 } : hi <= 0n ? { lo: h2, hi: l2 } : { lo: 0n, hi: l2 > h2 ? l2 : h2 };
        level = la + squareLevels(bitsFor(lo, hi));
        break;
      }
    }
    const at = { level, lo: r.lo, hi: r.hi };
    const node: NetNode = op === 'shr' || op === 'rne' ? { op, a, shift: shiftA, ...at } : op === 'fit' ? { op, a, shiftA, fit: fit!, ...at } : { op, a, ...at };
    const v = this.push(node, null);
    this.memo.set(key, v);
    return v;
  }

  /**
   * The bits of `vars` side by side (vars[0] lowest, `widths[j]` bits each): the address of a
   * table over a group of narrow values. Wiring only (no level of its own); shared when the same
   * group is asked twice.
   */
  cat(vars: readonly number[], widths: readonly number[]): number {
    const key = `cat:${vars.join(',')}:${widths.join(',')}`;
    const seen = this.memo.get(key);
    if (seen !== undefined) return seen;
    const bits = widths.reduce((a, w) => a + w, 0);
    const level = Math.max(...vars.map((v) => this.levels[v]!));
    const v = this.push({ op: 'cat', args: [...vars], widths: [...widths], level, lo: 0n, hi: (1n << BigInt(bits)) - 1n }, null);
    this.memo.set(key, v);
    return v;
  }

  /** The range of a value. */
  valueRange(t: Value): { lo: bigint; hi: bigint } {
    if (t.v < 0) return { lo: t.c, hi: t.c };
    const s = BigInt(t.shift);
    return { lo: (this.lo[t.v]! << s) + t.c, hi: (this.hi[t.v]! << s) + t.c };
  }

  /** A value that can take one value only is that constant. */
  fold(t: Value): Value {
    const r = this.valueRange(t);
    return r.lo === r.hi ? constant(r.lo) : t;
  }

  /** The value as a variable with no offset: an adder when it has one. */
  plain(t: Value): Value {
    if (t.v < 0 || t.c === 0n) return t;
    return { v: this.linear('addc', t.v, t.shift, -1, 0, t.c), shift: 0, c: 0n };
  }

  shl(t: Value, k: number): Value {
    return t.v < 0 ? constant(t.c << BigInt(k)) : { v: t.v, shift: t.shift + k, c: t.c << BigInt(k) };
  }

  /** p + q (an adder when both vary). */
  add(p: Value, q: Value): Value {
    if (p.v < 0) return { ...q, c: q.c + p.c };
    if (q.v < 0) return { ...p, c: p.c + q.c };
    const m = Math.min(p.shift, q.shift);
    return this.fold({ v: this.linear('add', p.v, p.shift - m, q.v, q.shift - m), shift: m, c: p.c + q.c });
  }

  /** p − q (an adder when both vary). */
  sub(p: Value, q: Value): Value {
    if (q.v < 0) return { ...p, c: p.c - q.c };
    if (p.v < 0) return { ...this.neg(q), c: p.c - q.c };
    const m = Math.min(p.shift, q.shift);
    return this.fold({ v: this.linear('sub', p.v, p.shift - m, q.v, q.shift - m), shift: m, c: p.c - q.c });
  }

  /** −p (an adder when it varies). */
  neg(p: Value): Value {
    if (p.v < 0) return constant(-p.c);
    return { v: this.linear('neg', p.v, 0, -1, 0), shift: p.shift, c: -p.c };
  }

  /** floor(t / 2^k). */
  shr(t: Value, k: number): Value {
    if (k === 0) return t;
    if (t.v < 0) return constant(t.c >> BigInt(k));
    // the low bits of the offset cannot carry into the kept bits when the variable's own low bits are zero
    if (t.shift >= k) return { v: t.v, shift: t.shift - k, c: t.c >> BigInt(k) };
    const p = this.plain(t);
    return this.fold({ v: this.nonLinear('shr', p.v, k - p.shift), shift: 0, c: 0n });
  }

  /**
   * t / 2^k rounded to the nearest integer, ties to even. With t = (v << s) + c and s ≥ k the
   * rounding is decided by c alone, except at a tie when s = k (then v's parity decides): no
   * node is needed for the rest. Otherwise an rne node over the plain variable.
   */
  rne(t: Value, k: number): Value {
    if (k === 0) return t;
    if (t.v < 0) return constant(roundHalfEven(t.c, k));
    const K = BigInt(k);
    const low = t.c - ((t.c >> K) << K); // c mod 2^k
    const half = 1n << (K - 1n);
    // (v << (s − k)) is even when s > k, so at a tie the parity is that of c's kept part
    if (t.shift >= k && (low !== half || t.shift > k)) return { v: t.v, shift: t.shift - k, c: roundHalfEven(t.c, k) };
    // here t.shift < k, or t.c ≠ 0 and plain makes the shift 0
    const p = this.plain(t);
    return this.fold({ v: this.nonLinear('rne', p.v, k - p.shift), shift: 0, c: 0n });
  }

  /** 1 when t ≥ k, else 0 (a comparator; constant when the ranges decide). */
  atLeast(t: Value, k: bigint): Value {
    const r = this.valueRange(t);
    if (r.lo >= k) return constant(1n);
    if (r.hi < k) return constant(0n);
    return this.cmp(t.v, t.shift, -1, 0, k - t.c);
  }

  /** 1 when p > q, else 0. */
  greater(p: Value, q: Value): Value {
    const rp = this.valueRange(p);
    const rq = this.valueRange(q);
    if (rp.lo > rq.hi) return constant(1n);
    if (rp.hi <= rq.lo) return constant(0n);
    if (q.v < 0) return this.atLeast(p, q.c + 1n);
    if (p.v < 0) {
      // c > q ⟺ −q ≥ 1 − c
      return this.atLeast(this.neg(q), 1n - p.c);
    }
    // (p.v << sp) − (q.v << sq) ≥ q.c − p.c + 1
    return this.cmp(p.v, p.shift, q.v, q.shift, q.c - p.c + 1n);
  }

  private cmp(a: number, shiftA: number, b: number, shiftB: number, c: bigint): Value {
    const key = `cmp:${a}:${shiftA}:${b}:${shiftB}:${c}`;
    const seen = this.memo.get(key);
    if (seen !== undefined) return { v: seen, shift: 0, c: 0n };
    const level = 1 + Math.max(this.levels[a]!, b >= 0 ? this.levels[b]! : 0);
    const v = this.push({ op: 'cmp', a, shiftA, b, shiftB, c, level, lo: 0n, hi: 1n }, null);
    this.memo.set(key, v);
    return { v, shift: 0, c: 0n };
  }

  /** sel ? p : q, sel a 0/1 value (a multiplexer; folded when sel or the choice is fixed). */
  select(sel: Value, p: Value, q: Value): Value {
    if (sel.v < 0) return sel.c !== 0n ? p : q;
    if (p.v < 0 && q.v < 0 && p.c === q.c) return p;
    if (p.v === q.v && p.shift === q.shift && p.c === q.c) return p;
    // a common offset stays outside; otherwise each side is a plain variable or a constant
    let c = 0n;
    if (p.v >= 0 && q.v >= 0 && p.c === q.c) {
      c = p.c;
      p = { ...p, c: 0n };
      q = { ...q, c: 0n };
    }
    const pp = this.plain(p);
    const qq = this.plain(q);
    const m = pp.v >= 0 && qq.v >= 0 ? Math.min(pp.shift, qq.shift) : pp.v >= 0 ? pp.shift : qq.v >= 0 ? qq.shift : 0;
    const off = (t: Value): { a: number; s: number; k: bigint } => (t.v < 0 ? { a: -1, s: 0, k: (t.c - c) >> BigInt(m) } : { a: t.v, s: t.shift - m, k: 0n });
    // constants must survive the common shift exactly: otherwise keep no common shift
    const exact = [pp, qq].every((t) => t.v >= 0 || ((t.c >> BigInt(m)) << BigInt(m)) === t.c);
    const mm = exact ? m : 0;
    const A = exact ? off(pp) : pp.v < 0 ? { a: -1, s: 0, k: pp.c } : { a: pp.v, s: pp.shift, k: 0n };
    const B = exact ? off(qq) : qq.v < 0 ? { a: -1, s: 0, k: qq.c } : { a: qq.v, s: qq.shift, k: 0n };
    const ra = A.a < 0 ? { lo: A.k, hi: A.k } : { lo: this.lo[A.a]! << BigInt(A.s), hi: this.hi[A.a]! << BigInt(A.s) };
    const rb = B.a < 0 ? { lo: B.k, hi: B.k } : { lo: this.lo[B.a]! << BigInt(B.s), hi: this.hi[B.a]! << BigInt(B.s) };
    const level = Math.max(this.levels[sel.v]!, A.a >= 0 ? this.levels[A.a]! : 0, B.a >= 0 ? this.levels[B.a]! : 0);
    const node: NetNode = {
      op: 'mux',
      sel: sel.v,
      a: A.a,
      shiftA: A.s,
      ca: A.k,
      b: B.a,
      shiftB: B.s,
      cb: B.k,
      level,
      lo: ra.lo < rb.lo ? ra.lo : rb.lo,
      hi: ra.hi > rb.hi ? ra.hi : rb.hi,
    };
    return this.fold({ v: this.push(node, null), shift: mm, c });
  }

  /** max(p, q), ties to p (a comparator and a multiplexer). */
  max(p: Value, q: Value): Value {
    return this.select(this.greater(q, p), q, p);
  }

  /**
   * A lookup table: `lookup(value)` for each value t can take (a ROM; a constant when every
   * value t can take gives the same entry). `shared`, when t is a plain variable whose range
   * lies within base … base + entries.length − 1, is the table to use as it is, so that
   * identical tables stay identical.
   */
  table(t: Value, lookup: (value: bigint) => bigint, shared?: { base: bigint; entries: bigint[] }): Value {
    const r = this.valueRange(t);
    if (t.v < 0) return constant(lookup(t.c));
    const lo = this.lo[t.v]!;
    const hi = this.hi[t.v]!;
    let base: bigint;
    let entries: bigint[];
    if (shared && t.shift === 0 && t.c === 0n && lo >= shared.base && hi < shared.base + BigInt(shared.entries.length)) {
      base = shared.base;
      entries = shared.entries;
    } else {
      base = lo;
      entries = [];
      for (let v = lo; v <= hi; v++) entries.push(lookup((v << BigInt(t.shift)) + t.c));
    }
    let min = lookup(r.lo);
    let max = min;
    for (let v = lo; v <= hi; v++) {
      const e = entries[Number(v - base)]!;
      if (e < min) min = e;
      if (e > max) max = e;
    }
    if (min === max) return constant(min);
    return { v: this.push({ op: 'table', a: t.v, base, entries, level: this.levels[t.v]! + 1, lo: min, hi: max }, null), shift: 0, c: 0n };
  }

  /**
   * The adder graph of one matrix applied to the given values (one per column): its nodes
   * rebuilt over them, constants folding, shifts and offsets carried. Returns one value per row.
   */
  applyGraph(g: AdderGraph, inputs: readonly Value[]): Value[] {
    const vars: Value[] = [...inputs];
    for (const n of g.nodes) {
      const a = this.shl(vars[n.a]!, n.shiftA);
      vars.push(n.op === 'neg' ? this.neg(a) : n.op === 'add' ? this.add(a, this.shl(vars[n.b]!, n.shiftB)) : this.sub(a, this.shl(vars[n.b]!, n.shiftB)));
    }
    return g.outputs.map((o) => (o.v < 0 ? constant(0n) : this.shl(vars[o.v]!, o.shift)));
  }
}
