/**
 * A validated input file: every design is a list of layers, each with a `kind`, applied in turn
 * to the input vector, optionally followed by a score. A plain matrix (`weights` or `kernel`)
 * is a one-layer network whose layer is `dense`, linear, unshifted and at full precision; its
 * `form` records that the file gave a matrix, for what describes it (the Verilog header, the
 * manifest and report, the hand-written baseline). Everything that asks which form a spec has
 * is in this folder: the rest of da-gen reads `describeSpec`.
 *
 * Shapes: every value vector is flat, in channels-last order. A shape is `[n]`, `[L, C]` (one
 * spatial axis) or `[H, W, C]` (two), and element (h, w, c) of an [H, W, C] vector is
 * `v[(h·W + w)·C + c]`. Each layer records the shape it takes and the shape it gives.
 */

export type Activation = 'linear' | 'relu' | 'leaky_relu' | 'hard_tanh' | 'sign';
/** floor: toward −∞; nearest: halves up (toward +∞); nearest_even: halves to the even neighbour (NumPy's and TensorFlow's round). */
export type Rounding = 'floor' | 'nearest' | 'nearest_even';
/** wrap: modulo 2^width; saturate: clamped to the width's range; saturate_symmetric: clamped to ±(2^(width−1) − 1) when signed (as saturate when unsigned). */
export type Overflow = 'wrap' | 'saturate' | 'saturate_symmetric';
export type Padding = 'valid' | 'same';

/**
 * Where a layer's result is fitted: `width` bits, two's complement if `signed`. A width of 0
 * (only in a layer's per-channel `outputs`) is a pruned channel: its value is always 0.
 */
export interface LayerOutput {
  width: number;
  signed: boolean;
  /**
   * wrap: keep the low `width` bits (modulo 2^width); saturate: clamp to the width's range;
   * saturate_symmetric: clamp to [−(2^(width−1) − 1), 2^(width−1) − 1] when signed, as
   * saturate when unsigned.
   */
  overflow: Overflow;
}

/**
 * The steps after a layer's linear part, per element, in this fixed order: a += bias[c] (c the
 * element's channel, the last axis); a = activation(a); a = a >> shift (arithmetic, dropping
 * `shift` fractional bits, rounded per `rounding`: floor; nearest with halves rounded up,
 * i.e. floor((a + 2^(shift−1)) / 2^shift); or nearest with halves to the even neighbour); then
 * fitted to `output` (wrap, saturate or saturate_symmetric). Without `output` the layer keeps
 * full precision (no overflow, ever).
 *
 * Per channel: the affine layers (dense, conv, batchnorm) may shift and fit each output channel
 * its own way (`shifts`, `outputs`); read them through `shiftOf` and `outputOf`, never `shift`
 * and `output` alone.
 *
 * Activations: linear (none); relu max(a, 0); leaky_relu a for a ≥ 0, else ⌊a·mult / 2^shift⌋
 * with `alpha`; hard_tanh a clamped to [−one, one]; sign +1 for a ≥ 0, else −1 (a bipolar value:
 * one bit in hardware, and a layer with sign has no shift and no output).
 */
export interface PostOps {
  /** One integer per output channel at the accumulator's scale, or null. */
  bias: bigint[] | null;
  activation: Activation;
  /** leaky_relu's slope mult / 2^shift (null for other activations). */
  alpha: { mult: bigint; shift: number } | null;
  /** hard_tanh's 1.0 at the accumulator's scale, a power of two (null for other activations). */
  one: bigint | null;
  /** Right shift k ≥ 0 (0: none) of every channel; with `shifts`, the largest of them. */
  shift: number;
  /** One right shift per output channel (the last axis), when they differ; absent: every channel shifts by `shift`. */
  shifts?: number[];
  rounding: Rounding;
  /** The format every channel is fitted to, or null: full precision (and null with `outputs`). */
  output: LayerOutput | null;
  /** One format per output channel, when they differ (a width of 0: that channel is always 0); absent: every channel has `output`. */
  outputs?: LayerOutput[];
}

/** What every layer has: the shape of the values it takes and of those it gives. */
interface LayerBase {
  inShape: number[];
  outShape: number[];
}

