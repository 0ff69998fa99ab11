import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catValue, evaluateNetworkGraph } from '../../src/da/graph.js';
import type { NetworkGraph } from '../../src/da/graph.js';
import { simulateInIcarus } from '../../src/flows/verify.js';
import { readVerilogToJson } from '../../src/platform/yosys.js';
import { lowerNetlist } from '../../src/rtl/lower.js';
import type { LoweredNetlist } from '../../src/rtl/lower.js';
import { buildNetlist, isAdder, isStep, signalOperands } from '../../src/rtl/netlist.js';
import type { CatSignal, Netlist, NetSignal } from '../../src/rtl/netlist.js';
import { emitVerilog } from '../../src/rtl/verilog/core.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import { compileNetlist } from '../../src/sim/netlist-sim.js';
import { Rng } from '../../src/sim/vectors.js';
import { compileYosysJson } from '../../src/sim/yosys-json-sim.js';
import { expectDeclaredOnce, ranks, stripComments, yosysRead } from '../helpers/netlist.js';
import { haveTool } from '../helpers/tools.js';
import { GraphBuilder, tableOf } from './graph-builder.js';
import type { HandNode } from './graph-builder.js';

// The cat node (the bits of narrow values side by side, the address of a lookup table: LUT-based
// distributed arithmetic) through everything downstream of the graph: the netlist and its
// register placement, the simulator (number and BigInt modes), the lowering and the printed
// Verilog, as Icarus, Verilator and Yosys read it. Every graph is written by hand; the tables
// hold Σ w_j·field_j over every address, each field decoded here by division (not by catValue),
// so the designs' DA outputs are also checked against W·x computed directly.

const LATENCIES = [0, 1, 2, 3];

interface Case {
  name: string;
  graph: NetworkGraph;
  vectors: bigint[][];
  /** Outputs that are a weighted sum of the inputs, computed directly from x: [output, value]. */
  direct: (x: readonly bigint[]) => [number, bigint][];
}

/** The fields of cat node c: each part's width, and whether its variable is signed. */
function fieldsOf(g: GraphBuilder, c: number): { width: number; signed: boolean }[] {
  const n = g.nodes[c - g.nIn]!;
  if (n.op !== 'cat') throw new Error(`variable ${c} is not a cat`);
  return n.args.map((v, j) => ({ width: n.widths[j]!, signed: g.range(v).lo < 0n }));
}

/** The field values of address p, lowest first, each sign-extended when its variable is signed (by division, not by bit operations). */
function decode(p: bigint, fields: readonly { width: number; signed: boolean }[]): bigint[] {
  let rest = p;
  return fields.map((f) => {
    const m = 2n ** BigInt(f.width);
    let v = rest % m;
    rest = rest / m;
    if (f.signed && v >= m / 2n) v -= m;
    return v;
  });
}

/** A table over every address of cat c: bias + Σ_j weights[j]·field_j. */
function daTable(g: GraphBuilder, c: number, weights: readonly bigint[], bias = 0n): HandNode {
  const fields = fieldsOf(g, c);
  const total = fields.reduce((t, f) => t + f.width, 0);
  return tableOf(c, 0n, 2n ** BigInt(total) - 1n, (p) => decode(p, fields).reduce((t, v, j) => t + weights[j]! * v, bias));
}

const dot = (w: readonly bigint[], x: readonly bigint[]): bigint => w.reduce((t, wi, i) => t + wi * x[i]!, 0n);
const add = (a: number, b: number, shiftB = 0): HandNode => ({ op: 'add', a, shiftA: 0, b, shiftB });

