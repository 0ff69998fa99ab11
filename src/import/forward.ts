import { sizeOf } from './shapes.js';
import type { ArgmaxOp, ConvOp, DenseOp, FixedFormat, FlattenOp, ModelGraph, ModelOp, PoolOp, QuantOp } from './ir.js';

/**
 * The float64 referee: runs an imported model graph on real inputs exactly as the comments of
 * ir.ts define each operation, independently of the integer mapping (lower.ts) and of the
 * layers format. The hardware's outputs, read back as real numbers, must equal its results.
 *
 * Values are flat channels-last vectors with a shape: [n], [L, C] or [H, W, C]; rank-1
 * convolutions and pools work on [L, C] as a [1, L, C] value with kernel (pool) height 1.
 *
 * Exactness. A quantized model's values are dyadic rationals of well under 53 significant bits,
 * so float64 computes them exactly; the referee makes sure it did rather than assume it:
 * - `quant` checks that x·2^frac is exact and that the integer k it rounds to is a safe integer
 *   (|k| < 2^53), and that every step of the overflow handling stays exact;
 * - with `checkExact` (the default), every product and partial sum of `dense` and `conv`, the
 *   sums of average pooling and the products of `leaky_relu` are checked with error-free
 *   transformations (TwoSum, Dekker's TwoProduct): an inexact one throws.
 * `affine` is a float operation by definition (u·scale + offset, in this order) and is never
 * checked, nor is the division of average pooling (a true quotient, correctly rounded).
 * Any violation throws an Error naming the operation, so inexactness never passes silently.
 */

export interface ForwardOptions {
  /** Check that dense/conv/avg-pool sums and products are exact (default true). */
  checkExact?: boolean;
}

/** A value between operations: its elements (channels last) and its shape. */
interface Value {
  v: number[];
  shape: number[];
}

/** Run `graph` on the real input `x` (flat, channels last, of `graph.inputShape`). */
export function forwardModel(graph: ModelGraph, x: readonly number[], options: ForwardOptions = {}): number[] {
  return forwardTrace(graph, x, options).at(-1)!.v;
}

/**
 * Run `graph` on `x` and keep every value on the way: the input, then the result of each
 * operation, with its shape (channels last).
 */
export function forwardTrace(graph: ModelGraph, x: readonly number[], options: ForwardOptions = {}): { v: number[]; shape: number[] }[] {
  const exact = options.checkExact ?? true;
  checkShape(graph.inputShape, 'the input shape');
  const n = sizeOf(graph.inputShape);
  if (x.length !== n) throw new Error(`forwardModel: the input has ${x.length} values, expected ${n} (shape [${graph.inputShape.join(', ')}])`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new Error(`forwardModel: input ${i} is not a finite number: ${x[i]}`);
  }
  const trace: Value[] = [{ v: [...x], shape: [...graph.inputShape] }];
  graph.ops.forEach((op, k) => {
    trace.push(applyOp(op, trace.at(-1)!, exact, `op ${k} (${op.op} ${op.meta.name})`));
  });
  return trace;
}

