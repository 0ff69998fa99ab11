/**
 * ONNX models → the imported model graph: float ONNX models (MatMul/Gemm/Conv with float weights,
 * quantized at import time with `--precision`, as keras.ts does for float Keras layers) and QONNX
 * models (Brevitas/FINN `Quant` and `BipolarQuant` nodes on weights and activations).
 *
 * The graph must be a chain: each node consumes the previous node's output plus constants
 * (initializers, Constant nodes, and whatever can be computed from them and from the input's
 * fixed shape: Shape → Gather → Unsqueeze → Concat → Reshape chains, Pow/Sqrt of constants,
 * Quant/Transpose of weights, … are evaluated at import).
 *
 * Layout. ONNX convolutions and pools work on NCHW ([N, C, L] for rank 1) tensors; our values are
 * channels-last. Since a value is the same whatever order it is stored in, the importer only
 * tracks which layout the ONNX tensor has (NCHW, NHWC, or flat [1, n]) and keeps channels-last
 * values throughout: a Transpose between NHWC and NCHW changes the flag, not the values; a
 * flatten of NCHW data becomes an explicit (c, h, w) permutation.
 */
import type { onnx as OnnxTypes } from 'onnx-proto';
import { SpecError, UsageError } from '../errors.js';
import { fixedText, fracBitsOf, parseFixed, quantize } from './fixed.js';
import type { AffineOp, FixedFormat, ModelGraph, ModelOp, OpMeta, QRounding } from './ir.js';
import type { ImportOptions } from './api.js';
import { inputFromFirstQuant, PrecisionTable, softmaxOps } from './common.js';
import { axisOut, sizeOf } from './shapes.js';


type INode = OnnxTypes.INodeProto;
type ITensor = OnnxTypes.ITensorProto;
type IAttr = OnnxTypes.IAttributeProto;

/** The op types this importer maps (on values or, at import, on constants), for messages. */
export const SUPPORTED_ONNX_OPS = [
  'MatMul',
  'Gemm',
  'Conv',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'BatchNormalization',
  'Relu',
  'LeakyRelu',
  'Softmax',
  'MaxPool',
  'AveragePool',
  'Flatten',
  'Reshape',
  'Transpose',
  'Identity',
  'Dropout',
  'Quant',
  'BipolarQuant',
  'Constant',
  'Shape',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Cast',
  'Pow',
  'Sqrt',
];

/** The op types of SUPPORTED_ONNX_OPS that are evaluated on constants only. */
const CONSTANT_ONLY = ['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Pow', 'Sqrt'];

/** The domains of the QONNX custom ops. */
const QONNX_DOMAINS = ['onnx.brevitas', 'qonnx.custom_op.general', 'finn.custom_op.general'];

/**
 * A float affine (BatchNormalization, Mul/Add by constants) right before a quantizer of at most
 * this many bits (or a bipolar one) is kept in float: the lowering finds its exact integer
 * thresholds (one per level boundary, so few levels keep that cheap).
 */
const FEW_LEVEL_BITS = 4;

/**
 * Affine parameters all of which are multiples of 2^−SIMPLE_FRAC below 2^SIMPLE_INT in magnitude
 * (x·2 − 1, x/4, …) are kept exactly as they are, without a --precision.
 */
const SIMPLE_FRAC = 8;
const SIMPLE_INT = 16;

// ---------------------------------------------------------------------------------------------
// tensors

/** A constant tensor (row-major), with how it came to be. */
interface Const {
  dims: number[];
  data: number[];
  /** Integer element type (int64, int32, …): division truncates, Cast keeps integers. */
  int: boolean;
  /** The type of a weight quantized by a Quant/BipolarQuant node (for the report), or null (float). */
  quant: string | null;
  /** The initializer (or Constant node) it comes from. */
  origin: string;
  /** The nodes evaluated at import to make it (Quant, Transpose, …). */
  via: string[];
}

/** An int64 from protobufjs: a number or a Long. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object') return Number(String(v));
  return Number(v);
}

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const FLOAT_TYPES = new Set([1, 10, 11, 16]);
const TYPE_NAMES: Record<number, string> = { 1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 16: 'bfloat16' };

/** The values of a TensorProto (raw_data little-endian, or the typed fields). */
function tensorOf(t: ITensor, label: string, where: string): Const {
  const dims = (t.dims ?? []).map(num);
  const n = sizeOf(dims);
  const type = t.dataType ?? 0;
  const name = t.name ?? '';
  const what = `${where}${name ? ` tensor ${name}` : ''}`;
  if (t.dataLocation === 1) throw new SpecError(label, what, 'the tensor is stored as external data (a separate file), which da-gen does not read; save the model with its tensors inside');
  let data: number[];
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const bytes: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
    const size = bytes[type];
    if (size === undefined) throw new SpecError(label, what, `unsupported tensor element type ${TYPE_NAMES[type] ?? type}`);
    if (raw.length !== n * size) throw new SpecError(label, what, `raw_data has ${raw.length} bytes, expected ${n * size} for ${n} ${TYPE_NAMES[type]} values of shape [${dims.join(', ')}]`);
    data = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      switch (type) {
        case 1:
          data[i] = dv.getFloat32(o, true);
          break;
        case 2:
        case 9:
          data[i] = dv.getUint8(o);
          break;
        case 3:
          data[i] = dv.getInt8(o);
          break;
        case 4:
          data[i] = dv.getUint16(o, true);
          break;
        case 5:
          data[i] = dv.getInt16(o, true);
          break;
        case 6:
          data[i] = dv.getInt32(o, true);
          break;
        case 7:
          data[i] = Number(dv.getBigInt64(o, true));
          break;
        case 10:
          data[i] = half(dv.getUint16(o, true));
          break;
        case 11:
          data[i] = dv.getFloat64(o, true);
          break;
        case 12:
          data[i] = dv.getUint32(o, true);
          break;
        case 13:
          data[i] = Number(dv.getBigUint64(o, true));
          break;
        case 16:
          data[i] = new Float32Array(new Uint32Array([dv.getUint16(o, true) << 16]).buffer)[0]!;
          break;
      }
    }
  } else {
    switch (type) {
      case 1:
        data = (t.floatData ?? []).map(Number);
        break;
      case 11:
        data = (t.doubleData ?? []).map(Number);
        break;
      case 7:
        data = (t.int64Data ?? []).map(num);
        break;
      case 12:
      case 13:
        data = (t.uint64Data ?? []).map(num);
        break;
      case 2:
      case 3:
      case 4:
      case 5:
      case 6:
      case 9:
        data = (t.int32Data ?? []).map(Number);
        break;
      case 10:
        data = (t.int32Data ?? []).map((b) => half(Number(b)));
        break;
      default:
        throw new SpecError(label, what, `unsupported tensor element type ${TYPE_NAMES[type] ?? type}`);
    }
    if (data.length !== n) throw new SpecError(label, what, `the tensor has ${data.length} values, expected ${n} for shape [${dims.join(', ')}]`);
  }
  return { dims, data, int: !FLOAT_TYPES.has(type), quant: null, origin: name, via: [] };
}

/** Numpy broadcasting of two shapes, or null. */
function broadcastDims(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    const x = a[a.length - r + k] ?? 1;
    const y = b[b.length - r + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** The flat index into `dims` (right-aligned, broadcast) of each element of `out`. */
function broadcastIndex(dims: readonly number[], out: readonly number[]): number[] {
  const n = sizeOf(out);
  const r = out.length;
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k]!;
    strides[r - dims.length + k] = d === 1 ? 0 : s;
    s *= d;
  }
  const idx = new Array<number>(n);
  const coord = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let o = 0;
    for (let k = 0; k < r; k++) o += coord[k]! * strides[k]!;
    idx[i] = o;
    for (let k = r - 1; k >= 0; k--) {
      coord[k]!++;
      if (coord[k]! < out[k]!) break;
      coord[k] = 0;
    }
  }
  return idx;
}

function transposeConst(c: Const, perm: readonly number[]): Const {
  const r = c.dims.length;
  const outDims = perm.map((p) => c.dims[p]!);
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let k = r - 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= c.dims[k]!;
  }
  const n = c.data.length;
  const data = new Array<number>(n);
  const coord = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let o = 0;
    for (let k = 0; k < r; k++) o += coord[k]! * inStrides[perm[k]!]!;
    data[i] = c.data[o]!;
    for (let k = r - 1; k >= 0; k--) {
      coord[k]!++;
      if (coord[k]! < outDims[k]!) break;
      coord[k] = 0;
    }
  }
  return { ...c, dims: outDims, data };
}

// ---------------------------------------------------------------------------------------------
// QONNX Quant

