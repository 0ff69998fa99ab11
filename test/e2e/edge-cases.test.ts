import { describe, expect, it } from 'vitest';
import { compile, compileNetlist, parseSpec, referenceOf, simulateInIcarus, withFlush } from '../../src/index.js';
import type { Spec } from '../../src/index.js';
import { haveTool } from '../helpers/tools.js';

// Named edge cases of the layer kinds, each a tiny "layers" document whose outputs are worked
// out by hand in the comments (never by the reference model or the compiler). Each runs through
// the reference model, the compiled hardware in the netlist simulator (latencies 0 and 2) and,
// where Icarus is installed, the emitted Verilog in Icarus.
//
// Notation: x is the input vector, u a layer's input, a its accumulator, y the design's outputs.
// Shapes are channels last: element (h, w, c) of [H, W, C] is u[(h·W + w)·C + c].

interface EdgeCase {
  name: string;
  doc: Record<string, unknown>;
  /** Input vectors and the outputs worked out by hand. */
  io: [x: number[], y: number[]][];
  /** For a batchnorm case: whether the compiler folds it into the layer before (its manifest says so). */
  folds?: boolean;
}

const doc = (name: string, input: Record<string, unknown>, layers: Record<string, unknown>[]): Record<string, unknown> => ({ format: 1, name, input, layers });
const S4 = { width: 4, signed: true }; // −8 … 7

