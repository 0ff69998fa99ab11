import { describe, expect, it } from 'vitest';
import { layerReference, networkReference, referenceOf } from '../../src/sim/reference.js';
import { NO_POST_OPS } from '../../src/spec/spec.js';
import type {
  ArgmaxLayer,
  BatchNormLayer,
  ConvLayer,
  DenseLayer,
  FlattenLayer,
  InputSpec,
  Layer,
  PoolLayer,
  PostOps,
  Spec,
  TableLayer,
} from '../../src/spec/spec.js';

// Every layer kind of spec.ts through the reference model. Every expected value below was worked
// out by hand (see the comments), never by running the code under test. Specs are built directly
// (not parsed), so the shapes, padding and strides are written out as the parser would set them.
// Flat vectors are channels-last: element (h, w, c) of [H, W, C] is v[(h·W + w)·C + c].

function net(layers: Layer[], input: Partial<InputSpec> = {}, withScore = false): Spec {
  return {
    format: 1,
    name: 'net',
    input: { width: 8, signed: true, bipolar: false, shape: [...layers[0]!.inShape], ...input },
    layers,
    score: withScore ? { kind: 'sum_of_squares', of: 'last' } : null,
    form: 'layers',
  };
}

/** The outputs of a one-layer network. */
function run(layer: Layer, x: bigint[], input: Partial<InputSpec> = {}): bigint[] {
  return networkReference(net([layer], input), x).y;
}

function dense(weights: bigint[][], post: Partial<PostOps> = {}): DenseLayer {
  return { kind: 'dense', weights, ...NO_POST_OPS, ...post, weightFracBits: null, inputFracBits: null, inShape: [weights[0]!.length], outShape: [weights.length] };
}

/** The output of the identity layer [[1]] with the post-ops, for each single input. */
function through(post: Partial<PostOps>, xs: bigint[]): bigint[] {
  return xs.map((x) => run(dense([[1n]], post), [x])[0]!);
}

interface ConvOpts {
  kind?: 'conv1d' | 'conv2d';
  strides?: [number, number];
  dilation?: [number, number];
  padding?: 'valid' | 'same';
  padBefore?: [number, number];
  post?: Partial<PostOps>;
}

function conv(kernel: bigint[][][][], inShape: number[], outShape: number[], o: ConvOpts = {}): ConvLayer {
  return {
    kind: o.kind ?? 'conv2d',
    kernel,
    strides: o.strides ?? [1, 1],
    dilation: o.dilation ?? [1, 1],
    padding: o.padding ?? 'valid',
    padBefore: o.padBefore ?? [0, 0],
    ...NO_POST_OPS,
    ...o.post,
    weightFracBits: null,
    inputFracBits: null,
    inShape,
    outShape,
  };
}

/** A conv1d kernel (kh = 1) with one input and one output channel, from its taps. */
function taps1d(w: bigint[]): bigint[][][][] {
  return [w.map((v) => [[v]])];
}

/** A conv2d kernel with one input and one output channel, from its kh × kw taps. */
function taps2d(w: bigint[][]): bigint[][][][] {
  return w.map((row) => row.map((v) => [[v]]));
}

function pool(
  kind: PoolLayer['kind'],
  size: [number, number],
  strides: [number, number],
  padding: 'valid' | 'same',
  padBefore: [number, number],
  inShape: number[],
  outShape: number[],
  post: Partial<PostOps> = {},
): PoolLayer {
  return { kind, pool: size, strides, padding, padBefore, ...NO_POST_OPS, ...post, inShape, outShape };
}

