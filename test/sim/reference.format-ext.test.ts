import { describe, expect, it } from 'vitest';
import { referenceOf } from '../../src/sim/reference.js';
import { parseSpec } from '../../src/spec/parse.js';

// The reference model on the format extensions (rounding "nearest_even", overflow
// "saturate_symmetric", per-channel shifts and output formats). Every expected value is worked
// out by hand in the comments, never by the code under test.

/** The reference of a network over `input`, as a function of plain numbers. */
function refOf(layers: unknown[], input: Record<string, unknown> = { width: 12, signed: true }): (x: number[]) => number[] {
  const ref = referenceOf(parseSpec(JSON.stringify({ format: 1, name: 'r', input, layers }), 'r.json'));
  return (x) => ref(x.map(BigInt)).map(Number);
}

/** y = x >> k (one input, one output) rounded per `rounding`. */
const shifted = (k: number, rounding: string): ((x: number) => number) => {
  const f = refOf([{ weights: [[1]], shift: k, rounding }]);
  return (x) => f([x])[0]!;
};

describe('rounding "nearest_even": ties to the even neighbour', () => {
  it.each([
    // k = 1: x / 2
    [1, 5, 2], // 2.5 → 2
    [1, 7, 4], // 3.5 → 4
    [1, -5, -2], // −2.5 → −2
    [1, -7, -4], // −3.5 → −4
    [1, 1, 0], // 0.5 → 0
    [1, -1, 0], // −0.5 → 0
    [1, 3, 2], // 1.5 → 2
    [1, -3, -2], // −1.5 → −2
    [1, 6, 3], // 3 exactly
    // k = 2: x / 4
    [2, 10, 2], // 2.5 → 2
    [2, 14, 4], // 3.5 → 4
    [2, -10, -2], // −2.5 → −2
    [2, -14, -4], // −3.5 → −4
    [2, 9, 2], // 2.25 → 2
    [2, 11, 3], // 2.75 → 3
    [2, -9, -2], // −2.25 → −2
    [2, -11, -3], // −2.75 → −3
    // k = 3: x / 8
    [3, 20, 2], // 2.5 → 2
    [3, 28, 4], // 3.5 → 4
    [3, -20, -2], // −2.5 → −2
    [3, -28, -4], // −3.5 → −4
    [3, 21, 3], // 2.625 → 3
    [3, 19, 2], // 2.375 → 2
    [3, -19, -2], // −2.375 → −2
    [3, -21, -3], // −2.625 → −3
    // k = 5: x / 32
    [5, 80, 2], // 2.5 → 2
    [5, 112, 4], // 3.5 → 4
    [5, -80, -2], // −2.5 → −2
    [5, -112, -4], // −3.5 → −4
    [5, 81, 3], // 2.53125 → 3
    [5, -81, -3], // −2.53125 → −3
    [5, 2047, 64], // 63.97 → 64
    [5, -2048, -64], // −64 exactly
  ])('k = %i: %i / 2^k → %i', (k, x, y) => {
    expect(shifted(k, 'nearest_even')(x)).toBe(y);
  });

  it('differs from "nearest" (halves up) and "floor" exactly at the ties', () => {
    // 2.5: nearest 3, nearest_even 2, floor 2; −2.5: nearest −2, nearest_even −2, floor −3;
    // 3.5: nearest 4, nearest_even 4, floor 3; −3.5: nearest −3, nearest_even −4, floor −4
    const xs = [5, -5, 7, -7];
    expect(xs.map(shifted(1, 'nearest'))).toEqual([3, -2, 4, -3]);
    expect(xs.map(shifted(1, 'nearest_even'))).toEqual([2, -2, 4, -4]);
    expect(xs.map(shifted(1, 'floor'))).toEqual([2, -3, 3, -4]);
  });

  it('k = 0 changes nothing', () => {
    expect([5, -5, 0, 2047, -2048].map(shifted(0, 'nearest_even'))).toEqual([5, -5, 0, 2047, -2048]);
  });

  it('comes after the bias and the activation, before the output format', () => {
    // a = 3x + 1, relu, / 4 ties to even, then 3-bit signed wrap:
    // x = 3: a = 10, 2.5 → 2; x = 5: a = 16 → 4, wraps to −4; x = −2: a = −5, relu 0 → 0;
    // x = 7: a = 22, 5.5 → 6, wraps to −2
    const f = refOf([{ weights: [[3]], bias: [1], activation: 'relu', shift: 2, rounding: 'nearest_even', output: { width: 3, signed: true } }]);
    expect([3, 5, -2, 7].map((x) => f([x])[0])).toEqual([2, -4, 0, -2]);
  });

  it('rounds an average pool', () => {
    // windows of 2 (default shift 1): (1 + 2) / 2 = 1.5 → 2, (3 + 4) / 2 = 3.5 → 4, (−1 + −4) / 2 = −2.5 → −2, (5 + 0)/2 = 2.5 → 2
    const f = refOf([{ kind: 'avgpool1d', pool: 2, rounding: 'nearest_even' }], { width: 4, signed: true, shape: [8, 1] });
    expect(f([1, 2, 3, 4, -1, -4, 5, 0])).toEqual([2, 4, -2, 2]);
  });
});

