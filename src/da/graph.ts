/**
 * The adder graph: the optimizer's result and the register-transfer level's input.
 *
 * Variables are numbered: 0 … nIn−1 are the inputs x[i], nIn + k is nodes[k].
 * A node is `(a << shiftA) + (b << shiftB)` (add), `(a << shiftA) − (b << shiftB)` (sub),
 * or `−a` (neg). Each node refers only to variables numbered below it.
 */
export type AdderOp = 'add' | 'sub' | 'neg';

export interface AdderNode {
  op: AdderOp;
  a: number;
  shiftA: number;
  /** −1 for neg. */
  b: number;
  shiftB: number;
  /** Adder levels on the longest path from an input (inputs are level 0). */
  level: number;
  /** Exact value range over all input vectors. */
  lo: bigint;
  hi: bigint;
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

/**
 * A network graph: an adder graph whose nodes may also be the cheap non-linear steps between
 * layers, and that may end in a score. Every AdderGraph is one.
 *
 * - `addc`: (a << shiftA) + c, a constant c (bias, rounding);
 * - `shr`: floor(a / 2^shiftA), an arithmetic right shift (wiring: the low bits are dropped);
 * - `relu`: max(a, 0);
 * - `fit`: a fitted to `fit.width` bits, wrapped (modulo) or saturated (clamped);
 * - `square`: a².
 */
export type NetOp = AdderOp | 'addc' | 'shr' | 'relu' | 'fit' | 'square';

export interface FitFormat {
  width: number;
  signed: boolean;
  overflow: 'wrap' | 'saturate';
}

export interface NetNode extends Omit<AdderNode, 'op'> {
  op: NetOp;
  /** The constant of `addc`. */
  c?: bigint;
  /** The format of `fit`. */
  fit?: FitFormat;
}

/** An output that may also be a non-zero constant (v = −1). */
export interface NetGraphOutput extends GraphOutput {
  constant?: bigint;
}

export interface NetworkGraph {
  nIn: number;
  input: InputFormat;
  nodes: NetNode[];
  outputs: NetGraphOutput[];
  /** The score output (Σ of squares), or absent. */
  score?: NetGraphOutput | null;
  /** The width and signedness the spec asks of y, or absent (the exact ranges decide). */
  outputFormat?: { width: number; signed: boolean } | null;
}

/** Evaluate a network graph on one input vector with exact integers (y, then the score if any). */
export function evaluateNetworkGraph(g: NetworkGraph, x: readonly bigint[]): bigint[] {
  const val: bigint[] = new Array(g.nIn + g.nodes.length);
  for (let i = 0; i < g.nIn; i++) val[i] = x[i]!;
  for (let k = 0; k < g.nodes.length; k++) {
    const n = g.nodes[k]!;
    const a = val[n.a]! << BigInt(n.shiftA);
    let r: bigint;
    switch (n.op) {
      case 'add':
      case 'sub': {
        const b = val[n.b]! << BigInt(n.shiftB);
        r = n.op === 'add' ? a + b : a - b;
        break;
      }
      case 'neg':
        r = -a;
        break;
      case 'addc':
        r = a + n.c!;
        break;
      case 'shr':
        r = val[n.a]! >> BigInt(n.shiftA);
        break;
      case 'relu':
        r = val[n.a]! < 0n ? 0n : val[n.a]!;
        break;
      case 'fit':
        r = fitValue(a, n.fit!);
        break;
      case 'square':
        r = val[n.a]! * val[n.a]!;
        break;
    }
    val[g.nIn + k] = r;
  }
  const out = (o: NetGraphOutput): bigint => (o.v < 0 ? (o.constant ?? 0n) : val[o.v]! << BigInt(o.shift));
  const y = g.outputs.map(out);
  if (g.score) y.push(out(g.score));
  return y;
}

/** v wrapped (modulo 2^w) or saturated into the range of a w-bit (un)signed number. */
export function fitValue(v: bigint, f: FitFormat): bigint {
  const w = BigInt(f.width);
  const lo = f.signed ? -(1n << (w - 1n)) : 0n;
  const hi = f.signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  if (f.overflow === 'saturate') return v < lo ? lo : v > hi ? hi : v;
  return f.signed ? BigInt.asIntN(f.width, v) : BigInt.asUintN(f.width, v);
}

/** Range of one input value. */
export function inputRange(input: InputFormat): { lo: bigint; hi: bigint } {
  const w = BigInt(input.width);
  return input.signed ? { lo: -(1n << (w - 1n)), hi: (1n << (w - 1n)) - 1n } : { lo: 0n, hi: (1n << w) - 1n };
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
