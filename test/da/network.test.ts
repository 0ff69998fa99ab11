import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { optimize } from '../../src/da/cmvm.js';
import { evaluateNetworkGraph } from '../../src/da/graph.js';
import { buildNetworkGraph, networkStats } from '../../src/da/network.js';
import { compile } from '../../src/flows/compile.js';
import type { CompileResult } from '../../src/flows/compile.js';
import { checkText, simulateInIcarus, simulateSpec } from '../../src/flows/verify.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import { compileNetlist } from '../../src/sim/netlist-sim.js';
import { referenceOf } from '../../src/sim/reference.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { inputCount, matrixSpec } from '../../src/spec/spec.js';
import type { DenseLayer, Layer, Spec } from '../../src/spec/spec.js';
import { layerOf } from '../helpers/layers.js';
import { randomNetwork } from '../helpers/random.js';
import { haveTool } from '../helpers/tools.js';
import { stripComments } from '../helpers/netlist.js';

const layer = layerOf;

/** A network of `layers` over a flat input of as many values as layer 0 takes. */
const net = (input: { width: number; signed: boolean }, layers: Layer[], score = false): Spec => ({
  format: 1,
  name: 'net',
  input: { ...input, bipolar: false, shape: [...layers[0]!.inShape] },
  layers,
  score: score ? { kind: 'sum_of_squares', of: 'last' } : null,
  form: 'layers',
});

/** The compiled network's outputs for the given inputs (netlist simulator, one per cycle). */
function outputsOf(r: CompileResult, xs: bigint[][]): bigint[][] {
  const ys = compileNetlist(r.netlist).run(withFlush(xs, r.netlist.ports.nIn, r.netlist.latency));
  return xs.map((_, t) => ys[t + r.netlist.latency]!);
}

const icarus = haveTool('iverilog', ['-V']);

describe('networks: the netlist simulator against the independent reference model', () => {
  it('random networks (1–4 layers, widths 1–32, ReLU/linear, shifts 0–8, floor/nearest, wrap/saturate, bias, score) at latencies 0–4', () => {
    const rng = new Rng(2024);
    let withScore = 0;
    let saturating = 0;
    for (let trial = 0; trial < 90; trial++) {
      const spec = randomNetwork(rng);
      const latency = rng.below(5);
      // (one search attempt per layer: this checks the layers' arithmetic and the netlist, not
      // the search, which test/da/cmvm*.test.ts check; its default 16 attempts were nine tenths
      // of this test's time)
      const res = simulateSpec(spec, { latency, effort: 1, vectors: 150, seed: trial });
      expect(res.compare.mismatches, `trial ${trial}: ${JSON.stringify(spec, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`).toEqual([]);
      expect(res.compare.pass).toBe(true);
      // every path has `latency` register ranks, so the first result appears after exactly that many cycles
      expect(res.compile.netlist.latency).toBe(latency);
      // the graph itself, evaluated with exact integers, is the reference model too
      const ref = referenceOf(spec);
      for (const x of testVectors(inputCount(spec), spec.input, 8, trial)) expect(evaluateNetworkGraph(res.compile.graph, x)).toEqual(ref(x));
      if (spec.score) {
        withScore++;
        expect(res.compile.manifest.score_width).toBe(res.compile.netlist.score!.width);
      }
      if (spec.layers.some((l) => l.kind === 'dense' && l.output?.overflow === 'saturate')) saturating++;
    }
    expect(withScore).toBeGreaterThan(25);
    expect(saturating).toBeGreaterThan(25);
  });

  it('gives the manifest its layers, and the score port its width', () => {
    const spec = net({ width: 6, signed: true }, [layer([[1n, 2n], [3n, -4n], [0n, 0n]], { bias: [1n, 0n, 5n], activation: 'relu', output: { width: 4, signed: false, overflow: 'saturate' } }), layer([[1n, -1n, 1n]])], true);
    const r = compile(spec, { latency: 2 });
    expect(r.manifest.layers!.map((l) => [l.inputs, l.outputs, l.activation, l.bias])).toEqual([
      [2, 3, 'relu', true],
      [3, 1, 'linear', false],
    ]);
    // the third output of layer 0 is the constant relu(5) = 5, saturated to 5: it joins layer 1's bias
    expect(r.manifest.layers![1]!.pruned_inputs).toBe(1);
    expect(r.manifest.score).toBe('sum_of_squares');
    expect(r.verilog).toMatch(/output wire \[\d+:0\]\s+score\n/);
    expect(r.manifest.squares).toBe('lookup table');
  });
});