/** 1-bit unsigned inputs: two groups of three, two outputs W·x; a zero-extended field; a cat of a table's output (level 1) read by a table at level 2. */
function unsigned1(): Case {
  const g = new GraphBuilder(6, { width: 1, signed: false });
  const W = [
    [3n, -5n, 7n, 2n, 0n, -1n],
    [-4n, 6n, 1n, 5n, -3n, 2n],
  ];
  const c0 = g.add({ op: 'cat', args: [0, 1, 2], widths: [1, 1, 1] });
  const c1 = g.add({ op: 'cat', args: [3, 4, 5], widths: [1, 1, 1] });
  const t: number[] = [];
  const y = W.map((w) => {
    const t0 = g.add(daTable(g, c0, w.slice(0, 3)));
    const t1 = g.add(daTable(g, c1, w.slice(3)));
    t.push(t0, t1);
    return g.add(add(t0, t1));
  });
  const z = g.add({ op: 'cat', args: [0, 3], widths: [2, 1] }); // x0 zero-extended to 2 bits
  // the low 3 bits of t[0] (−5 … 10, 5 bits signed) above x5
  const c3 = g.add({ op: 'cat', args: [5, t[0]!], widths: [1, 3] });
  const t3 = g.add(daTable(g, c3, [2n, -3n]));
  return {
    name: 'cat_u1',
    graph: g.graph([y[0]!, y[1]!, z, t3, { v: y[0]!, shift: 2 }]),
    vectors: g.vectors,
    direct: (x) => [
      [0, dot(W[0]!, x)],
      [1, dot(W[1]!, x)],
      [2, x[0]! + 4n * x[3]!],
      [4, 4n * dot(W[0]!, x)],
    ],
  };
}

/** 2-bit signed inputs: groups of three and two, a difference of tables; sign-extended and cut fields; a cat of a ReLU (level 1); a table's output added to a sum of tables. */
function signed2(): Case {
  const g = new GraphBuilder(5, { width: 2, signed: true });
  const W = [
    [1n, -2n, 3n, -1n, 2n],
    [2n, 1n, 0n, -3n, 1n],
  ];
  const c0 = g.add({ op: 'cat', args: [0, 1, 2], widths: [2, 2, 2] });
  const c1 = g.add({ op: 'cat', args: [3, 4], widths: [2, 2] });
  const y0 = g.add(add(g.add(daTable(g, c0, W[0]!.slice(0, 3))), g.add(daTable(g, c1, W[0]!.slice(3)))));
  // y1 = t10 − t11, t11 the negated weights
  const t10 = g.add(daTable(g, c0, W[1]!.slice(0, 3)));
  const t11 = g.add(daTable(g, c1, W[1]!.slice(3).map((w) => -w)));
  const y1 = g.add({ op: 'sub', a: t10, shiftA: 0, b: t11, shiftB: 0 });
  const r = g.add({ op: 'relu', a: 4 }); // 0 … 1: 1 bit
  const c2 = g.add({ op: 'cat', args: [r, 0], widths: [1, 2] });
  const t2 = g.add(daTable(g, c2, [5n, -1n]));
  const y2 = g.add(add(t2, y0, 1));
  const s = g.add({ op: 'shr', a: 1, shift: 1 }); // −1 … 0: 1 bit signed
  const cs = g.add({ op: 'cat', args: [s, 2], widths: [2, 2] }); // s sign-extended to 2 bits
  const ts = g.add(daTable(g, cs, [3n, 1n]));
  const a = g.add({ op: 'add', a: 0, shiftA: 0, b: 1, shiftB: 0 }); // −4 … 2: 3 bits signed
  const ca = g.add({ op: 'cat', args: [a, 3], widths: [2, 2] }); // a cut to its low 2 bits
  const ta = g.add(daTable(g, ca, [1n, 4n], -3n));
  return {
    name: 'cat_s2',
    graph: g.graph([y0, y1, t2, y2, cs, ts, ta]),
    vectors: g.vectors,
    direct: (x) => {
      const y0v = dot(W[0]!, x);
      const t2v = 5n * (x[4]! > 0n ? x[4]! : 0n) - x[0]!;
      const sv = x[1]! >> 1n;
      const av = BigInt.asIntN(2, x[0]! + x[1]!);
      return [
        [0, y0v],
        [1, dot(W[1]!, x)],
        [2, t2v],
        [3, t2v + 2n * y0v],
        [4, (sv < 0n ? sv + 4n : sv) + 4n * (x[2]! < 0n ? x[2]! + 4n : x[2]!)],
        [5, 3n * sv + x[2]!],
        [6, av + 4n * x[3]! - 3n],
      ];
    },
  };
}

