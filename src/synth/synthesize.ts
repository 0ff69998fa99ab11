import { runTool, toolVersion } from './run-tool.js';
import type { ToolOptions } from './run-tool.js';
import { resources, synthCommand } from './targets.js';
import type { ResourceCounts, Target } from './targets.js';

/**
 * Synthesis with the WebAssembly Yosys and, for iCE40, place and route with the WebAssembly
 * nextpnr-ice40. Statistics come from `stat -json` and nextpnr's `--report` JSON.
 */

export class SynthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthError';
  }
}

export interface SynthResult extends ResourceCounts {
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
  if (start < 0) throw new SynthError('Yosys wrote no statistics');
  const j = JSON.parse(text.slice(start)) as {
    modules?: Record<string, { num_cells_by_type?: Record<string, number> }>;
    design?: { num_cells_by_type?: Record<string, number> };
  };
  const own = j.modules?.[`\\${top}`];
  const mod = scope === 'design' ? (j.design ?? own) : own;
  return sortedCells(mod?.num_cells_by_type ?? {});
}

export function yosysFailure(what: string, r: { stdout: string; stderr: string; timedOut: boolean }): SynthError {
  if (r.timedOut) return new SynthError(`${what}: Yosys did not finish within its time limit`);
  const lines = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => /ERROR|Error|error/.test(l));
  return new SynthError(`${what}: Yosys failed${lines.length ? `: ${lines.slice(0, 3).join(' / ')}` : ''}`);
}

/** Synthesize one module (the core) for a target and count its cells. */
export async function synthesize(verilog: string, top: string, target: Target, opts: ToolOptions = {}): Promise<SynthResult> {
  const cmd = synthCommand(target, top);
  const script = `read_verilog design.v; ${cmd}; tee -q -o stat.json stat -json`;
  const r = await runTool('yosys', ['-q', '-p', script], { 'design.v': verilog }, ['stat.json'], opts);
  if (!r.ok || r.files['stat.json'] === undefined) throw yosysFailure(`synthesis for ${target.name}`, r);
  const cells = parseStat(r.files['stat.json'], top);
  return { flow: cmd, cells, ...resources(target, cells), seconds: r.seconds };
}

export interface Ports {
  nIn: number;
  inputWidth: number;
  nOut: number;
  outputWidth: number;
}

/**
 * A small top for place and route: the core has far more data bits than any iCE40 package has
 * pins, so x is shifted in through one pin, and y is loaded into a shift register and shifted
 * out through another (every bit of y stays observable, so nothing of the core can be
 * optimised away). The core's inputs come from flip-flops and its outputs go to flip-flops, so
 * the critical path is the core's own. The core is kept as its own module (not flattened into
 * the wrapper), so its cells are counted exactly and apart from the wrapper's.
 *
 * (A pipelined XOR tree folding y into one pin costs about 200 fewer cells on a 16×16 core, but
 * its wide fan-in kept nextpnr-ice40 from routing rand_i8_16x16 on the HX8K within 25 minutes,
 * where this wrapper routes in two: measured, and kept out.)
 */
export function wrapperVerilog(core: string, p: Ports): string {
  const nx = p.nIn * p.inputWidth;
  const ny = p.nOut * p.outputWidth;
  const xs = nx === 1 ? 'sin' : `{xs[${nx - 2}:0], sin}`;
  const ysh = ny === 1 ? "1'b0" : `{ys[${ny - 2}:0], 1'b0}`;
  return `module da_gen_top (
  input  wire clk,
  input  wire sin,
  input  wire load,
  output wire sout
);
  reg  [${nx - 1}:0] xs;
  wire [${ny - 1}:0] y;
  reg  [${ny - 1}:0] ys;
  always @(posedge clk) xs <= ${xs};
  ${core} core (.clk(clk), .x(xs), .y(y));
  always @(posedge clk) ys <= load ? y : ${ysh};
  assign sout = ys[${ny - 1}];
endmodule
`;
}

export interface PnrResult {
  flow: string;
  fmaxMhz: number | null;
  /** Cells of the wrapper (total minus core). */
  wrapperCells: Record<string, number>;
  note: string | null;
  seconds: number;
}

/**
 * Synthesize the core inside the pin wrapper (`synth` is the family's command with -noflatten):
 * the netlist JSON for place and route, and the wrapper's own cells (the core is a submodule,
 * one instance cell of type `top`, which is left out).
 */
