import { describe, expect, it } from 'vitest';
import { forwardModel } from '../../src/import/forward.js';
import type { FixedFormat, ModelGraph, ModelOp, OpMeta, QOverflow, QRounding } from '../../src/import/ir.js';

/**
 * The float64 referee on small hand-made graphs. Every expected value is worked out by hand in
 * the comments beside it, from the definitions in ir.ts, not computed by the code under test.
 */

const meta = (name = 'op'): OpMeta => ({ name, cls: 'Test', notes: [] });

function fmt(signed: boolean, width: number, frac: number, rounding: QRounding = 'floor', overflow: QOverflow = 'saturate'): FixedFormat {
  return { signed, width, frac, rounding, overflow };
}

function graph(inputShape: number[], ops: ModelOp[]): ModelGraph {
  return { name: 't', framework: 'test', inputShape, input: fmt(true, 16, 8), inputSource: 'test', ops, notes: [] };
}

const quant = (...formats: FixedFormat[]): ModelOp => ({ op: 'quant', formats, source: 'test', meta: meta('q') });

/** Quantize each of xs alone (shape [1]) with one format. */
function q(f: FixedFormat, xs: number[]): number[] {
  return xs.map((x) => forwardModel(graph([1], [quant(f)]), [x])[0]!);
}

describe('quant: rounding', () => {
  it('rounds exact ties at frac 0 per mode', () => {
    const ties = [2.5, 3.5, -2.5, -3.5];
    // floor: toward −∞: 2, 3, −3, −4
    expect(q(fmt(true, 8, 0, 'floor'), ties)).toEqual([2, 3, -3, -4]);
    // nearest: floor(v + 1/2), halves up: 3, 4, −2, −3
    expect(q(fmt(true, 8, 0, 'nearest'), ties)).toEqual([3, 4, -2, -3]);
    // nearest_even: halves to the even neighbour: 2, 4, −2, −4
    expect(q(fmt(true, 8, 0, 'nearest_even'), ties)).toEqual([2, 4, -2, -4]);
  });

  it('rounds exact ties at frac 3', () => {
    // ±5/16 and ±7/16 are ±2.5 and ±3.5 eighths
    const ties = [0.3125, 0.4375, -0.3125, -0.4375];
    // floor: 2/8, 3/8, −3/8, −4/8
    expect(q(fmt(true, 8, 3, 'floor'), ties)).toEqual([0.25, 0.375, -0.375, -0.5]);
    // nearest: 3/8, 4/8, −2/8, −3/8
    expect(q(fmt(true, 8, 3, 'nearest'), ties)).toEqual([0.375, 0.5, -0.25, -0.375]);
    // nearest_even: 2/8, 4/8, −2/8, −4/8
    expect(q(fmt(true, 8, 3, 'nearest_even'), ties)).toEqual([0.25, 0.5, -0.25, -0.5]);
  });

  it('rounds values off the ties to the nearest integer', () => {
    // 2.4 → 2, 2.6 → 3, −2.4 → −2, −2.6 → −3 (nearest and nearest_even agree); floor: 2, 2, −3, −3
    expect(q(fmt(true, 8, 0, 'nearest'), [2.4, 2.6, -2.4, -2.6])).toEqual([2, 3, -2, -3]);
    expect(q(fmt(true, 8, 0, 'nearest_even'), [2.4, 2.6, -2.4, -2.6])).toEqual([2, 3, -2, -3]);
    expect(q(fmt(true, 8, 0, 'floor'), [2.4, 2.6, -2.4, -2.6])).toEqual([2, 2, -3, -3]);
  });

  it('rounds exact halves of large magnitude, and values just off a half, exactly', () => {
    const big = 2 ** 51; // 2^51 + 0.5 and 2^51 + 1.5 are exact doubles (53 significant bits)
    // nearest_even: 2^51 + 0.5 → 2^51 (even); 2^51 + 1.5 → 2^51 + 2; −(2^51 + 0.5) → −2^51
    expect(q(fmt(true, 60, 0, 'nearest_even'), [big + 0.5, big + 1.5, -(big + 0.5)])).toEqual([big, big + 2, -big]);
    // nearest: 2^51 + 0.5 → 2^51 + 1; −(2^51 + 0.5) → −2^51
    expect(q(fmt(true, 60, 0, 'nearest'), [big + 0.5, -(big + 0.5)])).toEqual([big + 1, -big]);
    // 1/2 − 2^−54 is just below the half: nearest gives 0 (floor(v + 1/2) in floats would round
    // v + 1/2 = 1 − 2^−54 up to 1); −1/2 − 2^−40 is just below −1/2: −1
    expect(q(fmt(true, 8, 0, 'nearest'), [0.5 - 2 ** -54, -0.5 - 2 ** -40])).toEqual([0, -1]);
    expect(q(fmt(true, 8, 0, 'nearest_even'), [0.5 - 2 ** -54, -0.5 - 2 ** -40, 0.5 + 2 ** -52])).toEqual([0, -1, 1]);
  });
});