/** Integer rounding per a QONNX rounding_mode (numpy semantics). */
function qonnxRound(y: number, mode: string): number {
  switch (mode) {
    case 'ROUND':
    case 'HALF_EVEN': {
      const f = Math.floor(y);
      const r = y - f;
      if (r > 0.5) return f + 1;
      if (r < 0.5) return f;
      return f % 2 === 0 ? f : f + 1;
    }
    case 'CEIL':
      return Math.ceil(y);
    case 'FLOOR':
      return Math.floor(y);
    case 'UP':
      return Math.sign(y) * Math.ceil(Math.abs(y));
    case 'DOWN':
      return Math.trunc(y);
    case 'HALF_UP':
      return Math.sign(y) * Math.floor(Math.abs(y) + 0.5);
    case 'HALF_DOWN':
      return Math.sign(y) * Math.ceil(Math.abs(y) - 0.5);
  }
  throw new Error(`unknown rounding mode ${mode}`);
}

const QONNX_ROUNDING = ['ROUND', 'HALF_EVEN', 'CEIL', 'FLOOR', 'UP', 'DOWN', 'HALF_UP', 'HALF_DOWN'];

/** The integer range of a Quant: [min_int, max_int]. */
function quantRange(bits: number, signed: boolean, narrow: boolean): [number, number] {
  if (signed) return [narrow ? -(2 ** (bits - 1)) + 1 : -(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  return [0, narrow ? 2 ** bits - 2 : 2 ** bits - 1];
}

// ---------------------------------------------------------------------------------------------
// the walk over the nodes: steps

/** A node, with its display name. */
interface ONode {
  /** node.name, or its first output's name when it has none. */
  name: string;
  /** node.name as written ("" when none). */
  given: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, IAttr>;
  index: number;
}

type Layout = 'nchw' | 'nhwc' | 'flat';

interface DenseStep {
  k: 'dense';
  name: string;
  cls: string;
  where: string;
  nIn: number;
  nOut: number;
  /** Row-major [in][out]. */
  W: number[];
  wq: string | null;
  bias: number[] | null;
  bq: string | null;
  notes: string[];
}

interface ConvStep {
  k: 'conv';
  name: string;
  cls: string;
  where: string;
  rank: 1 | 2;
  kh: number;
  kw: number;
  cin: number;
  cout: number;
  /** Row-major [kh][kw][cin][cout]. */
  kernel: number[];
  strides: [number, number];
  dilation: [number, number];
  padding: 'valid' | 'same';
  wq: string | null;
  bias: number[] | null;
  bq: string | null;
  notes: string[];
}

interface AffineStep {
  k: 'affine';
  name: string;
  cls: string;
  where: string;
  nodes: string[];
  scale: number[];
  offset: number[];
  /** The expression, for notes ("x·2 − 1"). */
  text: string;
  notes: string[];
}

interface OpStep {
  k: 'op';
  op: ModelOp;
  /** A quantizer's bits (1 for sign), for the few-levels rule. */
  bits?: number;
}

interface SoftmaxStep {
  k: 'softmax';
  name: string;
  cls: string;
  where: string;
}

type Step = DenseStep | ConvStep | AffineStep | OpStep | SoftmaxStep;

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
}

class Walker {
  readonly consts = new Map<string, Const>();
  /** The ONNX shapes of every value of the chain, by name. */
  readonly dataShapes = new Map<string, number[]>();
  readonly steps: Step[] = [];
  readonly notes: string[] = [];
  /** Every layer name a --precision NAME=… may use. */
  readonly names: string[] = [];
  cur: string;
  /** The value right after the last step, while nothing but pass-through nodes followed it (null otherwise). */
  tail: string | null = null;
  /** The current value's ONNX shape (batch 1). */
  shape: number[];
  layout: Layout;
  opset = 13;
  hasQuant = false;

  constructor(
    readonly label: string,
    input: string,
    shape: number[],
    layout: Layout,
  ) {
    this.cur = input;
    this.shape = shape;
    this.layout = layout;
    this.dataShapes.set(input, shape);
  }

  // ---- helpers

  where(n: ONode): string {
    return `node ${n.name}`;
  }

  fail(n: ONode, detail: string): never {
    throw new SpecError(this.label, this.where(n), detail);
  }

  unsupported(n: ONode): never {
    if (CONSTANT_ONLY.includes(n.op) && n.inputs.some((i) => this.dataShapes.has(i))) {
      this.fail(n, `unsupported layer: node ${n.name} is a ${n.op} on the model's values; da-gen evaluates ${n.op} only on constants (at import)`);
    }
    const dom = n.domain !== '' && n.domain !== 'ai.onnx' ? ` (domain ${n.domain})` : '';
    this.fail(n, `unsupported layer: node ${n.name} is a ${n.op}${dom}; supported: ${SUPPORTED_ONNX_OPS.join(', ')}`);
  }

  attrInt(n: ONode, key: string, dflt: number): number {
    const a = n.attrs.get(key);
    if (!a) return dflt;
    return num(a.i);
  }

  attrFloat(n: ONode, key: string, dflt: number): number {
    const a = n.attrs.get(key);
    if (!a) return dflt;
    return Number(a.f ?? dflt);
  }

  attrInts(n: ONode, key: string): number[] | null {
    const a = n.attrs.get(key);
    if (!a) return null;
    return (a.ints ?? []).map(num);
  }

  attrString(n: ONode, key: string, dflt: string): string {
    const a = n.attrs.get(key);
    if (!a || !a.s) return dflt;
    return new TextDecoder().decode(a.s);
  }

  /** A constant input (null for an absent optional input). */
  constIn(n: ONode, k: number, what: string, optional = false): Const | null {
    const name = n.inputs[k];
    if (name === undefined || name === '') {
      if (optional) return null;
      this.fail(n, `expected ${what} as input ${k + 1}`);
    }
    const c = this.consts.get(name);
    if (c === undefined) {
      if (this.dataShapes.has(name)) this.fail(n, `expected ${what} (input ${k + 1}) to be a constant, but it is "${name}", a value computed from the input; da-gen needs a chain with constant weights`);
      this.fail(n, `input "${name}" is neither an initializer nor the output of an earlier node`);
    }
    return c;
  }

  /** Our channels-last shape of the current value. */
  ourShape(): number[] {
    const s = this.shape;
    if (this.layout === 'flat') return [s[1]!];
    if (this.layout === 'nchw') return s.length === 4 ? [s[2]!, s[3]!, s[1]!] : [s[2]!, s[1]!];
    return s.slice(1);
  }

  channels(): number {
    const s = this.ourShape();
    return s[s.length - 1]!;
  }

  /** The ONNX axis of the channels. */
  channelAxis(): number {
    return this.layout === 'nhwc' ? this.shape.length - 1 : 1;
  }

  /**
   * A constant as one value per channel of the current value (a scalar is repeated), or null
   * when it varies along another axis or does not broadcast.
   */
  perChannel(c: Const): number[] | null {
    const s = this.shape;
    const off = s.length - c.dims.length;
    if (off < 0) {
      // leading 1s beyond the value's rank are harmless
      if (c.dims.slice(0, -off).some((d) => d !== 1)) return null;
      return this.perChannel({ ...c, dims: c.dims.slice(-off) });
    }
    const ax = this.channelAxis();
    for (let j = 0; j < c.dims.length; j++) {
      const d = c.dims[j]!;
      if (d === 1) continue;
      if (off + j !== ax || d !== s[ax]) return null;
    }
    const C = this.channels();
    if (c.data.length === 1) return new Array<number>(C).fill(c.data[0]!);
    return c.data.slice();
  }

  describeConst(c: Const): string {
    return `a constant of shape [${c.dims.join(', ')}]${c.origin ? ` (${c.origin})` : ''}`;
  }

  /**
   * The node's output becomes the chain's value. `keepTail`: the node changes nothing that
   * matters to merging (Identity, a layout Transpose, a bias merged), so an Add or affine after
   * it may still merge with the step before it.
   */
  setData(n: ONode, shape: number[], layout: Layout = this.layout, keepTail = false): void {
    const keep = keepTail && this.tail === this.cur;
    const out = n.outputs[0]!;
    this.cur = out;
    this.shape = shape;
    this.layout = layout;
    this.dataShapes.set(out, shape);
    this.tail = keep ? out : null;
  }

  /** A step, whose result is the node's output. */
  emit(n: ONode, step: Step, shape: number[] = this.shape, layout: Layout = this.layout): void {
    this.steps.push(step);
    this.setData(n, shape, layout);
    this.tail = this.cur;
  }

  addName(name: string): void {
    if (!this.names.includes(name)) this.names.push(name);
  }

  // ---- the walk

  node(n: ONode): void {
    this.addName(n.name);
    if ((n.op === 'Quant' || n.op === 'BipolarQuant') && !QONNX_DOMAINS.includes(n.domain)) this.unsupported(n);
    if (n.op === 'Quant' || n.op === 'BipolarQuant') this.hasQuant = true;
    if (n.domain !== '' && n.domain !== 'ai.onnx' && !QONNX_DOMAINS.includes(n.domain)) this.unsupported(n);
    const dataIns = n.inputs.filter((i) => i !== '' && this.dataShapes.has(i));
    if (n.op === 'Shape') {
      if (dataIns.length !== 1) {
        const c = this.constIn(n, 0, 'a tensor')!;
        this.constOut(n, { dims: [c.dims.length], data: c.dims.slice(), int: true, quant: null, origin: n.name, via: [] });
        return;
      }
      // the input's shape is fixed (a dynamic batch is 1): Shape gives a constant
      const s = this.dataShapes.get(dataIns[0]!)!;
      const start = this.attrInt(n, 'start', 0);
      const endA = n.attrs.has('end') ? this.attrInt(n, 'end', s.length) : s.length;
      const norm = (v: number): number => Math.min(s.length, Math.max(0, v < 0 ? v + s.length : v));
      const dims = s.slice(norm(start), norm(endA));
      this.constOut(n, { dims: [dims.length], data: dims, int: true, quant: null, origin: n.name, via: [] });
      return;
    }
    if (dataIns.length === 0) {
      this.fold(n);
      return;
    }
    if (dataIns.length > 1 || dataIns[0] !== this.cur) {
      const reads = dataIns.filter((d) => d !== this.cur);
      this.fail(n, `expected a chain of nodes, each reading the one before it (plus constants); this one reads ${dataIns.map((d) => `"${d}"`).join(' and ')}${reads.length > 0 ? ` while the chain's current value is "${this.cur}"` : ''}`);
    }
    this.dataNode(n);
  }

  constOut(n: ONode, c: Const): void {
    const out = n.outputs[0];
    if (out !== undefined && out !== '') this.consts.set(out, c);
  }

  /** A node on constants only: evaluated at import. */
  fold(n: ONode): void {
    const ins = (k: number, what: string): Const => this.constIn(n, k, what)!;
    const keep = (c: Const, extra: Partial<Const> = {}): Const => ({ ...c, via: [...c.via, n.name], ...extra });
    switch (n.op) {
      case 'Constant': {
        const a = n.attrs;
        let c: Const;
        if (a.get('value')?.t) c = tensorOf(a.get('value')!.t!, this.label, this.where(n));
        else if (a.has('value_float')) c = { dims: [], data: [this.attrFloat(n, 'value_float', 0)], int: false, quant: null, origin: '', via: [] };
        else if (a.has('value_floats')) {
          const v = (a.get('value_floats')!.floats ?? []).map(Number);
          c = { dims: [v.length], data: v, int: false, quant: null, origin: '', via: [] };
        } else if (a.has('value_int')) c = { dims: [], data: [this.attrInt(n, 'value_int', 0)], int: true, quant: null, origin: '', via: [] };
        else if (a.has('value_ints')) {
          const v = this.attrInts(n, 'value_ints')!;
          c = { dims: [v.length], data: v, int: true, quant: null, origin: '', via: [] };
        } else this.fail(n, `expected a Constant with a value, value_float(s) or value_int(s) attribute (sparse values are not supported)`);
        this.constOut(n, { ...c, origin: n.outputs[0] ?? n.name });
        return;
      }
      case 'Identity':
      case 'Dropout':
        this.constOut(n, ins(0, 'a tensor'));
        return;
      case 'Cast': {
        const c = ins(0, 'a tensor');
        const to = this.attrInt(n, 'to', 1);
        const int = !FLOAT_TYPES.has(to);
        this.constOut(n, keep(c, { int, data: int ? c.data.map((v) => Math.trunc(v)) : to === 1 ? c.data.map(Math.fround) : c.data.slice() }));
        return;
      }
      case 'Transpose': {
        const c = ins(0, 'a tensor');
        const perm = this.attrInts(n, 'perm') ?? c.dims.map((_, k) => c.dims.length - 1 - k);
        if (perm.length !== c.dims.length || [...perm].sort((a, b) => a - b).some((p, k) => p !== k)) this.fail(n, `perm [${perm.join(', ')}] is not a permutation of the ${c.dims.length} axes of ${this.describeConst(c)}`);
        this.constOut(n, keep(transposeConst(c, perm)));
        return;
      }
      case 'Reshape': {
        const c = ins(0, 'a tensor');
        const target = this.reshapeTarget(n, c.dims, ins(1, 'the target shape').data);
        this.constOut(n, keep(c, { dims: target }));
        return;
      }
      case 'Flatten': {
        const c = ins(0, 'a tensor');
        let axis = this.attrInt(n, 'axis', 1);
        if (axis < 0) axis += c.dims.length;
        this.constOut(n, keep(c, { dims: [sizeOf(c.dims.slice(0, axis)), sizeOf(c.dims.slice(axis))] }));
        return;
      }
      case 'Unsqueeze': {
        const c = ins(0, 'a tensor');
        const axes = this.attrInts(n, 'axes') ?? (n.inputs[1] ? ins(1, 'the axes').data : null);
        if (axes === null) this.fail(n, 'expected the axes to unsqueeze');
        const r = c.dims.length + axes.length;
        const norm = axes.map((a) => (a < 0 ? a + r : a));
        const dims: number[] = [];
        let j = 0;
        for (let k = 0; k < r; k++) dims.push(norm.includes(k) ? 1 : c.dims[j++]!);
        this.constOut(n, keep(c, { dims }));
        return;
      }
      case 'Squeeze': {
        const c = ins(0, 'a tensor');
        const axes = this.attrInts(n, 'axes') ?? (n.inputs[1] ? ins(1, 'the axes').data : null);
        const r = c.dims.length;
        const norm = axes?.map((a) => (a < 0 ? a + r : a)) ?? null;
        const dims = c.dims.filter((d, k) => (norm === null ? d !== 1 : !norm.includes(k)));
        this.constOut(n, keep(c, { dims }));
        return;
      }
      case 'Concat': {
        const parts = n.inputs.filter((i) => i !== '').map((_, k) => ins(k, `input ${k + 1}`));
        const r = parts[0]!.dims.length;
        let axis = this.attrInt(n, 'axis', 0);
        if (axis < 0) axis += r;
        if (parts.some((p) => p.dims.length !== r || p.dims.some((d, k) => k !== axis && d !== parts[0]!.dims[k]))) this.fail(n, `cannot concatenate tensors of shapes ${parts.map((p) => `[${p.dims.join(', ')}]`).join(', ')}`);
        const outer = sizeOf(parts[0]!.dims.slice(0, axis));
        const data: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (const p of parts) {
            const inner = sizeOf(p.dims.slice(axis));
            data.push(...p.data.slice(o * inner, (o + 1) * inner));
          }
        }
        const dims = parts[0]!.dims.slice();
        dims[axis] = parts.reduce((a, p) => a + p.dims[axis]!, 0);
        this.constOut(n, { dims, data, int: parts.every((p) => p.int), quant: null, origin: n.name, via: [] });
        return;
      }
      case 'Gather': {
        const c = ins(0, 'a tensor');
        const idx = ins(1, 'the indices');
        let axis = this.attrInt(n, 'axis', 0);
        if (axis < 0) axis += c.dims.length;
        const outer = sizeOf(c.dims.slice(0, axis));
        const A = c.dims[axis]!;
        const inner = sizeOf(c.dims.slice(axis + 1));
        const data: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (const i0 of idx.data) {
            const i = i0 < 0 ? i0 + A : i0;
            if (i < 0 || i >= A) this.fail(n, `index ${i0} is out of range for an axis of ${A}`);
            data.push(...c.data.slice((o * A + i) * inner, (o * A + i + 1) * inner));
          }
        }
        this.constOut(n, keep(c, { dims: [...c.dims.slice(0, axis), ...idx.dims, ...c.dims.slice(axis + 1)], data, quant: null }));
        return;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Pow': {
        const a = ins(0, 'a tensor');
        const b = ins(1, 'a tensor');
        const dims = broadcastDims(a.dims, b.dims);
        if (dims === null) this.fail(n, `shapes [${a.dims.join(', ')}] and [${b.dims.join(', ')}] do not broadcast`);
        const ia = broadcastIndex(a.dims, dims);
        const ib = broadcastIndex(b.dims, dims);
        const int = a.int && b.int && n.op !== 'Pow';
        const f = {
          Add: (x: number, y: number) => x + y,
          Sub: (x: number, y: number) => x - y,
          Mul: (x: number, y: number) => x * y,
          Div: (x: number, y: number) => (int ? Math.trunc(x / y) : x / y),
          Pow: (x: number, y: number) => Math.pow(x, y),
        }[n.op];
        this.constOut(n, { dims, data: ia.map((k, i) => f(a.data[k]!, b.data[ib[i]!]!)), int, quant: null, origin: a.origin || b.origin, via: [...a.via, n.name] });
        return;
      }
      case 'Sqrt':
      case 'Neg':
      case 'Reciprocal': {
        const c = ins(0, 'a tensor');
        const f = { Sqrt: Math.sqrt, Neg: (x: number) => -x, Reciprocal: (x: number) => 1 / x }[n.op];
        this.constOut(n, keep(c, { data: c.data.map(f), quant: null }));
        return;
      }
      case 'Quant':
        this.constOut(n, this.quantConst(n));
        return;
      case 'BipolarQuant': {
        const c = ins(0, 'the weights');
        const s = ins(1, 'the scale');
        const dims = broadcastDims(c.dims, s.dims);
        if (dims === null || dims.length !== c.dims.length || dims.some((d, k) => d !== c.dims[k])) this.fail(n, `the scale [${s.dims.join(', ')}] does not broadcast to the tensor [${c.dims.join(', ')}]`);
        const is = broadcastIndex(s.dims, dims);
        const data = c.data.map((x, i) => (x >= 0 ? 1 : -1) * s.data[is[i]!]!);
        const uniform = s.data.every((v) => v === s.data[0]);
        this.constOut(n, { ...c, data, int: false, quant: `bipolar (±${uniform ? fmtNum(s.data[0]!) : 'scale per channel'})`, via: [...c.via, n.name] });
        return;
      }
    }
    this.unsupported(n);
  }

  /** QONNX Quant on a constant (weights): the formula, in float64, on every element. */
  quantConst(n: ONode): Const {
    const x = this.constIn(n, 0, 'the tensor')!;
    const scale = this.constIn(n, 1, 'the scale')!;
    const zp = this.constIn(n, 2, 'the zero point')!;
    const bw = this.constIn(n, 3, 'the bit width')!;
    const { signed, narrow, mode } = this.quantAttrs(n);
    if (bw.data.length !== 1) this.fail(n, `unsupported quantizer: expected one bit width, got ${bw.data.length}`);
    const bits = bw.data[0]!;
    if (!Number.isInteger(bits) || bits < 1) this.fail(n, `unsupported quantizer: bit width ${bits} (expected an integer of at least 1)`);
    const dims = broadcastDims(broadcastDims(x.dims, scale.dims) ?? [-1], zp.dims);
    if (dims === null || dims.length !== x.dims.length || dims.some((d, k) => d !== x.dims[k])) {
      this.fail(n, `the scale [${scale.dims.join(', ')}] and zero point [${zp.dims.join(', ')}] do not broadcast to the tensor [${x.dims.join(', ')}]`);
    }
    const is = broadcastIndex(scale.dims, dims);
    const iz = broadcastIndex(zp.dims, dims);
    const [lo, hi] = quantRange(bits, signed, narrow);
    const data = x.data.map((v, i) => {
      const s = scale.data[is[i]!]!;
      const z = zp.data[iz[i]!]!;
      let y = v / s + z;
      if (bits === 1 && signed) return y >= 0 ? s : -s;
      y = Math.min(hi, Math.max(lo, y));
      y = qonnxRound(y, mode);
      return (y - z) * s;
    });
    return { dims: x.dims, data, int: false, quant: this.quantType(scale, zp, bits, signed, narrow, mode), origin: x.origin, via: [...x.via, n.name] };
  }

  quantAttrs(n: ONode): { signed: boolean; narrow: boolean; mode: string } {
    const signed = this.attrInt(n, 'signed', 1) !== 0;
    const narrow = this.attrInt(n, 'narrow', 0) !== 0;
    const mode = this.attrString(n, 'rounding_mode', 'ROUND').toUpperCase();
    if (!QONNX_ROUNDING.includes(mode)) this.fail(n, `unsupported quantizer: rounding_mode "${mode}" (QONNX defines ${QONNX_ROUNDING.join(', ')})`);
    return { signed, narrow, mode };
  }

  /** A weight quantizer's type, for the report. */
  quantType(scale: Const, zp: Const, bits: number, signed: boolean, narrow: boolean, mode: string): string {
    const s0 = scale.data[0]!;
    const uniform = scale.data.every((v) => v === s0);
    const zero = zp.data.every((v) => v === 0);
    const rounding: QRounding | null = mode === 'ROUND' || mode === 'HALF_EVEN' ? 'nearest_even' : mode === 'FLOOR' ? 'floor' : null;
    const frac = 0 - Math.log2(s0);
    if (bits === 1 && signed) return uniform ? `bipolar (±${fmtNum(s0)})` : 'bipolar (±scale per channel)';
    if (uniform && zero && Number.isInteger(frac) && rounding !== null && !(narrow && !signed)) {
      return fixedText({ signed, width: bits, frac, rounding, overflow: signed && narrow ? 'saturate_symmetric' : 'saturate' });
    }
    return `Quant(bitwidth ${bits}, scale ${uniform ? fmtNum(s0) : 'per channel'}, zero point ${zero ? 0 : 'nonzero'}, ${signed ? 'signed' : 'unsigned'}${narrow ? ', narrow' : ''}, ${mode})`;
  }

  reshapeTarget(n: ONode, from: readonly number[], spec: readonly number[]): number[] {
    const total = sizeOf(from);
    const t = spec.map((d, k) => (d === 0 && this.attrInt(n, 'allowzero', 0) === 0 ? from[k]! : d));
    const unknown = t.filter((d) => d === -1).length;
    if (unknown > 1 || t.some((d) => d < -1)) this.fail(n, `invalid target shape [${spec.join(', ')}]`);
    if (unknown === 1) {
      const known = sizeOf(t.filter((d) => d !== -1));
      t[t.indexOf(-1)] = known === 0 ? 0 : total / known;
    }
    if (sizeOf(t) !== total || t.some((d) => !Number.isInteger(d))) this.fail(n, `cannot reshape [${from.join(', ')}] to [${spec.join(', ')}]`);
    return t;
  }

  // ---- nodes on the chain's value

  dataNode(n: ONode): void {
    if (n.inputs[0] !== this.cur && !['Add', 'Mul', 'Sub', 'Div'].includes(n.op)) {
      this.fail(n, `expected the chain's value "${this.cur}" as its first input`);
    }
    switch (n.op) {
      case 'Identity':
      case 'Dropout':
        this.notes.push(`${n.name} (${n.op}) removed: it does nothing at inference`);
        this.setData(n, this.shape, this.layout, true);
        return;
      case 'MatMul':
        return this.matmul(n);
      case 'Gemm':
        return this.gemm(n);
      case 'Conv':
        return this.conv(n);
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(n);
      case 'BatchNormalization':
        return this.batchNorm(n);
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
        return this.elementwise(n);
      case 'Relu':
        this.pushOp(n, { op: 'relu', meta: this.meta(n) });
        return;
      case 'LeakyRelu':
        this.pushOp(n, { op: 'leaky_relu', alpha: this.attrFloat(n, 'alpha', 0.01), meta: this.meta(n) });
        return;
      case 'Sign':
        this.fail(n, 'ONNX Sign gives 0 at 0 (a ternary −1, 0, +1), not the bipolar sign da-gen builds; use a BipolarQuant (x ≥ 0 → +1) instead');
        break;
      case 'GlobalAveragePool':
        this.fail(n, 'GlobalAveragePool is not supported yet');
        break;
      case 'Softmax': {
        const axis = this.attrInt(n, 'axis', this.opset >= 13 ? -1 : 1);
        if (this.layout !== 'flat' || (axis !== 1 && axis !== -1)) this.fail(n, `expected a softmax over the features of a [1, n] value, got axis ${axis} of [${this.shape.join(', ')}]`);
        this.emit(n, { k: 'softmax', name: n.name, cls: n.op, where: this.where(n) });
        return;
      }
      case 'Transpose':
        return this.transpose(n);
      case 'Flatten': {
        let axis = this.attrInt(n, 'axis', 1);
        if (axis < 0) axis += this.shape.length;
        const out = [sizeOf(this.shape.slice(0, axis)), sizeOf(this.shape.slice(axis))];
        if (out[0] !== 1) this.fail(n, `only a Flatten to [1, n] is supported, got [${out.join(', ')}] from [${this.shape.join(', ')}] (axis ${axis})`);
        return this.flatten(n);
      }
      case 'Reshape': {
        const target = this.reshapeTarget(n, this.shape, this.constIn(n, 1, 'the target shape')!.data);
        if (target.length === this.shape.length && target.every((d, k) => d === this.shape[k])) {
          this.setData(n, this.shape, this.layout, true);
          return;
        }
        if (target.length === 2 && target[0] === 1) return this.flatten(n);
        this.fail(n, `only a Reshape to [1, n] (a flatten) is supported, got [${target.join(', ')}] from [${this.shape.join(', ')}]`);
        break;
      }
      case 'Quant':
        return this.quantData(n);
      case 'BipolarQuant': {
        const s = this.constIn(n, 1, 'the scale')!;
        if (s.data.some((v) => v !== 1)) this.fail(n, `unsupported quantizer: BipolarQuant with scale ${s.data.length === 1 ? fmtNum(s.data[0]!) : 'per channel'} (only scale 1, the sign x ≥ 0 → +1 else −1, is supported)`);
        this.emit(n, { k: 'op', op: { op: 'sign', meta: this.meta(n) }, bits: 1 });
        return;
      }
    }
    this.unsupported(n);
  }

  meta(n: ONode, name = n.name, cls = n.op): OpMeta {
    return { name, cls, notes: [] };
  }

  pushOp(n: ONode, op: ModelOp): void {
    this.emit(n, { k: 'op', op });
  }

  /** The name --precision uses for a weight layer: the node's, or its weight initializer's. */
  layerName(n: ONode, w: Const): string {
    const name = n.given !== '' ? n.given : w.origin || n.name;
    this.addName(name);
    return name;
  }

  weightNotes(w: Const): string[] {
    if (w.via.length === 0) return [];
    return [`weights ${w.origin} evaluated at import through ${w.via.join(', ')}${w.quant !== null ? `: ${w.quant}` : ''}`];
  }

  needFlat(n: ONode): number {
    if (this.layout !== 'flat' || this.shape.length !== 2) this.fail(n, `a ${n.op} over a [${this.shape.join(', ')}] value (per position) is not supported; flatten it first`);
    return this.shape[1]!;
  }

  matmul(n: ONode): void {
    const nIn = this.needFlat(n);
    const w = this.constIn(n, 1, 'the weights W of x·W')!;
    if (w.dims.length !== 2 || w.dims[0] !== nIn) this.fail(n, `expected weights of shape [${nIn}, out] for x of shape [${this.shape.join(', ')}], got [${w.dims.join(', ')}]`);
    const nOut = w.dims[1]!;
    const name = this.layerName(n, w);
    this.emit(n, { k: 'dense', name, cls: n.op, where: this.where(n), nIn, nOut, W: w.data.slice(), wq: w.quant, bias: null, bq: null, notes: this.weightNotes(w) }, [1, nOut], 'flat');
  }

  gemm(n: ONode): void {
    const nIn = this.needFlat(n);
    const alpha = this.attrFloat(n, 'alpha', 1);
    const beta = this.attrFloat(n, 'beta', 1);
    const transA = this.attrInt(n, 'transA', 0);
    const transB = this.attrInt(n, 'transB', 0);
    if (alpha !== 1 || transA !== 0) this.fail(n, `only Gemm with alpha = 1 and transA = 0 is supported, got alpha ${alpha}, transA ${transA}`);
    let w = this.constIn(n, 1, 'the weights B')!;
    if (w.dims.length !== 2) this.fail(n, `expected 2-D weights, got [${w.dims.join(', ')}]`);
    if (transB !== 0) w = transposeConst(w, [1, 0]);
    if (w.dims[0] !== nIn) this.fail(n, `expected weights of shape [${nIn}, out]${transB ? ' (after transB)' : ''} for x of shape [${this.shape.join(', ')}], got [${w.dims.join(', ')}]`);
    const nOut = w.dims[1]!;
    const c = this.constIn(n, 2, 'the bias C', true);
    let bias: number[] | null = null;
    if (c !== null) {
      if (beta !== 1) this.fail(n, `only Gemm with beta = 1 is supported, got ${beta}`);
      const dims = broadcastDims(c.dims, [1, nOut]);
      if (dims === null || dims.length !== 2 || dims[0] !== 1 || dims[1] !== nOut) this.fail(n, `the bias C of shape [${c.dims.join(', ')}] does not broadcast to [1, ${nOut}]`);
      bias = c.data.length === 1 ? new Array<number>(nOut).fill(c.data[0]!) : c.data.slice();
    }
    const name = this.layerName(n, w);
    this.emit(n, { k: 'dense', name, cls: n.op, where: this.where(n), nIn, nOut, W: w.data.slice(), wq: w.quant, bias, bq: c?.quant ?? null, notes: this.weightNotes(w) }, [1, nOut], 'flat');
  }

  /** "valid" or TensorFlow's "same" from ONNX auto_pad/pads, or refused. */
  paddingOf(n: ONode, L: number[], k: number[], s: number[], d: number[]): 'valid' | 'same' {
    const r = L.length;
    const auto = this.attrString(n, 'auto_pad', 'NOTSET');
    const same = L.map((l, a) => {
      const total = Math.max((Math.ceil(l / s[a]!) - 1) * s[a]! + (k[a]! - 1) * d[a]! + 1 - l, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
    });
    if (auto === 'VALID') return 'valid';
    if (auto === 'SAME_UPPER') return 'same';
    if (auto === 'SAME_LOWER') {
      if (same.every(([b, e]) => b === e)) return 'same';
      this.fail(n, 'auto_pad SAME_LOWER pads more before than after here, unlike TensorFlow\'s "same"; not supported');
    }
    if (auto !== 'NOTSET' && auto !== '') this.fail(n, `unknown auto_pad "${auto}"`);
    const pads = this.attrInts(n, 'pads') ?? new Array<number>(2 * r).fill(0);
    if (pads.length !== 2 * r) this.fail(n, `expected ${2 * r} pads, got [${pads.join(', ')}]`);
    if (pads.every((p) => p === 0)) return 'valid';
    if (same.every(([b, e], a) => pads[a] === b && pads[a + r] === e)) return 'same';
    const want = [...same.map(([b]) => b), ...same.map(([, e]) => e)];
    this.fail(n, `pads [${pads.join(', ')}] are neither "valid" (no padding) nor TensorFlow's "same" ([${want.join(', ')}] for this input); not supported`);
  }

  /** Spatial lengths and rank of the current value for a conv or pool (ONNX NCHW or NCL). */
  spatialOf(n: ONode): { rank: 1 | 2; L: number[]; C: number } {
    if (this.layout !== 'nchw' || (this.shape.length !== 3 && this.shape.length !== 4)) {
      this.fail(n, `expected an NCHW ([1, C, H, W]) or NCL ([1, C, L]) value, got ${this.layout === 'nhwc' ? 'NHWC' : this.layout} [${this.shape.join(', ')}]`);
    }
    const rank: 1 | 2 = this.shape.length === 4 ? 2 : 1;
    return { rank, L: this.shape.slice(2), C: this.shape[1]! };
  }

  conv(n: ONode): void {
    const { rank, L, C } = this.spatialOf(n);
    const w = this.constIn(n, 1, 'the weights W')!;
    if (this.attrInt(n, 'group', 1) !== 1) this.fail(n, 'grouped convolutions are not supported');
    if (w.dims.length !== rank + 2 || w.dims[1] !== C) this.fail(n, `expected weights of shape [cout, ${C}, ${rank === 2 ? 'kh, kw' : 'k'}], got [${w.dims.join(', ')}]`);
    const cout = w.dims[0]!;
    const ks = w.dims.slice(2);
    const kshape = this.attrInts(n, 'kernel_shape');
    if (kshape !== null && (kshape.length !== rank || kshape.some((v, a) => v !== ks[a]))) this.fail(n, `kernel_shape [${kshape.join(', ')}] does not match the weights [${w.dims.join(', ')}]`);
    const s = this.attrInts(n, 'strides') ?? new Array<number>(rank).fill(1);
    const d = this.attrInts(n, 'dilations') ?? new Array<number>(rank).fill(1);
    const padding = this.paddingOf(n, L, ks, s, d);
    const out = L.map((l, a) => axisOut(l, ks[a]!, s[a]!, d[a]!, padding));
    if (out.some((o) => o < 1)) this.fail(n, `the kernel does not fit the input [${this.shape.join(', ')}]`);
    const kh = rank === 2 ? ks[0]! : 1;
    const kw = ks[rank - 1]!;
    // ONNX W[co][ci][i][j] → kernel[i][j][ci][co]
    const kernel = new Array<number>(kh * kw * C * cout);
    for (let co = 0; co < cout; co++) {
      for (let ci = 0; ci < C; ci++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) kernel[((i * kw + j) * C + ci) * cout + co] = w.data[((co * C + ci) * kh + i) * kw + j]!;
        }
      }
    }
    const b = this.constIn(n, 2, 'the bias B', true);
    if (b !== null && b.data.length !== cout) this.fail(n, `expected ${cout} biases, got shape [${b.dims.join(', ')}]`);
    const name = this.layerName(n, w);
    const pair = (v: number[]): [number, number] => (rank === 2 ? [v[0]!, v[1]!] : [1, v[0]!]);
    this.emit(n, {
      k: 'conv',
      name,
      cls: n.op,
      where: this.where(n),
      rank,
      kh,
      kw,
      cin: C,
      cout,
      kernel,
      strides: pair(s),
      dilation: pair(d),
      padding,
      wq: w.quant,
      bias: b === null ? null : b.data.slice(),
      bq: b?.quant ?? null,
      notes: this.weightNotes(w),
    }, [1, cout, ...out], 'nchw');
  }

  pool(n: ONode): void {
    const { rank, L, C } = this.spatialOf(n);
    const ks = this.attrInts(n, 'kernel_shape');
    if (ks === null || ks.length !== rank) this.fail(n, `expected kernel_shape of ${rank} values`);
    const s = this.attrInts(n, 'strides') ?? new Array<number>(rank).fill(1);
    const d = this.attrInts(n, 'dilations') ?? new Array<number>(rank).fill(1);
    if (d.some((v) => v !== 1)) this.fail(n, 'dilated pooling is not supported');
    if (this.attrInt(n, 'ceil_mode', 0) !== 0) this.fail(n, 'ceil_mode 1 is not supported (Keras pools round the output size down)');
    if (this.attrInt(n, 'storage_order', 0) !== 0) this.fail(n, 'storage_order 1 is not supported');
    if (n.outputs.length > 1 && n.outputs[1] !== '') this.fail(n, 'the indices output of MaxPool is not supported');
    const padding = this.paddingOf(n, L, ks, s, d);
    const mode = n.op === 'MaxPool' ? 'max' : 'avg';
    const m = this.meta(n);
    if (mode === 'avg' && padding === 'same' && this.attrInt(n, 'count_include_pad', 0) !== 0) {
      const padded = L.some((l, a) => Math.max((Math.ceil(l / s[a]!) - 1) * s[a]! + ks[a]! - l, 0) > 0);
      if (padded) this.fail(n, 'count_include_pad 1 with padding divides by the whole window, unlike Keras (which counts only the positions inside the input); not supported');
    }
    const out = L.map((l, a) => axisOut(l, ks[a]!, s[a]!, 1, padding));
    if (out.some((o) => o < 1)) this.fail(n, `the window does not fit the input [${this.shape.join(', ')}]`);
    const pair = (v: number[]): [number, number] => (rank === 2 ? [v[0]!, v[1]!] : [1, v[0]!]);
    this.emit(n, { k: 'op', op: { op: 'pool', mode, rank, pool: pair(ks), strides: pair(s), padding, meta: m } }, [1, C, ...out], 'nchw');
  }

  transpose(n: ONode): void {
    const r = this.shape.length;
    const perm = this.attrInts(n, 'perm') ?? this.shape.map((_, k) => r - 1 - k);
    const newShape = perm.map((p) => this.shape[p]!);
    const is = (p: number[]): boolean => p.length === perm.length && p.every((v, k) => v === perm[k]);
    if (perm.every((p, k) => p === k)) {
      this.setData(n, this.shape, this.layout, true);
      return;
    }
    let layout: Layout | null = null;
    if (r === 4 && is([0, 3, 1, 2]) && this.layout === 'nhwc') layout = 'nchw';
    else if (r === 4 && is([0, 2, 3, 1]) && this.layout === 'nchw') layout = 'nhwc';
    else if (r === 3 && is([0, 2, 1]) && this.layout !== 'flat') layout = this.layout === 'nchw' ? 'nhwc' : 'nchw';
    if (layout === null) {
      this.fail(n, `only Transposes between NHWC and NCHW layouts are supported; perm [${perm.join(', ')}] on ${this.layout === 'flat' ? 'a flat' : `an ${this.layout.toUpperCase()}`} value [${this.shape.join(', ')}] is not one`);
    }
    this.notes.push(`${n.name} (Transpose) ${this.layout.toUpperCase()} → ${layout.toUpperCase()}: a layout change only (the values stay channels-last)`);
    this.setData(n, newShape, layout, true);
  }

  flatten(n: ONode): void {
    const ours = this.ourShape();
    const total = sizeOf(this.shape);
    if (ours.length > 1) {
      const C = ours[ours.length - 1]!;
      const positions = total / C;
      const m = this.meta(n);
      const permute = this.layout === 'nchw' && C > 1 && positions > 1;
      if (permute) m.notes.push(`flattened in ONNX's NCHW order (c, h, w): an explicit permutation of the channels-last values`);
      this.emit(n, { k: 'op', op: { op: 'flatten', order: permute ? 'channels_first' : 'channels_last', meta: m } }, [1, total], 'flat');
      return;
    }
    this.setData(n, [1, total], 'flat', true);
  }

  batchNorm(n: ONode): void {
    if (this.layout === 'nhwc' && this.shape.length > 2) this.fail(n, `a BatchNormalization over an NHWC value [${this.shape.join(', ')}] normalizes axis 1 (not the channels); not supported`);
    if (this.attrInt(n, 'training_mode', 0) !== 0) this.fail(n, 'training_mode 1 is not supported');
    if (this.attrInt(n, 'spatial', 1) !== 1) this.fail(n, 'spatial 0 (per-element statistics) is not supported');
    const C = this.shape[1]!;
    const get = (k: number, what: string): number[] => {
      const c = this.constIn(n, k, what)!;
      if (c.data.length !== C) this.fail(n, `expected ${C} values (one per channel) for ${what}, got shape [${c.dims.join(', ')}]`);
      return c.data;
    };
    const g = get(1, 'the scale');
    const b = get(2, 'the bias B');
    const mean = get(3, 'the mean');
    const variance = get(4, 'the variance');
    const eps = this.attrFloat(n, 'epsilon', 1e-5);
    const scale = g.map((v, c) => v / Math.sqrt(variance[c]! + eps));
    const offset = b.map((v, c) => v - mean[c]! * scale[c]!);
    this.affine(n, scale, offset, 'batch normalization');
  }

  elementwise(n: ONode): void {
    const xFirst = n.inputs[0] === this.cur;
    const cIdx = xFirst ? 1 : 0;
    const c = this.constIn(n, cIdx, 'a constant')!;
    const v = this.perChannel(c);
    if (v === null) this.fail(n, `${n.op} by ${this.describeConst(c)} on a value of shape [${this.shape.join(', ')}]: only a scalar or one value per channel is supported`);
    const C = v.length;
    const ones = new Array<number>(C).fill(1);
    const zeros = new Array<number>(C).fill(0);
    const last = this.steps[this.steps.length - 1];
    // x·W (+ nothing yet) followed by Add: the bias
    if (n.op === 'Add' && last !== undefined && (last.k === 'dense' || last.k === 'conv') && last.bias === null && this.tail === this.cur) {
      last.bias = v;
      last.bq = c.quant;
      last.cls = `${last.cls}+Add`;
      last.notes.push(`bias from ${n.name} (Add)`);
      this.setData(n, this.shape, this.layout, true);
      return;
    }
    const one = (s: number[], o: number[], text: string): void => this.affine(n, s, o, text);
    const uni = v.every((e) => e === v[0]);
    const cText = uni ? fmtNum(v[0]!).replace(/^-/, '−') : 'c';
    // x + c and x − c with the sign of a uniform c folded in ("x − 1", not "x + −1")
    const plus = (neg: boolean): string => (uni && v[0]! < 0 ? `x ${neg ? '+' : '−'} ${fmtNum(-v[0]!)}` : `x ${neg ? '−' : '+'} ${cText}`);
    switch (n.op) {
      case 'Add':
        return one(ones, v, plus(false));
      case 'Mul':
        return one(v, zeros, `x·${cText}`);
      case 'Sub':
        return xFirst ? one(ones, v.map((e) => -e), plus(true)) : one(ones.map(() => -1), v, `${cText} − x`);
      case 'Div':
        if (!xFirst) this.fail(n, 'a division by the value (c / x) is not supported');
        if (v.some((e) => e === 0)) this.fail(n, 'a division by zero');
        return this.affine(n, ones, zeros, `x / ${cText}`, v);
    }
  }

  /**
   * An affine step, merged with the one before it when nothing lies between: (u·s + o)·s' + o'.
   * `div` (a Div's divisors) divides rather than multiplies by their reciprocals.
   */
  affine(n: ONode, scale: number[], offset: number[], text: string, div?: number[]): void {
    const last = this.steps[this.steps.length - 1];
    if (last !== undefined && last.k === 'affine' && this.tail === this.cur) {
      last.scale = last.scale.map((s, c) => (div ? s / div[c]! : s * scale[c]!));
      last.offset = last.offset.map((o, c) => (div ? o / div[c]! : o * scale[c]! + offset[c]!));
      last.nodes.push(n.name);
      last.cls = `${last.cls}+${n.op}`;
      last.text = composeText(last.text, text);
      this.setData(n, this.shape, this.layout, true);
    } else {
      this.emit(n, {
        k: 'affine',
        name: n.name,
        cls: n.op,
        where: this.where(n),
        nodes: [n.name],
        scale: div ? div.map((d) => 1 / d) : scale,
        offset,
        text,
        notes: [],
      });
    }
  }

  /** QONNX Quant on the chain's value: a fixed-point quant op (power-of-two scale, zero point 0), or a sign. */
  quantData(n: ONode): void {
    const scale = this.constIn(n, 1, 'the scale')!;
    const zp = this.constIn(n, 2, 'the zero point')!;
    const bw = this.constIn(n, 3, 'the bit width')!;
    const { signed, narrow, mode } = this.quantAttrs(n);
    const where = `${n.name} (Quant)`;
    if (bw.data.length !== 1) this.fail(n, `unsupported quantizer: ${where} has ${bw.data.length} bit widths (expected one)`);
    const bits = bw.data[0]!;
    if (!Number.isInteger(bits) || bits < 1) this.fail(n, `unsupported quantizer: ${where} has bit width ${bits} (expected an integer of at least 1)`);
    const scales = this.perChannel(scale);
    if (scales === null) this.fail(n, `unsupported quantizer: the scale of ${where}, ${this.describeConst(scale)}, is neither one value nor one per channel of [${this.shape.join(', ')}]`);
    const zps = this.perChannel(zp);
    if (zps === null || zps.some((z) => z !== 0)) this.fail(n, `unsupported quantizer: ${where} has a nonzero zero point (da-gen needs fixed-point quantizers: scale 2^−f, zero point 0)`);
    const source = `Quant(bitwidth ${bits}, scale ${uniformText(scales) ?? 'per channel'}, ${signed ? 'signed' : 'unsigned'}${narrow ? ', narrow' : ''}, ${mode})`;
    const bad = scales.find((s) => !(s > 0) || !Number.isInteger(Math.log2(s)));
    if (bad !== undefined) this.fail(n, `unsupported quantizer: ${where} has scale ${fmtNum(bad)}, not a power of two (da-gen needs fixed-point quantizers: scale 2^−f, zero point 0)`);
    if (bits === 1 && signed) {
      if (scales.some((s) => s !== 1)) this.fail(n, `unsupported quantizer: a 1-bit signed Quant (a bipolar sign) with scale ${uniformText(scales) ?? 'per channel'}; only scale 1 is supported`);
      this.emit(n, { k: 'op', op: { op: 'sign', meta: this.meta(n) }, bits: 1 });
      return;
    }
    if (!signed && narrow) this.fail(n, `unsupported quantizer: ${where} is unsigned and narrow (its largest code 2^${bits} − 2 has no fixed-point format)`);
    if (bits > 48) this.fail(n, `unsupported quantizer: ${where} has ${bits} bits (at most 48)`);
    const rounding: QRounding | null = mode === 'ROUND' || mode === 'HALF_EVEN' ? 'nearest_even' : mode === 'FLOOR' ? 'floor' : null;
    if (rounding === null) this.fail(n, `unsupported quantizer: ${where} has rounding_mode ${mode} (supported: ROUND, HALF_EVEN, FLOOR)`);
    const formats: FixedFormat[] = scales.map((s) => ({ signed, width: bits, frac: 0 - Math.log2(s), rounding, overflow: signed && narrow ? 'saturate_symmetric' : 'saturate' }));
    const uniq = new Set(formats.map((f) => JSON.stringify(f)));
    this.emit(n, { k: 'op', op: { op: 'quant', formats: uniq.size === 1 ? [formats[0]!] : formats, source, meta: this.meta(n) }, bits });
  }
}

