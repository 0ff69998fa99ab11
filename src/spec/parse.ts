import { SpecError } from '../errors.js';
import { count, describe, isObject, keyPath, parseJson, quoteAnd, quoteList, quoteOr } from './json.js';
import { shapeSize, spatial } from './spec.js';
import type {
  Activation,
  ArgmaxLayer,
  BatchNormLayer,
  ConvLayer,
  DenseLayer,
  FlattenLayer,
  InputSpec,
  Layer,
  LayerKind,
  LayerOutput,
  Overflow,
  Padding,
  PoolLayer,
  PostOps,
  Rounding,
  Score,
  Spec,
  TableLayer,
} from './spec.js';
import { TABLE_FUNCTIONS, fitToOutput, formatRange, functionTable } from './tables.js';
import type { TableFunction } from './tables.js';
import { moduleNameProblem } from './verilog-names.js';

export const MIN_INPUT_WIDTH = 1;
export const MAX_INPUT_WIDTH = 32;
/** Largest matrix side accepted (rows or columns). */
export const MAX_DIMENSION = 4096;
/** Weights must satisfy |w| < 2^WEIGHT_BITS. */
export const WEIGHT_BITS = 64;

/** Most layers a network may have. */
export const MAX_LAYERS = 64;
/** Largest right shift of a layer. */
export const MAX_SHIFT = 62;
/** Widest layer output (`output.width`). */
export const MAX_OUTPUT_WIDTH = 64;
/** Largest `weight_frac_bits` / `input_frac_bits` (and a table's `output_frac_bits`). */
export const MAX_FRAC_BITS = 64;

/** Most elements of any shape: the input's and every layer's output. */
export const MAX_ELEMENTS = 65536;
/** Largest kernel or pool side. */
export const MAX_WINDOW = 64;
/** Largest stride and dilation of a convolution or pool. */
export const MAX_STRIDE = 64;
export const MAX_DILATION = 64;
/** leaky_relu's `alpha.mult` must satisfy |mult| < 2^ALPHA_BITS. */
export const ALPHA_BITS = 32;
/** Widest values a table looks up (2^14 entries). */
export const MAX_TABLE_INPUT_WIDTH = 14;

/** The layer kinds, as "kind" names them. */
export const LAYER_KINDS: readonly LayerKind[] = ['dense', 'conv1d', 'conv2d', 'batchnorm', 'maxpool1d', 'maxpool2d', 'avgpool1d', 'avgpool2d', 'flatten', 'table', 'argmax'];
export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'leaky_relu', 'hard_tanh', 'sign'];
export const ROUNDINGS: readonly Rounding[] = ['floor', 'nearest', 'nearest_even'];
export const OVERFLOWS: readonly Overflow[] = ['wrap', 'saturate', 'saturate_symmetric'];

const WEIGHT_LIMIT = 1n << BigInt(WEIGHT_BITS);
const ALPHA_LIMIT = 1n << BigInt(ALPHA_BITS);
const TOP_KEYS = new Set(['format', 'name', 'input', 'weights', 'kernel', 'layers', 'score', 'note', 'description', 'comment']);
const INPUT_KEYS = new Set(['width', 'signed', 'bipolar', 'shape']);
const NOTE_KEYS = ['note', 'description', 'comment'];
const POST_KEYS = ['bias', 'activation', 'alpha', 'one', 'shift', 'rounding', 'output'];
const FRAC_KEYS = ['weight_frac_bits', 'input_frac_bits'];
const POOL_KEYS = ['kind', 'pool', 'strides', 'padding'];
const CONV_KEYS = new Set(['kind', 'kernel', 'strides', 'padding', 'dilation', ...POST_KEYS, ...FRAC_KEYS, ...NOTE_KEYS]);
const MAXPOOL_KEYS = new Set([...POOL_KEYS, ...NOTE_KEYS]);
const AVGPOOL_KEYS = new Set([...POOL_KEYS, 'shift', 'rounding', 'output', ...NOTE_KEYS]);
/** The keys each kind of layer may have; any other is an error. */
const LAYER_KEYS: Record<LayerKind, Set<string>> = {
  dense: new Set(['kind', 'weights', 'kernel', ...POST_KEYS, ...FRAC_KEYS, ...NOTE_KEYS]),
  conv1d: CONV_KEYS,
  conv2d: CONV_KEYS,
  batchnorm: new Set(['kind', 'scale', 'offset', ...POST_KEYS, ...NOTE_KEYS]),
  maxpool1d: MAXPOOL_KEYS,
  maxpool2d: MAXPOOL_KEYS,
  avgpool1d: AVGPOOL_KEYS,
  avgpool2d: AVGPOOL_KEYS,
  flatten: new Set(['kind', ...NOTE_KEYS]),
  table: new Set(['kind', 'values', 'function', 'input_frac_bits', 'output_frac_bits', 'rounding', 'output', ...NOTE_KEYS]),
  argmax: new Set(['kind', ...NOTE_KEYS]),
};
const OUTPUT_KEYS = new Set(['width', 'signed', 'overflow']);
/** What an `output` object is, in messages. */
const OUTPUT_WHAT = `{"width": 1..${MAX_OUTPUT_WIDTH}, "signed": true|false, "overflow": ${OVERFLOWS.map((o) => `"${o}"`).join('|')}}`;
const ALPHA_KEYS = new Set(['mult', 'shift']);
const SCORE_KEYS = new Set(['kind', 'of']);
/** The keys that give the computation, in the order they are looked for. */
const BODY_KEYS = ['weights', 'kernel', 'layers'] as const;

/** m[r][c] → t[c][r], for a non-empty rectangular matrix. */
function transpose(m: bigint[][]): bigint[][] {
  return m[0]!.map((_, c) => m.map((row) => row[c]!));
}

/** A shape as messages write it: `[4, 4, 8]`. */
function shapeText(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/**
 * One weight: an integral JSON number within ±2^53, or a decimal string for anything larger.
 * `what` names the value in messages (biases follow the same rules as weights).
 */
function parseWeight(v: unknown, file: string, path: string, what = 'weight'): bigint {
  let w: bigint;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SpecError(file, path, `expected a finite integer, got ${v}`);
    if (!Number.isInteger(v)) throw new SpecError(file, path, `expected an integer, got ${v}`);
    if (!Number.isSafeInteger(v)) {
      throw new SpecError(file, path, `JSON numbers beyond 2^53 lose precision (this one reads as ${v}); write the ${what} as a decimal string of its exact digits, such as "-12345678901234567890"`);
    }
    w = BigInt(v);
  } else if (typeof v === 'string') {
    if (!/^[-+]?[0-9]+$/.test(v.trim())) {
      throw new SpecError(file, path, `expected an integer (a number, or a decimal string such as "-12345678901234567890"), got ${describe(v)}`);
    }
    w = BigInt(v.trim());
  } else {
    throw new SpecError(file, path, `expected an integer, got ${describe(v)}`);
  }
  if (w >= WEIGHT_LIMIT || w <= -WEIGHT_LIMIT) {
    throw new SpecError(file, path, `expected |${what}| < 2^${WEIGHT_BITS}, got ${w}`);
  }
  return w;
}

