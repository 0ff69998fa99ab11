import type { CompileResult } from '../../src/compile.js';
import { compareWithGolden, withFlush } from '../../src/sim/compare.js';
import type { CompareResult } from '../../src/sim/compare.js';
import { runIcarus } from '../../src/sim/icarus.js';

/** Drive the emitted Verilog with Icarus, one vector per cycle, and compare with W·x. */
export function icarusCheck(r: CompileResult, weights: bigint[][], vectors: bigint[][]): CompareResult {
  const n = r.netlist;
  const ys = runIcarus(
    r.verilog,
    { module: n.module, nIn: n.nIn, inputWidth: n.inputWidth, nOut: n.outputs.length, outputWidth: n.outputWidth, outputSigned: n.outputSigned },
    withFlush(vectors, n.nIn, n.latency),
  );
  return compareWithGolden(weights, vectors, ys, n.latency);
}
