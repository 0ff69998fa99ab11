import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { adderForms } from '../../src/rtl/verilog.js';
import { Rng } from '../../src/sim/vectors.js';
import { VERSION } from '../../src/version.js';
import { randomSpec } from '../helpers/random.js';
import { haveTool } from '../helpers/tools.js';

/** Without comments and `(* … *)` attributes. */
const stripComments = (v: string): string => v.replace(/\(\*[^*]*\*\)/g, '').replace(/\/\/.*$/gm, '');

describe('Verilog emitter', () => {
  it('keeps the version in one place', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('writes the interface of DESIGN.md, a header and no multiplication', () => {
    const spec = { format: 1 as const, name: 'enc', input: { width: 6, signed: true }, weights: [[3n, -5n, 0n], [12n, 7n, -1n]] };
    const r = compile(spec, { latency: 2 });
    const v = r.verilog;
    expect(v).toContain(`da-gen ${VERSION}`);
    expect(v).toContain('2 outputs × 3 inputs');
    expect(v).toMatch(/latency: 2 clock cycles/);
    expect(v).toContain(`${r.netlist.adders} adders`);
    expect(v).toMatch(/module enc \(\s*input\s+wire\s+clk,\s*input\s+wire \[17:0\]\s+x,\s*output wire \[\d+:0\]\s+y\s*\);/);
    expect(stripComments(v)).not.toContain('*');
    expect(v).not.toMatch(/SB_|DSP|LUT4/);
    // one named wire per adder, with its width declared
    const wires = v.match(/^\s*wire (signed )?\[\d+:0\] a\d+;/gm) ?? [];
    expect(wires.length).toBe(r.netlist.adders);
  });

  it('writes each adder so that synthesis keeps it one carry chain', () => {
    const rng = new Rng(5);
    let instances = 0;
    let held = 0;
    let copies = 0;
    for (let trial = 0; trial < 20; trial++) {
      const spec = randomSpec(rng, { rows: 2 + rng.below(8), cols: 2 + rng.below(8), width: 4 + rng.below(6), signed: rng.below(3) > 0, weightBits: 4 + rng.below(6) });
      const r = compile(spec, { latency: rng.below(3) });
      const v = r.verilog;
      const code = stripComments(v);
      const forms = adderForms(r.netlist);
      // no subtraction operator: a − b is written a + ~b + 1
      for (const line of code.split('\n').filter((l) => /^\s*assign /.test(l))) expect(line).not.toMatch(/ - /);
      r.netlist.signals.forEach((s, idx) => {
        if (s.kind !== 'add' && s.kind !== 'sub' && s.kind !== 'neg') return;
        // a sum that one adder of its stage reads unshifted, and nothing else, is an instance
        const reads: { by: (typeof r.netlist.signals)[number]; shift: number }[] = [];
        for (const t of r.netlist.signals) {
          if (t.kind === 'input') continue;
          if (t.a === idx) reads.push({ by: t, shift: t.kind === 'reg' ? 0 : t.shiftA });
          if ((t.kind === 'add' || t.kind === 'sub') && t.b === idx) reads.push({ by: t, shift: t.shiftB });
        }
        const byOutput = r.netlist.outputs.some((o) => o.signal === idx);
        const unshifted = reads.length === 1 && !byOutput && reads[0]!.by.kind !== 'reg' && reads[0]!.shift === 0;
        expect(forms.chained[idx], s.name).toBe(unshifted ? 1 : 0);
        if (unshifted) {
          instances++;
          expect(code).toContain(` add_${s.name} (`);
        } else expect(code).toMatch(new RegExp(`assign ${s.name}(\\[\\d+(:\\d+)?\\])? = `));
        // held complemented exactly when every reader (through its registers) subtracts it
        const copiesOf = new Set([idx]);
        r.netlist.signals.forEach((t, j) => {
          if (t.kind === 'reg' && copiesOf.has(t.a)) copiesOf.add(j);
        });
        let subtracted = 0;
        let other = r.netlist.outputs.some((o) => copiesOf.has(o.signal));
        for (const t of r.netlist.signals) {
          if (t.kind === 'input' || t.kind === 'reg') continue;
          const inA = copiesOf.has(t.a);
          const inB = (t.kind === 'add' || t.kind === 'sub') && copiesOf.has(t.b);
          if ((t.kind === 'sub' && inB && !inA) || (t.kind === 'neg' && inA)) subtracted++;
          else if (inA || inB) other = true;
        }
        expect(forms.complemented[idx], s.name).toBe(s.kind !== 'neg' && subtracted > 0 && !other ? 1 : 0);
        if (forms.complemented[idx]) {
          held++;
          expect(v).toMatch(new RegExp(`\\b${s.name};.*held complemented`));
        }
      });
      r.netlist.signals.forEach((s, idx) => {
        const decl = new RegExp(`wire (signed )?\\[\\d+:0\\] ${s.name}_n = ~${s.name};`);
        if (forms.inverted[idx]) {
          copies++;
          expect(code).toMatch(decl);
        } else expect(code).not.toMatch(decl);
      });
    }
    // the sample exercises every form
    expect(instances).toBeGreaterThan(10);
    expect(held).toBeGreaterThan(10);
    expect(copies).toBeGreaterThan(10);
  });
});

const verilator = haveTool('verilator');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.runIf(verilator)('verilator --lint-only -Wall', () => {
  it('has nothing to say about random designs at every latency', () => {
    const rng = new Rng(3);
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-lint-'));
    dirs.push(dir);
    const cases = [
      // zero column, zero row, a single input, wide unsigned input, huge weights
      { format: 1 as const, name: 'edge_a', input: { width: 8, signed: true }, weights: [[0n, 5n], [0n, 0n], [0n, -3n]] },
      { format: 1 as const, name: 'edge_b', input: { width: 32, signed: false }, weights: [[(1n << 63n) - 1n], [-(1n << 40n)], [1n]] },
      { format: 1 as const, name: 'edge_c', input: { width: 2, signed: true }, weights: [[1n, -1n, 1n]] },
    ];
    for (let k = 0; k < 9; k++) {
      cases.push(randomSpec(rng, { rows: 1 + rng.below(12), cols: 1 + rng.below(12), width: 2 + rng.below(15), signed: rng.below(2) === 0, weightBits: 2 + rng.below(12), name: `rnd${k}` }));
    }
    for (const spec of cases) {
      for (const latency of [0, 1, 2, 3]) {
        const r = compile(spec, { latency });
        const file = join(dir, `${spec.name}.v`);
        writeFileSync(file, r.verilog);
        const res = spawnSync('verilator', ['--lint-only', '-Wall', file], { encoding: 'utf8' });
        expect(`${spec.name} L=${latency}: ${res.stderr}`).toBe(`${spec.name} L=${latency}: `);
        expect(res.status).toBe(0);
      }
    }
  });
});
