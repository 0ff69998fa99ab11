import { describe, expect, it } from 'vitest';
import { MAX_ELEMENTS, parseSpec } from '../../src/spec/parse.js';
import type { BatchNormLayer, ConvLayer, Layer, PoolLayer, Spec, TableLayer } from '../../src/spec/spec.js';
import { specDoc } from '../helpers/spec-doc.js';
import { specErrorsFor } from '../helpers/spec-errors.js';

// The layer kinds and the input's shape and bipolar format. Every expected number is worked
// out by hand (or with a calculator, as the comments show), never by calling the code under test.

const FILE = 'nets/k.json';
const { expectError } = specErrorsFor(FILE);

/** A network document with `layers` and the given input (default 8-bit signed, no shape). */
function net(layers: unknown[], input: Record<string, unknown> = { width: 8, signed: true }, over: Record<string, unknown> = {}): string {
  return JSON.stringify(specDoc({ weights: undefined, input, layers, ...over }));
}

const parse = (src: string): Spec => parseSpec(src, FILE);

/** The member of the union `L` whose kind includes `K` (ConvLayer for 'conv1d', …). */
type Having<L, K> = L extends { kind: infer Q } ? (K extends Q ? L : never) : never;

/** The layer `n` of the parsed network, checked to be of `kind`. */
function layerAt<K extends Layer['kind']>(spec: Spec, n: number, kind: K): Having<Layer, K> {
  const l = spec.layers[n]!;
  expect(l.kind).toBe(kind);
  return l as Having<Layer, K>;
}

/** A kh×kw×cin×cout kernel of small integers (as JSON numbers). */
function k2(kh: number, kw: number, cin: number, cout: number): number[][][][] {
  return Array.from({ length: kh }, (_, i) => Array.from({ length: kw }, (_, j) => Array.from({ length: cin }, (_, c) => Array.from({ length: cout }, (_, o) => i + j - c + o))));
}

/** A k×cin×cout conv1d kernel. */
function k1(k: number, cin: number, cout: number): number[][][] {
  return k2(1, k, cin, cout)[0]!;
}

/** A rows×cols weights matrix. */
function w(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r - c));
}

const IN_HWC = (h: number, wd: number, c: number): Record<string, unknown> => ({ width: 8, signed: true, shape: [h, wd, c] });
const IN_LC = (l: number, c: number): Record<string, unknown> => ({ width: 8, signed: true, shape: [l, c] });
const OUT4 = { width: 4, signed: true, overflow: 'wrap' };

describe('input.shape', () => {
  it('defaults to [columns of the first dense layer]', () => {
    const s = parse(net([{ weights: w(2, 5) }]));
    expect(s.input).toEqual({ width: 8, signed: true, bipolar: false, shape: [5] });
    expect(s.layers[0]!.inShape).toEqual([5]);
    expect(s.layers[0]!.outShape).toEqual([2]);
  });

  it('gives a dense first layer its shape when the sizes agree, and a single matrix too', () => {
    const s = parse(net([{ weights: w(2, 6) }], { width: 8, signed: true, shape: [2, 3] }));
    expect(s.input.shape).toEqual([2, 3]);
    expect(s.layers[0]!.inShape).toEqual([2, 3]);
    const m = parse(JSON.stringify(specDoc({ input: { width: 8, signed: true, shape: [1, 3] } })));
    expect(m.form).toBe('matrix');
    expect(m.input.shape).toEqual([1, 3]);
    expect(m.layers[0]!.inShape).toEqual([1, 3]);
  });

  it('rejects a first dense layer whose columns differ from the shape\'s size', () => {
    expectError(net([{ weights: w(2, 5) }], { width: 8, signed: true, shape: [2, 3] }), 'layers[0].weights[0]', 'expected 6 entries, one per element of x (input.shape [2, 3]), got 5');
    expectError(net([{ kernel: w(5, 2) }], { width: 8, signed: true, shape: [6] }), 'layers[0].kernel', 'expected 6 rows', 'input.shape [6]', 'got 5');
    expectError(JSON.stringify(specDoc({ input: { width: 8, signed: true, shape: [4] } })), 'weights[0]', 'expected 4 entries', 'input.shape [4]', 'got 3');
  });

  it.each<[unknown, string, ...string[]]>([
    [5, 'input.shape', 'expected [n], [L, C] or [H, W, C]', 'got number 5'],
    [[], 'input.shape', 'expected [n], [L, C] or [H, W, C]', 'got an array of 0'],
    [[1, 2, 3, 4], 'input.shape', 'expected [n], [L, C] or [H, W, C]', 'got an array of 4'],
    [[4, 0], 'input.shape[1]', 'expected a positive integer', 'got number 0'],
    [[4, 1.5], 'input.shape[1]', 'expected a positive integer', 'got number 1.5'],
    [['4'], 'input.shape[0]', 'expected a positive integer', 'got the string "4"'],
    [[-2, 2], 'input.shape[0]', 'expected a positive integer', 'got number -2'],
  ])('rejects the shape %j', (shape, path, ...frags) => {
    expectError(net([{ weights: w(1, 4) }], { width: 8, signed: true, shape }), path, ...frags);
  });

  it(`caps the input at ${MAX_ELEMENTS} elements`, () => {
    expect(MAX_ELEMENTS).toBe(65536);
    expectError(net([{ kind: 'flatten' }], { width: 8, signed: true, shape: [257, 256, 1] }), 'input.shape', 'at most 65536 elements', 'got 257×256×1 = 65792');
    expectError(net([{ kind: 'flatten' }], { width: 8, signed: true, shape: [70000] }), 'input.shape[0]', 'at most 65536', 'got number 70000');
    expect(parse(net([{ kind: 'flatten' }], { width: 8, signed: true, shape: [256, 256, 1] })).layers[0]!.outShape).toEqual([65536]);
  });

  it('requires a shape before a first layer that is not dense, saying which', () => {
    expectError(net([{ kind: 'conv2d', kernel: k2(1, 1, 1, 1) }]), 'input.shape', 'expected [H, W, C]', 'layers[0] (conv2d)', 'got nothing');
    expectError(net([{ kind: 'maxpool1d', pool: 2 }]), 'input.shape', 'expected [L, C]', 'layers[0] (maxpool1d)', 'got nothing');
    expectError(net([{ kind: 'flatten' }]), 'input.shape', 'expected [n], [L, C] or [H, W, C]', 'layers[0] (flatten)', 'got nothing');
  });

  it('lists the new keys for an unknown input key', () => {
    expectError(net([{ weights: w(1, 1) }], { width: 8, signed: true, shapes: [1] }), 'input.shapes', 'unknown key', '"width"', '"signed"', '"bipolar"', '"shape"');
  });
});

