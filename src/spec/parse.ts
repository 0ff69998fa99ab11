import { SpecError } from './errors.js';
import { describe, keyPath, parseJson } from './json.js';
import { moduleNameProblem } from './verilog-names.js';

/** A validated input file: one constant matrix applied to one input vector. */
export interface Spec {
  format: 1;
  /** Verilog module name. */
  name: string;
  input: { width: number; signed: boolean };
  /** weights[o][i]: from input i to output o (rows are outputs), exact integers. */
  weights: bigint[][];
}

export const MIN_INPUT_WIDTH = 2;
export const MAX_INPUT_WIDTH = 32;
/** Largest matrix side accepted (rows or columns). */
export const MAX_DIMENSION = 4096;
/** Weights must satisfy |w| < 2^WEIGHT_BITS. */
export const WEIGHT_BITS = 64;

const WEIGHT_LIMIT = 1n << BigInt(WEIGHT_BITS);
const TOP_KEYS = new Set(['format', 'name', 'input', 'weights', 'kernel', 'note', 'description', 'comment']);
const INPUT_KEYS = new Set(['width', 'signed']);

/** One weight: an integral JSON number within ±2^53, or a decimal string for anything larger. */
function parseWeight(v: unknown, file: string, path: string): bigint {
  let w: bigint;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SpecError(file, path, `expected a finite integer, got ${v}`);
    if (!Number.isInteger(v)) throw new SpecError(file, path, `expected an integer, got ${v}`);
    if (!Number.isSafeInteger(v)) {
      throw new SpecError(file, path, `JSON numbers beyond 2^53 lose precision (this one reads as ${v}); write the weight as a decimal string of its exact digits, such as "-12345678901234567890"`);
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
    throw new SpecError(file, path, `expected |weight| < 2^${WEIGHT_BITS}, got ${w}`);
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

/**
 * Read and validate a format-1 input file. `file` is used only in error messages.
 * Throws SpecError naming the JSON path of the first problem found.
 */
export function parseSpec(text: string, file: string): Spec {
  const doc = parseJson(text, file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SpecError(file, '', `expected a JSON object with "format", "name", "input" and "weights", got ${describe(doc)}`);
  }
  const o = doc as Record<string, unknown>;
  if ('layers' in o) {
    throw new SpecError(file, 'layers', 'networks ("layers") are not supported by this version yet; give a single matrix as "weights" or "kernel"');
  }
  for (const k of Object.keys(o)) {
    if (!TOP_KEYS.has(k)) {
      throw new SpecError(file, keyPath(k), `unknown key; expected one of ${[...TOP_KEYS].map((s) => `"${s}"`).join(', ')}`);
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

  const hasW = 'weights' in o;
  const hasK = 'kernel' in o;
  if (hasW && hasK) {
    throw new SpecError(file, 'kernel', 'expected exactly one of "weights" (rows are outputs) and "kernel" (rows are inputs), got both');
  }
  if (!hasW && !hasK) {
    throw new SpecError(file, 'weights', 'expected "weights" (weights[output][input]) or "kernel" (kernel[input][output]), got neither');
  }
  let weights: bigint[][];
  if (hasW) {
    weights = parseMatrix(o.weights, file, 'weights', 'output', 'input');
  } else {
    const k = parseMatrix(o.kernel, file, 'kernel', 'input', 'output');
    weights = k[0]!.map((_, oi) => k.map((row) => row[oi]!));
  }
  return { format: 1, name: o.name, input: { width, signed: io.signed }, weights };
}
