import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateNetworkGraph } from '../../src/da/graph.js';
import type { InputFormat, NetworkGraph } from '../../src/da/graph.js';
import { bitsFor } from '../../src/da/ranges.js';
import { simulateInIcarus } from '../../src/flows/verify.js';
import { readVerilogToJson } from '../../src/platform/yosys.js';
import { lowerNetlist } from '../../src/rtl/lower.js';
import type { LoweredNetlist } from '../../src/rtl/lower.js';
import { buildNetlist, isStep, signalOperands } from '../../src/rtl/netlist.js';
import type { NetKind, Netlist, NetSignal } from '../../src/rtl/netlist.js';
import { emitVerilog } from '../../src/rtl/verilog/core.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import { compileNetlist } from '../../src/sim/netlist-sim.js';
import { Rng } from '../../src/sim/vectors.js';
import { compileYosysJson } from '../../src/sim/yosys-json-sim.js';
import { expectDeclaredOnce, ranks, stripComments, yosysRead } from '../helpers/netlist.js';
import { haveTool } from '../helpers/tools.js';
import { GraphBuilder, tableOf } from './graph-builder.js';

// The steps between layers that the graph gained (comparators, multiplexers, lookup tables),
// through everything downstream of it: the netlist, its simulator, the lowering and the printed
// Verilog, as Icarus, Verilator and Yosys read it. Every graph here is written by hand (or drawn
// at random) with exact ranges, and evaluateNetworkGraph is the reference.

/** Without comments and `(* … *)` attributes. */

const S4: InputFormat = { width: 4, signed: true };
const U4: InputFormat = { width: 4, signed: false };

interface Case {
  name: string;
  graph: NetworkGraph;
  vectors: bigint[][];
}

/** Comparators: with and without b, both shifts, negative and positive c, signed and unsigned operands of different widths, and some the ranges decide. */
function comparators(input: InputFormat, name: string): Case {
  const g = new GraphBuilder(3, input);
  const s = g.add({ op: 'add', a: 0, shiftA: 1, b: 1, shiftB: 0 }); // 6 bits
  const d = g.add({ op: 'sub', a: 1, shiftA: 0, b: 2, shiftB: 2 }); // signed, 7 bits
  const r = g.add({ op: 'relu', a: d }); // unsigned
  const outs = [
    g.add({ op: 'cmp', a: 0, shiftA: 0, b: -1, shiftB: 0, c: -3n }),
    g.add({ op: 'cmp', a: 0, shiftA: 2, b: -1, shiftB: 0, c: 5n }),
    g.add({ op: 'cmp', a: 1, shiftA: 1, b: -1, shiftB: 3, c: -7n }),
    g.add({ op: 'cmp', a: s, shiftA: 2, b: r, shiftB: 1, c: -5n }),
    g.add({ op: 'cmp', a: r, shiftA: 0, b: s, shiftB: 3, c: 0n }),
    g.add({ op: 'cmp', a: r, shiftA: 1, b: 0, shiftB: 0, c: 1n }),
    g.add({ op: 'cmp', a: 1, shiftA: 0, b: r, shiftB: 2, c: 7n }),
    g.add({ op: 'cmp', a: d, shiftA: 3, b: s, shiftB: 3, c: -9n }),
    g.add({ op: 'cmp', a: 2, shiftA: 0, b: 2, shiftB: 1, c: 0n }),
    g.add({ op: 'cmp', a: s, shiftA: 0, b: d, shiftB: 0, c: -1n }),
    // decided by the ranges: always, never
    g.add({ op: 'cmp', a: r, shiftA: 0, b: -1, shiftB: 0, c: 0n }),
    g.add({ op: 'cmp', a: 0, shiftA: 0, b: -1, shiftB: 0, c: 100n }),
    g.add({ op: 'cmp', a: s, shiftA: 0, b: 0, shiftB: 5, c: -10000n }),
  ];
  // a comparator read by an adder and shifted, as an output
  const sum = g.add({ op: 'add', a: outs[3]!, shiftA: 0, b: outs[4]!, shiftB: 1 });
  return { name, graph: g.graph([...outs, sum, { v: outs[5]!, shift: 2 }]), vectors: g.vectors };
}

