import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.js';
import { buildReport, reportJsonText } from '../../src/report/build.js';
import { parseReport } from '../../src/report/build.js';
import { emitBaselineVerilog } from '../../src/rtl/baseline.js';
import { adderForms } from '../../src/rtl/verilog.js';
import { runFlow } from '../../src/synth/flow.js';
import { runTool } from '../../src/synth/run-tool.js';
import { nextpnrWhy, parseStat, synthesize, wrapperVerilog } from '../../src/synth/synthesize.js';
import { TARGETS } from '../../src/synth/targets.js';

// WebAssembly Yosys and nextpnr are slow: these tests use tiny designs only; big runs are
// benchmarks. Every test here runs the real tools.

const tiny = { format: 1 as const, name: 'tiny', input: { width: 6, signed: true }, weights: [[3n, -5n, 7n], [12n, 7n, -1n], [0n, 9n, 5n]] };
const small = { format: 1 as const, name: 'small4', input: { width: 8, signed: true }, weights: [[93n, -77n, 45n, 119n], [-3n, 58n, -101n, 66n], [27n, -91n, 13n, -60n], [111n, 5n, -47n, 88n]] };

describe('synthesis with the WebAssembly Yosys', () => {
  it('maps a design for every family, with no DSP or multiplier and plausible counts', async () => {
    const r = compile(tiny, { latency: 1 });
    for (const name of ['generic', 'ice40-up5k', 'ecp5-25k']) {
      const s = await synthesize(r.verilog, 'tiny', TARGETS[name]!);
      // (ECP5's CCU2C carry cells hold their own LUTs: count both)
      const logic = s.luts! + (s.carries ?? 0);
      expect(logic, name).toBeGreaterThan(5);
      expect(logic, name).toBeLessThan(2000);
      expect(s.dsp).toBe(0);
      expect(s.bram).toBe(0);
      // registers: the netlist's register bits, give or take constant bits Yosys removes
      expect(s.ffs!, name).toBeLessThanOrEqual(r.netlist.registerBits);
      expect(s.ffs!, name).toBeGreaterThan(0);
      expect(Object.keys(s.cells).some((k) => /mul|MAC|MULT/.test(k))).toBe(false);
    }
  });

  it('uses far fewer iCE40 LUTs than the hand-written W*x', async () => {
    const r = compile(small, { latency: 2 });
    const t = TARGETS['ice40-up5k']!;
    const d = await synthesize(r.verilog, 'small4', t);
    const b = await synthesize(emitBaselineVerilog(small.weights, r.netlist), 'small4_baseline', t);
    expect(d.luts! / b.luts!).toBeLessThan(0.6);
  }, 180_000);

  it('reports a tool failure and a time limit instead of hanging', async () => {
    const bad = await runTool('yosys', ['-q', '-p', 'read_verilog design.v'], { 'design.v': 'module broken(' }, [], { timeoutSeconds: 60 });
    expect(bad.ok).toBe(false);
    expect(bad.timedOut).toBe(false);
    // the baseline's multipliers take Yosys well over 4 s; stop it at 4 s (after its WebAssembly
    // is compiled and running: stopping a thread while it compiles can take the process down)
    const r = compile(small, { latency: 1 });
    const slow = await runTool('yosys', ['-q', '-p', 'read_verilog design.v; synth_ice40 -top small4_baseline'], { 'design.v': emitBaselineVerilog(small.weights, r.netlist) }, [], { timeoutSeconds: 4 });
    expect(slow.timedOut).toBe(true);
    expect(slow.ok).toBe(false);
  });

  it('on iCE40 each adder is one carry chain: a sum of four is three chains, not a carry-save tree', async () => {
    // Yosys's alumacc would merge (x0 + x1) + (x2 + x3) into one $macc (full adders and a final
    // chain); the emitted module instances keep the three adders apart. Each adder bit is one
    // SB_LUT4 (its sum) and, below its top bit, one SB_CARRY.
    const sum4 = { format: 1 as const, name: 'sum4', input: { width: 8, signed: true }, weights: [[1n, 1n, 1n, 1n]] };
    const r = compile(sum4, { latency: 1 });
    const adders = r.netlist.signals.filter((s) => s.kind === 'add');
    expect(adders.map((s) => s.width).sort((a, b) => a - b)).toEqual([9, 9, 10]);
    const s = await synthesize(r.verilog, 'sum4', TARGETS['ice40-up5k']!);
    expect(s.cells['SB_LUT4']).toBe(9 + 9 + 10);
    expect(s.cells['SB_CARRY']).toBe(8 + 8 + 9);

    // with subtractions: one more LUT per bit of each inverted copy (x_n = ~x), none for the
    // signals held complemented, whose inversion joins the sum's own LUT
    const r2 = compile(tiny, { latency: 1 });
    const f = adderForms(r2.netlist);
    let chain = 0;
    let inverters = 0;
    let n = 0;
    r2.netlist.signals.forEach((s, idx) => {
      if (f.inverted[idx]) inverters += s.width;
      if (s.kind !== 'add' && s.kind !== 'sub') return;
      n++;
      chain += s.width - Math.min(s.width - 1, s.kind === 'sub' ? s.shiftB : Math.max(s.shiftA, s.shiftB));
    });
    const s2 = await synthesize(r2.verilog, 'tiny', TARGETS['ice40-up5k']!);
    // Yosys may still drop a bit or two it finds constant
    expect(s2.cells['SB_LUT4']).toBeLessThanOrEqual(chain + inverters);
    expect(s2.cells['SB_LUT4']).toBeGreaterThanOrEqual(Math.floor(0.95 * (chain + inverters)));
    expect(s2.cells['SB_CARRY']).toBeLessThanOrEqual(chain - n);
    expect(s2.cells['SB_CARRY']).toBeGreaterThanOrEqual(Math.floor(0.95 * (chain - n)));
  }, 120_000);

  it('reads cell counts from stat -json', () => {
    const text = 'junk before\n{"modules": {"\\\\m": {"num_cells_by_type": {"SB_LUT4": 3, "$scopeinfo": 1, "SB_CARRY": 2}}}}';
    expect(parseStat(text, 'm')).toEqual({ SB_CARRY: 2, SB_LUT4: 3 });
    // with a hierarchy: the design's totals, or the module's own cells
    const h =
      '{"modules": {"\\\\m": {"num_cells_by_type": {"SB_LUT4": 1, "m_add": 2}}, "\\\\m_add": {"num_cells_by_type": {"SB_LUT4": 3}}},' +
      ' "design": {"num_cells_by_type": {"SB_LUT4": 7}}}';
    expect(parseStat(h, 'm')).toEqual({ SB_LUT4: 7 });
    expect(parseStat(h, 'm', 'module')).toEqual({ SB_LUT4: 1, m_add: 2 });
  });
});

