import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateNetworkGraph } from '../../src/da/graph.js';
import type { NetworkGraph } from '../../src/da/graph.js';
import { optimize } from '../../src/da/cmvm.js';
import { adderCellsAtLeast, cellsSince, tableForm } from '../../src/da/lut-da.js';
import { NetworkBuilder } from '../../src/da/net-builder.js';
import type { Value } from '../../src/da/net-builder.js';
import { buildNetworkGraph } from '../../src/da/network.js';
import { compile } from '../../src/flows/compile.js';
import { simulateSpec } from '../../src/flows/verify.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { Spec } from '../../src/spec/spec.js';
import { Rng, testVectors } from '../../src/sim/vectors.js';
import { runMain } from '../helpers/cli.js';
import { icarusCheck } from '../helpers/icarus-check.js';
import { ranks, yosysRead } from '../helpers/netlist.js';
import { haveTool } from '../helpers/tools.js';
import { verilatorLint } from '../helpers/verilator.js';

/**
 * LUT-based distributed arithmetic (src/da/lut-da.ts): dense layers over narrow inputs as lookup
 * tables of input groups. Every design is checked against W·x computed here, directly, and the
 * netlist simulator against the spec's reference model.
 */

interface Input {
  width: number;
  signed: boolean;
  bipolar?: boolean;
}

/** A matrix design through the input-file parser (so bipolar inputs are as a user gives them). */
function matrixFile(name: string, input: Input, W: bigint[][]): Spec {
  const inp = input.bipolar ? { width: 1, bipolar: true } : { width: input.width, signed: input.signed };
  return parseSpec(JSON.stringify({ format: 1, name, input: inp, weights: W.map((r) => r.map(String)) }), `${name}.json`);
}

function randomMatrix(r: Rng, rows: number, cols: number, weightBits: number): bigint[][] {
  const half = 1n << BigInt(weightBits - 1);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r.below(4) === 0 ? 0n : r.bigBetween(-half, half - 1n))));
}

/** The real value of an input code: bipolar bit b is 2b − 1. */
const real = (input: Input, k: bigint): bigint => (input.bipolar ? 2n * k - 1n : k);

/** All input vectors when they are few, else `count` random ones. */
function vectorsFor(input: Input, cols: number, count: number, seed: number): bigint[][] {
  const w = input.bipolar ? 1 : input.width;
  if (w * cols <= 12) {
    const all: bigint[][] = [];
    const lo = input.signed && !input.bipolar ? -(1n << BigInt(w - 1)) : 0n;
    for (let code = 0; code < 2 ** (w * cols); code++) {
      all.push(Array.from({ length: cols }, (_, i) => lo + BigInt((code >> (i * w)) & ((1 << w) - 1))));
    }
    return all;
  }
  return testVectors(cols, input.bipolar ? { width: 1, signed: false } : input, count, seed);
}

/** The graph's outputs against W·x computed directly. */
function expectComputesWx(g: NetworkGraph, input: Input, W: bigint[][], vectors: bigint[][], what: string): void {
  for (const x of vectors) {
    const y = evaluateNetworkGraph(g, x);
    W.forEach((row, o) => {
      const want = row.reduce((s, w, i) => s + w * real(input, x[i]!), 0n);
      if (y[o] !== want) expect.fail(`${what}: output ${o} for x = [${x.join(', ')}] is ${y[o]}, W·x = ${want}`);
    });
  }
}

function tableNodes(g: NetworkGraph) {
  return g.nodes.filter((n) => n.op === 'table');
}

const INPUTS: Input[] = [
  { width: 1, signed: false, bipolar: true },
  { width: 1, signed: false },
  { width: 1, signed: true },
  { width: 2, signed: false },
  { width: 2, signed: true },
  { width: 3, signed: true },
  { width: 4, signed: false },
  { width: 4, signed: true },
];

