import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/parse.js';
import type { DenseLayer, Spec } from '../../src/spec/spec.js';
import { layerOf } from '../helpers/layers.js';
import { specDoc } from '../helpers/spec-doc.js';
import { specErrorsFor } from '../helpers/spec-errors.js';

const FILE = 'nets/n.json';

/** A network document: the default top level with `weights` replaced by `layers`, then `over`. */
function net(layers: unknown, over: Record<string, unknown> = {}): string {
  return JSON.stringify(specDoc({ weights: undefined, layers, ...over }));
}

/** Parse `src`, which must give a spec of the 'layers' form (a network) of dense layers. */
function parseNet(src: string): Spec & { layers: DenseLayer[] } {
  const spec = parseSpec(src, FILE);
  expect(spec.form).toBe('layers');
  for (const l of spec.layers) expect(l.kind).toBe('dense');
  return spec as Spec & { layers: DenseLayer[] };
}

const { expectError } = specErrorsFor(FILE);

/** A rows×cols matrix of small integers. */
function matrix(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r - c));
}

/** A layer object with a rows×cols weights matrix plus extra keys. */
function layer(rows: number, cols: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { weights: matrix(rows, cols), ...extra };
}

/** A one-layer network (2 outputs × 3 inputs) whose layer has `extra` keys. */
function oneLayer(extra: Record<string, unknown>): string {
  return net([layer(2, 3, extra)]);
}

