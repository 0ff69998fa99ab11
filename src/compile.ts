import { optimize } from './da/cmvm.js';
import type { OptimizeStats } from './da/cmvm.js';
import type { CostModel } from './da/cse.js';
import type { AdderGraph } from './da/graph.js';
import { buildManifest, manifestText } from './rtl/manifest.js';
import type { Manifest } from './rtl/manifest.js';
import { buildNetlist } from './rtl/netlist.js';
import type { Netlist } from './rtl/netlist.js';
import { emitVerilog } from './rtl/verilog.js';
import type { Spec } from './spec/parse.js';

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
  graph: AdderGraph;
  stats: OptimizeStats;
  netlist: Netlist;
  verilog: string;
  manifest: Manifest;
  manifestText: string;
  ms: { optimize: number; netlist: number; emit: number };
}

export const DEFAULT_LATENCY = 2;

/** The whole flow: Spec → AdderGraph → Netlist → Verilog text and manifest. */
export function compile(spec: Spec, opts: CompileOptions = {}): CompileResult {
  const latency = opts.latency ?? DEFAULT_LATENCY;
  const t0 = performance.now();
  const { graph, stats } = optimize(spec.weights, spec.input, {
    ...(opts.depthSlack !== undefined ? { depthSlack: opts.depthSlack } : {}),
    ...(opts.cost !== undefined ? { cost: opts.cost } : {}),
    ...(opts.effort !== undefined ? { effort: opts.effort } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const t1 = performance.now();
  const netlist = buildNetlist(graph, spec.name, latency);
  const t2 = performance.now();
  const verilog = emitVerilog(netlist, { rows: spec.weights.length, naiveAdders: stats.naiveAdders });
  const manifest = buildManifest(netlist, stats);
  const text = manifestText(manifest);
  const t3 = performance.now();
  return { graph, stats, netlist, verilog, manifest, manifestText: text, ms: { optimize: t1 - t0, netlist: t2 - t1, emit: t3 - t2 } };
}
