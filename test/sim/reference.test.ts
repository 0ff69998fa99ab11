import { describe, expect, it } from 'vitest';
import { matrixReference, matVec, networkReference, referenceOf } from '../../src/sim/reference.js';
import { matrixSpec } from '../../src/spec/spec.js';
import type { DenseLayer, Layer, LayerOutput, Spec } from '../../src/spec/spec.js';
import { layerOf } from '../helpers/layers.js';

// Every expected value below was worked out by hand (see the comments), never by running the
// code under test.

const mkLayer = layerOf;

function mkNet(layers: Layer[], withScore = false): Spec {
  return {
    format: 1,
    name: 'net',
    input: { width: 8, signed: true, bipolar: false, shape: [...layers[0]!.inShape] },
    layers,
    score: withScore ? { kind: 'sum_of_squares', of: 'last' } : null,
    form: 'layers',
  };
}

/** y of the one-output identity layer [[1]] with the overrides, for each single input. */
function pass(over: Partial<Omit<DenseLayer, 'weights'>>, xs: bigint[]): bigint[] {
  const spec = mkNet([mkLayer([[1n]], over)]);
  return xs.map((x) => {
    const r = networkReference(spec, [x]);
    expect(r.y.length).toBe(1);
    expect(r.score).toBeNull();
    return r.y[0]!;
  });
}

const S8_SAT: LayerOutput = { width: 8, signed: true, overflow: 'saturate' };
const S8_WRAP: LayerOutput = { width: 8, signed: true, overflow: 'wrap' };
const U4_SAT: LayerOutput = { width: 4, signed: false, overflow: 'saturate' };
const U4_WRAP: LayerOutput = { width: 4, signed: false, overflow: 'wrap' };

describe('networkReference: fitting the output', () => {
  it('saturate: the most negative value stays, one below clamps', () => {
    // signed 8 bits: [-128, 127].
    expect(pass({ output: S8_SAT }, [-128n, -129n, -1000n, -127n])).toEqual([-128n, -128n, -128n, -127n]);
  });

  it('saturate: a value that just overflows clamps to the maximum', () => {
    expect(pass({ output: S8_SAT }, [127n, 128n, 1n << 70n, 0n])).toEqual([127n, 127n, 127n, 0n]);
  });

  it('saturate unsigned: negatives clamp to 0', () => {
    // unsigned 4 bits: [0, 15].
    expect(pass({ output: U4_SAT }, [-1n, -100n, 0n, 15n, 16n])).toEqual([0n, 0n, 0n, 15n, 15n]);
  });

  it('saturate: the narrowest signed width (2 bits: [-2, 1])', () => {
    expect(pass({ output: { width: 2, signed: true, overflow: 'saturate' } }, [-3n, -2n, 1n, 2n])).toEqual([-2n, -2n, 1n, 1n]);
  });

  it('wrap: 2^(w-1) wraps to -2^(w-1)', () => {
    // signed 8 bits, modulo 256: 128 → -128; 127 stays; -129 → 127; 256 → 0;
    // 300 = 256 + 44 → 44; -300 = -512 + 212 → 212 - 256 = -44.
    expect(pass({ output: S8_WRAP }, [128n, 127n, -128n, -129n, 256n, 300n, -300n])).toEqual([-128n, 127n, -128n, 127n, 0n, 44n, -44n]);
  });

  it('wrap unsigned: -1 wraps to 2^w - 1', () => {
    // unsigned 4 bits, modulo 16: -1 → 15; 16 → 0; 17 → 1; -16 → 0; -17 → 15.
    expect(pass({ output: U4_WRAP }, [-1n, 16n, 17n, -16n, -17n, 9n])).toEqual([15n, 0n, 1n, 0n, 15n, 9n]);
  });

  it('wrap: 64-bit outputs keep the low 64 bits', () => {
    // 2^64 + 5 → 5 (unsigned); 2^63 → -2^63 (signed); -1 → 2^64 - 1 (unsigned).
    const u64: LayerOutput = { width: 64, signed: false, overflow: 'wrap' };
    const s64: LayerOutput = { width: 64, signed: true, overflow: 'wrap' };
    expect(pass({ output: u64 }, [18446744073709551621n, -1n])).toEqual([5n, 18446744073709551615n]);
    expect(pass({ output: s64 }, [9223372036854775808n])).toEqual([-9223372036854775808n]);
  });

  it('no output: full precision, however large', () => {
    // (2^64 - 1) · 2^31 + (2^64 - 1) · 2^31 = 2^96 - 2^32 = 79228162514264337593543950336 - 4294967296.
    const w = 18446744073709551615n;
    const spec = mkNet([mkLayer([[w, w]])]);
    expect(networkReference(spec, [2147483648n, 2147483648n]).y).toEqual([79228162514264337589248983040n]);
  });
});