describe('tables of every group size and field width up to K', () => {
  it('compute W·x exactly: inputs of 1 (bipolar, unsigned, signed) to 4 bits, signed and unsigned, K = 2 … 6, with and without slices', () => {
    const r = new Rng(2024);
    let designs = 0;
    let tables = 0;
    for (const input of INPUTS) {
      for (const K of [2, 3, 4, 5, 6]) {
        const cols = 1 + r.below(7);
        const rows = 1 + r.below(6);
        const W = randomMatrix(r, rows, cols, 2 + r.below(7));
        const spec = matrixFile('t', input, W);
        const { graph, layers } = buildNetworkGraph(spec, { arith: 'table', lutInputs: K });
        designs++;
        const ts = tableNodes(graph);
        tables += ts.length;
        // every table's address is a cat of at most K bits, and a table is one level above it
        for (const t of ts) {
          const a = graph.nodes[t.a - graph.nIn];
          expect(a?.op).toBe('cat');
          if (a?.op === 'cat') {
            expect(a.widths.reduce((s, w) => s + w, 0)).toBeLessThanOrEqual(K);
            expect(t.level).toBe(a.level + 1);
          }
        }
        if (ts.length > 0) expect(layers[0]!.strategy).toBe('table');
        expectComputesWx(graph, input, W, vectorsFor(input, cols, 300, designs), `${input.bipolar ? 'bipolar' : `${input.signed ? 's' : 'u'}${input.width}`} K=${K} ${rows}×${cols}`);
      }
    }
    expect(designs).toBe(40);
    expect(tables).toBeGreaterThan(30);
  });

  it('a group whose weights are equal, multiples or negations of another row\'s shares its table', () => {
    // four 1-bit (bipolar) inputs, one group; rows: w, 2w, −w, −4w, 3w, and a different pattern
    const w = [3n, -1n, 2n, 5n];
    const W = [w, w.map((x) => 2n * x), w.map((x) => -x), w.map((x) => -4n * x), w.map((x) => 3n * x), [1n, 1n, 1n, 1n]];
    const input = { width: 1, signed: false, bipolar: true };
    const { graph } = buildNetworkGraph(matrixFile('share', input, W), { arith: 'table', lutInputs: 4 });
    expect(tableNodes(graph)).toHaveLength(2);
    expect(graph.nodes.filter((n) => n.op === 'cat')).toHaveLength(1);
    expectComputesWx(graph, input, W, vectorsFor(input, 4, 0, 0), 'shared tables');
  });

  it('auto keeps shift-add where tables cost more, and inputs of 8 bits give byte-identical output', () => {
    const r = new Rng(7);
    const W = randomMatrix(r, 8, 8, 8);
    const wide = matrixFile('wide', { width: 8, signed: true }, W);
    const a = compile(wide, { arith: 'auto' });
    const s = compile(wide, { arith: 'shift-add' });
    expect(a.verilog).toBe(s.verilog);
    expect(a.manifestText).toBe(s.manifestText);
    // 2-bit weights over 2-bit inputs: tables save nothing, and auto says what it weighed
    const logs: string[] = [];
    const narrow = matrixFile('narrow', { width: 2, signed: true }, randomMatrix(r, 16, 16, 2));
    const built = buildNetworkGraph(narrow, { arith: 'auto', log: (l) => logs.push(l) });
    const tried = built.layers[0]!.tried;
    expect(tried[0]!.strategy).toBe('shift-add');
    expect(tried.length).toBeGreaterThan(1);
    const cheapest = Math.min(...tried.map((t) => t.cells!));
    expect(tried.find((t) => t.strategy.startsWith(built.layers[0]!.strategy === 'table' ? 'table' : 'shift-add'))!.cells).toBe(cheapest);
    expect(logs.join('\n')).toMatch(/layer 0: shift-add \d+ adders \(\d+ cells\), table/);
  });

  it('auto takes tables for bipolar inputs with 8-bit weights, and they cost fewer cells', () => {
    const r = new Rng(8);
    const input = { width: 1, signed: false, bipolar: true };
    const W = randomMatrix(r, 16, 16, 8);
    const built = buildNetworkGraph(matrixFile('bnn', input, W), { arith: 'auto' });
    expect(built.layers[0]!.strategy).toBe('table');
    const [sa, ...tables] = built.layers[0]!.tried;
    expect(Math.min(...tables.map((t) => t.cells!))).toBeLessThan(0.8 * sa!.cells!);
    expectComputesWx(built.graph, input, W, vectorsFor(input, 16, 500, 3), 'bnn');
  });
});

