import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import type { CompileResult } from '../../src/flows/compile.js';
import { checkText, simulateInIcarus } from '../../src/flows/verify.js';
import { buildReport } from '../../src/report/build.js';
import { reportMarkdown } from '../../src/report/markdown.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import { compileNetlist } from '../../src/sim/netlist-sim.js';
import { referenceOf } from '../../src/sim/reference.js';
import { testVectors } from '../../src/sim/vectors.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { Spec } from '../../src/spec/spec.js';
import { formatRange } from '../../src/spec/tables.js';
import { haveTool } from '../helpers/tools.js';

// Designs that use every format extension for bit-exact import: rounding "nearest_even",
// overflow "saturate_symmetric", per-channel shifts and output formats (pruned channels of
// width 0 among them), on dense, conv1d/2d, batchnorm (kept and folded), avgpool, a table after
// a uniform layer, bipolar inputs (whose offsets make the rounding's ties depend on constants),
// and values wide enough for the simulator's BigInt mode. Each is compiled at latencies 0 and
// 2 and run through the netlist simulator against the independent reference model
// (exhaustively when the inputs have at most 16 bits in all); some also through Icarus,
// `verilator --lint-only -Wall`, and Yosys's JSON netlist (the `da-gen check` path).

interface Design {
  name: string;
  input: Record<string, unknown>;
  layers: Record<string, unknown>[];
}

const DESIGNS: Design[] = [
  {
    // two dense layers, every new key; the last layer's outputs are per channel (y's format is theirs)
    name: 'dense_mix',
    input: { width: 4, signed: true },
    layers: [
      {
        weights: [[3, -5, 1], [7, 2, -1], [1, 1, 1], [-4, 6, 2]],
        bias: [3, -2, 0, 5],
        shift: [2, 3, 0, 4],
        rounding: 'nearest_even',
        output: { width: [5, 6, 0, 4], signed: [true, false, true, true], overflow: 'saturate_symmetric' },
      },
      { weights: [[1, -2, 3, 1], [2, 1, 0, -1]], activation: 'relu', shift: [1, 2], rounding: 'nearest_even', output: { width: [3, 5], signed: false } },
    ],
  },
  {
    // conv1d → maxpool → batchnorm (kept: the conv is shifted) → flatten → dense → table
    name: 'conv_chain',
    input: { width: 3, signed: false, shape: [5, 2] },
    layers: [
      {
        kind: 'conv1d',
        kernel: [[[1, -2, 3], [2, 1, -1]], [[-3, 1, 2], [1, 1, 1]]],
        padding: 'same',
        bias: [1, -3, 2],
        activation: 'leaky_relu',
        alpha: { mult: 3, shift: 2 },
        shift: [1, 2, 3],
        rounding: 'nearest_even',
        output: { width: [6, 5, 4], signed: true, overflow: 'saturate_symmetric' },
      },
      { kind: 'maxpool1d', pool: 2, padding: 'same' },
      {
        kind: 'batchnorm',
        scale: [3, -2, 5],
        offset: [1, 0, -3],
        activation: 'hard_tanh',
        one: 16,
        shift: [0, 1, 2],
        rounding: 'nearest_even',
        output: { width: [5, 0, 6], signed: [true, true, false] },
      },
      { kind: 'flatten' },
      { weights: [[1, -1, 2, 0, 1, 1, -2, 3, 1], [2, 2, -1, 1, 0, -3, 1, 1, 1]], shift: 2, rounding: 'nearest_even', output: { width: 7, signed: true, overflow: 'saturate_symmetric' } },
      { kind: 'table', function: 'tanh', input_frac_bits: 3, output_frac_bits: 4, rounding: 'nearest_even', output: { width: 6, signed: true, overflow: 'saturate_symmetric' } },
    ],
  },
  {
    // conv2d with a pruned channel, an average pool that rounds to even and saturates
    // symmetrically, a dense layer whose outputs mix signed and unsigned formats
    name: 'conv2d_pool',
    input: { width: 2, signed: true, shape: [4, 4, 1] },
    layers: [
      { kind: 'conv2d', kernel: [[[[1, 2]], [[-2, 1]]], [[[3, -1]], [[1, 1]]]], padding: 'same', shift: [1, 3], rounding: 'nearest_even', output: { width: [4, 0], signed: true, overflow: 'saturate_symmetric' } },
      { kind: 'avgpool2d', pool: 2, rounding: 'nearest_even', output: { width: 3, signed: true, overflow: 'saturate_symmetric' } },
      { kind: 'flatten' },
      { weights: [[1, 2, -1, 1, 0, 3, 1, -2], [2, -1, 1, 1, 1, 1, -1, 0], [1, 1, 1, 1, 1, 1, 1, 1]], bias: [1, 0, -2], shift: [0, 1, 1], rounding: 'nearest_even', output: { width: [5, 3, 4], signed: [true, false, true], overflow: 'wrap' } },
    ],
  },
  {
    // a batchnorm folded into the linear, unshifted, full-precision dense layer before it,
    // bringing its per-channel shift and format into the fused layer
    name: 'bn_folded',
    input: { width: 5, signed: true },
    layers: [
      { weights: [[1, 2], [-3, 1], [2, 2]], bias: [1, 0, -1] },
      { kind: 'batchnorm', scale: [3, 5, -1], offset: [2, -7, 1], shift: [2, 1, 3], rounding: 'nearest_even', output: { width: [6, 5, 0], signed: [true, true, false], overflow: 'saturate_symmetric' } },
    ],
  },
  {
    // a bipolar input: each value is (b << 1) − 1, so the ties of the rounding come from the
    // offsets and the biases (some fold into wiring, some need the rounding node)
    name: 'bipolar_even',
    input: { width: 1, signed: false, bipolar: true, shape: [4] },
    layers: [
      { weights: [[1, 1, 0, 0], [2, 0, 2, 0], [1, -1, 1, 1], [4, 0, 0, 0], [0, 0, 0, 4]], bias: [1, 1, 0, 2, 0], shift: [1, 2, 1, 2, 2], rounding: 'nearest_even' },
      { weights: [[1, 1, 1, 1, 1], [1, -1, 2, 1, -1]], shift: 1, rounding: 'nearest_even', output: { width: 3, signed: true, overflow: 'saturate_symmetric' } },
    ],
  },
  {
    // accumulators of about 56 bits: the simulator's BigInt mode, and shifts of 40 and more
    name: 'wide_even',
    input: { width: 10, signed: true },
    layers: [
      {
        weights: [['35184372088831', '-17592186044416'], ['-35184372088832', '35184372088832'], ['1099511627776', '1']],
        bias: ['549755813888', '-549755813888', '2199023255552'],
        shift: [40, 41, 42],
        rounding: 'nearest_even',
        output: { width: [12, 16, 3], signed: [true, true, false], overflow: 'saturate_symmetric' },
      },
    ],
  },
];

