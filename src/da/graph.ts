import type { Overflow } from '../spec/spec.js';
import { fitToOutput, formatRange } from '../spec/tables.js';

/**
 * The graphs that da builds: the optimizer's adder graph of one matrix (`AdderGraph`) and the
 * network graph of a whole design (`NetworkGraph`), of which every adder graph is one.
 *
 * Variables are numbered: 0 … nIn−1 are the inputs x[i], nIn + k is nodes[k]. Each node refers
 * only to variables numbered below it, and is one of the kinds below (a discriminated union on
 * `op`, so every switch over kinds is checked for exhaustiveness):
 *
 *   add     (a << shiftA) + (b << shiftB)
 *   sub     (a << shiftA) − (b << shiftB)
 *   neg     −(a << shiftA)
 *   addc    (a << shiftA) + c, a constant c (bias, rounding)
 *   shr     floor(a / 2^shift), an arithmetic right shift (wiring: the low bits are dropped)
 *   rne     a / 2^shift rounded to the nearest integer, ties to even: the floor shift plus one
 *           increment when the guard bit (shift − 1) is set and so is a lower bit or the kept
 *           LSB (bit shift)
 *   relu    max(a, 0)
 *   fit     (a << shiftA) fitted to `fit.width` bits, wrapped (modulo) or saturated (clamped)
 *   square  a²
 *   cmp     1 when (a << shiftA) − (b << shiftB) ≥ c, else 0 (b = −1: no b term); a comparator
 *   mux     sel ≠ 0 ? (a << shiftA) : (b << shiftB), where a = −1 is the constant ca and
 *           b = −1 the constant cb; a multiplexer
 *   table   entries[a − base], a lookup table (ROM) over a's range
 *   cat     the bits of `args` side by side, args[0] lowest: Σ_j (args[j] mod 2^widths[j]) <<
 *           (widths[0] + … + widths[j−1]), an unsigned value (wiring: no logic); the address
 *           of a table over a group of narrow values (LUT-based distributed arithmetic)
 *   inst    output `out` of kernel `kernel` (NetworkGraph.kernels) applied to `args`, one
 *           variable per kernel input, −1 for zero (one the kernel does not read): a convolution's kernel
 *           built once and instantiated per output position. The nodes of one instance (one
 *           per output used, same `instance` and args) are consecutive.
 *
 * The first four are adders (one carry chain each); the others are the steps between layers.
 * Depth: an adder, ReLU, rne, fit with saturation, comparator and table are one level each (a
 * cat is none); a multiplexer joins its comparator's level (max and argmax are one level per
 * comparison). Every output of an instance is at its kernel's base level plus the kernel's depth.
 */

/** What every node has: its adder level (longest path from an input; inputs are level 0) and its exact value range over all input vectors. */
interface NodeBase {
  level: number;
  lo: bigint;
  hi: bigint;
}

export interface AddNode extends NodeBase {
  op: 'add';
  a: number;
  shiftA: number;
  b: number;
  shiftB: number;
}

export interface SubNode extends NodeBase {
  op: 'sub';
  a: number;
  shiftA: number;
  b: number;
  shiftB: number;
}

export interface NegNode extends NodeBase {
  op: 'neg';
  a: number;
  shiftA: number;
}

/** A node of the optimizer's adder graph. */
export type AdderNode = AddNode | SubNode | NegNode;
export type AdderOp = AdderNode['op'];

export interface AddcNode extends NodeBase {
  op: 'addc';
  a: number;
  shiftA: number;
  c: bigint;
}

export interface ShrNode extends NodeBase {
  op: 'shr';
  a: number;
  /** Bits shifted out (k ≥ 1). */
  shift: number;
}

export interface RneNode extends NodeBase {
  op: 'rne';
  a: number;
  /** Bits rounded off (k ≥ 1). */
  shift: number;
}

export interface ReluNode extends NodeBase {
  op: 'relu';
  a: number;
}

export interface FitNode extends NodeBase {
  op: 'fit';
  a: number;
  shiftA: number;
  fit: FitFormat;
}

export interface SquareNode extends NodeBase {
  op: 'square';
  a: number;
}

export interface CmpNode extends NodeBase {
  op: 'cmp';
  a: number;
  shiftA: number;
  /** −1: no b term. */
  b: number;
  shiftB: number;
  c: bigint;
}