describe('a wide input times few constants: tables of K-bit slices (KCM)', () => {
  it('are weighed and kept for an 8-bit input times one and two 16-bit constants, and compute W·x on every input', async () => {
    const input = { width: 8, signed: true };
    const all = Array.from({ length: 256 }, (_, k) => [BigInt(k - 128)]);
    for (const W of [[[27307n]], [[27307n], [-23405n]]]) {
      const spec = matrixFile('kcm', input, W);
      const built = buildNetworkGraph(spec, { arith: 'auto' });
      const layer = built.layers[0]!;
      const kcm = layer.tried.find((t) => t.strategy.startsWith('table (4-bit slices)'));
      expect(kcm, JSON.stringify(layer.tried)).toBeDefined();
      expect(layer.strategy).toBe('table');
      // two slices of the input, each times the weight's odd part: one table per slice and odd part
      const ts = tableNodes(built.graph);
      expect(ts).toHaveLength(2 * new Set(W.map((r) => r[0]! / (r[0]! & -r[0]!) * (r[0]! < 0n ? -1n : 1n))).size);
      for (const t of ts) {
        const a = built.graph.nodes[t.a - built.graph.nIn];
        if (a?.op === 'cat') expect(a.widths).toEqual([4]);
        else expect(t.a).toBeLessThan(built.graph.nIn + built.graph.nodes.length);
      }
      expectComputesWx(built.graph, input, W, all, `kcm ${W.length}×1`);
      // the Verilog, every input, in Icarus
      if (haveTool('iverilog', ['-V'])) {
        const c = await icarusCheck(compile(spec, { arith: 'auto', latency: 1 }), (x: readonly bigint[]) => W.map((row) => row[0]! * x[0]!), all);
        expect(c.mismatches).toEqual([]);
      } else console.log('SKIPPED: the Icarus part of this test (iverilog is not installed)');
    }
  });

  it('are not weighed when each wide input has many distinct constants (the shift-add graph shares their multiples)', () => {
    const r = new Rng(12);
    const W = randomMatrix(r, 6, 1, 16).map((row) => [row[0]! === 0n ? 3n : row[0]! | 1n]);
    const built = buildNetworkGraph(matrixFile('mcm', { width: 8, signed: true }, W), { arith: 'auto' });
    expect(built.layers[0]!.tried.some((t) => t.strategy.startsWith('table (4-bit slices)'))).toBe(false);
    expect(built.layers[0]!.tried.some((t) => t.strategy.startsWith('table (2-bit slices)'))).toBe(true);
  });
});

describe('through the netlist and the Verilog', () => {
  it('the netlist simulator equals the reference model at latencies 0 … 3, every path with L ranks', () => {
    const r = new Rng(31);
    for (const [k, input] of INPUTS.entries()) {
      const latency = k % 4;
      const spec = matrixFile(`n${k}`, input, randomMatrix(r, 6 + r.below(6), 6 + r.below(6), 3 + r.below(6)));
      const res = simulateSpec(spec, { arith: 'table', lutInputs: 4, latency, vectors: 400, seed: k });
      expect(res.compare.mismatches, `${spec.name}`).toEqual([]);
      expect(res.compile.netlist.signals.some((s) => s.kind === 'table')).toBe(true);
      const rk = ranks(res.compile.netlist);
      for (const o of res.compile.netlist.outputs) if (o.signal >= 0) expect(rk[o.signal]).toBe(latency);
    }
  });

  it('a network: a sign layer (bipolar values) into a dense layer built from tables, against the reference model', () => {
    const r = new Rng(5);
    const W1 = randomMatrix(r, 8, 6, 4).map((row) => row.map(String));
    const W2 = randomMatrix(r, 5, 8, 8).map((row) => row.map(String));
    const spec = parseSpec(
      JSON.stringify({ format: 1, name: 'bnn2', input: { width: 4, signed: true }, layers: [{ weights: W1, bias: W1.map(() => 1), activation: 'sign' }, { weights: W2 }] }),
      'bnn2.json',
    );
    const res = simulateSpec(spec, { arith: 'table', latency: 2, vectors: 1000, seed: 3 });
    expect(res.compare.mismatches).toEqual([]);
    expect(res.compile.manifest.layers![1]!.strategy).toBe("table");
  });

  it('the same design twice gives the same text; Yosys reads it; verilator -Wall is clean; Icarus equals W·x', async () => {
    const r = new Rng(77);
    const cases: [Input, number][] = [
      [{ width: 1, signed: false, bipolar: true }, 1],
      [{ width: 1, signed: true }, 0],
      [{ width: 2, signed: true }, 2],
      [{ width: 4, signed: false }, 3],
    ];
    for (const [input, latency] of cases) {
      const W = randomMatrix(r, 8, 8, 6);
      const spec = matrixFile(`v${latency}`, input, W);
      const a = compile(spec, { arith: 'table', latency });
      expect(compile(spec, { arith: 'table', latency }).verilog).toBe(a.verilog);
      expect(a.verilog).toMatch(/concatenation/);
      const y = await yosysRead(a.verilog, a.netlist.module);
      expect(y.ok, y.log).toBe(true);
      const lint = verilatorLint(a.verilog, a.netlist.module);
      if (lint !== null) expect(lint.ok, lint.log).toBe(true);
      if (haveTool('iverilog', ['-V'])) {
        const ref = W.map((row) => row.map((w) => (input.bipolar ? 2n * w : w)));
        const off = W.map((row) => (input.bipolar ? -row.reduce((s, w) => s + w, 0n) : 0n));
        const vectors = vectorsFor(input, 8, 200, latency);
        const c = await icarusCheck(a, (x: readonly bigint[]) => ref.map((row, o) => row.reduce((s, w, i) => s + w * x[i]!, off[o]!)), vectors);
        expect(c.mismatches, spec.name).toEqual([]);
      } else console.log('SKIPPED: the Icarus part of this test (iverilog is not installed)');
    }
  });
});

