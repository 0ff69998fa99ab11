import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/da/builder.js';
import { attemptsFor, minimumDepth, optimize } from '../../src/da/cmvm.js';
import type { Attempt } from '../../src/da/cmvm.js';
import { decomposeRows } from '../../src/da/decompose.js';
import { evaluateGraph } from '../../src/da/graph.js';
import type { AdderGraph } from '../../src/da/graph.js';
import { solveMcm } from '../../src/da/mcm.js';
import { bitsFor } from '../../src/da/ranges.js';
import { parseSpec } from '../../src/spec/parse.js';
import { matVec } from '../../src/sim/golden.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { randomSpec, matrix } from '../helpers/random.js';

const bench = (f: string): string => fileURLToPath(new URL(`../../../shared/bench/${f}`, import.meta.url));

/** Longest input-to-output path, recomputed from the node list (not from node.level). */
function pathDepth(g: AdderGraph): number {
  const d: number[] = new Array(g.nIn).fill(0);
  for (const n of g.nodes) d.push(1 + Math.max(d[n.a]!, n.b >= 0 ? d[n.b]! : 0));
  return Math.max(0, ...g.outputs.map((o) => (o.v < 0 ? 0 : d[o.v]!)));
}

function checkGraph(g: AdderGraph, w: bigint[][], input: { width: number; signed: boolean }, n = 25): void {
  for (const x of testVectors(w[0]!.length, input, n, 4)) expect(evaluateGraph(g, x)).toEqual(matVec(w, x));
}

describe('depth bound', () => {
  it('minimum depth is max over outputs of ceil(log2(CSD digits))', () => {
    expect(minimumDepth([[1n, 0n], [0n, 0n]])).toBe(0);
    expect(minimumDepth([[3n, 1n]])).toBe(2); // 4 − 1 + 1: three digits
    expect(minimumDepth([[5n, 5n], [1n, 1n]])).toBe(2);
    expect(minimumDepth([[0b1010101n]])).toBe(2);
    expect(minimumDepth([[0b101010101n]])).toBe(3);
    // every digit negative: the sum is negated once, which counts as one more term
    expect(minimumDepth([[-1n, -2n]])).toBe(2);
    expect(minimumDepth([[-1n, -1n, -1n]])).toBe(2);
    expect(minimumDepth([[-1n]])).toBe(1);
  });

  it('is never exceeded, for random matrices and every slack, and the graphs compute W·x', () => {
    const rng = new Rng(31);
    for (let trial = 0; trial < 40; trial++) {
      const spec = randomSpec(rng, { rows: 1 + rng.below(14), cols: 1 + rng.below(14), width: 2 + rng.below(12), signed: rng.below(2) === 0, weightBits: 2 + rng.below(10) });
      const min = minimumDepth(spec.weights);
      for (const dc of [-1, 0, 1, 2, 3]) {
        const { graph, stats } = optimize(spec.weights, spec.input, { depthSlack: dc, effort: 4 });
        expect(stats.minDepth).toBe(min);
        expect(stats.depthBound).toBe(dc < 0 ? Infinity : min + dc);
        expect(pathDepth(graph)).toBe(stats.depth);
        if (stats.depth > stats.depthBound) {
          throw new Error(`trial ${trial} dc ${dc}: depth ${stats.depth} > bound ${stats.depthBound}: ${JSON.stringify(spec.weights.map((r) => r.map(String)))} ${JSON.stringify(stats.attempts)}`);
        }
        checkGraph(graph, spec.weights, spec.input, 12);
      }
    }
  });
});

describe('search attempts', () => {
  it('every strategy, selection, decomposition and cost model computes W·x', () => {
    const rng = new Rng(8);
    const all: Attempt[] = [];
    for (const strategy of ['phased', 'eager', 'hybrid'] as const) {
      for (const selection of ['count', 'weighted'] as const) {
        for (const [rows, cols] of [
          [0, 0],
          [2, 0],
          [0, 2],
          [1, 1],
        ] as const) {
          all.push({ name: `${strategy}/${selection}/${rows}/${cols}`, strategy, selection, ties: rows ? 'deep' : 'shallow', rows, cols, endgame: cols === 0, seed: rows });
        }
      }
    }
    for (let trial = 0; trial < 6; trial++) {
      const spec = randomSpec(rng, { rows: 2 + rng.below(16), cols: 2 + rng.below(16), width: 3 + rng.below(10), signed: rng.below(2) === 0, weightBits: 3 + rng.below(8) });
      for (const cost of ['adders', 'bits'] as const) {
        for (const dc of [-1, 1]) {
          const { graph, stats } = optimize(spec.weights, spec.input, { depthSlack: dc, cost, attempts: all });
          expect(stats.attempts.length).toBeGreaterThan(0);
          checkGraph(graph, spec.weights, spec.input, 10);
          // the adder bits reported are the widths of the exact ranges
          expect(stats.adderBits).toBe(graph.nodes.reduce((s, n) => s + bitsFor(n.lo, n.hi), 0));
          // and the kept attempt is the best of those within the bound
          const ok = stats.attempts.filter((a) => a.depth <= stats.depthBound);
          if (cost === 'adders') expect(stats.adders).toBe(Math.min(...ok.map((a) => a.adders)));
          else expect(stats.adderBits).toBe(Math.min(...ok.map((a) => a.adderBits)));
        }
      }
    }
  });

  it('more effort never gives more adders, and is deterministic', () => {
    const spec = randomSpec(new Rng(12), { rows: 12, cols: 12, width: 8, signed: true, weightBits: 8 });
    const a1 = optimize(spec.weights, spec.input, { effort: 1 }).stats.adders;
    const a4 = optimize(spec.weights, spec.input, { effort: 4 }).stats.adders;
    const a12 = optimize(spec.weights, spec.input, { effort: 12 });
    expect(a4).toBeLessThanOrEqual(a1);
    expect(a12.stats.adders).toBeLessThanOrEqual(a4);
    expect(optimize(spec.weights, spec.input, { effort: 12 }).stats.attempt).toBe(a12.stats.attempt);
    expect(attemptsFor(12).map((a) => a.name)).toEqual(attemptsFor(12).map((a) => a.name));
  });
});