describe('input.bipolar', () => {
  it('reads a bipolar input: one bit, unsigned, ±1', () => {
    const s = parse(net([{ weights: w(3, 4) }], { width: 1, bipolar: true }));
    expect(s.input).toEqual({ width: 1, signed: false, bipolar: true, shape: [4] });
    expect(parse(net([{ weights: w(3, 4) }], { width: 1, signed: false, bipolar: true, shape: [2, 2] })).input).toEqual({ width: 1, signed: false, bipolar: true, shape: [2, 2] });
    expect(parse(net([{ weights: w(3, 4) }], { width: 8, signed: true, bipolar: false })).input.bipolar).toBe(false);
  });

  it('requires width 1', () => {
    expectError(net([{ weights: w(1, 2) }], { width: 2, bipolar: true }), 'input.width', 'expected 1', 'bipolar', 'got number 2');
    expectError(net([{ weights: w(1, 2) }], { bipolar: true }), 'input.width', 'expected 1', 'got nothing');
  });

  it('rejects signed: true (and anything but false)', () => {
    expectError(net([{ weights: w(1, 2) }], { width: 1, signed: true, bipolar: true }), 'input.signed', 'expected false or nothing', 'got boolean true');
    expectError(net([{ weights: w(1, 2) }], { width: 1, signed: 0, bipolar: true }), 'input.signed', 'expected false or nothing', 'got number 0');
  });

  it('rejects a bipolar that is not a boolean', () => {
    expectError(net([{ weights: w(1, 2) }], { width: 1, bipolar: 'yes' }), 'input.bipolar', 'expected true', 'or false', 'got the string "yes"');
    expectError(net([{ weights: w(1, 2) }], { width: 1, bipolar: null }), 'input.bipolar', 'expected true', 'got null');
  });

  it('takes width 1 without bipolar as a plain bit: unsigned {0, 1} or signed {−1, 0}', () => {
    expect(parse(net([{ weights: w(1, 2) }], { width: 1, signed: false })).input).toEqual({ width: 1, signed: false, bipolar: false, shape: [2] });
    expect(parse(net([{ weights: w(1, 2) }], { width: 1, signed: true })).input).toEqual({ width: 1, signed: true, bipolar: false, shape: [2] });
    expectError(net([{ weights: w(1, 2) }], { width: 0, signed: false }), 'input.width', 'expected an integer from 1 to 32', 'got number 0');
  });

  it('still requires signed without bipolar', () => {
    expectError(net([{ weights: w(1, 2) }], { width: 4, bipolar: false }), 'input.signed', 'expected true', 'got nothing');
  });
});

describe('layer kinds', () => {
  it('rejects an unknown kind, listing the kinds', () => {
    expectError(net([{ kind: 'conv3d', kernel: [[1]] }]), 'layers[0].kind', 'expected one of "dense", "conv1d", "conv2d", "batchnorm", "maxpool1d", "maxpool2d", "avgpool1d", "avgpool2d", "flatten", "table", "argmax"', 'got the string "conv3d"');
    expectError(net([{ kind: 2, weights: [[1]] }]), 'layers[0].kind', 'expected one of', 'got number 2');
  });

  it.each([
    ['maxpool2d', { kind: 'maxpool2d', pool: 2, bias: [1] }, 'layers[0].bias', ['"pool"', '"strides"', '"padding"', 'maxpool2d']],
    ['maxpool1d', { kind: 'maxpool1d', pool: 2, shift: 1 }, 'layers[0].shift', ['"pool"', 'maxpool1d']],
    ['avgpool2d', { kind: 'avgpool2d', pool: 2, activation: 'relu' }, 'layers[0].activation', ['"shift"', '"rounding"', '"output"', 'avgpool2d']],
    ['flatten', { kind: 'flatten', units: 3 }, 'layers[0].units', ['"kind"', 'flatten']],
    ['argmax', { kind: 'argmax', axis: 0 }, 'layers[0].axis', ['"kind"', 'argmax']],
    ['batchnorm', { kind: 'batchnorm', scale: [1], offset: [0], weights: [[1]] }, 'layers[0].weights', ['"scale"', '"offset"', '"bias"', 'batchnorm']],
    ['conv2d', { kind: 'conv2d', kernel: k2(1, 1, 1, 1), pool: 2 }, 'layers[0].pool', ['"kernel"', '"strides"', '"dilation"', '"weight_frac_bits"', 'conv2d']],
    ['table', { kind: 'table', values: [0, 0], bias: [0] }, 'layers[0].bias', ['"values"', '"function"', '"output_frac_bits"', 'table']],
  ])('rejects a key a %s layer does not have, listing its keys', (_k, layer, path, frags) => {
    expectError(net([layer], IN_HWC(2, 2, 1)), path, 'unknown key', ...frags);
  });

  it('always allows note, description and comment', () => {
    const s = parse(net([{ kind: 'flatten', note: 1, description: 'd', comment: [] }, { kind: 'argmax', note: 'n' }], IN_LC(2, 2)));
    expect(s.layers.map((l) => l.kind)).toEqual(['flatten', 'argmax']);
  });

  it('reads an explicit dense kind as a layer without kind', () => {
    const a = parse(net([{ kind: 'dense', weights: w(2, 3) }]));
    const b = parse(net([{ weights: w(2, 3) }]));
    expect(a).toEqual(b);
    expectError(net([{ kind: 'dense' }]), 'layers[0].weights', 'got neither');
  });

  it('hints at conv kinds when a layer without kind has a nested kernel', () => {
    expectError(net([{ kernel: k1(3, 1, 1) }]), 'layers[0].kernel[0][0]', 'expected an integer', 'got an array', '"kind": "conv1d" or "conv2d"');
  });
});

describe('activations', () => {
  const dense = (extra: Record<string, unknown>): string => net([{ weights: w(2, 3), ...extra }]);

  it('defaults alpha and one to null', () => {
    const l = layerAt(parse(dense({ activation: 'relu' })), 0, 'dense');
    expect([l.alpha, l.one]).toEqual([null, null]);
  });

  it('reads leaky_relu with its alpha', () => {
    const l = layerAt(parse(dense({ activation: 'leaky_relu', alpha: { mult: 13, shift: 7 } })), 0, 'dense');
    expect(l.activation).toBe('leaky_relu');
    expect(l.alpha).toEqual({ mult: 13n, shift: 7 });
    expect(layerAt(parse(dense({ activation: 'leaky_relu', alpha: { mult: -4294967295, shift: 0 } })), 0, 'dense').alpha).toEqual({ mult: -4294967295n, shift: 0 });
  });

  it('requires alpha with leaky_relu and rejects it with anything else', () => {
    expectError(dense({ activation: 'leaky_relu' }), 'layers[0].alpha', 'expected {"mult"', '"shift": 0..62', 'got nothing');
    expectError(dense({ activation: 'relu', alpha: { mult: 1, shift: 1 } }), 'layers[0].alpha', 'expected no "alpha"', '"activation": "relu"');
    expectError(dense({ alpha: { mult: 1, shift: 1 } }), 'layers[0].alpha', 'expected no "alpha"', '"activation": "linear"');
  });

  it.each([
    [{ mult: 4294967296, shift: 1 }, 'layers[0].alpha.mult', ['|mult| < 2^32', 'got 4294967296']],
    [{ mult: -4294967296, shift: 1 }, 'layers[0].alpha.mult', ['|mult| < 2^32']],
    [{ mult: 1.5, shift: 1 }, 'layers[0].alpha.mult', ['expected an integer', 'got 1.5']],
    [{ shift: 1 }, 'layers[0].alpha.mult', ['expected an integer', 'got nothing']],
    [{ mult: 1, shift: 63 }, 'layers[0].alpha.shift', ['expected an integer from 0 to 62', 'got number 63']],
    [{ mult: 1 }, 'layers[0].alpha.shift', ['expected an integer from 0 to 62', 'got nothing']],
    [{ mult: 1, shift: 1, base: 2 }, 'layers[0].alpha.base', ['unknown key', '"mult" or "shift"']],
    [0.1, 'layers[0].alpha', ['expected {"mult"', 'got number 0.1']],
  ])('rejects the alpha %j', (alpha, path, frags) => {
    expectError(dense({ activation: 'leaky_relu', alpha }), path, ...frags);
  });

  it('reads hard_tanh with its one, a power of two', () => {
    expect(layerAt(parse(dense({ activation: 'hard_tanh', one: 256 })), 0, 'dense').one).toBe(256n);
    expect(layerAt(parse(dense({ activation: 'hard_tanh', one: 1 })), 0, 'dense').one).toBe(1n);
    expect(layerAt(parse(dense({ activation: 'hard_tanh', one: '9223372036854775808' })), 0, 'dense').one).toBe(1n << 63n);
  });

  it.each([
    [3, 'got 3'],
    [0, 'got 0'],
    [-4, 'got -4'],
    [96, 'got 96'],
  ])('rejects the hard_tanh one %j', (one, got) => {
    expectError(dense({ activation: 'hard_tanh', one }), 'layers[0].one', 'expected a power of two 2^f', "hard_tanh's 1.0", got);
  });

  it('requires one with hard_tanh and rejects it with anything else', () => {
    expectError(dense({ activation: 'hard_tanh' }), 'layers[0].one', 'expected a power of two 2^f', 'got nothing');
    expectError(dense({ activation: 'relu', one: 4 }), 'layers[0].one', 'expected no "one"', '"activation": "relu"');
  });

  it('reads sign, which takes no shift and no output', () => {
    const l = layerAt(parse(dense({ activation: 'sign', shift: 0 })), 0, 'dense');
    expect([l.activation, l.shift, l.output]).toEqual(['sign', 0, null]);
    expectError(dense({ activation: 'sign', shift: 2 }), 'layers[0].shift', 'expected 0 with "activation": "sign"', 'got 2');
    expectError(dense({ activation: 'sign', output: { width: 1, signed: false } }), 'layers[0].output', 'expected no "output" with "activation": "sign"', 'got an object');
  });

  it('lists every activation in the message for an unknown one', () => {
    expectError(dense({ activation: 'tanh' }), 'layers[0].activation', '"linear" or "relu"', '"leaky_relu" (with "alpha")', '"hard_tanh" (with "one")', '"sign"', 'got the string "tanh"');
  });

  it('takes the post-ops on conv and batchnorm too', () => {
    const c = layerAt(parse(net([{ kind: 'conv1d', kernel: k1(1, 1, 2), activation: 'leaky_relu', alpha: { mult: 1, shift: 3 } }], IN_LC(4, 1))), 0, 'conv1d');
    expect(c.alpha).toEqual({ mult: 1n, shift: 3 });
    const b = layerAt(parse(net([{ kind: 'batchnorm', scale: [1], offset: [0], activation: 'hard_tanh', one: 64 }], IN_LC(4, 1))), 0, 'batchnorm');
    expect(b.one).toBe(64n);
  });
});