export interface MuxNode extends NodeBase {
  op: 'mux';
  /** A 0/1 variable (a comparator). */
  sel: number;
  /** Chosen when sel is 1; −1: the constant ca. */
  a: number;
  shiftA: number;
  ca: bigint;
  /** Chosen when sel is 0; −1: the constant cb. */
  b: number;
  shiftB: number;
  cb: bigint;
}

export interface TableNode extends NodeBase {
  op: 'table';
  a: number;
  /** The value of a that entries[0] is for; a's range lies within base … base + entries.length − 1. */
  base: bigint;
  entries: bigint[];
}

export interface CatNode extends NodeBase {
  op: 'cat';
  /** The values, lowest bits first (never −1). */
  args: number[];
  /** The bits taken from each (its two's complement low bits), 1 or more each. */
  widths: number[];
}

/** The value of a cat node from its parts' values. */
export function catValue(parts: readonly bigint[], widths: readonly number[]): bigint {
  let r = 0n;
  let at = 0n;
  parts.forEach((p, j) => {
    const w = BigInt(widths[j]!);
    r |= BigInt.asUintN(Number(w), p) << at;
    at += w;
  });
  return r;
}

export interface InstNode extends NodeBase {
  op: 'inst';
  /** Index in NetworkGraph.kernels. */
  kernel: number;
  /** The same for every node of one instance, unique in the graph. */
  instance: number;
  /** One variable per kernel input (−1: zero, an input the kernel's graph does not read: foldKernel folded it). */
  args: number[];
  /** The kernel's output this node is: the value of kernels[kernel].graph.outputs[out].v (its shift not applied). */
  out: number;
}

/**
 * A kernel: an adder graph built once and instantiated many times (a convolution's kernel, one
 * instance per output position). Its nodes' levels count from `base`, the level every
 * instance's inputs are taken at; `ports` is the range of each input over every instance, from
 * which its hardware's widths follow.
 */
export interface KernelDef {
  graph: AdderGraph;
  ports: { lo: bigint; hi: bigint }[];
  base: number;
}

/** A node of a network graph. */
export type NetNode = AdderNode | AddcNode | ShrNode | RneNode | ReluNode | FitNode | SquareNode | CmpNode | MuxNode | TableNode | CatNode | InstNode;
export type NetOp = NetNode['op'];

export interface FitFormat {
  width: number;
  signed: boolean;
  overflow: Overflow;
}

/** Whether a node kind is an adder (add, sub, neg, addc: one carry chain each). */
export function isAdderOp(op: NetOp): op is 'add' | 'sub' | 'neg' | 'addc' {
  return op === 'add' || op === 'sub' || op === 'neg' || op === 'addc';
}

/**
 * The operands a node or a netlist signal reads, from the fields they share: a multiplexer's
 * sel, then a, then b (absent, or −1 for a missing term or a constant, is left out), then an
 * instance's args (−1, zero, left out).
 */
export function operandFields(x: { a?: number; b?: number; sel?: number; args?: readonly number[] }): number[] {
  const r: number[] = [];
  if (x.sel !== undefined) r.push(x.sel);
  if (x.a !== undefined && x.a >= 0) r.push(x.a);
  if (x.b !== undefined && x.b >= 0) r.push(x.b);
  if (x.args !== undefined) for (const v of x.args) if (v >= 0) r.push(v);
  return r;
}

/** The variables a node reads: [a], [a, b] for add and sub, what cmp and mux read, an instance's args (never −1). */
export function operandsOf(n: NetNode): number[] {
  return operandFields(n);
}

/** Output o = variable v shifted left by `shift`; v = −1 means the constant 0. */
export interface GraphOutput {
  v: number;
  shift: number;
  lo: bigint;
  hi: bigint;
}

export interface InputFormat {
  width: number;
  signed: boolean;
}

export interface AdderGraph {
  nIn: number;
  input: InputFormat;
  nodes: AdderNode[];
  outputs: GraphOutput[];
}

/** An output that may also be a non-zero constant (v = −1). */
export interface NetGraphOutput extends GraphOutput {
  constant?: bigint;
}

