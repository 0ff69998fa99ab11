import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/parse.js';
import { describeSpec, inputCount, layerInputs, layerOutputs, matrixSpec, plainDense } from '../../src/spec/spec.js';
import type { Spec } from '../../src/spec/spec.js';
import { layerOf } from '../helpers/layers.js';
import { specDoc } from '../helpers/spec-doc.js';

// Every expected value below is written out by hand from the input, never taken from the code
// under test.

const FILE = 'spec/s.json';
const SCORE = { kind: 'sum_of_squares', of: 'last' } as const;

const parse = (over: Record<string, unknown> = {}): Spec => parseSpec(JSON.stringify(specDoc(over)), FILE);

/** A rows×cols layer object (weights[o][i] = o − i). */
function layerDoc(rows: number, cols: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { weights: Array.from({ length: rows }, (_, o) => Array.from({ length: cols }, (_, i) => o - i)), ...extra };
}

/** A network of three layers 5 → 4 → 3 → 2, with or without a score. */
const threeLayers = (score: boolean): Spec =>
  parse({ weights: undefined, layers: [layerDoc(4, 5, { activation: 'relu' }), layerDoc(3, 4, { shift: 1 }), layerDoc(2, 3)], ...(score ? { score: SCORE } : {}) });

/** specDoc's matrix: 2 outputs × 3 inputs. */
const ENC_W = [
  [1n, 2n, 3n],
  [4n, -5n, 6n],
];


describe('matrixSpec and plainDense', () => {
  it('plainDense is a dense layer computing W·u exactly: no bias, linear, no shift, full precision', () => {
    const W = [[3n, -1n]];
    expect(plainDense(W)).toEqual(layerOf([[3n, -1n]]));
    expect(plainDense(W).weights).toBe(W);
  });

  it('matrixSpec is a one-layer spec of the matrix form, without score', () => {
    const W = [
      [7n, 0n],
      [-2n, 5n],
      [1n, 1n],
    ];
    const s = matrixSpec('mx', { width: 6, signed: false }, W);
    expect(s).toEqual({
      format: 1,
      name: 'mx',
      input: { width: 6, signed: false, bipolar: false, shape: [2] },
      layers: [
        layerOf([
          [7n, 0n],
          [-2n, 5n],
          [1n, 1n],
        ]),
      ],
      score: null,
      form: 'matrix',
    });
  });

  it('matrixSpec gives what parsing a "weights" file without score gives', () => {
    expect(matrixSpec('enc', { width: 8, signed: true }, ENC_W)).toEqual(parse());
  });
});

describe('parseSpec: the form of the spec', () => {
  it('a "weights" matrix without score: the matrix form, one plain dense layer', () => {
    const s = parse();
    expect(s.form).toBe('matrix');
    expect(s.score).toBeNull();
    expect(s.layers).toEqual([layerOf(ENC_W)]);
  });

  it('a "kernel" matrix without score: the matrix form, transposed', () => {
    const s = parse({ weights: undefined, kernel: [[1, 4], [2, -5], [3, 6]] });
    expect(s.form).toBe('matrix');
    expect(s.score).toBeNull();
    expect(s.layers).toEqual([layerOf(ENC_W)]);
  });

  it('a "weights" or "kernel" matrix with a score: the layers form, one plain dense layer and the score', () => {
    for (const s of [parse({ score: SCORE }), parse({ weights: undefined, kernel: [[1, 4], [2, -5], [3, 6]], score: SCORE })]) {
      expect(s.form).toBe('layers');
      expect(s.score).toEqual({ kind: 'sum_of_squares', of: 'last' });
      expect(s.layers).toEqual([layerOf(ENC_W)]);
    }
  });

  it('"layers", with or without a score, even of one plain matrix: the layers form', () => {
    const one = parse({ weights: undefined, layers: [{ weights: [[1, 2, 3], [4, -5, 6]] }] });
    expect(one.form).toBe('layers');
    expect(one.score).toBeNull();
    expect(one.layers).toEqual([layerOf(ENC_W)]);
    expect(threeLayers(false).form).toBe('layers');
    expect(threeLayers(true).form).toBe('layers');
    expect(threeLayers(true).score).toEqual({ kind: 'sum_of_squares', of: 'last' });
  });

  it("every layer is of kind 'dense'", () => {
    for (const s of [parse(), parse({ score: SCORE }), parse({ weights: undefined, kernel: [[1], [2]] }), threeLayers(false), threeLayers(true)]) {
      expect(s.layers.length).toBeGreaterThan(0);
      for (const l of s.layers) expect(l.kind).toBe('dense');
    }
    expect(threeLayers(false).layers.map((l) => l.kind)).toEqual(['dense', 'dense', 'dense']);
  });
});