describe('overflow "saturate_symmetric"', () => {
  it('clamps a signed value to ±(2^(w−1) − 1): never −2^(w−1)', () => {
    // 4-bit signed: [−7, 7]
    const f = refOf([{ weights: [[1]], output: { width: 4, signed: true, overflow: 'saturate_symmetric' } }]);
    expect([-100, -9, -8, -7, -1, 0, 6, 7, 8, 100].map((x) => f([x])[0])).toEqual([-7, -7, -7, -7, -1, 0, 6, 7, 7, 7]);
    // "saturate" keeps −8
    const g = refOf([{ weights: [[1]], output: { width: 4, signed: true, overflow: 'saturate' } }]);
    expect([-9, -8, 8].map((x) => g([x])[0])).toEqual([-8, -8, 7]);
  });

  it('is "saturate" for an unsigned output', () => {
    // 3-bit unsigned: [0, 7]
    const f = refOf([{ weights: [[1]], output: { width: 3, signed: false, overflow: 'saturate_symmetric' } }]);
    expect([-5, 0, 7, 8, 100].map((x) => f([x])[0])).toEqual([0, 0, 7, 7, 7]);
  });

  it('2-bit signed is −1 … 1', () => {
    const f = refOf([{ weights: [[1]], output: { width: 2, signed: true, overflow: 'saturate_symmetric' } }]);
    expect([-3, -2, -1, 0, 1, 2].map((x) => f([x])[0])).toEqual([-1, -1, -1, 0, 1, 1]);
  });
});

describe('per-channel shifts and output formats', () => {
  it('shifts and fits each channel its own way; a width of 0 is always 0', () => {
    // four copies of x (weights 1, bias 0), channel c: shift [0, 1, 2, 3], floor, then
    // widths [4, 3, 0, 5] signed [true, false, true, true], wrap:
    //   x = 37:  37 mod 16 = 5 → 5; 18 mod 8 = 2; pruned 0; 4 → 4
    //   x = −13: −13 mod 16 = 3 → 3; −7 (floor of −6.5) mod 8 = 1; 0; −2 (floor of −1.625) → −2
    //   x = 120: 120 mod 16 = 8 → −8; 60 mod 8 = 4; 0; 15 → 15
    const layer = { weights: [[1], [1], [1], [1]], shift: [0, 1, 2, 3], output: { width: [4, 3, 0, 5], signed: [true, false, true, true] } };
    const f = refOf([layer]);
    expect(f([37])).toEqual([5, 2, 0, 4]);
    expect(f([-13])).toEqual([3, 1, 0, -2]);
    expect(f([120])).toEqual([-8, 4, 0, 15]);
  });

  it('saturates per channel, with ties to even per channel shift', () => {
    // channel c: x >> [1, 2] ties to even, then [3-bit signed, 2-bit unsigned] saturate_symmetric:
    //   x = 5:   2.5 → 2 (in −3 … 3);   1.25 → 1 (in 0 … 3)
    //   x = 14:  7 → 3;                  3.5 → 4 → 3
    //   x = −14: −7 → −3;                −3.5 → −4 → 0
    //   x = −6:  −3 → −3;                −1.5 → −2 → 0
    const f = refOf([{ weights: [[1], [1]], shift: [1, 2], rounding: 'nearest_even', output: { width: [3, 2], signed: [true, false], overflow: 'saturate_symmetric' } }]);
    expect([5, 14, -14, -6].map((x) => f([x]))).toEqual([
      [2, 1],
      [3, 3],
      [-3, 0],
      [-3, 0],
    ]);
  });

  it('channels are the last axis of a convolution\'s output', () => {
    // conv1d, kernel 1 tap, 1 input channel, 2 output channels with weights [1, 1]; shape [3, 1] → [3, 2]:
    // element (l, c) is x[l] >> [0, 2][c] fitted to [4-bit signed, 0 (pruned)], wrap
    // x = [9, −3, 20]: channel 0: 9 → −7, −3, 20 → 4; channel 1: 0
    const f = refOf([{ kind: 'conv1d', kernel: [[[1, 1]]], shift: [0, 2], output: { width: [4, 0], signed: true } }], { width: 8, signed: true, shape: [3, 1] });
    expect(f([9, -3, 20])).toEqual([-7, 0, -3, 0, 4, 0]);
  });

  it('a batchnorm\'s channels', () => {
    // shape [2, 2]: element (l, c) = (scale[c]·x + offset[c]) >> shift[c], scale [3, −1], offset [1, 0], shift [1, 0], floor;
    // output [5-bit signed, 3-bit unsigned] saturate:
    //   x = [4, 6, −2, 9]: (12 + 1) >> 1 = 6; −6 → 0; (−6 + 1) >> 1 = −3; −9 → 0
    //   x = [40, −10, 0, 1]: 121 >> 1 = 60 → 15; 10 → 7; 1 >> 1 = 0; −1 → 0
    const f = refOf([{ kind: 'batchnorm', scale: [3, -1], offset: [1, 0], shift: [1, 0], output: { width: [5, 3], signed: [true, false], overflow: 'saturate' } }], { width: 8, signed: true, shape: [2, 2] });
    expect(f([4, 6, -2, 9])).toEqual([6, 0, -3, 0]);
    expect(f([40, -10, 0, 1])).toEqual([15, 7, 0, 0]);
  });
});
