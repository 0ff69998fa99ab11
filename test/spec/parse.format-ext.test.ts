import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/parse.js';
import { commonOutputFormat, keepsPrecision, outputOf, shiftOf } from '../../src/spec/spec.js';
import type { AffineLayer, Layer, PostOps, Spec, TableLayer } from '../../src/spec/spec.js';
import { fitToOutput, functionTable, outputRange } from '../../src/spec/tables.js';
import { specDoc } from '../helpers/spec-doc.js';
import { specErrorsFor } from '../helpers/spec-errors.js';

// The format extensions for bit-exact import (QKeras, HGQ, QONNX): rounding "nearest_even",
// overflow "saturate_symmetric", and per-channel shifts and output formats on the affine layers.
// Every expected value is worked out by hand in the comments.

const FILE = 'nets/x.json';
const { expectError } = specErrorsFor(FILE);

/** A network document with `layers` and the given input (default 8-bit signed, no shape). */
function net(layers: unknown[], input: Record<string, unknown> = { width: 8, signed: true }): string {
  return JSON.stringify(specDoc({ weights: undefined, input, layers }));
}

const parse = (src: string): Spec => parseSpec(src, FILE);

/** A 3-output dense layer over 2 inputs, with extra keys. */
const dense3 = (extra: Record<string, unknown>): Record<string, unknown> => ({ weights: [[1, 2], [3, -4], [-5, 6]], ...extra });

/** Layer n of the parsed document. */
const layer = (src: string, n = 0): Layer => parse(src).layers[n]!;
const affine = (src: string, n = 0): AffineLayer => layer(src, n) as AffineLayer;

