import type { CompileResult } from './compile.js';
import type { ModulePorts } from './sim/icarus.js';
import { icarusAvailable, runIcarus } from './sim/icarus.js';
import { compareWithGolden, withFlush } from './sim/compare.js';
import type { Reference } from './sim/golden.js';
import type { CompareResult } from './sim/compare.js';
import { testVectors } from './sim/vectors.js';
import { compileYosysJson } from './sim/yosys-json-sim.js';
import { yosysReadToJson } from './synth/read-json.js';

/**
 * The independent cross-check of the emitted text: Yosys reads the Verilog, the TypeScript
 * simulator executes Yosys's JSON netlist cycle by cycle, and every output is compared with
 * W·x over extreme and random vectors. Where Icarus is installed, the same vectors also go
 * through Icarus.
 */
export interface TextCheck {
  vectors: number;
  yosys: CompareResult;
  /** null when Icarus is not installed. */
  icarus: CompareResult | null;
  pass: boolean;
}

export function portsOf(r: CompileResult): ModulePorts {
  const n = r.netlist;
  return {
    module: n.module,
    nIn: n.nIn,
    inputWidth: n.inputWidth,
    nOut: n.outputs.length,
    outputWidth: n.outputWidth,
    outputSigned: n.outputSigned,
    ...(n.score ? { scoreWidth: n.score.width } : {}),
  };
}

export async function checkText(
  r: CompileResult,
  /** The matrix (y = W·x), or a reference model (a network's: y, then the score). */
  weights: bigint[][] | Reference,
  input: { width: number; signed: boolean },
  opts: { vectors?: number; seed?: number; icarus?: boolean } = {},
): Promise<TextCheck> {
  const n = r.netlist;
  const vecs = testVectors(n.nIn, input, opts.vectors ?? 500, opts.seed ?? 1);
  const driven = withFlush(vecs, n.nIn, n.latency);
  const json = await yosysReadToJson(r.verilog, n.module);
  const ys = compileYosysJson(json, n.module, portsOf(r)).run(driven);
  const yosys = compareWithGolden(weights, vecs, ys, n.latency);
  let icarus: CompareResult | null = null;
  if ((opts.icarus ?? true) && icarusAvailable()) {
    icarus = compareWithGolden(weights, vecs, runIcarus(r.verilog, portsOf(r), driven), n.latency);
  }
  return { vectors: vecs.length, yosys, icarus, pass: yosys.pass && (icarus?.pass ?? true) };
}