/** A non-empty rectangular matrix of integers; returns it as given (not transposed). */
function parseMatrix(v: unknown, file: string, key: string, rowWord: string, colWord: string): bigint[][] {
  if (!Array.isArray(v)) {
    throw new SpecError(file, key, `expected an array of rows (one per ${rowWord}), got ${describe(v)}`);
  }
  if (v.length === 0) throw new SpecError(file, key, `expected at least one row (one per ${rowWord}), got an empty matrix`);
  if (v.length > MAX_DIMENSION) throw new SpecError(file, key, `expected at most ${MAX_DIMENSION} rows, got ${v.length}`);
  let cols = -1;
  const out: bigint[][] = [];
  for (let r = 0; r < v.length; r++) {
    const row: unknown = v[r];
    const rp = `${key}[${r}]`;
    if (!Array.isArray(row)) throw new SpecError(file, rp, `expected an array of integers (one per ${colWord}), got ${describe(row)}`);
    if (row.length === 0) throw new SpecError(file, rp, `expected at least one integer (one per ${colWord}), got an empty row`);
    if (cols < 0) {
      cols = row.length;
      if (cols > MAX_DIMENSION) throw new SpecError(file, rp, `expected at most ${MAX_DIMENSION} entries, got ${cols}`);
    } else if (row.length !== cols) {
      throw new SpecError(file, rp, `expected ${cols} entries like ${key}[0] (rows must all have the same length), got ${row.length}`);
    }
    out.push(row.map((w, c) => parseWeight(w, file, `${rp}[${c}]`)));
  }
  return out;
}

/** One axis of a nested integer array: what one entry is, the most entries, and a required count. */
interface Axis {
  /** "kernel row", "input channel", … */
  one: string;
  max: number;
  /** The count the axis must have and why ("one per channel of …"), checked first. */
  want?: { n: number; why: string };
}

/**
 * A non-empty rectangular nested array of integers, one nesting level per axis (kernel[i][j][ci][co]
 * for four axes). `layout` says what the whole is, for the message when it is not an array. Each
 * axis's length is fixed by its first occurrence (the [0][0]… spine, read first), so a required
 * count is reported as such before any ragged entry further on.
 */
function parseTensor(v: unknown, file: string, path: string, layout: string, axes: readonly Axis[]): { data: unknown[]; dims: number[] } {
  if (!Array.isArray(v)) throw new SpecError(file, path, `expected ${layout}, got ${describe(v)}`);
  const dims: number[] = [];
  const firstAt: string[] = [];
  const walk = (x: unknown, d: number, at: string): unknown => {
    if (d === axes.length) return parseWeight(x, file, at);
    const ax = axes[d]!;
    if (!Array.isArray(x)) throw new SpecError(file, at, `expected an array (one entry per ${ax.one}), got ${describe(x)}`);
    const n = dims[d];
    if (n === undefined) {
      if (x.length === 0) throw new SpecError(file, at, `expected at least one entry (one per ${ax.one}), got an empty array`);
      if (ax.want !== undefined && x.length !== ax.want.n) throw new SpecError(file, at, `expected ${count(ax.want.n, 'entry', 'entries')}, ${ax.want.why}, got ${x.length}`);
      if (x.length > ax.max) throw new SpecError(file, at, `expected at most ${ax.max} entries (one per ${ax.one}), got ${x.length}`);
      dims[d] = x.length;
      firstAt[d] = at;
    } else if (x.length !== n) {
      throw new SpecError(file, at, `expected ${count(n, 'entry', 'entries')} like ${firstAt[d]!} (one per ${ax.one}; every level must have the same length), got ${x.length}`);
    }
    return x.map((e, i) => walk(e, d + 1, `${at}[${i}]`));
  };
  return { data: walk(v, 0, path) as unknown[], dims };
}

/** An array of integers, one per channel (bias, scale, offset); `per` and `note` word the messages. */
function parseVector(obj: Record<string, unknown>, key: string, n: number, per: string, note: string, what: string, file: string, path: string): bigint[] {
  const b = obj[key];
  if (!Array.isArray(b)) throw new SpecError(file, path, `expected an array of integers (${per}), got ${describe(b)}`);
  if (b.length !== n) throw new SpecError(file, path, `expected ${count(n, 'integer')}, ${per}${note}, got ${b.length}`);
  return b.map((x, o) => parseWeight(x, file, `${path}[${o}]`, what));
}

/** obj[key] when it is one of `choices`; `dflt` when the key is absent; else a SpecError at `path`. */
function parseChoice<T extends string>(obj: Record<string, unknown>, key: string, choices: readonly T[], dflt: T, file: string, path: string): T {
  if (!(key in obj)) return dflt;
  const v = obj[key];
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  throw new SpecError(file, path, `expected ${quoteOr(choices)} (default "${dflt}"), got ${describe(v)}`);
}

/** v when it is an integer in lo..hi; else a SpecError at `path`. */
function checkSmallInt(v: unknown, lo: number, hi: number, what: string, file: string, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new SpecError(file, path, `expected an integer from ${lo} to ${hi} (${what}), got ${describe(v)}`);
  }
  return v;
}

/** obj[key] when it is an integer in lo..hi; null when the key is absent; else a SpecError at `path`. */
function parseSmallInt(obj: Record<string, unknown>, key: string, lo: number, hi: number, what: string, file: string, path: string): number | null {
  return key in obj ? checkSmallInt(obj[key], lo, hi, what, file, path) : null;
}

/**
 * obj[key] as a pair [a, b] of integers in lo..hi: for two axes an integer (both) or [a, b];
 * for one axis an integer or [b], and the pair is [1, b]. Null when the key is absent.
 */
function parsePair(obj: Record<string, unknown>, key: string, twoD: boolean, hi: number, what: string, file: string, path: string): [number, number] | null {
  if (!(key in obj)) return null;
  const v = obj[key];
  const expected = twoD ? `an integer from 1 to ${hi} or a pair [${what}] of them` : `an integer from 1 to ${hi} (${what})`;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= hi;
  if (ok(v)) return twoD ? [v, v] : [1, v];
  if (!Array.isArray(v) || v.length !== (twoD ? 2 : 1)) throw new SpecError(file, path, `expected ${expected}, got ${Array.isArray(v) ? `an array of ${v.length}` : describe(v)}`);
  v.forEach((x: unknown, i) => {
    if (!ok(x)) throw new SpecError(file, `${path}[${i}]`, `expected an integer from 1 to ${hi}, got ${describe(x)}`);
  });
  return twoD ? [v[0] as number, v[1] as number] : [1, v[0] as number];
}

