import { optimize } from './da/cmvm.js';
import type { OptimizeOptions, OptimizeStats } from './da/cmvm.js';
import type { CostModel } from './da/cse.js';
import type { NetworkGraph } from './da/graph.js';
import { buildNetworkGraph } from './da/network.js';
import { buildManifest, manifestText } from './rtl/manifest.js';
import type { Manifest, ManifestLayer } from './rtl/manifest.js';
import { buildNetlist } from './rtl/netlist.js';
import type { Netlist } from './rtl/netlist.js';
import { emitVerilog } from './rtl/verilog.js';
import type { NetworkSpec, Spec } from './spec/parse.js';

export interface CompileOptions {
  /** Register ranks from x to y (0…8); default 2. */
  latency?: number;
  /** Extra adder levels above the minimum (−1: unbounded); default 2. */
  depthSlack?: number;
  /** Minimise adders (default) or adder result bits. */
  cost?: CostModel;
  /** Search attempts; default by matrix size. */
  effort?: number;
  /** Progress / detail lines (the CLI's --verbose). */
  log?: (line: string) => void;
}

export interface CompileResult {
  /** The optimizer's graph: an adder graph for a matrix, a network graph for a network. */
  graph: NetworkGraph;
  stats: OptimizeStats;
  netlist: Netlist;
  verilog: string;
  manifest: Manifest;
  manifestText: string;
  ms: { optimize: number; netlist: number; emit: number };
}

export const DEFAULT_LATENCY = 2;

/** The whole flow: Spec → AdderGraph (or network graph) → Netlist → Verilog text and manifest. */
export function compile(spec: Spec, opts: CompileOptions = {}): CompileResult {
  const latency = opts.latency ?? DEFAULT_LATENCY;
  const oopts = {
    ...(opts.depthSlack !== undefined ? { depthSlack: opts.depthSlack } : {}),
    ...(opts.cost !== undefined ? { cost: opts.cost } : {}),
    ...(opts.effort !== undefined ? { effort: opts.effort } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  };
  if (spec.layers !== undefined) return compileNetwork(spec, latency, oopts);
  const t0 = performance.now();
  const { graph, stats } = optimize(spec.weights, spec.input, oopts);
  const t1 = performance.now();
  const netlist = buildNetlist(graph, spec.name, latency);
  const t2 = performance.now();
  const verilog = emitVerilog(netlist, { rows: spec.weights.length, naiveAdders: stats.naiveAdders });
  const manifest = buildManifest(netlist, stats);
  const text = manifestText(manifest);
  const t3 = performance.now();
  return { graph, stats, netlist, verilog, manifest, manifestText: text, ms: { optimize: t1 - t0, netlist: t2 - t1, emit: t3 - t2 } };
}

function compileNetwork(spec: NetworkSpec, latency: number, oopts: OptimizeOptions): CompileResult {
  const t0 = performance.now();
  const build = buildNetworkGraph(spec, oopts);
  const t1 = performance.now();
  const netlist = buildNetlist(build.graph, spec.name, latency);
  const t2 = performance.now();
  const g = build.graph;
  // the network's figures, summed over its layers (adders: every add/sub/neg/addc node used)
  let adderBits = 0;
  for (const s of netlist.signals) if (s.kind === 'add' || s.kind === 'sub' || s.kind === 'neg' || s.kind === 'addc') adderBits += s.width;
  const per = build.layers.map((l) => l.optimize);
  const sum = (f: (s: OptimizeStats) => number): number => per.reduce((t, s) => t + (s ? f(s) : 0), 0);
  const stats: OptimizeStats = {
    // the adders outside the matrices (bias, rounding, the score's sum) count the same both ways
    naiveAdders: sum((s) => s.naiveAdders) + netlist.adders - sum((s) => s.adders),
    adders: netlist.adders,
    adderBits,
    subtractors: sum((s) => s.subtractors),
    subtractorsBeforeSigns: sum((s) => s.subtractorsBeforeSigns),
    depth: netlist.adderDepth,
    depthBound: Infinity,
    minDepth: sum((s) => s.minDepth),
    negations: sum((s) => s.negations),
    attempt: 'per layer',
    attempts: per.flatMap((s, i) => (s ? s.attempts.map((a) => ({ ...a, name: `layer ${i}: ${a.name}` })) : [])),
    phases: per.flatMap((s) => (s ? s.phases : [])),
    ms: { recode: sum((s) => s.ms.recode), search: sum((s) => s.ms.search), ranges: 0, total: t1 - t0 },
  };
  const layers: ManifestLayer[] = spec.layers.map((l, i) => ({
    inputs: build.layers[i]!.inputs,
    outputs: build.layers[i]!.outputs,
    pruned_inputs: build.layers[i]!.prunedInputs,
    adders: build.layers[i]!.optimize?.adders ?? 0,
    naive_adders: build.layers[i]!.optimize?.naiveAdders ?? 0,
    bias: l.bias !== null,
    activation: l.activation,
    shift: l.shift,
    rounding: l.rounding,
    output: l.output,
    weight_frac_bits: l.weightFracBits,
    input_frac_bits: l.inputFracBits,
  }));
  const shape = [spec.layers[0]!.weights[0]!.length, ...spec.layers.map((l) => l.weights.length)].join(' → ');
  const description = `a network of ${spec.layers.length} layer${spec.layers.length === 1 ? '' : 's'}, ${shape}${spec.score ? ', with a sum-of-squares score' : ''}`;
  const verilog = emitVerilog(netlist, { rows: g.outputs.length, naiveAdders: stats.naiveAdders, network: description });
  const manifest = buildManifest(netlist, stats, { layers, score: spec.score ? spec.score.kind : null, squares: build.squares });
  const text = manifestText(manifest);
  const t3 = performance.now();
  return { graph: g, stats, netlist, verilog, manifest, manifestText: text, ms: { optimize: t1 - t0, netlist: t2 - t1, emit: t3 - t2 } };
}