import { ToolError } from '../errors.js';
import type { Ports } from '../rtl/netlist.js';
import { wrapperVerilog } from '../rtl/verilog/wrapper.js';
import { requireTool, toolEnvVar } from '../toolchain/tool.js';
import type { Tool, ToolRun, ToolRunOptions } from '../toolchain/tool.js';
import type { Family, ResourceCounts, Target } from './family.js';
import { familyOf } from './index.js';

/**
 * Yosys for every family: synthesis with the family's command and cell counts from
 * `stat -json`; the core inside the pin wrapper for place and route; and the plain reading of
 * the emitted text into Yosys's JSON netlist, for the cross-check.
 */

export interface SynthResult extends ResourceCounts {
  /** The synthesis command, as the report shows it. */
  flow: string;
  cells: Record<string, number>;
  seconds: number;
}

/** Cell counts sorted by name, without Yosys's bookkeeping cells ($scopeinfo: no hardware). */
function sortedCells(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(c)
      .filter(([k]) => k !== '$scopeinfo')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * Cell counts from `stat -json` output: of the whole hierarchy under `top` (its submodules'
 * cells included, as Yosys sums them), or of module `top` alone (its submodule instances then
 * appear as cells of their module's type).
 */
export function parseStat(text: string, top: string, scope: 'design' | 'module' = 'design'): Record<string, number> {
  const start = text.indexOf('{');
  if (start < 0) throw new ToolError('yosys', 'Yosys wrote no statistics', text);
  const j = JSON.parse(text.slice(start)) as {
    modules?: Record<string, { num_cells_by_type?: Record<string, number> }>;
    design?: { num_cells_by_type?: Record<string, number> };
  };
  const own = j.modules?.[`\\${top}`];
  const mod = scope === 'design' ? (j.design ?? own) : own;
  return sortedCells(mod?.num_cells_by_type ?? {});
}

/**
 * A failed Yosys run as a ToolError: `what` failed, with Yosys's first error lines; a native
 * Yosys that says nothing is named, so that a wrong YOSYS setting shows.
 */
export function yosysFailure(what: string, r: Pick<ToolRun, 'stdout' | 'stderr' | 'timedOut' | 'exitCode' | 'seconds'>, tool?: Tool): ToolError {
  const log = `${r.stderr}\n${r.stdout}`;
  if (r.timedOut) return new ToolError('yosys', `${what}: Yosys did not finish within the time limit of ${Math.max(1, Math.round(r.seconds))} s (raise --timeout)`, log);
  const lines = log.split('\n').filter((l) => /ERROR|Error|error/.test(l));
  if (lines.length > 0) return new ToolError('yosys', `${what}: Yosys failed: ${lines.slice(0, 3).join(' / ')}`, log);
  const code = r.exitCode === null ? 'wrote no output' : `exited with code ${r.exitCode} and no error message`;
  const which = tool?.kind === 'native' ? ` (the native ${tool.origin}: check that it is a working Yosys, or unset ${toolEnvVar('yosys')} to use the WebAssembly one)` : '';
  return new ToolError('yosys', `${what}: Yosys ${code}${which}`, log);
}

/** Run Yosys on `files` with `script`; the outputs it must write, or a ToolError saying `what` failed. */
export async function runYosys(what: string, script: string, files: Record<string, string>, outputs: string[], opts: ToolRunOptions): Promise<Record<string, string>> {
  const yosys = requireTool('yosys', what);
  const r = await yosys.run(['-q', '-p', script], files, outputs, opts);
  if (!r.ok || outputs.some((o) => r.files[o] === undefined)) throw yosysFailure(what, r, yosys);
  return r.files;
}

/** Synthesize one module (the core) for a target and count its cells. */
export async function synthesize(verilog: string, top: string, target: Target, opts: ToolRunOptions = {}): Promise<SynthResult> {
  const start = performance.now();
  const family = familyOf(target);
  const cmd = family.synthCommand(top);
  const out = await runYosys(`synthesis for ${target.name}`, `read_verilog design.v; ${cmd}; tee -q -o stat.json stat -json`, { 'design.v': verilog }, ['stat.json'], opts);
  const cells = parseStat(out['stat.json']!, top);
  return { flow: cmd, cells, ...family.resources(cells), seconds: (performance.now() - start) / 1000 };
}

/**
 * Synthesize the core inside the pin wrapper (`da_gen_top`, see rtl/verilog/wrapper.ts) with
 * the family's command, keeping the core a module of its own: the netlist JSON for place and
 * route, and the wrapper's own cells (the core, one instance cell of type `top`, is left out).
 */
export async function synthesizeWrapper(
  verilog: string,
  top: string,
  family: Family,
  ports: Ports,
  opts: ToolRunOptions,
): Promise<{ json: string; wrapperCells: Record<string, number> }> {
  const cmd = family.synthCommand('da_gen_top', { keepHierarchy: true });
  const script = `read_verilog design.v wrapper.v; ${cmd} -json top.json; tee -q -o stat.json stat -json`;
  const out = await runYosys(`wrapper synthesis for ${family.name}`, script, { 'design.v': verilog, 'wrapper.v': wrapperVerilog(top, ports) }, ['top.json', 'stat.json'], opts);
  const wrapperCells = parseStat(out['stat.json']!, 'da_gen_top', 'module');
  delete wrapperCells[top];
  delete wrapperCells[`\\${top}`];
  return { json: out['top.json']!, wrapperCells };
}

/**
 * Read Verilog text with Yosys and return its JSON netlist:
 * `read_verilog; hierarchy -check -top; proc; flatten; opt_clean; write_json`.
 */
export async function readVerilogToJson(verilog: string, top: string, opts: ToolRunOptions = {}): Promise<unknown> {
  // write_json to stdout, not to a file: the WebAssembly build copies a file whole on every
  // write, which takes minutes for the tens of megabytes of a large design's netlist
  const script = `read_verilog design.v; hierarchy -check -top ${top}; proc; setattr -mod -unset keep_hierarchy; flatten -noscopeinfo; opt_clean; write_json`;
  const yosys = requireTool('yosys', 'reading the Verilog');
  const r = await yosys.run(['-q', '-p', script], { 'design.v': verilog }, [], opts);
  const start = r.stdout.indexOf('{');
  if (!r.ok || start < 0) throw yosysFailure('reading the Verilog', r, yosys);
  return JSON.parse(r.stdout.slice(start)) as unknown;
}

/** What Yosys's SAT solver found on the miter of two modules. */
export type SatOutcome =
  | { kind: 'proven' }
  /** The solver's model: the value of port x in each step (step 1 first), as an unsigned word. */
  | { kind: 'counterexample'; x: bigint[] }
  | { kind: 'time limit'; seconds: number };

/**
 * Yosys's own equivalence proof of two modules with the same ports (clk, x, y): a miter of
 * `gold` and `gate` (`miter -equiv`), unrolled over `skip + 1` clock cycles from registers at
 * zero, and `sat -prove` that the outputs agree in the last cycle (`-prove-skip skip`): every
 * register of a pipeline `skip` ranks deep has then been loaded from the inputs. Each module is
 * flattened first (keep_hierarchy unset), so that the adders da-gen writes as modules are inlined.
 */
export async function satEquivalence(
  gold: { verilog: string; top: string },
  gate: { verilog: string; top: string },
  skip: number,
  opts: ToolRunOptions = {},
): Promise<SatOutcome> {
  const script = [
    'read_verilog gate.v', `hierarchy -top ${gate.top}`, 'setattr -mod -unset keep_hierarchy *', 'proc', 'flatten', `rename ${gate.top} da_gen_gate`,
    'read_verilog gold.v', 'proc', `rename ${gold.top} da_gen_gold`,
    'miter -equiv -flatten -make_outputs da_gen_gold da_gen_gate da_gen_miter', 'hierarchy -top da_gen_miter',
    `tee -o sat.log sat -prove trigger 0 -set-init-zero -seq ${skip + 1} -prove-skip ${skip} -show-inputs da_gen_miter`,
  ].join('; ');
  const yosys = requireTool('yosys', 'the equivalence proof');
  const r = await yosys.run(['-q', '-p', script], { 'gate.v': gate.verilog, 'gold.v': gold.verilog }, ['sat.log'], opts);
  if (r.timedOut) return { kind: 'time limit', seconds: r.seconds };
  const log = r.files['sat.log'];
  if (!r.ok || log === undefined) throw yosysFailure('the equivalence proof', r, yosys);
  if (/SAT proof finished - no model found: SUCCESS/.test(log)) return { kind: 'proven' };
  if (!/SAT proof finished - model found: FAIL/.test(log)) throw new ToolError('yosys', 'the equivalence proof: Yosys reported neither a proof nor a counterexample', log);
  // the model's table: "<step> \in_x <dec> <hex> <bin>", one row per step
  const x: bigint[] = [];
  for (const m of log.matchAll(/^\s*(\d+)\s+\\in_x\s+\S+\s+\S+\s+([01]+)\s*$/gm)) x[Number(m[1]) - 1] = BigInt(`0b${m[2]}`);
  if (x.length !== skip + 1 || x.some((v) => v === undefined)) throw new ToolError('yosys', 'the equivalence proof: the counterexample\'s inputs could not be read', log);
  return { kind: 'counterexample', x };
}