describe('quant: overflow', () => {
  it('wraps signed values modulo 2^width', () => {
    // signed 4 bits: [−8, 7]. 7 → 7; 8 → −8; 9 → −7; −8 → −8; −9 → 7; 16 → 0; 23 → 7; −17 → 15 − 16 = −1
    expect(q(fmt(true, 4, 0, 'floor', 'wrap'), [7, 8, 9, -8, -9, 16, 23, -17])).toEqual([7, -8, -7, -8, 7, 0, 7, -1]);
  });

  it('saturates signed values to [min, max]', () => {
    // signed 4 bits: 7 → 7, 8 → 7, 100 → 7, −8 → −8, −9 → −8
    expect(q(fmt(true, 4, 0, 'floor', 'saturate'), [7, 8, 100, -8, -9])).toEqual([7, 7, 7, -8, -8]);
  });

  it('saturates signed values symmetrically to [−max, max]', () => {
    // signed 4 bits: [−7, 7]; −8 → −7, −9 → −7, −7 → −7, 8 → 7, 7 → 7
    expect(q(fmt(true, 4, 0, 'floor', 'saturate_symmetric'), [-8, -9, -7, 8, 7])).toEqual([-7, -7, -7, 7, 7]);
  });

  it('fits unsigned values', () => {
    // unsigned 3 bits: [0, 7]. wrap: 7 → 7, 8 → 0, −1 → 7, 13 → 5
    expect(q(fmt(false, 3, 0, 'floor', 'wrap'), [7, 8, -1, 13])).toEqual([7, 0, 7, 5]);
    // saturate and saturate_symmetric (the same when unsigned): −1 → 0, 8 → 7, 0 → 0
    expect(q(fmt(false, 3, 0, 'floor', 'saturate'), [-1, 8, 0])).toEqual([0, 7, 0]);
    expect(q(fmt(false, 3, 0, 'floor', 'saturate_symmetric'), [-1, 8, 0])).toEqual([0, 7, 0]);
  });

  it('rounds before fitting, at the fractional scale', () => {
    // signed 4 bits, frac 1: k ∈ [−8, 7], values [−4, 3.5]. 3.75 → k = 7.5 → nearest 8 → saturate 7 → 3.5;
    // wrap: 8 → −8 → −4
    expect(q(fmt(true, 4, 1, 'nearest', 'saturate'), [3.75])).toEqual([3.5]);
    expect(q(fmt(true, 4, 1, 'nearest', 'wrap'), [3.75])).toEqual([-4]);
  });

  it('gives 0 for width 0', () => {
    // width 0 holds only 0, whatever the value or mode
    expect(q(fmt(true, 0, 0, 'nearest', 'wrap'), [5.5, -3, 0])).toEqual([0, 0, 0]);
    expect(q(fmt(false, 0, 2, 'floor', 'saturate'), [5.5, -3, 0])).toEqual([0, 0, 0]);
  });

  it('takes a negative frac as a grid coarser than 1', () => {
    // frac −2: values 4k, signed 4 bits: k ∈ [−8, 7], values [−32, 28]
    // 10 → k = 2.5: nearest_even 2 → 8, nearest 3 → 12, floor 2 → 8
    expect(q(fmt(true, 4, -2, 'nearest_even'), [10])).toEqual([8]);
    expect(q(fmt(true, 4, -2, 'nearest'), [10])).toEqual([12]);
    expect(q(fmt(true, 4, -2, 'floor'), [10])).toEqual([8]);
    // −6 → k = −1.5: nearest_even −2 → −8; 100 → k = 25: saturate 7 → 28, wrap 25 − 32 = −7 → −28
    expect(q(fmt(true, 4, -2, 'nearest_even'), [-6])).toEqual([-8]);
    expect(q(fmt(true, 4, -2, 'floor', 'saturate'), [100])).toEqual([28]);
    expect(q(fmt(true, 4, -2, 'floor', 'wrap'), [100])).toEqual([-28]);
  });

  it('applies per-channel formats along the last axis', () => {
    // [L = 2, C = 2]: channel 0 signed 8 bits frac 1 floor, channel 1 unsigned 2 bits frac 0 nearest, both saturate
    // x = [(0.75, 2.5), (−0.75, 5)]:
    //   ch0: 0.75·2 = 1.5 → 1 → 0.5; −0.75·2 = −1.5 → −2 → −1
    //   ch1: 2.5 → 3 (max 3) → 3; 5 → saturate 3
    const g = graph([2, 2], [quant(fmt(true, 8, 1, 'floor'), fmt(false, 2, 0, 'nearest'))]);
    expect(forwardModel(g, [0.75, 2.5, -0.75, 5])).toEqual([0.5, 3, -1, 3]);
    // a format count that is neither 1 nor C
    const bad = graph([2, 2], [quant(fmt(true, 8, 1), fmt(true, 8, 1), fmt(true, 8, 1))]);
    expect(() => forwardModel(bad, [0, 0, 0, 0])).toThrow(/1 format or 2/);
  });
});