describe('place and route with the WebAssembly nextpnr-ice40', () => {
  it('places a core inside the pin wrapper and reads Fmax, with the wrapper counted apart', async () => {
    const r = compile(tiny, { latency: 1 });
    const flow = await runFlow(r, tiny.weights, { targets: ['ice40-up5k'], clockMhz: 40, timeoutSeconds: 300 });
    const t = flow.targets[0]!;
    expect(t.place_and_route).toMatch(/nextpnr-ice40/);
    expect(t.note).toBeNull();
    expect(t.fmax_mhz).toBeGreaterThan(10);
    expect(t.fmax_mhz).toBeLessThan(1000);
    // the wrapper: x and y shift registers (3·6 + 3·w_out flip-flops and a mux per y bit)
    const wrapperFfs = Object.entries(t.wrapper_cells!).filter(([k]) => k.startsWith('SB_DFF')).reduce((s, [, v]) => s + v, 0);
    expect(wrapperFfs).toBe(3 * 6 + 3 * r.netlist.outputWidth);
    expect(Object.keys(t.wrapper_cells!)).not.toContain('tiny');
    const report = buildReport({ netlist: r.netlist, stats: r.stats, targets: flow.targets, tools: flow.tools });
    expect(parseReport(reportJsonText(report), 'r.json')).toEqual(report);
    expect(report.targets[0]!.timing_met).toBe(t.fmax_mhz! >= 40);
    expect(report.tools['nextpnr-ice40']).toMatch(/WebAssembly/);
  }, 300_000);

  it('says so when the design does not fit the part', async () => {
    const r = compile(small, { latency: 1 });
    const flow = await runFlow(r, small.weights, { targets: ['ice40-hx1k'], timeoutSeconds: 300, baseline: true });
    const base = flow.targets.find((x) => x.design === 'baseline')!;
    // the hand-written multipliers need more logic cells than the HX1K's 1280
    expect(base.fmax_mhz ?? null).toBeNull();
    expect(base.note).toMatch(/place and route failed: the design needs/);
  }, 300_000);

  it('the wrapper is plain Verilog with one pin in, one load, one out', () => {
    const v = wrapperVerilog('core_m', { nIn: 2, inputWidth: 4, nOut: 3, outputWidth: 5 });
    expect(v).toContain('reg  [7:0] xs;');
    expect(v).toContain('reg  [14:0] ys;');
    expect(v).toContain('core_m core (.clk(clk), .x(xs), .y(y));');
  });
});

describe('nextpnr messages', () => {
  it('says in one line why place and route failed', () => {
    expect(nextpnrWhy('Info: x\nERROR: Failed to expand region (0, 0) |_> (33, 33) of 3064 ICESTORM_LCs\n')).toBe('the design needs 3064 ICESTORM_LC cells, more than the part has');
    expect(nextpnrWhy("ERROR: Unable to place cell 'x', no BELs remaining to implement cell type 'SB_RAM40_4K'")).toBe('the design needs more SB_RAM40_4K cells than the part has');
    expect(nextpnrWhy('no error here')).toBe('nextpnr failed');
  });
});