/** 4-bit unsigned inputs: a 4-bit input beside a 2-bit shifted one; a table of range 0 … 2 in a 2-bit field; a cat of a cat as an output. */
function unsigned4(): Case {
  const g = new GraphBuilder(3, { width: 4, signed: false });
  const q = g.add({ op: 'shr', a: 1, shift: 2 }); // 0 … 3
  const c0 = g.add({ op: 'cat', args: [0, q], widths: [4, 2] });
  const t0 = g.add(daTable(g, c0, [3n, -5n]));
  const m = g.add(tableOf(q, 0n, 3n, (v) => (v > 2n ? 2n : v))); // 0 … 2, level 1
  const c1 = g.add({ op: 'cat', args: [m, 2], widths: [2, 4] });
  const t1 = g.add(daTable(g, c1, [7n, 1n]));
  const y = g.add(add(t0, t1));
  const cc = g.add({ op: 'cat', args: [c0, 2], widths: [6, 4] }); // 10 bits, an output
  return {
    name: 'cat_u4',
    graph: g.graph([y, cc, t1, c1]),
    vectors: g.vectors,
    direct: (x) => {
      const qv = x[1]! / 4n;
      const mv = qv > 2n ? 2n : qv;
      return [
        [0, 3n * x[0]! - 5n * qv + 7n * mv + x[2]!],
        [1, x[0]! + 16n * qv + 64n * x[2]!],
        [2, 7n * mv + x[2]!],
        [3, mv + 4n * x[2]!],
      ];
    },
  };
}

/** 4-bit signed inputs: a 1-bit signed field (a sign) beside a 4-bit one; a cat of a ReLU and the sign; a cat of one part. */
function signed4(): Case {
  const g = new GraphBuilder(3, { width: 4, signed: true });
  const b = g.add({ op: 'shr', a: 1, shift: 3 }); // −1 … 0
  const c0 = g.add({ op: 'cat', args: [b, 0], widths: [1, 4] });
  const t0 = g.add(daTable(g, c0, [-2n, 3n]));
  const r = g.add({ op: 'relu', a: 2 }); // 0 … 7
  const c1 = g.add({ op: 'cat', args: [r, b], widths: [3, 1] });
  const t1 = g.add(daTable(g, c1, [1n, 4n]));
  const c2 = g.add({ op: 'cat', args: [0], widths: [4] });
  const t2 = g.add(daTable(g, c2, [-1n]));
  const y = g.add(add(t0, t1));
  const y2 = g.add(add(t2, y, 1));
  return {
    name: 'cat_s4',
    graph: g.graph([y, y2, c1, t2]),
    vectors: g.vectors,
    direct: (x) => {
      const bv = x[1]! < 0n ? -1n : 0n;
      const rv = x[2]! > 0n ? x[2]! : 0n;
      const yv = 3n * x[0]! - 2n * bv + rv + 4n * bv;
      return [
        [0, yv],
        [1, -x[0]! + 2n * yv],
        [2, rv + (bv < 0n ? 8n : 0n)],
        [3, -x[0]!],
      ];
    },
  };
}