/** Multiplexers on comparators: each side a variable (shifted) or a constant (negative too), and a max/argmax chain. */
function multiplexers(): Case {
  const g = new GraphBuilder(3, S4);
  const s = g.add({ op: 'add', a: 0, shiftA: 0, b: 1, shiftB: 1 });
  const r = g.add({ op: 'relu', a: s });
  const c01 = g.add({ op: 'cmp', a: 0, shiftA: 0, b: 1, shiftB: 0, c: 0n });
  const c2 = g.add({ op: 'cmp', a: 2, shiftA: 0, b: -1, shiftB: 0, c: -2n });
  const outs = [
    g.add({ op: 'mux', sel: c01, a: 0, shiftA: 1, ca: 0n, b: 1, shiftB: 0, cb: 0n }),
    g.add({ op: 'mux', sel: c01, a: -1, shiftA: 0, ca: -7n, b: r, shiftB: 2, cb: 0n }),
    g.add({ op: 'mux', sel: c2, a: s, shiftA: 0, ca: 0n, b: -1, shiftB: 0, cb: 5n }),
    g.add({ op: 'mux', sel: c2, a: -1, shiftA: 0, ca: -3n, b: -1, shiftB: 0, cb: 12n }),
    g.add({ op: 'mux', sel: c2, a: r, shiftA: 3, ca: 0n, b: 2, shiftB: 1, cb: 0n }),
    g.add({ op: 'mux', sel: c01, a: -1, shiftA: 0, ca: -8n, b: -1, shiftB: 0, cb: 7n }),
  ];
  // constants that are never chosen, outside the multiplexer's range (and its format)
  const always = g.add({ op: 'cmp', a: r, shiftA: 0, b: -1, shiftB: 0, c: 0n });
  outs.push(g.add({ op: 'mux', sel: always, a: r, shiftA: 0, ca: 0n, b: -1, shiftB: 0, cb: -1000n }));
  outs.push(g.add({ op: 'mux', sel: always, a: -1, shiftA: 0, ca: 3n, b: 0, shiftB: 0, cb: 0n }));
  outs.push(g.add({ op: 'mux', sel: always, a: 0, shiftA: 0, ca: 0n, b: -1, shiftB: 0, cb: 1n << 40n }));
  // max of the three inputs and its index (ties: the lowest index), two comparison levels
  const m01 = g.add({ op: 'mux', sel: c01, a: 0, shiftA: 0, ca: 0n, b: 1, shiftB: 0, cb: 0n });
  const i01 = g.add({ op: 'mux', sel: c01, a: -1, shiftA: 0, ca: 0n, b: -1, shiftB: 0, cb: 1n });
  const c = g.add({ op: 'cmp', a: m01, shiftA: 0, b: 2, shiftB: 0, c: 0n });
  const max = g.add({ op: 'mux', sel: c, a: m01, shiftA: 0, ca: 0n, b: 2, shiftB: 0, cb: 0n });
  const arg = g.add({ op: 'mux', sel: c, a: i01, shiftA: 0, ca: 0n, b: -1, shiftB: 0, cb: 2n });
  return { name: 'muxes', graph: g.graph([...outs, max, arg]), vectors: g.vectors };
}

/** Multiplexers selected by one-bit inputs, unsigned (0/1) and signed (−1/0). */
function oneBitSelects(signed: boolean): Case {
  const g = new GraphBuilder(4, { width: 1, signed });
  const s = g.add({ op: 'add', a: 1, shiftA: 0, b: 2, shiftB: 2 });
  const outs = [
    g.add({ op: 'mux', sel: 0, a: s, shiftA: 1, ca: 0n, b: -1, shiftB: 0, cb: -5n }),
    g.add({ op: 'mux', sel: 3, a: 1, shiftA: 0, ca: 0n, b: 2, shiftB: 3, cb: 0n }),
    g.add({ op: 'mux', sel: 0, a: -1, shiftA: 0, ca: 3n, b: s, shiftB: 0, cb: 0n }),
  ];
  return { name: signed ? 'sel_s1' : 'sel_u1', graph: g.graph(outs), vectors: g.vectors };
}

