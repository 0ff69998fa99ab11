/**
 * The imported model graph → the layers format (integers), exactly.
 *
 * Every value is tracked per element with its fractional bits (a real value is its integer
 * code / 2^frac) and its integer range. A dense or conv operation opens a layer whose
 * accumulator has one scale 2^−S for all its outputs: each weight is scaled so that its product
 * with its input lands on that grid (inputs with fewer fractional bits get a left shift folded
 * into their weights), and the bias is put on the same grid (S grows when the bias is finer).
 * The operations after it fill the layer's post-ops in the format's fixed order — an exact
 * affine folds into the weights and bias, relu is the activation, a quantizer is the shift
 * (S − frac, per channel), its rounding and the output format — and an operation that cannot
 * follow in that order opens an identity `batchnorm` layer.
 *
 * A float affine (a BatchNormalization kept in float) followed by a quantizer, a step or a sign
 * is a monotone staircase of the integer accumulator: its steps are found exactly (by
 * bisection, evaluating the float operations as the referee does), and an integer affine with a
 * floor shift and a saturating output that has the same steps is found for each channel.
 */
import { SpecError } from '../errors.js';
import { codeRange, fixedText, fracBitsOf, quantizeCode } from './fixed.js';
import type { AffineOp, ConvOp, DenseOp, FixedFormat, ModelGraph, ModelOp, OpMeta, QOverflow, QRounding } from './ir.js';
import { hwc, sizeOf, windowOut } from './shapes.js';
import type { ImportReportLayer } from './api.js';

/** A value between layers: per element, its fractional bits and integer range. */
interface Val {
  shape: number[];
  frac: number[];
  lo: bigint[];
  hi: bigint[];
  /** A sign result (±1, one bit in hardware). */
  bipolar: boolean;
  /** After a channels-first flatten: element i of ours is the framework's element perm[i]. */
  perm: number[] | null;
}

type Stage = 'linear' | 'activated' | 'done';

/** The layer being filled. */
interface Open {
  kind: 'dense' | 'conv' | 'batchnorm' | 'avgpool';
  /** dense: rows[o][i]; batchnorm: rows[c] = [scale]. */
  rows: bigint[][];
  /** conv: kernel[i][j][ci][co]. */
  kernel: bigint[][][][] | null;
  conv: ConvOp | null;
  pool: { rank: 1 | 2; pool: [number, number]; strides: [number, number]; padding: 'valid' | 'same' } | null;
  bias: bigint[];
  /** Accumulator fractional bits. */
  S: number;
  stage: Stage;
  activation: 'linear' | 'relu' | 'leaky_relu' | 'sign';
  alpha: { mult: bigint; shift: number } | null;
  shift: number[] | null;
  rounding: QRounding;
  output: { width: number[]; signed: boolean[]; overflow: QOverflow } | null;
  /** Output fractional bits per channel once quantized (else S − shift). */
  outFrac: number[] | null;
  /** A float affine waiting for the quantizer/step/sign that makes it exact. */
  pendingFloat: AffineOp | null;
  input: Val;
  inShape: number[];
  outShape: number[];
  from: OpMeta[];
  notes: string[];
  weightType: string | null;
  biasType: string | null;
  inputFrac: number;
  /** Output channels. */
  C: number;
}

export interface Lowered {
  document: Record<string, unknown>;
  outputFrac: number[] | null;
  layers: ImportReportLayer[];
}

const big = (x: number): bigint => BigInt(x);
const p2 = (k: number): bigint => 1n << BigInt(k);

/** x · 2^k as an exact integer, or an error naming the operation. */
function scaled(x: number, k: number, what: string, label: string): bigint {
  const v = x * 2 ** k;
  if (!Number.isInteger(v)) throw new SpecError(label, what, `internal: ${x} is not a multiple of 2^−${k}`);
  if (Number.isSafeInteger(v)) return BigInt(v);
  // beyond 2^53: exact through the binary expansion
  const f = fracBitsOf(x) ?? 0;
  return BigInt(x * 2 ** f) * p2(k - f);
}

function maxFrac(values: Iterable<number>, what: string, label: string): number {
  let m = 0;
  for (const v of values) {
    const f = fracBitsOf(v);
    if (f === null || f > 60) throw new SpecError(label, what, `expected quantized (fixed-point) values, found ${v}, which is not a multiple of 2^−60: its layer needs a quantizer or --precision`);
    if (f > m) m = f;
  }
  return m;
}