describe('rounding "nearest_even" and overflow "saturate_symmetric"', () => {
  it('are read on dense, conv, batchnorm and avgpool layers', () => {
    const s = parse(
      net(
        [
          { kind: 'conv1d', kernel: [[[1, 2]], [[3, 4]]], shift: 2, rounding: 'nearest_even', output: { width: 6, signed: true, overflow: 'saturate_symmetric' } },
          { kind: 'batchnorm', scale: [3, -1], offset: [0, 1], shift: 1, rounding: 'nearest_even' },
          { kind: 'avgpool1d', pool: 2, rounding: 'nearest_even', output: { width: 5, signed: true, overflow: 'saturate_symmetric' } },
          { kind: 'flatten' },
          { weights: [[1, 1, 1, 1]], shift: 3, rounding: 'nearest_even', output: { width: 4, signed: false, overflow: 'saturate_symmetric' } },
        ],
        { width: 4, signed: true, shape: [5, 1] },
      ),
    );
    const [conv, bn, pool, , dense] = s.layers as PostOps[];
    expect([conv!.rounding, conv!.output]).toEqual(['nearest_even', { width: 6, signed: true, overflow: 'saturate_symmetric' }]);
    expect(bn!.rounding).toBe('nearest_even');
    expect([pool!.rounding, pool!.shift, pool!.output!.overflow]).toEqual(['nearest_even', 1, 'saturate_symmetric']);
    expect([dense!.rounding, dense!.output]).toEqual(['nearest_even', { width: 4, signed: false, overflow: 'saturate_symmetric' }]);
  });

  it('names every choice when the rounding or the overflow is unknown', () => {
    expectError(net([dense3({ rounding: 'nearest-even' })]), 'layers[0].rounding', 'expected "floor", "nearest" or "nearest_even" (default "floor")', 'got the string "nearest-even"');
    expectError(net([dense3({ rounding: 'even' })]), 'layers[0].rounding', '"nearest_even"', 'got the string "even"');
    expectError(
      net([dense3({ output: { width: 8, signed: true, overflow: 'symmetric' } })]),
      'layers[0].output.overflow',
      'expected "wrap", "saturate" or "saturate_symmetric" (default "wrap")',
      'got the string "symmetric"',
    );
    expectError(net([dense3({ output: 'x' })]), 'layers[0].output', '"overflow": "wrap"|"saturate"|"saturate_symmetric"');
  });

  it('a table computes its entries with ties to even', () => {
    // hard_sigmoid(v/2) over 3-bit signed v is min(max(v/2 + 3, 0), 6) / 6; times 2^2 it is
    // (v + 6) / 3 for v = −4 … 3: 2/3, 1, 4/3, 5/3, 2, 7/3, 8/3, 3 (thirds: never a tie), so
    // nearest_even rounds as nearest: 1, 1, 1, 2, 2, 2, 3, 3.
    const hs = layer(net([{ weights: [[1]], output: { width: 3, signed: true } }, { kind: 'table', function: 'hard_sigmoid', input_frac_bits: 1, output_frac_bits: 2, rounding: 'nearest_even', output: { width: 4, signed: false } }]), 1) as TableLayer;
    expect(hs.entries).toEqual([1n, 1n, 1n, 2n, 2n, 2n, 3n, 3n]);
    // softsign(v) = v / (1 + |v|) over 2-bit signed v = −2 … 1: −2/3 → −1; −1/2, a tie → 0
    // (even); 0; 1/2, a tie → 0 (even)
    const even = layer(net([{ weights: [[1]], output: { width: 2, signed: true } }, { kind: 'table', function: 'softsign', input_frac_bits: 0, output_frac_bits: 0, rounding: 'nearest_even', output: { width: 3, signed: true } }]), 1) as TableLayer;
    expect(even.entries).toEqual([-1n, 0n, 0n, 0n]);
    const up = layer(net([{ weights: [[1]], output: { width: 2, signed: true } }, { kind: 'table', function: 'softsign', input_frac_bits: 0, output_frac_bits: 0, rounding: 'nearest', output: { width: 3, signed: true } }]), 1) as TableLayer;
    // halves up: −2/3 → −1, −1/2 → 0, 0, 1/2 → 1
    expect(up.entries).toEqual([-1n, 0n, 0n, 1n]);
  });

  it('a float function rounds its ties to even too: tanh is never a tie, exp(0)·2^k is exact', () => {
    // exp(v / 2^1) · 2^0 for 2-bit unsigned v = 0 … 3: 1, e^0.5 = 1.6487 → 2, e = 2.718 → 3, e^1.5 = 4.48 → 4
    const t = functionTable('exp', { width: 2, signed: false }, 1, 0, 'nearest_even', { width: 4, signed: false, overflow: 'saturate' });
    expect(t).toEqual([1n, 2n, 3n, 4n]);
    // sigmoid(0) · 2^0 = 0.5 exactly: a tie, to 0 (even) with nearest_even, to 1 with nearest
    expect(functionTable('sigmoid', { width: 2, signed: true }, 0, 0, 'nearest_even', { width: 2, signed: false, overflow: 'saturate' })[2]).toBe(0n);
    expect(functionTable('sigmoid', { width: 2, signed: true }, 0, 0, 'nearest', { width: 2, signed: false, overflow: 'saturate' })[2]).toBe(1n);
  });

  it('saturate_symmetric clamps a signed value to ±(2^(w−1) − 1), an unsigned one as saturate', () => {
    const s4 = { width: 4, signed: true, overflow: 'saturate_symmetric' } as const;
    expect(outputRange(s4)).toEqual([-7n, 7n]);
    expect([-9n, -8n, -7n, 0n, 7n, 8n].map((v) => fitToOutput(v, s4))).toEqual([-7n, -7n, -7n, 0n, 7n, 7n]);
    const u4 = { width: 4, signed: false, overflow: 'saturate_symmetric' } as const;
    expect(outputRange(u4)).toEqual([0n, 15n]);
    expect([-3n, 0n, 15n, 16n].map((v) => fitToOutput(v, u4))).toEqual([0n, 0n, 15n, 15n]);
    // a table's values are fitted the same way: 3-bit signed symmetric is −3 … 3
    const t = layer(net([{ weights: [[1]], output: { width: 2, signed: false } }, { kind: 'table', values: [-9, -4, 3, 9], output: { width: 3, signed: true, overflow: 'saturate_symmetric' } }]), 1) as TableLayer;
    expect(t.entries).toEqual([-3n, -3n, 3n, 3n]);
  });
});