const CASES: EdgeCase[] = [
  {
    // L = 4, k = 2, s = 1: the output length is ⌈4/1⌉ = 4 and the total padding
    // max((4 − 1)·1 + (2 − 1)·1 + 1 − 4, 0) = 1: ⌊1/2⌋ = 0 before, 1 after.
    // y[o] = 1·u[o] + 10·u[o+1], u[4] = 0.
    name: '"same" padding with an even kernel: conv1d k = 2 pads 0 before, 1 after',
    doc: doc('same_k2', { ...S4, shape: [4, 1] }, [{ kind: 'conv1d', kernel: [[[1]], [[10]]], padding: 'same' }]),
    io: [
      // [1 + 20, 2 + 30, 3 + 40, 4 + 0]
      [[1, 2, 3, 4], [21, 32, 43, 4]],
      // [−8 + 70, 7 − 10, −1 + 50, 5 + 0]
      [[-8, 7, -1, 5], [62, -3, 49, 5]],
    ],
  },
  {
    // L = 4, k = 4: total padding (4 − 1) + 3 + 1 − 4 = 3, odd: ⌊3/2⌋ = 1 before, 2 after.
    // y[o] = Σ_j w[j]·u[o + j − 1] with w = [1, 10, 100, 1000], u[−1] = u[4] = u[5] = 0.
    name: '"same" padding with an even kernel: conv1d k = 4, an odd total of 3 pads 1 before, 2 after',
    doc: doc('same_k4', { ...S4, shape: [4, 1] }, [{ kind: 'conv1d', kernel: [[[1]], [[10]], [[100]], [[1000]]], padding: 'same' }]),
    io: [
      // o=0: 10·1 + 100·2 + 1000·3 = 3210; o=1: 1 + 20 + 300 + 4000 = 4321;
      // o=2: 2 + 30 + 400 = 432; o=3: 3 + 40 = 43
      [[1, 2, 3, 4], [3210, 4321, 432, 43]],
      // o=0: 10·(−8) + 100·7 + 1000·(−1) = −380; o=1: −8 + 70 − 100 + 5000 = 4962;
      // o=2: 7 − 10 + 500 = 497; o=3: −1 + 50 = 49
      [[-8, 7, -1, 5], [-380, 4962, 497, 49]],
    ],
  },
  {
    // 3×3×1 input, 2×2 kernel K = [[1, 10], [100, 1000]], "same": per axis total padding
    // (3 − 1) + 2 − 3 = 1, so 0 before and 1 after; out(h, w) = Σ K[i][j]·u(h + i, w + j).
    name: '"same" padding with an even kernel: conv2d 2×2 pads 0 before, 1 after, on both axes',
    doc: doc('same_2x2', { ...S4, shape: [3, 3, 1] }, [{ kind: 'conv2d', kernel: [[[[1]], [[10]]], [[[100]], [[1000]]]], padding: 'same' }]),
    io: [
      // u = [[1, 2, 3], [4, 5, 6], [7, −8, −1]]
      // (0,0) 1 + 20 + 400 + 5000 = 5421   (0,1) 2 + 30 + 500 + 6000 = 6532   (0,2) 3 + 600 = 603
      // (1,0) 4 + 50 + 700 − 8000 = −7246  (1,1) 5 + 60 − 800 − 1000 = −1735  (1,2) 6 − 100 = −94
      // (2,0) 7 − 80 = −73                 (2,1) −8 − 10 = −18                 (2,2) −1
      [
        [1, 2, 3, 4, 5, 6, 7, -8, -1],
        [5421, 6532, 603, -7246, -1735, -94, -73, -18, -1],
      ],
    ],
  },
  {
    // L = 8, k = 2, s = 3, "valid": ⌊(8 − 2)/3⌋ + 1 = 3 outputs over u[0..1], u[3..4], u[6..7]
    // (u[2] and u[5] are never read). y[o] = u[3o] + 10·u[3o + 1].
    name: 'stride larger than the kernel: conv1d k = 2, stride 3 skips inputs',
    doc: doc('stride3', { ...S4, shape: [8, 1] }, [{ kind: 'conv1d', kernel: [[[1]], [[10]]], strides: 3 }]),
    io: [
      // [1 + 20, 4 + 50, 7 − 80]
      [[1, 2, 3, 4, 5, 6, 7, -8], [21, 54, -73]],
      // the skipped inputs at their extremes change nothing: [0 + 0, 0 + 0, 1 + 10]
      [[0, 0, -8, 0, 0, 7, 1, 1], [0, 0, 11]],
    ],
  },
  {
    // 4×4×1 input, 2×2 kernel [[1, 10], [100, 1000]], strides 3, "same": per axis ⌈4/3⌉ = 2
    // outputs, total padding (2 − 1)·3 + 2 − 4 = 1: 0 before, 1 after. Windows: rows {0, 1}
    // and {3, pad}, columns likewise.
    name: 'stride larger than the kernel: conv2d 2×2, strides 3, "same"',
    doc: doc('stride3_2d', { ...S4, shape: [4, 4, 1] }, [{ kind: 'conv2d', kernel: [[[[1]], [[10]]], [[[100]], [[1000]]]], strides: [3, 3], padding: 'same' }]),
    io: [
      // u = [[1, 2, 3, 4], [5, 6, 7, −1], [−2, −3, −4, −5], [−6, −7, −8, 3]]
      // (0,0) 1 + 20 + 500 + 6000 = 6521; (0,1) 4 + 100·(−1) = −96; (1,0) −6 + 10·(−7) = −76; (1,1) 3
      [
        [1, 2, 3, 4, 5, 6, 7, -1, -2, -3, -4, -5, -6, -7, -8, 3],
        [6521, -96, -76, 3],
      ],
    ],
  },
  {
    // L = 3, pool 3, stride 1, "same": total padding (3 − 1) + 3 − 3 = 2, 1 before and 1
    // after. Windows: {pad, u0, u1}, {u0, u1, u2}, {u1, u2, pad}; a padded position never
    // wins, so all-negative inputs give a negative maximum (a padded zero would give 0).
    name: 'a pooling window over padding: maxpool1d, padding never wins over negative values',
    doc: doc('maxpad', { ...S4, shape: [3, 1] }, [{ kind: 'maxpool1d', pool: 3, strides: 1, padding: 'same' }]),
    io: [
      // [max(−2, −6), max(−2, −6, −4), max(−6, −4)]
      [[-2, -6, -4], [-2, -2, -4]],
      // [max(−8, −8), max(−8, −8, −1), max(−8, −1)]
      [[-8, -8, -1], [-8, -1, -1]],
    ],
  },
  {
    // L = 3, pool 2 (stride 2), "same": ⌈3/2⌉ = 2 windows, total padding 2 + 2 − 3 = 1: 0
    // before, 1 after. Windows {u0, u1} and {u2, pad}: the padded position counts as 0 and the
    // sum is still shifted by log2 2 = 1 (floor).
    name: 'a pooling window over padding: avgpool1d counts the padded zeros',
    doc: doc('avgpad', { ...S4, shape: [3, 1] }, [{ kind: 'avgpool1d', pool: 2, padding: 'same' }]),
    io: [
      // [(5 + 7) >> 1, (6 + 0) >> 1] = [6, 3] (not 6 for the second: the zero counts)
      [[5, 7, 6], [6, 3]],
      // [⌊−3/2⌋, ⌊−5/2⌋] = [⌊−1.5⌋, ⌊−2.5⌋] = [−2, −3]
      [[-3, 0, -5], [-2, -3]],
    ],
  },
  {
    // 3×3×1 input, pool 2×2 (strides 2), "same": per axis 2 windows, 0 padding before, 1
    // after; the sum of 4 positions (padded ones zero) >> 2, floor.
    name: 'a pooling window over padding: avgpool2d counts the padded zeros',
    doc: doc('avgpad2d', { ...S4, shape: [3, 3, 1] }, [{ kind: 'avgpool2d', pool: [2, 2], padding: 'same' }]),
    io: [
      // u = [[1, 2, 3], [4, 5, 6], [7, 6, 5]]
      // (0,0) (1 + 2 + 4 + 5) >> 2 = 12 >> 2 = 3; (0,1) (3 + 6) >> 2 = ⌊9/4⌋ = 2;
      // (1,0) (7 + 6) >> 2 = ⌊13/4⌋ = 3;           (1,1) 5 >> 2 = 1
      [
        [1, 2, 3, 4, 5, 6, 7, 6, 5],
        [3, 2, 3, 1],
      ],
    ],
  },
  {
    // argmax over 4 values: the index of the largest, ties to the lowest index (2 bits).
    name: 'argmax with equal values: ties go to the lowest index',
    doc: doc('argmax_ties', { ...S4, shape: [4] }, [{ kind: 'argmax' }]),
    io: [
      [[3, 7, 7, 1], [1]],
      [[5, 5, 5, 5], [0]],
      [[-8, -8, -8, -8], [0]],
      [[-8, -7, -7, -8], [1]],
      [[-1, 2, -3, 2], [1]],
      [[0, -8, 0, 0], [0]],
      [[1, 2, 3, 7], [3]],
      [[1, 2, 7, 7], [2]],
    ],
  },
  {
    // maxpool1d pool 2 over [4, 2] (two channels): per channel max of positions {0, 1} and
    // {2, 3}, giving [2, 2] = flat [m(0,c0), m(0,c1), m(1,c0), m(1,c1)]; then argmax of those 4.
    name: 'max and argmax with equal values: a maxpool of ties, then an argmax of ties',
    doc: doc('max_ties', { ...S4, shape: [4, 2] }, [{ kind: 'maxpool1d', pool: 2 }, { kind: 'argmax' }]),
    io: [
      // c0: 7, 7, 7, 7 and c1: −8, −8, −8, −8 → maxima [7, −8, 7, −8] → first 7 at index 0
      [[7, -8, 7, -8, 7, -8, 7, -8], [0]],
      // c0: −3, −5, −3, −3 and c1: 4, 4, −8, 4 → maxima [−3, 4, −3, 4] → first 4 at index 1
      [[-3, 4, -5, 4, -3, -8, -3, 4], [1]],
      // c0: 1, 2, 6, 6 and c1: 0, 0, 5, 6 → maxima [2, 0, 6, 6] → first 6 at index 2
      [[1, 0, 2, 0, 6, 5, 6, 6], [2]],
    ],
  },
  {
    // a = x (weight 1), leaky_relu with slope 3/16: for a < 0, ⌊3a / 16⌋, floor toward −∞
    // (truncation toward zero, or rounding, would give −1 for a = −8).
    name: 'leaky ReLU of the most negative input: floor division of a negative product',
    doc: doc('leaky', { ...S4, shape: [1] }, [{ weights: [[1]], activation: 'leaky_relu', alpha: { mult: 3, shift: 4 } }]),
    io: [
      // −8: ⌊−24/16⌋ = ⌊−1.5⌋ = −2
      [[-8], [-2]],
      // −7: ⌊−21/16⌋ = ⌊−1.3125⌋ = −2
      [[-7], [-2]],
      // −5: ⌊−15/16⌋ = −1
      [[-5], [-1]],
      // −1: ⌊−3/16⌋ = −1 (not 0)
      [[-1], [-1]],
      // 0 and positive values pass unchanged
      [[0], [0]],
      [[7], [7]],
    ],
  },
  {
    // a = x0 − x1, sign: +1 for a ≥ 0, else −1. a = 0 gives +1.
    name: 'sign of 0 is +1',
    doc: doc('sign0', { ...S4, shape: [2] }, [{ weights: [[1, -1]], activation: 'sign' }]),
    io: [
      [[3, 3], [1]],
      [[-8, -8], [1]],
      [[2, 3], [-1]], // a = −1
      [[3, 2], [1]], // a = 1
      [[-8, 7], [-1]], // a = −15
      [[7, -8], [1]], // a = 15
    ],
  },
  {
    // the ±1 of a sign read by the next layer: y = 3·s + 1, so 4 for s = +1 and −2 for s = −1
    name: 'sign of 0 is +1, as the next layer reads it',
    doc: doc('sign0_next', { ...S4, shape: [2] }, [{ weights: [[1, -1]], activation: 'sign' }, { weights: [[3]], bias: [1] }]),
    io: [
      [[3, 3], [4]], // a = 0 → +1 → 4
      [[-8, -8], [4]],
      [[2, 3], [-2]], // a = −1 → −1 → −2
      [[7, -8], [4]],
    ],
  },
  {
    // a bipolar input: bit 1 is +1, bit 0 is −1; y = 1·v0 + 2·v1 + 4·v2
    name: 'bipolar input bits read as ±1',
    doc: doc('bip', { width: 1, bipolar: true, shape: [3] }, [{ weights: [[1, 2, 4]] }]),
    io: [
      [[1, 0, 1], [3]], // 1 − 2 + 4
      [[0, 0, 0], [-7]],
      [[1, 1, 1], [7]],
      [[0, 1, 0], [-3]], // −1 + 2 − 4
    ],
  },
  {
    // a table over the 3-bit signed input (−4 … 3): entry k is for the value −4 + k.
    // values: −4 → 40, −3 → −30, −2 → 20, −1 → −10, 0 → 0, 1 → 11, 2 → −22, 3 → 33
    name: 'a table at both ends of its input range: "values" over a signed input',
    doc: doc('table_ends', { width: 3, signed: true, shape: [2] }, [{ kind: 'table', values: [40, -30, 20, -10, 0, 11, -22, 33] }]),
    io: [
      [[-4, 3], [40, 33]],
      [[3, -4], [33, 40]],
      [[-1, 0], [-10, 0]],
      [[-3, 2], [-30, -22]],
    ],
  },
  {
    // a = x saturated to 3 bits signed (−4 … 3), then softsign(v) = v / (1 + |v|) with
    // input_frac_bits 0 and output_frac_bits 4: round(16·v / (1 + |v|)), nearest with halves up,
    // fitted to 6 bits signed (−32 … 31; every entry fits).
    name: 'a table at both ends of its input range: "function" after a saturating layer',
    doc: doc('table_fn_ends', { width: 8, signed: true, shape: [1] }, [
      { weights: [[1]], output: { width: 3, signed: true, overflow: 'saturate' } },
      { kind: 'table', function: 'softsign', input_frac_bits: 0, output_frac_bits: 4, output: { width: 6, signed: true } },
    ]),
    io: [
      // 100 → 3: 16·3/4 = 12
      [[100], [12]],
      // 127 → 3: 12
      [[127], [12]],
      // −128 → −4: 16·(−4)/5 = −12.8 → −13
      [[-128], [-13]],
      // −4: −13
      [[-4], [-13]],
      // 2: 32/3 = 10.67 → 11; −1: −16/2 = −8; 0: 0
      [[2], [11]],
      [[-1], [-8]],
      [[0], [0]],
    ],
  },
  {
    // dense W = [[2, −1], [1, 3]], bias [1, −2], linear, shift 0, no output: a batchnorm after it
    // (scale [3, −2], offset [5, 7]) can be folded in. a = W·x + b; y = scale·a + offset.
    name: 'batchnorm folded: after a dense layer that is linear, unshifted and at full precision',
    doc: doc('bn_folded', { ...S4, shape: [2] }, [
      { weights: [[2, -1], [1, 3]], bias: [1, -2] },
      { kind: 'batchnorm', scale: [3, -2], offset: [5, 7] },
    ]),
    folds: true,
    io: [
      // a = [6 + 2 + 1, 3 − 6 − 2] = [9, −5] → [27 + 5, 10 + 7]
      [[3, -2], [32, 17]],
      // a = [−16 − 7 + 1, −8 + 21 − 2] = [−22, 11] → [−66 + 5, −22 + 7]
      [[-8, 7], [-61, -15]],
      // a = [14 + 8 + 1, 7 − 24 − 2] = [23, −19] → [69 + 5, 38 + 7]
      [[7, -8], [74, 45]],
      // a = [1, −2] → [3 + 5, 4 + 7]
      [[0, 0], [8, 11]],
    ],
  },
  {
    // the same layers with a ReLU on the dense layer: the batchnorm cannot be folded and is kept.
    name: 'batchnorm kept: after a dense layer with a ReLU',
    doc: doc('bn_kept', { ...S4, shape: [2] }, [
      { weights: [[2, -1], [1, 3]], bias: [1, -2], activation: 'relu' },
      { kind: 'batchnorm', scale: [3, -2], offset: [5, 7] },
    ]),
    folds: false,
    io: [
      // relu([9, −5]) = [9, 0] → [32, 0 + 7]
      [[3, -2], [32, 7]],
      // relu([−22, 11]) = [0, 11] → [0 + 5, −22 + 7]
      [[-8, 7], [5, -15]],
      // relu([23, −19]) = [23, 0] → [74, 7]
      [[7, -8], [74, 7]],
      // relu([1, −2]) = [1, 0] → [8, 7]
      [[0, 0], [8, 7]],
    ],
  },
  {
    // conv1d k = 2 "valid" over [3, 1], two output channels: tap 0 = [1, −1], tap 1 = [2, 1]
    // (per channel), bias [0, 1], linear: folded with batchnorm scale [−1, 4], offset [3, 0].
    // a(o, c) = tap0[c]·u[o] + tap1[c]·u[o + 1] + bias[c]; y(o, c) = scale[c]·a + offset[c].
    name: 'batchnorm folded per channel into a convolution',
    doc: doc('bn_conv', { ...S4, shape: [3, 1] }, [
      { kind: 'conv1d', kernel: [[[1, -1]], [[2, 1]]], bias: [0, 1] },
      { kind: 'batchnorm', scale: [-1, 4], offset: [3, 0] },
    ]),
    folds: true,
    io: [
      // u = [1, −2, 3]: a(0) = [1 − 4, −1 − 2 + 1] = [−3, −2]; a(1) = [−2 + 6, 2 + 3 + 1] = [4, 6]
      // y = [3 + 3, −8, −4 + 3, 24]
      [[1, -2, 3], [6, -8, -1, 24]],
      // u = [0, 0, 0]: a = [0, 1] at both positions → y = [3, 4, 3, 4]
      [[0, 0, 0], [3, 4, 3, 4]],
    ],
  },
  {
    // the same with a ReLU on the convolution: relu(a(0)) = [0, 0], relu(a(1)) = [4, 6]
    name: 'batchnorm kept after a convolution with a ReLU',
    doc: doc('bn_conv_kept', { ...S4, shape: [3, 1] }, [
      { kind: 'conv1d', kernel: [[[1, -1]], [[2, 1]]], bias: [0, 1], activation: 'relu' },
      { kind: 'batchnorm', scale: [-1, 4], offset: [3, 0] },
    ]),
    folds: false,
    io: [
      // y = [−0 + 3, 0, −4 + 3, 24]
      [[1, -2, 3], [3, 0, -1, 24]],
      [[0, 0, 0], [3, 4, 3, 4]],
    ],
  },
];