/** 1-bit signed inputs (−1, 0): a group of four; a sign-extended field. */
function signed1(): Case {
  const g = new GraphBuilder(4, { width: 1, signed: true });
  const W = [1n, 2n, -3n, 5n];
  const c0 = g.add({ op: 'cat', args: [0, 1, 2, 3], widths: [1, 1, 1, 1] });
  const t = g.add(daTable(g, c0, W));
  const z = g.add({ op: 'cat', args: [0, 1], widths: [2, 1] });
  const t2 = g.add(daTable(g, z, [3n, 1n]));
  const y = g.add(add(t, t2));
  return {
    name: 'cat_s1',
    graph: g.graph([t, z, y]),
    vectors: g.vectors,
    direct: (x) => [
      [0, dot(W, x)],
      [1, -x[0]! * 3n - 4n * x[1]!],
      [2, dot(W, x) + 3n * x[0]! + x[1]!],
    ],
  };
}

/** 2-bit signed inputs, 12 of them (too many for every vector: the extremes and random ones): four groups of three, three outputs W·x as trees of table sums. */
function randomDa(): Case {
  const nIn = 12;
  const g = new GraphBuilder(nIn, { width: 2, signed: true }, 5);
  const rng = new Rng(7);
  const W = Array.from({ length: 3 }, () => Array.from({ length: nIn }, () => BigInt(rng.below(31) - 15)));
  const cats = [0, 1, 2, 3].map((k) => g.add({ op: 'cat', args: [3 * k, 3 * k + 1, 3 * k + 2], widths: [2, 2, 2] }));
  const ys = W.map((w) => {
    const t = cats.map((c, k) => g.add(daTable(g, c, w.slice(3 * k, 3 * k + 3))));
    return g.add(add(g.add(add(t[0]!, t[1]!)), g.add(add(t[2]!, t[3]!))));
  });
  return { name: 'cat_rnd', graph: g.graph(ys), vectors: g.vectors, direct: (x) => W.map((w, o) => [o, dot(w, x)]) };
}

/** 32-bit signed inputs (beyond 2^52: the simulator's BigInt mode): a 64-bit cat of both, one that cuts them, and a table of wide entries over two sign fields. */
function wide(): Case {
  const g = new GraphBuilder(2, { width: 32, signed: true }, 3);
  const q0 = g.add({ op: 'shr', a: 0, shift: 29 }); // −4 … 3
  const q1 = g.add({ op: 'shr', a: 1, shift: 30 }); // −2 … 1
  const c = g.add({ op: 'cat', args: [q0, q1], widths: [3, 2] });
  const t = g.add(daTable(g, c, [1n << 40n, -(1n << 45n)], 1n));
  const y = g.add({ op: 'add', a: t, shiftA: 0, b: 0, shiftB: 20 });
  const both = g.add({ op: 'cat', args: [0, 1], widths: [32, 32] });
  const cut = g.add({ op: 'cat', args: [1, 0, q1], widths: [20, 32, 3] });
  const u = (v: bigint, w: number): bigint => ((v % 2n ** BigInt(w)) + 2n ** BigInt(w)) % 2n ** BigInt(w);
  const floorDiv = (v: bigint, d: bigint): bigint => (v >= 0n ? v / d : -((-v + d - 1n) / d));
  return {
    name: 'cat_wide',
    graph: g.graph([y, both, cut]),
    vectors: g.vectors,
    direct: (x) => {
      const v0 = floorDiv(x[0]!, 2n ** 29n);
      const v1 = floorDiv(x[1]!, 2n ** 30n);
      return [
        [0, (v0 << 40n) - (v1 << 45n) + 1n + x[0]! * 2n ** 20n],
        [1, u(x[0]!, 32) + 2n ** 32n * u(x[1]!, 32)],
        [2, u(x[1]!, 20) + 2n ** 20n * u(x[0]!, 32) + 2n ** 52n * u(v1, 3)],
      ];
    },
  };
}

const CASES: Case[] = [unsigned1(), signed2(), unsigned4(), signed4(), signed1(), randomDa()];
/** The cases that the printed Verilog is run and linted for: the wide one too. */
const PRINTED: Case[] = [...CASES, wide()];

function build(c: Case, latency: number): { n: LoweredNetlist; verilog: string } {
  const n = lowerNetlist(buildNetlist(c.graph, c.name, latency));
  return { n, verilog: emitVerilog(n, { title: `cat (${c.name})`, exact: false }) };
}