describe('conv1d and conv2d', () => {
  it('"same" padding with an even kernel: L = 5, k = 4, s = 1 → out 5, total 3 = 1 before + 2 after', () => {
    const l = layerAt(parse(net([{ kind: 'conv1d', kernel: k1(4, 2, 3), padding: 'same' }], IN_LC(5, 2))), 0, 'conv1d');
    expect(l.inShape).toEqual([5, 2]);
    expect(l.outShape).toEqual([5, 3]);
    expect(l.padBefore).toEqual([0, 1]);
    expect(l.padding).toBe('same');
    expect(l.strides).toEqual([1, 1]);
    expect(l.dilation).toEqual([1, 1]);
    // kept as a conv2d over one row: kernel[1][4][2][3]
    expect(l.kernel.length).toBe(1);
    expect(l.kernel[0]!.length).toBe(4);
    expect(l.kernel[0]![3]![1]![2]).toBe(BigInt(3 - 1 + 2)); // k1: i + j − c + o with i = 0
  });

  it('defaults: valid, strides 1, dilation 1, no post-ops', () => {
    // L = 6, k = 3: 6 − 3 + 1 = 4
    const l = layerAt(parse(net([{ kind: 'conv1d', kernel: k1(3, 1, 2) }], IN_LC(6, 1))), 0, 'conv1d');
    expect(l).toMatchObject({ padding: 'valid', strides: [1, 1], dilation: [1, 1], padBefore: [0, 0], outShape: [4, 2], bias: null, activation: 'linear', alpha: null, one: null, shift: 0, rounding: 'floor', output: null, weightFracBits: null, inputFracBits: null });
  });

  it('a stride larger than the kernel: H = W = 7, k = 2, s = 3 → ⌊(7 − 2) / 3⌋ + 1 = 2', () => {
    const l = layerAt(parse(net([{ kind: 'conv2d', kernel: k2(2, 2, 1, 4), strides: 3 }], IN_HWC(7, 7, 1))), 0, 'conv2d');
    expect(l.strides).toEqual([3, 3]);
    expect(l.outShape).toEqual([2, 2, 4]);
    expect(l.padBefore).toEqual([0, 0]);
  });

  it('"same" with a stride: L = 7, k = 3, s = 2 → out ⌈7/2⌉ = 4, total (4 − 1)·2 + 3 − 7 = 2, 1 before', () => {
    const l = layerAt(parse(net([{ kind: 'conv2d', kernel: k2(3, 3, 1, 1), strides: [2, 1], padding: 'same' }], IN_HWC(7, 7, 1))), 0, 'conv2d');
    // rows: s = 2 → 4 rows, 1 before; columns: s = 1 → 7, total 2, 1 before
    expect(l.outShape).toEqual([4, 7, 1]);
    expect(l.padBefore).toEqual([1, 1]);
  });

  it('"same" where the stride needs no padding: L = 8, k = 1, s = 3 → out 3, total max(2·3 + 1 − 8, 0) = 0', () => {
    const l = layerAt(parse(net([{ kind: 'conv1d', kernel: k1(1, 1, 1), strides: 3, padding: 'same' }], IN_LC(8, 1))), 0, 'conv1d');
    expect(l.outShape).toEqual([3, 1]);
    expect(l.padBefore).toEqual([0, 0]);
    expect(l.strides).toEqual([1, 3]);
  });

  it('dilation: valid L = 10, k = 3, d = 2 spans 5 → 6 outputs; same → 10 outputs, total 4, 2 before', () => {
    const v = layerAt(parse(net([{ kind: 'conv1d', kernel: k1(3, 1, 1), dilation: 2 }], IN_LC(10, 1))), 0, 'conv1d');
    expect(v.dilation).toEqual([1, 2]);
    expect(v.outShape).toEqual([6, 1]);
    const s = layerAt(parse(net([{ kind: 'conv1d', kernel: k1(3, 1, 1), dilation: [2], padding: 'same' }], IN_LC(10, 1))), 0, 'conv1d');
    expect(s.outShape).toEqual([10, 1]);
    expect(s.padBefore).toEqual([0, 2]);
    // conv2d: dilation [2, 1] on 9×9 with a 3×3 kernel → rows 9 − 5 + 1 = 5, columns 9 − 3 + 1 = 7
    const c = layerAt(parse(net([{ kind: 'conv2d', kernel: k2(3, 3, 1, 1), dilation: [2, 1] }], IN_HWC(9, 9, 1))), 0, 'conv2d');
    expect(c.dilation).toEqual([2, 1]);
    expect(c.outShape).toEqual([5, 7, 1]);
  });

  it('reads the bias (one per output channel), the post-ops and the frac bits', () => {
    const l = layerAt(
      parse(net([{ kind: 'conv2d', kernel: k2(1, 1, 2, 3), bias: [1, '-2', 3], activation: 'relu', shift: 1, rounding: 'nearest', output: OUT4, weight_frac_bits: 3, input_frac_bits: 2 }], IN_HWC(2, 2, 2))),
      0,
      'conv2d',
    );
    expect(l).toMatchObject({ bias: [1n, -2n, 3n], activation: 'relu', shift: 1, rounding: 'nearest', output: OUT4, weightFracBits: 3, inputFracBits: 2, outShape: [2, 2, 3] });
    expectError(net([{ kind: 'conv2d', kernel: k2(1, 1, 2, 3), bias: [1, 2] }], IN_HWC(2, 2, 2)), 'layers[0].bias', 'expected 3 integers, one per output channel of layers[0]', 'got 2');
  });

  it('checks the kernel nesting with full paths', () => {
    const bad = k2(2, 1, 1, 3) as unknown[][][][];
    bad[1]![0]![0]![2] = 0.5;
    expectError(net([{ kind: 'conv2d', kernel: bad }], IN_HWC(3, 3, 1)), 'layers[0].kernel[1][0][0][2]', 'expected an integer', 'got 0.5');
    const ragged = k2(2, 1, 3, 2) as unknown[][][][];
    ragged[1]![0]!.pop();
    expectError(net([{ kind: 'conv2d', kernel: ragged }], IN_HWC(3, 3, 3)), 'layers[0].kernel[1][0]', 'expected 3 entries like layers[0].kernel[0][0]', 'got 2');
    const k1bad = k1(2, 3, 2) as unknown[][][];
    k1bad[1]![0]![1] = 'x';
    expectError(net([{ kind: 'conv1d', kernel: k1bad }], IN_LC(4, 3)), 'layers[0].kernel[1][0][1]', 'expected an integer', 'decimal string');
    expectError(net([{ kind: 'conv2d', kernel: k1(2, 1, 1) }], IN_HWC(3, 3, 1)), 'layers[0].kernel[0][0][0]', 'expected an array', 'output channel', 'got number');
    expectError(net([{ kind: 'conv2d', kernel: [] }], IN_HWC(3, 3, 1)), 'layers[0].kernel', 'at least one entry', 'kernel row', 'empty array');
    expectError(net([{ kind: 'conv2d' }], IN_HWC(3, 3, 1)), 'layers[0].kernel', 'expected an array kernel[kh][kw][cin][cout]', 'got nothing');
    expectError(net([{ kind: 'conv1d', kernel: 3 }], IN_LC(3, 1)), 'layers[0].kernel', 'expected an array kernel[k][cin][cout]', 'got number 3');
  });

  it('requires the kernel\'s input channels to match the input', () => {
    expectError(net([{ kind: 'conv2d', kernel: k2(1, 1, 3, 1) }], IN_HWC(4, 4, 2)), 'layers[0].kernel[0][0]', 'expected 2 entries, one per input channel', '[4, 4, 2]', 'got 3');
    expectError(net([{ kind: 'conv1d', kernel: k1(1, 1, 1) }], IN_LC(4, 2)), 'layers[0].kernel[0]', 'expected 2 entries, one per input channel', 'got 1');
  });

  it('caps kernel sides at 64', () => {
    expectError(net([{ kind: 'conv1d', kernel: k1(65, 1, 1) }], IN_LC(100, 1)), 'layers[0].kernel', 'at most 64 entries', 'kernel position', 'got 65');
    expectError(net([{ kind: 'conv2d', kernel: k2(1, 65, 1, 1) }], IN_HWC(1, 100, 1)), 'layers[0].kernel[0]', 'at most 64 entries', 'kernel column', 'got 65');
  });

  it('rejects a valid convolution with no room, naming the axis', () => {
    expectError(net([{ kind: 'conv2d', kernel: k2(2, 5, 1, 1) }], IN_HWC(4, 4, 1)), 'layers[0].kernel', 'along the width axis', 'at most 4', 'got 5');
    expectError(net([{ kind: 'conv2d', kernel: k2(5, 1, 1, 1) }], IN_HWC(4, 4, 1)), 'layers[0].kernel', 'along the height axis');
    expectError(net([{ kind: 'conv1d', kernel: k1(3, 1, 1), dilation: 4 }], IN_LC(8, 1)), 'layers[0].kernel', 'along the length axis', 'got 9 = (3 − 1)·4 + 1');
    // "same" always has room
    expect(layerAt(parse(net([{ kind: 'conv1d', kernel: k1(3, 1, 1), dilation: 4, padding: 'same' }], IN_LC(8, 1))), 0, 'conv1d').outShape).toEqual([8, 1]);
  });

  it.each([
    ['strides', 0, 'layers[0].strides', 'got number 0'],
    ['strides', 65, 'layers[0].strides', 'got number 65'],
    ['strides', [1, 2, 3], 'layers[0].strides', 'got an array of 3'],
    ['strides', [1, 0], 'layers[0].strides[1]', 'got number 0'],
    ['strides', '2', 'layers[0].strides', 'got the string "2"'],
    ['dilation', 1.5, 'layers[0].dilation', 'got number 1.5'],
    ['dilation', [2, 65], 'layers[0].dilation[1]', 'got number 65'],
  ])('rejects conv2d %s %j', (key, v, path, got) => {
    expectError(net([{ kind: 'conv2d', kernel: k2(1, 1, 1, 1), [key]: v }], IN_HWC(4, 4, 1)), path, 'expected an integer from 1 to 64', got);
  });

  it('rejects conv1d strides that are a pair, and an unknown padding', () => {
    expectError(net([{ kind: 'conv1d', kernel: k1(1, 1, 1), strides: [1, 2] }], IN_LC(4, 1)), 'layers[0].strides', 'expected an integer from 1 to 64', 'got an array of 2');
    expectError(net([{ kind: 'conv1d', kernel: k1(1, 1, 1), padding: 'full' }], IN_LC(4, 1)), 'layers[0].padding', 'expected "valid" or "same"', 'got the string "full"');
  });

  it('requires the input\'s shape to fit the kind', () => {
    expectError(net([{ weights: w(4, 3) }, { kind: 'conv2d', kernel: k2(1, 1, 1, 1) }]), 'layers[1]', 'expected an input of shape [H, W, C]', 'conv2d', 'got [4] (the output of layers[0])');
    expectError(net([{ kind: 'conv1d', kernel: k1(1, 1, 1) }], IN_HWC(2, 2, 1)), 'layers[0]', 'expected an input of shape [L, C]', 'got [2, 2, 1] (input.shape)');
  });

  it(`caps a layer's output at ${MAX_ELEMENTS} values`, () => {
    expectError(net([{ kind: 'conv1d', kernel: k1(1, 1, 3), padding: 'same' }], IN_LC(30000, 1)), 'layers[0]', 'at most 65536 values', 'got 30000×3 = 90000');
  });

  it('chains a dense layer after a conv by its flat size, naming the shape', () => {
    const s = parse(net([{ kind: 'conv2d', kernel: k2(2, 2, 1, 2) }, { weights: w(3, 8) }], IN_HWC(3, 3, 1)));
    expect(layerAt(s, 1, 'dense').inShape).toEqual([2, 2, 2]);
    expect(s.layers[1]!.outShape).toEqual([3]);
    expectError(net([{ kind: 'conv2d', kernel: k2(2, 2, 1, 2) }, { weights: w(3, 9) }], IN_HWC(3, 3, 1)), 'layers[1].weights[0]', 'expected 8 entries, one per output of layers[0] (shape [2, 2, 2]), got 9');
  });
});

