import { describe, expect, it } from 'vitest';
import type { AdderGraph, AdderNode, AdderOp } from '../../src/da/graph.js';
import { evaluateGraph } from '../../src/da/graph.js';
import { bitsFor, computeRanges } from '../../src/da/ranges.js';
import { optimizeSigns } from '../../src/da/signs.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';

const INPUT = { width: 8, signed: true };

/** A graph from (op, a, shiftA, b, shiftB) rows; levels and exact ranges filled in. */
function graphOf(nIn: number, rows: [AdderOp, number, number, number, number][], outs: [number, number][]): AdderGraph {
  const nodes: AdderNode[] = [];
  const level = (v: number): number => (v < nIn ? 0 : nodes[v - nIn]!.level);
  for (const [op, a, shiftA, b, shiftB] of rows) {
    // a negation reads `a` only (its b and shiftB columns are ignored)
    if (op === 'neg') nodes.push({ op, a, shiftA, level: 1 + level(a), lo: 0n, hi: 0n });
    else nodes.push({ op, a, shiftA, b, shiftB, level: 1 + Math.max(level(a), level(b)), lo: 0n, hi: 0n });
  }
  const g: AdderGraph = { nIn, input: INPUT, nodes, outputs: outs.map(([v, shift]) => ({ v, shift, lo: 0n, hi: 0n })) };
  computeRanges(g, 1n << 20n);
  return g;
}

function randomGraph(rng: Rng): AdderGraph {
  const nIn = 2 + rng.below(6);
  const N = 3 + rng.below(30);
  const rows: [AdderOp, number, number, number, number][] = [];
  for (let k = 0; k < N; k++) {
    const vars = nIn + k;
    const r = rng.below(20);
    const op: AdderOp = r === 0 ? 'neg' : r < 10 ? 'add' : 'sub';
    rows.push([op, rng.below(vars), rng.below(4), rng.below(vars), rng.below(4)]);
  }
  const outs: [number, number][] = [];
  const nOut = 1 + rng.below(5);
  for (let o = 0; o < nOut; o++) outs.push([nIn + rng.below(N), rng.below(3)]);
  outs.push([nIn + N - 1, 0]);
  return graphOf(nIn, rows, outs);
}

/**
 * The cost the sign choice minimises, computed here from the graph as written (independently
 * of signs.ts): the width of every variable that needs an inverter (subtracted by some reader
 * and added by another, read by an output, or an input), plus every adder's carry-chain length.
 */
function modelCost(g: AdderGraph): number {
  const V = g.nIn + g.nodes.length;
  const plus = new Uint8Array(V);
  const minus = new Uint8Array(V);
  for (let i = 0; i < g.nIn; i++) plus[i] = 1;
  for (const o of g.outputs) if (o.v >= 0) plus[o.v] = 1;
  let cost = 0;
  g.nodes.forEach((n) => {
    const w = bitsFor(n.lo, n.hi);
    if (n.op === 'add') {
      plus[n.a] = 1;
      plus[n.b] = 1;
      cost += Math.max(1, w - Math.max(n.shiftA, n.shiftB));
    } else if (n.op === 'sub') {
      plus[n.a] = 1;
      minus[n.b] = 1;
      cost += Math.max(1, w - n.shiftB);
    } else {
      minus[n.a] = 1;
      cost += Math.max(1, w - n.shiftA);
    }
  });
  for (let v = 0; v < V; v++) {
    if (plus[v] && minus[v]) cost += v < g.nIn ? g.input.width : bitsFor(g.nodes[v - g.nIn]!.lo, g.nodes[v - g.nIn]!.hi);
  }
  return cost;
}

describe('sign choice', () => {
  it('keeps every output, the adder count and exact ranges, and never raises the cost it minimises', () => {
    const rng = new Rng(11);
    let improved = 0;
    for (let trial = 0; trial < 300; trial++) {
      const g = randomGraph(rng);
      const r = optimizeSigns(g);
      expect(r.graph.nodes.length).toBe(g.nodes.length);
      expect(r.graph.outputs).toEqual(g.outputs);
      r.graph.nodes.forEach((n, k) => expect(n.level).toBe(g.nodes[k]!.level));
      for (const x of testVectors(g.nIn, INPUT, 20, trial)) expect(evaluateGraph(r.graph, x)).toEqual(evaluateGraph(g, x));
      // the ranges it claims are the exact ranges of what it builds
      const again: AdderGraph = { ...r.graph, nodes: r.graph.nodes.map((n) => ({ ...n, lo: 0n, hi: 0n })) };
      computeRanges(again, 1n << 20n);
      expect(again.nodes.map((n) => [n.lo, n.hi])).toEqual(r.graph.nodes.map((n) => [n.lo, n.hi]));
      const before = modelCost(g);
      const after = modelCost(r.graph);
      expect(after).toBeLessThanOrEqual(before);
      if (after < before) improved++;
    }
    // the choice does something on a fair share of random graphs
    expect(improved).toBeGreaterThan(30);
  });

  it('turns a subtraction around so that a shared sum is only ever added', () => {
    // n0 = x0 − x1 is added by n2 and subtracted by n1 = x2 − n0, which only n3 = x4 − n1 reads.
    // As written n0 needs an inverter (9 bits). Computing n1 as n0 − x2 instead (and n3 as
    // x4 + n1) leaves n0 only added, at the price of inverting x2 (8 bits).
    const g = graphOf(
      5,
      [
        ['sub', 0, 0, 1, 0], // n0 = x0 − x1            (var 5)
        ['sub', 2, 0, 5, 0], // n1 = x2 − n0            (var 6)
        ['add', 3, 0, 5, 0], // n2 = x3 + n0            (var 7)
        ['sub', 4, 0, 6, 0], // n3 = x4 − n1            (var 8)
      ],
      [
        [7, 0],
        [8, 0],
      ],
    );
    const r = optimizeSigns(g);
    const n1 = r.graph.nodes[1]!;
    expect(n1.op).toBe('sub');
    if (n1.op !== 'sub') throw new Error('unreachable');
    expect([n1.op, n1.a, n1.b]).toEqual(['sub', 5, 2]);
    expect(r.graph.nodes[3]!.op).toBe('add');
    expect(modelCost(r.graph)).toBe(modelCost(g) - 1);
  });

  it('leaves alone what outputs read and what negations read', () => {
    const g = graphOf(
      3,
      [
        ['sub', 0, 0, 1, 0], // n0 = x0 − x1, read by the negation
        ['neg', 3, 0, 0, 0], // n1 = −n0
        ['sub', 2, 1, 4, 0], // n2 = (x2 << 1) − n1, an output
      ],
      [[5, 0]],
    );
    const r = optimizeSigns(g);
    expect(r.graph.nodes).toEqual(g.nodes);
  });
});