describe('inputCount, layerInputs, layerOutputs', () => {
  it('count the columns and rows of the matrices, in the order the layers chain', () => {
    const s = threeLayers(false);
    expect(inputCount(s)).toBe(5);
    expect(s.layers.map(layerInputs)).toEqual([5, 4, 3]);
    expect(s.layers.map(layerOutputs)).toEqual([4, 3, 2]);
  });

  it('count a kernel by its rows (inputs) and columns (outputs)', () => {
    // kernel 4 inputs × 3 outputs
    const s = parse({ weights: undefined, kernel: [[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 1, 0]] });
    expect(inputCount(s)).toBe(4);
    expect(layerInputs(s.layers[0]!)).toBe(4);
    expect(layerOutputs(s.layers[0]!)).toBe(3);
  });

  it('count a one-by-one and a one-row layer', () => {
    expect(layerInputs(layerOf([[9n]]))).toBe(1);
    expect(layerOutputs(layerOf([[9n]]))).toBe(1);
    expect(layerInputs(layerOf([[1n, 2n, 3n, 4n, 5n, 6n, 7n]]))).toBe(7);
    expect(layerOutputs(layerOf([[1n, 2n, 3n, 4n, 5n, 6n, 7n]]))).toBe(1);
    expect(inputCount(matrixSpec('m', { width: 4, signed: true }, [[1n], [2n], [3n]]))).toBe(1);
  });
});

describe('describeSpec', () => {
  it('describes a "weights" matrix file as W·x, exact, with itself as the baseline and no layer list', () => {
    const d = describeSpec(parse());
    expect(d).toEqual({
      shape: '2 outputs × 3 inputs',
      short: '2×3',
      title: 'y = W·x, W is 2 outputs × 3 inputs',
      exact: true,
      reference: 'W·x',
      baseline: ENC_W,
      listsLayers: false,
    });
  });

  it('describes a "kernel" matrix file by its outputs × inputs (not the kernel layout)', () => {
    // kernel 3 inputs × 2 outputs
    const d = describeSpec(parse({ weights: undefined, kernel: [[1, 4], [2, -5], [3, 6]] }));
    expect(d.shape).toBe('2 outputs × 3 inputs');
    expect(d.short).toBe('2×3');
    expect(d.title).toBe('y = W·x, W is 2 outputs × 3 inputs');
    expect(d.baseline).toEqual(ENC_W);
    expect(d.exact).toBe(true);
    expect(d.listsLayers).toBe(false);
  });

  it('describes matrixSpec of a tall matrix', () => {
    const W = Array.from({ length: 16 }, (_, o) => Array.from({ length: 8 }, (_, i) => BigInt(o * i)));
    const d = describeSpec(matrixSpec('tall', { width: 8, signed: true }, W));
    expect(d.shape).toBe('16 outputs × 8 inputs');
    expect(d.short).toBe('16×8');
    expect(d.title).toBe('y = W·x, W is 16 outputs × 8 inputs');
    expect(d.reference).toBe('W·x');
    expect(d.baseline).toEqual(W);
  });

  it('describes a network of three layers by its dimensions, not exact, with no baseline, listing its layers', () => {
    expect(describeSpec(threeLayers(false))).toEqual({
      shape: 'a network of 3 layers, 5 → 4 → 3 → 2',
      short: '3 layers',
      title: 'a network of 3 layers, 5 → 4 → 3 → 2',
      exact: false,
      reference: "the network's reference model",
      baseline: null,
      listsLayers: true,
    });
  });

  it('names the score in the title only', () => {
    expect(describeSpec(threeLayers(true))).toEqual({
      shape: 'a network of 3 layers, 5 → 4 → 3 → 2',
      short: '3 layers',
      title: 'a network of 3 layers, 5 → 4 → 3 → 2, with a sum-of-squares score',
      exact: false,
      reference: "the network's reference model",
      baseline: null,
      listsLayers: true,
    });
  });

  it('describes a matrix with a score as a network of one layer', () => {
    expect(describeSpec(parse({ score: SCORE }))).toEqual({
      shape: 'a network of 1 layer, 3 → 2',
      short: '1 layer',
      title: 'a network of 1 layer, 3 → 2, with a sum-of-squares score',
      exact: false,
      reference: "the network's reference model",
      baseline: null,
      listsLayers: true,
    });
  });

  it('describes one plain matrix given as "layers" as a network (it lists its layer, no baseline)', () => {
    expect(describeSpec(parse({ weights: undefined, layers: [{ weights: [[1, 2, 3], [4, -5, 6]] }] }))).toEqual({
      shape: 'a network of 1 layer, 3 → 2',
      short: '1 layer',
      title: 'a network of 1 layer, 3 → 2',
      exact: false,
      reference: "the network's reference model",
      baseline: null,
      listsLayers: true,
    });
  });

  it('describes a hand-built network spec', () => {
    const s: Spec = {
      format: 1,
      name: 'n',
      input: { width: 4, signed: true, bipolar: false, shape: [2] },
      layers: [layerOf([[1n, 1n]], { activation: 'relu' }), layerOf([[1n], [2n], [3n]])],
      score: null,
      form: 'layers',
    };
    const d = describeSpec(s);
    expect(d.shape).toBe('a network of 2 layers, 2 → 1 → 3');
    expect(d.short).toBe('2 layers');
    expect(d.title).toBe('a network of 2 layers, 2 → 1 → 3');
    expect(d.baseline).toBeNull();
    expect(d.listsLayers).toBe(true);
  });
});