describe('parseSpec: valid networks', () => {
  it('reads a two-layer network: transposed kernel, bigint bias, output fields and defaults', () => {
    const src = net([
      {
        // 2 inputs × 3 outputs, Keras layout.
        kernel: [
          [1, 2, 3],
          [4, 5, -6],
        ],
        bias: [1, '-18446744073709551615', 0],
        activation: 'relu',
        shift: 2,
        rounding: 'nearest',
        output: { width: 8, signed: true, overflow: 'saturate' },
        weight_frac_bits: 4,
        input_frac_bits: 0,
        note: 'first',
        description: { any: 'thing' },
        comment: [1, 2],
      },
      {
        // 1 output × 3 inputs; everything else defaulted.
        weights: [[1, -1, 2]],
      },
    ], { input: { width: 6, signed: false } });
    const spec = parseNet(src);
    expect(spec).toEqual({
      format: 1,
      name: 'enc',
      input: { width: 6, signed: false, bipolar: false, shape: [2] },
      layers: [
        {
          kind: 'dense',
          weights: [
            [1n, 4n],
            [2n, 5n],
            [3n, -6n],
          ],
          bias: [1n, -18446744073709551615n, 0n],
          activation: 'relu',
          alpha: null,
          one: null,
          shift: 2,
          rounding: 'nearest',
          output: { width: 8, signed: true, overflow: 'saturate' },
          weightFracBits: 4,
          inputFracBits: 0,
          inShape: [2],
          outShape: [3],
        },
        layerOf([[1n, -1n, 2n]]),
      ],
      score: null,
      form: 'layers',
    });
    for (const b of spec.layers[0]!.bias!) expect(typeof b).toBe('bigint');
    expect('weights' in spec).toBe(false);
  });

  it('fills in every default of a layer that gives only weights', () => {
    const spec = parseNet(net([{ weights: [[3, -4]] }]));
    expect(spec.layers).toEqual([layerOf([[3n, -4n]])]);
    expect(spec.score).toBeNull();
  });

  it('defaults output.overflow to "wrap"', () => {
    expect(parseNet(oneLayer({ output: { width: 5, signed: false } })).layers[0]!.output).toEqual({ width: 5, signed: false, overflow: 'wrap' });
  });

  it('accepts the output width limits: 1..64 unsigned, 2..64 signed', () => {
    for (const [width, signed] of [[1, false], [64, false], [2, true], [64, true]] as const) {
      expect(parseNet(oneLayer({ output: { width, signed, overflow: 'wrap' } })).layers[0]!.output).toEqual({ width, signed, overflow: 'wrap' });
    }
  });

  it('accepts the shift limits 0 and 62 and frac bits 0 and 64', () => {
    expect(parseNet(oneLayer({ shift: 0 })).layers[0]!.shift).toBe(0);
    expect(parseNet(oneLayer({ shift: 62 })).layers[0]!.shift).toBe(62);
    const l = parseNet(oneLayer({ weight_frac_bits: 64, input_frac_bits: 0 })).layers[0]!;
    expect([l.weightFracBits, l.inputFracBits]).toEqual([64, 0]);
  });

  it('accepts an explicit "linear" activation and "floor" rounding', () => {
    const l = parseNet(oneLayer({ activation: 'linear', rounding: 'floor' })).layers[0]!;
    expect([l.activation, l.rounding]).toEqual(['linear', 'floor']);
  });

  it('accepts exactly 64 layers, chaining dimensions', () => {
    const layers = [layer(3, 5), ...Array.from({ length: 63 }, () => layer(3, 3))];
    const spec = parseNet(net(layers));
    expect(spec.layers.length).toBe(64);
    expect(spec.layers[0]!.weights[0]!.length).toBe(5);
    expect(spec.layers[63]!.weights.length).toBe(3);
  });

  it('chains a kernel layer after a weights layer (kernel rows are inputs)', () => {
    const spec = parseNet(net([layer(2, 4), { kernel: [[1, 2, 3], [4, 5, 6]] }]));
    expect(spec.layers[1]!.weights).toEqual([
      [1n, 4n],
      [2n, 5n],
      [3n, 6n],
    ]);
  });

  it('attaches a score to layers', () => {
    const spec = parseNet(net([layer(2, 3)], { score: { kind: 'sum_of_squares', of: 'last' } }));
    expect(spec.score).toEqual({ kind: 'sum_of_squares', of: 'last' });
  });

  it('turns a single weights matrix with a score into a one-layer network', () => {
    const spec = parseNet(JSON.stringify(specDoc({ score: { of: 'last', kind: 'sum_of_squares' } })));
    expect(spec).toEqual({
      format: 1,
      name: 'enc',
      input: { width: 8, signed: true, bipolar: false, shape: [3] },
      layers: [
        layerOf([
          [1n, 2n, 3n],
          [4n, -5n, 6n],
        ]),
      ],
      score: { kind: 'sum_of_squares', of: 'last' },
      form: 'layers',
    });
  });

  it('turns a single kernel with a score into a one-layer network, transposed', () => {
    const spec = parseNet(JSON.stringify(specDoc({ weights: undefined, kernel: [[1, 2], [3, 4], [5, 6]], score: { kind: 'sum_of_squares', of: 'last' } })));
    expect(spec.layers).toEqual([
      layerOf([
        [1n, 3n, 5n],
        [2n, 4n, 6n],
      ]),
    ]);
  });

  it("still reads a single matrix without score as the 'matrix' form: one plain dense layer, no score", () => {
    const spec = parseSpec(JSON.stringify(specDoc()), FILE);
    expect(spec).toEqual({
      format: 1,
      name: 'enc',
      input: { width: 8, signed: true, bipolar: false, shape: [3] },
      layers: [
        layerOf([
          [1n, 2n, 3n],
          [4n, -5n, 6n],
        ]),
      ],
      score: null,
      form: 'matrix',
    });
    expect(spec.layers).toHaveLength(1);
    expect(spec.score).toBeNull();
    expect('weights' in spec).toBe(false);
  });
});