export async function synthesizeWrapper(
  verilog: string,
  top: string,
  target: Target,
  ports: Ports,
  synth: string,
  opts: ToolOptions,
): Promise<{ json: string; wrapperCells: Record<string, number> }> {
  const script = `read_verilog design.v wrapper.v; ${synth} -top da_gen_top -json top.json; tee -q -o stat.json stat -json`;
  const y = await runTool('yosys', ['-q', '-p', script], { 'design.v': verilog, 'wrapper.v': wrapperVerilog(top, ports) }, ['top.json', 'stat.json'], opts);
  if (!y.ok || y.files['top.json'] === undefined || y.files['stat.json'] === undefined) throw yosysFailure(`wrapper synthesis for ${target.name}`, y);
  const wrapperCells = parseStat(y.files['stat.json'], 'da_gen_top', 'module');
  delete wrapperCells[top];
  delete wrapperCells[`\\${top}`];
  return { json: y.files['top.json'], wrapperCells };
}

/** Place and route the core inside the wrapper on an iCE40 part; Fmax from nextpnr's report. */
export async function placeAndRouteIce40(
  verilog: string,
  top: string,
  target: Target,
  ports: Ports,
  clockMhz: number,
  seed: number,
  opts: ToolOptions = {},
): Promise<PnrResult> {
  const start = performance.now();
  const { json, wrapperCells } = await synthesizeWrapper(verilog, top, target, ports, 'synth_ice40 -noflatten', opts);
  const args = [`--${target.device}`, '--package', target.package!, '--json', 'top.json', '--pcf-allow-unconstrained', '--freq', String(clockMhz), '--seed', String(seed), '--report', 'report.json', '--timing-allow-fail', '--quiet'];
  const flow = `synth_ice40 (core in the pin wrapper); nextpnr-ice40 ${args.filter((a) => !['top.json', 'report.json', '--json', '--report', '--quiet', '--timing-allow-fail'].includes(a)).join(' ')}`;
  const remaining = Math.max(10, (opts.timeoutSeconds ?? 600) - (performance.now() - start) / 1000);
  const n = await runTool('nextpnr-ice40', args, { 'top.json': json }, ['report.json'], { ...opts, timeoutSeconds: remaining });
  const seconds = (performance.now() - start) / 1000;
  if (n.timedOut) return { flow, fmaxMhz: null, wrapperCells, note: `place and route did not finish within ${Math.round(remaining)} s (routing may not converge on a congested design)`, seconds };
  if (!n.ok || n.files['report.json'] === undefined) {
    return { flow, fmaxMhz: null, wrapperCells, note: `place and route failed: ${nextpnrWhy(`${n.stderr}\n${n.stdout}`)}`, seconds };
  }
  return { flow, fmaxMhz: fmaxFromReport(n.files['report.json']), wrapperCells, note: null, seconds };
}

/** The lowest achieved clock frequency in a nextpnr `--report` JSON (null when none). */
export function fmaxFromReport(text: string): number | null {
  const rep = JSON.parse(text) as { fmax?: Record<string, { achieved?: number }> };
  const clocks = Object.values(rep.fmax ?? {});
  const fmax = clocks.length > 0 ? Math.min(...clocks.map((c) => c.achieved ?? Infinity)) : null;
  return fmax === null || !Number.isFinite(fmax) ? null : fmax;
}

/** nextpnr's reason for failing, in one short line (cell names can run to hundreds of characters). */
export function nextpnrWhy(log: string): string {
  const line = log.split('\n').find((l) => /ERROR/.test(l));
  if (line === undefined) return 'nextpnr failed';
  const msg = line.replace(/^ERROR:\s*/, '').trim();
  const full = /no BELs remaining to implement cell type '([^']+)'/.exec(msg);
  if (full) return `the design needs more ${full[1]} cells than the part has`;
  const region = /Failed to expand region .* of (\d+) (\w+)/.exec(msg);
  if (region) return `the design needs ${region[1]} ${region[2]!.replace(/s$/, '')} cells, more than the part has`;
  return msg.length > 160 ? `${msg.slice(0, 157)}…` : msg;
}

/** Versions of the tools, for reports. */
export function toolVersions(): Record<string, string> {
  return {
    yosys: `${toolVersion('yosys')} (@yowasp/yosys, WebAssembly)`,
    'nextpnr-ice40': `${toolVersion('nextpnr-ice40')} (@yowasp/nextpnr-ice40, WebAssembly)`,
  };
}