/*
 * Networks. A file gives its computation as exactly one of the top-level keys "weights",
 * "kernel" (one matrix) or "layers" (a network), and optionally "score".
 *
 * "input": {"width", "signed", "bipolar", "shape"}. "width" 2..MAX_INPUT_WIDTH and "signed" a
 * boolean, both required; or "bipolar": true (each input one bit carrying ±1) with "width": 1
 * and "signed" absent or false. "shape" (optional): [n], [L, C] or [H, W, C] of positive
 * integers, at most MAX_ELEMENTS elements in all; without it x is flat, as many as the first
 * layer's columns (a first layer that is not dense needs it).
 *
 * "layers": a non-empty array of at most MAX_LAYERS (64) layer objects, applied in order to the
 * input vector. Each has a "kind" (optional: without it a layer is "dense", which needs
 * "weights" or "kernel"), one of LAYER_KINDS, and the keys of its kind (LAYER_KEYS; any other
 * is an error; "note", "description" and "comment" are always allowed and ignored). Layer n
 * takes the shape layer n−1 gives (layer 0: input.shape):
 *   - dense: exactly one of "weights" (weights[output][input]) or "kernel" (kernel[input][output],
 *     transposed on reading), each a matrix under the same rules as the top-level one (integers
 *     with |w| < 2^64, rectangular, non-empty, at most MAX_DIMENSION rows and columns), over
 *     the flat input: its columns must equal the input's element count. Gives [rows].
 *   - conv1d: "kernel"[k][cin][cout] over [L, C] (C = cin); conv2d: "kernel"[kh][kw][cin][cout]
 *     over [H, W, C]; "strides", "dilation" (1..64, default 1; for conv2d an integer or a pair),
 *     "padding" ("valid" or "same", default "valid"), Keras's arithmetic per axis. Gives
 *     [ow, cout] or [oh, ow, cout].
 *   - batchnorm: "scale" and "offset", one integer per channel (the last axis); keeps the shape.
 *   - dense, conv and batchnorm take the post-ops:
 *     - "bias" (optional, default none): integers under the weight rules, one per output channel;
 *     - "activation" (optional, default "linear"): "linear", "relu", "leaky_relu" (with "alpha":
 *       {"mult": |mult| < 2^32, "shift": 0..62}), "hard_tanh" (with "one": a power of two) or
 *       "sign" (then no shift and no output);
 *     - "shift" (optional, default 0): an integer from 0 to MAX_SHIFT (62), bits to shift right,
 *       or an array of them, one per output channel (the last axis of the layer's output);
 *     - "rounding" (optional, default "floor"): "floor", "nearest" (halves rounded up) or
 *       "nearest_even" (halves to the even neighbour);
 *     - "output" (optional, default none: full precision): an object with "width" (an integer,
 *       1..64 when unsigned, 2..64 when signed), "signed" (a boolean, required) and "overflow"
 *       (optional, default "wrap"): "wrap", "saturate" or "saturate_symmetric"; no other keys.
 *       "width" and "signed" may each be an array with one entry per output channel, where a
 *       width of 0 is a pruned channel (always 0). Per-channel arrays whose entries are all
 *       equal are held as the scalar form (PostOps `shifts` and `outputs` otherwise);
 *     - dense and conv only: "weight_frac_bits", "input_frac_bits" (optional, default none):
 *       integers from 0 to MAX_FRAC_BITS (64), metadata only.
 *   - maxpool1d/2d, avgpool1d/2d: "pool" (required), "strides" (default: the pool),
 *     "padding" (default "valid"); avgpool also "shift" (default log2 of the window, which
 *     must be a power of two), "rounding" and "output", scalars only. Keep the channels.
 *   - flatten: no keys; gives [n].
 *   - table: over the format of the values before it (an "output", kept through maxpool and
 *     flatten, or the input's; not per-channel formats): "values" (2^width integers) or "function" (TABLE_FUNCTIONS)
 *     with "input_frac_bits", "output_frac_bits", "rounding" (default "nearest") and
 *     "output" (whose overflow defaults to "saturate").
 *   - argmax: no keys, the last layer only; gives [1].
 * A dense layer's input count mismatch is reported at `layers[k].weights[0]` ("expected N
 * entries, one per output of layers[k−1], got M") or at `layers[k].kernel` ("expected N rows,
 * …"). Every layer's output has at most MAX_ELEMENTS elements.
 *
 * "score" (optional): exactly {"kind": "sum_of_squares", "of": "last"}, both keys required and
 * no others. With "layers" it is attached to the network; with a single "weights" or "kernel"
 * the file becomes a one-layer network (no bias, linear, shift 0, floor, full-precision output,
 * no frac bits) with that score.
 *
 * Result: a Spec whose every Layer field is filled in (defaults applied, null for an absent
 * bias, output or frac bits), with `score` null when absent. A single matrix is one plain dense
 * layer; without "score" its `form` is 'matrix', else 'layers'.
 */

/** A layer's output channels, for per-channel keys: how many, and how messages word "one per channel". */
interface Channels {
  n: number;
  /** "one per output channel of layers[0]" */
  per: string;
  /** " (rows of its weights)" */
  note: string;
}

/** An output's `width` is valid for its signedness: 1..64 unsigned, 2..64 signed, or 0 (pruned) where `pruned` allows it. */
function checkWidth(width: unknown, signed: boolean, pruned: boolean, file: string, path: string, hint: string): number {
  const minWidth = signed ? 2 : 1;
  if (typeof width === 'number' && Number.isInteger(width) && ((width >= minWidth && width <= MAX_OUTPUT_WIDTH) || (pruned && width === 0))) return width;
  const what = `bits of ${signed ? 'a signed' : 'an unsigned'} output`;
  const expected = pruned ? `0 (a pruned channel, always 0) or an integer from ${minWidth} to ${MAX_OUTPUT_WIDTH} (${what})` : `an integer from ${minWidth} to ${MAX_OUTPUT_WIDTH} (${what}${hint})`;
  throw new SpecError(file, path, `expected ${expected}, got ${describe(width)}`);
}

/** The `output` object of the layer at `p` (`layers[n]`), one format for every value; `overflow` defaults to `dflt`. */
function parseLayerOutput(v: unknown, file: string, p: string, dflt: Overflow = 'wrap'): LayerOutput {
  return parseOutputObject(v, file, p, dflt, null).output!;
}

/**
 * The `output` object of the layer at `p`; `overflow` defaults to `dflt`. With `channels` (an
 * affine layer), `width` and `signed` may be arrays, one entry per channel: the result is then
 * one format per channel (`output` null), or one format when they are all equal.
 */
