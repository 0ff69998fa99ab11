import type { AdderGraph, AdderNode, AdderOp, GraphOutput, InputFormat } from './graph.js';

/** A node while the graph is being built (ranges come later); b = −1 for neg. */
export interface NodeDef {
  op: AdderOp;
  a: number;
  shiftA: number;
  b: number;
  shiftB: number;
  level: number;
}

/**
 * Collects nodes as the optimizer creates them. Identical nodes are built once
 * (hash-consing; an add is identified with its operands in either order).
 */
export class GraphBuilder {
  readonly defs: NodeDef[] = [];
  readonly levels: number[] = [];
  private readonly cons = new Map<string, number>();
  constructor(readonly nIn: number) {
    for (let i = 0; i < nIn; i++) this.levels.push(0);
  }

  get nVars(): number {
    return this.nIn + this.defs.length;
  }

  def(v: number): NodeDef | null {
    return v < this.nIn ? null : this.defs[v - this.nIn]!;
  }

  /** The variable for the node, reusing an identical existing one. */
  node(op: AdderOp, a: number, shiftA: number, b: number, shiftB: number): number {
    if (op === 'add' && (b < a || (b === a && shiftB < shiftA))) {
      [a, b] = [b, a];
      [shiftA, shiftB] = [shiftB, shiftA];
    }
    const key = `${op},${a},${shiftA},${b},${shiftB}`;
    const hit = this.cons.get(key);
    if (hit !== undefined) return hit;
    const level = 1 + Math.max(this.levels[a]!, b >= 0 ? this.levels[b]! : 0);
    const v = this.nVars;
    this.defs.push({ op, a, shiftA, b, shiftB, level });
    this.levels.push(level);
    this.cons.set(key, v);
    return v;
  }

  /** Whether node() would build a new node (rather than reuse one). */
  wouldBuild(op: AdderOp, a: number, shiftA: number, b: number, shiftB: number): boolean {
    if (op === 'add' && (b < a || (b === a && shiftB < shiftA))) {
      [a, b] = [b, a];
      [shiftA, shiftB] = [shiftB, shiftA];
    }
    return !this.cons.has(`${op},${a},${shiftA},${b},${shiftB}`);
  }

  /**
   * −v without a new level where possible: the negation of a subtraction is the subtraction
   * the other way round; anything else gets a neg node.
   */
  negate(v: number): number {
    const d = this.def(v);
    if (d !== null && d.op === 'sub') return this.node('sub', d.b, d.shiftB, d.a, d.shiftA);
    return this.node('neg', v, 0, -1, 0);
  }
}

/** Keep only the nodes some output depends on, renumbered in order, as an AdderGraph (ranges zero). */
export function freezeGraph(b: GraphBuilder, outs: { v: number; shift: number }[], input: InputFormat): AdderGraph {
  const nIn = b.nIn;
  const live = new Uint8Array(b.nVars);
  for (const o of outs) if (o.v >= 0) live[o.v] = 1;
  for (let v = b.nVars - 1; v >= nIn; v--) {
    if (!live[v]) continue;
    const d = b.defs[v - nIn]!;
    live[d.a] = 1;
    if (d.b >= 0) live[d.b] = 1;
  }
  const map = new Int32Array(b.nVars).fill(-1);
  for (let i = 0; i < nIn; i++) map[i] = i;
  const nodes: AdderNode[] = [];
  for (let v = nIn; v < b.nVars; v++) {
    if (!live[v]) continue;
    const d = b.defs[v - nIn]!;
    map[v] = nIn + nodes.length;
    const a = map[d.a]!;
    if (d.op === 'neg') nodes.push({ op: 'neg', a, shiftA: d.shiftA, level: d.level, lo: 0n, hi: 0n });
    else nodes.push({ op: d.op, a, shiftA: d.shiftA, b: map[d.b]!, shiftB: d.shiftB, level: d.level, lo: 0n, hi: 0n });
  }
  const outputs: GraphOutput[] = outs.map((o) => ({ v: o.v < 0 ? -1 : map[o.v]!, shift: o.shift, lo: 0n, hi: 0n }));
  return { nIn, input: { ...input }, nodes, outputs };
}
