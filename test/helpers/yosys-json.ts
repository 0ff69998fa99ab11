import type { CompileResult } from '../../src/flows/compile.js';
import { readVerilogToJson } from '../../src/platform/yosys.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import type { CompareResult } from '../../src/sim/compare.js';
import { matrixReference } from '../../src/sim/reference.js';
import type { Reference } from '../../src/sim/reference.js';
import { compileYosysJson } from '../../src/sim/yosys-json-sim.js';

/** The emitted text read by Yosys into its JSON netlist (the library's own reader). */
export const yosysJson = readVerilogToJson;

/** Simulate a Yosys JSON netlist of a compiled design, one vector per cycle, and compare with W·x (or a reference model). */
export function yosysJsonCheck(json: unknown, r: CompileResult, expected: readonly (readonly bigint[])[] | Reference, vectors: bigint[][]): CompareResult {
  const n = r.netlist;
  const sim = compileYosysJson(json, n.module, n.ports);
  const ys = sim.run(withFlush(vectors, n.ports.nIn, n.latency));
  return compareWithReference(typeof expected === 'function' ? expected : matrixReference(expected), vectors, ys, n.latency);
}
