import type { OptimizeStats } from '../da/cmvm.js';
import { VERSION } from '../version.js';
import type { Netlist } from './netlist.js';

/**
 * The manifest written beside the Verilog (`encoder.json` next to `encoder.v`): everything
 * another tool needs to drive the module without parsing Verilog. Key order is fixed.
 */
export interface Manifest {
  generator: string;
  module: string;
  inputs: number;
  input_width: number;
  input_signed: boolean;
  outputs: number;
  output_width: number;
  output_signed: boolean;
  latency: number;
  adders: number;
  naive_adders: number;
  /** Σ over adders of their result width in bits. */
  adder_bits: number;
  adder_depth: number;
  /** The adder-depth bound the optimizer kept to (null: unbounded) and the minimum it was measured from. */
  depth_bound: number | null;
  min_depth: number;
  register_bits: number;
  /** Adder level after which each register rank sits. */
  register_cuts: number[];
  /** Exact range of each output over all inputs, as decimal strings. */
  output_ranges: [string, string][];
}

export function buildManifest(n: Netlist, stats: Pick<OptimizeStats, 'naiveAdders' | 'adderBits' | 'depthBound' | 'minDepth'>): Manifest {
  return {
    generator: `da-gen ${VERSION}`,
    module: n.module,
    inputs: n.nIn,
    input_width: n.inputWidth,
    input_signed: n.inputSigned,
    outputs: n.outputs.length,
    output_width: n.outputWidth,
    output_signed: n.outputSigned,
    latency: n.latency,
    adders: n.adders,
    naive_adders: stats.naiveAdders,
    adder_bits: stats.adderBits,
    adder_depth: n.adderDepth,
    depth_bound: stats.depthBound === Infinity ? null : stats.depthBound,
    min_depth: stats.minDepth,
    register_bits: n.registerBits,
    register_cuts: n.cuts,
    output_ranges: n.outputs.map((o) => [o.lo.toString(), o.hi.toString()]),
  };
}

export function manifestText(m: Manifest): string {
  // One output range per line keeps big manifests readable and diffs small.
  const head = { ...m } as Partial<Manifest>;
  delete head.output_ranges;
  const lines = JSON.stringify(head, null, 2).split('\n');
  lines.pop(); // closing brace
  const ranges = m.output_ranges.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
  return `${lines.join('\n')},\n  "output_ranges": [\n${ranges}\n  ]\n}\n`;
}