const big = (v: number[]): bigint[] => v.map(BigInt);
const specOf = (c: EdgeCase): Spec => parseSpec(JSON.stringify(c.doc), `${String(c.doc.name)}.json`);
const inputs = (c: EdgeCase): bigint[][] => c.io.map(([x]) => big(x));
const expected = (c: EdgeCase): bigint[][] => c.io.map(([, y]) => big(y));

/** The outputs of the compiled design for each input, from per-cycle samples (cycle t + latency for input t). */
function outputsOf(ys: (bigint[] | null)[], count: number, latency: number): (bigint[] | null)[] {
  return Array.from({ length: count }, (_, t) => ys[t + latency] ?? null);
}

describe('edge cases: the hand-computed values', () => {
  it('every case is a valid document, with one output vector per input of the right size', () => {
    for (const c of CASES) {
      const spec = specOf(c);
      const nIn = spec.input.shape.reduce((a, b) => a * b, 1);
      const nOut = spec.layers[spec.layers.length - 1]!.outShape.reduce((a, b) => a * b, 1);
      for (const [x, y] of c.io) {
        expect(x.length, c.name).toBe(nIn);
        expect(y.length, c.name).toBe(nOut);
      }
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))('reference model: %s', (_, c) => {
    const ref = referenceOf(specOf(c));
    expect(inputs(c).map((x) => ref(x))).toEqual(expected(c));
  });
});

describe('edge cases: the compiled hardware in the netlist simulator', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const spec = specOf(c);
    for (const latency of [0, 2]) {
      const r = compile(spec, { latency });
      expect(r.netlist.latency).toBe(latency);
      const xs = inputs(c);
      const ys = compileNetlist(r.netlist).run(withFlush(xs, r.netlist.ports.nIn, latency));
      expect(outputsOf(ys, xs.length, latency), `latency ${latency}`).toEqual(expected(c));
    }
  });
});

describe('edge cases: batchnorm folded against kept, as the manifest reports it', () => {
  it.each(CASES.filter((c) => c.folds !== undefined).map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = compile(specOf(c), { latency: 1 });
    const bn = r.manifest.layers!.find((l) => l.kind === 'batchnorm')!;
    expect(bn).toBeDefined();
    if (c.folds) expect(bn.strategy).toBe('folded');
    else expect(bn.strategy).not.toBe('folded');
  });
});

const icarus = haveTool('iverilog', ['-V']);

describe.runIf(icarus)('edge cases: the emitted Verilog in Icarus', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const spec = specOf(c);
    const latency = 2;
    const r = compile(spec, { latency });
    const xs = inputs(c);
    const ys = await simulateInIcarus(r.verilog, r.netlist, withFlush(xs, r.netlist.ports.nIn, latency));
    expect(outputsOf(ys, xs.length, latency)).toEqual(expected(c));
  });
});
