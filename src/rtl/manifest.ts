import type { OptimizeStats } from '../da/cmvm.js';
import type { LayerStats, TriedForm } from '../da/network.js';
import type { Layer, PostOps } from '../spec/spec.js';
import { postOpsOf } from '../spec/spec.js';
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
  /**
   * Cells each FPGA family's synthesis is estimated to give, by family, under Yosys's cell names
   * (LUTs, carries, flip-flops), computed from the netlist without synthesis (platform's
   * `estimateCells`); absent when the caller gave none.
   */
  estimated_cells?: Record<string, Record<string, number>>;
  /** For a network: the shape of x (channels last) and whether each input bit stands for ±1. */
  input_shape?: number[];
  input_bipolar?: boolean;
  /** For a network: one entry per layer. */
  layers?: ManifestLayer[];
  /** The score port: its kind, width and how its squares are built. */
  score?: string;
  score_width?: number;
  squares?: string;
  /** Exact range of each output over all inputs (for a network after the first layer, a sound bound), as decimal strings. */
  output_ranges: [string, string][];
}

/** A form tried, as the manifest writes it: `at_least` when its adders and cells are lower bounds (not searched). */
export type ManifestTried = Omit<TriedForm, 'atLeast'> & { at_least?: true };

export interface ManifestLayer {
  /** The layer's kind ("dense", "conv2d", "maxpool2d", "table", …). */
  kind: string;
  /** The shapes of the values it takes and gives ([n], [L, C] or [H, W, C]). */
  in_shape: number[];
  out_shape: number[];
  /** How it was built: conv "per-position" or "toeplitz"; batchnorm "folded" or "shift-add"; else null. */
  strategy: string | null;
  /** For a convolution, and a dense layer whose lookup tables were weighed: the adders of each form tried, in the order tried (and for a dense layer the cells it was chosen by). */
  tried: ManifestTried[];
  inputs: number;
  outputs: number;
  /** Inputs that were constant or repeated and vanished. */
  pruned_inputs: number;
  /** Adders of the layer's matrix, and of its no-sharing CSD form. */
  adders: number;
  naive_adders: number;
  bias: boolean;
  activation: string;
  /** The right shift, or one per output channel when they differ. */
  shift: number | number[];
  rounding: string;
  /**
   * The layer's output format, or null (full precision); with per-channel formats `width` is
   * one per output channel (0: a pruned channel, always 0), and so is `signed` when it differs.
   */
  output: { width: number | number[]; signed: boolean | boolean[]; overflow: string } | null;
  weight_frac_bits: number | null;
  input_frac_bits: number | null;
}

export interface NetworkInfo {
  inputShape: number[];
  inputBipolar: boolean;
  layers: ManifestLayer[];
  score: string | null;
  squares: string | null;
}

/** The manifest's entry of each layer: the spec's layer and what building it gave. */
export function manifestLayers(layers: readonly Layer[], built: readonly LayerStats[]): ManifestLayer[] {
  return layers.map((l, i) => {
    const b = built[i]!;
    const post = postOpsOf(l);
    const frac = l.kind === 'dense' || l.kind === 'conv1d' || l.kind === 'conv2d' ? l : { weightFracBits: null, inputFracBits: null };
    return {
      kind: l.kind,
      in_shape: [...l.inShape],
      out_shape: [...l.outShape],
      strategy: b.strategy,
      tried: b.tried.map(({ atLeast, ...t }) => (atLeast === true ? { ...t, at_least: true } : { ...t })),
      inputs: b.inputs,
      outputs: b.outputs,
      pruned_inputs: b.prunedInputs,
      adders: b.optimize?.adders ?? 0,
      naive_adders: b.optimize?.naiveAdders ?? 0,
      bias: post.bias !== null,
      activation: post.activation,
      shift: post.shifts ?? post.shift,
      rounding: post.rounding,
      output: l.kind === 'table' ? l.output : outputEntry(post),
      weight_frac_bits: frac.weightFracBits,
      input_frac_bits: frac.inputFracBits,
    };
  });
}

/** A layer's output format as the manifest gives it: one format, or its widths (and signs, when they differ) per channel. */
function outputEntry(post: PostOps): ManifestLayer['output'] {
  const outs = post.outputs;
  if (outs === undefined) return post.output;
  const signed = outs.map((o) => o.signed);
  return { width: outs.map((o) => o.width), signed: signed.every((x) => x === signed[0]) ? signed[0]! : signed, overflow: outs[0]!.overflow };
}

export function buildManifest(
  n: Netlist,
  stats: Pick<OptimizeStats, 'naiveAdders' | 'adderBits' | 'depthBound' | 'minDepth'>,
  network?: NetworkInfo,
  estimates?: Record<string, Record<string, number>>,
): Manifest {
  const net: Partial<Manifest> = {};
  if (network) {
    net.input_shape = network.inputShape;
    net.input_bipolar = network.inputBipolar;
    net.layers = network.layers;
    if (network.score !== null && n.score) {
      net.score = network.score;
      net.score_width = n.score.width;
      if (network.squares !== null) net.squares = network.squares;
    }
  }
  return {
    generator: `da-gen ${VERSION}`,
    module: n.module,
    inputs: n.ports.nIn,
    input_width: n.ports.inputWidth,
    input_signed: n.ports.inputSigned,
    outputs: n.ports.nOut,
    output_width: n.ports.outputWidth,
    output_signed: n.ports.outputSigned,
    latency: n.latency,
    adders: n.adders,
    naive_adders: stats.naiveAdders,
    adder_bits: stats.adderBits,
    adder_depth: n.adderDepth,
    depth_bound: stats.depthBound === Infinity ? null : stats.depthBound,
    min_depth: stats.minDepth,
    register_bits: n.registerBits,
    register_cuts: n.cuts,
    ...(estimates !== undefined ? { estimated_cells: estimates } : {}),
    ...net,
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