/** "x − m" then "x / s" → "(x − m) / s". */
function composeText(a: string, b: string): string {
  if (a === 'batch normalization' || b === 'batch normalization') return 'batch normalization and elementwise constants';
  const additive = / [+−] /.test(a);
  const multiplicative = /^x[·/ ]/.test(b) && !/^x [+−] /.test(b);
  const inner = additive && (multiplicative || / x$/.test(b)) ? `(${a})` : a;
  return b.startsWith('x') ? inner + b.slice(1) : b.slice(0, -1) + inner;
}

// ---------------------------------------------------------------------------------------------
// the model's input

function inputDims(v: OnnxTypes.IValueInfoProto, label: string): number[] {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) throw new SpecError(label, `input ${name}`, 'expected a tensor input');
  const et = tt.elemType ?? 0;
  if (!FLOAT_TYPES.has(et)) throw new SpecError(label, `input ${name}`, `expected a float input, got ${TYPE_NAMES[et] ?? et}`);
  const dims = tt.shape?.dim ?? null;
  if (dims === null) throw new SpecError(label, `input ${name}`, 'the input has no shape; da-gen needs a fixed shape');
  const text = dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0 ? String(num(d.dimValue)) : '?'));
  const shape = `[${text.join(', ')}]`;
  if (dims.length < 2) throw new SpecError(label, `input ${name}`, `expected a batch axis first, got the input shape ${shape}`);
  const out: number[] = [1];
  dims.forEach((d, k) => {
    const fixed = !d.dimParam && d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0;
    if (k === 0) {
      if (fixed && num(d.dimValue) !== 1) throw new SpecError(label, `input ${name}`, `the input shape ${shape} has a batch of ${num(d.dimValue)}; da-gen needs a batch of 1 (or a dynamic batch)`);
      return;
    }
    if (!fixed) throw new SpecError(label, `input ${name}`, `the input shape ${shape} has a dynamic dimension "${text[k]}" (axis ${k}); da-gen needs a fixed shape`);
    out.push(num(d.dimValue));
  });
  if (out.length > 4) throw new SpecError(label, `input ${name}`, `expected an input of 1 to 3 dimensions besides the batch, got ${shape}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// steps → operations

function isSimple(values: readonly number[]): boolean {
  return values.every((v) => {
    const f = fracBitsOf(v);
    return f !== null && f <= SIMPLE_FRAC && Math.abs(v) < 2 ** SIMPLE_INT;
  });
}

function uniformText(values: readonly number[]): string | null {
  return values.every((v) => v === values[0]) ? fmtNum(values[0]!) : null;
}

/** "x·2 − 1" for an affine (per channel: "x·scale[c] + offset[c]"). */
function affineText(scale: readonly number[], offset: readonly number[]): string {
  const s = uniformText(scale);
  const o = uniformText(offset);
  if (s === null || o === null) return 'x·scale[c] + offset[c] (per channel)';
  const head = s === '1' ? 'x' : s === '-1' ? '−x' : `x·${s.replace(/^-/, '−')}`;
  if (o === '0') return head;
  return o.startsWith('-') ? `${head} − ${o.slice(1)}` : `${head} + ${o}`;
}

interface Mapper {
  label: string;
  opts: ImportOptions;
  precision: PrecisionTable;
  notes: string[];
  ops: ModelOp[];
}

function floatValues(mp: Mapper, name: string, where: string, values: number[], role: 'weights' | 'bias values'): { values: number[]; type: string } {
  const p = mp.precision.weightFor(name);
  if (p === null) {
    throw new UsageError(`${mp.label}: ${where} has float ${role} (no quantizer): give their precision, e.g. --precision fixed<16,6> (hls4ml's default) or --precision ${name}=fixed<16,6>`);
  }
  return { values: values.map((v) => quantize(v, p)), type: fixedText(p) };
}