function parseOutputObject(v: unknown, file: string, p: string, dflt: Overflow, channels: Channels | null): Pick<PostOps, 'output' | 'outputs'> {
  const op = `${p}.output`;
  if (!isObject(v)) throw new SpecError(file, op, `expected an object ${OUTPUT_WHAT}, got ${describe(v)}`);
  for (const k of Object.keys(v)) {
    if (!OUTPUT_KEYS.has(k)) throw new SpecError(file, `${op}.${keyPath(k)}`, `unknown key; expected one of ${quoteList(OUTPUT_KEYS)}`);
  }
  const zeroHint = channels === null ? '' : '; 0, a pruned channel, only in a per-channel "width" array';
  const overflowOf = (): Overflow => parseChoice<Overflow>(v, 'overflow', OVERFLOWS, dflt, file, `${op}.overflow`);
  const perChannel = Array.isArray(v.width) || Array.isArray(v.signed);
  if (perChannel && channels === null) {
    const k = Array.isArray(v.signed) ? 'signed' : 'width';
    const one = k === 'signed' ? "true (two's complement) or false (unsigned)" : `an integer from 1 to ${MAX_OUTPUT_WIDTH} (bits of the output)`;
    throw new SpecError(file, `${op}.${k}`, `expected ${one}, got an array (per-channel arrays are for dense, conv and batchnorm layers)`);
  }
  if (!perChannel || channels === null) {
    const signed = v.signed;
    if (typeof signed !== 'boolean') {
      throw new SpecError(file, `${op}.signed`, `expected true (two's complement) or false (unsigned)${channels === null ? '' : ', or an array of them (one per output channel)'}, got ${describe(signed)}`);
    }
    const width = checkWidth(v.width, signed, false, file, `${op}.width`, zeroHint);
    return { output: { width, signed, overflow: overflowOf() } };
  }
  const { n, per, note } = channels;
  const list = (key: 'width' | 'signed', what: string): unknown[] => {
    const x = v[key];
    if (!Array.isArray(x)) return new Array<unknown>(n).fill(x);
    if (x.length !== n) throw new SpecError(file, `${op}.${key}`, `expected ${count(n, what)}, ${per}${note}, got ${x.length}`);
    return x;
  };
  const signs = list('signed', 'boolean').map((s, c) => {
    if (typeof s === 'boolean') return s;
    const at = Array.isArray(v.signed) ? `${op}.signed[${c}]` : `${op}.signed`;
    throw new SpecError(file, at, `expected true (two's complement) or false (unsigned), got ${describe(s)}`);
  });
  const widths = list('width', 'integer').map((w, c) => checkWidth(w, signs[c]!, Array.isArray(v.width), file, Array.isArray(v.width) ? `${op}.width[${c}]` : `${op}.width`, zeroHint));
  const overflow = overflowOf();
  const outputs = widths.map((width, c): LayerOutput => ({ width, signed: signs[c]!, overflow }));
  const first = outputs[0]!;
  if (outputs.every((o) => o.width === first.width && o.signed === first.signed) && first.width > 0) return { output: first };
  return { output: null, outputs };
}

/** The format of the values a layer gives, for a table after it. */
type FormatBefore =
  | { kind: 'fixed'; width: number; signed: boolean; from: string }
  | { kind: 'bipolar'; from: string }
  /** A format per channel: `from` names the layer's output. */
  | { kind: 'channels'; from: string }
  /** Full precision: `at` is the layer that would need an "output". */
  | { kind: 'full'; at: number };

/** What parsing one layer needs to know about where it stands. */
interface Where {
  file: string;
  n: number;
  /** `layers[n]` */
  p: string;
  /** The shape the layer takes; null for layer 0 without input.shape. */
  inShape: number[] | null;
  /** Where inShape comes from, for messages: "input.shape" or "the output of layers[n−1]". */
  from: string;
  fmt: FormatBefore;
  /** How many layers follow this one. */
  after: number;
}

/** The shape a kind takes, as messages name it. */
function shapeNeeded(kind: LayerKind): string {
  if (kind === 'conv1d' || kind === 'maxpool1d' || kind === 'avgpool1d') return '[L, C] (length, channels)';
  if (kind === 'conv2d' || kind === 'maxpool2d' || kind === 'avgpool2d') return '[H, W, C] (height, width, channels)';
  return '[n], [L, C] or [H, W, C]';
}

/** The layer's in-shape, which must have `rank` axes (0: any). */
function inShapeOf(w: Where, kind: LayerKind, rank: number): number[] {
  const s = w.inShape;
  if (s === null) {
    throw new SpecError(w.file, 'input.shape', `expected ${shapeNeeded(kind)}, the shape of x that layers[0] (${kind}) takes (only a dense first layer gives it by its columns), got nothing`);
  }
  if (rank !== 0 && s.length !== rank) throw new SpecError(w.file, w.p, `expected an input of shape ${shapeNeeded(kind)} for a ${kind} layer, got ${shapeText(s)} (${w.from})`);
  return s;
}

/** A layer's out-shape, checked against MAX_ELEMENTS. */
function checkedOut(w: Where, shape: number[]): number[] {
  const size = shapeSize(shape);
  if (size > MAX_ELEMENTS) throw new SpecError(w.file, w.p, `expected at most ${MAX_ELEMENTS} values out of a layer, got ${shape.join('×')} = ${size}`);
  return shape;
}

/** Output size and padding before, along one axis, with Keras's arithmetic. */
function axisOut(w: Where, path: string, axis: string, L: number, k: number, s: number, d: number, padding: Padding): { out: number; before: number } {
  const span = (k - 1) * d + 1;
  if (padding === 'valid') {
    if (span > L) {
      const how = d > 1 ? ` = (${k} − 1)·${d} + 1` : '';
      throw new SpecError(w.file, path, `expected a window of at most ${L} positions along the ${axis} axis (the input's ${axis}, "padding": "valid"), got ${span}${how}`);
    }
    return { out: Math.floor((L - span) / s) + 1, before: 0 };
  }
  const out = Math.ceil(L / s);
  const total = Math.max((out - 1) * s + span - L, 0);
  return { out, before: Math.floor(total / 2) };
}

/**
 * The post-ops keys of a dense, conv or batchnorm layer; `channels` is the number of output
 * channels, `per` and `note` word the bias messages.
 */
function parsePostOps(v: Record<string, unknown>, w: Where, channels: number, per: string, note: string): PostOps {
  const { file, p } = w;
  const bias = 'bias' in v ? parseVector(v, 'bias', channels, per, note, 'bias', file, `${p}.bias`) : null;
  const activation = 'activation' in v ? v.activation : 'linear';
  if (typeof activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(activation)) {
    throw new SpecError(file, `${p}.activation`, `expected "linear" or "relu" (default "linear"), or "leaky_relu" (with "alpha"), "hard_tanh" (with "one") or "sign", got ${describe(v.activation)}`);
  }
  const act = activation as Activation;
  let alpha: PostOps['alpha'] = null;
  if (act === 'leaky_relu') alpha = parseAlpha(v.alpha, file, `${p}.alpha`);
  else if ('alpha' in v) throw new SpecError(file, `${p}.alpha`, `expected no "alpha" (the slope of "leaky_relu") with "activation": "${act}", got ${describe(v.alpha)}`);
  let one: bigint | null = null;
  const oneWhat = `a power of two 2^f (hard_tanh's 1.0 at the layer's accumulator scale)`;
  if (act === 'hard_tanh') {
    if (!('one' in v)) throw new SpecError(file, `${p}.one`, `expected ${oneWhat} with "activation": "hard_tanh", got nothing`);
    one = parseWeight(v.one, file, `${p}.one`, 'one');
    if (one <= 0n || (one & (one - 1n)) !== 0n) throw new SpecError(file, `${p}.one`, `expected ${oneWhat}, got ${one}`);
  } else if ('one' in v) {
    throw new SpecError(file, `${p}.one`, `expected no "one" (the 1.0 of "hard_tanh") with "activation": "${act}", got ${describe(v.one)}`);
  }
  const ch: Channels = { n: channels, per, note };
  const shifts = parseShifts(v, ch, file, `${p}.shift`);
  const rounding = parseChoice<Rounding>(v, 'rounding', ROUNDINGS, 'floor', file, `${p}.rounding`);
  if (act === 'sign') {
    if (shifts.shift !== 0) throw new SpecError(file, `${p}.shift`, `expected 0 with "activation": "sign" (its result is ±1), got ${Array.isArray(v.shift) ? describe(v.shift) : shifts.shift}`);
    if ('output' in v) throw new SpecError(file, `${p}.output`, `expected no "output" with "activation": "sign" (its result is ±1, one bit), got ${describe(v.output)}`);
  }
  const output = 'output' in v ? parseOutputObject(v.output, file, p, 'wrap', ch) : { output: null };
  return { bias, activation: act, alpha, one, ...shifts, rounding, ...output };
}