describe('dense', () => {
  it('computes Σ_i W[i][o]·u[i] + bias[o]', () => {
    // W[i][o] = [[1, 2], [0.5, −1], [−0.25, 0]], bias [0.125, −1], x = [2, −4, 8]
    // y0 = 1·2 + 0.5·(−4) + (−0.25)·8 + 0.125 = 2 − 2 − 2 + 0.125 = −1.875
    // y1 = 2·2 + (−1)·(−4) + 0·8 − 1 = 7
    const g = graph([3], [{ op: 'dense', W: [[1, 2], [0.5, -1], [-0.25, 0]], bias: [0.125, -1], weightType: '', biasType: '', meta: meta() }]);
    expect(forwardModel(g, [2, -4, 8])).toEqual([-1.875, 7]);
    // without bias: [−2, 8]
    const h = graph([3], [{ op: 'dense', W: [[1, 2], [0.5, -1], [-0.25, 0]], bias: null, weightType: '', biasType: '', meta: meta() }]);
    expect(forwardModel(h, [2, -4, 8])).toEqual([-2, 8]);
  });

  it('reads a shaped input flat', () => {
    // [L = 2, C = 1] = [3, 5], W = [[1], [10]]: 3 + 50 = 53
    const g = graph([2, 1], [{ op: 'dense', W: [[1], [10]], bias: null, weightType: '', biasType: '', meta: meta() }]);
    expect(forwardModel(g, [3, 5])).toEqual([53]);
  });
});

function conv(rank: 1 | 2, kernel: number[][][][], strides: [number, number], dilation: [number, number], padding: 'valid' | 'same', bias: number[] | null = null): ModelOp {
  return { op: 'conv', rank, kernel, strides, dilation, padding, bias, weightType: '', biasType: '', meta: meta('conv') };
}