describe('networkReference: shift and rounding', () => {
  it('rounding nearest: an exact half rounds up, for positive and negative values', () => {
    // shift 1: 5/2 = 2.5 → 3; -5/2 = -2.5 → -2; 3/2 = 1.5 → 2; -3/2 = -1.5 → -1; 4/2 = 2; -4/2 = -2.
    expect(pass({ shift: 1, rounding: 'nearest' }, [5n, -5n, 3n, -3n, 4n, -4n])).toEqual([3n, -2n, 2n, -1n, 2n, -2n]);
    // shift 2: 6/4 = 1.5 → 2; -6/4 = -1.5 → -1; 5/4 = 1.25 → 1; -5/4 = -1.25 → -1; 7/4 = 1.75 → 2; -7/4 = -1.75 → -2.
    expect(pass({ shift: 2, rounding: 'nearest' }, [6n, -6n, 5n, -5n, 7n, -7n])).toEqual([2n, -1n, 1n, -1n, 2n, -2n]);
  });

  it('rounding floor: negative values round toward -infinity', () => {
    // shift 1: -5/2 = -2.5 → -3; -1/2 → -1; 5/2 → 2; -4/2 = -2.
    expect(pass({ shift: 1, rounding: 'floor' }, [-5n, -1n, 5n, -4n])).toEqual([-3n, -1n, 2n, -2n]);
    // shift 3: -1/8 → -1; -8/8 = -1; -9/8 → -2; 7/8 → 0.
    expect(pass({ shift: 3, rounding: 'floor' }, [-1n, -8n, -9n, 7n])).toEqual([-1n, -1n, -2n, 0n]);
  });

  it('shift 0 leaves the value unchanged under either rounding', () => {
    expect(pass({ shift: 0, rounding: 'nearest' }, [-7n, 0n, 7n])).toEqual([-7n, 0n, 7n]);
    expect(pass({ shift: 0, rounding: 'floor' }, [-7n, 0n, 7n])).toEqual([-7n, 0n, 7n]);
  });

  it('shift 62 on a large accumulator', () => {
    // 3·2^62 + 2^61 = 3.5 · 2^62: floor → 3, nearest → 4; its negation: floor → -4, nearest → -3.
    const a = 3n * (1n << 62n) + (1n << 61n);
    expect(pass({ shift: 62, rounding: 'floor' }, [a, -a])).toEqual([3n, -4n]);
    expect(pass({ shift: 62, rounding: 'nearest' }, [a, -a])).toEqual([4n, -3n]);
  });
});