describe('parseSpec: the top-level choice between weights, kernel and layers', () => {
  it('rejects weights and layers together, at the second key', () => {
    expectError(JSON.stringify(specDoc({ layers: [layer(1, 1)] })), 'layers', 'exactly one of "weights"', '"kernel"', '"layers" (a network)', 'got both "weights" and "layers"');
  });

  it('rejects kernel and layers together, at the second key', () => {
    expectError(JSON.stringify(specDoc({ weights: undefined, kernel: [[1]], layers: [layer(1, 1)] })), 'layers', 'got both "kernel" and "layers"');
  });

  it('rejects all three, at the second key', () => {
    expectError(JSON.stringify(specDoc({ kernel: [[1]], layers: [layer(1, 1)] })), 'kernel', 'got "weights", "kernel" and "layers"');
  });

  it('rejects none of them', () => {
    expectError(JSON.stringify(specDoc({ weights: undefined })), 'weights', '"weights" (weights[output][input])', '"kernel" (kernel[input][output])', '"layers" (a network)', 'got none of them');
  });

  it('lists layers and score among the known top-level keys', () => {
    expectError(net([layer(1, 1)], { scores: 1 }), 'scores', 'unknown key', '"layers"', '"score"');
  });
});

describe('parseSpec: malformed layers', () => {
  it.each([
    [{ weights: [[1]] }, 'got an object'],
    [null, 'got null'],
    ['[]', 'got the string "[]"'],
  ])('rejects layers %j (not an array)', (layers, got) => {
    expectError(net(layers), 'layers', 'expected an array of layer objects', got);
  });

  it('rejects an empty layers array', () => {
    expectError(net([]), 'layers', 'at least one layer', 'empty array');
  });

  it('rejects more than 64 layers', () => {
    expectError(net(Array.from({ length: 65 }, () => layer(1, 1))), 'layers', 'at most 64 layers', 'got 65');
  });

  it.each([
    [[[1]], 'got an array'],
    [3, 'got number 3'],
    [null, 'got null'],
  ])('rejects the layer %j (not an object)', (l, got) => {
    expectError(net([layer(1, 1), l]), 'layers[1]', 'expected a layer object', got);
  });

  it('rejects an unknown layer key, listing the known ones', () => {
    expectError(oneLayer({ activaton: 'relu' }), 'layers[0].activaton', 'unknown key', '"activation"', '"bias"', '"shift"', '"weight_frac_bits"');
  });

  it('quotes an unknown layer key that is not an identifier', () => {
    expectError(oneLayer({ 'my key': 1 }), 'layers[0]."my key"', 'unknown key');
  });

  it('rejects both weights and kernel in a layer', () => {
    expectError(net([{ weights: [[1]], kernel: [[1]] }]), 'layers[0].kernel', 'exactly one of "weights"', '"kernel"', 'got both');
  });

  it('rejects a layer with neither weights nor kernel', () => {
    expectError(net([layer(2, 2), { bias: [1] }]), 'layers[1].weights', '"weights"', '"kernel"', 'got neither');
  });

  it('reports matrix errors with the layer path', () => {
    expectError(net([layer(2, 3), { weights: [[1, 1.5]] }]), 'layers[1].weights[0][1]', 'expected an integer', 'got 1.5');
    expectError(net([{ weights: [] }]), 'layers[0].weights', 'empty matrix');
    expectError(net([{ kernel: [[1, 2], [3]] }]), 'layers[0].kernel[1]', 'expected 2 entries like layers[0].kernel[0]', 'got 1');
    expectError(net([{ kernel: [[1, '18446744073709551616']] }]), 'layers[0].kernel[0][1]', '|weight| < 2^64');
  });

  it('keeps the 4096 limit on layer matrices', () => {
    expectError(net([{ weights: Array.from({ length: 4097 }, () => [1]) }]), 'layers[0].weights', 'at most 4096 rows', 'got 4097');
  });
});