describe('conv1d', () => {
  // [L = 5, C = 1] = 1, 2, 3, 4, 5; kernel taps 1, 10, 100 (one channel in and out)
  const x = [1, 2, 3, 4, 5];
  const k3: number[][][][] = [[[[1]], [[10]], [[100]]]];
  const run = (strides: number, dilation: number, padding: 'valid' | 'same'): number[] => forwardModel(graph([5, 1], [conv(1, k3, [1, strides], [1, dilation], padding)]), x);

  it('valid', () => {
    // stride 1: 1 + 20 + 300 = 321, 2 + 30 + 400 = 432, 3 + 40 + 500 = 543
    expect(run(1, 1, 'valid')).toEqual([321, 432, 543]);
    // stride 2: ⌊(5 − 3)/2⌋ + 1 = 2 positions, starting at 0 and 2: 321, 543
    expect(run(2, 1, 'valid')).toEqual([321, 543]);
    // dilation 2: span 5, one position, taps at 0, 2, 4: 1 + 30 + 500 = 531
    expect(run(1, 2, 'valid')).toEqual([531]);
  });

  it('same, stride 2', () => {
    // ⌈5/2⌉ = 3 positions; pad total (3 − 1)·2 + 3 − 5 = 2: 1 before, 1 after: [0, 1, 2, 3, 4, 5, 0]
    // windows at padded 0, 2, 4: 0 + 10 + 200 = 210; 2 + 30 + 400 = 432; 4 + 50 + 0 = 54
    expect(run(2, 1, 'same')).toEqual([210, 432, 54]);
  });

  it('same, stride 2, dilation 2', () => {
    // span 5; 3 positions; pad total (3 − 1)·2 + 5 − 5 = 4: 2 before: [0, 0, 1, 2, 3, 4, 5, 0, 0]
    // taps at padded s, s + 2, s + 4 for s = 0, 2, 4: 0 + 10 + 300 = 310; 1 + 30 + 500 = 531; 3 + 50 + 0 = 53
    expect(run(2, 2, 'same')).toEqual([310, 531, 53]);
  });

  it('sums over input channels, per output channel, plus the bias', () => {
    // [L = 2, C = 2] = (1, 2), (3, 4); kernel[0][t][ci][co]: t = 0: [[1, 2], [3, 4]], t = 1: [[−1, 0], [0, 0.5]]
    // bias [0.5, −0.5], valid: one position
    // co0 = 1·1 + 3·2 + (−1)·3 + 0·4 + 0.5 = 4.5
    // co1 = 2·1 + 4·2 + 0·3 + 0.5·4 − 0.5 = 11.5
    const kernel = [[[[1, 2], [3, 4]], [[-1, 0], [0, 0.5]]]];
    expect(forwardModel(graph([2, 2], [conv(1, kernel, [1, 1], [1, 1], 'valid', [0.5, -0.5])]), [1, 2, 3, 4])).toEqual([4.5, 11.5]);
  });
});

describe('conv2d', () => {
  // 4 × 4 × 1, v(h, w) = 4h + w + 1:
  //    1  2  3  4
  //    5  6  7  8
  //    9 10 11 12
  //   13 14 15 16
  const x = Array.from({ length: 16 }, (_, i) => i + 1);
  const k22: number[][][][] = [[[[1]], [[2]]], [[[3]], [[4]]]];
  const ones33: number[][][][] = [0, 1, 2].map(() => [0, 1, 2].map(() => [[1]]));
  const run = (kernel: number[][][][], s: number, d: number, padding: 'valid' | 'same', bias: number[] | null = null): number[] =>
    forwardModel(graph([4, 4, 1], [conv(2, kernel, [s, s], [d, d], padding, bias)]), x);

  it('valid, stride 2', () => {
    // kernel [[1, 2], [3, 4]]; windows at (0,0), (0,2), (2,0), (2,2):
    // 1 + 2·2 + 3·5 + 4·6 = 44; 3 + 2·4 + 3·7 + 4·8 = 64; 9 + 2·10 + 3·13 + 4·14 = 124; 11 + 2·12 + 3·15 + 4·16 = 144
    expect(run(k22, 2, 1, 'valid')).toEqual([44, 64, 124, 144]);
  });

  it('same, stride 2, with the padding after', () => {
    // 3 × 3 ones, ⌈4/2⌉ = 2 per axis, pad total (2 − 1)·2 + 3 − 4 = 1: 0 before, 1 after
    // (0,0): rows 0–2, cols 0–2: 1+2+3+5+6+7+9+10+11 = 54
    // (0,1): rows 0–2, cols 2–3: 3+4+7+8+11+12 = 45
    // (1,0): rows 2–3, cols 0–2: 9+10+11+13+14+15 = 72
    // (1,1): rows 2–3, cols 2–3: 11+12+15+16 = 54; plus the bias 1 each
    expect(run(ones33, 2, 1, 'same', [1])).toEqual([55, 46, 73, 55]);
  });

  it('valid, dilation 2', () => {
    // kernel [[1, 2], [3, 4]] with taps 2 apart (span 3): 2 × 2 positions
    // (0,0): 1·1 + 2·3 + 3·9 + 4·11 = 78; (0,1): 2 + 2·4 + 3·10 + 4·12 = 88
    // (1,0): 5 + 2·7 + 3·13 + 4·15 = 118; (1,1): 6 + 2·8 + 3·14 + 4·16 = 128
    expect(run(k22, 1, 2, 'valid')).toEqual([78, 88, 118, 128]);
  });

  it('same, stride 2, dilation 2', () => {
    // span 3, 2 positions per axis, pad total (2 − 1)·2 + 3 − 4 = 1: 0 before, 1 after (row/col 4 is padding)
    // (0,0): as valid (0,0) = 78; (0,1): taps at cols 2, 4: rows 0, 2: 1·3 + 3·11 = 36
    // (1,0): rows 2, 4, cols 0, 2: 1·9 + 2·11 = 31; (1,1): only (2,2): 1·11 = 11
    expect(run(k22, 2, 2, 'same')).toEqual([78, 36, 31, 11]);
  });

  it('keeps channels last in the output', () => {
    // 1 × 2 × 2 = (1, 2), (3, 4); 1 × 1 kernel [ci][co] = [[1, −1], [2, 0.5]]
    // (0,0): co0 = 1 + 2·2 = 5, co1 = −1 + 0.5·2 = 0; (0,1): co0 = 3 + 2·4 = 11, co1 = −3 + 0.5·4 = −1
    const kernel = [[[[1, -1], [2, 0.5]]]];
    expect(forwardModel(graph([1, 2, 2], [conv(2, kernel, [1, 1], [1, 1], 'valid')]), [1, 2, 3, 4])).toEqual([5, 0, 11, -1]);
  });
});

