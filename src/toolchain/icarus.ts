import { ToolError } from '../errors.js';
import { findTool, requireTool } from './tool.js';
import type { ToolRunOptions } from './tool.js';

/**
 * Icarus Verilog: `iverilog -g2005` compiles the sources, `vvp -n` runs the result. The two are
 * native tools (there is no WebAssembly build), found like every other tool.
 */

/** Whether both `iverilog` and `vvp` are there. */
export function icarusAvailable(): boolean {
  return findTool('iverilog') !== null && findTool('vvp') !== null;
}

export interface IcarusRun {
  /** What the simulation printed. */
  stdout: string;
  /** The requested files the simulation wrote (`$fopen`). */
  files: Record<string, string>;
}

/**
 * Compile `sources` (file name → Verilog text) and run the simulation beside the `data` files
 * it reads (`$readmemh`); returns its output and the `outputs` it wrote. A compile error, a
 * failed run or a missing file is a ToolError naming Icarus.
 */
export async function runIcarus(
  purpose: string,
  sources: Record<string, string>,
  data: Record<string, string>,
  outputs: string[],
  opts: ToolRunOptions = {},
): Promise<IcarusRun> {
  const iverilog = requireTool('iverilog', purpose);
  const vvp = requireTool('vvp', purpose);
  const c = await iverilog.run(['-g2005', '-o', 'sim.vvp', ...Object.keys(sources)], sources, ['sim.vvp'], opts);
  const compiled = c.files['sim.vvp'];
  if (!c.ok || compiled === undefined) {
    const why = c.timedOut ? 'did not finish within its time limit' : `rejected the Verilog: ${firstLines(`${c.stderr}${c.stdout}`)}`;
    throw new ToolError('iverilog', `${purpose}: iverilog ${why}`, `${c.stderr}${c.stdout}`);
  }
  const r = await vvp.run(['-n', 'sim.vvp'], { 'sim.vvp': compiled, ...data }, outputs, opts);
  if (!r.ok) {
    const why = r.timedOut ? 'did not finish within its time limit' : `failed: ${firstLines(`${r.stderr}${r.stdout}`)}`;
    throw new ToolError('vvp', `${purpose}: vvp ${why}`, `${r.stderr}${r.stdout}`);
  }
  for (const name of outputs) {
    if (r.files[name] === undefined) throw new ToolError('vvp', `${purpose}: the simulation wrote no ${name}`, r.stdout);
  }
  return { stdout: r.stdout, files: r.files };
}

/** The first three lines of a tool's complaint, on one line. */
function firstLines(log: string): string {
  const lines = log.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.length === 0 ? 'no message' : lines.slice(0, 3).join(' / ');
}
