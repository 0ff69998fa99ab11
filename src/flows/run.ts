import { InputError, UsageError } from '../errors.js';
import { codeRange, fixedText, overflowCode, roundBy } from '../import/fixed.js';
import type { FixedFormat } from '../import/ir.js';
import { compileNetlist } from '../sim/netlist-sim.js';
import { compileNetlistWasm, WASM_BATCH } from '../sim/wasm-sim.js';
import type { Spec } from '../spec/spec.js';
import type { CompileResult } from './compile.js';
import { npyHeader, openDataset } from './dataset.js';
import type { DatasetReader } from './dataset.js';

/**
 * `da-gen run`: a dataset through the compiled hardware, emulated cycle for cycle by the same
 * netlist the Verilog prints (the WebAssembly simulator; the BigInt one when a value needs more
 * than 63 bits). Event i is applied in cycle i and its outputs are sampled in cycle i + L, so
 * each output row belongs to its event; after the last event, L cycles of zeros flush the
 * pipeline. The file is read and written block by block: memory stays bounded whatever its
 * length.
 *
 * Values become the hardware's integer inputs one of three ways:
 * - bipolar inputs: −1 and 1 (with `raw`, their codes 0 and 1);
 * - `raw`: the values are the integer codes themselves;
 * - otherwise real numbers in the input format `format` (x = k / 2^frac): k is x·2^frac
 *   rounded as the format says (`floor` unless given, as ap_fixed's AP_TRN), and a k outside
 *   the input's range wraps or saturates as the format says, or, with `strict`, is an error
 *   naming the line and column.
 */

export interface RunOptions {
  /** How real values are quantized (default: the design's input, the first layer's input_frac_bits, floor, wrap). */
  format?: FixedFormat;
  /** The values are the integer codes the hardware takes. */
  raw?: boolean;
  /** A value outside the input's range is an error (else it wraps or saturates as the format says). */
  strict?: boolean;
  /** Write y and the score divided by 2^frac (per output), as real numbers. */
  real?: { yFrac: readonly number[]; scoreFrac: number | null } | null;
  /** Count the events whose score exceeds this (in the output's units: integers, or real with `real`). */
  threshold?: number;
  /** Called after each block: events done, bytes of the dataset read, its size. */
  onBlock?: (events: number, bytesRead: number, bytes: number) => void;
}

/** Where the output goes: bytes appended in order, and (for .npy) the header rewritten at the end. */
export interface RunSink {
  format: 'csv' | 'npy';
  write(bytes: Buffer): Promise<void>;
  /** Overwrite bytes at the start of the output (the .npy header's row count). */
  rewriteStart(bytes: Buffer): Promise<void>;
}

export interface RunSummary {
  events: number;
  /** Output columns: y's, then the score if any. */
  columns: string[];
  format: string;
  simulator: 'wasm' | 'bigint';
  /** With a threshold: events whose score exceeded it. */
  above: number | null;
  seconds: number;
}

/** The quantization a design's real inputs get by default: its width and signedness, the first layer's input_frac_bits, floor, wrap. */
export function defaultInputFormat(spec: Spec): FixedFormat {
  const first = spec.layers[0];
  const frac = first && (first.kind === 'dense' || first.kind === 'conv1d' || first.kind === 'conv2d') ? (first.inputFracBits ?? 0) : 0;
  return { signed: spec.input.signed, width: spec.input.width, frac, rounding: 'floor', overflow: 'wrap' };
}