function pool(mode: 'max' | 'avg', rank: 1 | 2, p: [number, number], s: [number, number], padding: 'valid' | 'same'): ModelOp {
  return { op: 'pool', mode, rank, pool: p, strides: s, padding, meta: meta('pool') };
}

describe('pool', () => {
  // 3 × 3 × 1:
  //    1  9  2
  //    4  5  6
  //   −7  8 −3
  const x = [1, 9, 2, 4, 5, 6, -7, 8, -3];
  const run = (mode: 'max' | 'avg', s: number, padding: 'valid' | 'same'): number[] => forwardModel(graph([3, 3, 1], [pool(mode, 2, [2, 2], [s, s], padding)]), x);

  it('max and avg, 2 × 2, stride 2, same (padding after)', () => {
    // ⌈3/2⌉ = 2 per axis, pad total (2 − 1)·2 + 2 − 3 = 1: 0 before, 1 after
    // windows: (0,0) {1, 9, 4, 5}; (0,1) {2, 6}; (1,0) {−7, 8}; (1,1) {−3}
    // max: 9, 6, 8, −3 (the padding's 0 never wins over −3)
    expect(run('max', 2, 'same')).toEqual([9, 6, 8, -3]);
    // avg over the positions inside: 19/4 = 4.75, 8/2 = 4, 1/2 = 0.5, −3/1 = −3
    expect(run('avg', 2, 'same')).toEqual([4.75, 4, 0.5, -3]);
  });

  it('max and avg, 2 × 2, stride 1, valid', () => {
    // windows: {1, 9, 4, 5}, {9, 2, 5, 6}, {4, 5, −7, 8}, {5, 6, 8, −3}
    expect(run('max', 1, 'valid')).toEqual([9, 9, 8, 8]);
    // 19/4 = 4.75, 22/4 = 5.5, 10/4 = 2.5, 16/4 = 4
    expect(run('avg', 1, 'valid')).toEqual([4.75, 5.5, 2.5, 4]);
  });

  it('pools rank 1 per channel', () => {
    // [L = 5, C = 2]: ch0 = 1, −2, 3, −4, 5; ch1 = 0, 0, 0, 0, −1
    const y = [1, 0, -2, 0, 3, 0, -4, 0, 5, -1];
    const r = (mode: 'max' | 'avg', padding: 'valid' | 'same'): number[] => forwardModel(graph([5, 2], [pool(mode, 1, [1, 2], [1, 2], padding)]), y);
    // same: ⌈5/2⌉ = 3, pad total 2·2 + 2 − 5 = 1 after: windows {0, 1}, {2, 3}, {4}
    // max ch0: 1, 3, 5; ch1: 0, 0, −1
    expect(r('max', 'same')).toEqual([1, 0, 3, 0, 5, -1]);
    // avg ch0: −1/2, −1/2, 5/1; ch1: 0, 0, −1
    expect(r('avg', 'same')).toEqual([-0.5, 0, -0.5, 0, 5, -1]);
    // valid: ⌊(5 − 2)/2⌋ + 1 = 2 windows {0, 1}, {2, 3}: max 1, 0, 3, 0
    expect(r('max', 'valid')).toEqual([1, 0, 3, 0]);
  });
});