describe('batchnorm', () => {
  it('reads scale and offset per channel and keeps the shape', () => {
    const l: BatchNormLayer = layerAt(parse(net([{ kind: 'batchnorm', scale: [1, -2, '3'], offset: [0, 5, -7], bias: [1, 1, 1], shift: 2 }], IN_LC(4, 3))), 0, 'batchnorm');
    expect(l).toMatchObject({ scale: [1n, -2n, 3n], offset: [0n, 5n, -7n], bias: [1n, 1n, 1n], shift: 2, inShape: [4, 3], outShape: [4, 3], activation: 'linear', alpha: null, one: null });
  });

  it('works on a flat input after a dense layer', () => {
    const l = layerAt(parse(net([{ weights: w(2, 3) }, { kind: 'batchnorm', scale: [1, 1], offset: [0, 0] }])), 1, 'batchnorm');
    expect(l.outShape).toEqual([2]);
  });

  it('requires scale and offset, one integer per channel', () => {
    expectError(net([{ kind: 'batchnorm', offset: [0, 0] }], IN_LC(4, 2)), 'layers[0].scale', 'expected an array of integers', 'one per channel of layers[0]', 'got nothing');
    expectError(net([{ kind: 'batchnorm', scale: [1, 1] }], IN_LC(4, 2)), 'layers[0].offset', 'expected an array of integers', 'got nothing');
    expectError(net([{ kind: 'batchnorm', scale: [1, 1, 1], offset: [0, 0] }], IN_LC(4, 2)), 'layers[0].scale', 'expected 2 integers, one per channel', '[4, 2]', 'got 3');
    expectError(net([{ kind: 'batchnorm', scale: [1, 1.5], offset: [0, 0] }], IN_LC(4, 2)), 'layers[0].scale[1]', 'expected an integer', 'got 1.5');
    expectError(net([{ kind: 'batchnorm', scale: [1, 1], offset: [0, '18446744073709551616'] }], IN_LC(4, 2)), 'layers[0].offset[1]', '|offset| < 2^64');
    expectError(net([{ kind: 'batchnorm', scale: [1, 1], offset: [0, 0], bias: [1] }], IN_LC(4, 2)), 'layers[0].bias', 'expected 2 integers, one per channel', 'got 1');
  });
});

