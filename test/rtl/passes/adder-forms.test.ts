import { describe, expect, it } from 'vitest';
import { bitsFor } from '../../../src/da/ranges.js';
import { compile } from '../../../src/flows/compile.js';
import { simulateInIcarus } from '../../../src/flows/verify.js';
import { lowerNetlist } from '../../../src/rtl/lower.js';
import type { LoweredNetlist } from '../../../src/rtl/lower.js';
import { isAdder } from '../../../src/rtl/netlist.js';
import type { NetOutput, NetSignal, Netlist } from '../../../src/rtl/netlist.js';
import { adderForms } from '../../../src/rtl/passes/adder-forms.js';
import type { AdderForms } from '../../../src/rtl/passes/adder-forms.js';
import { emitVerilog } from '../../../src/rtl/verilog/core.js';
import { compileNetlist } from '../../../src/sim/netlist-sim.js';
import { Rng, testVectors } from '../../../src/sim/vectors.js';
import { randomNetwork, randomSpec } from '../../helpers/random.js';
import { haveTool } from '../../helpers/tools.js';
import { stripComments } from '../../helpers/netlist.js';

/** Without comments and `(* … *)` attributes. */
const escape = (s: string): string => s.replace(/[$.]/g, '\\$&');

/**
 * A netlist written by hand: 4-bit signed inputs, adders with interval ranges (sound, perhaps
 * wider than exact), registers, and the outputs last. Signals are referred to by name.
 */
class Hand {
  readonly signals: NetSignal[] = [];
  private readonly index = new Map<string, number>();
  constructor(readonly latency = 0) {}

  private push(s: NetSignal): string {
    this.index.set(s.name, this.signals.length);
    this.signals.push(s);
    return s.name;
  }

  private sig(name: string): NetSignal {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`no signal ${name}`);
    return this.signals[i]!;
  }

  idx(name: string): number {
    return this.index.get(name)!;
  }

  private base(name: string, lo: bigint, hi: bigint, level: number, stage: number): { name: string; width: number; signed: boolean; stage: number; level: number; lo: bigint; hi: bigint } {
    return { name, width: bitsFor(lo, hi), signed: lo < 0n, stage, level, lo, hi };
  }

  input(i: number): string {
    return this.push({ kind: 'input', ...this.base(`x${i}`, -8n, 7n, 0, this.latency === 0 ? 0 : 1), input: i });
  }

  add(name: string, a: string, b: string, shiftA = 0, shiftB = 0, stage = this.latency === 0 ? 0 : 1): string {
    const [p, q] = [this.sig(a), this.sig(b)];
    const lo = (p.lo << BigInt(shiftA)) + (q.lo << BigInt(shiftB));
    const hi = (p.hi << BigInt(shiftA)) + (q.hi << BigInt(shiftB));
    return this.push({ kind: 'add', ...this.base(name, lo, hi, Math.max(p.level, q.level) + 1, stage), a: this.idx(a), shiftA, b: this.idx(b), shiftB });
  }

  sub(name: string, a: string, b: string, shiftA = 0, shiftB = 0, stage = this.latency === 0 ? 0 : 1): string {
    const [p, q] = [this.sig(a), this.sig(b)];
    const lo = (p.lo << BigInt(shiftA)) - (q.hi << BigInt(shiftB));
    const hi = (p.hi << BigInt(shiftA)) - (q.lo << BigInt(shiftB));
    return this.push({ kind: 'sub', ...this.base(name, lo, hi, Math.max(p.level, q.level) + 1, stage), a: this.idx(a), shiftA, b: this.idx(b), shiftB });
  }

  neg(name: string, a: string, shiftA = 0, stage = this.latency === 0 ? 0 : 1): string {
    const p = this.sig(a);
    return this.push({ kind: 'neg', ...this.base(name, -(p.hi << BigInt(shiftA)), -(p.lo << BigInt(shiftA)), p.level + 1, stage), a: this.idx(a), shiftA });
  }

  addc(name: string, a: string, c: bigint, stage = this.latency === 0 ? 0 : 1): string {
    const p = this.sig(a);
    return this.push({ kind: 'addc', ...this.base(name, p.lo + c, p.hi + c, p.level + 1, stage), a: this.idx(a), shiftA: 0, c });
  }

  relu(name: string, a: string, stage = this.latency === 0 ? 0 : 1): string {
    const p = this.sig(a);
    return this.push({ kind: 'relu', ...this.base(name, p.lo < 0n ? 0n : p.lo, p.hi < 0n ? 0n : p.hi, p.level, stage), a: this.idx(a) });
  }

  /** `a` registered at rank `rank`; named `<a>_r<rank>` after the signal it copies. */
  reg(a: string, rank: number): string {
    const p = this.sig(a);
    const root = p.kind === 'reg' ? p.name.replace(/_r\d+$/, '') : p.name;
    return this.push({ kind: 'reg', ...this.base(`${root}_r${rank}`, p.lo, p.hi, p.level, rank), width: p.width, signed: p.signed, a: this.idx(a) });
  }

  netlist(outputs: string[], cuts: number[] = []): Netlist {
    const outs: NetOutput[] = outputs.map((o) => ({ signal: this.idx(o), shift: 0, lo: this.sig(o).lo, hi: this.sig(o).hi }));
    const outputSigned = outs.some((o) => o.lo < 0n);
    const outputWidth = Math.max(...outs.map((o) => bitsFor(o.lo, o.hi, outputSigned)));
    const nIn = this.signals.filter((s) => s.kind === 'input').length;
    const regs = this.signals.filter((s) => s.kind === 'reg');
    return {
      module: 'hand',
      ports: { nIn, inputWidth: 4, inputSigned: true, nOut: outs.length, outputWidth, outputSigned, scoreWidth: null },
      signals: this.signals,
      outputs: outs,
      latency: this.latency,
      cuts,
      adders: this.signals.filter(isAdder).length,
      adderBits: this.signals.filter(isAdder).reduce((a, s) => a + s.width, 0),
      blocks: [],
      adderDepth: Math.max(...this.signals.map((s) => s.level)),
      registerBits: regs.reduce((a, s) => a + s.width, 0),
      score: null,
    };
  }
}