const specOf = (d: Design): Spec => parseSpec(JSON.stringify({ format: 1, name: d.name, input: d.input, layers: d.layers }), `${d.name}.json`);

/** Every input vector when the inputs have at most `maxBits` bits in all, else `count` vectors (extremes, then random). */
function vectorsOf(spec: Spec, maxBits: number, count: number): bigint[][] {
  const n = spec.input.shape.reduce((a, b) => a * b, 1);
  if (n * spec.input.width > maxBits) return testVectors(n, spec.input, count, 7);
  const [lo, hi] = formatRange(spec.input);
  const span = hi - lo + 1n;
  const all: bigint[][] = [];
  const total = Number(span) ** n;
  for (let k = 0; k < total; k++) {
    let r = BigInt(k);
    all.push(Array.from({ length: n }, () => {
      const v = lo + (r % span);
      r /= span;
      return v;
    }));
  }
  return all;
}

const compiled = new Map<string, CompileResult>();
function compiledAt(d: Design, latency: number): CompileResult {
  const key = `${d.name}@${latency}`;
  let r = compiled.get(key);
  if (r === undefined) {
    r = compile(specOf(d), { latency });
    compiled.set(key, r);
  }
  return r;
}

describe('format extensions end to end: the netlist simulator against the reference model', () => {
  it.each(DESIGNS.map((d) => [d.name, d] as const))('%s at latencies 0 and 2', (_, d) => {
    const spec = specOf(d);
    const xs = vectorsOf(spec, 16, 3000);
    const ref = referenceOf(spec);
    for (const latency of [0, 2]) {
      const r = compiledAt(d, latency);
      expect(r.netlist.latency).toBe(latency);
      const sim = compileNetlist(r.netlist);
      if (d.name === 'wide_even') expect(sim.mode).toBe('bigint');
      const ys = sim.run(withFlush(xs, r.netlist.ports.nIn, latency));
      const c = compareWithReference(ref, xs, ys, latency);
      expect(c.mismatches, `${d.name} L=${latency}`).toEqual([]);
      expect(c.vectors).toBe(xs.length);
    }
  });

  it('the tests can fail: the reference with "nearest" in place of "nearest_even" disagrees', () => {
    const d = DESIGNS[0]!;
    const spec = specOf(d);
    const other = specOf({ ...d, layers: d.layers.map((l) => ({ ...l, rounding: 'nearest' })) });
    const xs = vectorsOf(spec, 16, 3000);
    const r = compiledAt(d, 2);
    const ys = compileNetlist(r.netlist).run(withFlush(xs, r.netlist.ports.nIn, 2));
    expect(compareWithReference(referenceOf(other), xs, ys, 2).errors).toBeGreaterThan(0);
  });

  it('builds rounding nodes where a tie depends on the value, wiring where constants decide; a pruned channel is the constant 0', () => {
    const rne = (d: Design): number => compiledAt(d, 2).netlist.signals.filter((s) => s.kind === 'rne').length;
    for (const d of DESIGNS) expect(rne(d), d.name).toBeGreaterThan(0);
    // bipolar_even rounds 7 values. Channel 0 of its first layer, (2b0 − 1) + (2b1 − 1) + 1 =
    // ((b0 + b1) << 1) − 1 over 2, has ties whose parity is b0 + b1's: a node. Channel 3,
    // 4·(2b0 − 1) + 2 = (b0 << 3) − 2 over 4, ties at every value with the constant deciding
    // (−1/2 → 0, 3/2 → 2): wiring. Channel 4, (b3 << 3) − 4 over 4, is exact: wiring.
    expect(rne(DESIGNS.find((d) => d.name === 'bipolar_even')!)).toBeLessThan(7);
    // bn_folded's channel 2 has width 0: y[2] is the constant 0, no signal
    const bn = compiledAt(DESIGNS.find((d) => d.name === 'bn_folded')!, 2);
    expect(bn.netlist.outputs[2]!.signal).toBe(-1);
    expect(bn.netlist.outputs[2]!.constant ?? 0n).toBe(0n);
  });
});