/** y = W·u over the flat input, then the post-ops. */
export interface DenseLayer extends LayerBase, PostOps {
  kind: 'dense';
  /** weights[o][i]: from input i to output o. */
  weights: bigint[][];
  /** Fractional bits of the weights and of the layer's input (metadata for mapping back to reals), or null. */
  weightFracBits: number | null;
  inputFracBits: number | null;
}

/**
 * A convolution with Keras's arithmetic, then the post-ops. A conv1d is held as a conv2d over
 * one row: its kernel has kh = 1 and its strides, dilation and padding have 1, 1, 0 on the
 * first axis. Output (oh, ow, co) = Σ kernel[i][j][ci][co] · u(oh·sh + i·dh − padTop,
 * ow·sw + j·dw − padLeft, ci) over i, j, ci, where positions outside the input are zero.
 */
export interface ConvLayer extends LayerBase, PostOps {
  kind: 'conv1d' | 'conv2d';
  /** kernel[i][j][ci][co] (kh × kw × cin × cout). */
  kernel: bigint[][][][];
  strides: [number, number];
  dilation: [number, number];
  padding: Padding;
  /** Zero rows and columns before the input: [top, left] ("same": ⌊total / 2⌋ per axis). */
  padBefore: [number, number];
  weightFracBits: number | null;
  inputFracBits: number | null;
}

/** Per channel c: scale[c]·u + offset[c] (an already quantized affine), then the post-ops. */
export interface BatchNormLayer extends LayerBase, PostOps {
  kind: 'batchnorm';
  scale: bigint[];
  offset: bigint[];
}

/**
 * Pooling over windows, per channel; a pool1d is held as a pool2d over one row (as conv1d).
 * maxpool: the largest value of the window's positions inside the input (padding never wins).
 * avgpool: the window's sum, padded positions counting zero; its own `shift`, `rounding` and
 * `output` then divide and fit (the window size is a power of two). Pools have no bias and no
 * activation (linear).
 */
export interface PoolLayer extends LayerBase, PostOps {
  kind: 'maxpool1d' | 'maxpool2d' | 'avgpool1d' | 'avgpool2d';
  pool: [number, number];
  strides: [number, number];
  padding: Padding;
  padBefore: [number, number];
}

/** Shape bookkeeping only: [H, W, C] or [L, C] → [n]. */
export interface FlattenLayer extends LayerBase {
  kind: 'flatten';
}

/**
 * An element-wise lookup table over the format of the value before it: entry k is the result
 * for the input value min + k, where min is the least value of `input` (2^width entries). The
 * entries are already fitted to `output` when it is given.
 */
export interface TableLayer extends LayerBase {
  kind: 'table';
  /** The format of the values looked up (the output format of the layer before). */
  input: { width: number; signed: boolean };
  entries: bigint[];
  /** The function the entries were computed from ("sigmoid", …), or null when the file gave `values`. */
  function: string | null;
  output: LayerOutput | null;
}

/** The index of the largest input (ties: the lowest index), one value. */
export interface ArgmaxLayer extends LayerBase {
  kind: 'argmax';
}

/** One layer; a new kind joins this union, the parser, da/network.ts and sim/reference.ts. */
export type Layer = DenseLayer | ConvLayer | BatchNormLayer | PoolLayer | FlattenLayer | TableLayer | ArgmaxLayer;
export type LayerKind = Layer['kind'];

/** The layers whose steps after the linear part are the full post-ops. */
export type AffineLayer = DenseLayer | ConvLayer | BatchNormLayer;

/** An anomaly score: Σ v² over the last layer's outputs, as an extra output port `score`. */
export interface Score {
  kind: 'sum_of_squares';
  of: 'last';
}

/** The input vector: `width`-bit values (two's complement if signed), of the given shape. */
export interface InputSpec {
  width: number;
  signed: boolean;
  /** Each input is one bit carrying ±1 (bit 1: +1, bit 0: −1); width is 1, unsigned. */
  bipolar: boolean;
  shape: number[];
}

export interface Spec {
  format: 1;
  /** Verilog module name. */
  name: string;
  input: InputSpec;
  /** At least one. */
  layers: Layer[];
  score: Score | null;
  /** 'matrix': the file gave one matrix and no score (y = W·x at full precision); 'layers': a network. */
  form: 'matrix' | 'layers';
}