describe('networkStats: the design\'s figures from its layers\'', () => {
  // W = [[3, 5], [7, −1]]: CSD 3 = 4 − 1, 5 = 4 + 1 (row 0: 4 digits), 7 = 8 − 1, −1 (row 1: 3
  // digits, one positive). No-sharing adders: 3 + 2 = 5; minimum depth max(ceil(log2 4),
  // ceil(log2 3)) = 2; with the default slack of 2 the bound is 4.
  const W = [
    [3n, 5n],
    [7n, -1n],
  ];
  const input = { width: 8, signed: true };
  const design = { adders: 17, adderBits: 123, depth: 6, ms: 2.5 };

  it('a single plain dense layer without score is that layer: its optimizer stats, depth bound included', () => {
    const b = buildNetworkGraph(matrixSpec('m', input, W));
    expect(b.layers.length).toBe(1);
    const only = b.layers[0]!;
    expect(only.postNodes).toBe(0);
    expect(only.optimize).not.toBeNull();
    const st = networkStats(b.layers, false, design);
    expect(st).toEqual(only.optimize);
    // the design's own figures do not replace the optimizer's
    expect(st.adders).toBe(only.optimize!.adders);
    expect(st.attempt).not.toBe('per layer');
    expect(Number.isFinite(st.depthBound)).toBe(true);
    expect(st.depthBound).toBe(4);
    expect(st.minDepth).toBe(2);
    expect(st.naiveAdders).toBe(5);
    // and they are what the optimizer gives the matrix on its own (the search is deterministic)
    const direct = optimize(W, input).stats;
    for (const k of ['naiveAdders', 'adders', 'adderBits', 'depth', 'depthBound', 'minDepth', 'negations', 'subtractors', 'attempt'] as const) expect(st[k], k).toEqual(direct[k]);
  });

  it('the same layer with a score, or with steps after its matrix, is a network: no single depth bound', () => {
    const scored = buildNetworkGraph({ ...matrixSpec('m', input, W), score: { kind: 'sum_of_squares', of: 'last' }, form: 'layers' });
    const s1 = networkStats(scored.layers, true, design);
    expect(s1.depthBound).toBe(Infinity);
    expect(s1.adders).toBe(17);
    expect(s1.attempt).toBe('per layer');
    const biased = buildNetworkGraph(net(input, [layer(W, { bias: [1n, -2n] })]));
    expect(biased.layers[0]!.postNodes).toBeGreaterThan(0);
    const s2 = networkStats(biased.layers, false, design);
    expect(s2.depthBound).toBe(Infinity);
    expect(s2.adders).toBe(17);
  });

  it('two layers: the design\'s adders, bits and depth, the layers\' sums, and no depth bound', () => {
    const spec = net({ width: 6, signed: true }, [layer([[1n, 2n], [3n, -4n], [5n, 6n]]), layer([[1n, -1n, 7n]])]);
    const b = buildNetworkGraph(spec);
    expect(b.layers.length).toBe(2);
    const [l0, l1] = [b.layers[0]!.optimize!, b.layers[1]!.optimize!];
    const st = networkStats(b.layers, false, design);
    expect(st.depthBound).toBe(Infinity);
    expect(st.adders).toBe(17);
    expect(st.adderBits).toBe(123);
    expect(st.depth).toBe(6);
    expect(st.ms.total).toBe(2.5);
    expect(st.attempt).toBe('per layer');
    // the adders outside the matrices count the same with and without sharing
    expect(st.naiveAdders).toBe(l0.naiveAdders + l1.naiveAdders + 17 - (l0.adders + l1.adders));
    expect(st.minDepth).toBe(l0.minDepth + l1.minDepth);
    expect(st.attempts.length).toBe(l0.attempts.length + l1.attempts.length);
    expect(st.attempts.every((a) => /^layer [01]: /.test(a.name))).toBe(true);

    // compiled: the adders are the netlist's
    const r = compile(spec, { latency: 2 });
    const counted = r.netlist.signals.filter((sg) => sg.kind === 'add' || sg.kind === 'sub' || sg.kind === 'neg' || sg.kind === 'addc').length;
    expect(r.stats.depthBound).toBe(Infinity);
    expect(r.stats.adders).toBe(r.netlist.adders);
    expect(r.stats.adders).toBe(counted);
    expect(r.stats.depth).toBe(r.netlist.adderDepth);
    expect(r.manifest.adders).toBe(counted);
    expect(r.manifest.depth_bound).toBeNull();
  });
});