describe('networkReference: activation, bias and order', () => {
  it('relu: negatives (including the most negative input) become 0, zero stays 0', () => {
    // -128 is the most negative 8-bit signed input; -128 + -128 = -256 also becomes 0.
    expect(pass({ activation: 'relu' }, [-128n, -1n, 0n, 1n, 127n])).toEqual([0n, 0n, 0n, 1n, 127n]);
    const spec = mkNet([mkLayer([[1n, 1n]], { activation: 'relu' })]);
    expect(networkReference(spec, [-128n, -128n]).y).toEqual([0n]);
  });

  it('linear keeps negatives', () => {
    expect(pass({ activation: 'linear' }, [-128n, -1n, 0n])).toEqual([-128n, -1n, 0n]);
  });

  it('bias is added before relu and shift', () => {
    // bias 6, relu, shift 1 nearest.
    // x = -5: -5 + 6 = 1 → relu 1 → (1 + 1) >> 1 = 1   (bias after relu would give 3, after shift 6)
    // x = -7: -7 + 6 = -1 → relu 0 → 0                  (bias after relu would give 3)
    // x = 4:  4 + 6 = 10 → 10 → (10 + 1) >> 1 = 5       (bias after shift would give 8)
    expect(pass({ bias: [6n], activation: 'relu', shift: 1, rounding: 'nearest' }, [-5n, -7n, 4n])).toEqual([1n, 0n, 5n]);
  });

  it('order: relu before shift before saturation', () => {
    // relu, shift 2 nearest, signed 4 bits saturated ([-8, 7]).
    // x = 40: 40 → (40 + 2) >> 2 = 10 → 7    (saturating before the shift would give (7 + 2) >> 2 = 2)
    // x = 29: 29 → (29 + 2) >> 2 = 7 → 7
    // x = 30: 30 → (30 + 2) >> 2 = 8 → 7
    // x = 26: 26 → (26 + 2) >> 2 = 7 → 7;  x = 25: (25 + 2) >> 2 = 6 → 6
    // x = -40: relu 0 → 0 → 0
    // (relu and the shift commute, since both are monotone and map 0 to 0, so their order can
    // only be checked together with a fit that does not commute: the wrap case below.)
    const s4: LayerOutput = { width: 4, signed: true, overflow: 'saturate' };
    expect(pass({ activation: 'relu', shift: 2, rounding: 'nearest', output: s4 }, [40n, 29n, 30n, 26n, 25n, -40n])).toEqual([7n, 7n, 7n, 7n, 6n, 0n]);
  });

  it('order: relu and shift before wrapping', () => {
    // relu, shift 1 floor, signed 8 bits wrapped.
    // x = 300: 300 → 150 → 150 - 256 = -106   (wrapping first would give 44 → 22)
    // x = -200: relu 0 → 0 → 0                 (wrapping first would give 56 → 28)
    expect(pass({ activation: 'relu', shift: 1, rounding: 'floor', output: S8_WRAP }, [300n, -200n])).toEqual([-106n, 0n]);
  });
});

// layer 0: 2 inputs → 3 outputs, bias [1, 0, 5], relu, shift 1 floor, full precision.
// layer 1: 3 inputs → 2 outputs, bias [-3, 4], linear, no shift, signed 3 bits wrapped ([-4, 3]).
const twoLayers = (withScore: boolean): Spec =>
  mkNet(
    [
      mkLayer(
        [
          [1n, 2n],
          [3n, -1n],
          [-2n, -2n],
        ],
        { bias: [1n, 0n, 5n], activation: 'relu', shift: 1, rounding: 'floor' },
      ),
      mkLayer(
        [
          [1n, -1n, 2n],
          [2n, 2n, -1n],
        ],
        { bias: [-3n, 4n], output: { width: 3, signed: true, overflow: 'wrap' } },
      ),
    ],
    withScore,
  );

describe('networkReference: networks', () => {
  it('a two-layer network computed by hand', () => {
    // x = [3, -2]
    // layer 0: 3 - 4 + 1 = 0 → 0 → 0;  9 + 2 + 0 = 11 → 11 → 5;  -6 + 4 + 5 = 3 → 3 → 1.
    // layer 1: 0 - 5 + 2 - 3 = -6 → -6 + 8 = 2;  0 + 10 - 1 + 4 = 13 → 13 - 8 = 5 → 5 - 8 = -3.
    expect(networkReference(twoLayers(false), [3n, -2n])).toEqual({ y: [2n, -3n], score: null });
    // x = [-1, 4]
    // layer 0: -1 + 8 + 1 = 8 → 8 → 4;  -3 - 4 + 0 = -7 → 0 → 0;  2 - 8 + 5 = -1 → 0 → 0.
    // layer 1: 4 - 0 + 0 - 3 = 1 → 1;  8 + 0 - 0 + 4 = 12 → 12 - 8 = 4 → 4 - 8 = -4.
    expect(networkReference(twoLayers(false), [-1n, 4n])).toEqual({ y: [1n, -4n], score: null });
  });

  it("score: sum of squares of the last layer's outputs", () => {
    // The two-layer network above: y = [2, -3] → 4 + 9 = 13; y = [1, -4] → 1 + 16 = 17.
    // (Layer 0's outputs [0, 5, 1] would give 26: the score must not use them.)
    expect(networkReference(twoLayers(true), [3n, -2n])).toEqual({ y: [2n, -3n], score: 13n });
    expect(networkReference(twoLayers(true), [-1n, 4n])).toEqual({ y: [1n, -4n], score: 17n });
    // One layer: y = [2·3, -3·4, 1·-5] = [6, -12, -5] → 36 + 144 + 25 = 205.
    const one = mkNet(
      [
        mkLayer([
          [2n, 0n, 0n],
          [0n, -3n, 0n],
          [0n, 0n, 1n],
        ]),
      ],
      true,
    );
    expect(networkReference(one, [3n, 4n, -5n])).toEqual({ y: [6n, -12n, -5n], score: 205n });
  });

  it('score of all-zero outputs is 0, and is exact beyond 2^64', () => {
    const one = mkNet([mkLayer([[1n], [1n]])], true);
    expect(networkReference(one, [0n]).score).toBe(0n);
    // y = [2^40, 2^40] → 2 · 2^80 = 2^81 = 2417851639229258349412352.
    expect(networkReference(one, [1n << 40n]).score).toBe(2417851639229258349412352n);
  });

  it('does not modify its input vector', () => {
    const x = [3n, -2n];
    networkReference(twoLayers(true), x);
    expect(x).toEqual([3n, -2n]);
  });
});