/** Tables: negative base, negative entries, two identical tables (one ROM), signed and unsigned inputs, tables of tables, entries far outside the range read. */
function tables(): Case {
  const g = new GraphBuilder(3, S4);
  const s = g.add({ op: 'add', a: 0, shiftA: 1, b: 1, shiftB: 0 }); // −24 … 21
  const r = g.add({ op: 'relu', a: 2 }); // 0 … 7
  const sq = (v: bigint): bigint => v * v - 20n;
  const t0 = g.add(tableOf(0, -8n, 7n, sq));
  const t1 = g.add(tableOf(1, -8n, 7n, sq)); // the same table: the same ROM
  const t2 = g.add(tableOf(2, -10n, 9n, sq)); // the same function, another base: another ROM
  const t3 = g.add(tableOf(r, -8n, 7n, sq)); // the same table over an unsigned 3-bit index: another ROM
  const t4 = g.add(tableOf(s, -24n, 21n, (v) => (v * 5n) >> 2n)); // a signed 6-bit index
  const t5 = g.add(tableOf(t0, -20n, 44n, (v) => (v < 0n ? -1n : v > 20n ? 3n : 1n))); // a table of a table
  const t6 = g.add(tableOf(r, -4n, 11n, (v) => (v < 0n ? 1n << 40n : 6n - v))); // huge entries never read
  const t7 = g.add(tableOf(0, -8n, 7n, () => 5n)); // constant
  return { name: 'tables', graph: g.graph([t0, t1, t2, t3, t4, t5, t6, t7, { v: t3, shift: 1 }]), vectors: g.vectors };
}

/** Everything at once: comparators, multiplexers and tables feeding each other and adders. */
function mixed(): Case {
  const g = new GraphBuilder(2, { width: 5, signed: true });
  const t = g.add(tableOf(0, -16n, 15n, (v) => 9n - ((v * v) >> 3n)));
  const c = g.add({ op: 'cmp', a: t, shiftA: 1, b: 1, shiftB: 0, c: -2n });
  const m = g.add({ op: 'mux', sel: c, a: t, shiftA: 0, ca: 0n, b: -1, shiftB: 0, cb: -11n });
  const a = g.add({ op: 'sub', a: m, shiftA: 1, b: 1, shiftB: 0 });
  const u = g.add(tableOf(c, 0n, 1n, (v) => (v === 0n ? -3n : 2n)));
  return { name: 'mixed', graph: g.graph([a, u, m, c]), vectors: g.vectors };
}

/**
 * Bipolar bits and sums that cancel: x − (x << 1) = −x fits in one bit although its
 * subtrahend is shifted past that width, so the printed ¬(x << 1) is all ones, not zero (the
 * property test found Verilog that printed it as zero; the netlist simulator cannot see it).
 */
function cancellingAdders(): Case {
  const g = new GraphBuilder(3, { width: 1, signed: false });
  const n0 = g.add({ op: 'sub', a: 0, shiftA: 0, b: 0, shiftB: 1 }); // −x0, 1 bit signed
  const n1 = g.add({ op: 'sub', a: 1, shiftA: 0, b: 1, shiftB: 1 }); // −x1
  const s = g.add({ op: 'sub', a: n0, shiftA: 0, b: n1, shiftB: 0 }); // x1 − x0
  const t = g.add({ op: 'sub', a: 2, shiftA: 1, b: 2, shiftB: 2 }); // −2·x2, a shift on both sides
  const c = g.add({ op: 'cmp', a: n0, shiftA: 0, b: -1, shiftB: 0, c: 0n }); // x0 = 0
  const m = g.add({ op: 'mux', sel: c, a: n1, shiftA: 0, ca: 0n, b: -1, shiftB: 0, cb: 1n });
  return { name: 'cancel', graph: g.graph([n0, n1, s, t, m]), vectors: g.vectors };
}

const CASES: Case[] = [comparators(S4, 'cmp_s'), comparators(U4, 'cmp_u'), multiplexers(), oneBitSelects(false), oneBitSelects(true), tables(), mixed(), cancellingAdders()];
const LATENCIES = [0, 1, 2, 3];

/** The lowered netlist and its Verilog. */
function build(c: Case, latency: number): { n: LoweredNetlist; verilog: string } {
  const n = lowerNetlist(buildNetlist(c.graph, c.name, latency));
  return { n, verilog: emitVerilog(n, { title: `steps (${c.name})`, exact: false }) };
}

const reference = (g: NetworkGraph) => (x: readonly bigint[]) => evaluateNetworkGraph(g, x);