const reference = (g: NetworkGraph) => (x: readonly bigint[]) => evaluateNetworkGraph(g, x);

/** Each direct output of the case equals output o of ys (sampled L cycles later). */
function directMismatches(c: Case, ys: readonly (readonly bigint[] | null)[], L: number): string[] {
  const bad: string[] = [];
  c.vectors.forEach((x, t) => {
    for (const [o, v] of c.direct(x)) {
      const got = ys[t + L]?.[o];
      if (got !== v && bad.length < 5) bad.push(`x=[${x.join(', ')}] y${o}: ${got} ≠ ${v}`);
    }
  });
  return bad;
}

describe('catValue', () => {
  it('puts the parts side by side, the first lowest, each its two’s complement low bits', () => {
    // −1 in 2 bits = 11, 1 in 1 bit = 1, 5 in 4 bits = 0101
    expect(catValue([-1n, 1n, 5n], [2, 1, 4])).toBe(0b0101_1_11n);
    // cut: 13 mod 4 = 01, −2 mod 8 = 110
    expect(catValue([13n, -2n], [2, 3])).toBe(0b110_01n);
    // extended: 1 in 3 bits = 001, −1 in 3 bits = 111
    expect(catValue([1n, -1n], [3, 3])).toBe(0b111_001n);
    expect(catValue([0n, 0n, 1n], [1, 1, 1])).toBe(0b100n);
    expect(catValue([-8n], [4])).toBe(8n);
  });

  it('is what evaluateNetworkGraph computes for a cat node', () => {
    const g: NetworkGraph = {
      nIn: 3,
      input: { width: 4, signed: true },
      nodes: [{ op: 'cat', args: [0, 1, 2], widths: [2, 1, 4], level: 0, lo: 0n, hi: 127n }],
      outputs: [{ v: 3, shift: 0, lo: 0n, hi: 127n }],
    };
    expect(evaluateNetworkGraph(g, [-1n, 1n, 5n])).toEqual([0b0101_1_11n]);
    expect(evaluateNetworkGraph(g, [6n, -2n, -3n])).toEqual([0b1101_0_10n]);
  });

  it('the hand-built designs compute W·x (their tables over every address of their cats)', () => {
    for (const c of CASES) {
      for (const x of c.vectors) {
        const y = evaluateNetworkGraph(c.graph, x);
        for (const [o, v] of c.direct(x)) expect(y[o], `${c.name} x=[${x.join(', ')}] y${o}`).toBe(v);
      }
    }
  });
});