describe('flatten', () => {
  // [H = 2, W = 2, C = 3], element (h, w, c) = 100c + 10h + w, channels last:
  // (0,0): 0, 100, 200; (0,1): 1, 101, 201; (1,0): 10, 110, 210; (1,1): 11, 111, 211
  const x = [0, 100, 200, 1, 101, 201, 10, 110, 210, 11, 111, 211];
  const flat = (order: 'channels_last' | 'channels_first', shape: number[], v: number[]): number[] =>
    forwardModel(graph(shape, [{ op: 'flatten', order, meta: meta() }]), v);

  it('keeps the order channels last', () => {
    expect(flat('channels_last', [2, 2, 3], x)).toEqual(x);
  });

  it('takes (c, h, w) order channels first', () => {
    // output (c·2 + h)·2 + w: channel 0's (h, w) in row-major order, then channel 1's, then 2's
    expect(flat('channels_first', [2, 2, 3], x)).toEqual([0, 1, 10, 11, 100, 101, 110, 111, 200, 201, 210, 211]);
    // [L = 3, C = 2], element (l, c) = 10c + l: channels first 0, 1, 2, 10, 11, 12
    expect(flat('channels_first', [3, 2], [0, 10, 1, 11, 2, 12])).toEqual([0, 1, 2, 10, 11, 12]);
  });

  it('gives a flat shape that a dense layer reads', () => {
    // channels first then dense picking input 1 (= element (0, 1, 0) = 1) and input 4 (= element (0, 0, 1) = 100)
    const W = Array.from({ length: 12 }, (_, i) => [i === 1 ? 1 : 0, i === 4 ? 1 : 0]);
    const g = graph([2, 2, 3], [{ op: 'flatten', order: 'channels_first', meta: meta() }, { op: 'dense', W, bias: null, weightType: '', biasType: '', meta: meta() }]);
    expect(forwardModel(g, x)).toEqual([1, 100]);
  });
});

describe('activations', () => {
  const act = (op: ModelOp, v: number[]): number[] => forwardModel(graph([v.length], [op]), v);

  it('step with cmp gt and ge at the exact thresholds', () => {
    // thresholds −0.5, 0.5; levels −1, 0, 1
    const step = (cmp: ('gt' | 'ge')[]): ModelOp => ({ op: 'step', thresholds: [-0.5, 0.5], cmp, levels: [-1, 0, 1], meta: meta() });
    // gt, gt: −0.5 passes none → −1; 0.5 passes −0.5 only → 0; 0.75 → 1; −1 → −1; 0 → 0
    expect(act(step(['gt', 'gt']), [-0.5, 0.5, 0.75, -1, 0])).toEqual([-1, 0, 1, -1, 0]);
    // ge, ge: −0.5 passes −0.5 → 0; 0.5 passes both → 1; −0.75 → −1; 0 → 0
    expect(act(step(['ge', 'ge']), [-0.5, 0.5, -0.75, 0])).toEqual([0, 1, -1, 0]);
    // ge, gt (ternary_tanh-like, symmetric about 0): −0.5 → 0; 0.5 → 0; 0.75 → 1; −0.75 → −1
    expect(act(step(['ge', 'gt']), [-0.5, 0.5, 0.75, -0.75])).toEqual([0, 0, 1, -1]);
    // gt, ge: −0.5 → −1; 0.5 → 1
    expect(act(step(['gt', 'ge']), [-0.5, 0.5])).toEqual([-1, 1]);
  });

  it('step checks its thresholds, comparisons and levels', () => {
    const bad = (thresholds: number[], cmp: ('gt' | 'ge')[], levels: number[]): (() => number[]) => () =>
      act({ op: 'step', thresholds, cmp, levels, meta: meta() }, [0]);
    expect(bad([0], ['gt'], [0])).toThrow(/2 levels/);
    expect(bad([0, 1], ['gt'], [0, 1, 2])).toThrow(/2 comparisons/);
    expect(bad([1, 0], ['gt', 'gt'], [0, 1, 2])).toThrow(/not ascending/);
  });

  it('relu, leaky_relu, sign', () => {
    expect(act({ op: 'relu', meta: meta() }, [-1, 0, 2])).toEqual([0, 0, 2]);
    // alpha 0.25: −4 → −1, 0 → 0, 3 → 3
    expect(act({ op: 'leaky_relu', alpha: 0.25, meta: meta() }, [-4, 0, 3])).toEqual([-1, 0, 3]);
    // u ≥ 0 → +1: −0.5 → −1, 0 → 1, 0.25 → 1
    expect(act({ op: 'sign', meta: meta() }, [-0.5, 0, 0.25])).toEqual([-1, 1, 1]);
  });

  it('affine per channel', () => {
    // [L = 2, C = 2], scale [2, 0.5], offset [1, −1]: 1·2 + 1 = 3, 2·0.5 − 1 = 0, 3·2 + 1 = 7, 4·0.5 − 1 = 1
    const g = graph([2, 2], [{ op: 'affine', scale: [2, 0.5], offset: [1, -1], meta: meta() }]);
    expect(forwardModel(g, [1, 2, 3, 4])).toEqual([3, 0, 7, 1]);
  });

  it('argmax, ties to the lowest index', () => {
    const am: ModelOp = { op: 'argmax', meta: meta() };
    expect(act(am, [3, 7, 7, -1])).toEqual([1]);
    expect(act(am, [-2, -2])).toEqual([0]);
    expect(act(am, [5])).toEqual([0]);
    expect(act(am, [-3, -1, -2])).toEqual([1]);
  });
});