/**
 * An affine layer's "shift": an integer from 0 to MAX_SHIFT, or an array of them, one per
 * output channel (held as one shift when they are all equal). Absent: 0.
 */
function parseShifts(v: Record<string, unknown>, ch: Channels, file: string, path: string): Pick<PostOps, 'shift' | 'shifts'> {
  const what = 'bits to shift right';
  if (!Array.isArray(v.shift)) {
    if ('shift' in v && typeof v.shift !== 'number') {
      throw new SpecError(file, path, `expected an integer from 0 to ${MAX_SHIFT} (${what}), or an array of them (one per output channel), got ${describe(v.shift)}`);
    }
    return { shift: parseSmallInt(v, 'shift', 0, MAX_SHIFT, what, file, path) ?? 0 };
  }
  const list: unknown[] = v.shift;
  if (list.length !== ch.n) throw new SpecError(file, path, `expected ${count(ch.n, 'integer')}, ${ch.per}${ch.note}, got ${list.length}`);
  const shifts = list.map((k, c) => checkSmallInt(k, 0, MAX_SHIFT, what, file, `${path}[${c}]`));
  const max = Math.max(...shifts);
  return shifts.every((k) => k === max) ? { shift: max } : { shift: max, shifts };
}

/** leaky_relu's `alpha` at `path`. */
function parseAlpha(v: unknown, file: string, path: string): { mult: bigint; shift: number } {
  if (!isObject(v)) {
    throw new SpecError(file, path, `expected {"mult": an integer, "shift": 0..${MAX_SHIFT}} (the slope mult / 2^shift of "leaky_relu" below zero), got ${describe(v)}`);
  }
  for (const k of Object.keys(v)) {
    if (!ALPHA_KEYS.has(k)) throw new SpecError(file, `${path}.${keyPath(k)}`, 'unknown key; expected "mult" or "shift"');
  }
  if (!('mult' in v)) throw new SpecError(file, `${path}.mult`, `expected an integer with |mult| < 2^${ALPHA_BITS}, got nothing`);
  const mult = parseWeight(v.mult, file, `${path}.mult`, 'mult');
  if (mult >= ALPHA_LIMIT || mult <= -ALPHA_LIMIT) throw new SpecError(file, `${path}.mult`, `expected |mult| < 2^${ALPHA_BITS}, got ${mult}`);
  const shift = parseSmallInt(v, 'shift', 0, MAX_SHIFT, 'the slope is mult / 2^shift', file, `${path}.shift`);
  if (shift === null) throw new SpecError(file, `${path}.shift`, `expected an integer from 0 to ${MAX_SHIFT} (the slope is mult / 2^shift), got nothing`);
  return { mult, shift };
}

/** The frac-bits metadata of a dense or conv layer. */
function parseFracBits(v: Record<string, unknown>, w: Where): { weightFracBits: number | null; inputFracBits: number | null } {
  return {
    weightFracBits: parseSmallInt(v, 'weight_frac_bits', 0, MAX_FRAC_BITS, 'fractional bits of the weights', w.file, `${w.p}.weight_frac_bits`),
    inputFracBits: parseSmallInt(v, 'input_frac_bits', 0, MAX_FRAC_BITS, "fractional bits of the layer's input", w.file, `${w.p}.input_frac_bits`),
  };
}

/**
 * The matrix of a dense layer or of the top-level file, at `path` ("weights" or "kernel").
 * `inputs` is the number of inputs the matrix must take and `chain` why, or null for any.
 */
function parseDenseMatrix(v: unknown, isKernel: boolean, file: string, path: string, inputs: number | null, chain: string, convHint: boolean): bigint[][] {
  if (convHint && isKernel && Array.isArray(v) && Array.isArray(v[0]) && Array.isArray(v[0][0])) {
    throw new SpecError(file, `${path}[0][0]`, `expected an integer, got an array (a dense kernel is kernel[input][output]; a convolution needs "kind": "conv1d" or "conv2d")`);
  }
  if (!isKernel) {
    // The chain is checked on row 0 before parseMatrix, so that a wrong input count is reported
    // as such rather than as a later row "not like row 0".
    if (inputs !== null && Array.isArray(v) && Array.isArray(v[0]) && v[0].length > 0 && v[0].length !== inputs) {
      throw new SpecError(file, `${path}[0]`, `expected ${count(inputs, 'entry', 'entries')}, ${chain}, got ${v[0].length}`);
    }
    return parseMatrix(v, file, path, 'output', 'input');
  }
  if (inputs !== null && Array.isArray(v) && v.length > 0 && v.length !== inputs) {
    throw new SpecError(file, path, `expected ${count(inputs, 'row')}, ${chain}, got ${v.length}`);
  }
  return transpose(parseMatrix(v, file, path, 'input', 'output'));
}

/** Why a dense layer takes as many inputs as it does, for the chain message. */
function chainWhy(w: Where, inShape: readonly number[]): string {
  if (w.n === 0) return `one per element of x (input.shape ${shapeText(inShape)})`;
  return `one per output of layers[${w.n - 1}]${inShape.length > 1 ? ` (shape ${shapeText(inShape)})` : ''}`;
}

function parseDense(v: Record<string, unknown>, w: Where, explicit: boolean): DenseLayer {
  const { file, p } = w;
  const hasW = 'weights' in v;
  const hasK = 'kernel' in v;
  if (hasW && hasK) {
    throw new SpecError(file, `${p}.kernel`, 'expected exactly one of "weights" (rows are outputs) and "kernel" (rows are inputs), got both');
  }
  if (!hasW && !hasK) {
    throw new SpecError(file, `${p}.weights`, 'expected "weights" (weights[output][input]) or "kernel" (kernel[input][output]), got neither');
  }
  const inputs = w.inShape === null ? null : shapeSize(w.inShape);
  const chain = w.inShape === null ? '' : chainWhy(w, w.inShape);
  const weights = parseDenseMatrix(hasW ? v.weights : v.kernel, hasK, file, `${p}.${hasW ? 'weights' : 'kernel'}`, inputs, chain, !explicit);
  const outputs = weights.length;
  const post = parsePostOps(v, w, outputs, `one per output of ${p}`, ' (rows of its weights)');
  const inShape = w.inShape ?? [weights[0]!.length];
  return { kind: 'dense', weights, ...post, ...parseFracBits(v, w), inShape, outShape: [outputs] };
}