/** The names of the signals a form marks. */
function marked(n: Netlist, f: Uint8Array): string[] {
  return n.signals.filter((_, i) => f[i] === 1).map((s) => s.name);
}

function print(n: LoweredNetlist): string {
  return emitVerilog(n, { title: 'a hand-written netlist', exact: false });
}

/** The printed text says what the forms decided, signal by signal. */
function expectTextAgrees(n: LoweredNetlist, v: string): { instances: number; held: number; copies: number } {
  const code = stripComments(v);
  const f = n.forms;
  let instances = 0;
  let held = 0;
  let copies = 0;
  // no subtraction operator: a − b is written a + ~b + 1
  for (const line of code.split('\n').filter((l) => /^\s*assign /.test(l))) expect(line).not.toMatch(/ - /);
  n.signals.forEach((s, idx) => {
    const name = escape(s.name);
    if (isAdder(s)) {
      if (f.chained[idx]) {
        instances++;
        const inst = new RegExp(`^\\s*${escape(n.module)}_add #\\(\\.W\\(\\d+\\), \\.CI\\([01]\\), \\.INV\\(${f.complemented[idx]}\\)\\) add_${name} \\(`, 'm');
        expect(code, s.name).toMatch(inst);
      } else {
        expect(code, s.name).not.toContain(` add_${s.name} (`);
        expect(code, s.name).toMatch(new RegExp(`assign ${name}(\\[\\d+(:\\d+)?\\])? = `));
      }
    }
    if (f.complemented[idx]) {
      held++;
      if (s.kind === 'reg') expect(v, s.name).toMatch(new RegExp(`\\b${name};\\s*// complemented, as its source`));
      else expect(v, s.name).toMatch(new RegExp(`\\b${name};.*held complemented`));
    } else {
      expect(v, s.name).not.toMatch(new RegExp(`\\b${name};.*(held complemented|complemented, as its source)`));
    }
    const decl = new RegExp(`wire (signed )?\\[\\d+:0\\] ${name}_n = ~${name};`);
    if (f.inverted[idx]) {
      copies++;
      expect(code, s.name).toMatch(decl);
    } else {
      expect(code, s.name).not.toMatch(decl);
      expect(code, s.name).not.toMatch(new RegExp(`\\b${name}_n\\b`));
    }
  });
  const anyChained = f.chained.some((x) => x === 1);
  expect(code.includes(`module ${n.module}_add`)).toBe(anyChained);
  return { instances, held, copies };
}

const icarus = haveTool('iverilog', ['-V']);

