import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { synthesizeTargets } from '../../src/flows/synthesize.js';
import { checkTargets, familyNamed } from '../../src/platform/index.js';
import { describeRun, fmaxFromReport, nextpnrWhy, placeAndRouteCore, placerOf } from '../../src/platform/nextpnr.js';
import { buildReport, reportJsonText } from '../../src/report/build.js';
import { parseReport } from '../../src/report/parse.js';
import { emitBaselineVerilog } from '../../src/rtl/verilog/baseline.js';
import { findTool } from '../../src/toolchain/tool.js';
import { matrixCase } from '../helpers/random.js';

// WebAssembly nextpnr-ice40 is slow: tiny designs only. The flow (synthesizeTargets) is the
// caller that puts the results into a report entry; place and route itself is placeAndRouteCore.

const tiny = matrixCase('tiny', { width: 6, signed: true }, [[3n, -5n, 7n], [12n, 7n, -1n], [0n, 9n, 5n]]);
const small = matrixCase('small4', { width: 8, signed: true }, [[93n, -77n, 45n, 119n], [-3n, 58n, -101n, 66n], [27n, -91n, 13n, -60n], [111n, 5n, -47n, 88n]]);

describe('place and route with the WebAssembly nextpnr-ice40', () => {
  it('places a core inside the pin wrapper and reads Fmax, with the wrapper counted apart', async () => {
    const r = compile(tiny, { latency: 1 });
    const flow = await synthesizeTargets(r, { targets: ['ice40-up5k'], clockMhz: 40, timeoutSeconds: 300 });
    const t = flow.targets[0]!;
    expect(t.place_and_route).toMatch(/nextpnr-ice40/);
    expect(t.place_and_route).toBe('nextpnr-ice40 (WebAssembly)');
    expect(t.note).toBeNull();
    expect(t.fmax_mhz).toBeGreaterThan(10);
    expect(t.fmax_mhz).toBeLessThan(1000);
    expect(t.flow).toMatch(/^synth_ice40 \(core in the pin wrapper\); nextpnr-ice40 --up5k --package sg48 .*--freq 40 --seed 1$/);
    // the wrapper: x and y shift registers (3·6 + 3·w_out flip-flops and a mux per y bit)
    const wrapperFfs = Object.entries(t.wrapper_cells!).filter(([k]) => k.startsWith('SB_DFF')).reduce((s, [, v]) => s + v, 0);
    expect(wrapperFfs).toBe(3 * 6 + 3 * r.netlist.ports.outputWidth);
    expect(Object.keys(t.wrapper_cells!)).not.toContain('tiny');
    const report = buildReport({ netlist: r.netlist, stats: r.stats, targets: flow.targets, tools: flow.tools });
    expect(parseReport(reportJsonText(report), 'r.json')).toEqual(report);
    expect(report.targets[0]!.timing_met).toBe(t.fmax_mhz! >= 40);
    expect(report.tools['nextpnr-ice40']).toMatch(/WebAssembly/);
  }, 300_000);

  it('says so when the design does not fit the part', async () => {
    // (placeAndRouteCore directly: the flow would also synthesize and place the da-gen design)
    const r = compile(small, { latency: 1 });
    const base = await placeAndRouteCore(emitBaselineVerilog(small.weights, r.netlist), 'small4_baseline', checkTargets(['ice40-hx1k'])[0]!, r.netlist.ports, 40, 1, { timeoutSeconds: 300 });
    // the hand-written multipliers need more logic cells than the HX1K's 1280
    expect(base.fmaxMhz).toBeNull();
    expect(base.placed).toBeNull();
    expect(base.note).toMatch(/place and route failed: the design needs/);
    expect(base.tool).toBe('nextpnr-ice40 (WebAssembly)');
  }, 300_000);

  it('placeAndRouteCore refuses a target without place and route', async () => {
    const r = compile(tiny, { latency: 1 });
    await expect(placeAndRouteCore(r.verilog, 'tiny', checkTargets(['generic'])[0]!, r.netlist.ports, 40, 1)).rejects.toThrow(/internal: generic has no place and route here/);
  });
});

describe('nextpnr messages and reports', () => {
  it('says in one line why place and route failed', () => {
    expect(nextpnrWhy('Info: x\nERROR: Failed to expand region (0, 0) |_> (33, 33) of 3064 ICESTORM_LCs\n')).toBe('the design needs 3064 ICESTORM_LC cells, more than the part has');
    expect(nextpnrWhy("ERROR: Unable to place cell 'x', no BELs remaining to implement cell type 'SB_RAM40_4K'")).toBe('the design needs more SB_RAM40_4K cells than the part has');
    expect(nextpnrWhy('no error here')).toBe('nextpnr failed');
    // a long message is cut to 160 characters
    const long = nextpnrWhy(`ERROR: ${'x'.repeat(300)}`);
    expect(long.length).toBe(158);
    expect(long.endsWith('…')).toBe(true);
  });

  it('reads the lowest achieved clock from the --report JSON', () => {
    expect(fmaxFromReport(JSON.stringify({ fmax: { clk: { achieved: 87.5, constraint: 40 } } }))).toBe(87.5);
    expect(fmaxFromReport(JSON.stringify({ fmax: { a: { achieved: 120 }, b: { achieved: 95.25 } } }))).toBe(95.25);
    expect(fmaxFromReport(JSON.stringify({ fmax: {} }))).toBeNull();
    expect(fmaxFromReport(JSON.stringify({}))).toBeNull();
    expect(fmaxFromReport(JSON.stringify({ fmax: { clk: {} } }))).toBeNull();
  });

  it("the placer of each family, and the report's name for it", () => {
    expect(placerOf(familyNamed('generic')!)).toBeNull();
    const ice = placerOf(familyNamed('ice40')!)!;
    expect(ice.name).toBe('nextpnr-ice40');
    expect(describeRun(ice)).toBe('nextpnr-ice40 (WebAssembly)');
    expect(placerOf(familyNamed('ecp5')!)?.name ?? null).toBe(findTool('nextpnr-ecp5')?.name ?? null);
  });
});