describe('per-channel shift', () => {
  it('reads one shift per output channel; `shift` is the largest', () => {
    const l = affine(net([dense3({ shift: [2, 0, 5] })]));
    expect(l.shifts).toEqual([2, 0, 5]);
    expect(l.shift).toBe(5);
    expect([0, 1, 2].map((c) => shiftOf(l, c))).toEqual([2, 0, 5]);
    expect(keepsPrecision(l)).toBe(false);
  });

  it('holds equal shifts as one, byte for byte the scalar form', () => {
    const a = parse(net([dense3({ shift: [3, 3, 3] })]));
    const b = parse(net([dense3({ shift: 3 })]));
    expect(a).toStrictEqual(b);
    expect('shifts' in a.layers[0]!).toBe(false);
  });

  it('counts channels as the last axis: a conv\'s output channels, a batchnorm\'s channels', () => {
    const conv = affine(net([{ kind: 'conv1d', kernel: [[[1, 2, 3]]], shift: [1, 2, 3] }], { width: 4, signed: true, shape: [4, 1] }));
    expect(conv.shifts).toEqual([1, 2, 3]);
    const bn = affine(net([{ kind: 'batchnorm', scale: [1, 2], offset: [0, 0], shift: [0, 4] }], { width: 4, signed: true, shape: [3, 2] }));
    expect(bn.shifts).toEqual([0, 4]);
    expectError(net([{ kind: 'conv1d', kernel: [[[1, 2, 3]]], shift: [1, 2] }], { width: 4, signed: true, shape: [4, 1] }), 'layers[0].shift', 'expected 3 integers, one per output channel of layers[0] (the last axis of its kernel), got 2');
    expectError(net([{ kind: 'batchnorm', scale: [1, 2], offset: [0, 0], shift: [1, 2, 3] }], { width: 4, signed: true, shape: [3, 2] }), 'layers[0].shift', 'expected 2 integers, one per channel of layers[0]', 'got 3');
  });

  it('rejects a wrong length, a bad entry, and arrays where they do not belong', () => {
    expectError(net([dense3({ shift: [1, 2] })]), 'layers[0].shift', 'expected 3 integers, one per output of layers[0] (rows of its weights), got 2');
    expectError(net([dense3({ shift: [] })]), 'layers[0].shift', 'expected 3 integers', 'got 0');
    expectError(net([dense3({ shift: [1, 63, 2] })]), 'layers[0].shift[1]', 'expected an integer from 0 to 62 (bits to shift right), got number 63');
    expectError(net([dense3({ shift: [1, -1, 2] })]), 'layers[0].shift[1]', 'got number -1');
    expectError(net([dense3({ shift: [1, '2', 2] })]), 'layers[0].shift[1]', 'got the string "2"');
    expectError(net([dense3({ shift: 'all' })]), 'layers[0].shift', 'expected an integer from 0 to 62 (bits to shift right), or an array of them (one per output channel), got the string "all"');
    expectError(net([dense3({ activation: 'sign', shift: [0, 1, 0] })]), 'layers[0].shift', 'expected 0 with "activation": "sign"', 'got an array');
    expectError(
      net([{ kind: 'avgpool1d', pool: 2, shift: [1, 1] }], { width: 4, signed: true, shape: [4, 2] }),
      'layers[0].shift',
      'expected an integer from 0 to 62',
      '(per-channel shifts are for dense, conv and batchnorm layers)',
    );
  });

  it('a sign layer takes per-channel shifts of 0 (held as 0)', () => {
    const l = affine(net([dense3({ activation: 'sign', shift: [0, 0, 0] })]));
    expect([l.shift, l.shifts]).toEqual([0, undefined]);
  });
});

