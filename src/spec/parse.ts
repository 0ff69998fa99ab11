import { SpecError } from '../errors.js';
import { count, describe, isObject, keyPath, parseJson, quoteAnd, quoteList, quoteOr } from './json.js';
import { plainDense } from './spec.js';
import type { Activation, Layer, LayerOutput, Overflow, Rounding, Score, Spec } from './spec.js';
import { moduleNameProblem } from './verilog-names.js';

export const MIN_INPUT_WIDTH = 2;
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
/** Largest `weight_frac_bits` / `input_frac_bits`. */
export const MAX_FRAC_BITS = 64;

const WEIGHT_LIMIT = 1n << BigInt(WEIGHT_BITS);
const TOP_KEYS = new Set(['format', 'name', 'input', 'weights', 'kernel', 'layers', 'score', 'note', 'description', 'comment']);
const INPUT_KEYS = new Set(['width', 'signed']);
const LAYER_KEYS = new Set([
  'weights',
  'kernel',
  'bias',
  'activation',
  'shift',
  'rounding',
  'output',
  'weight_frac_bits',
  'input_frac_bits',
  'note',
  'description',
  'comment',
]);
const OUTPUT_KEYS = new Set(['width', 'signed', 'overflow']);
const SCORE_KEYS = new Set(['kind', 'of']);
/** The keys that give the computation, in the order they are looked for. */
const BODY_KEYS = ['weights', 'kernel', 'layers'] as const;

/** m[r][c] → t[c][r], for a non-empty rectangular matrix. */
function transpose(m: bigint[][]): bigint[][] {
  return m[0]!.map((_, c) => m.map((row) => row[c]!));
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

/** obj[key] when it is one of `choices`; `dflt` when the key is absent; else a SpecError at `path`. */
function parseChoice<T extends string>(obj: Record<string, unknown>, key: string, choices: readonly T[], dflt: T, file: string, path: string): T {
  if (!(key in obj)) return dflt;
  const v = obj[key];
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  throw new SpecError(file, path, `expected ${quoteOr(choices)} (default "${dflt}"), got ${describe(v)}`);
}

/** obj[key] when it is an integer in lo..hi; null when the key is absent; else a SpecError at `path`. */
function parseSmallInt(obj: Record<string, unknown>, key: string, lo: number, hi: number, what: string, file: string, path: string): number | null {
  if (!(key in obj)) return null;
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new SpecError(file, path, `expected an integer from ${lo} to ${hi} (${what}), got ${describe(v)}`);
  }
  return v;
}