describe('compile: a plain matrix and the same matrix written as layers', () => {
  const W = [
    [3n, 5n],
    [7n, -1n],
  ];
  const input = { width: 8, signed: true };

  it('the matrix form gives a manifest without layers and with a numeric depth bound', () => {
    const r = compile(matrixSpec('m', input, W), { latency: 1 });
    expect('layers' in r.manifest).toBe(false);
    expect('score' in r.manifest).toBe(false);
    expect(typeof r.manifest.depth_bound).toBe('number');
    expect(r.manifest.depth_bound).toBe(4); // minimum depth 2 + default slack 2
    expect(r.manifest.min_depth).toBe(2);
    expect(r.manifest.naive_adders).toBe(5);
  });

  it('the layers form lists its one layer, and is otherwise the same design', () => {
    const spec = parseSpec(JSON.stringify({ format: 1, name: 'm', input: { width: 8, signed: true }, layers: [{ weights: [[3, 5], [7, -1]] }] }), 'm.json');
    expect(spec.form).toBe('layers');
    const r = compile(spec, { latency: 1 });
    // 8-bit inputs: the table forms of 4-bit slices (KCM: each input has two odd weights), 2-
    // and 1-bit slices lose by their lower bound alone
    const tried = r.manifest.layers![0]!.tried;
    expect(tried.map((t) => [t.strategy.replace(/:.*/, ''), t.at_least ?? false])).toEqual([
      ['shift-add', false],
      ['table (4-bit slices)', true],
      ['table (2-bit slices)', true],
      ['table (1-bit slices)', true],
    ]);
    expect(tried[1]!.cells).toBeGreaterThan(tried[0]!.cells!);
    expect(r.manifest.layers).toEqual([
      {
        kind: 'dense',
        in_shape: [2],
        out_shape: [2],
        strategy: 'shift-add',
        tried,
        inputs: 2,
        outputs: 2,
        pruned_inputs: 0,
        adders: r.stats.adders,
        naive_adders: 5,
        bias: false,
        activation: 'linear',
        shift: 0,
        rounding: 'floor',
        output: null,
        weight_frac_bits: null,
        input_frac_bits: null,
      },
    ]);
    expect('score' in r.manifest).toBe(false);
    // one plain layer without score: the optimizer's figures, its depth bound included
    expect(r.manifest.depth_bound).toBe(4);
    expect(r.manifest.input_shape).toEqual([2]);
    expect(r.manifest.input_bipolar).toBe(false);
    const { layers: _layers, input_shape: _shape, input_bipolar: _bipolar, ...rest } = r.manifest;
    expect(rest).toEqual(compile(matrixSpec('m', input, W), { latency: 1 }).manifest);
  });
});

