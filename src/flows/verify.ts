import { readVerilogToJson } from '../platform/yosys.js';
import type { Netlist } from '../rtl/netlist.js';
import type { SelfTestBoard } from '../rtl/verilog/selftest.js';
import { coreTestbench, selfTestTestbench } from '../rtl/verilog/testbench.js';
import { StreamComparer } from '../sim/compare.js';
import type { CompareResult } from '../sim/compare.js';
import { simulatorFor } from '../sim/wasm-sim.js';
import type { NetlistSim } from '../sim/netlist-sim.js';
import { packVector, unpackOutputs } from '../sim/ports.js';
import { referenceOf } from '../sim/reference.js';
import type { Reference } from '../sim/reference.js';
import { flushVectors, runStreamed } from '../sim/stream.js';
import type { StreamedRun } from '../sim/stream.js';
import { testVectorSequence } from '../sim/vectors.js';
import { compileYosysJson } from '../sim/yosys-json-sim.js';
import type { Spec } from '../spec/spec.js';
import { ToolError } from '../errors.js';
import { icarusAvailable, runIcarus } from '../toolchain/icarus.js';
import type { ToolRunOptions } from '../toolchain/tool.js';
import { compile } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';
import { startStep, toolRun } from './progress.js';
import type { Progress, Step } from './progress.js';

/**
 * Verification flows: the netlist simulator against the reference model (`simulateSpec`), and
 * the emitted text read by independent front ends (`checkText`): Yosys reads the Verilog, the
 * TypeScript simulator executes Yosys's JSON netlist cycle by cycle, and where Icarus is
 * installed the same vectors go through Icarus.
 */

export interface SimulateOptions extends Omit<CompileOptions, 'log'> {
  vectors?: number;
  seed?: number;
  /** Vectors simulated at a time (DEFAULT_BLOCK_SIZE): memory grows with it, not with `vectors`. */
  blockSize?: number;
  /** The steps as they run: compiling, then the netlist simulation with ticks. */
  progress?: Progress;
}

export interface SimulateResult {
  compile: CompileResult;
  compare: CompareResult;
  mode: NetlistSim['mode'];
}

/** "PASS" or how many values were wrong, for the end of a step. */
function verdict(c: CompareResult): string {
  return c.pass ? `PASS, ${c.vectors} vectors` : `FAIL, ${c.errors} wrong output values in ${c.vectors} vectors`;
}

/**
 * Compile the spec, run extreme and random vectors through the netlist simulator, compare with
 * the reference model. The vectors are made, simulated and compared block by block.
 */
export function simulateSpec(spec: Spec, opts: SimulateOptions = {}): SimulateResult {
  const { vectors, seed, blockSize, progress, ...copts } = opts;
  const c = startStep(progress, 'compiling the design');
  const r = compile(spec, copts);
  c.done(`${r.netlist.adders} adders, latency ${r.netlist.latency}`);
  const count = vectors ?? 1000;
  const sim = simulatorFor(r.netlist);
  const step = startStep(progress, `netlist simulation (${sim.mode} mode), ${count} vectors`);
  const compare = runStreamed(sim.stream().run, {
    ...streamInputs(r, spec, count, seed ?? 1, referenceOf(spec), blockSize),
    onBlock: (done) => step.tick(done / count),
  });
  step.done(verdict(compare));
  return { compile: r, compare, mode: sim.mode };
}

/** What `runStreamed` needs to drive a compiled design with the test vectors. */
function streamInputs(r: CompileResult, spec: Spec, count: number, seed: number, reference: Reference, blockSize: number | undefined): StreamedRun {
  const n = r.netlist;
  return { nIn: n.ports.nIn, input: spec.input, count, seed, latency: n.latency, reference, ...(blockSize !== undefined ? { blockSize } : {}) };
}

/**
 * Run the vectors through the Verilog text with Icarus, one per clock cycle; returns the
 * outputs per cycle (y, then the score), or null for a cycle in which some output bit was
 * unknown (x/z), as it is before the registers first load.
 */
export async function simulateInIcarus(verilog: string, n: Pick<Netlist, 'module' | 'ports'>, vectors: readonly (readonly bigint[])[], opts: ToolRunOptions = {}): Promise<(bigint[] | null)[]> {
  const out: (bigint[] | null)[] = [];
  await icarusSamples(verilog, n, vectors, vectors.length, opts, (y) => out.push(y));
  return out;
}

/**
 * Icarus over `cycles` vectors from `vectors` (any iterable, consumed once); each cycle's
 * outputs go to `sample` in order, without holding them all.
 */
