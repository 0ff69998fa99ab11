import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/da/cmvm.js';
import { naiveAdderCount } from '../../src/da/csd.js';
import { evaluateGraph, operandsOf } from '../../src/da/graph.js';
import { parseSpec } from '../../src/spec/parse.js';
import { matVec } from '../../src/sim/reference.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { randomShapedSpec, randomSpec, matrix } from '../helpers/random.js';

const bench = (f: string): string => fileURLToPath(new URL(`../../../shared/bench/${f}`, import.meta.url));

describe('cmvm optimizer', () => {
  it('builds graphs that compute W·x for random matrices', () => {
    const rng = new Rng(42);
    for (let trial = 0; trial < 150; trial++) {
      const spec = randomShapedSpec(rng, 24, 15);
      const { graph } = optimize(spec.weights, spec.input);
      // structure: operands precede their node, levels are consistent
      graph.nodes.forEach((n, k) => {
        const v = graph.nIn + k;
        const levelOf = (u: number): number => (u < graph.nIn ? 0 : graph.nodes[u - graph.nIn]!.level);
        expect(n.a).toBeLessThan(v);
        // add and sub read b too; neg reads a only
        if (n.op === 'neg') expect(operandsOf(n)).toEqual([n.a]);
        else {
          expect(n.b).toBeGreaterThanOrEqual(0);
          expect(n.b).toBeLessThan(v);
          expect(operandsOf(n)).toEqual([n.a, n.b]);
        }
        expect(n.level).toBe(1 + Math.max(levelOf(n.a), n.op === 'neg' ? 0 : levelOf(n.b)));
      });
      for (const x of testVectors(spec.weights[0]!.length, spec.input, 30, trial)) {
        expect(evaluateGraph(graph, x)).toEqual(matVec(spec.weights, x));
      }
    }
  });

  it('gives zero rows a constant output and single-term outputs no adder', () => {
    const w = [
      [0n, 0n, 0n],
      [0n, 8n, 0n],
      [1n, 0n, 0n],
      [0n, 0n, 0n],
    ];
    const { graph, stats } = optimize(w, { width: 8, signed: true });
    expect(stats.adders).toBe(0);
    expect(graph.nodes).toHaveLength(0);
    expect(graph.outputs.map((o) => [o.v, o.shift])).toEqual([
      [-1, 0],
      [1, 3],
      [0, 0],
      [-1, 0],
    ]);
  });

  it('builds an all-negative output with one adder, counted', () => {
    for (const w of [[[-4n], [-4n]], [[-4n, 0n], [-4n, 0n]], [[-1n, -2n], [0n, 0n]]]) {
      const { graph, stats } = optimize(w, { width: 8, signed: true });
      expect(stats.adders).toBe(w[0]!.filter((v) => v !== 0n).length); // one adder per row here
      expect(graph.nodes.length).toBe(stats.adders);
      expect(graph.outputs[0]!.v).toBeGreaterThanOrEqual(graph.nIn); // not a bare input
      for (const x of testVectors(w[0]!.length, { width: 8, signed: true }, 20, 1)) expect(evaluateGraph(graph, x)).toEqual(matVec(w, x));
    }
  });

  it('builds identical rows once', () => {
    const row = [93n, -77n, 45n, 119n, -3n];
    const single = optimize([row], { width: 8, signed: true }).stats.adders;
    const triple = optimize([row, row, row], { width: 8, signed: true });
    expect(triple.stats.adders).toBe(single);
    expect(new Set(triple.graph.outputs.map((o) => `${o.v}:${o.shift}`)).size).toBe(1);
  });

  it('shares a two-term subexpression used by several outputs', () => {
    // Every row contains x0 + 4·x1 (up to shift and sign): it must be built once.
    const w = [
      [1n, 4n, 1n, 0n],
      [2n, 8n, 0n, 1n],
      [-1n, -4n, 0n, 2n],
      [4n, 16n, 1n, 1n],
    ];
    const { graph, stats } = optimize(w, { width: 6, signed: false });
    expect(stats.adders).toBeLessThan(naiveAdderCount(w));
    const shared = graph.nodes.filter((n) => n.op !== 'neg' && n.a === 0 && n.b === 1 && n.shiftB - n.shiftA === 2);
    expect(shared.length).toBe(1);
  });

  it('is deterministic', () => {
    const rng = new Rng(7);
    const spec = randomSpec(rng, { rows: 20, cols: 20, width: 8, signed: true, weightBits: 8 });
    const a = optimize(spec.weights, spec.input).graph;
    const b = optimize(spec.weights, spec.input).graph;
    expect(JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(
      JSON.stringify(b, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
    );
  });

  it.runIf(existsSync(bench('rand_i8_64x64.json')))('saves at least 25% of the no-sharing adders on rand_i8_64x64', () => {
    const spec = matrix(parseSpec(readFileSync(bench('rand_i8_64x64.json'), 'utf8'), 'rand_i8_64x64.json'));
    const { graph, stats } = optimize(spec.weights, spec.input);
    expect(stats.naiveAdders).toBe(11321); // the figure the benchmark README gives
    expect(stats.adders).toBeLessThanOrEqual(Math.floor(0.75 * stats.naiveAdders));
    for (const x of testVectors(64, spec.input, 20, 3)) expect(evaluateGraph(graph, x)).toEqual(matVec(spec.weights, x));
  });
});