describe('parseSpec: layer dimensions chain', () => {
  it('rejects a weights layer whose rows do not match the previous layer\'s outputs', () => {
    const e = expectError(net([layer(16, 4), layer(8, 12)]), 'layers[1].weights[0]', 'expected 16 entries, one per output of layers[0], got 12');
    expect(e.detail).toBe('expected 16 entries, one per output of layers[0], got 12');
  });

  it('reports the chain at row 0 even when later rows have the right length', () => {
    expectError(net([layer(2, 4), { weights: [[1], [1, 2], [1, 2]] }]), 'layers[1].weights[0]', 'expected 2 entries, one per output of layers[0], got 1');
  });

  it('reports a ragged later row as such when row 0 chains correctly', () => {
    expectError(net([layer(2, 4), { weights: [[1, 2], [1]] }]), 'layers[1].weights[1]', 'expected 2 entries like layers[1].weights[0]', 'got 1');
  });

  it('names the right previous layer deeper in the network', () => {
    expectError(net([layer(3, 2), layer(5, 3), layer(1, 4)]), 'layers[2].weights[0]', 'expected 5 entries, one per output of layers[1], got 4');
  });

  it('rejects a kernel layer whose row count does not match the previous layer\'s outputs', () => {
    expectError(net([layer(16, 4), { kernel: matrix(12, 3) }]), 'layers[1].kernel', 'expected 16 rows, one per output of layers[0], got 12');
  });

  it('uses the singular for one entry', () => {
    expectError(net([layer(1, 4), layer(1, 2)]), 'layers[1].weights[0]', 'expected 1 entry, one per output of layers[0], got 2');
  });
});

describe('parseSpec: malformed layer fields', () => {
  it('rejects a bias whose length is not the number of outputs', () => {
    expectError(oneLayer({ bias: [1, 2, 3] }), 'layers[0].bias', 'expected 2 integers, one per output of layers[0]', 'got 3');
    expectError(oneLayer({ bias: [] }), 'layers[0].bias', 'expected 2 integers', 'got 0');
  });

  it('counts a kernel layer\'s outputs by its columns for the bias', () => {
    expectError(net([{ kernel: matrix(2, 3), bias: [1, 2] }]), 'layers[0].bias', 'expected 3 integers', 'got 2');
  });

  it.each([
    [5, 'got number 5'],
    [null, 'got null'],
    [{ 0: 1 }, 'got an object'],
  ])('rejects the bias %j (not an array)', (bias, got) => {
    expectError(oneLayer({ bias }), 'layers[0].bias', 'expected an array of integers', got);
  });

  it('rejects bias entries under the weight rules, naming the bias', () => {
    expectError(oneLayer({ bias: [1, 0.5] }), 'layers[0].bias[1]', 'expected an integer', 'got 0.5');
    expectError(oneLayer({ bias: ['x', 0] }), 'layers[0].bias[0]', 'expected an integer', 'decimal string');
    expectError(oneLayer({ bias: [0, '18446744073709551616'] }), 'layers[0].bias[1]', '|bias| < 2^64', 'got 18446744073709551616');
    expectError(oneLayer({ bias: [2 ** 53, 0] }), 'layers[0].bias[0]', 'beyond 2^53', 'write the bias as a decimal string');
  });

  it.each([
    ['tanh', 'got the string "tanh"'],
    ['ReLU', 'got the string "ReLU"'],
    [null, 'got null'],
    [1, 'got number 1'],
  ])('rejects the activation %j', (activation, got) => {
    expectError(oneLayer({ activation }), 'layers[0].activation', 'expected "linear" or "relu"', got);
  });

  it.each([
    [63, 'got number 63'],
    [-1, 'got number -1'],
    [1.5, 'got number 1.5'],
    ['2', 'got the string "2"'],
    [null, 'got null'],
  ])('rejects the shift %j', (shift, got) => {
    expectError(oneLayer({ shift }), 'layers[0].shift', 'expected an integer from 0 to 62', got);
  });

  it.each([
    ['ceil', 'got the string "ceil"'],
    ['round', 'got the string "round"'],
    [0, 'got number 0'],
  ])('rejects the rounding %j', (rounding, got) => {
    expectError(oneLayer({ rounding }), 'layers[0].rounding', 'expected "floor", "nearest" or "nearest_even"', got);
  });

  it.each([
    [1, 'got number 1'],
    [0, 'got number 0'],
    [65, 'got number 65'],
    [8.5, 'got number 8.5'],
    ['8', 'got the string "8"'],
  ])('rejects the signed output width %j', (width, got) => {
    expectError(oneLayer({ output: { width, signed: true } }), 'layers[0].output.width', 'expected an integer from 2 to 64', 'signed output', got);
  });

  it.each([
    [0, 'got number 0'],
    [-3, 'got number -3'],
    [65, 'got number 65'],
  ])('rejects the unsigned output width %j', (width, got) => {
    expectError(oneLayer({ output: { width, signed: false } }), 'layers[0].output.width', 'expected an integer from 1 to 64', 'unsigned output', got);
  });

  it('rejects a missing output.width', () => {
    expectError(oneLayer({ output: { signed: true } }), 'layers[0].output.width', 'from 2 to 64', 'got nothing');
  });

  it('rejects a missing output.signed', () => {
    expectError(oneLayer({ output: { width: 8 } }), 'layers[0].output.signed', 'expected true', 'or false', 'got nothing');
  });

  it('rejects an output.signed that is not a boolean', () => {
    expectError(oneLayer({ output: { width: 8, signed: 'yes' } }), 'layers[0].output.signed', 'expected true', 'got the string "yes"');
  });

  it.each([
    ['clamp', 'got the string "clamp"'],
    [true, 'got boolean true'],
  ])('rejects the overflow %j', (overflow, got) => {
    expectError(oneLayer({ output: { width: 8, signed: true, overflow } }), 'layers[0].output.overflow', 'expected "wrap", "saturate" or "saturate_symmetric"', got);
  });

  it.each([
    [null, 'got null'],
    [8, 'got number 8'],
    [[8, true], 'got an array'],
  ])('rejects the output %j (not an object)', (output, got) => {
    expectError(oneLayer({ output }), 'layers[0].output', 'expected an object', '"width"', '"signed"', got);
  });

  it('rejects an unknown output key', () => {
    expectError(oneLayer({ output: { width: 8, signed: true, bits: 8 } }), 'layers[0].output.bits', 'unknown key', '"width", "signed", "overflow"');
  });

  it.each([
    ['weight_frac_bits', 65],
    ['weight_frac_bits', -1],
    ['input_frac_bits', 2.5],
    ['input_frac_bits', '3'],
  ])('rejects %s %j', (key, v) => {
    expectError(oneLayer({ [key]: v }), `layers[0].${key}`, 'expected an integer from 0 to 64', 'fractional bits');
  });
});

