import type { CompileResult } from '../../src/flows/compile.js';
import { simulateInIcarus } from '../../src/flows/verify.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import type { CompareResult } from '../../src/sim/compare.js';
import { matrixReference } from '../../src/sim/reference.js';
import type { Reference } from '../../src/sim/reference.js';

/** Drive the emitted Verilog with Icarus, one vector per cycle, and compare with W·x (or a reference model). */
export async function icarusCheck(r: CompileResult, expected: bigint[][] | Reference, vectors: bigint[][]): Promise<CompareResult> {
  const n = r.netlist;
  const ys = await simulateInIcarus(r.verilog, n, withFlush(vectors, n.ports.nIn, n.latency));
  return compareWithReference(typeof expected === 'function' ? expected : matrixReference(expected), vectors, ys, n.latency);
}