// Edge cases of the steps between layers, through the compiled hardware, against values
// computed by hand.
describe('networks: edge cases of saturation, rounding and ReLU', () => {
  const one = (o: Partial<Omit<DenseLayer, 'weights'>>, input = { width: 8, signed: true }, w = 1n): Spec => net(input, [layer([[w]], o)]);
  const run = (spec: Spec, xs: bigint[]): bigint[] => outputsOf(compile(spec, { latency: 1 }), xs.map((x) => [x])).map((y) => y[0]!);

  it('saturate signed: the most negative value stays, one below clamps, and values that just overflow clamp to the maximum', () => {
    const spec = one({ output: { width: 4, signed: true, overflow: 'saturate' } });
    expect(run(spec, [-8n, -9n, -128n, 7n, 8n, 127n, 0n])).toEqual([-8n, -8n, -8n, 7n, 7n, 7n, 0n]);
  });

  it('saturate unsigned: negatives clamp to 0, a value that just overflows to 2^w − 1', () => {
    const spec = one({ output: { width: 3, signed: false, overflow: 'saturate' } });
    expect(run(spec, [-1n, -128n, 0n, 7n, 8n, 127n])).toEqual([0n, 0n, 0n, 7n, 7n, 7n]);
  });

  it('wrap: a value that just overflows wraps to the most negative', () => {
    const spec = one({ output: { width: 4, signed: true, overflow: 'wrap' } });
    expect(run(spec, [7n, 8n, -8n, -9n, 23n])).toEqual([7n, -8n, -8n, 7n, 7n]);
  });

  it('rounding to nearest: an exact half rounds up, for positive and negative values', () => {
    // x / 4 with k = 2: 10/4 = 2.5 → 3, −10/4 = −2.5 → −2, 9/4 = 2.25 → 2, −11/4 = −2.75 → −3, 6/4 = 1.5 → 2
    const spec = one({ shift: 2, rounding: 'nearest' });
    expect(run(spec, [10n, -10n, 9n, -11n, 6n, -128n, 127n])).toEqual([3n, -2n, 2n, -3n, 2n, -32n, 32n]);
  });

  it('rounding by floor: toward −∞', () => {
    const spec = one({ shift: 2 });
    expect(run(spec, [10n, -10n, -1n, -128n, 127n])).toEqual([2n, -3n, -1n, -32n, 31n]);
  });

  it('ReLU: negatives (the most negative too) become 0, zero stays 0, positives pass', () => {
    const spec = one({ activation: 'relu' });
    expect(run(spec, [-128n, -1n, 0n, 1n, 127n])).toEqual([0n, 0n, 0n, 1n, 127n]);
  });

  it('bias before ReLU, then shift with rounding, then saturation', () => {
    // 3x − 7, relu, /2 nearest, saturate to 4 bits unsigned (0..15)
    const spec = one({ bias: [-7n], activation: 'relu', shift: 1, rounding: 'nearest', output: { width: 4, signed: false, overflow: 'saturate' } }, { width: 8, signed: true }, 3n);
    // x = 2: −1 → 0; x = 3: 2 → 1; x = 4: 5 → 2.5 → 3; x = 12: 29 → 14.5 → 15; x = 13: 32 → 16 → 15; x = −128 → 0
    expect(run(spec, [2n, 3n, 4n, 12n, 13n, -128n])).toEqual([0n, 1n, 3n, 15n, 15n, 0n]);
  });

  it('ReLU makes the next layer read unsigned values one bit narrower', () => {
    const spec = net({ width: 8, signed: true }, [layer([[1n], [-1n]], { activation: 'relu' }), layer([[1n, 1n]])]);
    const r = compile(spec, { latency: 1 });
    const relus = r.netlist.signals.filter((s) => s.kind === 'relu');
    expect(relus.length).toBe(2);
    for (const s of relus) {
      expect(s.signed).toBe(false);
      expect(s.width).toBeLessThanOrEqual(8);
    }
    // |x| for every x
    expect(outputsOf(r, [[-128n], [-5n], [0n], [7n], [127n]]).map((y) => y[0])).toEqual([128n, 5n, 0n, 7n, 127n]);
  });

  it('score: the sum of the squares of the last layer, also past the lookup-table width', () => {
    const spec = net({ width: 12, signed: true }, [layer([[1n, 0n], [0n, 3n]])], true);
    const r = compile(spec, { latency: 2 });
    expect(r.manifest.squares).toBe('shift-and-add');
    // y = (a, 3b); score = a² + 9b²
    const ys = outputsOf(r, [[-2048n, 2047n], [5n, -7n], [0n, 0n]]);
    expect(ys).toEqual([
      [-2048n, 6141n, 2048n * 2048n + 6141n * 6141n],
      [5n, -21n, 25n + 441n],
      [0n, 0n, 0n],
    ]);
  });
});

