import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { evaluateNetworkGraph, inputRange } from '../../src/da/graph.js';
import { buildNetworkGraph, TOEPLITZ_MAX_ENTRIES } from '../../src/da/network.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { Spec } from '../../src/spec/spec.js';
import { referenceOf } from '../../src/sim/reference.js';
import { Rng } from '../../src/sim/vectors.js';

// The network graph of every layer kind against the independent reference model (src/sim),
// on random inputs and on the input range's corners, and what the builder chose (the conv
// strategy, batchnorm folding, constant folding). The netlist, the simulator and the Verilog
// of these kinds are checked elsewhere; this is the graph alone.

function spec(layers: unknown[], input: Record<string, unknown>): Spec {
  return parseSpec(JSON.stringify({ format: 1, name: 'k', input, layers }), 'k.json');
}

/** Random input vectors, plus all-minimum, all-maximum and alternating ones. */
function vectors(s: Spec, n: number, seed = 1): bigint[][] {
  const { lo, hi } = inputRange(s.input);
  const len = s.input.shape.reduce((a, b) => a * b, 1);
  const span = Number(hi - lo) + 1;
  const r = new Rng(seed);
  const out: bigint[][] = [Array(len).fill(lo), Array(len).fill(hi), Array.from({ length: len }, (_, i) => (i % 2 ? lo : hi)), Array(len).fill(0n).map(() => (lo <= 0n && hi >= 0n ? 0n : lo))];
  for (let k = 0; k < n; k++) out.push(Array.from({ length: len }, () => lo + BigInt(r.below(span))));
  return out;
}

/** Builds the graph and checks it equals the reference model on the vectors. */
function check(s: Spec, n = 200, opts: Parameters<typeof buildNetworkGraph>[1] = {}): ReturnType<typeof buildNetworkGraph> {
  const built = buildNetworkGraph(s, opts);
  const ref = referenceOf(s);
  for (const x of vectors(s, n)) expect(evaluateNetworkGraph(built.graph, x), `x = ${x.join(',')}`).toEqual(ref(x));
  return built;
}

const k2 = (kh: number, kw: number, cin: number, cout: number, f: (i: number, j: number, c: number, o: number) => number): number[][][][] =>
  Array.from({ length: kh }, (_, i) => Array.from({ length: kw }, (_, j) => Array.from({ length: cin }, (_, c) => Array.from({ length: cout }, (_, o) => f(i, j, c, o)))));

const U8 = { width: 8, signed: false };
const OUT8 = { width: 8, signed: true, overflow: 'saturate' };