function minB(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
function maxB(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Integers for JSON: numbers within ±2^53, decimal strings beyond. */
function jsonInt(v: bigint): number | string {
  return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString();
}

/** The channel of element e of a value of this shape. */
function channelOf(shape: readonly number[], e: number): number {
  return e % shape[shape.length - 1]!;
}

/** Per channel view of a per-element array (the first element of each channel). */
function perChannel<T>(arr: readonly T[], shape: readonly number[]): T[] {
  const C = shape[shape.length - 1]!;
  return arr.slice(0, C);
}

export class Lowerer {
  private val: Val;
  private open: Open | null = null;
  private readonly layers: Record<string, unknown>[] = [];
  private readonly report: ImportReportLayer[] = [];
  private argmax = false;

  constructor(
    private readonly g: ModelGraph,
    private readonly label: string,
  ) {
    const n = sizeOf(g.inputShape);
    const [lo, hi] = codeRange(g.input);
    this.val = { shape: g.inputShape.slice(), frac: new Array<number>(n).fill(g.input.frac), lo: new Array<bigint>(n).fill(big(lo)), hi: new Array<bigint>(n).fill(big(hi)), bipolar: false, perm: null };
  }

  lower(): Lowered {
    const ops = this.g.ops;
    for (let i = 0; i < ops.length; i++) this.apply(ops[i]!, ops[i + 1]);
    this.close();
    if (this.layers.length === 0) throw new SpecError(this.label, '', 'the model computes nothing after import (no layer left)');
    const document: Record<string, unknown> = {
      format: 1,
      name: this.g.name,
      description: `imported from ${this.g.framework} by da-gen`,
      input: { width: this.g.input.width, signed: this.g.input.signed, shape: this.g.inputShape },
      layers: this.layers,
    };
    const outputFrac = this.argmax ? null : this.val.frac.slice();
    return { document, outputFrac, layers: this.report };
  }

  private where(m: OpMeta): string {
    return `${m.name} (${m.cls})`;
  }

  private apply(op: ModelOp, next: ModelOp | undefined): void {
    switch (op.op) {
      case 'dense':
        this.close();
        this.openDense(op);
        return;
      case 'conv':
        this.close();
        this.openConv(op);
        return;
      case 'affine':
        return this.affine(op, next);
      case 'relu': {
        if (this.rangeOfCurrent().every(([lo]) => lo >= 0n) && this.open === null) return; // relu of a value ≥ 0
        if (this.open && this.open.stage === 'done' && this.open.activation === 'linear' && this.open.output && this.reluCommutes(this.open)) {
          // relu after the quantizer equals relu before it (the quantizer is monotone, keeps 0, and does not wrap here)
          this.open.activation = 'relu';
          this.open.from.push(op.meta);
          return;
        }
        const o = this.ensureOpen('linear', op.meta);
        if (o.pendingFloat) throw new SpecError(this.label, this.where(op.meta), 'a relu after a float BatchNormalization needs --precision');
        o.activation = 'relu';
        o.stage = 'activated';
        o.from.push(op.meta);
        return;
      }
      case 'leaky_relu': {
        const o = this.ensureOpen('linear', op.meta);
        const f = fracBitsOf(op.alpha);
        if (f === null || f > 24) throw new SpecError(this.label, this.where(op.meta), `leaky relu slope ${op.alpha} is not a multiple of 2^−24; use a power-of-two fraction`);
        o.activation = 'leaky_relu';
        o.alpha = { mult: scaled(op.alpha, f, 'alpha', this.label), shift: f };
        o.stage = 'activated';
        o.from.push(op.meta);
        return;
      }
      case 'quant':
        return this.quant(op.formats, op.meta, op.source);
      case 'sign':
      case 'step':
        return this.staircaseOp(op);
      case 'pool':
        this.close();
        return this.pool(op);
      case 'flatten': {
        this.close();
        const n = sizeOf(this.val.shape);
        if (op.order === 'channels_first' && this.val.shape.length > 1) {
          const [H, W, C] = hwc(this.val.shape);
          // our element (h, w, c) is the framework's flat element (c·H + h)·W + w
          const perm = new Array<number>(n);
          for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) perm[(h * W + w) * C + c] = (c * H + h) * W + w;
          this.val.perm = perm;
        }
        if (this.val.shape.length > 1) {
          this.layers.push({ kind: 'flatten' });
          this.report.push(this.simpleReport('flatten', op.meta, this.val.shape, [n], op.order === 'channels_first' ? ['channels-first order: the next dense layer takes its inputs permuted to channels-last order'] : []));
        }
        this.val.shape = [n];
        return;
      }
      case 'argmax': {
        this.close();
        this.layers.push({ kind: 'argmax' });
        this.report.push(this.simpleReport('argmax', op.meta, this.val.shape, [1], []));
        this.argmax = true;
        this.val = { shape: [1], frac: [0], lo: [0n], hi: [big(sizeOf(this.val.shape) - 1)], bipolar: false, perm: null };
        return;
      }
    }
  }

  private rangeOfCurrent(): [bigint, bigint][] {
    return this.val.lo.map((l, k) => [l, this.val.hi[k]!]);
  }

  private simpleReport(kind: string, m: OpMeta, inShape: number[], outShape: number[], notes: string[]): ImportReportLayer {
    return { index: this.layers.length - 1, kind, from: this.where(m), inShape: inShape.slice(), outShape: outShape.slice(), weightType: null, biasType: null, resultType: '—', nonzero: null, weights: null, prunedInputs: 0, notes: [...m.notes, ...notes] };
  }

  /** Input frac per input element, and the common (largest) one. */
  private inputScales(): { F: number[]; Fmax: number } {
    const F = this.val.frac;
    return { F, Fmax: Math.max(...F) };
  }

  private baseOpen(kind: Open['kind'], C: number, outShape: number[], m: OpMeta): Open {
    return {
      kind,
      rows: [],
      kernel: null,
      conv: null,
      pool: null,
      bias: new Array<bigint>(C).fill(0n),
      S: 0,
      stage: 'linear',
      activation: 'linear',
      alpha: null,
      shift: null,
      rounding: 'floor',
      output: null,
      outFrac: null,
      pendingFloat: null,
      input: this.val,
      inShape: this.val.shape.slice(),
      outShape,
      from: [m],
      notes: [],
      weightType: null,
      biasType: null,
      inputFrac: Math.max(...this.val.frac),
      C,
    };
  }

  private setBias(o: Open, bias: number[] | null, what: string): void {
    if (bias === null) return;
    const fb = maxFrac(bias, what, this.label);
    if (fb > o.S) this.scaleLayer(o, fb - o.S);
    o.bias = bias.map((b) => scaled(b, o.S, what, this.label));
  }

  /** Multiplies the whole layer (weights, bias) by 2^k: S grows by k. */
  private scaleLayer(o: Open, k: number): void {
    if (k <= 0) return;
    const f = p2(k);
    o.rows = o.rows.map((r) => r.map((w) => w * f));
    if (o.kernel) o.kernel = o.kernel.map((a) => a.map((b) => b.map((c) => c.map((w) => w * f))));
    o.bias = o.bias.map((b) => b * f);
    o.S += k;
  }

  private openDense(op: DenseOp): void {
    const v = this.val;
    if (v.shape.length !== 1) throw new SpecError(this.label, this.where(op.meta), `a dense layer over a [${v.shape.join(', ')}] value needs a flatten first`);
    const nIn = v.shape[0]!;
    const nOut = op.W[0]?.length ?? 0;
    if (op.W.length !== nIn) throw new SpecError(this.label, this.where(op.meta), `expected ${nIn} weight rows (one per input), got ${op.W.length}`);
    const o = this.baseOpen('dense', nOut, [nOut], op.meta);
    const { F, Fmax } = this.inputScales();
    const fw = maxFrac(op.W.flat(), `${this.where(op.meta)} weights`, this.label);
    o.S = fw + Fmax;
    // framework input index of our input i (a channels-first flatten permutes)
    const src = (i: number): number => (v.perm ? v.perm[i]! : i);
    const rows: bigint[][] = [];
    for (let out = 0; out < nOut; out++) {
      const r: bigint[] = [];
      for (let i = 0; i < nIn; i++) {
        // a bipolar input (a sign result) is ±1 at frac 0: the layers format computes W·(2b − 1) itself
        r.push(scaled(op.W[src(i)]![out]!, fw + Fmax - F[i]!, `${this.where(op.meta)} weights`, this.label));
      }
      rows.push(r);
    }
    o.rows = rows;
    o.weightType = op.weightType;
    o.biasType = op.bias ? op.biasType : null;
    if (v.perm) o.notes.push('inputs permuted from channels-first order (the flatten before it)');
    this.setBias(o, op.bias, `${this.where(op.meta)} bias`);
    this.open = o;
    this.val = { ...v, perm: null };
  }

  private openConv(op: ConvOp): void {
    const v = this.val;
    const rank = op.rank;
    if (v.shape.length !== rank + 1) throw new SpecError(this.label, this.where(op.meta), `expected a ${rank === 1 ? '[L, C]' : '[H, W, C]'} input, got [${v.shape.join(', ')}]`);
    const K = op.kernel;
    const kh = K.length;
    const kw = K[0]!.length;
    const cin = K[0]![0]!.length;
    const cout = K[0]![0]![0]!.length;
    const outShape = windowOut(v.shape, rank, [kh, kw], op.strides, op.dilation, op.padding, cout);
    const o = this.baseOpen('conv', cout, outShape, op.meta);
    const F = perChannel(v.frac, v.shape);
    const Fmax = Math.max(...F);
    const fw = maxFrac(K.flat(3), `${this.where(op.meta)} kernel`, this.label);
    o.S = fw + Fmax;
    o.kernel = K.map((a) => a.map((b) => b.map((c, ci) => c.map((w) => scaled(w, fw + Fmax - F[ci]!, `${this.where(op.meta)} kernel`, this.label)))));
    o.conv = op;
    o.weightType = op.weightType;
    o.biasType = op.bias ? op.biasType : null;
    if (cin !== v.shape[v.shape.length - 1]) throw new SpecError(this.label, this.where(op.meta), `expected ${v.shape[v.shape.length - 1]} input channels, the kernel has ${cin}`);
    this.setBias(o, op.bias, `${this.where(op.meta)} bias`);
    this.open = o;
  }

  /** An identity batchnorm layer over the current value (scale aligns per-channel grids). */
  private openIdentity(m: OpMeta): Open {
    const v = this.val;
    const C = v.shape[v.shape.length - 1]!;
    const F = perChannel(v.frac, v.shape);
    const Fmax = Math.max(...F);
    const o = this.baseOpen('batchnorm', C, v.shape.slice(), m);
    o.S = Fmax;
    o.rows = F.map((f) => [p2(Fmax - f)]);
    o.from = [];
    this.open = o;
    return o;
  }

  /** The open layer if it can still take an op at `need` stage, else an identity layer after closing it. */
  private ensureOpen(need: 'linear' | 'activated', m: OpMeta): Open {
    const o = this.open;
    if (o !== null && (o.stage === 'linear' || (need === 'activated' && o.stage === 'activated'))) return o;
    this.close();
    return this.openIdentity(m);
  }

  private affine(op: AffineOp, next: ModelOp | undefined): void {
    const exact = [...op.scale, ...op.offset].every((x) => {
      const f = fracBitsOf(x);
      return f !== null && f <= 40;
    });
    const o = this.ensureOpen('linear', op.meta);
    if (o.pendingFloat) throw new SpecError(this.label, this.where(op.meta), 'two float affine operations in a row are not supported');
    o.from.push(op.meta);
    if (!exact) {
      if (!next || !(next.op === 'quant' || next.op === 'step' || next.op === 'sign')) {
        throw new SpecError(this.label, this.where(op.meta), 'has float parameters and no quantizer after it: give --precision for it');
      }
      o.pendingFloat = op;
      return;
    }
    // exact: fold u·s + t into the layer (per output channel)
    const fs = maxFrac(op.scale, this.where(op.meta), this.label);
    const ft = maxFrac(op.offset, this.where(op.meta), this.label);
    const S2 = Math.max(o.S + fs, ft);
    const C = o.C;
    if (op.scale.length !== C) throw new SpecError(this.label, this.where(op.meta), `expected ${C} channels, got ${op.scale.length}`);
    const mul = op.scale.map((s) => scaled(s, fs, this.where(op.meta), this.label) * p2(S2 - o.S - fs));
    this.mulChannels(o, mul);
    o.bias = o.bias.map((b, c) => b + scaled(op.offset[c]!, S2, this.where(op.meta), this.label));
    o.S = S2;
    o.notes.push(`${op.meta.name} (${op.meta.cls}) folded into the weights and bias (exact)`);
  }

  /** Multiplies output channel c of the layer (weights and bias) by mul[c]. */
  private mulChannels(o: Open, mul: bigint[]): void {
    if (o.kind === 'conv') o.kernel = o.kernel!.map((a) => a.map((b) => b.map((c) => c.map((w, co) => w * mul[co]!))));
    else o.rows = o.rows.map((r, c) => r.map((w) => w * mul[c]!));
    o.bias = o.bias.map((b, c) => b * mul[c]!);
  }

  /**
   * Whether max(Q(a), 0) = Q(max(a, 0)) for the layer's quantizer Q on its accumulator's range:
   * every rounding maps 0 to 0 and keeps the order, saturation keeps it too, and wrapping does
   * when no value of the range wraps.
   */
  private reluCommutes(o: Open): boolean {
    if (o.output!.overflow !== 'wrap') return true;
    const shifts = o.shift ?? new Array<number>(o.C).fill(0);
    return this.accRange(o).every(([lo, hi], c) => {
      const w = o.output!.width[c]!;
      if (w === 0) return true;
      const k = shifts[c]!;
      const [fl, fh] = codeRange({ signed: o.output!.signed[c]!, width: w, overflow: 'wrap' });
      return lo >> BigInt(k) >= big(fl) && (hi + (k > 0 ? p2(k - 1) : 0n)) >> BigInt(k) <= big(fh);
    });
  }

  /** Per output channel: the accumulator's range (before activation), from the input ranges. */
  private accRange(o: Open): [bigint, bigint][] {
    const v = o.input;
    const out: [bigint, bigint][] = [];
    if (o.kind === 'dense' || o.kind === 'batchnorm') {
      const C = v.shape[v.shape.length - 1]!;
      for (let r = 0; r < o.rows.length; r++) {
        let lo = o.bias[r]!;
        let hi = o.bias[r]!;
        o.rows[r]!.forEach((w, i) => {
          const k = o.kind === 'batchnorm' ? r : i;
          const [a, b] = o.kind === 'batchnorm' ? this.channelRange(v, k, C) : [v.lo[i]!, v.hi[i]!];
          lo += minB(w * a, w * b);
          hi += maxB(w * a, w * b);
        });
        out.push([lo, hi]);
      }
      return out;
    }
    if (o.kind === 'conv') {
      const K = o.kernel!;
      const C = v.shape[v.shape.length - 1]!;
      const pad = o.conv!.padding === 'same';
      const ranges = Array.from({ length: C }, (_, c) => this.channelRange(v, c, C));
      for (let co = 0; co < o.C; co++) {
        let lo = o.bias[co]!;
        let hi = o.bias[co]!;
        for (const a of K)
          for (const b of a)
            b.forEach((c, ci) => {
              const w = c[co]!;
              let [x, y] = ranges[ci]!;
              if (pad) {
                x = minB(x, 0n);
                y = maxB(y, 0n);
              }
              lo += minB(w * x, w * y);
              hi += maxB(w * x, w * y);
            });
        out.push([lo, hi]);
      }
      return out;
    }
    // avgpool: window sums
    const C = v.shape[v.shape.length - 1]!;
    const n = BigInt(o.pool!.pool[0] * o.pool!.pool[1]);
    for (let c = 0; c < C; c++) {
      const [x, y] = this.channelRange(v, c, C);
      out.push([minB(x * n, 0n), maxB(y * n, 0n)]);
    }
    return out;
  }

  private channelRange(v: Val, c: number, C: number): [bigint, bigint] {
    let lo: bigint | null = null;
    let hi: bigint | null = null;
    for (let e = c; e < v.lo.length; e += C) {
      lo = lo === null ? v.lo[e]! : minB(lo, v.lo[e]!);
      hi = hi === null ? v.hi[e]! : maxB(hi, v.hi[e]!);
    }
    return [lo ?? 0n, hi ?? 0n];
  }

  /** A quantizer: the layer's shift, rounding and output (per channel when the formats differ). */
  private quant(formats: FixedFormat[], m: OpMeta, source: string): void {
    let o = this.open;
    if (o === null || o.stage === 'done') {
      // a quantizer on a finished value: the identity when it changes nothing
      if (this.quantIsIdentity(formats)) {
        this.notesForNext.push(`${m.name} (${m.cls}) ${source} changes no value of its input: nothing to build`);
        return;
      }
      this.close();
      o = this.openIdentity(m);
    }
    if (o.pendingFloat) return this.staircase(o, { kind: 'quant', formats }, m);
    o.from.push(m);
    const C = o.C;
    const fmt = (c: number): FixedFormat => formats.length === 1 ? formats[0]! : formats[c]!;
    if (formats.length !== 1 && formats.length !== C) throw new SpecError(this.label, this.where(m), `expected 1 or ${C} formats (one per channel), got ${formats.length}`);
    const rounding = fmt(0).rounding;
    const overflow = fmt(0).overflow;
    for (let c = 0; c < C; c++) {
      if (fmt(c).width > 0 && (fmt(c).rounding !== rounding || fmt(c).overflow !== overflow)) throw new SpecError(this.label, this.where(m), 'per-channel rounding or overflow modes that differ are not supported');
    }
    const fr = Array.from({ length: C }, (_, c) => (fmt(c).width === 0 ? o!.S : fmt(c).frac));
    const need = Math.max(...fr);
    if (need > o.S) {
      if (o.stage === 'activated' && o.activation === 'leaky_relu') throw new SpecError(this.label, this.where(m), 'a quantizer finer than the leaky relu before it is not supported');
      this.scaleLayer(o, need - o.S);
    }
    o.shift = fr.map((f) => o!.S - f);
    o.rounding = rounding;
    o.output = { width: Array.from({ length: C }, (_, c) => fmt(c).width), signed: Array.from({ length: C }, (_, c) => fmt(c).signed), overflow };
    o.outFrac = fr;
    o.stage = 'done';
  }

  private notesForNext: string[] = [];

  /** Whether quantizing the current value to the formats changes no value (same or finer grid, in range). */
  private quantIsIdentity(formats: FixedFormat[]): boolean {
    const v = this.val;
    const C = v.shape[v.shape.length - 1]!;
    if (formats.length !== 1 && formats.length !== C) return false;
    for (let e = 0; e < v.lo.length; e++) {
      const f = formats.length === 1 ? formats[0]! : formats[channelOf(v.shape, e)]!;
      if (f.width === 0) {
        if (v.lo[e] !== 0n || v.hi[e] !== 0n) return false;
        continue;
      }
      if (f.frac < v.frac[e]!) return false;
      const k = p2(f.frac - v.frac[e]!);
      const [lo, hi] = codeRange(f);
      if (v.lo[e]! * k < big(lo) || v.hi[e]! * k > big(hi)) return false;
    }
    return true;
  }

  private staircaseOp(op: Extract<ModelOp, { op: 'sign' | 'step' }>): void {
    const o = this.ensureOpen('linear', op.meta);
    if (op.op === 'sign' && !o.pendingFloat) {
      o.activation = 'sign';
      o.stage = 'done';
      o.outFrac = new Array<number>(o.C).fill(0);
      o.from.push(op.meta);
      return;
    }
    this.staircase(o, op.op === 'sign' ? { kind: 'sign' } : { kind: 'step', thresholds: op.thresholds, cmp: op.cmp, levels: op.levels }, op.meta);
  }

  /**
   * The float function of the integer accumulator a (channel c) that ends at this op, its
   * steps found by bisection, and an integer affine with a floor shift that has the same steps.
   */
  private staircase(o: Open, t: { kind: 'quant'; formats: FixedFormat[] } | { kind: 'sign' } | { kind: 'step'; thresholds: number[]; cmp: ('gt' | 'ge')[]; levels: number[] }, m: OpMeta): void {
    o.from.push(m);
    const aff = o.pendingFloat;
    const ranges = this.accRange(o);
    const C = o.C;
    const realOf = (a: number, c: number): number => {
      const x = a / 2 ** o.S;
      return aff ? x * aff.scale[c]! + aff.offset[c]! : x;
    };
    let levelsInt: (v: number, c: number) => number;
    let outFmt: { width: number; signed: boolean; frac: number; overflow: QOverflow } | null = null;
    if (t.kind === 'quant') {
      const fmt = (c: number): FixedFormat => (t.formats.length === 1 ? t.formats[0]! : t.formats[c]!);
      levelsInt = (x, c) => quantizeCode(x, fmt(c));
      const f0 = fmt(0);
      if (t.formats.some((f) => f.width !== f0.width || f.signed !== f0.signed || f.frac !== f0.frac)) throw new SpecError(this.label, this.where(m), 'a per-channel quantizer after a float BatchNormalization is not supported');
      if (f0.overflow === 'wrap') throw new SpecError(this.label, this.where(m), 'a wrapping quantizer after a float BatchNormalization is not supported (its result is not monotone)');
      outFmt = { width: f0.width, signed: f0.signed, frac: f0.frac, overflow: f0.overflow };
    } else if (t.kind === 'step') {
      const lv = t.levels;
      if (!lv.every((x, k) => Number.isInteger(x) && (k === 0 || x === lv[k - 1]! + 1))) throw new SpecError(this.label, this.where(m), `step levels [${lv.join(', ')}] are not consecutive integers`);
      levelsInt = (x) => {
        let j = 0;
        t.thresholds.forEach((th, k) => {
          if (t.cmp[k] === 'gt' ? x > th : x >= th) j++;
        });
        return lv[j]!;
      };
      const lo = lv[0]!;
      const hi = lv[lv.length - 1]!;
      const signed = lo < 0;
      let width = 1;
      while (signed ? -(2 ** (width - 1)) > lo || 2 ** (width - 1) - 1 < hi : 2 ** width - 1 < hi) width++;
      outFmt = { width: Math.max(width, signed ? 2 : 1), signed, frac: 0, overflow: signed && lo === -hi ? 'saturate_symmetric' : 'saturate' };
    } else {
      levelsInt = (x) => (x >= 0 ? 1 : -1);
    }
    const f = (a: number, c: number): number => levelsInt(realOf(a, c), c);
    const sols: { s: bigint; off: bigint; k: number }[] = [];
    for (let c = 0; c < C; c++) {
      const [lo, hi] = ranges[c]!;
      if (lo < -(2n ** 50n) || hi > 2n ** 50n) throw new SpecError(this.label, this.where(m), 'the accumulator is too wide to find exact thresholds');
      const clamp = outFmt ? codeRange(outFmt) : null;
      sols.push(stairFit(f, c, Number(lo), Number(hi), t.kind === 'sign', clamp, this.label, this.where(m)));
    }
    const k = Math.max(...sols.map((s) => s.k));
    const mul = sols.map((s) => s.s * p2(k - s.k));
    this.mulChannels(o, mul);
    o.bias = o.bias.map((b, c) => b + sols[c]!.off * p2(k - sols[c]!.k));
    o.pendingFloat = null;
    const desc = aff ? `${aff.meta.name} (${aff.meta.cls}, float) and ${m.name} (${m.cls})` : `${m.name} (${m.cls})`;
    if (t.kind === 'sign') {
      o.activation = 'sign';
      o.stage = 'done';
      o.outFrac = new Array<number>(C).fill(0);
      o.notes.push(`${desc}: the sign's exact threshold on the integer accumulator, per channel, folded into the weights and bias`);
      return;
    }
    o.shift = new Array<number>(C).fill(k);
    o.rounding = 'floor';
    o.output = { width: new Array<number>(C).fill(outFmt!.width), signed: new Array<boolean>(C).fill(outFmt!.signed), overflow: outFmt!.overflow };
    o.outFrac = new Array<number>(C).fill(outFmt!.frac);
    o.stage = 'done';
    o.notes.push(`${desc}: exact integer thresholds on the accumulator, as a per-channel integer scale, bias and a ${k}-bit floor shift`);
  }

  private pool(op: Extract<ModelOp, { op: 'pool' }>): void {
    const v = this.val;
    const C = v.shape[v.shape.length - 1]!;
    const outShape = windowOut(v.shape, op.rank, op.pool, op.strides, [1, 1], op.padding, C);
    const kind = `${op.mode}pool${op.rank}d`;
    const poolVal = op.rank === 1 ? op.pool[1] : [op.pool[0], op.pool[1]];
    const strides = op.rank === 1 ? op.strides[1] : [op.strides[0], op.strides[1]];
    if (op.mode === 'max') {
      this.layers.push({ kind, pool: poolVal, strides, padding: op.padding });
      this.report.push(this.simpleReport(kind, op.meta, v.shape, outShape, []));
      // a window's max: the per-channel ranges and grids stay
      const n = sizeOf(outShape);
      const F = perChannel(v.frac, v.shape);
      const R = Array.from({ length: C }, (_, c) => this.channelRange(v, c, C));
      this.val = { shape: outShape, frac: Array.from({ length: n }, (_, e) => F[e % C]!), lo: Array.from({ length: n }, (_, e) => R[e % C]![0]), hi: Array.from({ length: n }, (_, e) => R[e % C]![1]), bipolar: false, perm: null };
      return;
    }
    const size = op.pool[0] * op.pool[1];
    if (!Number.isInteger(Math.log2(size))) throw new SpecError(this.label, this.where(op.meta), `average pooling over ${size} values (not a power of two) cannot be exact in fixed point`);
    if (op.padding === 'same') {
      const [H, W] = hwc(v.shape);
      const full = (L: number, k: number, s: number): boolean => (Math.ceil(L / s) - 1) * s + k <= L;
      if (!full(W, op.pool[1], op.strides[1]) || (op.rank === 2 && !full(H, op.pool[0], op.strides[0]))) {
        throw new SpecError(this.label, this.where(op.meta), 'average pooling with "same" padding divides border windows by fewer than the window size, which is not exact in fixed point');
      }
    }
    const o = this.baseOpen('avgpool', C, outShape, op.meta);
    const F = perChannel(v.frac, v.shape);
    const Fmax = Math.max(...F);
    if (F.some((x) => x !== Fmax)) throw new SpecError(this.label, this.where(op.meta), 'average pooling over channels with different grids is not supported');
    o.S = Fmax + Math.log2(size);
    o.pool = { rank: op.rank, pool: op.pool, strides: op.strides, padding: op.padding };
    this.open = o;
  }

  /** Writes the open layer to the document and moves the value past it. */
  private close(): void {
    const o = this.open;
    if (o === null) return;
    this.open = null;
    if (o.pendingFloat) throw new SpecError(this.label, this.where(o.pendingFloat.meta), 'has float parameters and no quantizer after it: give --precision for it');
    const C = o.C;
    const acc = this.accRange(o);
    const shifts = o.shift ?? new Array<number>(C).fill(0);
    const outFrac = o.outFrac ?? shifts.map((s) => o.S - s);
    // the value's range after the post-ops
    const after: [bigint, bigint][] = acc.map(([lo0, hi0], c) => {
      let lo = lo0;
      let hi = hi0;
      if (o.activation === 'relu') {
        lo = maxB(lo, 0n);
        hi = maxB(hi, 0n);
      } else if (o.activation === 'leaky_relu') {
        const { mult, shift } = o.alpha!;
        const a = (lo * mult) >> BigInt(shift);
        lo = minB(a, 0n) < lo ? minB(a, lo) : lo;
        hi = maxB(hi, (hi * mult) >> BigInt(shift));
      } else if (o.activation === 'sign') return [-1n, 1n];
      const k = shifts[c]!;
      const half = o.rounding !== 'floor' && k > 0 ? p2(k - 1) : 0n;
      lo = lo >> BigInt(k);
      hi = (hi + half) >> BigInt(k);
      if (o.output) {
        const w = o.output.width[c]!;
        if (w === 0) return [0n, 0n];
        const [fl, fh] = codeRange({ signed: o.output.signed[c]!, width: w, overflow: o.output.overflow });
        if (o.output.overflow === 'wrap') {
          if (lo < big(fl) || hi > big(fh)) return [big(fl), big(fh)];
        } else {
          lo = maxB(lo, big(fl));
          hi = minB(hi, big(fh));
          if (lo > hi) lo = hi;
        }
      }
      return [lo, hi];
    });
    const n = sizeOf(o.outShape);
    const layer: Record<string, unknown> = {};
    let nonzero: number | null = null;
    let total: number | null = null;
    let pruned = 0;
    if (o.kind === 'dense') {
      layer.weights = o.rows.map((r) => r.map(jsonInt));
      nonzero = o.rows.reduce((s, r) => s + r.filter((w) => w !== 0n).length, 0);
      total = o.rows.length * (o.rows[0]?.length ?? 0);
      const nIn = o.rows[0]?.length ?? 0;
      for (let i = 0; i < nIn; i++) if (o.rows.every((r) => r[i] === 0n)) pruned++;
    } else if (o.kind === 'conv') {
      const op = o.conv!;
      const K = o.kernel!;
      layer.kind = op.rank === 1 ? 'conv1d' : 'conv2d';
      layer.kernel = op.rank === 1 ? K[0]!.map((a) => a.map((b) => b.map(jsonInt))) : K.map((a) => a.map((b) => b.map((c) => c.map(jsonInt))));
      layer.strides = op.rank === 1 ? op.strides[1] : op.strides;
      layer.dilation = op.rank === 1 ? op.dilation[1] : op.dilation;
      layer.padding = op.padding;
      const flat = K.flat(3);
      nonzero = flat.filter((w) => w !== 0n).length;
      total = flat.length;
      const cin = K[0]![0]!.length;
      for (let ci = 0; ci < cin; ci++) if (K.every((a) => a.every((b) => b[ci]!.every((w) => w === 0n)))) pruned++;
    } else if (o.kind === 'batchnorm') {
      layer.kind = 'batchnorm';
      layer.scale = o.rows.map((r) => jsonInt(r[0]!));
      layer.offset = o.bias.map(jsonInt);
    } else {
      layer.kind = `avgpool${o.pool!.rank}d`;
      layer.pool = o.pool!.rank === 1 ? o.pool!.pool[1] : o.pool!.pool;
      layer.strides = o.pool!.rank === 1 ? o.pool!.strides[1] : o.pool!.strides;
      layer.padding = o.pool!.padding;
    }
    if (o.kind !== 'batchnorm' && o.kind !== 'avgpool' && o.bias.some((b) => b !== 0n)) layer.bias = o.bias.map(jsonInt);
    if (o.kind !== 'avgpool') {
      if (o.activation !== 'linear') layer.activation = o.activation;
      if (o.alpha) layer.alpha = { mult: jsonInt(o.alpha.mult), shift: o.alpha.shift };
    }
    const uniform = <T>(a: T[]): boolean => a.every((x) => x === a[0]);
    if (o.activation !== 'sign') {
      layer.shift = uniform(shifts) ? shifts[0] : shifts;
      if (shifts.some((s) => s > 0) && o.rounding !== 'floor') layer.rounding = o.rounding;
      if (o.output) {
        const ws = o.output.width;
        const ss = o.output.signed;
        layer.output = { width: uniform(ws) ? ws[0] : ws, signed: uniform(ss) ? ss[0] : ss, overflow: o.output.overflow };
      }
    }
    if (o.kind === 'dense' || o.kind === 'conv') {
      const wf = o.S - o.inputFrac;
      if (wf >= 0 && wf <= 64 && o.inputFrac >= 0 && o.inputFrac <= 64 && uniform(o.input.frac)) {
        layer.weight_frac_bits = wf;
        layer.input_frac_bits = o.inputFrac;
      }
    }
    this.layers.push(layer);
    this.report.push({
      index: this.layers.length - 1,
      kind: String(layer.kind ?? 'dense'),
      from: [...new Set(o.from.map((m) => this.where(m)))].join(' + '),
      inShape: o.inShape,
      outShape: o.outShape,
      weightType: o.weightType,
      biasType: o.biasType,
      resultType: resultType(o, outFrac),
      nonzero,
      weights: total,
      prunedInputs: pruned,
      notes: [...o.from.flatMap((m) => m.notes), ...o.notes, ...this.notesForNext.splice(0)],
    });
    this.val = {
      shape: o.outShape.slice(),
      frac: Array.from({ length: n }, (_, e) => outFrac[e % C]!),
      lo: Array.from({ length: n }, (_, e) => after[e % C]![0]),
      hi: Array.from({ length: n }, (_, e) => after[e % C]![1]),
      bipolar: o.activation === 'sign',
      perm: null,
    };
  }
}

function resultType(o: Open, outFrac: number[]): string {
  if (o.activation === 'sign') return 'sign (±1, one bit)';
  if (!o.output) return `full precision, 2^−${outFrac[0]} grid`;
  const C = o.C;
  const texts = Array.from({ length: C }, (_, c) => (o.output!.width[c] === 0 ? '0 bits' : fixedText({ signed: o.output!.signed[c]!, width: o.output!.width[c]!, frac: outFrac[c]!, rounding: o.rounding, overflow: o.output!.overflow })));
  const uniq = [...new Set(texts)];
  if (uniq.length === 1) return uniq[0]!;
  return `per channel: ${uniq.slice(0, 4).join(', ')}${uniq.length > 4 ? `, … (${uniq.length} formats)` : ''}`;
}

/**
 * For a monotone integer staircase f(a) on [lo, hi] (channel c): integers s, off and a shift k
 * with floor((s·a + off) / 2^k) = f(a) on the whole range (sign: s·a + off ≥ 0 exactly where f
 * is +1, k = 0). Found from the steps' positions, smallest k first.
 */
function stairFit(f: (a: number, c: number) => number, c: number, lo: number, hi: number, sign: boolean, clamp: [number, number] | null, label: string, where: string): { s: bigint; off: bigint; k: number } {
  const flo = f(lo, c);
  const fhi = f(hi, c);
  if (flo === fhi) {
    // constant on the range
    if (sign) return { s: 0n, off: flo > 0 ? 0n : -1n, k: 0 };
    return { s: 0n, off: BigInt(flo), k: 0 };
  }
  const up = fhi > flo;
  // intervals [T_j, T_{j+1} − 1] with value v_j, on b = a (up) or b = −a (down), increasing
  const g = (b: number): number => f(up ? b : -b, c);
  const blo = up ? lo : -hi;
  const bhi = up ? hi : -lo;
  const T: number[] = [blo];
  const V: number[] = [g(blo)];
  let cur = blo;
  while (V[V.length - 1]! !== g(bhi)) {
    const v = V[V.length - 1]!;
    // the first b > cur with g(b) > v
    let a = cur;
    let b = bhi;
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (g(mid) > v) b = mid;
      else a = mid;
    }
    const nv = g(b);
    if (nv < v) throw new SpecError(label, where, 'internal: the staircase is not monotone');
    T.push(b);
    V.push(nv);
    cur = b;
    if (T.length > 70000) throw new SpecError(label, where, 'too many levels to map exactly');
  }
  T.push(bhi + 1);
  const m = V.length;
  // the output saturates: the lowest interval needs no lower bound when it is the format's
  // least value, the highest no upper bound when it is its greatest
  const hasLower = (j: number): boolean => !(j === 0 && clamp !== null && V[0] === clamp[0]);
  const hasUpper = (i: number): boolean => !(i === m - 1 && clamp !== null && V[m - 1] === clamp[1]);
  const clip = (x: number): number => (clamp === null ? x : Math.min(clamp[1], Math.max(clamp[0], x)));
  if (sign) {
    // +1 from T[1] on (two intervals)
    const t = T[1]!;
    return up ? { s: 1n, off: BigInt(-t), k: 0 } : { s: -1n, off: BigInt(-t), k: 0 };
  }
  for (let k = 0; k <= 48; k++) {
    const K = 2 ** k;
    let sLo = 0;
    let sHi = Infinity;
    for (let i = 0; i < m; i++) {
      if (!hasUpper(i)) continue;
      for (let j = 0; j < m; j++) {
        if (!hasLower(j)) continue;
        if (j > i) {
          const d = T[j]! - T[i + 1]! + 1;
          sLo = Math.max(sLo, Math.ceil(((V[j]! - V[i]! - 1) * K + 1) / d));
        } else {
          const d = T[i + 1]! - 1 - T[j]!;
          if (d > 0) sHi = Math.min(sHi, Math.floor(((V[i]! - V[j]! + 1) * K - 1) / d));
        }
      }
    }
    sLo = Math.max(sLo, 0);
    if (sLo <= sHi) {
      const s = sLo;
      let off = -Infinity;
      for (let j = 0; j < m; j++) if (hasLower(j)) off = Math.max(off, V[j]! * K - s * T[j]!);
      if (off === -Infinity) {
        let hiOff = Infinity;
        for (let i = 0; i < m; i++) if (hasUpper(i)) hiOff = Math.min(hiOff, (V[i]! + 1) * K - 1 - s * (T[i + 1]! - 1));
        off = hiOff;
      }
      // verify at every step edge, after the output's saturation
      const ok = T.slice(0, m).every((t, j) => clip(Math.floor((s * t + off) / K)) === V[j] && clip(Math.floor((s * (T[j + 1]! - 1) + off) / K)) === V[j]);
      if (!ok || !Number.isSafeInteger(s * Math.max(Math.abs(blo), Math.abs(bhi)) + Math.abs(off))) continue;
      return up ? { s: BigInt(s), off: BigInt(off), k } : { s: BigInt(-s), off: BigInt(off), k };
    }
  }
  throw new SpecError(label, where, `the float operations before this quantizer cannot be reproduced by an integer scale and shift (${m} levels at uneven spacing); give --precision`);
}

export { p2 as pow2 };
