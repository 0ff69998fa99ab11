import { selfTestPorts } from '../boards/board.js';
import type { Board } from '../boards/board.js';
import { UsageError } from '../errors.js';
import type { BoardSupport, Family, PllSetting } from '../platform/family.js';
import { describeRun, pack, placeAndRoute, placerOf } from '../platform/nextpnr.js';
import { parseStat, runYosys } from '../platform/yosys.js';
import { buildReport } from '../report/build.js';
import type { TargetInput } from '../report/build.js';
import type { Report } from '../report/schema.js';
import { DEFAULT_LATENCY } from '../rtl/netlist.js';
import { DEFAULT_VECTORS, planSelfTest, selfTestVerilog } from '../rtl/verilog/selftest.js';
import type { SelfTestBoard, SelfTestPlan } from '../rtl/verilog/selftest.js';
import { simulatorFor } from '../sim/wasm-sim.js';
import type { Spec } from '../spec/spec.js';
import { icarusAvailable } from '../toolchain/icarus.js';
import { DEFAULT_TIMEOUT_SECONDS, toolDescription } from '../toolchain/tool.js';
import type { ToolRunOptions } from '../toolchain/tool.js';
import { boardFamily, constraintsFor } from './boards.js';
import { compile } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';
import { toolRun } from './progress.js';
import type { Progress } from './progress.js';
import { toolVersions } from './synthesize.js';
import { simulateSelfTest } from './verify.js';

/**
 * `da-gen build --board`: the core inside the board self-test (rtl/verilog/selftest.ts),
 * simulated, synthesized, placed and routed for the board with its constraints, and packed
 * into a bitstream, with the board's family's tools (src/platform).
 *
 * Before any synthesis tool runs, the whole self-test top is simulated in Icarus (when
 * installed) for its N vectors and must reach the pass state. Where the family's place and
 * route or packer is not installed, the synthesized netlist is written with the commands that
 * finish the job.
 */

export interface BuildOptions extends Omit<CompileOptions, 'latency' | 'log'> {
  latency?: number;
  /** Run the core from the part's PLL at about this many MHz (boards whose PLL da-gen drives). */
  pllMhz?: number;
  /** Self-test vectors (default 4096). */
  vectors?: number;
  /** nextpnr seed (default 1). */
  seed?: number;
  timeoutSeconds?: number;
  progress?: Progress;
}

export interface BuildResult {
  compile: CompileResult;
  plan: SelfTestPlan;
  /** Files to write, by name: text, or bytes for the bitstream. */
  files: Record<string, string | Uint8Array>;
  report: Report;
  /** The self-test simulated in Icarus: 'pass', 'fail', or null when Icarus is not installed. */
  simulated: 'pass' | 'fail' | null;
  /** What was done and what was not (e.g. no native ECP5 tools), one line each. */
  notes: string[];
}

export function selfTestBoard(b: Board): SelfTestBoard {
  const led = (p: { activeLow: boolean } | null): { activeLow: boolean } | null => (p === null ? null : { activeLow: p.activeLow });
  return { clockMhz: b.clock.mhz, pass: { activeLow: b.leds.pass.activeLow }, fail: led(b.leds.fail), beat: led(b.leds.beat), button: led(b.button) };
}

/** The design for the board: the compiled core, its self-test plan and top, and the PLL top when asked. */
interface Prepared {
  r: CompileResult;
  plan: SelfTestPlan;
  stb: SelfTestBoard;
  /** The top module's name and the Verilog files, by name. */
  topName: string;
  sources: Record<string, string>;
  pll: PllSetting | null;
}