/*
 * Networks. A file gives its computation as exactly one of the top-level keys "weights",
 * "kernel" (one matrix) or "layers" (a network), and optionally "score".
 *
 * "layers": a non-empty array of at most MAX_LAYERS (64) layer objects, applied in order to the
 * input vector. A layer object has these keys (any other key is an error):
 *   - exactly one of "weights" (weights[output][input]) or "kernel" (kernel[input][output],
 *     transposed on reading), each a matrix under the same rules as the top-level one (integers
 *     with |w| < 2^64, rectangular, non-empty, at most MAX_DIMENSION rows and columns);
 *   - "bias" (optional, default none): an array of integers under the same rules as weights,
 *     one per output of the layer (its length must equal the number of weight rows);
 *   - "activation" (optional, default "linear"): "linear" or "relu";
 *   - "shift" (optional, default 0): an integer from 0 to MAX_SHIFT (62), bits to shift right;
 *   - "rounding" (optional, default "floor"): "floor" or "nearest" (halves rounded up);
 *   - "output" (optional, default none: full precision): an object with "width" (an integer,
 *     1..64 when unsigned, 2..64 when signed), "signed" (a boolean, required) and "overflow"
 *     (optional, default "wrap"): "wrap" or "saturate"; no other keys;
 *   - "weight_frac_bits", "input_frac_bits" (optional, default none): integers from 0 to
 *     MAX_FRAC_BITS (64), metadata only;
 *   - "note", "description", "comment" (optional, any value, ignored).
 * Dimensions chain: layer 0 takes any number of inputs (columns of weights, rows of kernel);
 * layer k > 0 takes exactly as many inputs as layer k−1 has outputs. A mismatch is reported at
 * `layers[k].weights[0]` ("expected N entries, one per output of layers[k−1], got M") or at
 * `layers[k].kernel` ("expected N rows, …").
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

/** The `output` object of the layer at `p` (`layers[n]`). */
function parseLayerOutput(v: unknown, file: string, p: string): LayerOutput {
  const op = `${p}.output`;
  if (!isObject(v)) {
    throw new SpecError(file, op, `expected an object {"width": 1..${MAX_OUTPUT_WIDTH}, "signed": true|false, "overflow": "wrap"|"saturate"}, got ${describe(v)}`);
  }
  for (const k of Object.keys(v)) {
    if (!OUTPUT_KEYS.has(k)) throw new SpecError(file, `${op}.${keyPath(k)}`, `unknown key; expected one of ${quoteList(OUTPUT_KEYS)}`);
  }
  const signed = v.signed;
  if (typeof signed !== 'boolean') {
    throw new SpecError(file, `${op}.signed`, `expected true (two's complement) or false (unsigned), got ${describe(signed)}`);
  }
  const minWidth = signed ? 2 : 1;
  const width = v.width;
  if (typeof width !== 'number' || !Number.isInteger(width) || width < minWidth || width > MAX_OUTPUT_WIDTH) {
    throw new SpecError(file, `${op}.width`, `expected an integer from ${minWidth} to ${MAX_OUTPUT_WIDTH} (bits of a ${signed ? 'signed' : 'unsigned'} output), got ${describe(width)}`);
  }
  const overflow = parseChoice<Overflow>(v, 'overflow', ['wrap', 'saturate'], 'wrap', file, `${op}.overflow`);
  return { width, signed, overflow };
}

/**
 * Entry n of "layers". `inputs` is the number of inputs the layer must take (the outputs of
 * layers[n−1]), or null for the first layer, which may take any number.
 */
function parseLayer(v: unknown, file: string, n: number, inputs: number | null): Layer {
  const p = `layers[${n}]`;
  if (!isObject(v)) throw new SpecError(file, p, `expected a layer object with "weights" or "kernel", got ${describe(v)}`);
  for (const k of Object.keys(v)) {
    if (!LAYER_KEYS.has(k)) throw new SpecError(file, `${p}.${keyPath(k)}`, `unknown key; expected one of ${quoteList(LAYER_KEYS)}`);
  }
  const hasW = 'weights' in v;
  const hasK = 'kernel' in v;
  if (hasW && hasK) {
    throw new SpecError(file, `${p}.kernel`, 'expected exactly one of "weights" (rows are outputs) and "kernel" (rows are inputs), got both');
  }
  if (!hasW && !hasK) {
    throw new SpecError(file, `${p}.weights`, 'expected "weights" (weights[output][input]) or "kernel" (kernel[input][output]), got neither');
  }
  const chain = `one per output of layers[${n - 1}]`;
  let weights: bigint[][];
  if (hasW) {
    const m = v.weights;
    // The chain is checked on row 0 before parseMatrix, so that a wrong input count is reported
    // as such rather than as a later row "not like row 0".
    if (inputs !== null && Array.isArray(m) && Array.isArray(m[0]) && m[0].length > 0 && m[0].length !== inputs) {
      throw new SpecError(file, `${p}.weights[0]`, `expected ${count(inputs, 'entry', 'entries')}, ${chain}, got ${m[0].length}`);
    }
    weights = parseMatrix(m, file, `${p}.weights`, 'output', 'input');
  } else {
    const m = v.kernel;
    if (inputs !== null && Array.isArray(m) && m.length > 0 && m.length !== inputs) {
      throw new SpecError(file, `${p}.kernel`, `expected ${count(inputs, 'row')}, ${chain}, got ${m.length}`);
    }
    weights = transpose(parseMatrix(m, file, `${p}.kernel`, 'input', 'output'));
  }
  const outputs = weights.length;

  let bias: bigint[] | null = null;
  if ('bias' in v) {
    const b = v.bias;
    if (!Array.isArray(b)) {
      throw new SpecError(file, `${p}.bias`, `expected an array of integers (one per output of ${p}), got ${describe(b)}`);
    }
    if (b.length !== outputs) {
      throw new SpecError(file, `${p}.bias`, `expected ${count(outputs, 'integer')}, one per output of ${p} (rows of its weights), got ${b.length}`);
    }
    bias = b.map((x, o) => parseWeight(x, file, `${p}.bias[${o}]`, 'bias'));
  }
  const activation = parseChoice<Activation>(v, 'activation', ['linear', 'relu'], 'linear', file, `${p}.activation`);
  const shift = parseSmallInt(v, 'shift', 0, MAX_SHIFT, 'bits to shift right', file, `${p}.shift`) ?? 0;
  const rounding = parseChoice<Rounding>(v, 'rounding', ['floor', 'nearest'], 'floor', file, `${p}.rounding`);
  const output = 'output' in v ? parseLayerOutput(v.output, file, p) : null;
  const weightFracBits = parseSmallInt(v, 'weight_frac_bits', 0, MAX_FRAC_BITS, 'fractional bits of the weights', file, `${p}.weight_frac_bits`);
  const inputFracBits = parseSmallInt(v, 'input_frac_bits', 0, MAX_FRAC_BITS, "fractional bits of the layer's input", file, `${p}.input_frac_bits`);
  return { kind: 'dense', weights, bias, activation, shift, rounding, output, weightFracBits, inputFracBits };
}

