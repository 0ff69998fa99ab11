import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/import/api.js';
import type { FixedFormat, ModelGraph, ModelOp, QRounding } from '../../src/import/ir.js';
import { checkAgainstForward } from '../helpers/model-check.js';

/**
 * The helper that checks an import end to end, on a hand-built ImportResult: a model graph and
 * the layers-format JSON written by hand to compute the same thing.
 *
 * The model: x = k / 4 (signed 8 bits, frac 2), a dense layer of 2 inputs and 2 outputs with
 * W[i][o] = [[0.5, −0.25], [0.75, 1]] and bias [0.125, −0.5], then a quantizer to signed 8 bits
 * with 3 fractional bits (values −16 … 15.875), saturating.
 *
 * The layers format, by hand: the weights at 2 fractional bits are W·4 = [[2, −1], [3, 4]]
 * (given as "kernel", Keras's [i][o] layout); the accumulator Σ kernel·k has 2 + 2 = 4
 * fractional bits, so the bias is at 2^4: 0.125·16 = 2, −0.5·16 = −8; the quantizer's 3
 * fractional bits are a shift of 4 − 3 = 1 with the quantizer's rounding, then the output
 * signed 8 bits saturating. E.g. k = (127, 127): acc0 = 2·127 + 3·127 + 2 = 637, 637 >> 1 = 318
 * → saturated to 127 = 15.875; the referee: 0.5·31.75 + 0.75·31.75 + 0.125 = 39.8125 → 318.5
 * eighths → 318 → saturated to 127 eighths.
 */

const meta = (name: string, cls: string) => ({ name, cls, notes: [] });

const INPUT: FixedFormat = { signed: true, width: 8, frac: 2, rounding: 'floor', overflow: 'wrap' };

function denseModel(rounding: QRounding, kernel: number[][] = [[2, -1], [3, 4]]): ImportResult {
  const ops: ModelOp[] = [
    { op: 'dense', W: [[0.5, -0.25], [0.75, 1]], bias: [0.125, -0.5], weightType: 'fixed<8,6>', biasType: 'fixed<8,4>', meta: meta('fc1', 'QDense') },
    { op: 'quant', formats: [{ signed: true, width: 8, frac: 3, rounding, overflow: 'saturate' }], source: 'fixed<8,5>', meta: meta('q1', 'QActivation') },
  ];
  const document = {
    format: 1,
    name: 'selftest',
    input: { width: 8, signed: true },
    layers: [{ kernel, bias: [2, -8], shift: 1, rounding, output: { width: 8, signed: true, overflow: 'saturate' }, weight_frac_bits: 2, input_frac_bits: 2 }],
  };
  return result(ops, document, [2], [3, 3]);
}

/** The same dense layer at full precision, then an argmax (outputFrac null: y is the index). */
function argmaxModel(): ImportResult {
  const ops: ModelOp[] = [
    { op: 'dense', W: [[0.5, -0.25], [0.75, 1]], bias: [0.125, -0.5], weightType: 'fixed<8,6>', biasType: 'fixed<8,4>', meta: meta('fc1', 'QDense') },
    { op: 'argmax', meta: meta('softmax', 'Softmax') },
  ];
  const document = {
    format: 1,
    name: 'selftest_argmax',
    input: { width: 8, signed: true },
    layers: [{ kernel: [[2, -1], [3, 4]], bias: [2, -8] }, { kind: 'argmax' }],
  };
  return result(ops, document, [2], null);
}

function result(ops: ModelOp[], document: Record<string, unknown>, inputShape: number[], outputFrac: number[] | null): ImportResult {
  const graph: ModelGraph = { name: String(document.name), framework: 'hand-built', inputShape, input: INPUT, inputSource: 'test', ops, notes: [] };
  return {
    graph,
    document,
    text: `${JSON.stringify(document, null, 2)}\n`,
    outputFrac,
    input: INPUT,
    report: { file: 'selftest', framework: 'hand-built', input: 'fixed<8,6>', output: 'fixed<8,5>', layers: [], notes: [] },
  };
}

describe('checkAgainstForward', () => {
  it('passes a layers document that computes the model (floor)', () => {
    const r = checkAgainstForward(denseModel('floor'), 300, 1);
    expect(r.mismatches).toEqual([]);
    expect(r.checked).toBe(300);
  });

  it('passes a layers document that computes the model (nearest_even)', () => {
    // nearest_even is in the layers format now (src/spec/parse.ts ROUNDINGS); the accumulator is
    // odd for half the inputs, so ties to even are exercised at the shift
    const r = checkAgainstForward(denseModel('nearest_even'), 300, 2);
    expect(r.mismatches).toEqual([]);
    expect(r.checked).toBe(300);
  });

  it('passes an argmax (the index compared as it is)', () => {
    const r = checkAgainstForward(argmaxModel(), 300, 3);
    expect(r.mismatches).toEqual([]);
    expect(r.checked).toBe(300);
  });

  it('reports mismatches when one integer weight is wrong', () => {
    // kernel[1][0] = 3 (0.75 at 2 fractional bits) changed to 5
    const r = checkAgainstForward(denseModel('floor', [[2, -1], [5, 4]]), 300, 1);
    expect(r.checked).toBe(300);
    expect(r.mismatches.length).toBe(10);
    expect(r.mismatches[0]).toMatch(/^vector \d+, output 0: expected -?[\d.]+, got -?[\d.]+ \(y = -?\d+ \/ 2\^3\); input k = \[-?\d+, -?\d+\] \(x = k \/ 2\^2\)$/);
  });

  it('reports mismatches when the rounding differs (floor hardware, nearest_even model)', () => {
    const wrong = denseModel('nearest_even');
    const r = checkAgainstForward({ ...wrong, text: denseModel('floor').text }, 300, 1);
    expect(r.mismatches.length).toBeGreaterThan(0);
  });
});