describe('netlist: cat signals', () => {
  it('are Σ widths bits, unsigned, neither adders nor steps, read their args, and every path has exactly L register ranks', () => {
    for (const c of CASES) {
      for (const L of LATENCIES) {
        const n = buildNetlist(c.graph, c.name, L);
        const cats = n.signals.filter((s): s is CatSignal => s.kind === 'cat');
        const inGraph = c.graph.nodes.filter((x) => x.op === 'cat').length;
        expect(cats, `${c.name} L=${L}`).toHaveLength(inGraph);
        n.signals.forEach((s, i) => {
          for (const o of signalOperands(s)) expect(o >= 0 && o < i).toBe(true);
          if (s.kind !== 'cat') return;
          expect(s.width).toBe(s.widths.reduce((t, w) => t + w, 0));
          expect(s.signed).toBe(false);
          expect(isAdder(s) || isStep(s)).toBe(false);
          expect(signalOperands(s)).toEqual(s.args);
        });
        const r = ranks(n);
        for (const o of n.outputs) if (o.signal >= 0) expect(r[o.signal], `${c.name} L=${L}`).toBe(L);
        // a cat costs no adder and no register of its own beyond what holds its bits
        expect(n.adders).toBe(n.signals.filter(isAdder).length);
        expect(n.registerBits).toBe(n.signals.filter((s) => s.kind === 'reg').reduce((t, s) => t + s.width, 0));
        // a table addressed by a cat reads it in its own stage, never through a register
        for (const s of n.signals) {
          if (s.kind !== 'table') continue;
          const a = n.signals[s.a]!;
          if (a.kind === 'reg') expect(rootOf(n, s.a).kind, `${c.name} L=${L} ${s.name}`).not.toBe('cat');
          if (a.kind === 'cat') expect(a.stage).toBe(s.stage);
        }
      }
    }
  });

  it('takes no level: a cat of inputs is at level 0, a cat of a table output at the table’s level, the table after it one more', () => {
    const c = unsigned1();
    const cats = c.graph.nodes.filter((x) => x.op === 'cat');
    expect(cats.map((x) => x.level)).toEqual([0, 0, 0, 1]);
    const n = buildNetlist(c.graph, c.name, 2);
    expect(n.adderDepth).toBe(2);
    const t3 = n.signals.find((s) => s.kind === 'table' && n.signals[s.a]!.kind === 'cat' && n.signals[s.a]!.level === 1)!;
    expect(t3.level).toBe(2);
  });

  it('sits in the stage of the table that reads it, its operands registered when a rank falls between them', () => {
    // cuts [1, 1, 2] at L = 3: the cat of the level-1 table output and x5 is read by a table at
    // level 2 (stage 3); it is placed in stage 3, and x5 and the table output are registered
    // at ranks 1 and 2 (not the concatenation)
    const c = unsigned1();
    for (const L of [2, 3]) {
      const n = buildNetlist(c.graph, c.name, L);
      const cat = n.signals.find((s): s is CatSignal => s.kind === 'cat' && s.level === 1)!;
      expect(cat.stage, `L=${L}`).toBe(L);
      for (const a of cat.args) expect(n.signals[a]!.kind, `L=${L}`).toBe('reg');
      expect(n.signals.some((s) => s.kind === 'reg' && n.signals[s.a]!.kind === 'cat' && n.signals[s.a] === cat)).toBe(false);
    }
    // a cat that only an output reads (z, level 0) is in the last stage, registered once
    for (const L of [1, 2, 3]) {
      const n = buildNetlist(c.graph, c.name, L);
      const z = n.signals[n.outputs[2]!.signal]!;
      expect(z.kind).toBe('reg');
      const cat = n.signals[(z as Extract<NetSignal, { kind: 'reg' }>).a]!;
      expect([cat.kind, cat.stage]).toEqual(['cat', L]);
    }
    // read by an output and by a table (u4's c1 at L = 3: level 1, its table in stage 2): the table's stage
    const u4 = buildNetlist(unsigned4().graph, 'u4', 3);
    expect(u4.cuts).toEqual([1, 2, 3]);
    const c1 = u4.signals.find((s): s is CatSignal => s.kind === 'cat' && s.level === 1)!;
    expect(c1.stage).toBe(2);
  });

  it('rejects a malformed cat node', () => {
    const g = new GraphBuilder(2, { width: 2, signed: false });
    const c = g.add({ op: 'cat', args: [0, 1], widths: [2, 2] });
    const graph = g.graph([c]);
    const bad = (f: Partial<{ args: number[]; widths: number[] }>): NetworkGraph => ({ ...graph, nodes: graph.nodes.map((x) => ({ ...x, ...f })) as NetworkGraph['nodes'] });
    expect(() => buildNetlist(bad({ widths: [2] }), 'm', 1)).toThrow(/cat/);
    expect(() => buildNetlist(bad({ widths: [2, 0] }), 'm', 1)).toThrow(/cat/);
    expect(() => buildNetlist(bad({ args: [], widths: [] }), 'm', 1)).toThrow(/cat/);
  });
});

/** The signal a chain of registers starts from. */
function rootOf(n: Netlist, i: number): NetSignal {
  let s = n.signals[i]!;
  while (s.kind === 'reg') s = n.signals[s.a]!;
  return s;
}