describe.runIf(icarus)('networks through Icarus and through Yosys', () => {
  it('random networks: the emitted Verilog, read by Icarus and by Yosys, equals the reference model', async () => {
    const rng = new Rng(77);
    // (five: the property test also runs random networks of every layer kind through Icarus and Yosys)
    for (let trial = 0; trial < 5; trial++) {
      const spec = randomNetwork(rng, { maxLayers: 3, maxWidth: 12 });
      const r = compile(spec, { latency: rng.below(4) });
      const c = await checkText(r, spec, { vectors: 120, seed: trial, reference: referenceOf(spec) });
      expect(c.icarus!.mismatches, `trial ${trial}`).toEqual([]);
      expect(c.yosys.mismatches, `trial ${trial}`).toEqual([]);
      expect(c.pass).toBe(true);
    }
  }, 300_000);

  it('a deliberately wrong reference is caught (the check can fail)', async () => {
    const l0 = layer([[2n, -3n]], { activation: 'relu', shift: 1 });
    const spec = net({ width: 6, signed: true }, [l0], true);
    const r = compile(spec, { latency: 1 });
    const vecs = testVectors(inputCount(spec), spec.input, 60, 1);
    const ys = await simulateInIcarus(r.verilog, r.netlist, withFlush(vecs, 2, 1));
    const good = referenceOf(spec);
    expect(compareWithReference(good, vecs, ys, 1).pass).toBe(true);
    // the same model without the ReLU
    const noRelu = referenceOf({ ...spec, layers: [{ ...l0, activation: 'linear' }] });
    expect(compareWithReference(noRelu, vecs, ys, 1).pass).toBe(false);
  });
});

const verilator = haveTool('verilator');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.runIf(verilator)('networks: verilator --lint-only -Wall', () => {
  it('has nothing to say about random networks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-netlint-'));
    dirs.push(dir);
    const rng = new Rng(5150);
    const problems: string[] = [];
    for (let trial = 0; trial < 12; trial++) {
      const spec = randomNetwork(rng, { maxLayers: 3, maxWidth: 10, name: `net${trial}` });
      const r = compile(spec, { latency: rng.below(4) });
      const f = join(dir, `net${trial}.v`);
      writeFileSync(f, r.verilog);
      const v = spawnSync('verilator', ['--lint-only', '-Wall', f], { encoding: 'utf8' });
      if (v.status !== 0) problems.push(`net${trial}: ${v.stderr}`);
    }
    expect(problems.join('\n')).toBe('');
  }, 120_000);
});