describe('row differences', () => {
  it('reconstruct every row from its parent, parents first, within the bound', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const base = Array.from({ length: 6 }, () => BigInt(rng.below(255) - 127));
      // rows near one another (and shifted/negated copies of near ones)
      const rows = Array.from({ length: 8 }, (_, k) => base.map((v) => (k % 3 === 2 ? -2n : 1n) * (v + BigInt(rng.below(5) - 2))));
      for (const bound of [Infinity, 6, 9]) {
        const d = decomposeRows(rows, bound, 3, 1);
        if (d === null) continue;
        const pos = new Map(d.order.map((a, k) => [a, k]));
        rows.forEach((r, a) => {
          const p = d.parent[a]!;
          if (p < 0) expect(d.delta[a]).toEqual(r);
          else {
            expect(pos.get(p)!).toBeLessThan(pos.get(a)!);
            const m = BigInt(d.sign[a]!) << BigInt(d.shift[a]!);
            expect(r.map((_, i) => d.delta[a]![i]! + m * rows[p]![i]!)).toEqual(r);
          }
        });
        expect(d.digitsAfter).toBeLessThan(d.digitsBefore);
      }
    }
  });
});

describe('MCM (one input, many constants)', () => {
  const distinctOdd = (cs: bigint[]): number => {
    const s = new Set<bigint>();
    for (let c of cs) {
      if (c < 0n) c = -c;
      if (c === 0n) continue;
      while ((c & 1n) === 0n) c >>= 1n;
      if (c > 1n) s.add(c);
    }
    return s.size;
  };

  it('builds every constant exactly, never below the lower bound, within the depth bound', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + rng.below(20);
      const bits = 3 + rng.below(12);
      const cs = Array.from({ length: n }, () => BigInt(rng.below(2 ** bits)) - BigInt(2 ** (bits - 1)));
      for (const bound of [Infinity, 4, 6]) {
        const b = new GraphBuilder(1);
        const m = solveMcm(cs, bound, b);
        if (m === null) continue; // may give up under a tight bound; the CSE attempts cover it
        expect(m.fundamentals).toBeGreaterThanOrEqual(distinctOdd(cs));
        // evaluate the builder's nodes directly
        const val: bigint[] = [1n];
        for (const d of b.defs) {
          const a = val[d.a]! << BigInt(d.shiftA);
          const c = d.b >= 0 ? val[d.b]! << BigInt(d.shiftB) : 0n;
          val.push(d.op === 'add' ? a + c : d.op === 'sub' ? a - c : -a);
          if (bound !== Infinity) expect(d.level).toBeLessThanOrEqual(bound);
        }
        m.outs.forEach((o, k) => expect(o.v < 0 ? 0n : val[o.v]! << BigInt(o.shift)).toBe(cs[k]));
      }
    }
  });

  it('builds a negative constant as a subtraction, with no extra adder', () => {
    const { stats } = optimize([[-3n], [-7n], [12n]], { width: 8, signed: true });
    expect(stats.adders).toBe(3); // −3 = 1 − 4, −7 = 1 − 8, 3 = 4 − 1 (then << 2)
  });

  it.runIf(existsSync(bench('mcm_i12_32x1.json')))('needs at most 37 adders on mcm_i12_32x1 at dc = 2 (lower bound 32)', () => {
    const spec = matrix(parseSpec(readFileSync(bench('mcm_i12_32x1.json'), 'utf8'), 'mcm'));
    expect(distinctOdd(spec.weights.map((r) => r[0]!))).toBe(32);
    const { graph, stats } = optimize(spec.weights, spec.input, { depthSlack: 2 });
    expect(stats.adders).toBeLessThanOrEqual(37);
    expect(stats.depth).toBeLessThanOrEqual(stats.depthBound);
    checkGraph(graph, spec.weights, spec.input, 40);
  });
});