describe('convolutions', () => {
  const kernel = k2(3, 3, 2, 3, (i, j, c, o) => ((i * 7 + j * 5 + c * 3 + o * 11) % 9) - 4);
  for (const [strides, padding, dilation] of [
    [[1, 1], 'valid', [1, 1]],
    [[2, 2], 'same', [1, 1]],
    [[1, 2], 'same', [2, 1]],
    [[3, 3], 'valid', [1, 1]],
  ] as const) {
    it(`conv2d strides ${strides} ${padding} dilation ${dilation} equals the reference`, () => {
      const s = spec([{ kind: 'conv2d', kernel, strides, padding, dilation, bias: [3, -2, 1], activation: 'relu', shift: 2, rounding: 'nearest', output: OUT8 }], { ...U8, shape: [7, 6, 2] });
      const b = check(s);
      expect(b.layers[0]!.kind).toBe('conv2d');
      expect(['per-position', 'toeplitz']).toContain(b.layers[0]!.strategy);
      expect(b.layers[0]!.tried.map((t) => t.strategy)).toEqual(['per-position', 'toeplitz']);
      const kept = b.layers[0]!.tried.find((t) => t.strategy === b.layers[0]!.strategy)!;
      for (const t of b.layers[0]!.tried) expect(kept.adders).toBeLessThanOrEqual(t.adders);
    });
  }

  it('conv1d with an even kernel and same padding, then flatten and dense', () => {
    const s = spec(
      [
        { kind: 'conv1d', kernel: [[[1, -2]], [[3, 1]]], padding: 'same', activation: 'leaky_relu', alpha: { mult: 3, shift: 3 } },
        { kind: 'flatten' },
        { weights: [Array.from({ length: 12 }, (_, i) => (i % 3) - 1)], bias: [5] },
      ],
      { width: 6, signed: true, shape: [6, 1] },
    );
    check(s);
  });

  it('the conv option forces either form, and both equal the reference', () => {
    const s = spec([{ kind: 'conv2d', kernel, strides: [1, 1], padding: 'same', bias: [1, 2, 3] }], { ...U8, shape: [5, 4, 2] });
    const ref = referenceOf(s);
    const pp = buildNetworkGraph(s, { conv: 'per-position' });
    const tp = buildNetworkGraph(s, { conv: 'toeplitz' });
    expect(pp.layers[0]!.strategy).toBe('per-position');
    expect(pp.layers[0]!.tried.map((t) => t.strategy)).toEqual(['per-position']);
    expect(tp.layers[0]!.strategy).toBe('toeplitz');
    expect(tp.layers[0]!.tried.map((t) => t.strategy)).toEqual(['toeplitz']);
    for (const x of vectors(s, 100)) {
      expect(evaluateNetworkGraph(pp.graph, x)).toEqual(ref(x));
      expect(evaluateNetworkGraph(tp.graph, x)).toEqual(ref(x));
    }
    // auto keeps the one with fewer adders (per position on a tie)
    const auto = buildNetworkGraph(s);
    const [a, b] = [pp.layers[0]!.tried[0]!.adders, tp.layers[0]!.tried[0]!.adders];
    expect(auto.layers[0]!.strategy).toBe(b < a ? 'toeplitz' : 'per-position');
  });

  it('a layer too large for the Toeplitz form is built per position only', () => {
    const side = Math.ceil(Math.sqrt(Math.sqrt(TOEPLITZ_MAX_ENTRIES))) + 2;
    const s = spec([{ kind: 'conv2d', kernel: k2(3, 3, 1, 1, (i, j) => i - j + 1), padding: 'same' }], { ...U8, shape: [side, side, 1] });
    const b = check(s, 20);
    expect(b.layers[0]!.strategy).toBe('per-position');
    expect(b.layers[0]!.tried.map((t) => t.strategy)).toEqual(['per-position']);
  });

  it('per position, a padded tap is a constant zero that folds: a 1×1 image needs only the centre tap', () => {
    const s = spec([{ kind: 'conv2d', kernel: k2(3, 3, 1, 1, () => 3), padding: 'same' }], { ...U8, shape: [1, 1, 1] });
    const b = check(s);
    // 3·x is one adder ((x << 1) + x); the other eight taps are padding
    expect(b.graph.nodes.filter((n) => n.op === 'add' || n.op === 'sub').length).toBe(1);
  });
});

describe('batchnorm', () => {
  const dense = { weights: [[1, 2, -1], [0, 3, 2]], bias: [1, -1] };
  const bn = { kind: 'batchnorm', scale: [3, -2], offset: [4, 7], activation: 'relu', shift: 1, output: OUT8 };

  it('folds into a linear, unshifted dense layer at full precision', () => {
    // 5-bit inputs: --arith auto weighs 2- and 1-bit slices in tables, and keeps shift-add
    const b = check(spec([dense, bn], { width: 5, signed: true }));
    expect(b.layers.map((l) => l.strategy)).toEqual(['shift-add', 'folded']);
  });

  it('is kept after a layer with an activation', () => {
    const b = check(spec([{ ...dense, activation: 'relu' }, bn], { width: 5, signed: true }), 200, { arith: 'shift-add' });
    expect(b.layers.map((l) => l.strategy)).toEqual([null, 'shift-add']);
  });

  it('folds into a convolution, channel by channel', () => {
    const s = spec(
      [
        { kind: 'conv1d', kernel: [[[1, 2]], [[-1, 1]]], padding: 'valid' },
        { kind: 'batchnorm', scale: [5, -3], offset: [0, 2] },
      ],
      { width: 4, signed: true, shape: [5, 1] },
    );
    expect(check(s).layers[1]!.strategy).toBe('folded');
  });
});

