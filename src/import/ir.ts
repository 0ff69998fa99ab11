/**
 * The imported model graph: what a trained model computes, in the framework's own operations and
 * order, with every trained parameter already quantized as the framework's forward pass
 * quantizes it (so each is a float64 holding an exact dyadic rational, or, for the few float
 * operations a quantized model may still hold, such as a BatchNormalization before a ternary
 * activation, the float value itself). The front ends (keras.ts, onnx.ts) build it; lower.ts
 * maps it to integers (the layers format); forward.ts runs it in float64, independently of the
 * integer mapping, as the referee of that mapping.
 *
 * Values are flat vectors in channels-last order, as in the layers format: element (h, w, c) of
 * an [H, W, C] value is v[(h·W + w)·C + c]. Every per-channel array is indexed by the last axis.
 */

/** How a value is rounded to the grid 2^−frac. */
export type QRounding =
  /** toward −∞ (ap_fixed AP_TRN, QONNX FLOOR) */
  | 'floor'
  /** to nearest, halves toward +∞ (ap_fixed AP_RND; floor(x + 0.5)) */
  | 'nearest'
  /** to nearest, halves to even (TensorFlow's and NumPy's round, ap_fixed AP_RND_CONV, QONNX ROUND) */
  | 'nearest_even';

/** What happens outside a format's range. */
export type QOverflow =
  /** modulo 2^width (two's complement wrap-around) */
  | 'wrap'
  /** clamp to [min, max] */
  | 'saturate'
  /** clamp to [−max, max] (signed; the most negative code is never used) */
  | 'saturate_symmetric';

/**
 * A fixed-point format: the values k / 2^frac for integers k of `width` bits (two's complement if
 * signed). width 0 holds only 0. frac may be negative (a grid coarser than 1) or exceed width.
 */
export interface FixedFormat {
  signed: boolean;
  width: number;
  frac: number;
  rounding: QRounding;
  overflow: QOverflow;
}

/** Where an operation came from, for messages and the import report. */
export interface OpMeta {
  /** The framework's layer or node name. */
  name: string;
  /** The framework's class or op type ("QDense", "Conv", "FixedPointQuantizer"). */
  cls: string;
  /** What the importer did with it, for the report ("BatchNormalization folded in", …). */
  notes: string[];
}

/**
 * A runtime quantizer on values: each element of channel c becomes the nearest value of
 * formats[c] (formats of length 1 apply to every channel), rounded and then fitted per its
 * rounding and overflow.
 */
export interface QuantOp {
  op: 'quant';
  formats: FixedFormat[];
  /** The framework's quantizer, as text ("quantized_relu(6,0)", "fixed<12,9,TRN,WRAP>"). */
  source: string;
  meta: OpMeta;
}

/**
 * y[o] = Σ_i W[i][o]·u[i] + bias[o] over the flat input (Keras's kernel layout: rows are inputs).
 * `weightType`/`biasType` describe the quantizers the importer applied ("quantized_bits(6,0)").
 */
export interface DenseOp {
  op: 'dense';
  W: number[][];
  bias: number[] | null;
  weightType: string;
  biasType: string;
  meta: OpMeta;
}

/** A Keras convolution over channels-last data; conv1d has kh = 1 (as in the layers format). */
export interface ConvOp {
  op: 'conv';
  rank: 1 | 2;
  /** kernel[i][j][ci][co] (kh × kw × cin × cout). */
  kernel: number[][][][];
  strides: [number, number];
  dilation: [number, number];
  padding: 'valid' | 'same';
  bias: number[] | null;
  weightType: string;
  biasType: string;
  meta: OpMeta;
}

/** Per channel c: u·scale[c] + offset[c] (a BatchNormalization at inference, or Mul/Add by constants). */
export interface AffineOp {
  op: 'affine';
  scale: number[];
  offset: number[];
  meta: OpMeta;
}

/**
 * Element-wise activations:
 * - relu: max(u, 0); leaky_relu: u ≥ 0 ? u : alpha·u;
 * - sign: u ≥ 0 ? +1 : −1 (a bipolar value, as QKeras binary and QONNX BipolarQuant give it);
 * - step: a staircase: the result is levels[j], where j is the number of thresholds k
 *   (ascending) that u passes: u > thresholds[k] when cmp[k] is "gt", u ≥ thresholds[k] when
 *   it is "ge". Ternary activations (ternary_tanh, QKeras ternary) are steps.
 */
export type ActivationOp =
  | { op: 'relu'; meta: OpMeta }
  | { op: 'leaky_relu'; alpha: number; meta: OpMeta }
  | { op: 'sign'; meta: OpMeta }
  | { op: 'step'; thresholds: number[]; cmp: ('gt' | 'ge')[]; levels: number[]; meta: OpMeta };

/** Max or average pooling over windows, per channel (Keras's arithmetic; rank 1 has kh = 1). */
export interface PoolOp {
  op: 'pool';
  mode: 'max' | 'avg';
  rank: 1 | 2;
  pool: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
  meta: OpMeta;
}

/**
 * Flatten to [n]. `order` is the flat order the framework uses: "channels_last" (Keras) keeps
 * the channels-last order of our values; "channels_first" (ONNX's NCHW) takes the elements in
 * (c, h, w) order, an explicit permutation.
 */
export interface FlattenOp {
  op: 'flatten';
  order: 'channels_last' | 'channels_first';
  meta: OpMeta;
}

/** The index of the largest value (ties: the lowest index); what `--softmax argmax` makes of a softmax. */
export interface ArgmaxOp {
  op: 'argmax';
  meta: OpMeta;
}

export type ModelOp = QuantOp | DenseOp | ConvOp | AffineOp | ActivationOp | PoolOp | FlattenOp | ArgmaxOp;

/** A model as a chain of operations applied in turn to the input. */
export interface ModelGraph {
  /** A name for the Verilog module (from the model or the file name). */
  name: string;
  /** The framework and format, for the report ("QKeras (Keras 2 JSON + HDF5 weights)"). */
  framework: string;
  /** The input's shape, channels-last ([n], [L, C] or [H, W, C]). */
  inputShape: number[];
  /**
   * The format of the hardware input x: every x value is k / 2^frac for a `width`-bit k. From
   * `--input`, or the model's own input quantizer.
   */
  input: FixedFormat;
  /** Where `input` came from, for the report ("--input fixed<16,6>", "the model's input quantizer inp_q"). */
  inputSource: string;
  /** The operations, in order. */
  ops: ModelOp[];
  /** What the importer removed or changed, in order, for the report ("Dropout dropout_1 removed"). */
  notes: string[];
}