describe('pools', () => {
  const none = { bias: null, activation: 'linear', alpha: null, one: null };

  it('maxpool2d defaults: strides = pool, valid, and no post-ops', () => {
    // 5×5 with 2×2 windows, stride 2: ⌊(5 − 2) / 2⌋ + 1 = 2
    const l: PoolLayer = layerAt(parse(net([{ kind: 'maxpool2d', pool: 2 }], IN_HWC(5, 5, 3))), 0, 'maxpool2d');
    expect(l).toEqual({ kind: 'maxpool2d', pool: [2, 2], strides: [2, 2], padding: 'valid', padBefore: [0, 0], ...none, shift: 0, rounding: 'floor', output: null, inShape: [5, 5, 3], outShape: [2, 2, 3] });
  });

  it('maxpool1d with a stride and "same": L = 7, pool 3, s = 2 → 4 outputs, total 2, 1 before', () => {
    const l = layerAt(parse(net([{ kind: 'maxpool1d', pool: 3, strides: 2, padding: 'same' }], IN_LC(7, 2))), 0, 'maxpool1d');
    expect(l).toMatchObject({ pool: [1, 3], strides: [1, 2], padBefore: [0, 1], outShape: [4, 2] });
  });

  it('a pair pool and explicit strides on maxpool2d', () => {
    // rows: ⌊(6 − 3) / 1⌋ + 1 = 4; columns ⌊(6 − 2) / 2⌋ + 1 = 3
    const l = layerAt(parse(net([{ kind: 'maxpool2d', pool: [3, 2], strides: [1, 2] }], IN_HWC(6, 6, 1))), 0, 'maxpool2d');
    expect(l.outShape).toEqual([4, 3, 1]);
  });

  it('avgpool shifts by log2 of the window by default (it averages)', () => {
    const a = layerAt(parse(net([{ kind: 'avgpool2d', pool: 2 }], IN_HWC(4, 4, 1))), 0, 'avgpool2d');
    expect(a).toEqual({ kind: 'avgpool2d', pool: [2, 2], strides: [2, 2], padding: 'valid', padBefore: [0, 0], ...none, shift: 2, rounding: 'floor', output: null, inShape: [4, 4, 1], outShape: [2, 2, 1] });
    expect(layerAt(parse(net([{ kind: 'avgpool1d', pool: 8 }], IN_LC(16, 1))), 0, 'avgpool1d').shift).toBe(3);
    expect(layerAt(parse(net([{ kind: 'avgpool2d', pool: [4, 2] }], IN_HWC(4, 4, 1))), 0, 'avgpool2d').shift).toBe(3);
    expect(layerAt(parse(net([{ kind: 'avgpool2d', pool: 1 }], IN_HWC(4, 4, 1))), 0, 'avgpool2d').shift).toBe(0);
  });

  it('avgpool takes an explicit shift, rounding and output', () => {
    const a = layerAt(parse(net([{ kind: 'avgpool2d', pool: 2, shift: 0, rounding: 'nearest', output: OUT4 }], IN_HWC(4, 4, 1))), 0, 'avgpool2d');
    expect([a.shift, a.rounding, a.output]).toEqual([0, 'nearest', OUT4]);
    expectError(net([{ kind: 'avgpool2d', pool: 2, shift: 63 }], IN_HWC(4, 4, 1)), 'layers[0].shift', 'expected an integer from 0 to 62', 'got number 63');
  });

  it('requires a power-of-two window for avgpool', () => {
    expectError(net([{ kind: 'avgpool2d', pool: 3 }], IN_HWC(6, 6, 1)), 'layers[0].pool', 'a window of 3×3 = 9 positions is not a power of two');
    expectError(net([{ kind: 'avgpool1d', pool: 3 }], IN_LC(6, 1)), 'layers[0].pool', 'a window of 3 positions is not a power of two');
    // maxpool does not care
    expect(layerAt(parse(net([{ kind: 'maxpool2d', pool: 3 }], IN_HWC(6, 6, 1))), 0, 'maxpool2d').outShape).toEqual([2, 2, 1]);
  });

  it('requires pool, within 1..64', () => {
    expectError(net([{ kind: 'maxpool2d' }], IN_HWC(4, 4, 1)), 'layers[0].pool', 'expected an integer from 1 to 64 or a pair [ph, pw]', 'got nothing');
    expectError(net([{ kind: 'maxpool1d' }], IN_LC(4, 1)), 'layers[0].pool', 'expected an integer from 1 to 64', 'got nothing');
    expectError(net([{ kind: 'maxpool2d', pool: 65 }], IN_HWC(4, 4, 1)), 'layers[0].pool', 'got number 65');
    expectError(net([{ kind: 'maxpool2d', pool: [2, 0] }], IN_HWC(4, 4, 1)), 'layers[0].pool[1]', 'got number 0');
    expectError(net([{ kind: 'maxpool2d', pool: 2, strides: 0 }], IN_HWC(4, 4, 1)), 'layers[0].strides', 'got number 0');
  });

  it('rejects a valid window wider than the input, naming the axis', () => {
    expectError(net([{ kind: 'maxpool2d', pool: [1, 5] }], IN_HWC(4, 4, 1)), 'layers[0].pool', 'along the width axis', 'got 5');
    expectError(net([{ kind: 'maxpool1d', pool: 5 }], IN_LC(4, 1)), 'layers[0].pool', 'along the length axis', 'got 5');
  });

  it('requires [L, C] for 1d and [H, W, C] for 2d', () => {
    expectError(net([{ kind: 'maxpool2d', pool: 2 }], IN_LC(4, 1)), 'layers[0]', 'expected an input of shape [H, W, C]', 'got [4, 1] (input.shape)');
    expectError(net([{ kind: 'avgpool1d', pool: 2 }], IN_HWC(4, 4, 1)), 'layers[0]', 'expected an input of shape [L, C]');
  });
});