describe('pooling, tables, argmax', () => {
  it('maxpool2d and avgpool2d with same padding over negative values', () => {
    const s = spec([{ kind: 'maxpool2d', pool: [2, 2], padding: 'same' }], { width: 6, signed: true, shape: [3, 5, 2] });
    check(s);
    const a = spec([{ kind: 'avgpool2d', pool: [2, 2], strides: [1, 1], padding: 'same', rounding: 'nearest' }], { width: 6, signed: true, shape: [3, 5, 2] });
    check(a);
  });

  it('maxpool1d and avgpool1d with a stride larger than the pool', () => {
    check(spec([{ kind: 'maxpool1d', pool: 2, strides: 3 }], { width: 4, signed: true, shape: [8, 2] }));
    check(spec([{ kind: 'avgpool1d', pool: 2, strides: 3 }], { width: 4, signed: true, shape: [8, 2] }));
  });

  it('tables of values and of functions, shared between elements', () => {
    const s = spec(
      [
        { weights: [[1, 1], [1, -1], [2, 1]], output: { width: 4, signed: true, overflow: 'saturate' } },
        { kind: 'table', function: 'tanh', input_frac_bits: 2, output_frac_bits: 3, output: { width: 5, signed: true, overflow: 'saturate' } },
      ],
      { width: 3, signed: true },
    );
    const b = check(s);
    const tables = b.graph.nodes.filter((n) => n.op === 'table');
    expect(tables.length).toBe(3);
    // one entries array for all three: identical tables stay identical
    expect(new Set(tables.map((t) => (t.op === 'table' ? t.entries : null))).size).toBe(1);
  });

  it('a table whose entries are all the same folds to a constant', () => {
    const s = spec(
      [
        { weights: [[1, 1]], output: { width: 2, signed: false, overflow: 'wrap' } },
        { kind: 'table', values: [6, 6, 6, 6] },
      ],
      { width: 3, signed: false },
    );
    const b = check(s);
    expect(b.graph.nodes.some((n) => n.op === 'table')).toBe(false);
    expect(b.graph.outputs[0]!.constant).toBe(6n);
  });

  it('argmax with ties goes to the lowest index', () => {
    const s = spec([{ weights: [[1, 0], [0, 1], [1, 0], [1, 1], [0, 0]] }, { kind: 'argmax' }], { width: 2, signed: false });
    const b = check(s);
    expect(b.graph.outputFormat).toEqual({ width: 3, signed: false });
    // x = (1, 0): rows give 1, 0, 1, 1, 0 — the first 1 is index 0
    expect(evaluateNetworkGraph(b.graph, [1n, 0n])).toEqual([0n]);
    // x = (0, 1): 0, 1, 0, 1, 0 — index 1
    expect(evaluateNetworkGraph(b.graph, [0n, 1n])).toEqual([1n]);
  });
});

describe('activations and bipolar values', () => {
  for (const act of [
    { activation: 'leaky_relu', alpha: { mult: 5, shift: 4 } },
    { activation: 'hard_tanh', one: 16 },
    { activation: 'sign' },
  ]) {
    it(`${act.activation} on a dense layer`, () => {
      const s = spec([{ weights: [[3, -1, 2], [-4, 1, 1]], bias: [2, -3], ...act }, { weights: [[1, 2], [-1, 3]] }], { width: 5, signed: true });
      check(s);
    });
  }

  it('a bipolar input folds −W·1 into the bias: no adder per input', () => {
    const s = spec([{ weights: [[1, 1, 1, 1]] }], { width: 1, signed: false, bipolar: true });
    const adders = (b: ReturnType<typeof check>): number => b.graph.nodes.filter((n) => n.op === 'add' || n.op === 'sub' || n.op === 'neg' || n.op === 'addc').length;
    // Σ (2b − 1) = 2·(b0 + b1 + b2 + b3) − 4: three adders for the sum, one for the constant
    expect(adders(check(s, 200, { arith: 'shift-add' }))).toBe(4);
    // by default (auto) the four bits are one table's address: the constant's adder is left
    const auto = check(s);
    expect(adders(auto)).toBe(1);
    expect(auto.graph.nodes.filter((n) => n.op === 'table').length).toBe(1);
  });

  it('a ternary network with sign activations (a BNN-style tagger)', () => {
    const W1 = [[1, 0, -1, 1, -1, 0], [0, 1, 1, -1, 0, 1], [-1, -1, 0, 1, 1, 1], [1, 1, 1, 0, -1, -1]];
    const s = spec([{ weights: W1, activation: 'sign' }, { weights: [[1, -1, 1, 0], [0, 1, -1, 1]], bias: [1, 0], activation: 'sign' }, { weights: [[1, 1], [1, -1]] }, { kind: 'argmax' }], {
      width: 1,
      signed: false,
      bipolar: true,
    });
    check(s);
  });
});

describe('the README examples of layer kinds', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Layer kinds'), readme.indexOf('## The module'));
  const docs = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('has two examples, and each parses and builds to the reference model', () => {
    expect(docs.length).toBe(2);
    for (const d of docs) check(parseSpec(d, 'README.md'), 100);
  });

  it('says what the first one computes: shapes and three sigmoid entries', () => {
    const s = parseSpec(docs[0]!, 'README.md');
    expect(s.layers.map((l) => l.outShape)).toEqual([[3, 3, 2], [1, 1, 2], [2], [2], [2]]);
    const t = s.layers[4]!;
    if (t.kind !== 'table') throw new Error('layer 4 is not a table');
    // entry k is for v = −32 + k: v = −32 → 0, v = 0 → 16, v = 31 → 32 (as the README works out)
    expect([t.entries[0], t.entries[32], t.entries[63]]).toEqual([0n, 16n, 32n]);
  });
});
