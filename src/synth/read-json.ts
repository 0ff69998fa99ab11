import { runTool } from './run-tool.js';
import type { ToolOptions } from './run-tool.js';
import { SynthError } from './synthesize.js';

/**
 * Read Verilog text with the WebAssembly Yosys and return its JSON netlist:
 * `read_verilog; hierarchy -check -top; proc; flatten; opt_clean; write_json`.
 */
export async function yosysReadToJson(verilog: string, top: string, opts: ToolOptions = {}): Promise<unknown> {
  const script = `read_verilog design.v; hierarchy -check -top ${top}; proc; setattr -mod -unset keep_hierarchy; flatten -noscopeinfo; opt_clean; write_json out.json`;
  const r = await runTool('yosys', ['-q', '-p', script], { 'design.v': verilog }, ['out.json'], opts);
  if (!r.ok || r.files['out.json'] === undefined) {
    const why = `${r.stderr}\n${r.stdout}`.split('\n').find((l) => /ERROR/.test(l)) ?? (r.timedOut ? 'time limit reached' : 'no output');
    throw new SynthError(`Yosys could not read the Verilog: ${why.trim()}`);
  }
  return JSON.parse(r.files['out.json']) as unknown;
}
