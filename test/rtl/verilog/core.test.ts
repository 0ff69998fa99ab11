import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optimize } from '../../../src/da/cmvm.js';
import { compile } from '../../../src/flows/compile.js';
import { lowerNetlist } from '../../../src/rtl/lower.js';
import { buildNetlist, isAdder } from '../../../src/rtl/netlist.js';
import { emitVerilog } from '../../../src/rtl/verilog/core.js';
import { Rng } from '../../../src/sim/vectors.js';
import type { Spec } from '../../../src/spec/spec.js';
import { VERSION } from '../../../src/version.js';
import { layerOf } from '../../helpers/layers.js';
import { matrixCase, randomNetwork, randomSpec } from '../../helpers/random.js';
import { haveTool } from '../../helpers/tools.js';
import { stripComments } from '../../helpers/netlist.js';

/** Without comments and `(* … *)` attributes. */

describe('Verilog printer', () => {
  it('keeps the version in one place', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('writes the interface of DESIGN.md, a header and no multiplication', () => {
    const spec = matrixCase('enc', { width: 6, signed: true }, [[3n, -5n, 0n], [12n, 7n, -1n]]);
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

  it('prints the header it is given: title, exactness and the adder count without sharing', () => {
    const n = lowerNetlist(buildNetlist(optimize([[3n, -5n], [12n, 7n]], { width: 4, signed: true }).graph, 'hdr', 1));
    const a = emitVerilog(n, { title: 'what it computes', exact: true, naiveAdders: 17 });
    expect(a).toContain('// hdr: what it computes, multiplier-free (shift-and-add).');
    expect(a).toMatch(/^\/\/ {3}y: 2 × \d+-bit signed, y\[o\] = y\[\d+\*o \+: \d+\] \(exact: no overflow for any x\)$/m);
    expect(a).toContain(`${n.adders} adders (17 without sharing)`);
    expect(a).toContain('latency: 1 clock cycle, one new x per cycle');
    const b = emitVerilog(n, { title: 'something else', exact: false });
    expect(b).toContain('// hdr: something else, multiplier-free');
    expect(b).not.toContain('exact');
    expect(b).not.toContain('without sharing');
    // only the header differs
    const body = (v: string): string => v.split('\n').filter((l) => !l.startsWith('//')).join('\n');
    expect(body(a)).toBe(body(b));
  });

  it('writes subtractions as a + ~b + 1 and chained adders as instances of <module>_add', () => {
    const rng = new Rng(5);
    let instances = 0;
    let withModule = 0;
    for (let trial = 0; trial < 20; trial++) {
      const spec = randomSpec(rng, { rows: 2 + rng.below(8), cols: 2 + rng.below(8), width: 4 + rng.below(6), signed: rng.below(3) > 0, weightBits: 4 + rng.below(6), name: `m${trial}` });
      const r = compile(spec, { latency: rng.below(3) });
      const n = r.netlist;
      const code = stripComments(r.verilog);
      // no subtraction operator left
      for (const line of code.split('\n').filter((l) => /^\s*assign /.test(l))) expect(line).not.toMatch(/ - /);
      expect(code).not.toMatch(/[^'\w]-\s*[a-z(]/);
      let chained = 0;
      n.signals.forEach((s, idx) => {
        if (!isAdder(s)) return;
        if (n.forms.chained[idx]) {
          chained++;
          // .CI(1) for a − b and −a, .INV as held
          const ci = s.kind === 'add' || s.kind === 'addc' ? 0 : 1;
          expect(code).toContain(`  ${spec.name}_add #(`);
          expect(code, s.name).toMatch(new RegExp(`^  ${spec.name}_add #\\(\\.W\\(\\d+\\), \\.CI\\(${ci}\\), \\.INV\\(${n.forms.complemented[idx]}\\)\\) add_${s.name} \\(\\.a\\(.+\\), \\.b\\(.+\\), \\.y\\(${s.name}(\\[\\d+(:\\d+)?\\])?\\)\\);$`, 'm'));
        } else expect(code, s.name).toMatch(new RegExp(`assign ${s.name}(\\[\\d+(:\\d+)?\\])? = `));
      });
      instances += chained;
      expect((code.match(/^ {2}\w+_add #\(/gm) ?? []).length).toBe(chained);
      // the adder module, kept in the hierarchy, is there exactly when some adder is chained
      const module = new RegExp(`\\(\\* keep_hierarchy \\*\\)\\s*module ${spec.name}_add #\\(`);
      if (chained > 0) {
        withModule++;
        expect(r.verilog).toMatch(module);
      } else expect(r.verilog).not.toContain(`module ${spec.name}_add`);
    }
    expect(instances).toBeGreaterThan(10);
    expect(withModule).toBeGreaterThan(0);
  });

  it('declares every signal once, with its width and signedness', () => {
    const rng = new Rng(23);
    for (let trial = 0; trial < 8; trial++) {
      const spec: Spec = trial % 2 === 0 ? randomSpec(rng, { rows: 1 + rng.below(8), cols: 1 + rng.below(8), width: 2 + rng.below(10), signed: rng.below(2) === 0, weightBits: 2 + rng.below(8) }) : randomNetwork(rng, { maxLayers: 3, maxWidth: 8 });
      const r = compile(spec, { latency: rng.below(4) });
      const code = stripComments(r.verilog);
      for (const s of r.netlist.signals) {
        const kind = s.kind === 'reg' ? 'reg' : 'wire';
        const decl = new RegExp(`^\\s*${kind} ${s.signed ? 'signed ' : ''}\\[${s.width - 1}:0\\] ${s.name}\\b`, 'gm');
        expect((code.match(decl) ?? []).length, `${s.kind} ${s.name}`).toBe(1);
      }
    }
  });

  it('prints the score port after y, and squares', () => {
    const spec: Spec = {
      format: 1,
      name: 'scored',
      input: { width: 5, signed: true, bipolar: false, shape: [2] },
      layers: [layerOf([[3n, -5n], [7n, 2n]], { bias: [4n, -9n], activation: 'relu', shift: 1, rounding: 'nearest', output: { width: 5, signed: false, overflow: 'saturate' } })],
      score: { kind: 'sum_of_squares', of: 'last' },
      form: 'layers',
    };
    const r = compile(spec, { latency: 1 });
    const w = r.netlist.score!.width;
    expect(r.verilog).toMatch(new RegExp(`module scored \\(\\s*input\\s+wire\\s+clk,\\s*input\\s+wire \\[9:0\\]\\s+x,\\s*output wire \\[9:0\\]\\s+y,\\s*output wire \\[${w - 1}:0\\]\\s+score\\s*\\);`));
    expect(r.verilog).toContain(`score: ${w}-bit unsigned, the sum of the squares of y, same latency`);
    expect(r.verilog).toMatch(/^ {2}assign score = /m);
    expect(r.verilog).toContain('a network of 1 layer, 2 → 2, with a sum-of-squares score');
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
    const cases: Spec[] = [
      // zero column, zero row, a single input, wide unsigned input, huge weights
      matrixCase('edge_a', { width: 8, signed: true }, [[0n, 5n], [0n, 0n], [0n, -3n]]),
      matrixCase('edge_b', { width: 32, signed: false }, [[(1n << 63n) - 1n], [-(1n << 40n)], [1n]]),
      matrixCase('edge_c', { width: 2, signed: true }, [[1n, -1n, 1n]]),
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