/** The top-level "layers" array. */
function parseLayers(v: unknown, file: string): Layer[] {
  if (!Array.isArray(v)) throw new SpecError(file, 'layers', `expected an array of layer objects (applied in order), got ${describe(v)}`);
  if (v.length === 0) throw new SpecError(file, 'layers', 'expected at least one layer, got an empty array');
  if (v.length > MAX_LAYERS) throw new SpecError(file, 'layers', `expected at most ${MAX_LAYERS} layers, got ${v.length}`);
  const layers: Layer[] = [];
  for (let n = 0; n < v.length; n++) {
    const prev = n === 0 ? null : layers[n - 1]!.weights.length;
    layers.push(parseLayer(v[n], file, n, prev));
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

  const inp = o.input;
  if (inp === null || typeof inp !== 'object' || Array.isArray(inp)) {
    throw new SpecError(file, 'input', `expected an object {"width": ${MIN_INPUT_WIDTH}..${MAX_INPUT_WIDTH}, "signed": true|false}, got ${'input' in o ? describe(inp) : 'nothing'}`);
  }
  const io = inp as Record<string, unknown>;
  for (const k of Object.keys(io)) {
    if (!INPUT_KEYS.has(k)) throw new SpecError(file, `input.${keyPath(k)}`, 'unknown key; expected "width" or "signed"');
  }
  const width = io.width;
  if (typeof width !== 'number' || !Number.isInteger(width) || width < MIN_INPUT_WIDTH || width > MAX_INPUT_WIDTH) {
    throw new SpecError(file, 'input.width', `expected an integer from ${MIN_INPUT_WIDTH} to ${MAX_INPUT_WIDTH}, got ${'width' in io ? describe(width) : 'nothing'}`);
  }
  if (typeof io.signed !== 'boolean') {
    throw new SpecError(file, 'input.signed', `expected true (two's complement) or false (unsigned), got ${'signed' in io ? describe(io.signed) : 'nothing'}`);
  }

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
  const input = { width, signed: io.signed };
  if (present[0] === 'layers') {
    const layers = parseLayers(o.layers, file);
    const score = 'score' in o ? parseScore(o.score, file) : null;
    return { format: 1, name: o.name, input, layers, score, form: 'layers' };
  }
  const weights = present[0] === 'weights' ? parseMatrix(o.weights, file, 'weights', 'output', 'input') : transpose(parseMatrix(o.kernel, file, 'kernel', 'input', 'output'));
  // a matrix is a one-layer network; with a score it is described as one
  const score = 'score' in o ? parseScore(o.score, file) : null;
  return { format: 1, name: o.name, input, layers: [plainDense(weights)], score, form: score === null ? 'matrix' : 'layers' };
}