describe('netlist simulator: cat', () => {
  for (const c of CASES) {
    it(`${c.name}: equals evaluateNetworkGraph and W·x on ${c.vectors.length} vectors at latencies 0..3`, () => {
      for (const L of LATENCIES) {
        const n = buildNetlist(c.graph, c.name, L);
        const sim = compileNetlist(n);
        expect(sim.mode).toBe('number');
        const ys = sim.run(withFlush(c.vectors, n.ports.nIn, L));
        expect(compareWithReference(reference(c.graph), c.vectors, ys, L).mismatches, `L=${L}`).toEqual([]);
        expect(directMismatches(c, ys, L), `L=${L}`).toEqual([]);
      }
    });
  }

  it('is exhaustive for the small designs: every input vector', () => {
    for (const c of CASES.slice(0, 5)) {
      const { width } = c.graph.input;
      expect(c.vectors.length, c.name).toBe(2 ** (width * c.graph.nIn));
    }
  });

  it('is exact beyond 2^52 (BigInt mode): a 64-bit cat of two 32-bit inputs and a table of wide entries', () => {
    const c = wide();
    for (const L of LATENCIES) {
      const n = buildNetlist(c.graph, c.name, L);
      const sim = compileNetlist(n);
      expect(sim.mode).toBe('bigint');
      const ys = sim.run(withFlush(c.vectors, 2, L));
      expect(compareWithReference(reference(c.graph), c.vectors, ys, L).mismatches).toEqual([]);
      expect(directMismatches(c, ys, L)).toEqual([]);
    }
  });

  it('catches a cat whose parts are swapped or whose widths are wrong', () => {
    const c = signed2();
    const base = buildNetlist(c.graph, c.name, 1);
    const run = (n: Netlist): boolean => compareWithReference(reference(c.graph), c.vectors, compileNetlist(n).run(withFlush(c.vectors, n.ports.nIn, 1)), 1).pass;
    expect(run(base)).toBe(true);
    const changed = (f: (s: CatSignal) => CatSignal): Netlist => ({ ...base, signals: base.signals.map((s) => (s.kind === 'cat' ? f(s) : s)) });
    expect(run(changed((s) => ({ ...s, args: [...s.args].reverse() })))).toBe(false);
    expect(run(changed((s) => ({ ...s, widths: [...s.widths].reverse() })))).toBe(false);
  });
});

describe('lowering: a cat', () => {
  it('is never chained or complemented, and what it reads is never held complemented for it', () => {
    for (const c of CASES) {
      const n = build(c, 1).n;
      n.signals.forEach((s, idx) => {
        if (s.kind !== 'cat') return;
        expect(n.forms.chained[idx]).toBe(0);
        expect(n.forms.complemented[idx]).toBe(0);
        expect(n.forms.inverted[idx]).toBe(0);
        for (const o of s.args) expect(n.forms.complemented[o], `${c.name}: ${n.signals[o]!.name} read by ${s.name}`).toBe(0);
      });
    }
  });

  it('addresses a ROM of 2^(Σ widths) unsigned slots', () => {
    const n = build(signed2(), 0).n;
    n.signals.forEach((s, idx) => {
      if (s.kind !== 'table' || n.signals[s.a]!.kind !== 'cat') return;
      const rom = n.forms.roms[n.forms.romOf[idx]!]!;
      expect(rom.indexSigned).toBe(false);
      expect(rom.indexWidth).toBe(n.signals[s.a]!.width);
      expect(rom.content).toEqual(s.entries);
    });
  });
});

