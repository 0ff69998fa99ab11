import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/da/cmvm.js';
import { bitsFor } from '../../src/da/ranges.js';
import { buildNetlist, stageCuts } from '../../src/rtl/netlist.js';
import { Rng } from '../../src/sim/vectors.js';
import { ranks } from '../helpers/netlist.js';
import { randomShapedSpec } from '../helpers/random.js';

describe('pipelining', () => {
  it('splits the depth into stages as equal as possible', () => {
    expect(stageCuts(8, 2)).toEqual([4, 8]);
    expect(stageCuts(5, 2)).toEqual([3, 5]);
    expect(stageCuts(7, 3)).toEqual([2, 5, 7]);
    expect(stageCuts(2, 4)).toEqual([1, 1, 2, 2]);
    expect(stageCuts(0, 3)).toEqual([0, 0, 0]);
    for (let d = 0; d < 20; d++) {
      for (let l = 1; l <= 8; l++) {
        const c = stageCuts(d, l);
        const sizes = c.map((x, k) => x - (k === 0 ? 0 : c[k - 1]!));
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(c[l - 1]).toBe(d);
      }
    }
  });

  it('puts exactly L register ranks on every path, keeps stage depths within the cuts, and sizes every signal exactly', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const spec = randomShapedSpec(rng, 16, 13);
      const { graph } = optimize(spec.weights, spec.input);
      for (let L = 0; L <= 4; L++) {
        const n = buildNetlist(graph, 'dut', L);
        // the ports: x as the spec gives it, one y field per row, no score
        const { outputWidth: _w, outputSigned: _s, ...given } = n.ports;
        expect(given).toEqual({ nIn: spec.weights[0]!.length, inputWidth: spec.input.width, inputSigned: spec.input.signed, nOut: spec.weights.length, scoreWidth: null });
        expect(n.outputs).toHaveLength(n.ports.nOut);
        const r = ranks(n);
        for (const o of n.outputs) if (o.signal >= 0) expect(r[o.signal]).toBe(L);
        for (const s of n.signals) {
          expect(s.width).toBe(bitsFor(s.lo, s.hi));
          expect(s.signed).toBe(s.lo < 0n);
          if (s.kind === 'add' || s.kind === 'sub' || s.kind === 'neg') {
            if (L > 0) {
              const first = s.stage === 1 ? 1 : n.cuts[s.stage - 2]! + 1;
              expect(s.level).toBeGreaterThanOrEqual(first);
              expect(s.level).toBeLessThanOrEqual(n.cuts[s.stage - 1]!);
            }
          }
        }
        const regBits = n.signals.filter((s) => s.kind === 'reg').reduce((a, s) => a + s.width, 0);
        expect(n.registerBits).toBe(regBits);
        if (L === 0) expect(regBits).toBe(0);
        // output width holds every output range
        for (const o of n.outputs) expect(bitsFor(o.lo, o.hi, n.ports.outputSigned)).toBeLessThanOrEqual(n.ports.outputWidth);
      }
    }
  });

  it('rejects a latency outside 0..8', () => {
    const { graph } = optimize([[3n]], { width: 4, signed: true });
    expect(() => buildNetlist(graph, 'm', 9)).toThrow(/latency/);
    expect(() => buildNetlist(graph, 'm', -1)).toThrow(/latency/);
    expect(() => buildNetlist(graph, 'm', 1.5)).toThrow(/latency/);
  });

  it('uses the smallest common output width and signedness', () => {
    const u = buildNetlist(optimize([[3n, 1n], [1n, 0n]], { width: 4, signed: false }).graph, 'm', 1);
    expect([u.ports.outputSigned, u.ports.outputWidth]).toEqual([false, 6]); // max 3·15 + 15 = 60
    const s = buildNetlist(optimize([[3n, -1n], [0n, 0n]], { width: 4, signed: false }).graph, 'm', 1);
    expect([s.ports.outputSigned, s.ports.outputWidth]).toEqual([true, 7]); // −15 … 45
    const z = buildNetlist(optimize([[0n]], { width: 4, signed: true }).graph, 'm', 2);
    expect([z.ports.outputWidth, z.registerBits]).toEqual([1, 0]);
  });
});