describe('conv1d', () => {
  it('valid, k = 3 on L = 5', () => {
    // w = [1, 2, -1], x = [3, -1, 4, 1, -5]; out(t) = x[t] + 2·x[t+1] − x[t+2]:
    // t = 0: 3 − 2 − 4 = −3;  t = 1: −1 + 8 − 1 = 6;  t = 2: 4 + 2 + 5 = 11.
    const layer = conv(taps1d([1n, 2n, -1n]), [5, 1], [3, 1], { kind: 'conv1d' });
    expect(run(layer, [3n, -1n, 4n, 1n, -5n])).toEqual([-3n, 6n, 11n]);
  });

  it('same with an even kernel, k = 4 on L = 5: padding 1 before, 2 after', () => {
    // w = [1, 2, 3, 4], x = [3, -1, 4, 1, -5]; out(t) = Σ_j w[j]·x[t + j − 1], x outside [0, 5) zero.
    // t = 0: 0 + 2·3 + 3·(−1) + 4·4 = 6 − 3 + 16 = 19
    // t = 1: 3 + 2·(−1) + 3·4 + 4·1 = 3 − 2 + 12 + 4 = 17
    // t = 2: −1 + 2·4 + 3·1 + 4·(−5) = −1 + 8 + 3 − 20 = −10
    // t = 3: 4 + 2·1 + 3·(−5) + 0 = 4 + 2 − 15 = −9
    // t = 4: 1 + 2·(−5) + 0 + 0 = −9
    const layer = conv(taps1d([1n, 2n, 3n, 4n]), [5, 1], [5, 1], { kind: 'conv1d', padding: 'same', padBefore: [0, 1] });
    expect(run(layer, [3n, -1n, 4n, 1n, -5n])).toEqual([19n, 17n, -10n, -9n, -9n]);
  });

  it('stride 2 over two input channels', () => {
    // x is [L = 5, C = 2]: channel 0 = [1, 2, 3, 4, 5], channel 1 = [−1, 0, 1, 0, −1];
    // flat: [1, −1, 2, 0, 3, 1, 4, 0, 5, −1]. k = 2, cout 1: kernel[0][j][ci][0] =
    // j = 0: [1, 10], j = 1: [−1, 100]. Output L = ⌊(5 − 2) / 2⌋ + 1 = 2, t at 0 and 2:
    // t = 0: 1·1 + 10·(−1) − 1·2 + 100·0 = 1 − 10 − 2 = −11
    // t = 1: (x at 2, 3) 1·3 + 10·1 − 1·4 + 100·0 = 3 + 10 − 4 = 9
    const kernel = [[[[1n], [10n]], [[-1n], [100n]]]];
    const layer = conv(kernel, [5, 2], [2, 1], { kind: 'conv1d', strides: [1, 2] });
    expect(run(layer, [1n, -1n, 2n, 0n, 3n, 1n, 4n, 0n, 5n, -1n])).toEqual([-11n, 9n]);
  });
});

/** v(h, w) = 10·h + w over an H × W × 1 grid, flat. */
function grid(H: number, W: number): bigint[] {
  const v: bigint[] = [];
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) v.push(BigInt(10 * h + w));
  return v;
}