/** Post-ops that change nothing: no bias, linear, no shift, full precision. */
export const NO_POST_OPS: PostOps = { bias: null, activation: 'linear', alpha: null, one: null, shift: 0, rounding: 'floor', output: null };

/** A dense layer computing W·u exactly: no bias, linear, no shift, full precision. */
export function plainDense(weights: bigint[][]): DenseLayer {
  return { kind: 'dense', weights, ...NO_POST_OPS, weightFracBits: null, inputFracBits: null, inShape: [weights[0]!.length], outShape: [weights.length] };
}

/** The spec of one matrix, y = W·x at full precision, as a file with "weights" gives it. */
export function matrixSpec(name: string, input: { width: number; signed: boolean }, weights: bigint[][]): Spec {
  const inp: InputSpec = { width: input.width, signed: input.signed, bipolar: false, shape: [weights[0]!.length] };
  return { format: 1, name, input: inp, layers: [plainDense(weights)], score: null, form: 'matrix' };
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A shape as [H, W, C]: [n] is [1, 1, n]; [L, C] is [1, L, C]. */
export function spatial(shape: readonly number[]): [number, number, number] {
  if (shape.length === 1) return [1, 1, shape[0]!];
  if (shape.length === 2) return [1, shape[0]!, shape[1]!];
  return [shape[0]!, shape[1]!, shape[2]!];
}

/** Whether a layer has the full post-ops (bias, activation, shift, rounding, output). */
export function isAffine(layer: Layer): layer is AffineLayer {
  return layer.kind === 'dense' || layer.kind === 'conv1d' || layer.kind === 'conv2d' || layer.kind === 'batchnorm';
}

/** The post-ops of a layer (pools: shift, rounding and output only; others: none). */
export function postOpsOf(layer: Layer): PostOps {
  if (isAffine(layer) || layer.kind.endsWith('pool1d') || layer.kind.endsWith('pool2d')) return layer as PostOps & Layer;
  return NO_POST_OPS;
}

/** The right shift of channel c (the last axis of the layer's output). */
export function shiftOf(ops: PostOps, c: number): number {
  return ops.shifts === undefined ? ops.shift : ops.shifts[c]!;
}

/** The output format of channel c, or null (full precision); a width of 0 is a pruned channel (always 0). */
export function outputOf(ops: PostOps, c: number): LayerOutput | null {
  return ops.outputs === undefined ? ops.output : ops.outputs[c]!;
}

/** Whether the channels of a layer shift or fit each their own way. */
export function isPerChannel(ops: PostOps): boolean {
  return ops.shifts !== undefined || ops.outputs !== undefined;
}

/** Whether a layer keeps its accumulator as it is after the activation: no shift of any channel and full precision. */
export function keepsPrecision(ops: PostOps): boolean {
  return ops.shift === 0 && ops.shifts === undefined && ops.output === null && ops.outputs === undefined;
}

/**
 * The one format that holds every channel's value: `output`, or with per-channel formats the
 * narrowest field that holds each of them (signed when any is signed: an unsigned channel then
 * takes one bit more); null at full precision.
 */
export function commonOutputFormat(ops: PostOps): { width: number; signed: boolean } | null {
  if (ops.outputs === undefined) return ops.output === null ? null : { width: ops.output.width, signed: ops.output.signed };
  const signed = ops.outputs.some((o) => o.signed && o.width > 0);
  let width = signed ? 2 : 1;
  for (const o of ops.outputs) if (o.width > 0) width = Math.max(width, o.width + (signed && !o.signed ? 1 : 0));
  return { width, signed };
}

/** Number of inputs (x values) of a spec. */
export function inputCount(spec: Spec): number {
  return shapeSize(spec.input.shape);
}

/** Number of inputs a layer takes. */
export function layerInputs(layer: Layer): number {
  return shapeSize(layer.inShape);
}

/** Number of outputs a layer gives. */
export function layerOutputs(layer: Layer): number {
  return shapeSize(layer.outShape);
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
  const dims = [spec.input.shape, ...spec.layers.map((l) => l.outShape)].map((d) => d.join('×'));
  const first = spec.layers[0]!;
  if (spec.form === 'matrix' && first.kind === 'dense') {
    const W = first.weights;
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