describe('the command: --arith and --lut-inputs', () => {
  it('say which form each layer got (--verbose), and refuse values out of range (exit 2, no file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-lut-cli-'));
    try {
      const r = new Rng(12);
      const file = join(dir, 'in.json');
      writeFileSync(file, JSON.stringify({ format: 1, name: 'bnn', input: { width: 1, bipolar: true }, weights: randomMatrix(r, 8, 8, 8).map((row) => row.map(String)) }));
      const ok = await runMain([file, '-o', join(dir, 'bnn.v'), '--arith', 'auto', '--lut-inputs', '4', '--verbose']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/layer 0: shift-add \d+ adders \(\d+ cells\), table: \d+ tables over \d+ groups \d+ adders \(\d+ cells\).*: kept table/);
      expect(readFileSync(join(dir, 'bnn.v'), 'utf8')).toMatch(/lookup table/);
      for (const [args, msg] of [
        [['--lut-inputs', '1'], /--lut-inputs/],
        [['--lut-inputs', '9'], /--lut-inputs/],
        [['--arith', 'lut'], /--arith/],
      ] as const) {
        const bad = await runMain([file, '-o', join(dir, 'bad.v'), ...args]);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(msg);
        expect(existsSync(join(dir, 'bad.v'))).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the lower bound that lets auto skip a form (adderCellsAtLeast)', () => {
  it('never exceeds the cells of the CMVM it bounds: shift-add and table forms, 60 random matrices', () => {
    const r = new Rng(97);
    let tight = 0;
    for (let k = 0; k < 60; k++) {
      const input = [
        { width: 1, signed: false },
        { width: 2, signed: true },
        { width: 3, signed: false },
        { width: 4, signed: true },
        { width: 8, signed: true },
      ][k % 5]!;
      const rows = 1 + r.below(12);
      const cols = 1 + r.below(12);
      const W = randomMatrix(r, rows, cols, 2 + r.below(7));
      const b = new NetworkBuilder(cols, input);
      const inputs = Array.from({ length: cols }, (_, i) => i);
      // the plain matrix, then its table form (slices of 1 bit and whole columns)
      const forms: { M: bigint[][]; vars: number[] }[] = [{ M: W, vars: inputs }];
      for (const slice of [null, 1]) {
        const tf = tableForm(b, W, inputs, 4, slice);
        if (tf !== null) forms.push({ M: tf.M, vars: tf.cols });
      }
      for (const { M, vars } of forms) {
        const live = vars.map((_, c) => M.some((row) => row[c] !== 0n));
        const used = vars.filter((_, c) => live[c]);
        const Mu = M.map((row) => row.filter((_, c) => live[c]));
        if (used.length === 0) continue;
        const signed = used.some((v) => b.range(v).lo < 0n);
        const width = Math.max(2, ...used.map((v) => { const q = b.range(v); return Math.max(q.hi.toString(2).length, (q.lo < 0n ? (-q.lo).toString(2).length : 0)) + (signed ? 1 : 0); }));
        const start = b.mark();
        b.applyGraph(optimize(Mu, { width, signed }, { effort: 1 }).graph, used.map((v): Value => ({ v, shift: 0, c: 0n })));
        const bound = adderCellsAtLeast(b, used, Mu.filter((row) => row.some((x) => x !== 0n)).length);
        const actual = { adders: b.addersSince(start), cells: cellsSince(b, start) };
        expect(bound.adders, `case ${k}: adders`).toBeLessThanOrEqual(actual.adders);
        expect(bound.cells, `case ${k}: cells`).toBeLessThanOrEqual(actual.cells);
        if (bound.adders === actual.adders) tight++;
        b.rollback(start);
      }
    }
    // it is a bound that bites: on some matrices it is the CMVM's count exactly
    expect(tight).toBeGreaterThan(0);
  });
});