describe('matVec, matrixReference and referenceOf: y = W·x', () => {
  // W is 3 outputs × 2 inputs.
  const W = [
    [2n, -3n],
    [0n, 5n],
    [-1n, -1n],
  ];

  it('matVec computes W·x', () => {
    // x = [4, -2]: 8 + 6 = 14; 0 - 10 = -10; -4 + 2 = -2.
    expect(matVec(W, [4n, -2n])).toEqual([14n, -10n, -2n]);
    // x = [0, 0]: all zero.
    expect(matVec(W, [0n, 0n])).toEqual([0n, 0n, 0n]);
    // x = [-128, 127]: -256 - 381 = -637; 635; 128 - 127 = 1.
    expect(matVec(W, [-128n, 127n])).toEqual([-637n, 635n, 1n]);
  });

  it('matVec is exact beyond 2^64', () => {
    // (2^63 - 1) · 2^31 + 2^62 · 2^31 = 2^94 - 2^31 + 2^93 = 3 · 2^93 - 2^31
    //   = 29710560942849126597578981376 - 2147483648 = 29710560942849126595431497728.
    expect(matVec([[(1n << 63n) - 1n, 1n << 62n]], [1n << 31n, 1n << 31n])).toEqual([29710560942849126595431497728n]);
  });

  it('matrixReference(W) is x ↦ W·x', () => {
    const ref = matrixReference(W);
    expect(ref([4n, -2n])).toEqual([14n, -10n, -2n]);
    expect(ref([1n, 1n])).toEqual([-1n, 5n, -2n]);
  });

  it('referenceOf a matrix spec is W·x, with no score', () => {
    const ref = referenceOf(matrixSpec('m', { width: 8, signed: true }, W));
    expect(ref([4n, -2n])).toEqual([14n, -10n, -2n]);
    expect(ref([-128n, 127n])).toEqual([-637n, 635n, 1n]);
    expect(networkReference(matrixSpec('m', { width: 8, signed: true }, W), [1n, 1n])).toEqual({ y: [-1n, 5n, -2n], score: null });
  });

  it('referenceOf a spec with a score gives y, then the score', () => {
    // The two-layer network above, x = [3, -2]: y = [2, -3], score 13.
    expect(referenceOf(twoLayers(true))([3n, -2n])).toEqual([2n, -3n, 13n]);
    expect(referenceOf(twoLayers(false))([3n, -2n])).toEqual([2n, -3n]);
    // W with a score: x = [4, -2] → y = [14, -10, -2], 196 + 100 + 4 = 300.
    const scored: Spec = { ...matrixSpec('m', { width: 8, signed: true }, W), score: { kind: 'sum_of_squares', of: 'last' }, form: 'layers' };
    expect(referenceOf(scored)([4n, -2n])).toEqual([14n, -10n, -2n, 300n]);
  });
});
