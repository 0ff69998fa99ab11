import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { Rng } from '../../src/sim/vectors.js';
import { yosysRead } from '../helpers/netlist.js';
import { matrixCase, randomSpec } from '../helpers/random.js';

// Yosys (the WebAssembly build from npm, so it is always there) must read the emitted text as
// plain Verilog-2005, find no undriven or multiply driven signal, and infer no multiplier.

describe('Yosys reads the emitted Verilog', () => {
  it('random and edge designs at latencies 0 and 2', async () => {
    const rng = new Rng(8);
    const specs = [
      matrixCase('edge_wide', { width: 32, signed: false }, [[(1n << 63n) - 1n, 0n], [0n, 0n], [-1n, 1n]]),
      ...Array.from({ length: 3 }, (_, k) =>
        randomSpec(rng, { rows: 2 + rng.below(12), cols: 2 + rng.below(12), width: 2 + rng.below(15), signed: rng.below(2) === 0, weightBits: 3 + rng.below(10), name: `rnd${k}` }),
      ),
    ];
    for (const spec of specs) {
      for (const latency of [0, 2]) {
        const r = compile(spec, { latency });
        const res = await yosysRead(r.verilog, spec.name);
        expect(res.log.trim(), `${spec.name} L=${latency}`).toBe('');
        expect(res.ok).toBe(true);
      }
    }
  });

  it('rejects broken text (the check can fail)', async () => {
    const r = compile(matrixCase('m', { width: 4, signed: true }, [[3n, 5n]]), { latency: 1 });
    const broken = r.verilog.replace(/assign a\d+ = [^;]*;/, '');
    expect(broken).not.toBe(r.verilog);
    expect((await yosysRead(broken, 'm')).ok).toBe(false);
  });
});