describe('parseSpec: malformed score', () => {
  const withScore = (score: unknown): string => net([layer(2, 3)], { score });

  it.each([
    [null, 'got null'],
    ['sum_of_squares', 'got the string "sum_of_squares"'],
    [[], 'got an array'],
  ])('rejects the score %j (not an object)', (score, got) => {
    expectError(withScore(score), 'score', 'expected {"kind": "sum_of_squares", "of": "last"}', got);
  });

  it('rejects another score kind', () => {
    expectError(withScore({ kind: 'max_abs', of: 'last' }), 'score.kind', 'expected "sum_of_squares"', 'got the string "max_abs"');
  });

  it('rejects a missing score kind', () => {
    expectError(withScore({ of: 'last' }), 'score.kind', 'expected "sum_of_squares"', 'got nothing');
  });

  it('rejects another score "of"', () => {
    expectError(withScore({ kind: 'sum_of_squares', of: 'first' }), 'score.of', 'expected "last"', 'got the string "first"');
  });

  it('rejects a missing score "of"', () => {
    expectError(withScore({ kind: 'sum_of_squares' }), 'score.of', 'expected "last"', 'got nothing');
  });

  it('rejects an extra score key', () => {
    expectError(withScore({ kind: 'sum_of_squares', of: 'last', weight: 2 }), 'score.weight', 'unknown key', '"kind" or "of"');
  });

  it('checks the score of a single matrix too', () => {
    expectError(JSON.stringify(specDoc({ score: { kind: 'sum', of: 'last' } })), 'score.kind', 'expected "sum_of_squares"');
  });
});
