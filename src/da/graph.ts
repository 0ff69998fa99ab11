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
  const val: bigint[] = new Array(g.nIn + g.nodes.length);
  for (let i = 0; i < g.nIn; i++) val[i] = x[i]!;
  for (let k = 0; k < g.nodes.length; k++) {
    const n = g.nodes[k]!;
    const a = val[n.a]! << BigInt(n.shiftA);
    let r: bigint;
    if (n.op === 'neg') r = -a;
    else {
      const b = val[n.b]! << BigInt(n.shiftB);
      r = n.op === 'add' ? a + b : a - b;
    }
    val[g.nIn + k] = r;
  }
  return g.outputs.map((o) => (o.v < 0 ? 0n : val[o.v]! << BigInt(o.shift)));
}
