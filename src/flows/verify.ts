import { readVerilogToJson } from '../platform/yosys.js';
import type { Netlist } from '../rtl/netlist.js';
import type { SelfTestBoard } from '../rtl/verilog/selftest.js';
import { coreTestbench, selfTestTestbench } from '../rtl/verilog/testbench.js';
import { compareWithReference, withFlush } from '../sim/compare.js';
import type { CompareResult } from '../sim/compare.js';
import { compileNetlist } from '../sim/netlist-sim.js';
import { packVector, unpackOutputs } from '../sim/ports.js';
import { referenceOf } from '../sim/reference.js';
import type { Reference } from '../sim/reference.js';
import { testVectors } from '../sim/vectors.js';
import { compileYosysJson } from '../sim/yosys-json-sim.js';
import { inputCount } from '../spec/spec.js';
import type { Spec } from '../spec/spec.js';
import { ToolError } from '../errors.js';
import { icarusAvailable, runIcarus } from '../toolchain/icarus.js';
import type { ToolRunOptions } from '../toolchain/tool.js';
import { compile } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';

/**
 * Verification flows: the netlist simulator against the reference model (`simulateSpec`), and
 * the emitted text read by independent front ends (`checkText`): Yosys reads the Verilog, the
 * TypeScript simulator executes Yosys's JSON netlist cycle by cycle, and where Icarus is
 * installed the same vectors go through Icarus.
 */

export interface SimulateOptions extends Omit<CompileOptions, 'log'> {
  vectors?: number;
  seed?: number;
}

export interface SimulateResult {
  compile: CompileResult;
  compare: CompareResult;
  mode: 'number' | 'bigint';
}

/** Compile the spec, run extreme and random vectors through the netlist simulator, compare with the reference model. */
export function simulateSpec(spec: Spec, opts: SimulateOptions = {}): SimulateResult {
  const { vectors: _v, seed: _s, ...copts } = opts;
  const r = compile(spec, copts);
  const nIn = inputCount(spec);
  const vecs = testVectors(nIn, spec.input, opts.vectors ?? 1000, opts.seed ?? 1);
  const sim = compileNetlist(r.netlist);
  const ys = sim.run(withFlush(vecs, nIn, r.netlist.latency));
  return { compile: r, compare: compareWithReference(referenceOf(spec), vecs, ys, r.netlist.latency), mode: sim.mode };
}

/**
 * Run the vectors through the Verilog text with Icarus, one per clock cycle; returns the
 * outputs per cycle (y, then the score), or null for a cycle in which some output bit was
 * unknown (x/z), as it is before the registers first load.
 */
export async function simulateInIcarus(verilog: string, n: Pick<Netlist, 'module' | 'ports'>, vectors: readonly (readonly bigint[])[], opts: ToolRunOptions = {}): Promise<(bigint[] | null)[]> {
  const p = n.ports;
  const x = vectors.map((v) => packVector(v, p.inputWidth)).join('\n') + '\n';
  const r = await runIcarus('simulating the Verilog', { 'design.v': verilog, 'tb.v': coreTestbench(n.module, p, vectors.length) }, { 'x.hex': x }, ['y.hex'], opts);
  const lines = r.files['y.hex']!.split('\n').filter((l) => l !== '');
  if (lines.length !== vectors.length) throw new ToolError('vvp', `the simulation wrote ${lines.length} samples, expected ${vectors.length}`);
  return lines.map((l) => (/^[0-9a-fA-F]+$/.test(l) ? unpackOutputs(BigInt(`0x${l}`), p) : null));
}

/** The LEDs of the board self-test after `cycles` cycles in Icarus (on = lit, whatever the polarity). */
export interface SelfTestRun {
  pass: boolean;
  /** The fail LED, or null when the board has none. */
  fail: boolean | null;
}

/** Run the self-test top (and the core) in Icarus as the board would, and read its LEDs at the end. */
export async function simulateSelfTest(core: string, top: string, board: SelfTestBoard, cycles: number, opts: ToolRunOptions = {}): Promise<SelfTestRun> {
  const r = await runIcarus('simulating the self-test', { 'core.v': core, 'top.v': top, 'tb.v': selfTestTestbench(board, cycles) }, {}, [], opts);
  const m = /PASS=([01xz]) FAIL=([01xz])/.exec(r.stdout);
  if (!m) throw new ToolError('vvp', `the self-test simulation printed no LED states: ${r.stdout.trim().split('\n')[0] ?? 'nothing'}`, r.stdout);
  return { pass: m[1] === '1', fail: board.fail ? m[2] === '1' : null };
}

export interface TextCheck {
  vectors: number;
  yosys: CompareResult;
  /** null when Icarus is not installed (or not asked for). */
  icarus: CompareResult | null;
  pass: boolean;
}

/** The cross-check of a compiled design's text against `reference` (by default, the spec's). */
export async function checkText(
  r: CompileResult,
  spec: Spec,
  opts: { vectors?: number; seed?: number; icarus?: boolean; reference?: Reference } = {},
): Promise<TextCheck> {
  const n = r.netlist;
  const reference = opts.reference ?? referenceOf(spec);
  const vecs = testVectors(n.ports.nIn, spec.input, opts.vectors ?? 500, opts.seed ?? 1);
  const driven = withFlush(vecs, n.ports.nIn, n.latency);
  const json = await readVerilogToJson(r.verilog, n.module);
  const ys = compileYosysJson(json, n.module, n.ports).run(driven);
  const yosys = compareWithReference(reference, vecs, ys, n.latency);
  let icarus: CompareResult | null = null;
  if ((opts.icarus ?? true) && icarusAvailable()) {
    icarus = compareWithReference(reference, vecs, await simulateInIcarus(r.verilog, n, driven), n.latency);
  }
  return { vectors: vecs.length, yosys, icarus, pass: yosys.pass && (icarus?.pass ?? true) };
}