/** Icarus runs the printed text; it must give what the netlist simulator gives for the same netlist. */
async function expectIcarusAgrees(n: LoweredNetlist, v: string): Promise<void> {
  const vecs = testVectors(n.ports.nIn, { width: n.ports.inputWidth, signed: n.ports.inputSigned }, 80, 3);
  const flushed = [...vecs, ...Array.from({ length: n.latency }, () => new Array<bigint>(n.ports.nIn).fill(0n))];
  const want = compileNetlist(n).run(flushed);
  const got = await simulateInIcarus(v, n, flushed);
  for (let t = n.latency; t < flushed.length; t++) expect(got[t], `cycle ${t}`).toEqual(want[t]);
}

describe('adderForms on hand-written netlists', () => {
  // s0 is read once, unshifted, by the adder s1: chained. s2 is read shifted, s4 twice, s7 by an
  // adder and an output, s8 by a ReLU: none of them chained. s1, s3, s5, s6 feed outputs.
  function chains(): Netlist {
    const h = new Hand();
    for (let i = 0; i < 3; i++) h.input(i);
    h.add('s0', 'x0', 'x1');
    h.add('s1', 's0', 'x2');
    h.add('s2', 'x0', 'x1', 0, 1);
    h.add('s3', 's2', 'x2', 1, 0);
    h.add('s4', 'x1', 'x2');
    h.add('s5', 's4', 'x0');
    h.add('s6', 'x0', 's4', 0, 0);
    h.add('s7', 'x0', 'x2');
    h.add('s9', 'x1', 's7');
    h.add('s8', 'x2', 'x1', 2, 0);
    h.relu('r8', 's8');
    return h.netlist(['s1', 's3', 's5', 's6', 's7', 's9', 'r8']);
  }

  it('chains a sum read once, unshifted, by another adder, and nothing else', () => {
    const n = chains();
    const f = adderForms(n);
    expect(marked(n, f.chained)).toEqual(['s0']);
    expect(marked(n, f.complemented)).toEqual([]);
    expect(marked(n, f.inverted)).toEqual([]);
  });

  // t0 is only subtracted (by t1): held complemented. t2 is subtracted by t3 and added by t4:
  // an inverted copy. x1 is an input some reader subtracts: an inverted copy. t6 is only negated:
  // held complemented; the negation n6 itself is subtracted, and a neg is never held complemented,
  // so n6 gets a copy. a7 (an addc) is only subtracted: held complemented. t8 is subtracted and
  // read by an output: a copy.
  function subtractions(): Netlist {
    const h = new Hand();
    for (let i = 0; i < 3; i++) h.input(i);
    h.add('t0', 'x0', 'x1', 0, 1);
    h.sub('t1', 'x2', 't0', 1, 0);
    h.add('t2', 'x0', 'x2');
    h.sub('t3', 'x1', 't2', 1, 0);
    h.add('t4', 't2', 'x1', 1, 0);
    h.sub('t5', 'x0', 'x1');
    h.add('t6', 'x0', 'x2', 1, 0);
    h.neg('n6', 't6', 1);
    h.sub('t7', 'x2', 'n6');
    h.addc('a7', 'x0', 5n);
    h.sub('u7', 'x2', 'a7', 2, 0);
    h.add('t8', 'x1', 'x2', 0, 2);
    h.sub('u8', 'x0', 't8', 2, 0);
    return h.netlist(['t1', 't3', 't4', 't5', 't7', 'u7', 't8', 'u8']);
  }

  it('holds complemented what every reader subtracts, and gives one inverted copy to what some readers subtract', () => {
    const n = subtractions();
    const f = adderForms(n);
    expect(marked(n, f.complemented)).toEqual(['t0', 't6', 'a7']);
    expect(marked(n, f.inverted)).toEqual(['x1', 't2', 'n6', 't8']);
    // t0 and a7 are read once, unshifted, by an adder; n6 reads t6 shifted
    expect(marked(n, f.chained)).toEqual(['t0', 'n6', 'a7']);
  });

  // Latency 2, rank 1 after level 1. u0 is read only through its register, by a subtraction in
  // stage 2: u0 and u0_r1 both held complemented. v0 reaches the subtraction in stage 2 and, through
  // a second register, an output: not complemented; the copy v0_r1 that is subtracted gets the
  // inverted copy. Registered signals are never chained.
  function registers(): Netlist {
    const h = new Hand(2);
    for (let i = 0; i < 3; i++) h.input(i);
    h.add('u0', 'x0', 'x1', 0, 0, 1);
    h.sub('v0', 'x0', 'x2', 1, 0, 1);
    h.reg('x1', 1);
    h.reg('x2', 1);
    h.reg('u0', 1);
    h.reg('v0', 1);
    h.sub('u1', 'x2_r1', 'u0_r1', 0, 0, 2);
    h.sub('v1', 'x1_r1', 'v0_r1', 0, 1, 2);
    h.reg('u1', 2);
    h.reg('v1', 2);
    h.reg('v0_r1', 2);
    return h.netlist(['u1_r2', 'v1_r2', 'v0_r2'], [1, 2]);
  }

  it('decides a register with its source: a copy is complemented when its source is, and every reader of every copy counts', () => {
    const n = registers();
    const f = adderForms(n);
    expect(marked(n, f.complemented)).toEqual(['u0', 'u0_r1']);
    // x2 is subtracted by v0 in stage 1 (an input: a copy); v0_r1 by v1
    expect(marked(n, f.inverted)).toEqual(['x2', 'v0_r1']);
    expect(marked(n, f.chained)).toEqual([]);
    // one reader more of u0's last copy, an output, and u0 is no longer complemented
    const more: Netlist = { ...n, outputs: [...n.outputs, { signal: n.signals.findIndex((s) => s.name === 'u0_r1'), shift: 0, lo: -16n, hi: 14n }] };
    const g = adderForms(more);
    expect(marked(more, g.complemented)).toEqual([]);
    expect(marked(more, g.inverted)).toEqual(['x2', 'u0_r1', 'v0_r1']);
  });

  it('an adder that nothing reads is not held complemented', () => {
    const h = new Hand();
    for (let i = 0; i < 2; i++) h.input(i);
    h.add('w0', 'x0', 'x1');
    h.add('w1', 'x0', 'x1', 1, 0);
    const n = h.netlist(['w1']);
    const f = adderForms(n);
    expect(marked(n, f.complemented)).toEqual([]);
    expect(marked(n, f.chained)).toEqual([]);
  });

  for (const [what, build] of [
    ['chains', chains],
    ['subtractions', subtractions],
    ['registers', registers],
  ] as const) {
    it(`the printed text agrees with the forms (${what})`, () => {
      const n = lowerNetlist(build());
      expect({ chained: n.forms.chained, complemented: n.forms.complemented, inverted: n.forms.inverted }).toEqual(adderForms(n));
      const c = expectTextAgrees(n, print(n));
      expect(c.instances + c.held + c.copies).toBeGreaterThan(0);
    });

    it.runIf(icarus)(`the printed text computes what the netlist means (${what}, Icarus)`, async () => {
      const n = lowerNetlist(build());
      await expectIcarusAgrees(n, print(n));
    });
  }

  it('the text of a subtraction reads ¬b as b when b is held complemented, else as b_n', () => {
    const n = lowerNetlist(subtractions());
    const code = stripComments(print(n));
    // t1 = (x2 << 1) − t0, t0 held complemented: t0 itself is ¬t0
    expect(code).toMatch(/assign t1(\[\d+(:\d+)?\])? = .*\bt0\b.* \+ 1'b1;/);
    expect(code).not.toMatch(/\bt0_n\b/);
    // t3 = (x1 << 1) − t2 reads the copy t2_n
    expect(code).toMatch(/assign t3(\[\d+(:\d+)?\])? = .*\bt2_n\b.* \+ 1'b1;/);
  });
});

/** The readers of each signal: (reader, shift) for each operand slot that reads it; -1 for an output or the score. */
function readersOf(n: Netlist): { by: number; shift: number; subtracted: boolean }[][] {
  const reads: { by: number; shift: number; subtracted: boolean }[][] = n.signals.map(() => []);
  n.signals.forEach((t, j) => {
    switch (t.kind) {
      case 'input':
        return;
      case 'add':
      case 'sub':
        reads[t.a]!.push({ by: j, shift: t.shiftA, subtracted: false });
        reads[t.b]!.push({ by: j, shift: t.shiftB, subtracted: t.kind === 'sub' });
        return;
      case 'neg':
        reads[t.a]!.push({ by: j, shift: t.shiftA, subtracted: true });
        return;
      case 'addc':
      case 'fit':
        reads[t.a]!.push({ by: j, shift: t.shiftA, subtracted: false });
        return;
      case 'shr':
      case 'rne':
        reads[t.a]!.push({ by: j, shift: -t.shift, subtracted: false });
        return;
      case 'relu':
      case 'square':
      case 'reg':
        reads[t.a]!.push({ by: j, shift: 0, subtracted: false });
        return;
    }
  });
  for (const o of [...n.outputs, ...(n.score ? [n.score] : [])]) if (o.signal >= 0) reads[o.signal]!.push({ by: -1, shift: o.shift, subtracted: false });
  return reads;
}

/** The forms as their definitions state them, computed independently of the pass. */
function expectedForms(n: Netlist): AdderForms {
  const N = n.signals.length;
  const reads = readersOf(n);
  const chained = new Uint8Array(N);
  const complemented = new Uint8Array(N);
  const inverted = new Uint8Array(N);
  n.signals.forEach((s, idx) => {
    // a sum that one adder reads unshifted, and nothing else, is an instance
    const r = reads[idx]!;
    const by = r.length === 1 && r[0]!.by >= 0 ? n.signals[r[0]!.by]! : null;
    chained[idx] = isAdder(s) && by !== null && isAdder(by) && r[0]!.shift === 0 ? 1 : 0;
    if (chained[idx]) expect(by!.stage, `${s.name} and its reader ${by!.name}`).toBe(s.stage);
  });
  n.signals.forEach((s, idx) => {
    if (s.kind !== 'add' && s.kind !== 'sub' && s.kind !== 'addc') return;
    // held complemented exactly when every reader (through its registers) subtracts it
    const copiesOf = new Set([idx]);
    n.signals.forEach((t, j) => {
      if (t.kind === 'reg' && copiesOf.has(t.a)) copiesOf.add(j);
    });
    let subtracted = 0;
    let other = false;
    for (const c of copiesOf) {
      for (const rd of reads[c]!) {
        if (rd.by >= 0 && n.signals[rd.by]!.kind === 'reg') continue; // a copy: its own readers count
        if (rd.subtracted) subtracted++;
        else other = true;
      }
    }
    if (subtracted > 0 && !other) for (const c of copiesOf) complemented[c] = 1;
  });
  n.signals.forEach((t) => {
    // something subtracted that is not held complemented gets one inverted copy
    if (t.kind === 'sub' && !complemented[t.b]) inverted[t.b] = 1;
    if (t.kind === 'neg' && !complemented[t.a]) inverted[t.a] = 1;
  });
  return { chained, complemented, inverted };
}

describe('adderForms on compiled designs', () => {
  it('random matrices: every decision as defined, and the printed text agrees', () => {
    const rng = new Rng(5);
    let instances = 0;
    let held = 0;
    let copies = 0;
    for (let trial = 0; trial < 20; trial++) {
      const spec = randomSpec(rng, { rows: 2 + rng.below(8), cols: 2 + rng.below(8), width: 4 + rng.below(6), signed: rng.below(3) > 0, weightBits: 4 + rng.below(6) });
      const r = compile(spec, { latency: rng.below(3) });
      const forms = adderForms(r.netlist);
      const want = expectedForms(r.netlist);
      r.netlist.signals.forEach((s, idx) => {
        expect(forms.chained[idx], `${s.name} chained`).toBe(want.chained[idx]);
        expect(forms.complemented[idx], `${s.name} complemented`).toBe(want.complemented[idx]);
        expect(forms.inverted[idx], `${s.name} inverted`).toBe(want.inverted[idx]);
      });
      // what compile lowered and printed
      expect({ chained: r.netlist.forms.chained, complemented: r.netlist.forms.complemented, inverted: r.netlist.forms.inverted }).toEqual(forms);
      const c = expectTextAgrees(r.netlist, r.verilog);
      instances += c.instances;
      held += c.held;
      copies += c.copies;
    }
    // the sample exercises every form
    expect(instances).toBeGreaterThan(10);
    expect(held).toBeGreaterThan(10);
    expect(copies).toBeGreaterThan(10);
  });

  it('random networks (bias, shifts, ReLU, fits, scores): every decision as defined, and the printed text agrees', () => {
    const rng = new Rng(17);
    let held = 0;
    for (let trial = 0; trial < 12; trial++) {
      const spec = randomNetwork(rng, { maxLayers: 3, maxWidth: 10 });
      const r = compile(spec, { latency: rng.below(4) });
      const n = r.netlist;
      expect(adderForms(n)).toEqual(expectedForms(n));
      held += expectTextAgrees(n, r.verilog).held;
    }
    expect(held).toBeGreaterThan(20);
  });
});
