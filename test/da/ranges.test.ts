import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/da/cmvm.js';
import type { AdderGraph } from '../../src/da/graph.js';
import { bitLength, bitsFor } from '../../src/da/ranges.js';
import { Rng } from '../../src/sim/vectors.js';
import { randomSpec } from '../helpers/random.js';

/** Values of every variable for one input vector (its own evaluator, independent of evaluateGraph). */
function allValues(g: AdderGraph, x: bigint[]): bigint[] {
  const v = [...x];
  for (const n of g.nodes) {
    const a = v[n.a]! * 2n ** BigInt(n.shiftA);
    if (n.op === 'neg') v.push(-a);
    else {
      const b = v[n.b]! * 2n ** BigInt(n.shiftB);
      v.push(n.op === 'add' ? a + b : a - b);
    }
  }
  return v;
}

describe('value ranges and widths', () => {
  it('bitsFor gives the smallest width', () => {
    expect(bitsFor(0n, 0n)).toBe(1);
    expect(bitsFor(0n, 1n)).toBe(1);
    expect(bitsFor(0n, 255n)).toBe(8);
    expect(bitsFor(0n, 256n)).toBe(9);
    expect(bitsFor(-1n, 0n)).toBe(1);
    expect(bitsFor(-128n, 127n)).toBe(8);
    expect(bitsFor(-129n, 127n)).toBe(9);
    expect(bitsFor(-128n, 128n)).toBe(9);
    expect(bitsFor(0n, 255n, true)).toBe(9);
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(1n << 70n)).toBe(71);
  });

  it('are exact: every node range is attained and never exceeded (exhaustive over small inputs)', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const cols = 1 + rng.below(3);
      const width = 2 + rng.below(3);
      const signed = rng.below(2) === 0;
      const spec = randomSpec(rng, { rows: 1 + rng.below(5), cols, width, signed, weightBits: 3 + rng.below(8) });
      const { graph } = optimize(spec.weights, spec.input);
      const nv = graph.nIn + graph.nodes.length;
      const lo: bigint[] = new Array(nv).fill(null);
      const hi: bigint[] = new Array(nv).fill(null);
      const lo0 = signed ? -(1n << BigInt(width - 1)) : 0n;
      const hi0 = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
      const x = new Array<bigint>(cols).fill(lo0);
      for (;;) {
        const v = allValues(graph, x);
        v.forEach((val, k) => {
          if (lo[k] === null || val < lo[k]!) lo[k] = val;
          if (hi[k] === null || val > hi[k]!) hi[k] = val;
        });
        let c = 0;
        while (c < cols && x[c] === hi0) x[c++] = lo0;
        if (c === cols) break;
        x[c]!++;
      }
      graph.nodes.forEach((n, k) => {
        expect([n.lo, n.hi]).toEqual([lo[graph.nIn + k], hi[graph.nIn + k]]);
      });
    }
  });

  it('stays exact with 64-bit weights (BigInt path)', () => {
    const w = [[(1n << 62n) + 12345n, -(1n << 61n)], [3n, (1n << 63n) - 1n]];
    const { graph } = optimize(w, { width: 32, signed: true });
    const m = 1n << 31n;
    // output 0: max = (2^62+12345)(2^31−1) + 2^61·2^31
    expect(graph.outputs[0]!.hi).toBe(((1n << 62n) + 12345n) * (m - 1n) + (1n << 61n) * m);
    expect(graph.outputs[1]!.lo).toBe(3n * -m + ((1n << 63n) - 1n) * -m);
  });
});
