import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import type * as OrtApi from 'onnxruntime-common';
import { SpecError, UsageError } from '../../src/errors.js';
import { forwardModel, forwardTrace } from '../../src/import/forward.js';
import { parseFixed } from '../../src/import/fixed.js';
import { onnxGraph } from '../../src/import/onnx.js';
import { Rng } from '../../src/sim/vectors.js';
import type { ImportOptions } from '../../src/import/api.js';
import type { AffineOp, ConvOp, DenseOp, FlattenOp, ModelGraph, ModelOp, QuantOp } from '../../src/import/ir.js';

const { onnx } = onnxProto;

// onnxruntime-node 1.20.1 is installed without its index.d.ts; its API is onnxruntime-common's
// (whose types it re-exports), so it is imported by a specifier TypeScript does not resolve.
const ORT_NODE: string = 'onnxruntime-node';
const ort = (await import(ORT_NODE)) as typeof OrtApi;

/**
 * The ONNX front end on three real models (test/fixtures/models/README.md): two float models
 * exported from Keras (a 3-layer MLP; a small Conv2D model with an NHWC input transposed to
 * NCHW) and a QONNX model from Brevitas (TFC_2W2A: 2-bit weights and activations). Expected
 * weights are computed here from the raw tensors, by hand, not by the code under test.
 */

const MODELS = fileURLToPath(new URL('../fixtures/models/', import.meta.url));
const path = (f: string): string => `${MODELS}${f}`;
const bytesOf = (f: string): Uint8Array => new Uint8Array(readFileSync(path(f)));

const FLOAT_OPTS: ImportOptions = { precision: ['fixed<16,6>'], input: 'fixed<16,6>', softmax: 'argmax' };

/** fixed<16,6> (hls4ml's default: TRN, WRAP): floor(v·2^10)/2^10 for |v| < 32 (no wrap). */
function trn10(v: number): number {
  expect(Math.abs(v)).toBeLessThan(32);
  return Math.floor(v * 1024) / 1024;
}

/** The float32 values of an initializer (float_data or little-endian raw_data). */
function initializer(model: onnxProto.onnx.ModelProto, name: string): { dims: number[]; values: number[] } {
  const t = model.graph!.initializer!.find((i) => i.name === name)!;
  const dims = t.dims!.map(Number);
  if (t.rawData && t.rawData.length > 0) {
    const dv = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    return { dims, values: Array.from({ length: t.rawData.length / 4 }, (_, k) => dv.getFloat32(4 * k, true)) };
  }
  return { dims, values: t.floatData!.slice() };
}

const decode = (f: string): onnxProto.onnx.ModelProto => onnx.ModelProto.decode(bytesOf(f));
const encode = (m: onnxProto.onnx.ModelProto): Uint8Array => onnx.ModelProto.encode(m).finish();
const kinds = (g: ModelGraph): string[] => g.ops.map((o) => o.op);

