/**
 * What importing a model gives and takes: the public types of src/import/.
 */
import type { ModelGraph, FixedFormat } from './ir.js';

/** The kinds of model file da-gen reads. */
export type ModelKind = 'keras-json' | 'keras-h5' | 'keras3' | 'onnx';

export interface ImportOptions {
  /** Keras 2 architecture JSON: the weights file (HDF5). */
  weights?: string;
  /** The input's format, `fixed<W,I>` or `ufixed<W,I>` (hls4ml's notation); default: the model's own input quantizer. */
  input?: string;
  /**
   * Precisions for float models, in hls4ml's notation: `fixed<16,6>` for every weight, bias and
   * result, and `NAME=fixed<…>` for one layer (by the framework's layer or node name).
   */
  precision?: string[];
  /** What a final softmax becomes: refused (default), `argmax`, or dropped (`drop`: y is the logits). */
  softmax?: 'refuse' | 'argmax' | 'drop';
  /** The Verilog module name (default: from the model's name or the file name). */
  name?: string;
}

/** One line of the import report: a layer of the layers format and what it came from. */
export interface ImportReportLayer {
  /** Index in the layers format. */
  index: number;
  /** The layers-format kind ("dense", "batchnorm", …). */
  kind: string;
  /** The framework layers it came from: "fc1 (QDense) + relu1 (QActivation)". */
  from: string;
  inShape: number[];
  outShape: number[];
  /** The weights' and bias's types ("fixed<6,1>"), or null. */
  weightType: string | null;
  biasType: string | null;
  /** The result's type ("ufixed<6,0,RND_CONV,SAT>", per channel as a range), or "full precision". */
  resultType: string;
  /** Nonzero integer weights and all weights (null for layers without weights). */
  nonzero: number | null;
  weights: number | null;
  /** Inputs whose every weight is zero. */
  prunedInputs: number;
  /** What was folded or changed ("bn1 (BatchNormalization) folded into the weights"). */
  notes: string[];
}

export interface ImportReport {
  file: string;
  framework: string;
  /** The hardware input's format and where it came from. */
  input: string;
  /** The output: its format and how to read it back as real values. */
  output: string;
  layers: ImportReportLayer[];
  /** Whole-model notes (removed layers, preprocessing left outside, precision applied, …). */
  notes: string[];
}

export interface ImportResult {
  /** The imported model graph (quantized parameters, float64), the referee's input. */
  graph: ModelGraph;
  /** The layers-format document (format 1), as an object. */
  document: Record<string, unknown>;
  /** The same, as the JSON text `da-gen import` writes (deterministic, newline at the end). */
  text: string;
  /**
   * Per output element: the fractional bits of y (a real output is y / 2^frac), or null for an
   * argmax (an index). Equal for every element unless the last quantizer is per channel.
   */
  outputFrac: number[] | null;
  /** The input format (x = k / 2^frac for the integer k given to the hardware). */
  input: FixedFormat;
  report: ImportReport;
}