async function icarusSamples(
  verilog: string,
  n: Pick<Netlist, 'module' | 'ports'>,
  vectors: Iterable<readonly bigint[]>,
  cycles: number,
  opts: ToolRunOptions,
  sample: (y: bigint[] | null) => void,
): Promise<void> {
  const p = n.ports;
  // the input file in pieces of a few thousand lines: its text is all that is held
  const pieces: string[] = [];
  let lines: string[] = [];
  let made = 0;
  for (const v of vectors) {
    lines.push(packVector(v, p.inputWidth));
    made++;
    if (lines.length === 4096) {
      pieces.push(lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length > 0) pieces.push(lines.join('\n') + '\n');
  if (made !== cycles) throw new RangeError(`expected ${cycles} vectors for Icarus, got ${made}`);
  const x = pieces.join('');
  pieces.length = 0;
  const r = await runIcarus('simulating the Verilog', { 'design.v': verilog, 'tb.v': coreTestbench(n.module, p, cycles) }, { 'x.hex': x }, ['y.hex'], opts);
  const text = r.files['y.hex']!;
  let got = 0;
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const l = text.slice(at, end);
    at = end + 1;
    if (l === '') continue;
    got++;
    if (got <= cycles) sample(/^[0-9a-fA-F]+$/.test(l) ? unpackOutputs(BigInt(`0x${l}`), p) : null);
  }
  if (got !== cycles) throw new ToolError('vvp', `the simulation wrote ${got} samples, expected ${cycles}`);
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
  /** null when Icarus is not installed (or not asked for); its `vectors` may be fewer (see `icarusVectorLimit`). */
  icarus: CompareResult | null;
  pass: boolean;
}

export interface CheckTextOptions {
  vectors?: number;
  seed?: number;
  /** Run Icarus too, when it is installed (default true). */
  icarus?: boolean;
  /** How many of the vectors (the first ones) Icarus runs: default `icarusVectorLimit` of the design. */
  icarusVectors?: number;
  reference?: Reference;
  /** Vectors simulated at a time in the Yosys-JSON simulation (DEFAULT_BLOCK_SIZE). */
  blockSize?: number;
  /** Time limit of each tool run (DEFAULT_TIMEOUT_SECONDS). */
  timeoutSeconds?: number;
  /** The steps as they run: Yosys reading the Verilog, the simulation of its netlist, Icarus. */
  progress?: Progress;
}

/**
 * Icarus is an event-driven simulator: every adder is evaluated again for each change that
 * reaches one of its inputs, so a cycle costs more than the adder count, and more the deeper the
 * stages are. Measured with Icarus 12: up to about 12 µs per cycle for each adders × √(adder
 * levels per stage) (a 64 × 64 matrix: 50 ms per cycle; a 64-layer network of 12,676 adders,
 * 317 levels per stage: 2.7 s per cycle). By default Icarus runs the first vectors within this
 * much work, about half a minute, so that a check ends in minutes whatever the design.
 */
const ICARUS_WORK = 3e6;
/** Icarus always runs at least this many vectors (the extremes come first). */
const ICARUS_MIN_VECTORS = 8;

/** The vectors Icarus runs by default for a design: as many as fit the work budget, at least 8. */
export function icarusVectorLimit(n: Pick<Netlist, 'adders' | 'adderDepth' | 'latency'>): number {
  const stageDepth = Math.max(1, n.adderDepth / Math.max(1, n.latency));
  return Math.max(ICARUS_MIN_VECTORS, Math.floor(ICARUS_WORK / (Math.max(1, n.adders) * Math.sqrt(stageDepth))));
}

/**
 * The cross-check of a compiled design's text against `reference` (by default, the spec's):
 * Yosys reads the Verilog, its JSON netlist is simulated block by block, and Icarus (when
 * installed) runs the first vectors (`icarusVectorLimit`).
 */
export async function checkText(r: CompileResult, spec: Spec, opts: CheckTextOptions = {}): Promise<TextCheck> {
  const n = r.netlist;
  const reference = opts.reference ?? referenceOf(spec);
  const count = opts.vectors ?? 500;
  const seed = opts.seed ?? 1;
  const p = opts.progress;
  const read = startStep(p, 'Yosys reading the Verilog');
  const json = await failing(read, readVerilogToJson(r.verilog, n.module, toolRun(opts.timeoutSeconds, p)));
  read.done('netlist read');
  const ys = startStep(p, `simulating Yosys's JSON netlist, ${count} vectors`);
  const sim = compileYosysJson(json, n.module, n.ports);
  const yosys = runStreamed(sim.stream().run, { ...streamInputs(r, spec, count, seed, reference, opts.blockSize), onBlock: (done) => ys.tick(done / count) });
  ys.done(verdict(yosys));
  let icarus: CompareResult | null = null;
  if ((opts.icarus ?? true) && icarusAvailable()) {
    const k = Math.min(count, opts.icarusVectors ?? icarusVectorLimit(n));
    const is = startStep(p, `Icarus Verilog, ${k === count ? 'the same' : `the first ${k} of the`} ${count} vectors`);
    icarus = await failing(is, icarusCompare(r, spec, { count, k, seed, reference, run: toolRun(opts.timeoutSeconds, p) }));
    is.done(verdict(icarus));
  }
  return { vectors: count, yosys, icarus, pass: yosys.pass && (icarus?.pass ?? true) };
}

/** The step's result, or the step ends as failed and the error goes on. */
async function failing<T>(step: Step, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    step.done('failed');
    throw e;
  }
}

/**
 * The first `k` of the `count` test vectors (and the flush) through Icarus, compared as the
 * samples come: the vectors are made twice (once for Icarus's input file, once beside its
 * samples) rather than held.
 */
async function icarusCompare(
  r: CompileResult,
  spec: Spec,
  o: { count: number; k: number; seed: number; reference: Reference; run: ToolRunOptions },
): Promise<CompareResult> {
  const n = r.netlist;
  const nIn = n.ports.nIn;
  const driven = function* (): Generator<bigint[], void, undefined> {
    let made = 0;
    for (const v of testVectorSequence(nIn, spec.input, o.count, o.seed)) {
      if (made++ === o.k) break;
      yield v;
    }
    yield* flushVectors(nIn, n.latency);
  };
  const cmp = new StreamComparer(o.reference, n.latency);
  const again = driven();
  let cycle = 0;
  await icarusSamples(r.verilog, n, driven(), o.k + n.latency, o.run, (y) => {
    const v = again.next();
    if (cycle++ < o.k && !v.done) cmp.apply([v.value]);
    cmp.sample([y]);
  });
  return cmp.result();
}