/** The error a promise rejects with, checked to be an instance of `type`. */
async function rejection<E extends Error>(type: abstract new (...args: never[]) => E, p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

describe('three_layer_keras.onnx (float MLP)', () => {
  it('imports as dense/quant/relu ×3, dense/quant, argmax, with fixed<16,6> weights', async () => {
    const g = await onnxGraph(bytesOf('three_layer_keras.onnx'), 'three_layer_keras.onnx', FLOAT_OPTS, 'three_layer');
    expect(g.name).toBe('three_layer');
    expect(g.framework).toMatch(/^ONNX \(OnnxMLTools/);
    expect(g.inputShape).toEqual([16]);
    expect(g.input).toEqual({ signed: true, width: 16, frac: 10, rounding: 'floor', overflow: 'wrap' });
    expect(g.inputSource).toBe('--input fixed<16,6>');
    expect(kinds(g)).toEqual(['dense', 'quant', 'relu', 'dense', 'quant', 'relu', 'dense', 'quant', 'relu', 'dense', 'quant', 'argmax']);
    const dense = g.ops.filter((o): o is DenseOp => o.op === 'dense');
    expect(dense.map((d) => [d.W.length, d.W[0]!.length, d.bias!.length])).toEqual([
      [16, 64, 64],
      [64, 32, 32],
      [32, 32, 32],
      [32, 5, 5],
    ]);
    expect(dense[0]!.meta.name).toBe('_class__keras_layers_core_Dense__');
    expect(dense[0]!.weightType).toBe('fixed<16,6>');
    // W is [in, out] row-major: W[i][o] = floatData[i·64 + o]
    const m = decode('three_layer_keras.onnx');
    const W = initializer(m, 'W').values;
    const B = initializer(m, 'B').values;
    for (const [i, o] of [[0, 0], [0, 1], [1, 0], [15, 63], [7, 33]] as const) expect(dense[0]!.W[i]![o]).toBe(trn10(W[i * 64 + o]!));
    expect(dense[0]!.bias![0]).toBe(trn10(B[0]!));
    expect(dense[0]!.bias![63]).toBe(trn10(B[63]!));
    const W3 = initializer(m, 'W3').values;
    expect(dense[3]!.W[31]![4]).toBe(trn10(W3[31 * 5 + 4]!));
    const q = g.ops[1] as QuantOp;
    expect(q.formats).toEqual([{ signed: true, width: 16, frac: 10, rounding: 'floor', overflow: 'wrap' }]);
    expect(g.notes.some((n) => /became argmax/.test(n))).toBe(true);
  });

  it('asks for --precision and --input on a float model (UsageError)', async () => {
    const noPrec = await rejection(UsageError, onnxGraph(bytesOf('three_layer_keras.onnx'), 'm.onnx', { input: 'fixed<16,6>', softmax: 'argmax' }, 'm'));
    expect(noPrec.message).toContain('node _class__keras_layers_core_Dense__ (MatMul+Add) has float weights (no quantizer)');
    expect(noPrec.message).toContain('--precision fixed<16,6>');
    const noInput = await rejection(UsageError, onnxGraph(bytesOf('three_layer_keras.onnx'), 'm.onnx', { precision: ['fixed<16,6>'], softmax: 'argmax' }, 'm'));
    expect(noInput.message).toBe("m.onnx: the model does not state its input's fixed-point format (it has no input quantizer): give it, e.g. --input fixed<16,6> or --input ufixed<10,10>");
    const softmax = await rejection(UsageError, onnxGraph(bytesOf('three_layer_keras.onnx'), 'm.onnx', { precision: ['fixed<16,6>'], input: 'fixed<16,6>' }, 'm'));
    expect(softmax.message).toContain('--softmax argmax');
    const unknownLayer = await rejection(UsageError, onnxGraph(bytesOf('three_layer_keras.onnx'), 'm.onnx', { ...FLOAT_OPTS, precision: ['fixed<16,6>', 'fc9=fixed<8,3>'] }, 'm'));
    expect(unknownLayer.message).toContain('has no layer named "fc9"');
  });

  it('takes a per-layer precision by node name', async () => {
    const g = await onnxGraph(bytesOf('three_layer_keras.onnx'), 'm.onnx', { ...FLOAT_OPTS, precision: ['fixed<16,6>', '_class__keras_layers_core_Dense__3=fixed<8,3>'] }, 'm');
    const last = g.ops.filter((o): o is DenseOp => o.op === 'dense')[3]!;
    expect(last.weightType).toBe('fixed<8,3>');
    expect((g.ops[10] as QuantOp).formats[0]).toMatchObject({ width: 8, frac: 5 });
  });
});

describe('conv2d_small_keras.onnx (float CNN, NHWC input)', () => {
  it('imports as conv (same)/quant/relu, flatten, dense/quant, argmax, with the kernel permuted to [kh][kw][cin][cout]', async () => {
    const g = await onnxGraph(bytesOf('conv2d_small_keras.onnx'), 'conv2d_small_keras.onnx', FLOAT_OPTS, 'conv2d');
    expect(g.inputShape).toEqual([8, 8, 1]);
    expect(kinds(g)).toEqual(['conv', 'quant', 'relu', 'flatten', 'dense', 'quant', 'argmax']);
    const conv = g.ops[0] as ConvOp;
    expect(conv.rank).toBe(2);
    expect(conv.padding).toBe('same');
    expect(conv.strides).toEqual([1, 1]);
    expect(conv.dilation).toEqual([1, 1]);
    expect([conv.kernel.length, conv.kernel[0]!.length, conv.kernel[0]![0]!.length, conv.kernel[0]![0]![0]!.length]).toEqual([3, 3, 1, 2]);
    // ONNX W is [cout=2][cin=1][3][3]: W[co][0][i][j] = floatData[co·9 + i·3 + j]
    const m = decode('conv2d_small_keras.onnx');
    const W = initializer(m, 'W').values;
    for (let co = 0; co < 2; co++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(conv.kernel[i]![j]![0]![co]).toBe(trn10(W[co * 9 + i * 3 + j]!));
    const B = initializer(m, 'B').values;
    expect(conv.bias).toEqual([trn10(B[0]!), trn10(B[1]!)]);
    // the Transpose back to NHWC before the Flatten: Keras's channels-last order
    expect((g.ops[3] as FlattenOp).order).toBe('channels_last');
    const dense = g.ops[4] as DenseOp;
    expect([dense.W.length, dense.W[0]!.length]).toEqual([128, 10]);
    // the Gemm has no name: the layer is named by its weight initializer
    expect(dense.meta.name).toBe('W1');
    const W1 = initializer(m, 'W1').values;
    expect(dense.W[127]![9]).toBe(trn10(W1[127 * 10 + 9]!));
    expect(g.notes).toContain('Identity (Identity) removed: it does nothing at inference');
  });

  it('flattens NCHW data in (c, h, w) order when the Transpose back is missing', async () => {
    const m = decode('conv2d_small_keras.onnx');
    const nodes = m.graph!.node!;
    const back = nodes.findIndex((n) => n.name === 'Transpose1');
    // Relu → Identity directly: the Flatten then sees NCHW [1, 2, 8, 8]
    nodes[back + 1]!.input = [nodes[back]!.input![0]!];
    nodes.splice(back, 1);
    const g = await onnxGraph(encode(m), 'm.onnx', FLOAT_OPTS, 'm');
    const flat = g.ops[3] as FlattenOp;
    expect(flat.order).toBe('channels_first');
    expect(flat.meta.notes.join(' ')).toContain('(c, h, w)');
  });
});

describe('TFC_2W2A.onnx (QONNX)', () => {
  it('imports with the preprocessing left outside, 2-bit weights, float BatchNorms before the 2-bit quantizers', async () => {
    const g = await onnxGraph(bytesOf('TFC_2W2A.onnx'), 'TFC_2W2A.onnx', { precision: ['fixed<16,6>'] }, 'tfc');
    expect(g.framework).toMatch(/^QONNX \(pytorch/);
    expect(g.inputShape).toEqual([784]);
    expect(kinds(g)).toEqual(['quant', 'dense', 'affine', 'quant', 'dense', 'affine', 'quant', 'dense', 'affine', 'quant', 'dense', 'affine', 'quant']);
    // the input: the first Quant's format, signed 2 bits, frac 0 (values −1, 0, 1)
    expect(g.input).toMatchObject({ signed: true, width: 2, frac: 0 });
    expect(g.inputSource).toContain('Quant_13');
    const q0 = g.ops[0] as QuantOp;
    expect(q0.formats).toEqual([{ signed: true, width: 2, frac: 0, rounding: 'nearest_even', overflow: 'saturate_symmetric' }]);
    expect(g.notes).toContain("preprocessing x·2 − 1 (Mul_7, Sub_9) before the first Quant (Quant_13) is left outside the hardware: x is that Quant's output");
    // weights: initializer 41 is [64, 784], Quant (scale 1, 2 bits, narrow: −1 … 1, round half even), then transposed
    const m = decode('TFC_2W2A.onnx');
    const raw = initializer(m, '41').values;
    const q = (v: number): number => {
      const c = Math.min(1, Math.max(-1, v));
      const r = Math.round(c); // no exact ±0.5 among these weights (checked below)
      return r === 0 ? 0 : r;
    };
    expect(raw.some((v) => Math.abs(v) === 0.5)).toBe(false);
    const d0 = g.ops[1] as DenseOp;
    expect([d0.W.length, d0.W[0]!.length]).toEqual([784, 64]);
    expect(d0.bias).toBeNull();
    expect(d0.weightType).toBe('fixed<2,2,RND_CONV,SAT_SYM>');
    for (const [i, o] of [[0, 0], [1, 0], [0, 1], [783, 63], [400, 17]] as const) expect(Math.abs(d0.W[i]![o]! - q(raw[o * 784 + i]!))).toBe(0);
    expect(new Set(d0.W.flat())).toEqual(new Set([-1, 0, 1]));
    // BatchNormalization_21 kept in float: scale = γ/√(σ² + ε), offset = β − μ·scale
    const bn = g.ops[2] as AffineOp;
    const [gam, bet, mu, v2] = ['weight', 'bias', 'running_mean', 'running_var'].map((k) => initializer(m, `features.3.${k}`).values);
    const eps = 0.000009999999747378752;
    const s0 = gam![0]! / Math.sqrt(v2![0]! + eps);
    expect(bn.scale[0]).toBeCloseTo(s0, 12);
    expect(bn.offset[0]).toBeCloseTo(bet![0]! - mu![0]! * s0, 12);
    expect(bn.meta.notes.join(' ')).toContain('kept in float');
    // the final BatchNorm1d (Sub, Pow, Div, Mul, Add): one affine, quantized with --precision, and a result quant
    const last = g.ops[11] as AffineOp;
    expect(last.meta.cls).toBe('Sub+Div+Mul+Add');
    const [mean, w, b] = ['running_mean', 'weight', 'bias'].map((k) => initializer(m, `features.15.${k}`).values[0]!);
    const sd = Math.sqrt(346.1242980957031);
    expect(last.scale).toHaveLength(10);
    expect(last.scale[0]).toBe(trn10(w! / sd));
    expect(last.offset[0]).toBe(trn10(b! - (mean! * w!) / sd));
    expect((g.ops[12] as QuantOp).source).toContain('--precision');
  });

  it('needs --precision for the final float affine (UsageError naming the node)', async () => {
    const e = await rejection(UsageError, onnxGraph(bytesOf('TFC_2W2A.onnx'), 'TFC_2W2A.onnx', {}, 'tfc'));
    expect(e.message).toContain('node Sub_57');
    expect(e.message).toContain('has float parameters');
    expect(e.message).toContain('--precision Sub_57=fixed<16,6>');
  });

  it('keeps the preprocessing with an explicit --input', async () => {
    const g = await onnxGraph(bytesOf('TFC_2W2A.onnx'), 'TFC_2W2A.onnx', { precision: ['fixed<16,6>'], input: 'ufixed<8,0>' }, 'tfc');
    expect(kinds(g).slice(0, 3)).toEqual(['affine', 'quant', 'dense']);
    const pre = g.ops[0] as AffineOp;
    expect(pre.scale.every((s) => s === 2)).toBe(true);
    expect(pre.offset.every((o) => o === -1)).toBe(true);
  });

  it('refuses a Quant whose scale is not a power of two (SpecError)', async () => {
    const m = decode('TFC_2W2A.onnx');
    // initializer 49 is the scale of Quant_25 (the activation after BatchNormalization_21)
    const t = m.graph!.initializer!.find((i) => i.name === '49')!;
    t.rawData = new Uint8Array(new Float32Array([0.3]).buffer);
    const e = await rejection(SpecError, onnxGraph(encode(m), 'tfc.onnx', { precision: ['fixed<16,6>'] }, 'tfc'));
    expect(e.jsonPath).toBe('node Quant_25');
    expect(e.message).toContain('unsupported quantizer');
    expect(e.message).toContain('scale 0.3, not a power of two');
  });
});

describe('errors', () => {
  it('refuses a truncated file', async () => {
    const bytes = bytesOf('three_layer_keras.onnx');
    const e = await rejection(SpecError, onnxGraph(bytes.slice(0, 1000), 'cut.onnx', FLOAT_OPTS, 'm'));
    expect(e.message).toMatch(/^cut\.onnx: not a readable ONNX model: /);
  });

  it('refuses a file that is not protobuf', async () => {
    const e = await rejection(SpecError, onnxGraph(new TextEncoder().encode('{"this": "is JSON, not ONNX"}\n'), 'x.onnx', FLOAT_OPTS, 'm'));
    expect(e.message).toMatch(/^x\.onnx: not a readable ONNX model/);
  });

  it('refuses an input with a dynamic dimension, accepts a dynamic batch', async () => {
    const m = decode('three_layer_keras.onnx');
    const dims = m.graph!.input![0]!.type!.tensorType!.shape!.dim!;
    dims[0] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'batch' });
    const ok = await onnxGraph(encode(m), 'm.onnx', FLOAT_OPTS, 'm');
    expect(ok.inputShape).toEqual([16]);
    dims[1] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' });
    const e = await rejection(SpecError, onnxGraph(encode(m), 'm.onnx', FLOAT_OPTS, 'm'));
    expect(e.jsonPath).toBe('input input_1_0');
    expect(e.message).toBe('m.onnx: input input_1_0: the input shape [batch, N] has a dynamic dimension "N" (axis 1); da-gen needs a fixed shape');
  });

  it('refuses an unsupported op, naming the node and the supported list', async () => {
    const m = decode('three_layer_keras.onnx');
    m.graph!.node!.find((n) => n.name === 'Relu1')!.opType = 'Tanh';
    const e = await rejection(SpecError, onnxGraph(encode(m), 'm.onnx', FLOAT_OPTS, 'm'));
    expect(e.jsonPath).toBe('node Relu1');
    expect(e.message).toMatch(/^m\.onnx: node Relu1: unsupported layer: node Relu1 is a Tanh; supported: MatMul, Gemm, Conv, /);
  });

  it('refuses ONNX Sign (0 at 0) and a softmax before the last layer', async () => {
    const m = decode('three_layer_keras.onnx');
    m.graph!.node!.find((n) => n.name === 'Relu1')!.opType = 'Sign';
    const e = await rejection(SpecError, onnxGraph(encode(m), 'm.onnx', FLOAT_OPTS, 'm'));
    expect(e.message).toContain('ONNX Sign gives 0 at 0');
    const m2 = decode('three_layer_keras.onnx');
    m2.graph!.node!.find((n) => n.name === 'Relu1')!.opType = 'Softmax';
    const e2 = await rejection(SpecError, onnxGraph(encode(m2), 'm.onnx', FLOAT_OPTS, 'm'));
    expect(e2.message).toContain('a softmax before the last layer is not supported');
  });

  it('refuses a graph that is not a chain', async () => {
    const m = decode('three_layer_keras.onnx');
    // Add1 reads the first layer's output instead of MatMul 1's
    m.graph!.node!.find((n) => n.name === 'Add1')!.input = ['fc1_relu_Relu_0', 'transformed_tensor1'];
    const e = await rejection(SpecError, onnxGraph(encode(m), 'm.onnx', FLOAT_OPTS, 'm'));
    expect(e.message).toContain('expected a chain of nodes');
  });

  it('refuses padding that is neither valid nor same', async () => {
    const m = decode('conv2d_small_keras.onnx');
    const conv = m.graph!.node!.find((n) => n.opType === 'Conv')!;
    conv.attribute!.find((a) => a.name === 'pads')!.ints = [1, 1, 0, 0];
    const e = await rejection(SpecError, onnxGraph(encode(m), 'm.onnx', FLOAT_OPTS, 'm'));
    expect(e.message).toContain('pads [1, 1, 0, 0] are neither "valid" (no padding) nor TensorFlow\'s "same" ([1, 1, 1, 1] for this input)');
  });
});

// ---------------------------------------------------------------------------------------------
// the float64 referee against onnxruntime

/** Uniform numbers in [0, 1) from the library's seeded generator. */
function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next() / 4294967296;
}

/** `count` random inputs of n values in [−4, 4), multiples of 2^−10. */
function inputs(n: number, count: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: n }, () => (Math.floor(r() * 8192) - 4096) / 1024));
}