describe('the example networks', () => {
  const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

  it('are what examples/make-networks.mjs writes (seeded, byte for byte)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-examples-'));
    dirs.push(dir);
    const r = spawnSync(process.execPath, [join(examples, 'make-networks.mjs'), dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['jet-tagger.json', 'axol1tl.json', 'cicada.json', 'conv1d-tagger.json', 'ternary-tagger.json']) expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(join(examples, f), 'utf8'));
  });

  it('the AXOL1TL-shaped encoder compiles at latency 2 with its layers and score in the manifest, and equals its reference model', () => {
    const spec = parseSpec(readFileSync(join(examples, 'axol1tl.json'), 'utf8'), 'axol1tl.json');
    // (simulateSpec compiles it with these options: its compile result is the design checked here,
    // compiled once)
    const res = simulateSpec(spec, { latency: 2, vectors: 300 });
    const r = res.compile;
    const m = r.manifest;
    expect(m.latency).toBe(2);
    expect(m.inputs).toBe(57);
    expect(m.outputs).toBe(13);
    expect(m.layers!.map((l) => [l.inputs, l.outputs])).toEqual([
      [57, 32],
      [32, 16],
      [16, 13],
    ]);
    expect(m.layers!.map((l) => l.output)).toEqual([
      { width: 8, signed: false, overflow: 'saturate' },
      { width: 8, signed: false, overflow: 'saturate' },
      { width: 8, signed: true, overflow: 'saturate' },
    ]);
    expect(m.adders).toBeLessThan(m.naive_adders);
    expect(m.score).toBe('sum_of_squares');
    // 13 squares of 8-bit signed values: at most 13 · 128² = 212992, 18 bits
    expect(m.score_width).toBe(18);
    expect(r.verilog).toContain('output wire [17:0]  score');
    expect(res.compare.mismatches).toEqual([]);
  });

  /** The examples compiled at latency 2 with the default options (by the test below that first needs one). */
  const atLatency2 = new Map<string, CompileResult>();

  // (the two convolutional ones with one search attempt: this checks the arithmetic of every
  // layer kind, not the search, and their default attempts cost seconds; the README's figures
  // and `da-gen check` use the default)
  for (const [file, effort, kinds, strategies] of [
    // (a dense layer's form: its tables were weighed, --arith auto)
    ['cicada.json', 1, ['conv2d', 'flatten', 'dense', 'dense'], [['per-position', 'toeplitz'], [null], ['shift-add', 'table'], ['shift-add', 'table']]],
    ['conv1d-tagger.json', 1, ['conv1d', 'batchnorm', 'maxpool1d', 'conv1d', 'flatten', 'dense', 'dense', 'argmax'], [['per-position', 'toeplitz'], ['folded'], [null], ['per-position', 'toeplitz'], [null], ['shift-add', 'table'], ['shift-add', 'table'], [null]]],
    ['ternary-tagger.json', undefined, ['dense', 'dense', 'dense', 'argmax'], [['shift-add', 'table'], ['shift-add', 'table'], ['shift-add', 'table'], [null]]],
  ] as const) {
    it(`${file} compiles at latency 2, lists its layers, and equals its reference model`, () => {
      const spec = parseSpec(readFileSync(join(examples, file), 'utf8'), file);
      const opts = { latency: 2, ...(effort !== undefined ? { effort } : {}) };
      const res = simulateSpec(spec, { ...opts, vectors: 300 });
      if (effort === undefined) atLatency2.set(file, res.compile);
      expect(res.compare.mismatches).toEqual([]);
      const layers = res.compile.manifest.layers!;
      expect(layers.map((l) => l.kind)).toEqual(kinds);
      layers.forEach((l, k) => expect(strategies[k]).toContain(l.strategy));
      expect(stripComments(res.compile.verilog)).not.toContain('*');
      // the header counts the comparators, multiplexers and tables beside the adders
      const n = res.compile.netlist.signals;
      const count = (k: string): number => n.filter((s) => s.kind === k).length;
      if (count('cmp') + count('mux') + count('table') === 0) expect(res.compile.verilog).not.toMatch(/^\/\/ {3}and \d+ comparator/m);
      else expect(res.compile.verilog).toMatch(new RegExp(`^// {3}and ${count('cmp')} comparators?, ${count('mux')} multiplexers?, ${count('table')} lookup tables?`, 'm'));
    });
  }

  it.runIf(icarus)('the ternary tagger (sign activations, argmax) through Icarus equals its reference model', async () => {
    const spec = parseSpec(readFileSync(join(examples, 'ternary-tagger.json'), 'utf8'), 'ternary-tagger.json');
    // (the same compile as the test above, when it ran: the search is deterministic)
    const r = atLatency2.get('ternary-tagger.json') ?? compile(spec, { latency: 2 });
    expect(r.manifest.output_width).toBe(3);
    const vecs = testVectors(inputCount(spec), spec.input, 60, 3);
    const ys = await simulateInIcarus(r.verilog, r.netlist, withFlush(vecs, inputCount(spec), 2));
    expect(compareWithReference(referenceOf(spec), vecs, ys, 2).mismatches).toEqual([]);
  }, 120_000);

  it.runIf(icarus)('the jet tagger through Icarus equals its reference model', async () => {
    const spec = parseSpec(readFileSync(join(examples, 'jet-tagger.json'), 'utf8'), 'jet-tagger.json');
    const r = compile(spec, { latency: 2 });
    const vecs = testVectors(inputCount(spec), spec.input, 60, 3);
    const ys = await simulateInIcarus(r.verilog, r.netlist, withFlush(vecs, inputCount(spec), 2));
    expect(compareWithReference(referenceOf(spec), vecs, ys, 2).mismatches).toEqual([]);
  }, 120_000);
});