function parseConv(v: Record<string, unknown>, w: Where, kind: 'conv1d' | 'conv2d'): ConvLayer {
  const { file, p } = w;
  const twoD = kind === 'conv2d';
  const inShape = inShapeOf(w, kind, twoD ? 3 : 2);
  const [H, W, C] = spatial(inShape);
  const cin: Axis = { one: 'input channel', max: MAX_ELEMENTS, want: { n: C, why: `one per input channel (the last axis of ${shapeText(inShape)}, ${w.from})` } };
  const cout: Axis = { one: 'output channel', max: MAX_DIMENSION };
  const axes: Axis[] = twoD
    ? [{ one: 'kernel row', max: MAX_WINDOW }, { one: 'kernel column', max: MAX_WINDOW }, cin, cout]
    : [{ one: 'kernel position', max: MAX_WINDOW }, cin, cout];
  const layout = twoD ? 'an array kernel[kh][kw][cin][cout] of integers' : 'an array kernel[k][cin][cout] of integers';
  const { data, dims } = parseTensor(v.kernel, file, `${p}.kernel`, layout, axes);
  const kernel = (twoD ? data : [data]) as bigint[][][][];
  const [kh, kw] = twoD ? [dims[0]!, dims[1]!] : [1, dims[0]!];
  const channels = dims[dims.length - 1]!;
  const strides = parsePair(v, 'strides', twoD, MAX_STRIDE, twoD ? 'sh, sw' : 'the stride', file, `${p}.strides`) ?? [1, 1];
  const dilation = parsePair(v, 'dilation', twoD, MAX_DILATION, twoD ? 'dh, dw' : 'the dilation', file, `${p}.dilation`) ?? [1, 1];
  const padding = parseChoice<Padding>(v, 'padding', ['valid', 'same'], 'valid', file, `${p}.padding`);
  const rows = axisOut(w, `${p}.kernel`, 'height', H, kh, strides[0], dilation[0], padding);
  const cols = axisOut(w, `${p}.kernel`, twoD ? 'width' : 'length', W, kw, strides[1], dilation[1], padding);
  const outShape = checkedOut(w, twoD ? [rows.out, cols.out, channels] : [cols.out, channels]);
  const post = parsePostOps(v, w, channels, `one per output channel of ${p}`, ' (the last axis of its kernel)');
  return { kind, kernel, strides, dilation, padding, padBefore: [rows.before, cols.before], ...post, ...parseFracBits(v, w), inShape, outShape };
}

function parseBatchNorm(v: Record<string, unknown>, w: Where): BatchNormLayer {
  const { file, p } = w;
  const inShape = inShapeOf(w, 'batchnorm', 0);
  const C = inShape[inShape.length - 1]!;
  const per = `one per channel of ${p}`;
  const note = ` (the last axis of its input, ${shapeText(inShape)})`;
  const scale = parseVector(v, 'scale', C, per, note, 'scale', file, `${p}.scale`);
  const offset = parseVector(v, 'offset', C, per, note, 'offset', file, `${p}.offset`);
  const post = parsePostOps(v, w, C, per, note);
  return { kind: 'batchnorm', scale, offset, ...post, inShape, outShape: [...inShape] };
}

function parsePool(v: Record<string, unknown>, w: Where, kind: PoolLayer['kind']): PoolLayer {
  const { file, p } = w;
  const twoD = kind.endsWith('2d');
  const inShape = inShapeOf(w, kind, twoD ? 3 : 2);
  const [H, W, C] = spatial(inShape);
  const pool = parsePair(v, 'pool', twoD, MAX_WINDOW, twoD ? 'ph, pw' : 'the window', file, `${p}.pool`);
  if (pool === null) {
    throw new SpecError(file, `${p}.pool`, `expected ${twoD ? `an integer from 1 to ${MAX_WINDOW} or a pair [ph, pw] of them` : `an integer from 1 to ${MAX_WINDOW}`} (the window), got nothing`);
  }
  const strides = parsePair(v, 'strides', twoD, MAX_STRIDE, twoD ? 'sh, sw' : 'the stride', file, `${p}.strides`) ?? pool;
  const padding = parseChoice<Padding>(v, 'padding', ['valid', 'same'], 'valid', file, `${p}.padding`);
  const rows = axisOut(w, `${p}.pool`, 'height', H, pool[0], strides[0], 1, padding);
  const cols = axisOut(w, `${p}.pool`, twoD ? 'width' : 'length', W, pool[1], strides[1], 1, padding);
  const outShape = twoD ? [rows.out, cols.out, C] : [cols.out, C];
  const geometry = { pool, strides, padding, padBefore: [rows.before, cols.before] as [number, number], inShape, outShape };
  const none = { bias: null, activation: 'linear' as const, alpha: null, one: null };
  if (kind === 'maxpool1d' || kind === 'maxpool2d') return { kind, ...geometry, ...none, shift: 0, rounding: 'floor', output: null };
  const size = pool[0] * pool[1];
  if ((size & (size - 1)) !== 0) {
    const win = twoD ? `${pool[0]}×${pool[1]} = ${size}` : `${size}`;
    throw new SpecError(file, `${p}.pool`, `a window of ${win} positions is not a power of two; expected a window of 1, 2, 4, 8, … positions (an average pool divides by shifting right)`);
  }
  if (Array.isArray(v.shift)) {
    throw new SpecError(file, `${p}.shift`, `expected an integer from 0 to ${MAX_SHIFT} (bits to shift right; default log2 of the window), got ${describe(v.shift)} (per-channel shifts are for dense, conv and batchnorm layers)`);
  }
  const shift = parseSmallInt(v, 'shift', 0, MAX_SHIFT, 'bits to shift right; default log2 of the window', file, `${p}.shift`) ?? Math.log2(size);
  const rounding = parseChoice<Rounding>(v, 'rounding', ROUNDINGS, 'floor', file, `${p}.rounding`);
  const output = 'output' in v ? parseLayerOutput(v.output, file, p) : null;
  return { kind, ...geometry, ...none, shift, rounding, output };
}

/** The value format a table at `w` looks up. */
function tableInput(w: Where): { width: number; signed: boolean } {
  const f = w.fmt;
  if (f.kind === 'fixed') {
    if (f.width > MAX_TABLE_INPUT_WIDTH) {
      const most = `${MAX_TABLE_INPUT_WIDTH} bits (2^${MAX_TABLE_INPUT_WIDTH} = ${2 ** MAX_TABLE_INPUT_WIDTH} entries)`;
      throw new SpecError(w.file, w.p, `expected a table over values of at most ${most}, got ${f.width}-bit values (2^${f.width} = ${2 ** f.width} entries) from ${f.from}`);
    }
    return { width: f.width, signed: f.signed };
  }
  if (f.kind === 'bipolar') throw new SpecError(w.file, w.p, `expected values of a known format to look up, got the ±1 (bipolar) values of ${f.from}`);
  if (f.kind === 'channels') {
    throw new SpecError(w.file, w.p, `expected values of one format to look up (a table has one entry per value of its input format), got a format per channel from ${f.from}; give ${f.from} one "width" and one "signed"`);
  }
  const at = `layers[${f.at}]`;
  const via = f.at === w.n - 1 ? '' : f.at === w.n - 2 ? ` (layers[${w.n - 1}] keeps its format)` : ` (layers[${f.at + 1}] to layers[${w.n - 1}] keep its format)`;
  throw new SpecError(w.file, w.p, `expected values of a known format to look up: the layer before needs an "output", so give ${at} one${via}; got full-precision values`);
}