/**
 * A bound, per output, on |forwardModel(g, x) − onnxruntime's output| that the precision alone
 * implies, propagated through the graph's operations (first-order rounding analysis, valid while
 * no value wraps). Writing u for our value and o for onnxruntime's at some point, e ≥ |u − o|:
 * - dense and conv: each weight and bias differs from the model's float32 value by less than
 *   δ (the precision's step, half of it when it rounds to nearest), so
 *   e' = Σ|W|·e + δ·Σ(|u| + e) + δ + γ·(Σ(|W| + δ)(|u| + e) + |b| + δ), the last term
 *   onnxruntime's own float32 rounding of a sum of n products (γ = (n + 4)·2^−24);
 * - quant: e' = e + the format's step (no wrap; the inputs that wrap are not compared);
 * - affine: as a dense layer of one weight;
 * - relu, max pool and flatten never increase e (e is moved as the values are); avg pool
 *   averages it (plus onnxruntime's rounding).
 * The bound's terms are computed with forwardModel itself on one operation at a time, with the
 * weights replaced by |W|, δ or |W| + δ.
 */
function errorBound(g: ModelGraph, x: readonly number[], precision: string): number[] {
  const fmt = parseFixed(precision, 'precision');
  const delta = 2 ** -fmt.frac / (fmt.rounding === 'floor' ? 1 : 2);
  const trace = forwardTrace(g, x, { checkExact: false });
  const one = (op: ModelOp, k: number, v: number[]) => forwardModel({ ...g, inputShape: trace[k]!.shape, ops: [op] }, v, { checkExact: false });
  const plus = (a: number[], b: number[], c = 1) => a.map((v, i) => v + c * b[i]!);
  let e = x.map(() => 0);
  g.ops.forEach((op, k) => {
    const u = trace[k]!.v;
    const ue = plus(u.map(Math.abs), e);
    const linear = (fanIn: number, withWeights: (f: (w: number) => number, bias: number[] | null) => ModelOp, bias: number[] | null): number[] => {
      const a = one(withWeights((w) => Math.abs(w), null), k, e);
      const b = one(withWeights(() => delta, bias && bias.map(() => delta)), k, ue);
      const c = one(withWeights((w) => Math.abs(w) + delta, bias && bias.map((v) => Math.abs(v) + delta)), k, ue);
      const gamma = (fanIn + 4) * 2 ** -24;
      return a.map((v, i) => v + b[i]! + gamma * c[i]!);
    };
    switch (op.op) {
      case 'dense':
        e = linear(op.W.length, (f, bias) => ({ ...op, W: op.W.map((r) => r.map(f)), bias }), op.bias);
        break;
      case 'conv':
        e = linear(op.kernel.length * op.kernel[0]!.length * op.kernel[0]![0]!.length, (f, bias) => ({ ...op, kernel: op.kernel.map((a) => a.map((b) => b.map((c) => c.map(f)))), bias }), op.bias);
        break;
      case 'affine': {
        const C = op.scale.length;
        e = e.map((ei, i) => {
          const c = i % C;
          const s = Math.abs(op.scale[c]!);
          const ui = ue[i]!;
          return s * ei + delta * ui + delta + 5 * 2 ** -24 * ((s + delta) * ui + Math.abs(op.offset[c]!) + delta);
        });
        break;
      }
      case 'quant': {
        const steps = op.formats.map((f) => 2 ** -f.frac / (f.rounding === 'floor' ? 1 : 2));
        e = e.map((ei, i) => ei + steps[i % steps.length]!);
        break;
      }
      case 'pool':
        e = op.mode === 'max' ? one(op, k, e) : plus(one(op, k, e), one(op, k, ue), 8 * 2 ** -24);
        break;
      case 'relu':
      case 'flatten':
        e = one(op, k, e);
        break;
      default:
        throw new Error(`errorBound: no bound for ${op.op}`);
    }
  });
  return e;
}

