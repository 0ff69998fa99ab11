import { compile } from '../../src/flows/compile.js';
import { forwardModel } from '../../src/import/forward.js';
import type { ImportResult } from '../../src/import/api.js';
import { simulatorFor } from '../../src/sim/wasm-sim.js';
import { flushVectors } from '../../src/sim/stream.js';
import { testVectorSequence } from '../../src/sim/vectors.js';
import { parseSpec } from '../../src/spec/parse.js';

/**
 * The end-to-end check of an import: the layers-format text is compiled to hardware, the
 * netlist simulator runs integer input vectors through it, and each output, read back as a real
 * number, must equal exactly (===) what the float64 referee (forwardModel) computes from the
 * imported model graph on the same real input.
 *
 * - Inputs: `testVectorSequence` of src/sim/vectors.ts (seeded): all minimum, all maximum, the
 *   alternations, all zero, each input alone at its extreme, then random vectors; the hardware
 *   gets the integers k, the referee x = k / 2^input.frac (a bipolar input's bit b is ±1).
 * - Timing as src/flows/verify.ts and src/sim/stream.ts: one vector per cycle, then `latency`
 *   all-zero flush vectors; the output sampled in cycle t + latency belongs to vector t.
 * - Outputs: the simulator gives each y already as the port reads it (two's complement when the
 *   netlist's `ports.outputSigned`, else unsigned; see netlist-sim.ts and ports.ts), so a value
 *   is y / 2^outputFrac[j], or the index itself for an argmax (outputFrac null). A score column
 *   after y, if any, is not compared.
 */

export interface ModelCheck {
  /** Vectors compared. */
  checked: number;
  /** The first (at most 10) wrong outputs, readably. */
  mismatches: string[];
}

const KEEP = 10;
const BLOCK = 4096;

export function checkAgainstForward(result: ImportResult, vectors: number, seed: number, effort?: number): ModelCheck {
  const spec = parseSpec(result.text, `${result.graph.name}.json`);
  // (shift-add: the import's exactness is checked here, the tables' in test/da/lut-da.test.ts;
  // auto would weigh the table forms of every narrow layer, TFC_2W2A's 9 s more)
  const r = compile(spec, { latency: 2, arith: 'shift-add', ...(effort !== undefined ? { effort } : {}) });
  const n = r.netlist;
  const ports = n.ports;
  const latency = n.latency;
  const inp = result.input;
  const bipolar = spec.input.bipolar;
  if (!bipolar && (spec.input.width !== inp.width || spec.input.signed !== inp.signed)) {
    throw new Error(`the layers input is ${spec.input.signed ? 'signed' : 'unsigned'} ${spec.input.width} bits, the import's input ${inp.signed ? 'signed' : 'unsigned'} ${inp.width} bits`);
  }
  const nIn = ports.nIn;
  const inShapeSize = result.graph.inputShape.reduce((a, b) => a * b, 1);
  if (nIn !== inShapeSize) throw new Error(`the hardware has ${nIn} inputs, the graph's input shape [${result.graph.inputShape.join(', ')}] ${inShapeSize}`);
  const inScale = Math.pow(2, inp.frac);
  const real = (k: bigint): number => {
    if (bipolar) return k === 0n ? -1 : 1;
    const x = Number(k) / inScale;
    if (!Number.isSafeInteger(Number(k)) || x * inScale !== Number(k)) throw new Error(`input ${k}/2^${inp.frac} is not exact in float64`);
    return x;
  };

  const sim = simulatorFor(n).stream();
  const mismatches: string[] = [];
  let checked = 0;
  // the vectors still in the pipeline: pending[t − first] is vector t
  const pending: bigint[][] = [];
  let first = 0;
  let cycle = 0;

  const compare = (t: number, x: readonly bigint[], y: readonly bigint[]): void => {
    const expected = forwardModel(result.graph, x.map(real));
    checked++;
    if (y.length < expected.length || ports.nOut !== expected.length) {
      if (mismatches.length < KEEP) mismatches.push(`vector ${t}: the referee gives ${expected.length} outputs, the hardware ${ports.nOut}; input k = [${x.join(', ')}]`);
      return;
    }
    for (let j = 0; j < expected.length; j++) {
      const got = hardwareValue(y[j]!, result.outputFrac === null ? null : result.outputFrac[j]!);
      if (got !== expected[j]) {
        if (mismatches.length < KEEP) {
          const raw = result.outputFrac === null ? '' : ` (y = ${y[j]} / 2^${result.outputFrac[j]})`;
          mismatches.push(`vector ${t}, output ${j}: expected ${expected[j]}, got ${got}${raw}; input k = [${x.join(', ')}] (x = k / 2^${inp.frac})`);
        }
      }
    }
  };

  const sample = (ys: readonly (readonly bigint[])[]): void => {
    for (const y of ys) {
      const t = cycle - latency;
      cycle++;
      if (t < 0 || t >= first + pending.length) continue;
      compare(t, pending[t - first]!, y);
    }
    // drop the vectors already compared
    const done = Math.min(pending.length, Math.max(0, cycle - latency - first));
    if (done > 0) {
      pending.splice(0, done);
      first += done;
    }
  };

  let block: bigint[][] = [];
  const flushBlock = (): void => {
    if (block.length === 0) return;
    pending.push(...block);
    sample(sim.run(block));
    block = [];
  };
  for (const v of testVectorSequence(nIn, { width: spec.input.width, signed: spec.input.signed }, vectors, seed)) {
    block.push(v);
    if (block.length === BLOCK) flushBlock();
  }
  flushBlock();
  if (latency > 0) sample(sim.run(flushVectors(nIn, latency)));
  if (pending.length > 0) mismatches.push(`${pending.length} vectors got no output`);
  return { checked, mismatches };
}

/** y as a real number: y / 2^frac, or the index itself (frac null); exact or it throws. */
function hardwareValue(y: bigint, frac: number | null): number {
  const k = Number(y);
  if (!Number.isSafeInteger(k)) throw new Error(`the output ${y} is beyond 2^53: not exact in float64`);
  if (frac === null) return k;
  const s = Math.pow(2, frac);
  const v = k / s;
  if (v * s !== k) throw new Error(`the output ${y}/2^${frac} is not exact in float64`);
  return v === 0 ? 0 : v;
}
