import { portsOf } from '../../src/check.js';
import type { CompileResult } from '../../src/compile.js';
import { compareWithGolden, withFlush } from '../../src/sim/compare.js';
import type { CompareResult } from '../../src/sim/compare.js';
import { runIcarus } from '../../src/sim/icarus.js';

/** Drive the emitted Verilog with Icarus, one vector per cycle, and compare with W·x. */
export function icarusCheck(r: CompileResult, weights: bigint[][], vectors: bigint[][]): CompareResult {
  const n = r.netlist;
  const ys = runIcarus(
    r.verilog,
    portsOf(r),
    withFlush(vectors, n.nIn, n.latency),
  );
  return compareWithGolden(weights, vectors, ys, n.latency);
}