function isQuantStep(s: Step | undefined): s is OpStep {
  return s !== undefined && s.k === 'op' && (s.op.op === 'quant' || s.op.op === 'sign');
}

function mapSteps(mp: Mapper, steps: Step[]): void {
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i]!;
    const isLast = i === steps.length - 1;
    switch (st.k) {
      case 'dense':
      case 'conv': {
        const float = st.wq === null;
        const nOut = st.k === 'dense' ? st.nOut : st.cout;
        let W: number[] = st.k === 'dense' ? st.W : st.kernel;
        let bias = st.bias;
        let bq = st.bq;
        const m: OpMeta = { name: st.name, cls: st.cls, notes: st.notes.slice() };
        const next = steps[i + 1];
        if (float && next !== undefined && next.k === 'affine') {
          // a float layer followed by an affine (BatchNormalization, Mul/Add): folded into the float weights
          W = W.map((v, k) => v * next.scale[k % nOut]!);
          bias = (bias ?? new Array<number>(nOut).fill(0)).map((v, o) => v * next.scale[o]! + next.offset[o]!);
          bq = null;
          m.notes.push(`${next.nodes.join(', ')} (${next.cls}) folded into the float weights and bias before quantization`);
          i++;
        }
        const wv = float ? floatValues(mp, st.name, `${st.where} (${st.cls})`, W, 'weights') : { values: W, type: st.wq! };
        const bv = bias === null ? null : bq !== null ? { values: bias, type: bq } : floatValues(mp, st.name, `${st.where} (${st.cls})`, bias, 'bias values');
        if (!float && bv !== null && bq === null) m.notes.push(`float bias quantized to ${bv.type} (--precision)`);
        if (st.k === 'dense') {
          const rows: number[][] = [];
          for (let r = 0; r < st.nIn; r++) rows.push(wv.values.slice(r * nOut, (r + 1) * nOut));
          mp.ops.push({ op: 'dense', W: rows, bias: bv?.values ?? null, weightType: wv.type, biasType: bv?.type ?? '—', meta: m });
        } else {
          const K: number[][][][] = [];
          for (let a = 0; a < st.kh; a++) {
            const row: number[][][] = [];
            for (let b = 0; b < st.kw; b++) {
              const taps: number[][] = [];
              for (let c = 0; c < st.cin; c++) {
                const base = ((a * st.kw + b) * st.cin + c) * nOut;
                taps.push(wv.values.slice(base, base + nOut));
              }
              row.push(taps);
            }
            K.push(row);
          }
          mp.ops.push({ op: 'conv', rank: st.rank, kernel: K, strides: st.strides, dilation: st.dilation, padding: st.padding, bias: bv?.values ?? null, weightType: wv.type, biasType: bv?.type ?? '—', meta: m });
        }
        if (float && !isQuantStep(steps[i + 1])) mp.ops.push(...mp.precision.resultOps(st.name, st.cls));
        break;
      }
      case 'affine': {
        const m: OpMeta = { name: st.name, cls: st.cls, notes: st.notes.slice() };
        if (st.nodes.length > 1) m.notes.push(`${st.nodes.join(', ')} merged into one affine: ${st.text}`);
        const next = steps[i + 1];
        if (isQuantStep(next) && (next.bits ?? 99) <= FEW_LEVEL_BITS) {
          m.notes.push(`kept in float: its thresholds before the ${next.bits}-bit quantizer ${next.op.meta.name} are found exactly on the integer accumulator`);
          mp.ops.push({ op: 'affine', scale: st.scale, offset: st.offset, meta: m });
          break;
        }
        if (isSimple(st.scale) && isSimple(st.offset)) {
          m.notes.push(`exact parameters (${affineText(st.scale, st.offset)}), kept as they are`);
          mp.ops.push({ op: 'affine', scale: st.scale, offset: st.offset, meta: m });
          break;
        }
        const p = mp.precision.weightFor(st.name);
        if (p === null) {
          throw new UsageError(`${mp.label}: ${st.where} (${st.cls}${st.nodes.length > 1 ? `: ${st.nodes.join(', ')}` : ''}) has float parameters and cannot fold into a quantized layer: give their precision, e.g. --precision fixed<16,6> or --precision ${st.name}=fixed<16,6>`);
        }
        m.notes.push(`scale and offset quantized to ${fixedText(p)}`);
        const op: AffineOp = { op: 'affine', scale: st.scale.map((v) => quantize(v, p)), offset: st.offset.map((v) => quantize(v, p)), meta: m };
        mp.ops.push(op, ...mp.precision.resultOps(st.name, st.cls));
        break;
      }
      case 'softmax':
        mp.ops.push(...softmaxOps(mp.opts, mp.label, st.where, isLast, { name: st.name, cls: st.cls, notes: [] }, mp.notes));
        break;
      case 'op':
        mp.ops.push(st.op);
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the model

/** Builds the graph of an ONNX (or QONNX) model. */
export async function onnxGraph(bytes: Uint8Array, label: string, opts: ImportOptions, name: string): Promise<ModelGraph> {
  // the schema (protobufjs and onnx.proto) is loaded when an ONNX model is read, not at every start
  const { onnx } = (await import('onnx-proto')).default;
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new SpecError(label, '', `not a readable ONNX model: ${(e as Error).message}`);
  }
  const g = model.graph;
  if (!g || (g.node ?? []).length === 0) throw new SpecError(label, '', 'not a readable ONNX model: it has no graph (or a graph without nodes)');
  const precision = new PrecisionTable(opts.precision ?? []);

  // the real input: the graph input that is not an initializer
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  const realInputs = (g.input ?? []).filter((v) => !inits.has(v.name ?? ''));
  if (realInputs.length !== 1) throw new SpecError(label, 'graph.input', `expected exactly one input (besides the initializers), got ${realInputs.length}${realInputs.length > 0 ? `: ${realInputs.map((v) => v.name).join(', ')}` : ''}`);
  const outputs = g.output ?? [];
  if (outputs.length !== 1) throw new SpecError(label, 'graph.output', `expected exactly one output, got ${outputs.length}${outputs.length > 0 ? `: ${outputs.map((v) => v.name).join(', ')}` : ''}`);
  const input = realInputs[0]!;
  const inputName = input.name ?? '';
  const shape = inputDims(input, label);

  const nodes: ONode[] = (g.node ?? []).map((nd: INode, index) => {
    const given = nd.name ?? '';
    const outs = (nd.output ?? []).slice();
    return {
      name: given !== '' ? given : outs[0] ? `${nd.opType ?? 'node'} → ${outs[0]}` : `#${index}`,
      given,
      op: nd.opType ?? '',
      domain: nd.domain ?? '',
      inputs: (nd.input ?? []).slice(),
      outputs: outs,
      attrs: new Map((nd.attribute ?? []).map((a) => [a.name ?? '', a])),
      index,
    };
  });

  // the input's layout: NHWC when the model first transposes it to NCHW (a Keras export), else NCHW
  const firstUse = nodes.find((n) => n.inputs.includes(inputName) && n.op !== 'Shape');
  const perm = firstUse?.op === 'Transpose' ? (firstUse.attrs.get('perm')?.ints ?? []).map(num).join(',') : '';
  const layout: Layout = shape.length === 2 ? 'flat' : (shape.length === 4 && perm === '0,3,1,2') || (shape.length === 3 && perm === '0,2,1') ? 'nhwc' : 'nchw';

  const w = new Walker(label, inputName, shape, layout);
  w.opset = num((model.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')?.version ?? 13);
  for (const t of g.initializer ?? []) w.consts.set(t.name ?? '', tensorOf(t, label, 'initializer'));
  const inputShape = w.ourShape();
  const inputNotes: string[] = [];
  if (layout === 'nchw' && shape.length === 4) inputNotes.push(`x is taken channels-last (h, w, c): the ONNX input is NCHW [${shape.join(', ')}]`);
  if (layout === 'nhwc') inputNotes.push(`x is the ONNX input [${shape.join(', ')}] as it is (${shape.length === 4 ? 'NHWC' : 'NLC'}, channels-last; the model transposes it to ${shape.length === 4 ? 'NCHW' : 'NCL'} itself)`);
  if (layout === 'nchw' && shape.length === 3) inputNotes.push(`x is taken channels-last (l, c): the ONNX input is NCL [${shape.join(', ')}]`);

  for (const n of nodes) w.node(n);
  const outName = outputs[0]!.name ?? '';
  if (outName !== w.cur) {
    const why = w.consts.has(outName) ? 'a constant' : w.dataShapes.has(outName) ? 'a value before the end of the chain' : 'not computed by any node';
    throw new SpecError(label, `output ${outName}`, `expected the graph output to be the end of the chain of nodes ("${w.cur}"); it is ${why}`);
  }
  if (w.steps.length === 0) throw new SpecError(label, '', 'the model computes nothing da-gen builds (no layers)');

  // leading preprocessing (elementwise constants) before the first Quant: left outside the hardware
  let steps = w.steps;
  let shapeIn = inputShape;
  const notes = [...inputNotes];
  let k = 0;
  while (steps[k] !== undefined && (steps[k]!.k === 'affine' || (steps[k]!.k === 'op' && (steps[k] as OpStep).op.op === 'flatten'))) k++;
  const pre = steps.slice(0, k);
  const firstQuant = steps[k];
  const absorbFlatten = (st: OpStep): void => {
    const n = sizeOf(shapeIn);
    const order = st.op.op === 'flatten' && st.op.order === 'channels_first';
    notes.length = 0;
    notes.push(`x is taken flat [${n}]${order || layout === 'nchw' ? ` in the ONNX input's own (${shape.length === 4 ? 'NCHW' : 'NCL'}) order` : ''}: the model flattens its [${shape.join(', ')}] input first (${st.op.meta.name})`);
    shapeIn = [n];
  };
  if (opts.input === undefined && pre.some((s) => s.k === 'affine') && isQuantStep(firstQuant)) {
    for (const s of pre) {
      if (s.k === 'affine') notes.push(`preprocessing ${s.text === 'x' ? affineText(s.scale, s.offset) : s.text} (${s.nodes.join(', ')}) before the first Quant (${firstQuant.op.meta.name}) is left outside the hardware: x is that Quant's output`);
      else absorbFlatten(s as OpStep);
    }
    steps = steps.slice(k);
  } else if (steps[0]?.k === 'op' && steps[0].op.op === 'flatten') {
    absorbFlatten(steps[0]);
    steps = steps.slice(1);
  }
  notes.push(...w.notes);

  const mp: Mapper = { label, opts, precision, notes, ops: [] };
  mapSteps(mp, steps);
  precision.checkAllUsed(label, w.names);

  let inputFormat: FixedFormat;
  let inputSource: string;
  if (opts.input !== undefined) {
    inputFormat = parseFixed(opts.input, '--input');
    inputSource = `--input ${opts.input}`;
  } else {
    const first = mp.ops[0];
    const f = first?.op === 'quant' ? inputFromFirstQuant(first) : null;
    if (f === null) {
      throw new UsageError(`${label}: the model does not state its input's fixed-point format (it has no input quantizer): give it, e.g. --input fixed<16,6> or --input ufixed<10,10>`);
    }
    inputFormat = f;
    inputSource = `the model's input quantizer ${first!.meta.name} (${first!.meta.cls})`;
  }
  const producer = [model.producerName, model.producerVersion].filter((s) => s).join(' ');
  const framework = `${w.hasQuant ? 'QONNX' : 'ONNX'} (${producer ? `${producer}, ` : ''}opset ${w.opset})`;
  return { name, framework, inputShape: shapeIn, input: inputFormat, inputSource, ops: mp.ops, notes };
}
