import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { icarusCheck } from '../helpers/icarus-check.js';
import { matrixCase, randomSpec } from '../helpers/random.js';
import { haveTool } from '../helpers/tools.js';

const icarus = haveTool('iverilog', ['-V']);

describe.runIf(icarus)('emitted Verilog of random and edge designs, run by Icarus', () => {
  it('random shapes, widths 2..16, signed and unsigned, latencies 0..4', async () => {
    const rng = new Rng(99);
    for (let k = 0; k < 12; k++) {
      const spec = randomSpec(rng, { rows: 1 + rng.below(24), cols: 1 + rng.below(24), width: 2 + rng.below(15), signed: rng.below(2) === 0, weightBits: 2 + rng.below(12) });
      const latency = rng.below(5);
      const r = compile(spec, { latency });
      const c = await icarusCheck(r, spec.weights, testVectors(spec.weights[0]!.length, spec.input, 80, k));
      expect(c.mismatches, `case ${k}, latency ${latency}`).toEqual([]);
    }
  });

  it('64-bit weights and 32-bit inputs, zero rows and columns, single terms, negations', async () => {
    const cases = [
      matrixCase('wide', { width: 32, signed: true }, [[(1n << 63n) - 1n, -(1n << 62n)], [0n, 0n], [1n, 0n], [-(1n << 40n), 3n]]),
      matrixCase('uwide', { width: 32, signed: false }, [[-1n], [(1n << 50n) + 1n], [12345678901234567n]]),
      matrixCase('tiny', { width: 2, signed: true }, [[1n, -1n, 0n], [-1n, -1n, 0n], [0n, 0n, 0n]]),
    ];
    for (const spec of cases) {
      for (const latency of [0, 1, 3]) {
        const r = compile(spec, { latency });
        const c = await icarusCheck(r, spec.weights, testVectors(spec.weights[0]!.length, spec.input, 60, 5));
        expect(c.mismatches, `${spec.name} latency ${latency}`).toEqual([]);
      }
    }
  });
});