async function prepare(spec: Spec, board: Board, family: Family & { boards: BoardSupport }, opts: BuildOptions, notes: string[]): Promise<Prepared> {
  const { vectors: _v, seed: _s, timeoutSeconds: _t, progress: _p, pllMhz: _m, latency, ...copts } = opts;
  const r = compile(spec, { ...copts, latency: latency ?? DEFAULT_LATENCY });
  const sim = simulatorFor(r.netlist);
  const plan = planSelfTest(r.netlist, (v) => sim.run(v), { vectors: opts.vectors ?? DEFAULT_VECTORS });
  let pll: PllSetting | null = null;
  const drive = family.boards.pll;
  if (opts.pllMhz !== undefined) {
    if (drive === null || board.pllPrimitive === null) throw new UsageError(`--pll-mhz: ${board.name} has no PLL that da-gen drives (the ${family.name} family's PLL is not written yet, or the board has none)`);
    pll = await drive.plan(board.clock.mhz, opts.pllMhz, opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  }
  const stb = { ...selfTestBoard(board), clockMhz: pll ? pll.outMhz : board.clock.mhz };
  const sources: Record<string, string> = { 'core.v': r.verilog, 'top.v': selfTestVerilog(r.netlist, plan, stb) };
  if (pll && drive && board.pllPrimitive) {
    sources['board.v'] = drive.topVerilog(board.pllPrimitive, pll, 'da_gen_selftest', selfTestPorts(board));
    notes.push(`clock: ${drive.describe(board.pllPrimitive, pll)}`);
  }
  return { r, plan, stb, topName: pll ? 'da_gen_board' : 'da_gen_selftest', sources, pll };
}

export async function buildForBoard(spec: Spec, board: Board, opts: BuildOptions = {}): Promise<BuildResult> {
  const p = opts.progress;
  const run = toolRun(opts.timeoutSeconds, p);
  const family = boardFamily(board);
  const notes: string[] = [];
  const d = await prepare(spec, board, family, opts, notes);
  const name = d.r.netlist.module;
  const cons = constraintsFor(board);
  const files: Record<string, string | Uint8Array> = { [`${name}.v`]: d.r.verilog, [`${name}.json`]: d.r.manifestText, 'da_gen_selftest.v': d.sources['top.v']!, [cons.fileName]: cons.text };
  if (d.sources['board.v'] !== undefined) files['da_gen_board.v'] = d.sources['board.v'];

  // verification without hardware: the whole top, as the board runs it
  let simulated: BuildResult['simulated'] = null;
  if (icarusAvailable()) {
    p?.start(`simulating the self-test top (${d.plan.vectors} vectors, Icarus)`);
    const t0 = performance.now();
    const s = await simulateSelfTest(d.r.verilog, d.sources['top.v']!, d.stb, 40 + d.plan.vectors + d.r.netlist.latency, run);
    simulated = s.pass && s.fail !== true ? 'pass' : 'fail';
    p?.done((performance.now() - t0) / 1000, simulated === 'pass' ? 'reaches the pass state' : 'does NOT reach the pass state');
    notes.push(`self-test simulated in Icarus for ${d.plan.vectors} vectors: ${simulated}`);
  } else notes.push('self-test not simulated: Icarus (iverilog) is not installed');

  const synth = family.synthCommand(d.topName);
  p?.start(`${board.name}: synthesis of the self-test top (${family.synthesizer})`);
  const t0 = performance.now();
  const y = await runYosys(`synthesis for ${board.name}`, `read_verilog ${Object.keys(d.sources).join(' ')}; ${synth} -json top.json; tee -q -o stat.json stat -json`, d.sources, ['top.json', 'stat.json'], run);
  const cells = parseStat(y['stat.json']!, d.topName);
  const res = family.resources(cells);
  p?.done((performance.now() - t0) / 1000, `${res.luts ?? '?'} LUTs, ${res.carries ?? 0} carries, ${res.ffs ?? '?'} FFs`);
  files[`${d.topName}.synth.json`] = y['top.json']!;
  const clockMhz = d.stb.clockMhz;
  const entry: TargetInput = { target: `${board.name} (${board.part})`, design: 'da-gen', flow: `${synth}; self-test top (core + LFSR + MISR)`, cells, ...res, clock_mhz: clockMhz, place_and_route: null, fmax_mhz: null, note: null };
  const tools = toolVersions(['yosys']);
  await implement(board, family, y['top.json']!, `${d.topName}.synth.json`, `${name}_${board.name}`, clockMhz, { ...opts, run, cons, entry, files, notes, tools });
  const report = buildReport({ netlist: d.r.netlist, stats: d.r.stats, targets: [entry], tools, manifest: d.r.manifest });
  return { compile: d.r, plan: d.plan, files, report, simulated, notes };
}

/**
 * Place and route the synthesized top with the board's constraints, and pack the bitstream;
 * where the tools are missing, say what to install and the commands that finish the job.
 * Fills in the report entry, the files, the notes and the tools.
 */
async function implement(
  board: Board,
  family: Family,
  json: string,
  jsonName: string,
  bin: string,
  clockMhz: number,
  o: BuildOptions & { run: ToolRunOptions; cons: { fileName: string; text: string }; entry: TargetInput; files: Record<string, string | Uint8Array>; notes: string[]; tools: Record<string, string> },
): Promise<void> {
  const pnr = family.pnr;
  const placer = placerOf(family);
  const seed = o.seed ?? 1;
  const part = { device: board.device, package: board.package, speed: board.speed };
  const p = o.progress;
  if (pnr === null || placer === null) {
    o.entry.note = pnr === null ? `synthesis only: the ${family.name} family has no place and route` : `synthesis only: place and route and the bitstream need ${pnr.placer} and ${pnr.packer}`;
    if (pnr !== null) {
      const args = pnr.args(part, { netlist: jsonName, constraints: o.cons.fileName, clockMhz, seed, report: null, placed: `${bin}.${pnr.placedExt}` });
      o.notes.push(`no bitstream: ${pnr.install}, then run: ${pnr.placer} ${args.join(' ')} && ${pnr.packer} ${pnr.packArgs(`${bin}.${pnr.placedExt}`, `${bin}.${pnr.bitstreamExt}`).join(' ')}`);
    }
    return;
  }
  o.tools[placer.name] = toolDescription(placer);
  p?.start(`${board.name}: place and route (${placer.name} --${board.device} --package ${board.package}, ${clockMhz} MHz, seed ${seed})`);
  const n = await placeAndRoute(family, placer, json, part, { ...o.run, clockMhz, seed, constraints: o.cons, keepPlaced: true });
  Object.assign(o.entry, { place_and_route: n.tool, flow: `${o.entry.flow}; ${n.flow}` });
  if (n.placed === null) {
    const why = n.note ?? 'place and route failed';
    p?.done(n.seconds, why);
    o.entry.note = why;
    o.notes.push(`no bitstream: ${why}`);
    return;
  }
  o.entry.fmax_mhz = n.fmaxMhz;
  p?.done(n.seconds, n.fmaxMhz !== null ? `Fmax ${n.fmaxMhz.toFixed(1)} MHz` : 'no Fmax');
  o.files[`${bin}.${pnr.placedExt}`] = n.placed;
  p?.start(`${board.name}: bitstream (${pnr.packer})`);
  const pk = await pack(family, n.placed, o.run);
  if (pk.bytes === null) {
    p?.done(pk.seconds, pk.why);
    o.notes.push(`no .${pnr.bitstreamExt}: ${pk.why}; run: ${pnr.packer} ${pnr.packArgs(`${bin}.${pnr.placedExt}`, `${bin}.${pnr.bitstreamExt}`).join(' ')}`);
    return;
  }
  p?.done(pk.seconds, `${pk.bytes.length} bytes`);
  o.files[`${bin}.${pnr.bitstreamExt}`] = pk.bytes;
  o.notes.push(`bitstream ${bin}.${pnr.bitstreamExt} (${describeRun(pk.tool)})`);
  o.tools[pnr.packer] = toolDescription(pk.tool);
}
