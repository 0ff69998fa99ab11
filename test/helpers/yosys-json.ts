import { runYosys } from '@yowasp/yosys';
import type { CompileResult } from '../../src/compile.js';
import { compareWithGolden, withFlush } from '../../src/sim/compare.js';
import type { CompareResult } from '../../src/sim/compare.js';
import type { ModulePorts } from '../../src/sim/icarus.js';
import { compileYosysJson } from '../../src/sim/yosys-json-sim.js';

/**
 * Read Verilog text with the WebAssembly Yosys and return its JSON netlist (parsed):
 * `read_verilog; hierarchy -check -top; proc; flatten; opt_clean; write_json`.
 * Throws with Yosys's log when Yosys rejects the text.
 */
export async function yosysJson(verilog: string, top: string): Promise<unknown> {
  let log = '';
  const dec = new TextDecoder();
  const sink = (b: Uint8Array | null): void => {
    if (b) log += dec.decode(b);
  };
  let out: unknown;
  try {
    out = await runYosys(
      ['-q', '-p', `read_verilog design.v; hierarchy -check -top ${top}; proc; flatten; opt_clean; write_json out.json`],
      { 'design.v': verilog },
      { stdout: sink, stderr: sink },
    );
  } catch (e) {
    throw new Error(`Yosys failed: ${(e as Error).message}\n${log}`);
  }
  const text = (out as Record<string, unknown> | undefined)?.['out.json'];
  if (typeof text !== 'string') throw new Error(`Yosys wrote no out.json\n${log}`);
  return JSON.parse(text) as unknown;
}

/** The port layout of a compiled design. */
export function portsOf(r: CompileResult): ModulePorts {
  const n = r.netlist;
  return { module: n.module, nIn: n.nIn, inputWidth: n.inputWidth, nOut: n.outputs.length, outputWidth: n.outputWidth, outputSigned: n.outputSigned };
}

/** Simulate a Yosys JSON netlist of a compiled design, one vector per cycle, and compare with W·x. */
export function yosysJsonCheck(json: unknown, r: CompileResult, weights: readonly (readonly bigint[])[], vectors: bigint[][]): CompareResult {
  const n = r.netlist;
  const sim = compileYosysJson(json, n.module, portsOf(r));
  const ys = sim.run(withFlush(vectors, n.nIn, n.latency));
  return compareWithGolden(weights, vectors, ys, n.latency);
}