function applyOp(op: ModelOp, u: Value, exact: boolean, where: string): Value {
  switch (op.op) {
    case 'quant':
      return quantOp(op, u, where);
    case 'dense':
      return denseOp(op, u, exact, where);
    case 'conv':
      return convOp(op, u, exact, where);
    case 'affine': {
      const C = channels(u.shape);
      if (op.scale.length !== C || op.offset.length !== C) {
        throw new Error(`${where}: expected ${C} scales and offsets (one per channel), got ${op.scale.length} and ${op.offset.length}`);
      }
      return { v: u.v.map((e, i) => e * op.scale[i % C]! + op.offset[i % C]!), shape: u.shape };
    }
    case 'relu':
      return { v: u.v.map((e) => (e >= 0 ? e : 0)), shape: u.shape };
    case 'leaky_relu':
      return { v: u.v.map((e) => (e >= 0 ? e : exact ? mulExact(op.alpha, e, where) : op.alpha * e)), shape: u.shape };
    case 'sign':
      return { v: u.v.map((e) => (e >= 0 ? 1 : -1)), shape: u.shape };
    case 'step': {
      const T = op.thresholds.length;
      if (op.levels.length !== T + 1) throw new Error(`${where}: expected ${T + 1} levels for ${T} thresholds, got ${op.levels.length}`);
      if (op.cmp.length !== T) throw new Error(`${where}: expected ${T} comparisons (one per threshold), got ${op.cmp.length}`);
      for (let k = 1; k < T; k++) {
        if (op.thresholds[k]! < op.thresholds[k - 1]!) throw new Error(`${where}: the thresholds are not ascending: ${op.thresholds.join(', ')}`);
      }
      return {
        v: u.v.map((e) => {
          // j = the number of thresholds u passes: u > t ("gt") or u ≥ t ("ge")
          let j = 0;
          for (let k = 0; k < T; k++) {
            const t = op.thresholds[k]!;
            if (op.cmp[k] === 'gt' ? e > t : e >= t) j++;
          }
          return op.levels[j]!;
        }),
        shape: u.shape,
      };
    }
    case 'pool':
      return poolOp(op, u, exact, where);
    case 'flatten':
      return flattenOp(op, u);
    case 'argmax':
      return argmaxOp(op, u);
    default: {
      const never: never = op;
      throw new Error(`${where}: unknown operation ${JSON.stringify((never as { op?: unknown }).op)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// quantization

/** 2^n, exact for integer n in float64's range. */
function pow2(n: number): number {
  return Math.pow(2, n);
}

/** Round v to an integer per `rounding`, exactly (v finite). */
export function roundTo(v: number, rounding: FixedFormat['rounding']): number {
  const f = Math.floor(v);
  if (f === v) return f;
  if (rounding === 'floor') return f;
  // here |v| < 2^52 (a float of larger magnitude is an integer), so the midpoint f + 1/2 is
  // exact and comparing with it decides the rounding exactly, however small v's lowest bits
  const mid = f + 0.5;
  if (v > mid) return f + 1;
  if (v < mid) return f;
  // an exact half
  if (rounding === 'nearest') return f + 1;
  if (rounding === 'nearest_even') return f % 2 === 0 ? f : f + 1;
  throw new Error(`unknown rounding ${JSON.stringify(rounding)}`);
}

/** The integer k fitted to `width` bits per the format's overflow (k a safe integer). */
export function overflowTo(k: number, fmt: Pick<FixedFormat, 'signed' | 'width' | 'overflow'>): number {
  const w = fmt.width;
  if (w === 0) return 0;
  const max = fmt.signed ? pow2(w - 1) - 1 : pow2(w) - 1;
  const min = fmt.signed ? -pow2(w - 1) : 0;
  // (max is exact while w ≤ 53; beyond, k is in range anyway unless it wraps unsigned)
  switch (fmt.overflow) {
    case 'wrap': {
      if (k >= min && k <= max) return k;
      const m = pow2(w);
      let r = k % m; // exact (fmod)
      if (r < 0) r += m; // in (0, m): exact when representable, checked below
      if (fmt.signed && r >= m / 2) r -= m;
      if (!Number.isSafeInteger(r)) throw new Error(`wrapping ${k} to ${w} bits is not exact in float64`);
      return r;
    }
    case 'saturate':
      return k > max ? max : k < min ? min : k;
    case 'saturate_symmetric': {
      const lo = fmt.signed ? -max : min;
      return k > max ? max : k < lo ? lo : k;
    }
    default:
      throw new Error(`unknown overflow ${JSON.stringify(fmt.overflow)}`);
  }
}

/** The value x quantized to the format: round(x·2^frac) fitted to width bits, over 2^frac. */
export function quantize(x: number, fmt: FixedFormat): number {
  if (!Number.isInteger(fmt.width) || fmt.width < 0) throw new Error(`bad width ${fmt.width}`);
  if (!Number.isInteger(fmt.frac)) throw new Error(`bad frac ${fmt.frac}`);
  if (!Number.isFinite(x)) throw new Error(`cannot quantize ${x}`);
  const scale = pow2(fmt.frac);
  const v = x * scale;
  // scaling by a power of two is exact unless it overflows or underflows
  if (!Number.isFinite(v) || v / scale !== x) throw new Error(`${x}·2^${fmt.frac} is not exact in float64`);
  const k = roundTo(v, fmt.rounding);
  if (!Number.isSafeInteger(k)) throw new Error(`the integer ${k} of ${x}·2^${fmt.frac} is beyond 2^53: not exact in float64`);
  const q = overflowTo(k, fmt);
  const r = q / scale;
  if (r * scale !== q) throw new Error(`${q}/2^${fmt.frac} is not exact in float64`);
  // (−0 → 0, so that results print plainly)
  return r === 0 ? 0 : r;
}

function quantOp(op: QuantOp, u: Value, where: string): Value {
  const C = channels(u.shape);
  const F = op.formats.length;
  if (F !== 1 && F !== C) throw new Error(`${where}: expected 1 format or ${C} (one per channel), got ${F}`);
  return {
    v: u.v.map((e, i) => {
      try {
        return quantize(e, op.formats[F === 1 ? 0 : i % C]!);
      } catch (err) {
        throw new Error(`${where}, element ${i}: ${(err as Error).message}`);
      }
    }),
    shape: u.shape,
  };
}

// ---------------------------------------------------------------------------------------------
// exact arithmetic checks

const SPLITTER = 134217729; // 2^27 + 1

/** a·b, throwing when float64 rounds it (Dekker's TwoProduct gives the exact error). */
function mulExact(a: number, b: number, where: string): number {
  const p = a * b;
  if (!Number.isFinite(p)) throw new Error(`${where}: ${a}·${b} overflows float64`);
  if (p === 0) {
    if (a === 0 || b === 0) return 0;
    throw new Error(`${where}: ${a}·${b} underflows float64`);
  }
  if (Math.abs(a) > 1e300 || Math.abs(b) > 1e300 || Math.abs(p) < 1e-280) {
    throw new Error(`${where}: ${a}·${b} is outside the range where its exactness can be checked`);
  }
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const err = ah * bh - p + ah * bl + al * bh + al * bl;
  if (err !== 0) throw new Error(`${where}: ${a}·${b} is not exact in float64`);
  return p;
}

function split(a: number): [number, number] {
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

/** a + b, throwing when float64 rounds it (Knuth's TwoSum gives the exact error). */
function addExact(a: number, b: number, where: string): number {
  const s = a + b;
  if (!Number.isFinite(s)) throw new Error(`${where}: ${a} + ${b} overflows float64`);
  const bb = s - a;
  const err = a - (s - bb) + (b - bb);
  if (err !== 0) throw new Error(`${where}: ${a} + ${b} is not exact in float64`);
  return s;
}

/** The arithmetic of one operation: checked or plain. */
function arith(exact: boolean, where: string): { mul: (a: number, b: number) => number; add: (a: number, b: number) => number } {
  return exact ? { mul: (a, b) => mulExact(a, b, where), add: (a, b) => addExact(a, b, where) } : { mul: (a, b) => a * b, add: (a, b) => a + b };
}

// ---------------------------------------------------------------------------------------------
// shapes

function checkShape(shape: readonly number[], what: string): void {
  if (shape.length < 1 || shape.length > 3 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`forwardModel: ${what} must be [n], [L, C] or [H, W, C] of positive integers, got [${shape.join(', ')}]`);
  }
}

/** The channel count: the last axis (a flat [n] value has n channels). */
function channels(shape: readonly number[]): number {
  return shape[shape.length - 1]!;
}

/** [H, W, C] of a value that a rank-`rank` conv or pool reads ([L, C] is [1, L, C]). */
function spatial(shape: readonly number[], rank: 1 | 2, where: string): [number, number, number] {
  if (rank === 2 && shape.length === 3) return [shape[0]!, shape[1]!, shape[2]!];
  if (rank === 1 && shape.length === 2) return [1, shape[0]!, shape[1]!];
  throw new Error(`${where}: a rank-${rank} operation needs an ${rank === 2 ? '[H, W, C]' : '[L, C]'} value, got [${shape.join(', ')}]`);
}

/** The output shape of a rank-`rank` operation. */
function outShape(rank: 1 | 2, ho: number, wo: number, c: number): number[] {
  return rank === 2 ? [ho, wo, c] : [wo, c];
}

interface Axis {
  /** Output positions. */
  out: number;
  /** Padding before (TensorFlow "same": ⌊total/2⌋; "valid": 0). */
  before: number;
}

/** One axis of a window operation: input length L, window k, stride s, dilation d. */
function axis(L: number, k: number, s: number, d: number, padding: 'valid' | 'same', where: string): Axis {
  for (const [name, n] of [['window', k], ['stride', s], ['dilation', d]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${where}: ${name} must be a positive integer, got ${n}`);
  }
  const span = (k - 1) * d + 1;
  if (padding === 'same') {
    const out = Math.ceil(L / s);
    const total = Math.max((out - 1) * s + span - L, 0);
    return { out, before: Math.floor(total / 2) };
  }
  if (padding !== 'valid') throw new Error(`${where}: unknown padding ${JSON.stringify(padding)}`);
  const out = Math.floor((L - span) / s) + 1;
  if (out < 1) throw new Error(`${where}: a window of ${span} does not fit an axis of ${L} ("valid")`);
  return { out, before: 0 };
}

// ---------------------------------------------------------------------------------------------
// layers

function denseOp(op: DenseOp, u: Value, exact: boolean, where: string): Value {
  const n = u.v.length;
  if (op.W.length !== n) throw new Error(`${where}: the kernel has ${op.W.length} rows, the input ${n} values`);
  const m = op.W[0]?.length ?? 0;
  if (m < 1 || op.W.some((r) => r.length !== m)) throw new Error(`${where}: the kernel must be rectangular with at least one column`);
  if (op.bias !== null && op.bias.length !== m) throw new Error(`${where}: expected ${m} biases, got ${op.bias.length}`);
  const { mul, add } = arith(exact, where);
  const y: number[] = [];
  for (let o = 0; o < m; o++) {
    let s = 0;
    for (let i = 0; i < n; i++) s = add(s, mul(op.W[i]![o]!, u.v[i]!));
    if (op.bias !== null) s = add(s, op.bias[o]!);
    y.push(s);
  }
  return { v: y, shape: [m] };
}

function convOp(op: ConvOp, u: Value, exact: boolean, where: string): Value {
  const [H, W, C] = spatial(u.shape, op.rank, where);
  const kh = op.kernel.length;
  const kw = op.kernel[0]?.length ?? 0;
  const co = op.kernel[0]?.[0]?.[0]?.length ?? 0;
  if (op.rank === 1 && kh !== 1) throw new Error(`${where}: a rank-1 kernel has height 1, got ${kh}`);
  for (const row of op.kernel) {
    if (row.length !== kw) throw new Error(`${where}: the kernel is not kh × kw × cin × cout`);
    for (const tap of row) {
      if (tap.length !== C) throw new Error(`${where}: the kernel has ${tap.length} input channels, the input ${C}`);
      for (const ci of tap) if (ci.length !== co || co < 1) throw new Error(`${where}: the kernel is not kh × kw × cin × cout`);
    }
  }
  if (kw < 1) throw new Error(`${where}: an empty kernel`);
  if (op.bias !== null && op.bias.length !== co) throw new Error(`${where}: expected ${co} biases, got ${op.bias.length}`);
  // rank 1: the height axis is 1 with a kernel of 1, whatever its stride and dilation
  const ay = op.rank === 2 ? axis(H, kh, op.strides[0], op.dilation[0], op.padding, where) : { out: 1, before: 0 };
  const ax = axis(W, kw, op.strides[1], op.dilation[1], op.padding, where);
  const sh = op.rank === 2 ? op.strides[0] : 1;
  const dh = op.rank === 2 ? op.dilation[0] : 1;
  const [sw, dw] = [op.strides[1], op.dilation[1]];
  const { mul, add } = arith(exact, where);
  const y: number[] = [];
  for (let oh = 0; oh < ay.out; oh++) {
    for (let ow = 0; ow < ax.out; ow++) {
      for (let o = 0; o < co; o++) {
        let s = 0;
        for (let i = 0; i < kh; i++) {
          const h = oh * sh + i * dh - ay.before;
          if (h < 0 || h >= H) continue;
          for (let j = 0; j < kw; j++) {
            const w = ow * sw + j * dw - ax.before;
            if (w < 0 || w >= W) continue;
            const base = (h * W + w) * C;
            const tap = op.kernel[i]![j]!;
            for (let c = 0; c < C; c++) s = add(s, mul(tap[c]![o]!, u.v[base + c]!));
          }
        }
        if (op.bias !== null) s = add(s, op.bias[o]!);
        y.push(s);
      }
    }
  }
  return { v: y, shape: outShape(op.rank, ay.out, ax.out, co) };
}

function poolOp(op: PoolOp, u: Value, exact: boolean, where: string): Value {
  const [H, W, C] = spatial(u.shape, op.rank, where);
  const [ph, pw] = op.pool;
  if (op.rank === 1 && ph !== 1) throw new Error(`${where}: a rank-1 pool has height 1, got [${op.pool.join(', ')}]`);
  const ay = op.rank === 2 ? axis(H, ph, op.strides[0], 1, op.padding, where) : { out: 1, before: 0 };
  const ax = axis(W, pw, op.strides[1], 1, op.padding, where);
  const sh = op.rank === 2 ? op.strides[0] : 1;
  const sw = op.strides[1];
  const { add } = arith(exact, where);
  const y: number[] = [];
  for (let oh = 0; oh < ay.out; oh++) {
    for (let ow = 0; ow < ax.out; ow++) {
      for (let c = 0; c < C; c++) {
        let best = -Infinity;
        let sum = 0;
        let count = 0;
        for (let i = 0; i < ph; i++) {
          const h = oh * sh + i - ay.before;
          if (h < 0 || h >= H) continue;
          for (let j = 0; j < pw; j++) {
            const w = ow * sw + j - ax.before;
            if (w < 0 || w >= W) continue;
            const e = u.v[(h * W + w) * C + c]!;
            count++;
            if (e > best) best = e;
            sum = add(sum, e);
          }
        }
        if (count === 0) throw new Error(`${where}: a window at (${oh}, ${ow}) lies wholly in the padding`);
        // avg: the sum over the positions inside the input, divided by their number (Keras)
        y.push(op.mode === 'max' ? best : sum / count);
      }
    }
  }
  return { v: y, shape: outShape(op.rank, ay.out, ax.out, C) };
}

function flattenOp(op: FlattenOp, u: Value): Value {
  const n = u.v.length;
  if (op.order === 'channels_last' || u.shape.length === 1) return { v: u.v, shape: [n] };
  // (c, h, w) order: output (c·H + h)·W + w is element (h, w, c); [L, C] is [1, L, C]
  const [H, W, C] = u.shape.length === 3 ? [u.shape[0]!, u.shape[1]!, u.shape[2]!] : [1, u.shape[0]!, u.shape[1]!];
  const y = new Array<number>(n);
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) y[(c * H + h) * W + w] = u.v[(h * W + w) * C + c]!;
  return { v: y, shape: [n] };
}

function argmaxOp(_op: ArgmaxOp, u: Value): Value {
  let best = 0;
  for (let i = 1; i < u.v.length; i++) if (u.v[i]! > u.v[best]!) best = i;
  return { v: [best], shape: [1] };
}