/** A network graph: nodes of every kind, and optionally a score output. */
export interface NetworkGraph {
  nIn: number;
  input: InputFormat;
  nodes: NetNode[];
  outputs: NetGraphOutput[];
  /** The score output (Σ of squares), or absent. */
  score?: NetGraphOutput | null;
  /** The width and signedness the spec asks of y, or absent (the exact ranges decide). */
  outputFormat?: { width: number; signed: boolean } | null;
  /** The kernels that inst nodes instantiate (absent: none). */
  kernels?: KernelDef[];
}

/** Evaluate a network graph on one input vector with exact integers (y, then the score if any). */
export function evaluateNetworkGraph(g: NetworkGraph, x: readonly bigint[]): bigint[] {
  const val: bigint[] = new Array(g.nIn + g.nodes.length);
  for (let i = 0; i < g.nIn; i++) val[i] = x[i]!;
  /** the outputs of the instance being evaluated (the nodes of one instance are consecutive) */
  let inst: { id: number; y: bigint[] } | null = null;
  for (let k = 0; k < g.nodes.length; k++) {
    const n = g.nodes[k]!;
    if (n.op === 'inst') {
      if (inst === null || inst.id !== n.instance) {
        const kg = g.kernels![n.kernel]!.graph;
        // the kernel's outputs, their shifts taken off again (each is its variable shifted)
        const y = evaluateNetworkGraph(kg, n.args.map((v) => (v < 0 ? 0n : val[v]!)));
        inst = { id: n.instance, y: y.map((yk, j) => yk >> BigInt(kg.outputs[j]!.shift)) };
      }
      val[g.nIn + k] = inst.y[n.out]!;
      continue;
    }
    if (n.op === 'cat') {
      val[g.nIn + k] = catValue(
        n.args.map((v) => val[v]!),
        n.widths,
      );
      continue;
    }
    const a = n.op === 'mux' ? 0n : val[n.a]!;
    let r: bigint;
    switch (n.op) {
      case 'add':
        r = (a << BigInt(n.shiftA)) + (val[n.b]! << BigInt(n.shiftB));
        break;
      case 'sub':
        r = (a << BigInt(n.shiftA)) - (val[n.b]! << BigInt(n.shiftB));
        break;
      case 'neg':
        r = -(a << BigInt(n.shiftA));
        break;
      case 'addc':
        r = (a << BigInt(n.shiftA)) + n.c;
        break;
      case 'shr':
        r = a >> BigInt(n.shift);
        break;
      case 'rne':
        r = roundHalfEven(a, n.shift);
        break;
      case 'relu':
        r = a < 0n ? 0n : a;
        break;
      case 'fit':
        r = fitValue(a << BigInt(n.shiftA), n.fit);
        break;
      case 'square':
        r = a * a;
        break;
      case 'cmp':
        r = (a << BigInt(n.shiftA)) - (n.b >= 0 ? val[n.b]! << BigInt(n.shiftB) : 0n) >= n.c ? 1n : 0n;
        break;
      case 'mux':
        r = val[n.sel] !== 0n ? (n.a >= 0 ? val[n.a]! << BigInt(n.shiftA) : n.ca) : n.b >= 0 ? val[n.b]! << BigInt(n.shiftB) : n.cb;
        break;
      case 'table': {
        const e = n.entries[Number(a - n.base)];
        if (e === undefined) throw new RangeError(`table node ${k}: ${a} is outside its entries`);
        r = e;
        break;
      }
    }
    val[g.nIn + k] = r;
  }
  const out = (o: NetGraphOutput): bigint => (o.v < 0 ? (o.constant ?? 0n) : val[o.v]! << BigInt(o.shift));
  const y = g.outputs.map(out);
  if (g.score) y.push(out(g.score));
  return y;
}

/**
 * The graph with the inputs marked in `zero` tied to zero and folded away, as synthesis would
 * fold them: a sum with one zero addend is the other (its shift carried to the readers), a
 * difference 0 − b is −b, and a node of zeros is zero. The inputs keep their numbers (the zero
 * ones are read by nothing); node ranges are over the graph's input format.
 */