describe('conv2d', () => {
  it('stride 3, larger than the 2 × 2 kernel', () => {
    // 5 × 5 input v(h, w) = 10h + w; kernel [[1, 2], [3, 4]]; output ⌊(5 − 2) / 3⌋ + 1 = 2 per axis.
    // out(oh, ow) with r = 3·oh, c = 3·ow: v(r, c) + 2·v(r, c+1) + 3·v(r+1, c) + 4·v(r+1, c+1)
    // (0, 0): 0 + 2·1 + 3·10 + 4·11 = 76
    // (0, 1): 3 + 2·4 + 3·13 + 4·14 = 3 + 8 + 39 + 56 = 106
    // (1, 0): 30 + 2·31 + 3·40 + 4·41 = 30 + 62 + 120 + 164 = 376
    // (1, 1): 33 + 2·34 + 3·43 + 4·44 = 33 + 68 + 129 + 176 = 406
    const layer = conv(taps2d([[1n, 2n], [3n, 4n]]), [5, 5, 1], [2, 2, 1], { strides: [3, 3] });
    expect(run(layer, grid(5, 5))).toEqual([76n, 106n, 376n, 406n]);
  });

  it('dilation 2 on a 5 × 4 input', () => {
    // v(h, w) = 10h + w, h < 5, w < 4; kernel [[1, −1], [2, 1]] dilated by 2 spans 3 × 3, so
    // the output is 3 × 2: out(oh, ow) = v(oh, ow) − v(oh, ow+2) + 2·v(oh+2, ow) + v(oh+2, ow+2).
    // (0, 0): 0 − 2 + 2·20 + 22 = 60      (0, 1): 1 − 3 + 2·21 + 23 = 63
    // (1, 0): 10 − 12 + 2·30 + 32 = 90    (1, 1): 11 − 13 + 2·31 + 33 = 93
    // (2, 0): 20 − 22 + 2·40 + 42 = 120   (2, 1): 21 − 23 + 2·41 + 43 = 123
    const layer = conv(taps2d([[1n, -1n], [2n, 1n]]), [5, 4, 1], [3, 2, 1], { dilation: [2, 2] });
    expect(run(layer, grid(5, 4))).toEqual([60n, 63n, 90n, 93n, 120n, 123n]);
  });

  it('same padding on both axes (3 × 3 ones over 3 × 3)', () => {
    // input 1 2 3 / 4 5 6 / 7 8 9; padBefore [1, 1]; each output is the sum of its neighbourhood:
    // (0,0) 1+2+4+5 = 12; (0,1) 1+2+3+4+5+6 = 21; (0,2) 2+3+5+6 = 16;
    // (1,0) 1+2+4+5+7+8 = 27; (1,1) 45; (1,2) 2+3+5+6+8+9 = 33;
    // (2,0) 4+5+7+8 = 24; (2,1) 4+5+6+7+8+9 = 39; (2,2) 5+6+8+9 = 28.
    const ones = [[1n, 1n, 1n], [1n, 1n, 1n], [1n, 1n, 1n]];
    const layer = conv(taps2d(ones), [3, 3, 1], [3, 3, 1], { padding: 'same', padBefore: [1, 1] });
    expect(run(layer, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n])).toEqual([12n, 21n, 16n, 27n, 45n, 33n, 24n, 39n, 28n]);
  });

  // Input [H = 2, W = 3, C = 2], u(h, w) = (c0, c1):
  //   h = 0: (1, −1) (2, 0) (3, 2)
  //   h = 1: (4, 1) (−2, 3) (0, −3)
  // kernel 2 × 2 × 2 × 2 (kh × kw × cin × cout), valid: output [1, 2, 2].
  // co = 0: every tap 1 on ci = 0, −1 on ci = 1 (window sum of c0 − c1).
  // co = 1: K[0][0][0] = 1, K[0][1][1] = 2, K[1][0][1] = −1, K[1][1][0] = 3, the rest 0.
  const x2 = [1n, -1n, 2n, 0n, 3n, 2n, 4n, 1n, -2n, 3n, 0n, -3n];
  const k2: bigint[][][][] = [
    [
      [
        [1n, 1n],
        [-1n, 0n],
      ],
      [
        [1n, 0n],
        [-1n, 2n],
      ],
    ],
    [
      [
        [1n, 0n],
        [-1n, -1n],
      ],
      [
        [1n, 3n],
        [-1n, 0n],
      ],
    ],
  ];

  it('two input and two output channels, with a bias per output channel', () => {
    // co = 0, bias 10:
    //   ow = 0 (cols 0, 1): c0 1 + 2 + 4 − 2 = 5, c1 −1 + 0 + 1 + 3 = 3 → 5 − 3 = 2 → 12
    //   ow = 1 (cols 1, 2): c0 2 + 3 − 2 + 0 = 3, c1 0 + 2 + 3 − 3 = 2 → 1 → 11
    // co = 1, bias −5:
    //   ow = 0: 1·u(0,0,0) + 2·u(0,1,1) − u(1,0,1) + 3·u(1,1,0) = 1 + 0 − 1 − 6 = −6 → −11
    //   ow = 1: 1·u(0,1,0) + 2·u(0,2,1) − u(1,1,1) + 3·u(1,2,0) = 2 + 4 − 3 + 0 = 3 → −2
    // flat [(ow)·2 + co]: [12, −11, 11, −2]
    const layer = conv(k2, [2, 3, 2], [1, 2, 2], { post: { bias: [10n, -5n] } });
    expect(run(layer, x2)).toEqual([12n, -11n, 11n, -2n]);
  });

  it('then relu and a shift rounded to nearest, per element', () => {
    // [12, −11, 11, −2] → relu [12, 0, 11, 0] → (a + 1) >> 1: [6, 0, 6, 0]
    const layer = conv(k2, [2, 3, 2], [1, 2, 2], { post: { bias: [10n, -5n], activation: 'relu', shift: 1, rounding: 'nearest' } });
    expect(run(layer, x2)).toEqual([6n, 0n, 6n, 0n]);
  });

  it('is exact beyond 2^53', () => {
    // 1 × 1 × 1 × 1 kernel 2^60 on one value −2^10: −2^70 = −1180591620717411303424.
    const layer = conv([[[[1n << 60n]]]], [1, 1, 1], [1, 1, 1]);
    expect(run(layer, [-1024n], { width: 12 })).toEqual([-1180591620717411303424n]);
  });
});