describe('netlist: comparators, multiplexers and tables', () => {
  it('become signals of their own kinds, with the widths of their ranges, and exactly L register ranks on every path', () => {
    for (const c of CASES) {
      for (const L of LATENCIES) {
        const n = buildNetlist(c.graph, c.name, L);
        const kinds = new Set<NetKind>(n.signals.map((s) => s.kind));
        n.signals.forEach((s, i) => {
          expect(s.width, `${c.name} ${s.name}`).toBe(bitsFor(s.lo, s.hi));
          expect(s.signed).toBe(s.lo < 0n);
          if (s.kind === 'cmp') expect([s.width, s.signed]).toEqual([1, false]);
          if (s.kind === 'cmp' || s.kind === 'mux' || s.kind === 'table') expect(isStep(s)).toBe(true);
          for (const o of signalOperands(s)) expect(o >= 0 && o < i).toBe(true);
        });
        const r = ranks(n);
        for (const o of n.outputs) if (o.signal >= 0) expect(r[o.signal], `${c.name} L=${L}`).toBe(L);
        if (c.name.startsWith('cmp')) expect(kinds.has('cmp')).toBe(true);
        if (c.name === 'muxes') expect(kinds.has('mux') && kinds.has('cmp')).toBe(true);
        if (c.name === 'tables') expect(kinds.has('table')).toBe(true);
      }
    }
  });

  it('keeps −1 for a multiplexer’s constants and a comparator without b, and lists only real operands', () => {
    const n = buildNetlist(multiplexers().graph, 'm', 1);
    const muxes = n.signals.filter((s) => s.kind === 'mux');
    expect(muxes.some((s) => s.a === -1 && s.b === -1)).toBe(true);
    for (const s of muxes) expect(signalOperands(s)).toEqual([s.sel, ...(s.a >= 0 ? [s.a] : []), ...(s.b >= 0 ? [s.b] : [])]);
    const cmps = buildNetlist(comparators(S4, 'c').graph, 'c', 2).signals.filter((s) => s.kind === 'cmp');
    expect(cmps.some((s) => s.b === -1)).toBe(true);
    for (const s of cmps) expect(signalOperands(s)).toEqual(s.b >= 0 ? [s.a, s.b] : [s.a]);
  });
});

describe('netlist simulator: comparators, multiplexers and tables', () => {
  for (const c of CASES) {
    it(`${c.name}: equals evaluateNetworkGraph on ${c.vectors.length} vectors at latencies 0..3`, () => {
      for (const L of LATENCIES) {
        const n = buildNetlist(c.graph, c.name, L);
        const sim = compileNetlist(n);
        const ys = sim.run(withFlush(c.vectors, n.ports.nIn, L));
        expect(compareWithReference(reference(c.graph), c.vectors, ys, L).mismatches, `L=${L}`).toEqual([]);
      }
    });
  }

  it('emits one constant array per distinct table content', () => {
    const sim = compileNetlist(buildNetlist(tables().graph, 't', 1));
    const arrays = sim.source.match(/^const T\d+ = \[.*\];$/gm) ?? [];
    // t0 and t1 are one; t3 has t0's entries at another width (its range is smaller), and
    // t2, t4, t5, t6 and t7 differ
    expect(arrays.length).toBe(7);
    expect(new Set(arrays.map((a) => a.replace(/^const T\d+ = /, ''))).size).toBe(7);
  });

  it('is exact beyond 2^52 (BigInt mode): wide comparisons, wide multiplexers, a table and a huge constant', () => {
    const g = new GraphBuilder(3, { width: 32, signed: true }, 7);
    const s = g.add({ op: 'add', a: 0, shiftA: 24, b: 1, shiftB: 0 });
    const c = g.add({ op: 'cmp', a: s, shiftA: 2, b: 2, shiftB: 30, c: -(1n << 50n) + 3n });
    const c2 = g.add({ op: 'cmp', a: 1, shiftA: 0, b: -1, shiftB: 0, c: 1n << 60n }); // never
    const m = g.add({ op: 'mux', sel: c, a: s, shiftA: 3, ca: 0n, b: -1, shiftB: 0, cb: -(1n << 58n) });
    const k = g.add({ op: 'shr', a: 2, shift: 29 }); // −4 … 3
    const t = g.add(tableOf(k, -4n, 3n, (v) => v * (1n << 55n) + 1n));
    const graph = g.graph([c, c2, m, t]);
    for (const L of [0, 2]) {
      const n = buildNetlist(graph, 'wide', L);
      const sim = compileNetlist(n);
      expect(sim.mode).toBe('bigint');
      const ys = sim.run(withFlush(g.vectors, 3, L));
      expect(compareWithReference(reference(graph), g.vectors, ys, L).mismatches).toEqual([]);
    }
  });

  it('catches a comparator, multiplexer or table that is wrong', () => {
    const c = mixed();
    const base = buildNetlist(c.graph, 'mixed', 1);
    const run = (n: Netlist): boolean => compareWithReference(reference(c.graph), c.vectors, compileNetlist(n).run(withFlush(c.vectors, 2, 1)), 1).pass;
    expect(run(base)).toBe(true);
    const changed = (f: (s: NetSignal) => NetSignal): Netlist => ({ ...base, signals: base.signals.map(f) });
    expect(run(changed((s) => (s.kind === 'cmp' ? { ...s, c: s.c + 1n } : s)))).toBe(false);
    expect(run(changed((s) => (s.kind === 'mux' ? { ...s, cb: s.cb + 1n } : s)))).toBe(false);
    expect(run(changed((s) => (s.kind === 'table' && s.entries.length > 2 ? { ...s, base: s.base + 1n } : s)))).toBe(false);
  });
});

