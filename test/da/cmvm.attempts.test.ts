import { describe, expect, it } from 'vitest';
import { attemptsFor, minimumDepth, optimize } from '../../src/da/cmvm.js';
import type { Attempt } from '../../src/da/cmvm.js';
import { evaluateGraph, operandsOf } from '../../src/da/graph.js';
import type { AdderGraph } from '../../src/da/graph.js';
import { bitsFor } from '../../src/da/ranges.js';
import { matVec } from '../../src/sim/reference.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { randomSpec } from '../helpers/random.js';

// cmvm.ts: the depth bound (minimumDepth) and the search attempts (attemptsFor, optimize).

/** Longest input-to-output path, recomputed from the node list (not from node.level). */
function pathDepth(g: AdderGraph): number {
  const d: number[] = new Array(g.nIn).fill(0);
  for (const n of g.nodes) d.push(1 + Math.max(...operandsOf(n).map((v) => d[v]!)));
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
    for (const strategy of ['phased', 'eager'] as const) {
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