export function foldKernel(g: AdderGraph, zero: readonly boolean[]): AdderGraph {
  const { lo: inLo, hi: inHi } = inputRange(g.input);
  /** each old variable as a new one shifted (v = −1: zero) */
  const map: { v: number; s: number }[] = Array.from({ length: g.nIn }, (_, i) => ({ v: zero[i] ? -1 : i, s: 0 }));
  const nodes: AdderNode[] = [];
  const lv = (v: number): number => (v < g.nIn ? 0 : nodes[v - g.nIn]!.level);
  const rng = (v: number, s: number): [bigint, bigint] => {
    const [lo, hi] = v < g.nIn ? [inLo, inHi] : [nodes[v - g.nIn]!.lo, nodes[v - g.nIn]!.hi];
    return [lo << BigInt(s), hi << BigInt(s)];
  };
  const push = (n: { op: AdderOp; a: number; shiftA: number; b?: number; shiftB?: number }): { v: number; s: number } => {
    const [alo, ahi] = rng(n.a, n.shiftA);
    const level = 1 + Math.max(lv(n.a), n.b === undefined ? 0 : lv(n.b));
    if (n.op === 'neg') nodes.push({ op: 'neg', a: n.a, shiftA: n.shiftA, level, lo: -ahi, hi: -alo });
    else {
      const [blo, bhi] = rng(n.b!, n.shiftB!);
      const [lo, hi] = n.op === 'add' ? [alo + blo, ahi + bhi] : [alo - bhi, ahi - blo];
      nodes.push({ op: n.op, a: n.a, shiftA: n.shiftA, b: n.b!, shiftB: n.shiftB!, level, lo, hi });
    }
    return { v: g.nIn + nodes.length - 1, s: 0 };
  };
  for (const n of g.nodes) {
    const a = map[n.a]!;
    const A = { v: a.v, s: a.s + n.shiftA };
    if (n.op === 'neg') {
      map.push(A.v < 0 ? A : push({ op: 'neg', a: A.v, shiftA: A.s }));
      continue;
    }
    const b = map[n.b]!;
    const B = { v: b.v, s: b.s + n.shiftB };
    if (B.v < 0) map.push(A);
    else if (A.v < 0) map.push(n.op === 'add' ? B : push({ op: 'neg', a: B.v, shiftA: B.s }));
    else map.push(push({ op: n.op, a: A.v, shiftA: A.s, b: B.v, shiftB: B.s }));
  }
  const outputs = g.outputs.map((o) => {
    if (o.v < 0) return o;
    const m = map[o.v]!;
    return m.v < 0 ? { v: -1, shift: 0, lo: 0n, hi: 0n } : { ...o, v: m.v, shift: o.shift + m.s };
  });
  return { nIn: g.nIn, input: g.input, nodes, outputs };
}

/** The adders of an adder graph that its outputs depend on. */
export function kernelAdders(g: AdderGraph): number {
  const needed = new Uint8Array(g.nIn + g.nodes.length);
  for (const o of g.outputs) if (o.v >= 0) needed[o.v] = 1;
  let adders = 0;
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    if (!needed[g.nIn + k]) continue;
    const n = g.nodes[k]!;
    needed[n.a] = 1;
    if (n.op !== 'neg') needed[n.b] = 1;
    adders++;
  }
  return adders;
}

/** a / 2^k rounded to the nearest integer, ties to the even one (k ≥ 0). */
export function roundHalfEven(a: bigint, k: number): bigint {
  if (k === 0) return a;
  const K = BigInt(k);
  const q = a >> K;
  const rest = a - (q << K);
  const half = 1n << (K - 1n);
  return rest > half || (rest === half && (q & 1n) === 1n) ? q + 1n : q;
}

/** v wrapped (modulo 2^w) or saturated into the range of a w-bit (un)signed number: the spec's own rule. */
export function fitValue(v: bigint, f: FitFormat): bigint {
  return fitToOutput(v, f);
}

/** Range of one input value. */
export function inputRange(input: InputFormat): { lo: bigint; hi: bigint } {
  const [lo, hi] = formatRange(input);
  return { lo, hi };
}

/** Largest level of any output (0 when every output is an input or a constant). */
export function adderDepth(g: AdderGraph): number {
  let d = 0;
  for (const o of g.outputs) {
    if (o.v >= g.nIn) d = Math.max(d, g.nodes[o.v - g.nIn]!.level);
  }
  return d;
}

/**
 * Evaluate the graph on one input vector with exact integers: the optimizer's own
 * semantics, used to check it against W·x computed independently.
 */
export function evaluateGraph(g: AdderGraph, x: readonly bigint[]): bigint[] {
  // an adder graph is a network graph without steps or score
  return evaluateNetworkGraph(g, x);
}