describe('format extensions: the y port, the manifest and the report', () => {
  it('y holds every channel of a per-channel last layer in one field', () => {
    // dense_mix: the last layer's outputs are 3- and 5-bit unsigned → 5-bit unsigned
    const a = compiledAt(DESIGNS[0]!, 2);
    expect([a.manifest.output_width, a.manifest.output_signed]).toEqual([5, false]);
    // conv2d_pool: 5-bit signed, 3-bit unsigned (4 bits signed), 4-bit signed → 5-bit signed
    const b = compiledAt(DESIGNS.find((d) => d.name === 'conv2d_pool')!, 2);
    expect([b.manifest.output_width, b.manifest.output_signed]).toEqual([5, true]);
    expect(b.verilog).toContain('output wire [14:0] y');
    // wide_even: 12- and 16-bit signed, 3-bit unsigned → 16-bit signed
    const c = compiledAt(DESIGNS.find((d) => d.name === 'wide_even')!, 2);
    expect([c.manifest.output_width, c.manifest.output_signed]).toEqual([16, true]);
  });

  it('the manifest lists per-channel shifts and widths; the report shows them compactly', () => {
    const r = compiledAt(DESIGNS[0]!, 2);
    const [l0, l1] = r.manifest.layers!;
    expect([l0!.shift, l0!.rounding, l0!.output]).toEqual([[2, 3, 0, 4], 'nearest_even', { width: [5, 6, 0, 4], signed: [true, false, true, true], overflow: 'saturate_symmetric' }]);
    expect([l1!.shift, l1!.output]).toEqual([[1, 2], { width: [3, 5], signed: false, overflow: 'wrap' }]);
    const report = buildReport({ netlist: r.netlist, stats: r.stats, targets: [], tools: {}, manifest: r.manifest });
    const [r0, r1] = report.network!.layers;
    expect([r0!.shift, r0!.output]).toEqual(['0..4 per channel', 'per channel 4..6-bit signed or unsigned, saturate_symmetric, 1 of 4 pruned']);
    expect([r1!.shift, r1!.output]).toEqual(['1..2 per channel', 'per channel 3..5-bit unsigned, wrap']);
    const md = reportMarkdown(report);
    expect(md).toContain('| 0..4 per channel | nearest_even | per channel 4..6-bit signed or unsigned, saturate_symmetric, 1 of 4 pruned |');
  });

  it('a batchnorm with per-channel formats folds, and its formats are the fused layer\'s', () => {
    const r = compiledAt(DESIGNS.find((d) => d.name === 'bn_folded')!, 1);
    expect(r.manifest.layers!.map((l) => l.strategy)).toEqual(['shift-add', 'folded']);
    expect(r.manifest.layers![1]!.shift).toEqual([2, 1, 3]);
    // 6- and 5-bit signed, and a pruned channel → 6-bit signed
    expect([r.manifest.output_width, r.manifest.output_signed]).toEqual([6, true]);
  });
});