describe('batchnorm', () => {
  const bn = (post: Partial<PostOps> = {}): BatchNormLayer => ({
    kind: 'batchnorm',
    scale: [2n, -1n, 3n],
    offset: [1n, 0n, -4n],
    ...NO_POST_OPS,
    ...post,
    inShape: [2, 3],
    outShape: [2, 3],
  });
  const x = [5n, 5n, 5n, -2n, 7n, 0n];

  it('scale[c]·u + offset[c] per channel (the last axis)', () => {
    // c = 0, 1, 2, 0, 1, 2: 2·5 + 1 = 11; −5 + 0 = −5; 3·5 − 4 = 11; 2·(−2) + 1 = −3; −7; 0 − 4 = −4.
    expect(run(bn(), x)).toEqual([11n, -5n, 11n, -3n, -7n, -4n]);
  });

  it('then bias, shift (nearest) and fit', () => {
    // bias [1, 0, 0]: [12, −5, 11, −2, −7, −4]; (a + 1) >> 1:
    // 13 >> 1 = 6; −4 >> 1 = −2; 12 >> 1 = 6; −1 >> 1 = −1; −6 >> 1 = −3; −3 >> 1 = −2.
    expect(run(bn({ bias: [1n, 0n, 0n], shift: 1, rounding: 'nearest' }), x)).toEqual([6n, -2n, 6n, -1n, -3n, -2n]);
    // signed 3 bits saturated ([−4, 3]): [3, −2, 3, −1, −3, −2].
    const out = { width: 3, signed: true, overflow: 'saturate' } as const;
    expect(run(bn({ bias: [1n, 0n, 0n], shift: 1, rounding: 'nearest', output: out }), x)).toEqual([3n, -2n, 3n, -1n, -3n, -2n]);
  });
});

describe('maxpool', () => {
  it('padding never wins, even when every real value is negative (2D)', () => {
    // input [[−5, −3], [−7, −9]], pool 2 × 2, stride 1, same: padBefore [0, 0], one padded row
    // and column after. (0,0): max(−5, −3, −7, −9) = −3; (0,1): max(−3, −9) = −3;
    // (1,0): max(−7, −9) = −7; (1,1): only −9 is inside → −9 (a zero pad would give 0).
    const layer = pool('maxpool2d', [2, 2], [1, 1], 'same', [0, 0], [2, 2, 1], [2, 2, 1]);
    expect(run(layer, [-5n, -3n, -7n, -9n])).toEqual([-3n, -3n, -7n, -9n]);
  });

  it('padding before, per channel (1D, two channels)', () => {
    // [L = 4, C = 2], pool 3, stride 1, same: padBefore 1. c0 = [−5, −3, −8, −2], c1 = [−1, −6, −4, −7].
    // c0: t0 max(−5, −3) = −3; t1 max(−5, −3, −8) = −3; t2 max(−3, −8, −2) = −2; t3 max(−8, −2) = −2.
    // c1: t0 max(−1, −6) = −1; t1 max(−1, −6, −4) = −1; t2 max(−6, −4, −7) = −4; t3 max(−4, −7) = −4.
    const layer = pool('maxpool1d', [1, 3], [1, 1], 'same', [0, 1], [4, 2], [4, 2]);
    expect(run(layer, [-5n, -1n, -3n, -6n, -8n, -4n, -2n, -7n])).toEqual([-3n, -1n, -3n, -1n, -2n, -4n, -2n, -4n]);
  });

  it('equal values: the maximum is that value', () => {
    // [L = 4, C = 1], pool 2, stride 2, valid: max(7, 7) = 7; max(−2, −2) = −2.
    const layer = pool('maxpool1d', [1, 2], [1, 2], 'valid', [0, 0], [4, 1], [2, 1]);
    expect(run(layer, [7n, 7n, -2n, -2n])).toEqual([7n, -2n]);
  });
});