describe('Verilog of cat', () => {
  it('is a concatenation, highest part first, each part sliced or extended to its width', () => {
    const u1 = stripComments(build(unsigned1(), 0).verilog);
    expect(u1).toContain('assign a0 = {x2, x1, x0};');
    expect(u1).toContain('assign a1 = {x5, x4, x3};');
    // x0 zero-extended to 2 bits; the low 3 bits of a signed 5-bit table output
    expect(u1).toContain("assign a8 = {x3, {1'b0, x0}};");
    expect(u1).toContain('assign a9 = {a2[2:0], x5};');
    const s2 = stripComments(build(signed2(), 0).verilog);
    expect(s2).toContain('assign a0 = {x2, x1, x0};');
    // a 1-bit signed value sign-extended to 2 bits; a 3-bit signed sum cut to 2
    expect(s2).toMatch(/assign a13 = \{x2, \{a12\[0\], a12\}\};/);
    expect(s2).toMatch(/assign a16 = \{x3, a15\[1:0\]\};/);
    const s4 = stripComments(build(signed4(), 0).verilog);
    expect(s4).toContain('assign a1 = {x0, a0};');
    expect(s4).toContain('assign a6 = {x0};');
    const s1 = stripComments(build(signed1(), 0).verilog);
    expect(s1).toContain('assign a0 = {x3, x2, x1, x0};');
    expect(s1).toContain('assign a2 = {x1, {x0[0], x0}};');
  });

  it('declares every signal once, has no `*`, and is the same text every time', () => {
    for (const c of PRINTED) {
      for (const L of LATENCIES) {
        const { n, verilog } = build(c, L);
        expect(build(c, L).verilog).toBe(verilog);
        expectDeclaredOnce(n, verilog, `${c.name} L=${L}`);
      }
    }
  });
});

const icarus = haveTool('iverilog', ['-V']);
const verilator = haveTool('verilator');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.runIf(icarus)('the printed cats, run by Icarus', () => {
  for (const c of PRINTED) {
    it(`${c.name}: equals evaluateNetworkGraph and W·x at latencies 0..3`, async () => {
      for (const L of LATENCIES) {
        const { n, verilog } = build(c, L);
        const ys = await simulateInIcarus(verilog, n, withFlush(c.vectors, n.ports.nIn, L));
        expect(compareWithReference(reference(c.graph), c.vectors, ys, L).mismatches, `L=${L}`).toEqual([]);
        expect(directMismatches(c, ys, L), `L=${L}`).toEqual([]);
      }
    });
  }
});

describe.runIf(verilator)('verilator --lint-only -Wall on cats', () => {
  it('has nothing to say at latencies 0 and 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-cat-'));
    dirs.push(dir);
    for (const c of PRINTED) {
      for (const L of [0, 3]) {
        const file = join(dir, `${c.name}.v`);
        writeFileSync(file, build(c, L).verilog);
        const res = spawnSync('verilator', ['--lint-only', '-Wall', file], { encoding: 'utf8' });
        expect(`${c.name} L=${L}: ${res.stderr}`).toBe(`${c.name} L=${L}: `);
        expect(res.status).toBe(0);
      }
    }
  });
});

describe('Yosys (WebAssembly) reads the printed cats', () => {
  it('as plain Verilog with nothing undriven and no multiplier (check -assert)', async () => {
    for (const c of PRINTED) {
      for (const L of [0, 3]) {
        const res = await yosysRead(build(c, L).verilog, c.name);
        expect(res.log.trim(), `${c.name} L=${L}`).toBe('');
        expect(res.ok).toBe(true);
      }
    }
  });

  it('its JSON netlist, simulated, equals evaluateNetworkGraph at latencies 0 and 3 (the netlist simulator and Icarus cover 1 and 2)', async () => {
    for (const c of CASES) {
      for (const L of [0, 3]) {
        const { n, verilog } = build(c, L);
        const json = await readVerilogToJson(verilog, n.module);
        const sim = compileYosysJson(json, n.module, n.ports);
        const vecs = c.vectors.filter((_, t) => t % 2 === L % 2);
        const ys = sim.run(withFlush(vecs, n.ports.nIn, L));
        expect(compareWithReference(reference(c.graph), vecs, ys, L).mismatches, `${c.name} L=${L}`).toEqual([]);
      }
    }
  });
});
