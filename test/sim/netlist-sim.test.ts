import { describe, expect, it } from 'vitest';
import type { AdderGraph } from '../../src/da/graph.js';
import { compile } from '../../src/flows/compile.js';
import type { Netlist } from '../../src/rtl/netlist.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import { compileNetlist } from '../../src/sim/netlist-sim.js';
import { matrixReference, matVec } from '../../src/sim/reference.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { matrixCase, randomShapedSpec, randomSpec } from '../helpers/random.js';

/** Value of every variable of the graph (its own evaluator). */
function evaluateNodes(g: AdderGraph, x: bigint[]): bigint[] {
  const v = [...x];
  for (const n of g.nodes) {
    const a = v[n.a]! * 2n ** BigInt(n.shiftA);
    v.push(n.op === 'neg' ? -a : n.op === 'add' ? a + v[n.b]! * 2n ** BigInt(n.shiftB) : a - v[n.b]! * 2n ** BigInt(n.shiftB));
  }
  return v;
}

/** Highest number of low bits of signal i that any reader uses (following registers). */
function bitsRead(n: Netlist, i: number): number {
  let m = 0;
  n.signals.forEach((t, j) => {
    switch (t.kind) {
      case 'input':
        break;
      case 'reg':
        if (t.a === i) m = Math.max(m, bitsRead(n, j));
        break;
      case 'add':
      case 'sub':
        if (t.a === i) m = Math.max(m, t.width - t.shiftA);
        if (t.b === i) m = Math.max(m, t.width - t.shiftB);
        break;
      case 'neg':
        if (t.a === i) m = Math.max(m, t.width - t.shiftA);
        break;
      default:
        // a single matrix's netlist has inputs, adders and registers only
        throw new Error(`unexpected ${t.kind} signal ${t.name} in a matrix netlist`);
    }
  });
  for (const o of n.outputs) if (o.signal === i) m = Math.max(m, n.ports.outputWidth - o.shift);
  return m;
}

function simulate(n: Netlist, weights: bigint[][], vectors: bigint[][]) {
  const ys = compileNetlist(n).run(withFlush(vectors, n.ports.nIn, n.latency));
  return compareWithReference(matrixReference(weights), vectors, ys, n.latency);
}

describe('netlist simulator against W·x', () => {
  it('passes for random shapes 1..24 × 1..24, widths 2..16, signed and unsigned, latencies 0..4', () => {
    const rng = new Rng(2026);
    let cases = 0;
    for (let trial = 0; trial < 120; trial++) {
      const spec = randomShapedSpec(rng, 24, 17);
      const latency = rng.below(5);
      // (one search attempt: this checks the netlist and its simulation, not the search, which
      // test/da/cmvm*.test.ts check; its default 16 attempts were nine tenths of this test's time)
      const r = compile(spec, { latency, effort: 1 });
      const vecs = testVectors(spec.weights[0]!.length, spec.input, 60, trial);
      const c = simulate(r.netlist, spec.weights, vecs);
      expect(c.mismatches, `trial ${trial}`).toEqual([]);
      cases++;
    }
    expect(cases).toBe(120);
  });

  it('uses exact BigInt arithmetic when values exceed 2^52', () => {
    const spec = matrixCase('big', { width: 32, signed: true }, [[(1n << 62n) - 3n, 5n], [-(1n << 50n) + 1n, (1n << 63n) - 1n]]);
    const r = compile(spec, { latency: 1 });
    const sim = compileNetlist(r.netlist);
    expect(sim.mode).toBe('bigint');
    const vecs = testVectors(2, spec.input, 50, 9);
    expect(compareWithReference(matrixReference(spec.weights), vecs, sim.run(withFlush(vecs, 2, 1)), 1).pass).toBe(true);
  });

  it('shows one new result per cycle after exactly L cycles', () => {
    const spec = matrixCase('p', { width: 8, signed: true }, [[3n, -5n], [12n, 7n]]);
    for (let L = 0; L <= 4; L++) {
      const n = compile(spec, { latency: L }).netlist;
      const vecs = [[1n, 2n], [3n, 4n], [-128n, 127n]];
      const ys = compileNetlist(n).run(withFlush(vecs, 2, L));
      expect(ys.slice(L)).toEqual(vecs.map((x) => matVec(spec.weights, x)));
      if (L > 0) expect(ys[L - 1]).not.toEqual(matVec(spec.weights, vecs[0]!)); // registers start at 0
    }
  });

  it('catches a netlist that is wrong: a signal one bit too narrow, or an operation flipped', () => {
    const spec = randomSpec(new Rng(77), { rows: 8, cols: 8, width: 8, signed: true, weightBits: 8 });
    const r = compile(spec, { latency: 2 });
    const base = r.netlist;
    // Besides extremes and random vectors, the two vectors that drive each adder to its
    // minimum and maximum: x_i at the end of the range matching the sign of its coefficient.
    const vecs = testVectors(8, spec.input, 100, 1);
    // a single matrix: only add, sub and neg nodes
    expect(r.graph.nodes.every((n) => n.op === 'add' || n.op === 'sub' || n.op === 'neg')).toBe(true);
    const g = r.graph as AdderGraph;
    const unit = (i: number) => evaluateNodes(g, Array.from({ length: 8 }, (_, j) => (j === i ? 1n : 0n)));
    const coefs = Array.from({ length: 8 }, (_, i) => unit(i));
    g.nodes.forEach((_, k) => {
      vecs.push(coefs.map((c) => (c[8 + k]! > 0n ? 127n : -128n)));
      vecs.push(coefs.map((c) => (c[8 + k]! > 0n ? -128n : 127n)));
    });
    expect(simulate(base, spec.weights, vecs).pass).toBe(true);
    let caughtNarrow = 0;
    let caughtOp = 0;
    let tried = 0;
    base.signals.forEach((s, i) => {
      if (s.kind !== 'add' && s.kind !== 'sub') return;
      tried++;
      const narrow: Netlist = { ...base, signals: base.signals.map((t, j) => (j === i ? { ...t, width: t.width - 1 } : t)) };
      // A narrowing can only be harmless when no reader looks at the dropped top bit:
      // every consumer is itself narrower than (width − 1) + its shift.
      const harmless = bitsRead(base, i) <= s.width - 1;
      const caught = !simulate(narrow, spec.weights, vecs).pass;
      expect(caught, `${s.name} narrowed`).toBe(!harmless);
      if (caught || harmless) caughtNarrow++;
      const flipped: Netlist = { ...base, signals: base.signals.map((t, j) => (j === i ? { ...s, kind: s.kind === 'add' ? ('sub' as const) : ('add' as const) } : t)) };
      if (!simulate(flipped, spec.weights, vecs).pass) caughtOp++;
    });
    expect(tried).toBeGreaterThan(10);
    // every narrowing that matters shows on the extreme vectors; every flip changes a value
    expect(caughtNarrow).toBe(tried);
    expect(caughtOp).toBe(tried);
  });
});