describe('flatten and argmax', () => {
  it('flatten gives [n]', () => {
    const s = parse(net([{ kind: 'flatten' }, { weights: w(2, 12) }], IN_HWC(2, 3, 2)));
    expect(layerAt(s, 0, 'flatten')).toEqual({ kind: 'flatten', inShape: [2, 3, 2], outShape: [12] });
    expect(s.layers[1]!.inShape).toEqual([12]);
  });

  it('argmax is last and gives one value', () => {
    const s = parse(net([{ weights: w(4, 3) }, { kind: 'argmax' }]));
    expect(layerAt(s, 1, 'argmax')).toEqual({ kind: 'argmax', inShape: [4], outShape: [1] });
    expectError(net([{ weights: w(4, 3) }, { kind: 'argmax' }, { weights: w(1, 1) }, { weights: w(1, 1) }]), 'layers[1]', 'expected "argmax" only as the last layer', 'got 2 layers after it');
  });
});

/** A table as the first layer over the input format, x of shape [2]. */
function table(input: Record<string, unknown>, t: Record<string, unknown>): TableLayer {
  return layerAt(parse(net([{ kind: 'table', ...t }], { ...input, shape: [2] })), 0, 'table');
}

const S4 = { width: 4, signed: true };
const OUT_U9 = { width: 9, signed: false };

describe('table: values', () => {
  it('keeps the values and the shape; without output they are full precision', () => {
    const t = table({ width: 2, signed: false }, { values: [0, 100, 300, -5] });
    expect(t).toEqual({ kind: 'table', input: { width: 2, signed: false }, entries: [0n, 100n, 300n, -5n], function: null, output: null, inShape: [2], outShape: [2] });
  });

  it('fits the values to the output: saturate by default, or wrap', () => {
    expect(table({ width: 2, signed: false }, { values: [0, 100, 300, -5], output: { width: 8, signed: false } }).entries).toEqual([0n, 100n, 255n, 0n]);
    expect(table({ width: 2, signed: false }, { values: [0, 100, 300, -5], output: { width: 8, signed: false, overflow: 'wrap' } }).entries).toEqual([0n, 100n, 44n, 251n]);
    expect(table({ width: 2, signed: false }, { values: [0, 0, 0, 0], output: { width: 8, signed: false } }).output).toEqual({ width: 8, signed: false, overflow: 'saturate' });
  });

  it('requires exactly 2^width integers', () => {
    expectError(net([{ kind: 'table', values: [1, 2, 3] }], { width: 2, signed: true, shape: [1] }), 'layers[0].values', 'expected 4 integers', '2-bit signed', '-2 to 1', 'got 3');
    expectError(net([{ kind: 'table', values: 'x' }], { width: 2, signed: true, shape: [1] }), 'layers[0].values', 'expected an array of 4 integers', 'got the string "x"');
    expectError(net([{ kind: 'table', values: [1, 2, 1.5, 3] }], { width: 2, signed: true, shape: [1] }), 'layers[0].values[2]', 'expected an integer', 'got 1.5');
  });

  it('rejects the function-only keys with values', () => {
    for (const k of ['input_frac_bits', 'output_frac_bits', 'rounding']) {
      expectError(net([{ kind: 'table', values: [1, 2, 3, 4], [k]: 1 }], { width: 2, signed: true, shape: [1] }), `layers[0].${k}`, `expected "${k}" only with "function"`);
    }
  });

  it('requires exactly one of values and function', () => {
    expectError(net([{ kind: 'table', values: [1, 2, 3, 4], function: 'tanh' }], { width: 2, signed: true, shape: [1] }), 'layers[0].function', 'exactly one of "values"', 'got both');
    expectError(net([{ kind: 'table' }], { width: 2, signed: true, shape: [1] }), 'layers[0].values', '"values"', '"function"', '"sigmoid"', 'got neither');
  });
});