describe('lowering: comparators, multiplexers and tables are not adders', () => {
  it('are never chained, and what they read is never held complemented for them', () => {
    for (const c of CASES) {
      const n = build(c, 1).n;
      n.signals.forEach((s, idx) => {
        if (s.kind === 'cmp' || s.kind === 'mux' || s.kind === 'table') {
          expect(n.forms.chained[idx]).toBe(0);
          expect(n.forms.complemented[idx]).toBe(0);
          for (const o of signalOperands(s)) expect(n.forms.complemented[o], `${c.name}: ${n.signals[o]!.name} read by ${s.name}`).toBe(0);
        }
      });
    }
  });

  it('identical tables (same entries, base and index format) read one ROM; others have their own', () => {
    const n = build(tables(), 0).n;
    const byName = new Map(n.signals.map((s, i) => [s.name, i]));
    const rom = (name: string): number => n.forms.romOf[byName.get(name)!]!;
    // a2 … a9 are t0 … t7
    expect(rom('a2')).toBe(rom('a3'));
    expect(new Set(['a2', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'].map(rom)).size).toBe(7);
    expect(n.forms.roms).toHaveLength(7);
    expect(n.forms.roms[rom('a2')]!.users.map((u) => n.signals[u]!.name)).toEqual(['a2', 'a3']);
    for (const r of n.forms.roms) {
      expect(r.content).toHaveLength(2 ** r.indexWidth);
      expect(Number.isInteger(Math.log2(r.slotBits))).toBe(true);
      for (const u of r.users) expect(n.signals[u]!.width).toBeLessThanOrEqual(r.slotBits);
    }
    n.signals.forEach((s, i) => expect(n.forms.romOf[i]! >= 0).toBe(s.kind === 'table'));
  });
});

describe('Verilog of comparators, multiplexers and tables', () => {
  it('has no `*` outside comments, is the same text every time, and declares every signal once', () => {
    for (const c of CASES) {
      for (const L of LATENCIES) {
        const { n, verilog } = build(c, L);
        const code = stripComments(verilog);
        expect(build(c, L).verilog).toBe(verilog);
        expectDeclaredOnce(n, verilog, `${c.name} L=${L}`);
        // no subtraction operator: comparisons and additions only
        for (const line of code.split('\n').filter((l) => /^\s*assign /.test(l))) expect(line).not.toMatch(/ - /);
      }
    }
  });

  it('prints comparisons of signed operands, muxes with sized constants and ROM slices', () => {
    const v = stripComments(build(comparators(S4, 'c'), 0).verilog);
    // (s << 2) − (r << 1) ≥ −5 with r unsigned: the common shift taken out, ⌈−5 / 2⌉ = −2 moved
    // to the left, both sides signed at one width
    expect(v).toContain("assign a6 = $signed({a0, 1'd0}) + 7'sd2 >= $signed({1'b0, a2});");
    // r << 1 − x0 ≥ 1 is r << 1 > x0; a signed signal of the full width is its bare name
    expect(v).toContain("assign a8 = $signed({{1'b0, a2}, 1'd0}) > $signed({{4{x0[3]}}, x0});");
    expect(v).toContain("assign a10 = a1 + 7'sd1 >= $signed({a0[5], a0});");
    // without b: a constant of a's own format, ⌈c / 2^shift⌉
    expect(v).toContain("assign a3 = x0 >= -4'sd3;");
    expect(v).toContain("assign a4 = x0 >= 4'sd2;");
    expect(v).toContain("assign a5 = x1 >= -4'sd3;");
    // decided by the ranges
    expect(v).toContain("assign a13 = 1'b1;");
    expect(v).toContain("assign a14 = 1'b0;");
    expect(v).toContain("assign a15 = 1'b1;");
    const m = stripComments(build(multiplexers(), 0).verilog);
    // variables extended (and shifted) to the multiplexer's width, constants of that width
    expect(m).toContain("assign a4 = a2 ? {x0, 1'd0} : {x1[3], x1};");
    expect(m).toContain("assign a5 = a2 ? -8'sd7 : {{1'b0, a1}, 2'd0};");
    expect(m).toContain("assign a7 = a3 ? -5'sd3 : 5'sd12;");
    // a constant never chosen, outside the (unsigned) format: its low bits
    expect(m).toContain("assign a11 = a10 ? a1 : 5'd24;");
    const t = build(tables(), 1).verilog;
    expect(t).toMatch(/assign a2 = rom0\[\{x0, \d'd0\} \+: \d+\];/);
    expect(t).toMatch(/assign a3 = rom0\[\{x1, \d'd0\} \+: \d+\];/);
  });

  it('declares each distinct ROM once, however many tables read it', () => {
    const { n, verilog } = build(tables(), 2);
    const code = stripComments(verilog);
    const decls = code.match(/^\s*localparam \[\d+:0\] rom\d+ = \{/gm) ?? [];
    expect(decls).toHaveLength(n.forms.roms.length);
    expect(new Set(decls).size).toBe(decls.length);
    expect((code.match(/\brom0\[/g) ?? []).length).toBe(2);
    expect(verilog).toContain('Read by a2, a3.');
  });
});

const icarus = haveTool('iverilog', ['-V']);
const verilator = haveTool('verilator');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.runIf(icarus)('the printed comparators, multiplexers and tables, run by Icarus', () => {
  for (const c of CASES) {
    it(`${c.name}: equals evaluateNetworkGraph at latencies 0..3`, async () => {
      for (const L of LATENCIES) {
        const { n, verilog } = build(c, L);
        const ys = await simulateInIcarus(verilog, n, withFlush(c.vectors, n.ports.nIn, L));
        expect(compareWithReference(reference(c.graph), c.vectors, ys, L).mismatches, `L=${L}`).toEqual([]);
      }
    });
  }
});

describe.runIf(verilator)('verilator --lint-only -Wall on comparators, multiplexers and tables', () => {
  it('has nothing to say at latencies 0..3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-steps-'));
    dirs.push(dir);
    for (const c of CASES) {
      for (const L of LATENCIES) {
        const file = join(dir, `${c.name}.v`);
        writeFileSync(file, build(c, L).verilog);
        const res = spawnSync('verilator', ['--lint-only', '-Wall', file], { encoding: 'utf8' });
        expect(`${c.name} L=${L}: ${res.stderr}`).toBe(`${c.name} L=${L}: `);
        expect(res.status).toBe(0);
      }
    }
  });
});

/** A random graph of every kind: adders, ReLU, shifts, comparators, multiplexers and tables over small ranges. */
function randomCase(rng: Rng, k: number): Case {
  const input: InputFormat = { width: 2 + rng.below(3), signed: rng.below(3) > 0 };
  const g = new GraphBuilder(2 + rng.below(2), input, k);
  const pick = (): number => rng.below(g.size);
  const cmps: number[] = [];
  const small = (v: number): boolean => {
    const { lo, hi } = g.range(v);
    return hi - lo < 64n;
  };
  for (let i = 0; i < 14; i++) {
    const a = pick();
    const b = pick();
    const sh = (): number => rng.below(4);
    const cnst = (): bigint => BigInt(rng.below(41) - 20);
    switch (rng.below(7)) {
      case 0:
        g.add({ op: rng.below(2) ? 'add' : 'sub', a, shiftA: sh(), b, shiftB: sh() });
        break;
      case 1:
        g.add({ op: 'relu', a });
        break;
      case 2:
      case 3:
        cmps.push(g.add({ op: 'cmp', a, shiftA: sh(), b: rng.below(3) === 0 ? -1 : b, shiftB: sh(), c: cnst() }));
        break;
      case 4:
      case 5: {
        if (cmps.length === 0) break;
        const sel = cmps[rng.below(cmps.length)]!;
        const va = rng.below(3) === 0 ? -1 : a;
        const vb = rng.below(3) === 0 ? -1 : b;
        g.add({ op: 'mux', sel, a: va, shiftA: va < 0 ? 0 : sh(), ca: va < 0 ? cnst() : 0n, b: vb, shiftB: vb < 0 ? 0 : sh(), cb: vb < 0 ? cnst() : 0n });
        break;
      }
      case 6: {
        if (!small(a)) break;
        const { lo, hi } = g.range(a);
        const from = lo - BigInt(rng.below(4));
        const to = hi + BigInt(rng.below(4));
        const m = BigInt(rng.below(7) - 3);
        const c = cnst();
        g.add(tableOf(a, from, to, (v) => m * v + c + BigInt(rng.below(5))));
        break;
      }
    }
  }
  const outs = Array.from({ length: 3 }, () => g.size - 1 - rng.below(Math.min(g.size, 6)));
  return { name: `rnd${k}`, graph: g.graph(outs), vectors: g.vectors };
}

describe('random graphs of every kind', () => {
  const rng = new Rng(42);
  const cases = Array.from({ length: 24 }, (_, k) => randomCase(rng, k));
  it('the netlist simulator equals evaluateNetworkGraph, at latencies 0..3', () => {
    for (const c of cases) {
      for (const L of LATENCIES) {
        const n = buildNetlist(c.graph, c.name, L);
        const ys = compileNetlist(n).run(withFlush(c.vectors, n.ports.nIn, L));
        expect(compareWithReference(reference(c.graph), c.vectors, ys, L).mismatches, `${c.name} L=${L}`).toEqual([]);
      }
    }
  });

  it.runIf(icarus)('so does the printed Verilog in Icarus (a few), with no `*`', async () => {
    for (const c of cases.slice(0, 8)) {
      const L = c.vectors.length % 4;
      const { n, verilog } = build(c, L);
      expect(stripComments(verilog)).not.toContain('*');
      const ys = await simulateInIcarus(verilog, n, withFlush(c.vectors, n.ports.nIn, L));
      expect(compareWithReference(reference(c.graph), c.vectors, ys, L).mismatches, `${c.name} L=${L}`).toEqual([]);
    }
  });

  it.runIf(verilator)('and lints clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-steps-rnd-'));
    dirs.push(dir);
    for (const c of cases) {
      const L = c.vectors.length % 4;
      const file = join(dir, `${c.name}.v`);
      writeFileSync(file, build(c, L).verilog);
      const res = spawnSync('verilator', ['--lint-only', '-Wall', file], { encoding: 'utf8' });
      expect(`${c.name} L=${L}: ${res.stderr}`).toBe(`${c.name} L=${L}: `);
    }
  });
});

describe('Yosys (WebAssembly) reads the printed steps', () => {
  it('as plain Verilog with nothing undriven and no multiplier (comparators and tables, latency 2)', async () => {
    for (const c of [comparators(S4, 'cmp_s'), tables()]) {
      const res = await yosysRead(build(c, 2).verilog, c.name);
      expect(res.log.trim(), c.name).toBe('');
      expect(res.ok).toBe(true);
    }
  });

  it('its JSON netlist, simulated, equals evaluateNetworkGraph (a small design of every new kind)', async () => {
    const c = mixed();
    const { n, verilog } = build(c, 1);
    const json = await readVerilogToJson(verilog, n.module);
    const sim = compileYosysJson(json, n.module, n.ports);
    const vecs = c.vectors.filter((_, t) => t % 8 === 0);
    const ys = sim.run(withFlush(vecs, n.ports.nIn, 1));
    expect(compareWithReference(reference(c.graph), vecs, ys, 1).mismatches).toEqual([]);
  });
});