describe('a chain', () => {
  it('runs the ops in order', () => {
    // quant signed 4 bits frac 2 nearest_even: 0.3·4 = 1.2 → 1 → 0.25; −0.6·4 = −2.4 → −2 → −0.5
    // dense W[i][o] = [[1, −1], [2, 0.5]]: y0 = 0.25 − 1 = −0.75, y1 = −0.25 − 0.25 = −0.5
    // argmax → 1
    const ops: ModelOp[] = [quant(fmt(true, 4, 2, 'nearest_even')), { op: 'dense', W: [[1, -1], [2, 0.5]], bias: null, weightType: '', biasType: '', meta: meta() }];
    expect(forwardModel(graph([2], ops), [0.3, -0.6])).toEqual([-0.75, -0.5]);
    expect(forwardModel(graph([2], [...ops, { op: 'argmax', meta: meta() }]), [0.3, -0.6])).toEqual([1]);
  });
});

describe('exactness', () => {
  it('throws when a quantizer integer is beyond 2^53', () => {
    // 2^53 at frac 0, and 2^50 at frac 4 (2^54)
    expect(() => q(fmt(true, 60, 0, 'floor'), [2 ** 53])).toThrow(/beyond 2\^53/);
    expect(() => q(fmt(true, 60, 4, 'nearest'), [2 ** 50])).toThrow(/beyond 2\^53/);
    // just below is fine: 2^53 − 1
    expect(q(fmt(true, 60, 0, 'floor'), [2 ** 53 - 1])).toEqual([2 ** 53 - 1]);
  });

  it('throws when a dense sum or product is not exact, unless asked not to check', () => {
    // 2^53 + 1 is not a double
    const sum = graph([2], [{ op: 'dense', W: [[1], [1]], bias: null, weightType: '', biasType: '', meta: meta('fc') }]);
    expect(() => forwardModel(sum, [2 ** 53, 1])).toThrow(/fc.*not exact/);
    expect(forwardModel(sum, [2 ** 53, 1], { checkExact: false })).toEqual([2 ** 53]);
    // (1 + 2^−30)² = 1 + 2^−29 + 2^−60 needs 61 significant bits
    const prod = graph([1], [{ op: 'dense', W: [[1 + 2 ** -30]], bias: null, weightType: '', biasType: '', meta: meta('fc') }]);
    expect(() => forwardModel(prod, [1 + 2 ** -30])).toThrow(/not exact/);
  });

  it('throws on a conv sum that is not exact', () => {
    // [L = 2, C = 1] = 2^53, 1; kernel taps 1, 1: 2^53 + 1
    const g = graph([2, 1], [conv(1, [[[[1]], [[1]]]], [1, 1], [1, 1], 'valid')]);
    expect(() => forwardModel(g, [2 ** 53, 1])).toThrow(/not exact/);
  });

  it('checks the input length and shape', () => {
    expect(() => forwardModel(graph([3], []), [1, 2])).toThrow(/expected 3/);
    expect(() => forwardModel(graph([4], [conv(2, [[[[1]]]], [1, 1], [1, 1], 'valid')]), [1, 2, 3, 4])).toThrow(/\[H, W, C\]/);
  });
});