describe('table: functions', () => {
  it('sigmoid over 4-bit signed x/2 into 8 fractional bits, ends and middle', () => {
    // x = v/2 for v = −8..7; entry = round(256 / (1 + e^−x)), halves up:
    //   v = −8: 256 / (1 + e^4)   = 4.6045  → 5
    //   v = −1: 256 / (1 + e^0.5) = 96.6504 → 97
    //   v =  0: 128                          → 128
    //   v =  7: 256 / (1 + e^−3.5) = 248.4961 → 248
    const t = table(S4, { function: 'sigmoid', input_frac_bits: 1, output_frac_bits: 8, output: OUT_U9 });
    expect(t.entries.length).toBe(16);
    expect(t.function).toBe('sigmoid');
    expect(t.input).toEqual({ width: 4, signed: true });
    expect(t.output).toEqual({ width: 9, signed: false, overflow: 'saturate' });
    expect([t.entries[0], t.entries[7], t.entries[8], t.entries[15]]).toEqual([5n, 97n, 128n, 248n]);
    // the whole table, by the same hand computation
    expect(t.entries).toEqual([5n, 8n, 12n, 19n, 31n, 47n, 69n, 97n, 128n, 159n, 187n, 209n, 225n, 237n, 244n, 248n]);
    // the same expression as a cross-check of the literals
    expect(t.entries.map(Number)).toEqual(Array.from({ length: 16 }, (_, k) => Math.floor(256 / (1 + Math.exp(-(k - 8) / 2)) + 0.5)));
  });

  it('floor rounding of sigmoid', () => {
    const t = table(S4, { function: 'sigmoid', input_frac_bits: 1, output_frac_bits: 8, rounding: 'floor', output: OUT_U9 });
    expect([t.entries[0], t.entries[7], t.entries[8], t.entries[15]]).toEqual([4n, 96n, 128n, 248n]);
  });

  it('gelu (erf form), tanh, softplus and silu at a few points', () => {
    // gelu(x) = x/2·(1 + erf(x/√2)), x = v/2, ×256: v = −2 → −40.6157 → −41; v = −6 → −1.0367 → −1;
    // v = 3 → 358.3460 → 358; v = 7 → 895.7916 → 896
    const g = table(S4, { function: 'gelu', input_frac_bits: 1, output_frac_bits: 8, output: { width: 12, signed: true } });
    expect([g.entries[6], g.entries[2], g.entries[11], g.entries[15]]).toEqual([-41n, -1n, 358n, 896n]);
    // x = v/4, ×64: tanh(−2) → −61.6978 → −62; tanh(0.75) → 40.6495 → 41
    const th = table(S4, { function: 'tanh', input_frac_bits: 2, output_frac_bits: 6, output: { width: 8, signed: true } });
    expect([th.entries[0], th.entries[8], th.entries[11]]).toEqual([-62n, 0n, 41n]);
    // softplus = ln(1 + e^x): x = −2 → 8.1234 → 8; x = 0 → 44.3614 → 44; x = 1.75 → 122.2543 → 122
    const sp = table(S4, { function: 'softplus', input_frac_bits: 2, output_frac_bits: 6, output: { width: 8, signed: false } });
    expect([sp.entries[0], sp.entries[8], sp.entries[15]]).toEqual([8n, 44n, 122n]);
    // silu = x·sigmoid(x): x = −2 → −15.2580 → −15; x = 0.75 → 32.6006 → 33
    const si = table(S4, { function: 'silu', input_frac_bits: 2, output_frac_bits: 6, output: { width: 8, signed: true } });
    expect([si.entries[0], si.entries[8], si.entries[11]]).toEqual([-15n, 0n, 33n]);
  });

  it('exp saturates at the output range', () => {
    // e^5 = 148.41 → 148; e^6 = 403.4 → 255 (saturated); e^−8 → 0
    const t = table(S4, { function: 'exp', input_frac_bits: 0, output_frac_bits: 0, output: { width: 8, signed: false } });
    expect([t.entries[0], t.entries[13], t.entries[14], t.entries[15]]).toEqual([0n, 148n, 255n, 255n]);
  });

  it('exp overflowing float64 (e^8191) is clamped, not thrown, even with wrap', () => {
    const big = table({ width: 14, signed: true }, { function: 'exp', input_frac_bits: 0, output_frac_bits: 0, output: { width: 16, signed: true } });
    expect(big.entries.length).toBe(16384);
    expect(big.entries[16383]).toBe(32767n);
    expect(big.entries[0]).toBe(0n);
    const wrap = table({ width: 14, signed: true }, { function: 'exp', input_frac_bits: 0, output_frac_bits: 64, output: { width: 64, signed: false, overflow: 'wrap' } });
    expect(wrap.entries[16383]).toBe((1n << 64n) - 1n);
  });

  it('softsign is exact at halves: x/(1+|x|) for x = −4..3, nearest rounds halves up', () => {
    // −4/5 → −1; −3/4 → −1; −2/3 → −1; −1/2 → 0 (half up); 0; 1/2 → 1; 2/3 → 1; 3/4 → 1
    const n = table({ width: 3, signed: true }, { function: 'softsign', input_frac_bits: 0, output_frac_bits: 0, output: { width: 4, signed: true } });
    expect(n.entries).toEqual([-1n, -1n, -1n, 0n, 0n, 1n, 1n, 1n]);
    const f = table({ width: 3, signed: true }, { function: 'softsign', input_frac_bits: 0, output_frac_bits: 0, rounding: 'floor', output: { width: 4, signed: true } });
    expect(f.entries).toEqual([-1n, -1n, -1n, -1n, 0n, 0n, 0n, 0n]);
  });

  it('softsign where float64 would mis-round: x = 2^−60, ×2^59 is 2^59/(2^60 + 1), just below 1/2', () => {
    // v = 1: 2^59 / (2^60 + 1) < 1/2 → 0 (in float 1 + 2^−60 is 1, giving exactly 1/2 → 1)
    // v = −1: just above −1/2 → 0; v = −2: −2^60/(2^60 + 2) ≈ −0.99999 → −1
    const t = table({ width: 2, signed: true }, { function: 'softsign', input_frac_bits: 60, output_frac_bits: 59, output: { width: 8, signed: true } });
    expect(t.entries).toEqual([-1n, 0n, 0n, 0n]);
  });

  it('hard_sigmoid is relu6(x + 3)/6, exact', () => {
    // x = −4..3, ×4: 0, 0, 4/6·… : (x + 3)·4/6 clamped: −4 → 0; −3 → 0; −2 → 0.667 → 1; −1 → 1.333 → 1;
    // 0 → 2; 1 → 2.667 → 3; 2 → 3.333 → 3; 3 → 4
    const t = table({ width: 3, signed: true }, { function: 'hard_sigmoid', input_frac_bits: 0, output_frac_bits: 2, output: { width: 4, signed: false } });
    expect(t.entries).toEqual([0n, 0n, 1n, 1n, 2n, 3n, 3n, 4n]);
    // at x = 0 with no fraction bits the result is exactly 1/2: nearest → 1, floor → 0
    const h = table({ width: 3, signed: true }, { function: 'hard_sigmoid', input_frac_bits: 0, output_frac_bits: 0, output: { width: 2, signed: false } });
    expect(h.entries[4]).toBe(1n);
    const hf = table({ width: 3, signed: true }, { function: 'hard_sigmoid', input_frac_bits: 0, output_frac_bits: 0, rounding: 'floor', output: { width: 2, signed: false } });
    expect(hf.entries[4]).toBe(0n);
  });

  it('hard_sigmoid where float64 would mis-round: (3 − 2^−60)/6 is just below 1/2', () => {
    // v = −2, −1, 0, 1 with x = v·2^−60: (3 + x)/6 → 0, 0 (float: 3 − 2^−60 is 3, giving 1/2 → 1), 1, 1
    const t = table({ width: 2, signed: true }, { function: 'hard_sigmoid', input_frac_bits: 60, output_frac_bits: 0, output: { width: 2, signed: false } });
    expect(t.entries).toEqual([0n, 0n, 1n, 1n]);
  });

  it('wraps when asked', () => {
    // e^5 = 148.41 → 148, as a signed 8-bit value 148 − 256 = −108
    const t = table(S4, { function: 'exp', input_frac_bits: 0, output_frac_bits: 0, output: { width: 8, signed: true, overflow: 'wrap' } });
    expect(t.entries[13]).toBe(-108n);
  });

  it.each([
    [{ function: 'relu', input_frac_bits: 0, output_frac_bits: 0, output: OUT_U9 }, 'layers[0].function', ['"sigmoid"', '"tanh"', '"exp"', '"softplus"', '"gelu"', '"silu"', '"softsign"', '"hard_sigmoid"', 'got the string "relu"']],
    [{ function: 'tanh', output_frac_bits: 0, output: OUT_U9 }, 'layers[0].input_frac_bits', ['expected an integer from 0 to 64', 'required with "function"', 'got nothing']],
    [{ function: 'tanh', input_frac_bits: 0, output: OUT_U9 }, 'layers[0].output_frac_bits', ['expected an integer from 0 to 64', 'got nothing']],
    [{ function: 'tanh', input_frac_bits: 65, output_frac_bits: 0, output: OUT_U9 }, 'layers[0].input_frac_bits', ['expected an integer from 0 to 64', 'got number 65']],
    [{ function: 'tanh', input_frac_bits: 0, output_frac_bits: -1, output: OUT_U9 }, 'layers[0].output_frac_bits', ['got number -1']],
    [{ function: 'tanh', input_frac_bits: 0, output_frac_bits: 0 }, 'layers[0].output', ['expected an object', 'required with "function"', 'got nothing']],
    [{ function: 'tanh', input_frac_bits: 0, output_frac_bits: 0, rounding: 'up', output: OUT_U9 }, 'layers[0].rounding', ['expected "floor", "nearest" or "nearest_even" (default "nearest")', 'got the string "up"']],
    [{ function: 'tanh', input_frac_bits: 0, output_frac_bits: 0, output: { width: 0, signed: false } }, 'layers[0].output.width', ['from 1 to 64', 'got number 0']],
  ])('rejects the table %j', (t, path, frags) => {
    expectError(net([{ kind: 'table', ...t }], { width: 4, signed: true, shape: [1] }), path, ...frags);
  });
});