describe("the README's per-channel example", () => {
  it('is a layer that gives y 3 × 8-bit signed fields, channel 1 in 0 … 63 and channel 2 always 0', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Networks (`layers`)'), readme.indexOf('### Layer kinds'));
    const layer = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).find((t) => t.includes('"width": [')) ?? '';
    const spec = parseSpec(`{"format": 1, "name": "rd", "input": {"width": 8, "signed": true}, "layers": [${layer}]}`, 'README.md');
    const r = compile(spec, { latency: 2 });
    expect([r.netlist.ports.nOut, r.manifest.output_width, r.manifest.output_signed]).toEqual([3, 8, true]);
    const xs = testVectors(2, spec.input, 2000, 3);
    const ys = xs.map((x) => referenceOf(spec)(x));
    expect(ys.every((y) => y[1]! >= 0n && y[1]! <= 63n && y[2] === 0n)).toBe(true);
    // some channel-1 value reaches each end, so the range is the format's
    expect(ys.some((y) => y[1] === 63n) && ys.some((y) => y[1] === 0n)).toBe(true);
    const sim = compileNetlist(r.netlist).run(withFlush(xs, 2, 2));
    expect(compareWithReference(referenceOf(spec), xs, sim, 2).mismatches).toEqual([]);
    const report = buildReport({ netlist: r.netlist, stats: r.stats, targets: [], tools: {}, manifest: r.manifest });
    expect([report.network!.layers[0]!.shift, report.network!.layers[0]!.output]).toEqual(['0..4 per channel', 'per channel 6..8-bit signed or unsigned, saturate_symmetric, 1 of 3 pruned']);
  });
});

const icarus = haveTool('iverilog', ['-V']);

describe.runIf(icarus)('format extensions: the emitted Verilog in Icarus', () => {
  it.each(['dense_mix', 'conv_chain', 'conv2d_pool', 'wide_even'].map((n) => [n, DESIGNS.find((d) => d.name === n)!] as const))('%s', async (_, d) => {
    const spec = specOf(d);
    const xs = vectorsOf(spec, 10, 400);
    for (const latency of [0, 2]) {
      const r = compiledAt(d, latency);
      const ys = await simulateInIcarus(r.verilog, r.netlist, withFlush(xs, r.netlist.ports.nIn, latency));
      expect(compareWithReference(referenceOf(spec), xs, ys, latency).mismatches, `L=${latency}`).toEqual([]);
    }
  });
});

const verilator = haveTool('verilator');

describe.runIf(verilator)('format extensions: verilator --lint-only -Wall', () => {
  it('every design at latencies 0 and 2 lints clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-fx-'));
    try {
      for (const d of DESIGNS) {
        for (const latency of [0, 2]) {
          const f = join(dir, `${d.name}.v`);
          writeFileSync(f, compiledAt(d, latency).verilog);
          const v = spawnSync('verilator', ['--lint-only', '-Wall', f], { encoding: 'utf8' });
          expect(`${v.stdout}${v.stderr}`, `${d.name} L=${latency}`).toBe('');
          expect(v.status).toBe(0);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('format extensions: `da-gen check` (Yosys reads the text, its JSON netlist simulated; and Icarus)', () => {
  it('dense_mix and wide_even pass at latency 1', async () => {
    for (const name of ['dense_mix', 'wide_even']) {
      const d = DESIGNS.find((x) => x.name === name)!;
      const spec = specOf(d);
      const r = compiledAt(d, 1);
      const c = await checkText(r, spec, { vectors: 300, seed: 5 });
      expect(c.yosys.mismatches, name).toEqual([]);
      expect(c.pass, name).toBe(true);
    }
  });
});