/** The model without its final Softmax: the graph output is the Softmax's input (the logits). */
function withoutSoftmax(f: string): Uint8Array {
  const m = decode(f);
  const nodes = m.graph!.node!;
  const k = nodes.findIndex((n) => n.opType === 'Softmax');
  const logits = nodes[k]!.input![0]!;
  nodes.splice(k, 1);
  m.graph!.output![0]!.name = logits;
  return encode(m);
}

const argmax = (v: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

/** Random inputs per comparison with onnxruntime. */
const COMPARED = 200;

interface OrtComparison {
  /** Max |our logit − onnxruntime's| over all inputs. */
  maxDiff: number;
  /** The same over the inputs on which no value of the model leaves fixed<16,6>'s range (±32). */
  maxDiffInRange: number;
  /** How many inputs take some value of the model beyond ±32 (where fixed<16,6> wraps). */
  outOfRange: number;
  /** Inputs on which our argmax equals onnxruntime's softmax argmax. */
  argmaxAgree: number;
  /** Over the inputs in range: the largest bound of errorBound, and the largest |difference| / bound. */
  maxBound: number;
  maxRatio: number;
}

/**
 * Runs the imported graph (forwardModel, float64, exact) and onnxruntime (float32) on COMPARED
 * random inputs; `precision` is the --precision of the import.
 */
async function compareWithOrt(f: string, inputName: string, dims: number[], precision: string): Promise<OrtComparison> {
  const bytes = bytesOf(f);
  const opts: ImportOptions = { ...FLOAT_OPTS, precision: [precision] };
  const gArg = await onnxGraph(bytes, f, opts, 'm');
  const gLogits = await onnxGraph(bytes, f, { ...opts, softmax: 'drop' }, 'm');
  // the model's own values, unquantized but for the weights (to see where fixed<16,6> would wrap)
  const gWide = await onnxGraph(bytes, f, { ...opts, precision: ['fixed<40,16>'], softmax: 'drop' }, 'm');
  expect(gLogits.ops.at(-1)!.op).toBe('quant');
  const full = await ort.InferenceSession.create(path(f));
  const cut = await ort.InferenceSession.create(withoutSoftmax(f));
  const n = dims.reduce((a, b) => a * b, 1);
  const fmt = parseFixed(precision, 'precision');
  const limit = 2 ** (fmt.width - fmt.frac - 1); // where the precision wraps
  const r: OrtComparison = { maxDiff: 0, maxDiffInRange: 0, outOfRange: 0, argmaxAgree: 0, maxBound: 0, maxRatio: 0 };
  for (const x of inputs(n, COMPARED, 12345)) {
    // our inputs are channels-last; these models' ONNX inputs are too ([1, 16], NHWC [1, 8, 8, 1])
    const feed = { [inputName]: new ort.Tensor('float32', Float32Array.from(x), dims) };
    const probs = (await full.run(feed))[full.outputNames[0]!]!.data as Float32Array;
    const logits = (await cut.run(feed))[cut.outputNames[0]!]!.data as Float32Array;
    const ours = forwardModel(gLogits, x);
    expect(ours).toHaveLength(logits.length);
    let d = 0;
    ours.forEach((v, k) => (d = Math.max(d, Math.abs(v - logits[k]!))));
    let big = false;
    for (let k = 1; k <= gWide.ops.length && !big; k++) big = forwardModel({ ...gWide, ops: gWide.ops.slice(0, k) }, x, { checkExact: false }).some((v) => Math.abs(v) >= limit);
    r.maxDiff = Math.max(r.maxDiff, d);
    if (big) r.outOfRange++;
    else {
      r.maxDiffInRange = Math.max(r.maxDiffInRange, d);
      const bound = errorBound(gLogits, x, precision);
      ours.forEach((v, k) => {
        r.maxBound = Math.max(r.maxBound, bound[k]!);
        r.maxRatio = Math.max(r.maxRatio, Math.abs(v - logits[k]!) / bound[k]!);
      });
    }
    const [idx] = forwardModel(gArg, x);
    if (idx === argmax(probs)) r.argmaxAgree++;
  }
  return r;
}

/**
 * fixed<16,6> (hls4ml's default) truncates (TRN: toward −∞) every weight and every result to
 * 2^−10 and wraps beyond ±32. On inputs in [−4, 4) three_layer_keras's hidden values exceed 32 on
 * about half of the inputs (and wrap, as the hardware would), and where they do not, the
 * truncations (all downward, summed over 64 and 32 non-negative relu values) move its logits by up
 * to about 0.5 (with RND instead of TRN: about 0.06; measured). So the import's fidelity to the
 * ONNX model is checked with a wide precision (fixed<32,12>, 2^−20: differences of about 10^−3
 * and below), and the fixed<16,6> numbers are printed, and loosely bounded on the inputs that
 * stay within range.
 */
describe('the imported graph against onnxruntime, within the bound its precision implies', () => {
  for (const [f, input, dims] of [
    ['three_layer_keras.onnx', 'input_1_0', [1, 16]],
    ['conv2d_small_keras.onnx', 'conv2d_1_input_0', [1, 8, 8, 1]],
  ] as const) {
    for (const precision of ['fixed<32,12>', 'fixed<16,6>']) {
      it(`${f} at ${precision}: every logit within errorBound of onnxruntime's where no value wraps`, async () => {
        const c = await compareWithOrt(f, input, [...dims], precision);
        const inRange = COMPARED - c.outOfRange;
        console.log(
          `${f} with ${precision}: max |logit difference| over ${COMPARED} inputs = ${c.maxDiff}; over the ${inRange} inputs where no value wraps = ${c.maxDiffInRange} ` +
            `(at most ${(100 * c.maxRatio).toFixed(1)}% of the bound; largest bound ${c.maxBound}); argmax agrees on ${c.argmaxAgree}/${COMPARED}`,
        );
        expect(inRange).toBeGreaterThanOrEqual(COMPARED / 4);
        expect(c.maxRatio).toBeLessThanOrEqual(1);
        // and it is not vacuous: within two orders of magnitude of the differences seen
        expect(c.maxRatio).toBeGreaterThan(0.01);
        if (precision === 'fixed<32,12>') expect(c.argmaxAgree).toBe(COMPARED);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// small models built here (standard ONNX ops, NCHW), against onnxruntime

interface Built {
  nodes: onnxProto.onnx.INodeProto[];
  inits: [string, number[], number[]][];
}

/** A model: input x of `inDims`, output y, with the given nodes and float initializers. */
function buildModel(inDims: number[], outDims: number[], b: Built): Uint8Array {
  const vi = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const m = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'test',
    graph: {
      name: 'g',
      node: b.nodes,
      input: [vi('x', inDims)],
      output: [vi('y', outDims)],
      initializer: b.inits.map(([name, dims, values]) => ({ name, dims, dataType: 1, floatData: values })),
    },
  });
  return onnx.ModelProto.encode(m).finish();
}

const attrInts = (name: string, ints: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
const attrInt = (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const attrFloat = (name: string, f: number) => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });

/** Random float32 values in [−1, 1) (and in [lo, hi) for variances). */
function values(n: number, r: () => number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
}

/** NCHW → channels-last (h, w, c) for our input vector. */
function toChannelsLast(x: number[], C: number, H: number, W: number): number[] {
  const y = new Array<number>(x.length);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) y[(h * W + w) * C + c] = x[(c * H + h) * W + w]!;
  return y;
}

/** On 10 random inputs: the largest |difference| from onnxruntime, and the largest |difference| / errorBound. */
async function diffVsOrt(bytes: Uint8Array, g: ModelGraph, inDims: number[], seed: number, precision: string): Promise<{ max: number; ratio: number }> {
  const sess = await ort.InferenceSession.create(bytes);
  const [, C, H, W] = inDims.length === 4 ? inDims : [1, inDims[1]!, 1, inDims[2]!];
  const r = { max: 0, ratio: 0 };
  for (const x of inputs(inDims.reduce((a, b) => a * b, 1), 10, seed)) {
    const out = (await sess.run({ x: new ort.Tensor('float32', Float32Array.from(x), inDims) })).y!.data as Float32Array;
    const ours = forwardModel(g, toChannelsLast(x, C!, H!, W!));
    const bound = errorBound(g, toChannelsLast(x, C!, H!, W!), precision);
    expect(ours).toHaveLength(out.length);
    ours.forEach((v, k) => {
      r.max = Math.max(r.max, Math.abs(v - out[k]!));
      r.ratio = Math.max(r.ratio, Math.abs(v - out[k]!) / bound[k]!);
    });
  }
  return r;
}

describe('small NCHW models built here, against onnxruntime', () => {
  it('Conv 3×3 (same) → BatchNormalization (folded) → Relu → MaxPool → Flatten (c, h, w) → Gemm (transB)', async () => {
    const r = rng(7);
    const bytes = buildModel([1, 2, 6, 6], [1, 4], {
      nodes: [
        { name: 'conv', opType: 'Conv', input: ['x', 'W', 'B'], output: ['c'], attribute: [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1])] },
        { name: 'bn', opType: 'BatchNormalization', input: ['c', 'g', 'b', 'm', 'v'], output: ['n'], attribute: [attrFloat('epsilon', 1e-3)] },
        { name: 'relu', opType: 'Relu', input: ['n'], output: ['r'] },
        { name: 'pool', opType: 'MaxPool', input: ['r'], output: ['p'], attribute: [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])] },
        { name: 'flat', opType: 'Flatten', input: ['p'], output: ['f'], attribute: [attrInt('axis', 1)] },
        { name: 'fc', opType: 'Gemm', input: ['f', 'F', 'FB'], output: ['y'], attribute: [attrInt('transB', 1)] },
      ],
      inits: [
        ['W', [3, 2, 3, 3], values(54, r)],
        ['B', [3], values(3, r)],
        ['g', [3], values(3, r, 0.5, 1.5)],
        ['b', [3], values(3, r)],
        ['m', [3], values(3, r)],
        ['v', [3], values(3, r, 0.5, 2)],
        ['F', [4, 27], values(108, r)],
        ['FB', [4], values(4, r)],
      ],
    });
    const g = await onnxGraph(bytes, 'built.onnx', { precision: ['fixed<32,12>'], input: 'fixed<16,6>' }, 'built');
    expect(g.inputShape).toEqual([6, 6, 2]);
    expect(g.notes).toContain('x is taken channels-last (h, w, c): the ONNX input is NCHW [1, 2, 6, 6]');
    expect(kinds(g)).toEqual(['conv', 'quant', 'relu', 'pool', 'flatten', 'dense', 'quant']);
    expect(g.ops[0]!.meta.notes.join(' ')).toContain('folded into the float weights');
    expect((g.ops[4] as FlattenOp).order).toBe('channels_first');
    const d = await diffVsOrt(bytes, g, [1, 2, 6, 6], 99, 'fixed<32,12>');
    console.log(`built Conv/BN/MaxPool/Flatten/Gemm model with fixed<32,12>: max |difference| = ${d.max} (${(100 * d.ratio).toFixed(1)}% of the bound)`);
    expect(d.ratio).toBeLessThanOrEqual(1);
    // the comparison sees a wrong permutation: the flatten taken in channels-last order
    const wrong = { ...g, ops: g.ops.map((op) => (op.op === 'flatten' ? { ...op, order: 'channels_last' as const } : op)) };
    expect((await diffVsOrt(bytes, wrong, [1, 2, 6, 6], 99, 'fixed<32,12>')).ratio).toBeGreaterThan(10);
  });

  it('Conv1D (valid, stride 2) → AveragePool → Flatten → MatMul + Add, and a Mul/Sub affine', async () => {
    const r = rng(8);
    const bytes = buildModel([1, 3, 12], [1, 2], {
      nodes: [
        { name: 'conv', opType: 'Conv', input: ['x', 'W'], output: ['c'], attribute: [attrInts('kernel_shape', [3]), attrInts('strides', [2])] },
        { name: 'relu', opType: 'Relu', input: ['c'], output: ['r'] },
        { name: 'pool', opType: 'AveragePool', input: ['r'], output: ['p'], attribute: [attrInts('kernel_shape', [2]), attrInts('strides', [2])] },
        { name: 'flat', opType: 'Flatten', input: ['p'], output: ['f'] },
        { name: 'fc', opType: 'MatMul', input: ['f', 'F'], output: ['mm'] },
        { name: 'bias', opType: 'Add', input: ['mm', 'FB'], output: ['a'] },
        { name: 'scale', opType: 'Mul', input: ['a', 'two'], output: ['s'] },
        { name: 'shift', opType: 'Sub', input: ['s', 'one'], output: ['y'] },
      ],
      inits: [
        ['W', [4, 3, 3], values(36, r)],
        ['F', [8, 2], values(16, r)],
        ['FB', [2], values(2, r)],
        ['two', [], [2]],
        ['one', [1], [1]],
      ],
    });
    const g = await onnxGraph(bytes, 'built.onnx', { precision: ['fixed<32,12>'], input: 'fixed<16,6>' }, 'built');
    // [1, 3, 12] → conv k3 s2 valid: [1, 4, 5] → pool 2/2: [1, 4, 2] → flatten 8 → 2
    expect(g.inputShape).toEqual([12, 3]);
    expect(kinds(g)).toEqual(['conv', 'quant', 'relu', 'pool', 'flatten', 'dense', 'quant']);
    const conv = g.ops[0] as ConvOp;
    expect(conv.rank).toBe(1);
    expect(conv.strides).toEqual([1, 2]);
    expect(conv.padding).toBe('valid');
    expect(conv.bias).toBeNull();
    expect((g.ops[4] as FlattenOp).order).toBe('channels_first');
    // MatMul + Add became one dense with a bias; Mul 2, Sub 1 folded into it (float weights)
    const dense = g.ops[5] as DenseOp;
    expect(dense.meta.cls).toBe('MatMul+Add');
    expect(dense.meta.notes.join(' ')).toContain('scale, shift (Mul+Sub) folded');
    const d = await diffVsOrt(bytes, g, [1, 3, 12], 5, 'fixed<32,12>');
    console.log(`built Conv1D/AveragePool/MatMul/Add/Mul/Sub model with fixed<32,12>: max |difference| = ${d.max} (${(100 * d.ratio).toFixed(1)}% of the bound)`);
    expect(d.ratio).toBeLessThanOrEqual(1);
  });
});