describe('avgpool', () => {
  // 4 × 4 × 1:  1  2  3  4 /  5  6  7  8 / −1 −2  0  0 / −3 −1  5  6
  // 2 × 2 windows, stride 2: sums 1+2+5+6 = 14; 3+4+7+8 = 22; −1−2−3−1 = −7; 0+0+5+6 = 11.
  const x = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, -1n, -2n, 0n, 0n, -3n, -1n, 5n, 6n];
  const avg = (post: Partial<PostOps>): PoolLayer => pool('avgpool2d', [2, 2], [2, 2], 'valid', [0, 0], [4, 4, 1], [2, 2, 1], post);

  it('the window sum, then the shift', () => {
    expect(run(avg({}), x)).toEqual([14n, 22n, -7n, 11n]);
    // shift 2 floor: 14/4 = 3.5 → 3; 5.5 → 5; −1.75 → −2; 2.75 → 2.
    expect(run(avg({ shift: 2, rounding: 'floor' }), x)).toEqual([3n, 5n, -2n, 2n]);
    // shift 2 nearest: (14 + 2) >> 2 = 4; 24 >> 2 = 6; −5 >> 2 = −2; 13 >> 2 = 3.
    expect(run(avg({ shift: 2, rounding: 'nearest' }), x)).toEqual([4n, 6n, -2n, 3n]);
    // and fitted to signed 3 bits saturated ([−4, 3]): [3, 3, −2, 3].
    const out = { width: 3, signed: true, overflow: 'saturate' } as const;
    expect(run(avg({ shift: 2, rounding: 'nearest', output: out }), x)).toEqual([3n, 3n, -2n, 3n]);
  });

  it('padded positions count zero', () => {
    // [L = 3, C = 1] = [4, 6, 10], pool 2, stride 2, same: padBefore 0, one pad after.
    // sums 4 + 6 = 10 and 10 + 0 = 10; shift 1 → [5, 5] (not 10 / 1 for the padded window).
    const layer = pool('avgpool1d', [1, 2], [1, 2], 'same', [0, 0], [3, 1], [2, 1], { shift: 1 });
    expect(run(layer, [4n, 6n, 10n])).toEqual([5n, 5n]);
  });
});

describe('activations', () => {
  const leaky = { activation: 'leaky_relu', alpha: { mult: 3n, shift: 3 } } as const;

  it('leaky_relu: floor(a·mult / 2^shift) for negatives, including the most negative input', () => {
    // mult 3, shift 3: −128 → −384 / 8 = −48 exactly; −127 → −381 / 8 = −47.625 → −48;
    // −1 → −3 / 8 = −0.375 → −1; −8 → −24 / 8 = −3; 0, 5 and 127 unchanged.
    expect(through(leaky, [-128n, -127n, -1n, -8n, 0n, 5n, 127n])).toEqual([-48n, -48n, -1n, -3n, 0n, 5n, 127n]);
  });

  it('leaky_relu comes after the bias and before the shift', () => {
    // bias 1, shift 1 floor: x = −9 → −8 → −24 / 8 = −3 → floor(−1.5) = −2;
    // x = 6 → 7 → 7 → 3.
    expect(through({ ...leaky, bias: [1n], shift: 1 }, [-9n, 6n])).toEqual([-2n, 3n]);
  });

  it('hard_tanh clamps both sides to [−one, one]', () => {
    // one = 16.
    expect(through({ activation: 'hard_tanh', one: 16n }, [-100n, -17n, -16n, -15n, 0n, 15n, 16n, 17n, 100n])).toEqual([
      -16n,
      -16n,
      -16n,
      -15n,
      0n,
      15n,
      16n,
      16n,
      16n,
    ]);
  });

  it('sign: +1 for a ≥ 0 (so 0 gives +1), else −1, after the bias', () => {
    expect(through({ activation: 'sign' }, [0n, -1n, 1n, 5n, -128n, 127n])).toEqual([1n, -1n, 1n, 1n, -1n, 1n]);
    // bias 3: −3 → 0 → +1; −4 → −1 → −1.
    expect(through({ activation: 'sign', bias: [3n] }, [-3n, -4n])).toEqual([1n, -1n]);
  });
});

describe('table', () => {
  const table = (input: { width: number; signed: boolean }, entries: bigint[], n: number): TableLayer => ({
    kind: 'table',
    input,
    entries,
    function: null,
    output: null,
    inShape: [n],
    outShape: [n],
  });

  it('signed 3 bits: −4 is entry 0, 3 is entry 7', () => {
    // entries[k] is the result for −4 + k: −4 → −40, 3 → 30, 0 → entry 4 = 0, −1 → entry 3 = −10.
    const t = table({ width: 3, signed: true }, [-40n, -30n, -20n, -10n, 0n, 10n, 20n, 30n], 4);
    expect(run(t, [-4n, 3n, 0n, -1n])).toEqual([-40n, 30n, 0n, -10n]);
  });

  it('unsigned 2 bits: 0 is entry 0, 3 is entry 3', () => {
    const t = table({ width: 2, signed: false }, [5n, 6n, 7n, 8n], 2);
    expect(run(t, [0n, 3n])).toEqual([5n, 8n]);
  });

  it('throws for a value outside the table', () => {
    const s = table({ width: 3, signed: true }, [-40n, -30n, -20n, -10n, 0n, 10n, 20n, 30n], 1);
    expect(() => run(s, [4n])).toThrow(/outside the table/);
    expect(() => run(s, [-5n])).toThrow(/outside the table/);
    const u = table({ width: 2, signed: false }, [5n, 6n, 7n, 8n], 1);
    expect(() => run(u, [-1n])).toThrow(/\[0, 3\]/);
    expect(() => run(u, [4n])).toThrow(/outside the table/);
  });
});

