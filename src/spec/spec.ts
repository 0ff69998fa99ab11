/**
 * A validated input file: every design is a list of layers, each with a `kind`, applied in turn
 * to the input vector, optionally followed by a score. A plain matrix (`weights` or `kernel`)
 * is a one-layer network whose layer is `dense`, linear, unshifted and at full precision; its
 * `form` records that the file gave a matrix, for what describes it (the Verilog header, the
 * manifest and report, the hand-written baseline). Everything that asks which form a spec has
 * is in this folder: the rest of da-gen reads `describeSpec`.
 */

export type Activation = 'linear' | 'relu';
export type Rounding = 'floor' | 'nearest';
export type Overflow = 'wrap' | 'saturate';

/** Where a layer's result is fitted: `width` bits, two's complement if `signed`. */
export interface LayerOutput {
  width: number;
  signed: boolean;
  /** wrap: keep the low `width` bits (modulo 2^width); saturate: clamp to the width's range. */
  overflow: Overflow;
}

/**
 * A dense layer. In this fixed order: a = W·x; a += bias; a = activation(a); a = a >> shift
 * (arithmetic, dropping `shift` fractional bits, rounded per `rounding`: floor, or nearest with
 * halves rounded up, i.e. floor((a + 2^(shift−1)) / 2^shift)); then fitted to `output` (wrap or
 * saturate). Without `output` the layer keeps full precision (no overflow, ever).
 */
export interface DenseLayer {
  kind: 'dense';
  /** weights[o][i]: from input i to output o. */
  weights: bigint[][];
  /** One integer per output at the accumulator's scale, or null. */
  bias: bigint[] | null;
  activation: Activation;
  /** Right shift k ≥ 0 (0: none). */
  shift: number;
  rounding: Rounding;
  output: LayerOutput | null;
  /** Fractional bits of the weights and of the layer's input (metadata for mapping back to reals), or null. */
  weightFracBits: number | null;
  inputFracBits: number | null;
}

/** One layer; new kinds join this union (and the parser, da/network.ts and sim/reference.ts). */
export type Layer = DenseLayer;

/** An anomaly score: Σ v² over the last layer's outputs, as an extra output port `score`. */
export interface Score {
  kind: 'sum_of_squares';
  of: 'last';
}

export interface Spec {
  format: 1;
  /** Verilog module name. */
  name: string;
  input: { width: number; signed: boolean };
  /** At least one. */
  layers: Layer[];
  score: Score | null;
  /** 'matrix': the file gave one matrix and no score (y = W·x at full precision); 'layers': a network. */
  form: 'matrix' | 'layers';
}

/** A dense layer computing W·u exactly: no bias, linear, no shift, full precision. */
export function plainDense(weights: bigint[][]): DenseLayer {
  return { kind: 'dense', weights, bias: null, activation: 'linear', shift: 0, rounding: 'floor', output: null, weightFracBits: null, inputFracBits: null };
}

/** The spec of one matrix, y = W·x at full precision, as a file with "weights" gives it. */
export function matrixSpec(name: string, input: { width: number; signed: boolean }, weights: bigint[][]): Spec {
  return { format: 1, name, input, layers: [plainDense(weights)], score: null, form: 'matrix' };
}

/** Number of inputs (x values) of a spec. */
export function inputCount(spec: Spec): number {
  return layerInputs(spec.layers[0]!);
}

/** Number of inputs a layer takes. */
export function layerInputs(layer: Layer): number {
  return layer.weights[0]!.length;
}

/** Number of outputs a layer gives. */
export function layerOutputs(layer: Layer): number {
  return layer.weights.length;
}

/** What describes a spec, to people and to the files da-gen writes. */
export interface SpecSummary {
  /** "16 outputs × 8 inputs", "a network of 3 layers, 57 → 32 → 16 → 13". */
  shape: string;
  /** Short form for one-line messages: "16×8", "3 layers". */
  short: string;
  /**
   * What the module computes, for the Verilog header: "y = W·x, W is 16 outputs × 8 inputs",
   * "a network of 3 layers, 57 → 32 → 16 → 13, with a sum-of-squares score".
   */
  title: string;
  /** y is W·x at full precision, so its width never overflows (the header says so). */
  exact: boolean;
  /** What each output must equal, in messages: "W·x" or "the network's reference model". */
  reference: string;
  /** The matrix of the hand-written baseline (y = W*x), or null when the spec is not one plain matrix. */
  baseline: bigint[][] | null;
  /** Whether the manifest and the report list the layers. */
  listsLayers: boolean;
}

export function describeSpec(spec: Spec): SpecSummary {
  const dims = [inputCount(spec), ...spec.layers.map(layerOutputs)];
  if (spec.form === 'matrix') {
    const W = spec.layers[0]!.weights;
    const rc = `${W.length} outputs × ${W[0]!.length} inputs`;
    return { shape: rc, short: `${W.length}×${W[0]!.length}`, title: `y = W·x, W is ${rc}`, exact: true, reference: 'W·x', baseline: W, listsLayers: false };
  }
  const n = spec.layers.length;
  const layers = `${n} layer${n === 1 ? '' : 's'}`;
  const network = `a network of ${layers}, ${dims.join(' → ')}`;
  return {
    shape: network,
    short: layers,
    title: `${network}${spec.score ? ', with a sum-of-squares score' : ''}`,
    exact: false,
    reference: "the network's reference model",
    baseline: null,
    listsLayers: true,
  };
}