describe('per-channel output formats', () => {
  it('reads widths and signs per channel, with one overflow; `output` is null', () => {
    const l = affine(net([dense3({ output: { width: [8, 0, 3], signed: [true, false, false], overflow: 'saturate' } })]));
    expect(l.output).toBeNull();
    expect(l.outputs).toEqual([
      { width: 8, signed: true, overflow: 'saturate' },
      { width: 0, signed: false, overflow: 'saturate' },
      { width: 3, signed: false, overflow: 'saturate' },
    ]);
    expect(outputOf(l, 2)).toEqual({ width: 3, signed: false, overflow: 'saturate' });
    expect(keepsPrecision(l)).toBe(false);
    // one field for y: signed (channel 0 is), 8 bits (channel 0), and 3 + 1 for the unsigned channel 2
    expect(commonOutputFormat(l)).toEqual({ width: 8, signed: true });
  });

  it('a signed scalar with a width array, a width scalar with a signed array, default overflow wrap', () => {
    const a = affine(net([dense3({ output: { width: [4, 6, 2], signed: true } })]));
    expect(a.outputs!.map((o) => [o.width, o.signed, o.overflow])).toEqual([[4, true, 'wrap'], [6, true, 'wrap'], [2, true, 'wrap']]);
    expect(commonOutputFormat(a)).toEqual({ width: 6, signed: true });
    const b = affine(net([dense3({ output: { width: 5, signed: [false, true, false] } })]));
    expect(b.outputs!.map((o) => [o.width, o.signed])).toEqual([[5, false], [5, true], [5, false]]);
    // unsigned 5-bit channels need 6 bits in a signed field
    expect(commonOutputFormat(b)).toEqual({ width: 6, signed: true });
    const u = affine(net([dense3({ output: { width: [1, 7, 0], signed: false } })]));
    expect(commonOutputFormat(u)).toEqual({ width: 7, signed: false });
  });

  it('holds equal formats as one, byte for byte the scalar form; a pruned channel keeps the arrays', () => {
    const a = parse(net([dense3({ output: { width: [6, 6, 6], signed: [true, true, true], overflow: 'saturate_symmetric' } })]));
    const b = parse(net([dense3({ output: { width: 6, signed: true, overflow: 'saturate_symmetric' } })]));
    expect(a).toStrictEqual(b);
    const z = affine(net([dense3({ output: { width: [0, 0, 0], signed: true } })]));
    expect(z.outputs!.map((o) => o.width)).toEqual([0, 0, 0]);
    expect(commonOutputFormat(z)).toEqual({ width: 1, signed: false });
  });

  it('rejects a width of 0 outside an array, and widths beyond the limits', () => {
    expectError(
      net([dense3({ output: { width: 0, signed: false } })]),
      'layers[0].output.width',
      'expected an integer from 1 to 64 (bits of an unsigned output; 0, a pruned channel, only in a per-channel "width" array), got number 0',
    );
    expectError(net([dense3({ output: { width: [8, 1, 8], signed: true } })]), 'layers[0].output.width[1]', 'expected 0 (a pruned channel, always 0) or an integer from 2 to 64 (bits of a signed output), got number 1');
    expectError(net([dense3({ output: { width: [8, 65, 8], signed: false } })]), 'layers[0].output.width[1]', 'or an integer from 1 to 64', 'got number 65');
    expectError(net([dense3({ output: { width: [8, 8, -1], signed: false } })]), 'layers[0].output.width[2]', 'got number -1');
    expectError(net([dense3({ output: { width: 1, signed: [false, true, false] } })]), 'layers[0].output.width', 'expected an integer from 2 to 64 (bits of a signed output', 'got number 1');
  });

  it('rejects arrays of the wrong length, and signs that are not booleans', () => {
    expectError(net([dense3({ output: { width: [8, 8], signed: true } })]), 'layers[0].output.width', 'expected 3 integers, one per output of layers[0] (rows of its weights), got 2');
    expectError(net([dense3({ output: { width: 8, signed: [true, true, true, true] } })]), 'layers[0].output.signed', 'expected 3 booleans, one per output of layers[0]', 'got 4');
    expectError(net([dense3({ output: { width: [8, 8, 8], signed: [true, 1, true] } })]), 'layers[0].output.signed[1]', 'expected true (two\'s complement) or false (unsigned), got number 1');
    expectError(net([dense3({ output: { width: [8, 8, 8], signed: 'yes' } })]), 'layers[0].output.signed', 'got the string "yes"');
    expectError(net([dense3({ output: { width: [8, 8, 8] } })]), 'layers[0].output.signed', 'got nothing');
    expectError(net([dense3({ output: { width: [8, 8, 8], signed: true, overflow: ['wrap'] } })]), 'layers[0].output.overflow', 'got an array');
  });

  it('allows per-channel formats only on dense, conv and batchnorm layers', () => {
    expectError(
      net([{ kind: 'avgpool1d', pool: 2, output: { width: [4, 4], signed: true } }], { width: 4, signed: true, shape: [4, 2] }),
      'layers[0].output.width',
      '(per-channel arrays are for dense, conv and batchnorm layers)',
    );
    expectError(
      net([{ weights: [[1]], output: { width: 2, signed: false } }, { kind: 'table', values: [0, 1, 2, 3], output: { width: 4, signed: [true] } }]),
      'layers[1].output.signed',
      'expected true (two\'s complement) or false (unsigned), got an array',
      '(per-channel arrays are for dense, conv and batchnorm layers)',
    );
    expectError(net([dense3({ activation: 'sign', output: { width: [2, 2, 2], signed: true } })]), 'layers[0].output', 'expected no "output" with "activation": "sign"');
  });

  it('a table after per-channel formats is an error that names the layer to fix, also through maxpool and flatten', () => {
    const table = { kind: 'table', values: [0, 1, 2, 3], output: { width: 4, signed: false } };
    expectError(
      net([dense3({ output: { width: [2, 2, 3], signed: false } }), table]),
      'layers[1]',
      'expected values of one format to look up (a table has one entry per value of its input format), got a format per channel from layers[0].output; give layers[0].output one "width" and one "signed"',
    );
    expectError(
      net(
        [{ kind: 'conv1d', kernel: [[[1, -1]]], output: { width: [2, 3], signed: true } }, { kind: 'maxpool1d', pool: 2 }, { kind: 'flatten' }, table],
        { width: 4, signed: true, shape: [4, 1] },
      ),
      'layers[3]',
      'got a format per channel from layers[0].output',
    );
    // a layer with one format in between gives the table its format
    expect(() => parse(net([dense3({ output: { width: [2, 2, 3], signed: false } }), { weights: [[1, 1, 1]], output: { width: 2, signed: false } }, table]))).not.toThrow();
  });
});