function parseTable(v: Record<string, unknown>, w: Where): TableLayer {
  const { file, p } = w;
  const inShape = inShapeOf(w, 'table', 0);
  const input = tableInput(w);
  const hasValues = 'values' in v;
  const hasFunction = 'function' in v;
  if (hasValues && hasFunction) throw new SpecError(file, `${p}.function`, 'expected exactly one of "values" (the entries) and "function" (a named function), got both');
  if (!hasValues && !hasFunction) {
    throw new SpecError(file, `${p}.values`, `expected "values" (one integer per input value) or "function" (${quoteOr(TABLE_FUNCTIONS)}), got neither`);
  }
  const [lo, hi] = formatRange(input);
  const n = 2 ** input.width;
  if (hasValues) {
    for (const k of ['input_frac_bits', 'output_frac_bits', 'rounding']) {
      if (k in v) throw new SpecError(file, `${p}.${k}`, `expected "${k}" only with "function", got it with "values"`);
    }
    const vals = v.values;
    const fmt = `${input.width}-bit ${input.signed ? 'signed' : 'unsigned'}`;
    if (!Array.isArray(vals)) throw new SpecError(file, `${p}.values`, `expected an array of ${n} integers (one per ${fmt} input value, ${lo} to ${hi}), got ${describe(vals)}`);
    if (vals.length !== n) throw new SpecError(file, `${p}.values`, `expected ${n} integers (2^${input.width}, one per ${fmt} input value, ${lo} to ${hi}), got ${vals.length}`);
    const output = 'output' in v ? parseLayerOutput(v.output, file, p, 'saturate') : null;
    const raw = vals.map((x, k) => parseWeight(x, file, `${p}.values[${k}]`, 'value'));
    const entries = output === null ? raw : raw.map((e) => fitToOutput(e, output));
    return { kind: 'table', input, entries, function: null, output, inShape, outShape: [...inShape] };
  }
  const fn = v.function;
  if (typeof fn !== 'string' || !(TABLE_FUNCTIONS as readonly string[]).includes(fn)) {
    throw new SpecError(file, `${p}.function`, `expected ${quoteOr(TABLE_FUNCTIONS)}, got ${describe(fn)}`);
  }
  const frac = (key: string, what: string): number => {
    const b = parseSmallInt(v, key, 0, MAX_FRAC_BITS, what, file, `${p}.${key}`);
    if (b === null) throw new SpecError(file, `${p}.${key}`, `expected an integer from 0 to ${MAX_FRAC_BITS} (${what}; required with "function"), got nothing`);
    return b;
  };
  const inFrac = frac('input_frac_bits', 'fractional bits of the values looked up');
  const outFrac = frac('output_frac_bits', 'fractional bits of the entries');
  const rounding = parseChoice<Rounding>(v, 'rounding', ROUNDINGS, 'nearest', file, `${p}.rounding`);
  if (!('output' in v)) {
    throw new SpecError(file, `${p}.output`, `expected an object ${OUTPUT_WHAT} (the format of the entries; required with "function"), got nothing`);
  }
  const output = parseLayerOutput(v.output, file, p, 'saturate');
  const entries = functionTable(fn as TableFunction, input, inFrac, outFrac, rounding, output);
  return { kind: 'table', input, entries, function: fn, output, inShape, outShape: [...inShape] };
}

/** Entry n of "layers", taking the shape and value format of what comes before it. */
function parseLayer(v: unknown, w: Where): Layer {
  const { file, p } = w;
  if (!isObject(v)) throw new SpecError(file, p, `expected a layer object with "weights" or "kernel", got ${describe(v)}`);
  let kind: LayerKind = 'dense';
  if ('kind' in v) {
    if (typeof v.kind !== 'string' || !(LAYER_KINDS as readonly string[]).includes(v.kind)) {
      throw new SpecError(file, `${p}.kind`, `expected one of ${quoteList(LAYER_KINDS)} (default "dense"), got ${describe(v.kind)}`);
    }
    kind = v.kind as LayerKind;
  }
  const keys = LAYER_KEYS[kind];
  for (const k of Object.keys(v)) {
    if (!keys.has(k)) {
      const of = kind === 'dense' ? '' : ` (the keys of a ${kind} layer)`;
      throw new SpecError(file, `${p}.${keyPath(k)}`, `unknown key; expected one of ${quoteList(keys)}${of}`);
    }
  }
  switch (kind) {
    case 'dense':
      return parseDense(v, w, 'kind' in v);
    case 'conv1d':
    case 'conv2d':
      return parseConv(v, w, kind);
    case 'batchnorm':
      return parseBatchNorm(v, w);
    case 'maxpool1d':
    case 'maxpool2d':
    case 'avgpool1d':
    case 'avgpool2d':
      return parsePool(v, w, kind);
    case 'flatten': {
      const inShape = inShapeOf(w, kind, 0);
      const l: FlattenLayer = { kind, inShape, outShape: [shapeSize(inShape)] };
      return l;
    }
    case 'table':
      return parseTable(v, w);
    case 'argmax': {
      const inShape = inShapeOf(w, kind, 0);
      if (w.after > 0) throw new SpecError(file, p, `expected "argmax" only as the last layer (it gives one index), got ${count(w.after, 'layer')} after it`);
      const l: ArgmaxLayer = { kind, inShape, outShape: [1] };
      return l;
    }
  }
}

/** The format of the values a layer gives (for a table after it), given the format before it. */
function formatAfter(l: Layer, n: number, before: FormatBefore): FormatBefore {
  const fixed = (o: LayerOutput): FormatBefore => ({ kind: 'fixed', width: o.width, signed: o.signed, from: `layers[${n}].output` });
  switch (l.kind) {
    case 'maxpool1d':
    case 'maxpool2d':
    case 'flatten':
    case 'argmax':
      return before;
    case 'table':
    case 'avgpool1d':
    case 'avgpool2d':
      return l.output === null ? { kind: 'full', at: n } : fixed(l.output);
    default:
      if (l.activation === 'sign') return { kind: 'bipolar', from: `layers[${n}] ("activation": "sign")` };
      if (l.outputs !== undefined) return { kind: 'channels', from: `layers[${n}].output` };
      return l.output === null ? { kind: 'full', at: n } : fixed(l.output);
  }
}

/** The top-level "layers" array; `shape` is input.shape or null when absent. */
function parseLayers(v: unknown, file: string, input: { width: number; signed: boolean; bipolar: boolean }, shape: number[] | null): Layer[] {
  if (!Array.isArray(v)) throw new SpecError(file, 'layers', `expected an array of layer objects (applied in order), got ${describe(v)}`);
  if (v.length === 0) throw new SpecError(file, 'layers', 'expected at least one layer, got an empty array');
  if (v.length > MAX_LAYERS) throw new SpecError(file, 'layers', `expected at most ${MAX_LAYERS} layers, got ${v.length}`);
  const layers: Layer[] = [];
  let fmt: FormatBefore = input.bipolar ? { kind: 'bipolar', from: 'the input ("bipolar": true)' } : { kind: 'fixed', width: input.width, signed: input.signed, from: 'input.width' };
  for (let n = 0; n < v.length; n++) {
    const prev = layers[n - 1];
    const where: Where = {
      file,
      n,
      p: `layers[${n}]`,
      inShape: prev === undefined ? (shape === null ? null : [...shape]) : [...prev.outShape],
      from: prev === undefined ? 'input.shape' : `the output of layers[${n - 1}]`,
      fmt,
      after: v.length - 1 - n,
    };
    const l = parseLayer(v[n], where);
    layers.push(l);
    fmt = formatAfter(l, n, fmt);
  }
  return layers;
}