/** The dataset `path` through the design `r` of `spec`, written to `sink` (or only counted when null). */
export async function runDataset(r: CompileResult, spec: Spec, path: string, sink: RunSink | null, opts: RunOptions = {}): Promise<RunSummary> {
  const t0 = performance.now();
  const n = r.netlist;
  const { nIn, nOut } = n.ports;
  const hasScore = n.ports.scoreWidth !== null;
  if (opts.threshold !== undefined && !hasScore) throw new UsageError(`--threshold: ${spec.name} has no score output (a "score" in the input file, e.g. sum_of_squares)`);
  const fmt = opts.format ?? defaultInputFormat(spec);
  if (!spec.input.bipolar && (fmt.width !== spec.input.width || fmt.signed !== spec.input.signed)) {
    throw new UsageError(`--input ${fixedText(fmt)}: the design's inputs are ${spec.input.width}-bit ${spec.input.signed ? 'signed' : 'unsigned'}; the format must be ${spec.input.signed ? 'fixed' : 'ufixed'}<${spec.input.width},…>`);
  }
  const reader: DatasetReader = await openDataset(path, nIn, WASM_BATCH);
  const columns = [...Array.from({ length: nOut }, (_, k) => `y${k}`), ...(hasScore ? ['score'] : [])];
  const L = n.latency;

  // the simulator: WebAssembly with numbers, unless a port or a value is too wide for it
  const wasm = n.ports.outputWidth <= 53 && (n.ports.scoreWidth ?? 0) <= 53 ? compileNetlistWasm(n) : null;
  const typed = wasm?.typedStream() ?? null;
  const big = typed === null ? compileNetlist(n).stream() : null;
  /** T cycles of inputs (T·nIn codes) → their outputs, row after row (nOut + score numbers each). */
  const cycles = (x: Float64Array, T: number): { rows: ArrayLike<number>[] } | { flat: ArrayLike<number>; score: ArrayLike<number> | null } => {
    if (typed) {
      const out = typed.runTyped(x, T);
      return { flat: out.y, score: out.score };
    }
    const vecs: bigint[][] = [];
    for (let t = 0; t < T; t++) vecs.push(Array.from(x.subarray(t * nIn, (t + 1) * nIn), (v) => BigInt(v)));
    return { rows: big!.run(vecs).map((row) => row.map((v) => Number(v))) };
  };

  const [lo, hi] = codeRange(fmt);
  const scale = 2 ** fmt.frac;
  const fail = (index: number, column: number, what: string): never => {
    throw new InputError(`${path}: ${reader.where(index)}, column ${column + 1}: ${what}`);
  };
  const code = (v: number, index: number, column: number): number => {
    const bad = (what: string): never => fail(index, column, what);
    if (!Number.isFinite(v)) bad(`${v} is not a finite number`);
    if (spec.input.bipolar) {
      if (opts.raw) return v === 0 || v === 1 ? v : bad(`${v}: a bipolar input's code is 0 or 1`);
      return v === 1 ? 1 : v === -1 ? 0 : bad(`${v}: a bipolar input is −1 or 1`);
    }
    let k: number;
    if (opts.raw) {
      if (!Number.isInteger(v)) bad(`${v} is not an integer code (without --raw, values are real numbers)`);
      k = v;
    } else {
      k = roundBy(v * scale, fmt.rounding);
      if (!Number.isSafeInteger(k)) bad(`${v} is beyond the input format ${fixedText(fmt)}`);
    }
    if (k >= lo && k <= hi) return k;
    if (opts.strict) bad(`${v} is outside the input's range ${opts.raw ? `${lo} … ${hi}` : `${lo / scale} … ${hi / scale} (${fixedText(fmt)})`}`);
    return overflowCode(k, fmt);
  };

  const rawCodes = opts.raw === true && !spec.input.bipolar;
  const yScale = opts.real ? opts.real.yFrac.map((f) => 2 ** f) : null;
  const sScale = opts.real && opts.real.scoreFrac !== null ? 2 ** opts.real.scoreFrac : 1;
  const threshold = opts.threshold;
  let above = 0;
  let events = 0;
  let cycle = 0;
  if (sink?.format === 'csv') await sink.write(Buffer.from(columns.join(',') + '\n'));
  if (sink?.format === 'npy') await sink.write(npyHeader(opts.real ? '<f8' : '<i8', 0, columns.length));
  const nCols = columns.length;

  /** The outputs of cycles [c0, c0 + T): the rows of events from c0 − L on. */
  const emit = async (out: ReturnType<typeof cycles>, c0: number, T: number, lastEvent: number): Promise<void> => {
    const from = Math.max(0, L - c0);
    const to = Math.min(T, lastEvent + L - c0);
    if (to <= from) return;
    const rows = to - from;
    const value = (t: number, k: number): number => ('flat' in out ? (k < nOut ? out.flat[t * nOut + k]! : out.score![t]!) : out.rows[t]![k]!);
    const real = (t: number, k: number): number => (k < nOut ? value(t, k) / yScale![k]! : value(t, k) / sScale);
    if (threshold !== undefined) for (let t = from; t < to; t++) if ((opts.real ? real(t, nOut) : value(t, nOut)) > threshold) above++;
    if (sink === null) return;
    if (sink.format === 'csv') {
      let text = '';
      for (let t = from; t < to; t++) {
        for (let k = 0; k < nCols; k++) text += (k > 0 ? ',' : '') + String(opts.real ? real(t, k) : value(t, k));
        text += '\n';
      }
      await sink.write(Buffer.from(text));
    } else {
      const buf = Buffer.alloc(rows * nCols * 8);
      let at = 0;
      for (let t = from; t < to; t++) {
        for (let k = 0; k < nCols; k++) {
          if (opts.real) buf.writeDoubleLE(real(t, k), at);
          else buf.writeBigInt64LE(BigInt(value(t, k)), at);
          at += 8;
        }
      }
      await sink.write(buf);
    }
  };

  for await (const block of reader.blocks()) {
    const x = new Float64Array(block.rows * nIn);
    const n = block.rows * nIn;
    const v = block.values;
    for (let k = 0; k < n; k++) {
      const c = v[k]!;
      // an integer code in range is itself (the usual --raw value); anything else through code()
      x[k] = rawCodes && c >= lo && c <= hi && Number.isInteger(c) ? c : code(c, block.first + Math.floor(k / nIn), k % nIn);
    }
    events += block.rows;
    await emit(cycles(x, block.rows), cycle, block.rows, events);
    cycle += block.rows;
    opts.onBlock?.(events, block.bytesRead, reader.bytes);
  }
  // the pipeline's last L results: L cycles of zero inputs
  if (L > 0 && events > 0) {
    await emit(cycles(new Float64Array(L * nIn), L), cycle, L, events);
    cycle += L;
  }
  if (sink?.format === 'npy') await sink.rewriteStart(npyHeader(opts.real ? '<f8' : '<i8', events, columns.length));
  return { events, columns, format: fixedText(fmt), simulator: typed ? 'wasm' : 'bigint', above: threshold !== undefined ? above : null, seconds: (performance.now() - t0) / 1000 };
}
