import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/da/builder.js';
import { optimize } from '../../src/da/cmvm.js';
import { evaluateGraph } from '../../src/da/graph.js';
import type { AdderGraph } from '../../src/da/graph.js';
import { solveMcm } from '../../src/da/mcm.js';
import { matVec } from '../../src/sim/reference.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { matrix } from '../helpers/random.js';

const bench = (f: string): string => fileURLToPath(new URL(`../../../shared/bench/${f}`, import.meta.url));

function checkGraph(g: AdderGraph, w: bigint[][], input: { width: number; signed: boolean }, n = 25): void {
  for (const x of testVectors(w[0]!.length, input, n, 4)) expect(evaluateGraph(g, x)).toEqual(matVec(w, x));
}

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

  // Issue 11: the search's work grew without bound with the constants' width (a 12×1 column of
  // random 48-bit weights ran a quarter of an hour, then failed with "Map maximum size exceeded").
  it('gives up past its work budget, and a column of wide weights still compiles, exactly', () => {
    const rng = new Rng(48);
    const wide = (bits: number): bigint => BigInt.asIntN(bits, (BigInt(rng.below(2 ** 30)) << 30n) | BigInt(rng.below(2 ** 30)));
    const cs = Array.from({ length: 12 }, () => wide(48));
    expect(solveMcm(cs, Infinity, new GraphBuilder(1), 10_000)).toBeNull();
    // the default budget: the search ends (whatever it finds) and the graph computes c·x
    const w = Array.from({ length: 8 }, () => [wide(44)]);
    const { graph } = optimize(w, { width: 8, signed: true });
    checkGraph(graph, w, { width: 8, signed: true });
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
