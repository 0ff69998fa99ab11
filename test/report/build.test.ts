import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { buildReport, reportJsonText, stageDepths, targetResult } from '../../src/report/build.js';
import { REPORT_SCHEMA } from '../../src/report/schema.js';
import { VERSION } from '../../src/version.js';
import { matrixCase } from '../helpers/random.js';
import { compileSmall, targets, smallReport, networkReport } from '../helpers/report.js';


describe('buildReport', () => {
  it('takes the design and arithmetic from a real compile', () => {
    const { c, r } = smallReport();
    expect(r.schema).toBe(REPORT_SCHEMA);
    expect(r.generator).toBe(`da-gen ${VERSION}`);
    expect(r.design).toEqual({
      module: 'tiny_layer',
      shape: '4x3',
      inputs: 3,
      input_width: 8,
      input_signed: true,
      outputs: 4,
      output_width: c.manifest.output_width,
      output_signed: c.manifest.output_signed,
      latency: 2,
    });
    expect(r.arithmetic.adders).toBe(c.manifest.adders);
    expect(r.arithmetic.naive_adders).toBe(c.manifest.naive_adders);
    expect(r.arithmetic.adder_bits).toBe(c.manifest.adder_bits);
    expect(r.arithmetic.adder_depth).toBe(c.netlist.adderDepth);
    expect(r.arithmetic.depth_bound).toBe(c.manifest.depth_bound);
    expect(r.arithmetic.register_bits).toBe(c.netlist.registerBits);
    expect(r.arithmetic.adders).toBeGreaterThan(0);
    expect(r.arithmetic.adders).toBeLessThanOrEqual(r.arithmetic.naive_adders);
    // stage depths are the differences of the cuts and add up to the whole depth
    const cuts = c.netlist.cuts;
    expect(r.arithmetic.stage_depths).toEqual([cuts[0], cuts[1]! - cuts[0]!]);
    expect(r.arithmetic.stage_depths.reduce((s, x) => s + x, 0)).toBe(r.arithmetic.adder_depth);
    expect(Object.keys(r.tools)).toEqual(['nextpnr-ice40', 'yosys']);
  });

  it('stage depths: cuts [4, 8] → [4, 4]; latency 0 → one stage of the whole depth', () => {
    expect(stageDepths([4, 8], 8)).toEqual([4, 4]);
    expect(stageDepths([2, 5, 7], 7)).toEqual([2, 3, 2]);
    expect(stageDepths([0, 0, 0], 0)).toEqual([0, 0, 0]);
    expect(stageDepths([], 6)).toEqual([6]);
    const { c, r } = smallReport(0);
    expect(c.netlist.cuts).toEqual([]);
    expect(r.arithmetic.stage_depths).toEqual([c.netlist.adderDepth]);
    expect(r.design.latency).toBe(0);
    // a combinational design has no cycles of latency
    expect(r.targets[0]!.latency_ns_at_clock).toBe(0);
    expect(r.targets[0]!.latency_ns_at_fmax).toBe(0);
  });

  it('fills the derived target fields', () => {
    const { r } = smallReport();
    const [up, generic, base] = r.targets;
    const bits = r.arithmetic.adder_bits;
    // da-gen on the UP5K: 50 MHz ≥ 48 MHz
    expect(up!.timing_met).toBe(true);
    expect(up!.latency_ns_at_fmax).toBe(40); // 2 cycles × 20 ns
    expect(up!.latency_ns_at_clock).toBe(41.667); // 2 × 1000/48, to 1 ps
    expect(up!.lut_carry_per_adder_bit).toBe(Math.round((150 / bits) * 10000) / 10000);
    expect(up!.bram).toBe(0);
    expect(up!.dsp).toBe(0);
    expect(Object.keys(up!.cells)).toEqual(['SB_CARRY', 'SB_DFF', 'SB_LUT4']);
    expect(Object.keys(up!.wrapper_cells!)).toEqual(['SB_DFF', 'SB_IO']);
    // no Fmax: timing unknown, latency at Fmax unknown; no LUT count: no ratio
    expect(generic!.fmax_mhz).toBeNull();
    expect(generic!.timing_met).toBeNull();
    expect(generic!.latency_ns_at_fmax).toBeNull();
    expect(generic!.latency_ns_at_clock).toBe(20);
    expect(generic!.lut_carry_per_adder_bit).toBeNull();
    expect(generic!.luts).toBeNull();
    expect(generic!.place_and_route).toBeNull();
    expect(generic!.wrapper_cells).toBeNull();
    // the baseline misses the clock and has no per-adder-bit ratio
    expect(base!.timing_met).toBe(false);
    expect(base!.latency_ns_at_fmax).toBe(66.225);
    expect(base!.lut_carry_per_adder_bit).toBeNull();
    expect(base!.note).toBe('routing did not converge within 120 s');
  });

  it('targetResult: timing met exactly at the clock; carries missing count as 0; bad clocks rejected', () => {
    const ctx = { latency: 3, adderBits: 200 };
    const t = targetResult({ target: 'ecp5-25k', design: 'da-gen', flow: 'synth_ecp5', cells: {}, luts: 100, fmax_mhz: 75, clock_mhz: 75 }, ctx);
    expect(t.timing_met).toBe(true);
    expect(t.latency_ns_at_fmax).toBe(40);
    expect(t.lut_carry_per_adder_bit).toBe(0.5);
    expect(targetResult({ ...t, fmax_mhz: 74.9 }, ctx).timing_met).toBe(false);
    expect(() => targetResult({ ...t, clock_mhz: 0 }, ctx)).toThrow(RangeError);
    expect(() => targetResult({ ...t, fmax_mhz: -1 }, ctx)).toThrow(RangeError);
  });

  it('is deterministic and keeps the schema key order', () => {
    const a = reportJsonText(smallReport().r);
    const b = reportJsonText(smallReport().r);
    expect(a).toBe(b);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a.split('\n')[1]).toBe(`  "schema": "${REPORT_SCHEMA}",`);
    const doc = JSON.parse(a);
    expect(Object.keys(doc)).toEqual(['schema', 'generator', 'design', 'arithmetic', 'targets', 'tools']);
    expect(Object.keys(doc.arithmetic)).toEqual(['adders', 'naive_adders', 'adder_bits', 'adder_depth', 'depth_bound', 'stage_depths', 'register_bits']);
    expect(Object.keys(doc.targets[0])).toEqual([
      'target', 'design', 'flow', 'cells', 'luts', 'carries', 'ffs', 'bram', 'dsp', 'estimate', 'wrapper_cells', 'place_and_route',
      'fmax_mhz', 'clock_mhz', 'timing_met', 'latency_ns_at_fmax', 'latency_ns_at_clock', 'lut_carry_per_adder_bit', 'note',
    ]);
  });

  it('rejects two results for the same target and design', () => {
    const c = compileSmall(2);
    const t = targets();
    expect(() => buildReport({ netlist: c.netlist, stats: c.stats, targets: [...t, t[0]!], tools: {} })).toThrow(/ice40-up5k/);
  });
});

describe('a network in the report', () => {
  const { r, report } = networkReport();

  it('lists the layers, their formats and fractional bits, and the score', () => {
    expect(report.network!.layers.map((l) => [l.inputs, l.outputs, l.activation, l.shift, l.output, l.weight_frac_bits, l.input_frac_bits])).toEqual([
      [2, 3, 'relu', 2, '5-bit unsigned, saturate', 4, 2],
      [3, 1, 'linear', 0, null, null, null],
    ]);
    expect(report.network!.score).toBe('sum_of_squares');
    expect(report.network!.score_width).toBe(r.netlist.score!.width);
    expect(report.network!.squares).toBe('lookup table');
    expect(reportJsonText(report)).toContain('"network"');
  });

  it('a single matrix has no network section', () => {
    const m = compile(matrixCase('m', { width: 4, signed: true }, [[1n, 2n]]));
    const rep = buildReport({ netlist: m.netlist, stats: m.stats, targets: [], tools: {}, manifest: m.manifest });
    expect('network' in rep).toBe(false);
    expect(reportJsonText(rep)).not.toContain('"network"');
  });
});
