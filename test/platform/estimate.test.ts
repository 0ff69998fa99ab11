import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { lutsForTable } from '../../src/platform/family.js';
import { checkTargets, estimateCells, familyOf } from '../../src/platform/index.js';
import { parseStat, runYosys } from '../../src/platform/yosys.js';
import { logicProfile } from '../../src/rtl/profile.js';
import { parseSpec } from '../../src/spec/parse.js';

// Cell estimates without synthesis (rtl/profile.ts, each family's `estimate`): against
// WebAssembly Yosys's synth_ice40 on two small designs, a matrix and a network with ReLU,
// rounding, saturation and squares, where the 10% promise of the README must hold; then the
// parts that need no synthesis. The full calibration table is `npm run bench:estimate`.

/** Deterministic small integers (a linear congruential sequence), so the designs are fixed. */
function ints(n: number, lo: number, hi: number, seed: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(lo + (Math.floor(x / 65536) % (hi - lo + 1)));
  }
  return out;
}
const rows = (r: number, c: number, lo: number, hi: number, seed: number): number[][] => {
  const v = ints(r * c, lo, hi, seed);
  return Array.from({ length: r }, (_, i) => v.slice(i * c, (i + 1) * c));
};

const matrix = readFileSync(new URL('../fixtures/rand_i8_8x8.json', import.meta.url), 'utf8');
const network = JSON.stringify({
  format: 1,
  name: 'est_net',
  input: { width: 6, signed: true },
  layers: [
    { weights: rows(4, 6, -15, 15, 3), bias: ints(4, -40, 40, 4), activation: 'relu', shift: 4, rounding: 'nearest', output: { width: 6, signed: false, overflow: 'saturate' } },
    { weights: rows(2, 4, -15, 15, 5), shift: 3, rounding: 'nearest', output: { width: 6, signed: true, overflow: 'saturate' } },
  ],
  score: { kind: 'sum_of_squares', of: 'last' },
});

describe('cell estimates against synth_ice40', () => {
  it('rand_i8_8x8 and a two-layer network (ReLU, rounding, saturation, squares): SB_LUT4, SB_CARRY and SB_DFF within 10% of Yosys', async () => {
    const [ice40] = checkTargets(['ice40-up5k']);
    const designs = [compile(parseSpec(matrix, 'rand_i8_8x8.json'), { latency: 2 }), compile(parseSpec(network, 'est_net.json'), { latency: 2 })];
    // both in one Yosys run (its start is most of a small design's time)
    const script = designs
      .map((r, k) => `read_verilog d${k}.v; ${familyOf(ice40!).synthCommand(r.netlist.module)}; tee -q -o s${k}.json stat -json; design -reset`)
      .join('; ');
    const files = Object.fromEntries(designs.map((r, k) => [`d${k}.v`, r.verilog]));
    const out = await runYosys('synthesis for ice40', script, files, designs.map((_, k) => `s${k}.json`), { timeoutSeconds: 300 });
    designs.forEach((r, k) => {
      const est = estimateCells(r.netlist);
      expect(r.manifest.estimated_cells).toEqual(est);
      const e = est['ice40']!;
      const cells = parseStat(out[`s${k}.json`]!, r.netlist.module);
      const measured = familyOf(ice40!).resources(cells);
      // the family reads its estimate as it reads Yosys's counts
      const guess = familyOf(ice40!).resources(e);
      expect([guess.luts, guess.carries, guess.ffs]).toEqual([e['SB_LUT4'], e['SB_CARRY'], e['SB_DFF']]);
      for (const [kind, m, g] of [
        ['SB_LUT4', measured.luts, guess.luts],
        ['SB_CARRY', measured.carries, guess.carries],
        ['SB_DFF*', measured.ffs, guess.ffs],
      ] as const) {
        expect(m!, `${r.netlist.module} ${kind}`).toBeGreaterThan(0);
        expect(Math.abs(g! - m!) / m!, `${r.netlist.module} ${kind}: estimate ${g}, Yosys ${m}`).toBeLessThanOrEqual(0.1);
      }
    });
  }, 300_000);
});