describe('table: the format it looks up', () => {
  it('takes the output of the layer before', () => {
    const s = parse(net([{ weights: w(3, 2), output: { width: 5, signed: false } }, { kind: 'table', function: 'sigmoid', input_frac_bits: 2, output_frac_bits: 4, output: { width: 5, signed: false } }]));
    const t = layerAt(s, 1, 'table');
    expect(t.input).toEqual({ width: 5, signed: false });
    expect(t.entries.length).toBe(32);
    expect(t.inShape).toEqual([3]);
  });

  it('through maxpool and flatten, and after another table', () => {
    const s = parse(
      net(
        [
          { kind: 'conv2d', kernel: k2(1, 1, 1, 2), output: OUT4 },
          { kind: 'maxpool2d', pool: 2 },
          { kind: 'flatten' },
          { kind: 'table', values: Array.from({ length: 16 }, (_, k) => k), output: { width: 3, signed: true } },
          { kind: 'table', values: Array.from({ length: 8 }, (_, k) => -k) },
        ],
        IN_HWC(4, 4, 1),
      ),
    );
    expect(layerAt(s, 3, 'table').input).toEqual({ width: 4, signed: true });
    expect(layerAt(s, 3, 'table').inShape).toEqual([8]);
    expect(layerAt(s, 4, 'table').input).toEqual({ width: 3, signed: true });
    // values 0..15 saturated to 3-bit signed −4..3: the looked-up −8..7 give 0..15 → 0, 1, 2, 3, 3, …
    expect(layerAt(s, 3, 'table').entries.slice(0, 6)).toEqual([0n, 1n, 2n, 3n, 3n, 3n]);
  });

  it('takes the input format for a first table', () => {
    expect(table({ width: 3, signed: false }, { values: [0, 1, 2, 3, 4, 5, 6, 7] }).input).toEqual({ width: 3, signed: false });
  });

  it('needs an output on the layer before', () => {
    expectError(net([{ weights: w(3, 2) }, { kind: 'table', values: [0, 1] }]), 'layers[1]', 'the layer before needs an "output"', 'give layers[0] one');
    expectError(
      net([{ kind: 'conv2d', kernel: k2(1, 1, 1, 1) }, { kind: 'maxpool2d', pool: 2 }, { kind: 'flatten' }, { kind: 'table', values: [0, 1] }], IN_HWC(4, 4, 1)),
      'layers[3]',
      'give layers[0] one',
      'layers[1] to layers[2] keep its format',
    );
    expectError(net([{ kind: 'conv2d', kernel: k2(1, 1, 1, 1) }, { kind: 'flatten' }, { kind: 'table', values: [0, 1] }], IN_HWC(4, 4, 1)), 'layers[2]', 'give layers[0] one (layers[1] keeps its format)');
    expectError(net([{ kind: 'avgpool1d', pool: 2 }, { kind: 'table', values: [0, 1] }], IN_LC(4, 1)), 'layers[1]', 'give layers[0] one');
  });

  it('cannot look up bipolar values', () => {
    expectError(net([{ kind: 'table', values: [0, 1] }], { width: 1, bipolar: true, shape: [2] }), 'layers[0]', 'bipolar', 'the input');
    expectError(net([{ weights: w(2, 2), activation: 'sign' }, { kind: 'table', values: [0, 1] }]), 'layers[1]', 'bipolar', 'layers[0] ("activation": "sign")');
  });

  it('names the layer when the values are wider than 14 bits', () => {
    expectError(net([{ kind: 'table', function: 'tanh', input_frac_bits: 0, output_frac_bits: 0, output: OUT4 }], { width: 16, signed: true, shape: [1] }), 'layers[0]', 'at most 14 bits', 'got 16-bit values (2^16 = 65536 entries) from input.width');
    expectError(net([{ weights: w(1, 1), output: { width: 15, signed: false } }, { kind: 'table', values: [] }]), 'layers[1]', 'at most 14 bits', '15-bit values', 'from layers[0].output');
  });
});

describe('the examples of every kind', () => {
  const examples: [string, unknown[], Record<string, unknown>, number[][]][] = [
    ['dense', [{ kind: 'dense', weights: [[1, -2, 3], [0, 4, 5]], bias: [1, -1], activation: 'relu', shift: 1, output: { width: 8, signed: false } }], { width: 8, signed: true }, [[2]]],
    ['conv1d', [{ kind: 'conv1d', kernel: k1(3, 2, 4), strides: 1, padding: 'same', dilation: 1, bias: [0, 1, 2, 3], activation: 'relu' }], IN_LC(16, 2), [[16, 4]]],
    ['conv2d', [{ kind: 'conv2d', kernel: k2(3, 3, 1, 8), strides: [1, 1], padding: 'valid', dilation: [1, 1], output: OUT4 }], IN_HWC(28, 28, 1), [[26, 26, 8]]],
    ['batchnorm', [{ kind: 'batchnorm', scale: [3, 5], offset: [-1, 2], shift: 2 }], IN_LC(8, 2), [[8, 2]]],
    ['maxpool1d', [{ kind: 'maxpool1d', pool: 2 }], IN_LC(16, 4), [[8, 4]]],
    ['maxpool2d', [{ kind: 'maxpool2d', pool: [2, 2], strides: [2, 2], padding: 'valid' }], IN_HWC(26, 26, 8), [[13, 13, 8]]],
    ['avgpool1d', [{ kind: 'avgpool1d', pool: 4, rounding: 'nearest' }], IN_LC(16, 4), [[4, 4]]],
    ['avgpool2d', [{ kind: 'avgpool2d', pool: 2, output: { width: 8, signed: true, overflow: 'saturate' } }], IN_HWC(8, 8, 3), [[4, 4, 3]]],
    ['flatten', [{ kind: 'flatten' }], IN_HWC(4, 4, 3), [[48]]],
    ['table', [{ kind: 'table', function: 'sigmoid', input_frac_bits: 4, output_frac_bits: 7, output: { width: 8, signed: false } }], IN_LC(4, 2), [[4, 2]]],
    ['argmax', [{ weights: w(10, 16) }, { kind: 'argmax' }], { width: 8, signed: true }, [[10], [1]]],
  ];

  it.each(examples)('parses the %s example', (kind, layers, input, outs) => {
    const s = parse(net(layers, input));
    expect(s.layers[layers.length - 1]!.kind).toBe(kind);
    expect(s.layers.map((l) => l.outShape)).toEqual(outs);
  });

  it('parses a whole small network of the kinds chained', () => {
    const s = parse(
      net(
        [
          { kind: 'conv2d', kernel: k2(3, 3, 1, 2), padding: 'same', activation: 'relu', shift: 2, output: { width: 6, signed: false, overflow: 'saturate' } },
          { kind: 'batchnorm', scale: [2, 3], offset: [1, -1], output: { width: 8, signed: true } },
          { kind: 'maxpool2d', pool: 2 },
          { kind: 'avgpool2d', pool: 2, output: OUT4 },
          { kind: 'flatten' },
          { kind: 'table', function: 'tanh', input_frac_bits: 2, output_frac_bits: 3, output: OUT4 },
          { weights: w(3, 8), activation: 'leaky_relu', alpha: { mult: 1, shift: 3 } },
          { kind: 'argmax' },
        ],
        IN_HWC(8, 8, 1),
      ),
    );
    expect(s.layers.map((l) => l.kind)).toEqual(['conv2d', 'batchnorm', 'maxpool2d', 'avgpool2d', 'flatten', 'table', 'dense', 'argmax']);
    expect(s.layers.map((l) => l.outShape)).toEqual([[8, 8, 2], [8, 8, 2], [4, 4, 2], [2, 2, 2], [8], [8], [3], [1]]);
    for (let n = 1; n < s.layers.length; n++) expect(s.layers[n]!.inShape).toEqual(s.layers[n - 1]!.outShape);
    expect(s.input).toEqual({ width: 8, signed: true, bipolar: false, shape: [8, 8, 1] });
    const c: ConvLayer = layerAt(s, 0, 'conv2d');
    expect(c.padBefore).toEqual([1, 1]);
  });

  it('parses a bipolar network (sign between dense layers)', () => {
    const s = parse(net([{ weights: w(4, 6), activation: 'sign' }, { weights: w(2, 4) }], { width: 1, bipolar: true, shape: [6] }));
    expect(s.input.bipolar).toBe(true);
    expect(layerAt(s, 0, 'dense').activation).toBe('sign');
  });
});
