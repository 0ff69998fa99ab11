import { portsOf } from '../../src/check.js';
import type { CompileResult } from '../../src/compile.js';
import { compareWithGolden, withFlush } from '../../src/sim/compare.js';
import type { CompareResult } from '../../src/sim/compare.js';
import { compileYosysJson } from '../../src/sim/yosys-json-sim.js';
import { yosysReadToJson } from '../../src/synth/read-json.js';

/** The emitted text read by Yosys into its JSON netlist (the library's own reader). */
export const yosysJson = yosysReadToJson;

/** The port layout of a compiled design. */
export { portsOf };

/** Simulate a Yosys JSON netlist of a compiled design, one vector per cycle, and compare with W·x. */
export function yosysJsonCheck(json: unknown, r: CompileResult, weights: readonly (readonly bigint[])[], vectors: bigint[][]): CompareResult {
  const n = r.netlist;
  const sim = compileYosysJson(json, n.module, portsOf(r));
  const ys = sim.run(withFlush(vectors, n.nIn, n.latency));
  return compareWithGolden(weights, vectors, ys, n.latency);
}
