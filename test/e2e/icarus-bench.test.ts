import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { parseSpec } from '../../src/spec/parse.js';
import { testVectors } from '../../src/sim/vectors.js';
import { icarusCheck } from '../helpers/icarus-check.js';
import { matrix } from '../helpers/random.js';
import { haveTool } from '../helpers/tools.js';

// Every benchmark file up to 64×64 through Icarus Verilog: the small ones at latencies 0…3,
// the big ones (32 and 64 rows or columns, seconds of Icarus each) at 0 and 3.
const BENCH = fileURLToPath(new URL('../../../shared/bench/', import.meta.url));
const FILES = [
  'rand_i8_8x8.json',
  'rand_i8_16x16.json',
  'rand_i8_32x32.json',
  'rand_i8_64x64.json',
  'sparse_i4_16x16.json',
  'sparse_i4_64x64.json',
  'mcm_i12_32x1.json',
  'dense_i6_16to64.json',
];

const icarus = haveTool('iverilog', ['-V']);
const benchHere = existsSync(BENCH);
if (!benchHere && process.env.CI) throw new Error(`${BENCH} is missing: CI must simulate the benchmark files`);
if (!benchHere) console.warn(`\n*** SKIPPED: ${BENCH} is not there, so the benchmark files are not simulated ***\n`);

describe.runIf(icarus && benchHere)('emitted Verilog of the benchmark files, run by Icarus', () => {
  for (const f of FILES) {
    for (const latency of /32|64/.test(f) ? [0, 3] : [0, 1, 2, 3]) {
      it(`${f} at latency ${latency} equals W·x`, async () => {
        const spec = matrix(parseSpec(readFileSync(BENCH + f, 'utf8'), f));
        // (the 64×64 files with one search attempt: this checks the printed text, not the
        // search, and their default 16 attempts cost seconds at each of the four latencies)
        const r = compile(spec, { latency, ...(f.includes('64x64') ? { effort: 1 } : {}) });
        // Icarus is event-driven: deep combinational designs cost much per vector, so big
        // designs get fewer (still all the extremes first, then random ones).
        const count = Math.min(300, Math.max(24, Math.floor(60000 / Math.max(1, r.netlist.adders))));
        const vecs = testVectors(spec.weights[0]!.length, spec.input, count, 100 + latency);
        const c = await icarusCheck(r, spec.weights, vecs);
        expect(c.mismatches).toEqual([]);
        expect(c.vectors).toBe(count);
      });
    }
  }
});
