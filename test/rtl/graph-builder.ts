import { evaluateNetworkGraph, inputRange, operandsOf } from '../../src/da/graph.js';
import type { InputFormat, NetGraphOutput, NetNode, NetworkGraph } from '../../src/da/graph.js';
import { Rng } from '../../src/sim/vectors.js';

/** A node as written by hand: what the builder fills in (level, lo, hi) left out. */
type WithoutRange<T> = T extends unknown ? Omit<T, 'level' | 'lo' | 'hi'> : never;
export type HandNode = WithoutRange<NetNode>;

/** Input vectors: all of them up to this many, else the extremes and this many random ones. */
export const EXHAUSTIVE = 4096;

/**
 * Network graphs written by hand, node by node (`add` returns the new variable's number). The
 * levels follow the graph's rules (adders, comparators, tables, ReLU and saturating fits are
 * one level each; a multiplexer, a right shift, a wrapping fit and a cat take their operands' level),
 * and every node's lo/hi is its exact range over `vectors`: every input vector when there are at
 * most EXHAUSTIVE of them, else the extremes and random ones (and then a test must run those
 * vectors, since others may leave the ranges). Each node's values are found by
 * `evaluateNetworkGraph` on a graph of that node alone, whose inputs are the values so far.
 */
export class GraphBuilder {
  readonly nodes: NetNode[] = [];
  readonly vectors: bigint[][];
  /** values[t][v]: variable v on vector t. */
  private readonly values: bigint[][];
  constructor(
    readonly nIn: number,
    readonly input: InputFormat,
    seed = 1,
  ) {
    this.vectors = inputVectors(nIn, input, seed);
    this.values = this.vectors.map((x) => [...x]);
  }

  get size(): number {
    return this.nIn + this.nodes.length;
  }

  /** The exact range of variable v over the vectors. */
  range(v: number): { lo: bigint; hi: bigint } {
    if (v < this.nIn) return inputRange(this.input);
    const n = this.nodes[v - this.nIn]!;
    return { lo: n.lo, hi: n.hi };
  }

  level(v: number): number {
    return v < this.nIn ? 0 : this.nodes[v - this.nIn]!.level;
  }

  add(hand: HandNode): number {
    const reads = operandsOf({ ...hand, level: 0, lo: 0n, hi: 0n } as NetNode);
    for (const v of reads) if (v < 0 || v >= this.size) throw new Error(`node ${this.nodes.length} reads variable ${v}, not defined`);
    const own = hand.op === 'mux' || hand.op === 'shr' || hand.op === 'cat' || (hand.op === 'fit' && hand.fit.overflow === 'wrap') ? 0 : 1;
    const level = Math.max(0, ...reads.map((v) => this.level(v))) + own;
    const node = { ...hand, level, lo: 0n, hi: 0n } as NetNode;
    const V = this.size;
    const alone: NetworkGraph = { nIn: V, input: this.input, nodes: [node], outputs: [{ v: V, shift: 0, lo: 0n, hi: 0n }] };
    let lo: bigint | null = null;
    let hi: bigint | null = null;
    for (const row of this.values) {
      const y = evaluateNetworkGraph(alone, row)[0]!;
      row.push(y);
      if (lo === null || y < lo) lo = y;
      if (hi === null || y > hi) hi = y;
    }
    node.lo = lo!;
    node.hi = hi!;
    this.nodes.push(node);
    return V;
  }

  /** The graph with the given outputs (variable numbers, or with a shift; −1 for the constant 0, or { constant }). */
  graph(outputs: (number | { v: number; shift: number } | { constant: bigint })[]): NetworkGraph {
    const outs: NetGraphOutput[] = outputs.map((o) => {
      if (typeof o === 'object' && 'constant' in o) return { v: -1, shift: 0, lo: o.constant, hi: o.constant, constant: o.constant };
      const { v, shift } = typeof o === 'number' ? { v: o, shift: 0 } : o;
      if (v < 0) return { v: -1, shift: 0, lo: 0n, hi: 0n };
      const r = this.range(v);
      return { v, shift, lo: r.lo << BigInt(shift), hi: r.hi << BigInt(shift) };
    });
    return { nIn: this.nIn, input: this.input, nodes: this.nodes.map((n) => ({ ...n })), outputs: outs };
  }
}

/** Every input vector (at most EXHAUSTIVE), or the extremes and EXHAUSTIVE random vectors. */
function inputVectors(nIn: number, input: InputFormat, seed: number): bigint[][] {
  const { lo, hi } = inputRange(input);
  const size = Number(hi - lo + 1n);
  if (size ** nIn <= EXHAUSTIVE) {
    const all: bigint[][] = [];
    for (let k = 0; k < size ** nIn; k++) {
      let r = k;
      const x: bigint[] = [];
      for (let i = 0; i < nIn; i++) {
        x.push(lo + BigInt(r % size));
        r = Math.floor(r / size);
      }
      all.push(x);
    }
    return all;
  }
  const rng = new Rng(seed);
  const pick = rng.bigSampler(lo, hi);
  const out: bigint[][] = [new Array<bigint>(nIn).fill(lo), new Array<bigint>(nIn).fill(hi), new Array<bigint>(nIn).fill(0n)];
  for (let k = 0; k < EXHAUSTIVE; k++) out.push(Array.from({ length: nIn }, () => (rng.below(4) === 0 ? (rng.below(2) === 0 ? lo : hi) : pick())));
  return out;
}

/** A table over the values lo … hi of variable a: entries[v − lo] = f(v). */
export function tableOf(a: number, lo: bigint, hi: bigint, f: (v: bigint) => bigint): HandNode {
  const entries: bigint[] = [];
  for (let v = lo; v <= hi; v++) entries.push(f(v));
  return { op: 'table', a, base: lo, entries };
}
