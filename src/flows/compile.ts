import type { AttemptReport, OptimizeStats } from '../da/cmvm.js';
import type { CostModel } from '../da/cse.js';
import type { NetworkGraph } from '../da/graph.js';
import { buildNetworkGraph, networkStats } from '../da/network.js';
import type { ConvStrategy } from '../da/network.js';
import type { Arith } from '../da/lut-da.js';

export type { AttemptReport } from '../da/cmvm.js';
import { estimateCells } from '../platform/index.js';
import { lowerNetlist } from '../rtl/lower.js';
import type { LoweredNetlist } from '../rtl/lower.js';
import { buildManifest, manifestLayers, manifestText } from '../rtl/manifest.js';
import type { Manifest } from '../rtl/manifest.js';
import { buildNetlist, DEFAULT_LATENCY } from '../rtl/netlist.js';
import { describeSquares } from '../rtl/passes/squares.js';
import { emitVerilog } from '../rtl/verilog/core.js';
import { describeSpec } from '../spec/spec.js';
import type { Spec } from '../spec/spec.js';

export interface CompileOptions {
  /** Register ranks from x to y (0…8); default 2. */
  latency?: number;
  /** Extra adder levels above the minimum (−1: unbounded); default 2. */
  depthSlack?: number;
  /** Minimise adders (default) or adder result bits. */
  cost?: CostModel;
  /** Search attempts; default by matrix size. */
  effort?: number;
  /** How convolutions are built (default auto: the cheaper of per position and Toeplitz). */
  conv?: ConvStrategy;
  /**
   * A convolution built per position is one kernel module instantiated once per position
   * (default true); false applies the kernel's adder graph at every position in the one module
   * (the same adders; compile time and text then grow with the image times the kernel).
   */
  kernelModules?: boolean;
  /** Dense layers over narrow inputs: lookup tables, shift-add only, or the cheaper per layer (see da/lut-da.ts). */
  arith?: Arith;
  /** The most address bits of a table: the LUT's inputs (4 on iCE40 and ECP5, 6 on Xilinx parts). */
  lutInputs?: number;
  /** Progress / detail lines (the CLI's --verbose). */
  log?: (line: string) => void;
  /**
   * Called as each search attempt ends, in order: its place `index` of `total` (per layer, which
   * `layer` of `layers` names; a plain matrix is layer 0 of 1), name, adders, milliseconds, and
   * whether it was skipped as the same as an earlier attempt. For progress on long searches.
   */
  onAttempt?: (a: AttemptReport) => void;
}

export interface CompileResult {
  /** The network graph (a plain matrix's is its adder graph). */
  graph: NetworkGraph;
  stats: OptimizeStats;
  /** The netlist with its lowering: what the Verilog prints and the simulator runs. */
  netlist: LoweredNetlist;
  verilog: string;
  manifest: Manifest;
  manifestText: string;
  ms: { optimize: number; netlist: number; emit: number };
}

/** The whole compilation: Spec → network graph → Netlist → lowering → Verilog text and manifest. */
export function compile(spec: Spec, opts: CompileOptions = {}): CompileResult {
  const latency = opts.latency ?? DEFAULT_LATENCY;
  const oopts = {
    ...(opts.depthSlack !== undefined ? { depthSlack: opts.depthSlack } : {}),
    ...(opts.cost !== undefined ? { cost: opts.cost } : {}),
    ...(opts.effort !== undefined ? { effort: opts.effort } : {}),
    ...(opts.conv !== undefined ? { conv: opts.conv } : {}),
    ...(opts.kernelModules !== undefined ? { kernelModules: opts.kernelModules } : {}),
    ...(opts.arith !== undefined ? { arith: opts.arith } : {}),
    ...(opts.lutInputs !== undefined ? { lutInputs: opts.lutInputs } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.onAttempt ? { onAttempt: opts.onAttempt } : {}),
  };
  const t0 = performance.now();
  const build = buildNetworkGraph(spec, oopts);
  const t1 = performance.now();
  const netlist = lowerNetlist(buildNetlist(build.graph, spec.name, latency));
  const t2 = performance.now();
  const stats = networkStats(build.layers, spec.score !== null, { adders: netlist.adders, adderBits: netlist.adderBits, depth: netlist.adderDepth, ms: t1 - t0 });
  const about = describeSpec(spec);
  const verilog = emitVerilog(netlist, { title: about.title, exact: about.exact, naiveAdders: stats.naiveAdders });
  const network = about.listsLayers
    ? { inputShape: [...spec.input.shape], inputBipolar: spec.input.bipolar, layers: manifestLayers(spec.layers, build.layers), score: spec.score ? spec.score.kind : null, squares: describeSquares(netlist.forms.squares) }
    : undefined;
  const manifest = buildManifest(netlist, stats, network, estimateCells(netlist));
  const text = manifestText(manifest);
  const t3 = performance.now();
  return { graph: build.graph, stats, netlist, verilog, manifest, manifestText: text, ms: { optimize: t1 - t0, netlist: t2 - t1, emit: t3 - t2 } };
}
