import { describe, expect, it } from 'vitest';
import { attemptsFor, optimize } from '../../src/da/cmvm.js';
import type { Attempt } from '../../src/da/cmvm.js';
import { csd } from '../../src/da/csd.js';
import { BLOCK_TERMS, LONG_ROW, Row, SH, SH_BITS, splitRow } from '../../src/da/cse.js';
import { evaluateGraph, operandsOf } from '../../src/da/graph.js';
import type { AdderGraph } from '../../src/da/graph.js';
import { matVec } from '../../src/sim/reference.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';

// cse.ts: the sharing search on long rows (searched in blocks, within the row's depth budget).

const INPUT = { width: 16, signed: true };

/** One row of `n` uniformly random 16-bit weights (some negated to all-negative on request). */
function longRow(n: number, seed: number, allNegative = false): bigint[][] {
  const rng = new Rng(seed);
  return [
    Array.from({ length: n }, () => {
      const w = rng.bigBetween(-32768n, 32767n);
      return allNegative ? -(w < 0n ? -w : w) - 1n : w;
    }),
  ];
}

function digitsOf(w: bigint[][]): number {
  let d = 0;
  for (const r of w) for (const x of r) d += csd(x).length;
  return d;
}

/** Longest input-to-output path, recomputed from the node list. */
function pathDepth(g: AdderGraph): number {
  const d: number[] = new Array<number>(g.nIn).fill(0);
  for (const n of g.nodes) d.push(1 + Math.max(...operandsOf(n).map((v) => d[v]!)));
  return Math.max(0, ...g.outputs.map((o) => (o.v < 0 ? 0 : d[o.v]!)));
}

function checkGraph(g: AdderGraph, w: bigint[][]): void {
  for (const x of testVectors(w[0]!.length, INPUT, 40, 3)) expect(evaluateGraph(g, x)).toEqual(matVec(w, x));
}

const eager: Attempt = attemptsFor(1)[0]!;
const phased: Attempt = attemptsFor(8).find((a) => a.strategy === 'phased')!;

describe('long rows', () => {
  it('count term pairs linearly in the terms of a row, not quadratically, and still compute W·x', () => {
    // 512 weights of 16 bits: about 2800 CSD digits, 3.9 million pairs if all were counted
    const w = longRow(512, 5);
    const digits = digitsOf(w);
    expect(digits).toBeGreaterThan(2 * LONG_ROW);
    for (const at of [eager, phased]) {
      const { graph, stats } = optimize(w, INPUT, { attempts: [at] });
      expect(stats.phases.length).toBeGreaterThan(0);
      for (const ph of stats.phases) {
        expect(ph.pairs).toBeLessThanOrEqual(128 * digits);
        // the statistics hold the first pairs and those of the nodes built, each within a block
        expect(ph.patterns).toBeLessThanOrEqual(256 * digits);
      }
      expect(stats.adders).toBeLessThan(stats.naiveAdders);
      expect(pathDepth(graph)).toBeLessThanOrEqual(stats.depthBound);
      checkGraph(graph, w);
    }
  });

  it('keep the depth bound of the whole row over its blocks, at every slack, all-negative rows included', () => {
    for (const [seed, allNegative] of [
      [7, false],
      [8, true],
    ] as const) {
      const w = longRow(300, seed, allNegative);
      expect(digitsOf(w)).toBeGreaterThan(LONG_ROW);
      for (const dc of [0, 1]) {
        for (const at of [eager, phased]) {
          const { graph, stats } = optimize(w, INPUT, { attempts: [at], depthSlack: dc });
          expect(stats.depthBound).toBe(stats.minDepth + dc);
          expect(pathDepth(graph)).toBeLessThanOrEqual(stats.minDepth + dc);
          checkGraph(graph, w);
        }
      }
    }
  });
});

describe('splitRow', () => {
  /** A row of terms ±(v << s) from weights, as the optimizer builds it. */
  function rowOf(weights: bigint[]): Row {
    const row = new Row();
    weights.forEach((w, v) => {
      for (const d of csd(w)) row.set(v * SH + d.shift, d.sign);
    });
    return row;
  }

  it('parts a row into blocks of at most BLOCK_TERMS terms, each variable whole, and empties the row', () => {
    const weights = longRow(700, 11)[0]!;
    const row = rowOf(weights);
    const before = new Map(row.keys.map((k, j) => [k, row.signs[j]!]));
    const blocks = splitRow(row);
    expect(row.size).toBe(0);
    // a run of variables with one digit pattern may start a block early, at most once per block
    expect(blocks.length).toBeGreaterThanOrEqual(Math.ceil(before.size / BLOCK_TERMS));
    expect(blocks.length).toBeLessThanOrEqual(2 * Math.ceil(before.size / BLOCK_TERMS));
    const after = new Map<number, number>();
    const blockOf = new Map<number, number>();
    blocks.forEach((b, bi) => {
      expect(b.size).toBeLessThanOrEqual(BLOCK_TERMS);
      expect(b.size).toBeGreaterThan(0);
      b.keys.forEach((k, j) => {
        expect(after.has(k)).toBe(false);
        after.set(k, b.signs[j]!);
        const v = k >> SH_BITS;
        expect(blockOf.get(v) ?? bi).toBe(bi);
        blockOf.set(v, bi);
      });
    });
    expect(after).toEqual(before);
  });

  it('puts variables with the same weight up to a power of two and a sign in one block', () => {
    // 1000 weights: 50 of ±13·2^k and 50 of ±11·2^k (3 digits each) among random ones; each
    // group (150 terms) fits in one block
    const rng = new Rng(12);
    const weights = Array.from({ length: 1000 }, (_, i) => {
      const sign = rng.below(2) === 0 ? 1n : -1n;
      if (i % 20 === 3) return sign * (13n << BigInt(rng.below(8)));
      if (i % 20 === 7) return sign * (11n << BigInt(rng.below(8)));
      return rng.bigBetween(-32768n, 32767n);
    });
    const blocks = splitRow(rowOf(weights));
    expect(blocks.length).toBeGreaterThan(1);
    for (const group of [3, 7]) {
      const where = new Set<number>();
      blocks.forEach((b, bi) => {
        for (const k of b.keys) if ((k >> SH_BITS) % 20 === group) where.add(bi);
      });
      expect(where.size).toBe(1);
    }
  });
});