describe('cell estimates: the parts', () => {
  it('every family gets LUTs and flip-flops, and the families with carry cells carries', () => {
    const r = compile(parseSpec(matrix, 'm.json'), { latency: 2 });
    const est = estimateCells(r.netlist);
    expect(Object.keys(est).sort()).toEqual(['ecp5', 'generic', 'ice40']);
    expect(Object.keys(est['ice40']!)).toEqual(['SB_LUT4', 'SB_CARRY', 'SB_DFF']);
    expect(Object.keys(est['ecp5']!)).toEqual(['LUT4', 'CCU2C', 'TRELLIS_FF']);
    expect(Object.keys(est['generic']!)).toEqual(['$lut', '$_DFF_P_']);
    // an ECP5 CCU2C holds two chain bits, so about half as many as iCE40's carries
    expect(est['ecp5']!['CCU2C']!).toBeGreaterThan(est['ice40']!['SB_CARRY']! / 2);
    expect(est['ecp5']!['CCU2C']!).toBeLessThan(est['ice40']!['SB_CARRY']!);
  });

  it('a latency-0 design has no registers; more register ranks add flip-flops, not LUTs', () => {
    const at = (L: number): Record<string, number> => estimateCells(compile(parseSpec(matrix, 'm.json'), { latency: L }).netlist)['ice40']!;
    const e0 = at(0);
    const e2 = at(2);
    expect(e0['SB_DFF']).toBe(0);
    expect(e2['SB_DFF']!).toBeGreaterThan(0);
    // the same adders whatever the registers (the graph is the same)
    expect(e2['SB_CARRY']).toBe(e0['SB_CARRY']);
  });

  it('a carry chain is one sum LUT per bit read: y = x0 + x1 of 8-bit signed x is 9 LUTs and 8 carries', () => {
    const r = compile(parseSpec(JSON.stringify({ format: 1, name: 'add2', input: { width: 8, signed: true }, weights: [[1, 1]] }), 'a.json'), { latency: 0 });
    const p = logicProfile(r.netlist);
    expect(p.chains).toEqual([9]);
    expect(estimateCells(r.netlist)['ice40']).toEqual({ SB_LUT4: 9, SB_CARRY: 8, SB_DFF: 0 });
  });

  it('lutsForTable: constants and address bits are free, four inputs are one LUT, a fifth splits', () => {
    const table = (n: number, f: (q: number) => number): Uint8Array => Uint8Array.from({ length: 2 ** n }, (_, q) => f(q));
    const parity = (q: number): number => q.toString(2).split('').filter((c) => c === '1').length % 2;
    expect(lutsForTable(3, [table(3, () => 0), table(3, () => 1)], 4, 1)).toBe(0);
    expect(lutsForTable(3, [table(3, (q) => (q >> 2) & 1)], 4, 1)).toBe(0); // address bit 2 itself
    expect(lutsForTable(4, [table(4, parity)], 4, 1)).toBe(1);
    // parity of 5 bits: the two halves (parity of 4, and its inverse) and a LUT choosing; no
    // choosing LUT where the family has multiplexer cells
    expect(lutsForTable(5, [table(5, parity)], 4, 1)).toBe(3);
    expect(lutsForTable(5, [table(5, parity)], 4, 0)).toBe(2);
    // a bit that ignores an address bit is costed over the bits it reads; equal bits are built once
    expect(lutsForTable(5, [table(5, (q) => parity(q & 15)), table(5, (q) => parity(q & 15))], 4, 1)).toBe(1);
    // the same truth table over other address bits is other logic: x0 ^ x1 and x2 ^ x3 are two LUTs
    expect(lutsForTable(4, [table(4, (q) => parity(q & 3)), table(4, (q) => parity(q & 12))], 4, 1)).toBe(2);
    // an inverted address bit as an output is a LUT (a NOT)
    expect(lutsForTable(2, [table(2, (q) => 1 - (q & 1))], 4, 1)).toBe(1);
  });
});