describe('argmax', () => {
  const argmax = (n: number): ArgmaxLayer => ({ kind: 'argmax', inShape: [n], outShape: [1] });

  it('the index of the largest value; ties go to the lowest index', () => {
    expect(run(argmax(5), [3n, 7n, -2n, 7n, 7n])).toEqual([1n]);
    expect(run(argmax(3), [-4n, -4n, -4n])).toEqual([0n]);
    expect(run(argmax(4), [-5n, -3n, -3n, -9n])).toEqual([1n]);
    expect(run(argmax(4), [1n, 2n, 3n, 4n])).toEqual([3n]);
  });
});

describe('input, flatten and networks', () => {
  it('a bipolar input carries ±1: bit 1 is +1, bit 0 is −1', () => {
    // W = [[1, 2, 3, 4], [2, −1, 0, 5]].
    // bits [1, 0, 0, 1] → [+1, −1, −1, +1]: 1 − 2 − 3 + 4 = 0; 2 + 1 − 0 + 5 = 8.
    // bits [1, 1, 1, 1] → all +1: 10; 6.  bits [0, 0, 0, 0] → all −1: −10; −6.
    const W = [
      [1n, 2n, 3n, 4n],
      [2n, -1n, 0n, 5n],
    ];
    const bip = { width: 1, signed: false, bipolar: true };
    expect(run(dense(W), [1n, 0n, 0n, 1n], bip)).toEqual([0n, 8n]);
    expect(run(dense(W), [1n, 1n, 1n, 1n], bip)).toEqual([10n, 6n]);
    expect(run(dense(W), [0n, 0n, 0n, 0n], bip)).toEqual([-10n, -6n]);
    expect(() => run(dense(W), [2n, 0n, 0n, 1n], bip)).toThrow(/bipolar/);
    // The same bits without bipolar are plain 0/1 values: [1, 0, 0, 1] → 1 + 4 = 5; 2 + 5 = 7.
    expect(run(dense(W), [1n, 0n, 0n, 1n], { width: 1, signed: false })).toEqual([5n, 7n]);
  });

  it('flatten is the identity on the flat vector', () => {
    const f: FlattenLayer = { kind: 'flatten', inShape: [2, 2, 2], outShape: [8] };
    expect(run(f, [1n, -2n, 3n, -4n, 5n, -6n, 7n, -8n])).toEqual([1n, -2n, 3n, -4n, 5n, -6n, 7n, -8n]);
    expect(layerReference(f, [0n, 9n, 0n, 0n, 0n, 0n, 0n, 1n])).toEqual([0n, 9n, 0n, 0n, 0n, 0n, 0n, 1n]);
  });

  it('conv1d → flatten → dense → argmax, with a score', () => {
    // x = [1, 3, −2] as [3, 1]; conv1d w = [1, 1] valid → [4, 1] as [2, 1]; flatten → [4, 1];
    // dense [[1, −1], [2, 1]] → [3, 9]; argmax → [1]; score 1² = 1.
    const spec = net(
      [
        conv(taps1d([1n, 1n]), [3, 1], [2, 1], { kind: 'conv1d' }),
        { kind: 'flatten', inShape: [2, 1], outShape: [2] },
        dense([
          [1n, -1n],
          [2n, 1n],
        ]),
        { kind: 'argmax', inShape: [2], outShape: [1] },
      ],
      {},
      true,
    );
    expect(networkReference(spec, [1n, 3n, -2n])).toEqual({ y: [1n], score: 1n });
    expect(referenceOf(spec)([1n, 3n, -2n])).toEqual([1n, 1n]);
    // x = [5, −1, −4]: conv [4, −5]; dense [9, 3]; argmax 0; score 0.
    expect(referenceOf(spec)([5n, -1n, -4n])).toEqual([0n, 0n]);
  });

  it('a layer given the wrong number of values throws', () => {
    const layer = conv(taps1d([1n, 1n]), [3, 1], [2, 1], { kind: 'conv1d' });
    expect(() => layerReference(layer, [1n, 2n])).toThrow(/takes 3 values but was given 2/);
  });
});