/** The top-level "score" object. */
function parseScore(v: unknown, file: string): Score {
  if (!isObject(v)) throw new SpecError(file, 'score', `expected {"kind": "sum_of_squares", "of": "last"}, got ${describe(v)}`);
  for (const k of Object.keys(v)) {
    if (!SCORE_KEYS.has(k)) throw new SpecError(file, `score.${keyPath(k)}`, 'unknown key; expected "kind" or "of"');
  }
  if (v.kind !== 'sum_of_squares') {
    throw new SpecError(file, 'score.kind', `expected "sum_of_squares" (the only score kind), got ${describe(v.kind)}`);
  }
  if (v.of !== 'last') {
    throw new SpecError(file, 'score.of', `expected "last" (the last layer's outputs, the only choice), got ${describe(v.of)}`);
  }
  return { kind: 'sum_of_squares', of: 'last' };
}

/** input.shape: [n], [L, C] or [H, W, C] of positive integers, at most MAX_ELEMENTS in all. */
function parseShape(v: unknown, file: string): number[] {
  const what = '[n], [L, C] or [H, W, C] (positive integers, channels last)';
  if (!Array.isArray(v)) throw new SpecError(file, 'input.shape', `expected ${what}, got ${describe(v)}`);
  if (v.length < 1 || v.length > 3) throw new SpecError(file, 'input.shape', `expected ${what}, got an array of ${v.length}`);
  v.forEach((x: unknown, k) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > MAX_ELEMENTS) {
      throw new SpecError(file, `input.shape[${k}]`, `expected a positive integer (at most ${MAX_ELEMENTS}), got ${describe(x)}`);
    }
  });
  const shape = v as number[];
  const size = shapeSize(shape);
  if (size > MAX_ELEMENTS) throw new SpecError(file, 'input.shape', `expected at most ${MAX_ELEMENTS} elements, got ${shape.join('×')} = ${size}`);
  return [...shape];
}

/** The top-level "input" object, its shape null when absent. */
function parseInput(o: Record<string, unknown>, file: string): { width: number; signed: boolean; bipolar: boolean; shape: number[] | null } {
  const inp = o.input;
  if (inp === null || typeof inp !== 'object' || Array.isArray(inp)) {
    throw new SpecError(file, 'input', `expected an object {"width": ${MIN_INPUT_WIDTH}..${MAX_INPUT_WIDTH}, "signed": true|false}, got ${'input' in o ? describe(inp) : 'nothing'}`);
  }
  const io = inp as Record<string, unknown>;
  for (const k of Object.keys(io)) {
    if (!INPUT_KEYS.has(k)) throw new SpecError(file, `input.${keyPath(k)}`, 'unknown key; expected "width" or "signed" (required), "bipolar" or "shape" (optional)');
  }
  const bipolar = 'bipolar' in io ? io.bipolar : false;
  if (typeof bipolar !== 'boolean') {
    throw new SpecError(file, 'input.bipolar', `expected true (each input one bit carrying ±1: bit 1 is +1, bit 0 is −1) or false (default), got ${describe(io.bipolar)}`);
  }
  const width = io.width;
  if (bipolar) {
    if (width !== 1) throw new SpecError(file, 'input.width', `expected 1 (a bipolar input is one bit), got ${'width' in io ? describe(width) : 'nothing'}`);
    if ('signed' in io && io.signed !== false) {
      throw new SpecError(file, 'input.signed', `expected false or nothing (a bipolar input is one unsigned bit: 1 is +1, 0 is −1), got ${describe(io.signed)}`);
    }
  } else {
    if (typeof width !== 'number' || !Number.isInteger(width) || width < MIN_INPUT_WIDTH || width > MAX_INPUT_WIDTH) {
      const hint = '';
      throw new SpecError(file, 'input.width', `expected an integer from ${MIN_INPUT_WIDTH} to ${MAX_INPUT_WIDTH}, got ${'width' in io ? describe(width) : 'nothing'}${hint}`);
    }
    if (typeof io.signed !== 'boolean') {
      throw new SpecError(file, 'input.signed', `expected true (two's complement) or false (unsigned), got ${'signed' in io ? describe(io.signed) : 'nothing'}`);
    }
  }
  const shape = 'shape' in io ? parseShape(io.shape, file) : null;
  return { width: width as number, signed: bipolar ? false : (io.signed as boolean), bipolar, shape };
}

/**
 * Read and validate a format-1 input file. `file` is used only in error messages.
 * Throws SpecError naming the JSON path of the first problem found.
 */
export function parseSpec(text: string, file: string): Spec {
  const doc = parseJson(text, file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SpecError(file, '', `expected a JSON object with "format", "name", "input" and one of "weights", "kernel" or "layers", got ${describe(doc)}`);
  }
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!TOP_KEYS.has(k)) {
      throw new SpecError(file, keyPath(k), `unknown key; expected one of ${quoteList(TOP_KEYS)}`);
    }
  }
  if (o.format !== 1) {
    throw new SpecError(file, 'format', `expected 1 (the only input format this version reads), got ${'format' in o ? describe(o.format) : 'nothing'}`);
  }
  if (typeof o.name !== 'string') {
    throw new SpecError(file, 'name', `expected a string (the Verilog module name), got ${'name' in o ? describe(o.name) : 'nothing'}`);
  }
  const nameProblem = moduleNameProblem(o.name);
  if (nameProblem !== null) throw new SpecError(file, 'name', nameProblem);

  const inp = parseInput(o, file);

  const present = BODY_KEYS.filter((k) => k in o);
  if (present.length === 0) {
    throw new SpecError(file, 'weights', 'expected "weights" (weights[output][input]), "kernel" (kernel[input][output]) or "layers" (a network), got none of them');
  }
  if (present.length > 1) {
    throw new SpecError(
      file,
      present[1]!,
      `expected exactly one of "weights" (rows are outputs), "kernel" (rows are inputs) and "layers" (a network), got ${present.length === 2 ? 'both ' : ''}${quoteAnd(present)}`,
    );
  }
  const inputOf = (shape: number[]): InputSpec => ({ width: inp.width, signed: inp.signed, bipolar: inp.bipolar, shape });
  if (present[0] === 'layers') {
    const layers = parseLayers(o.layers, file, inp, inp.shape);
    const score = 'score' in o ? parseScore(o.score, file) : null;
    return { format: 1, name: o.name, input: inputOf([...layers[0]!.inShape]), layers, score, form: 'layers' };
  }
  const isKernel = present[0] === 'kernel';
  const shape = inp.shape;
  const why = shape === null ? '' : `one per element of x (input.shape ${shapeText(shape)})`;
  const weights = parseDenseMatrix(o[present[0]!], isKernel, file, present[0]!, shape === null ? null : shapeSize(shape), why, false);
  const inShape = shape === null ? [weights[0]!.length] : [...shape];
  const layer: DenseLayer = { kind: 'dense', weights, bias: null, activation: 'linear', alpha: null, one: null, shift: 0, rounding: 'floor', output: null, weightFracBits: null, inputFracBits: null, inShape, outShape: [weights.length] };
  // a matrix is a one-layer network; with a score it is described as one
  const score = 'score' in o ? parseScore(o.score, file) : null;
  return { format: 1, name: o.name, input: inputOf([...inShape]), layers: [layer], score, form: score === null ? 'matrix' : 'layers' };
}
