import { compile } from '../../src/flows/compile.js';
import type { CompileResult } from '../../src/flows/compile.js';
import { buildReport } from '../../src/report/build.js';
import type { TargetInput } from '../../src/report/build.js';
import type { Report } from '../../src/report/schema.js';
import { parseSpec } from '../../src/spec/parse.js';

/** The report tests' fixture: a small compiled matrix, three target results, and a network's report. */

export const SPEC_TEXT = JSON.stringify({
  format: 1,
  name: 'tiny_layer',
  input: { width: 8, signed: true },
  weights: [
    [3, -5, 7],
    [12, 7, -1],
    [-9, 0, 21],
    [5, 11, -13],
  ],
});

export function compileSmall(latency: number): CompileResult {
  return compile(parseSpec(SPEC_TEXT, 'small.json'), { latency });
}

export const UP5K_FLOW = 'synth_ice40 -nodsp; nextpnr-ice40 --up5k --package sg48 --seed 1';

export function targets(): TargetInput[] {
  return [
    {
      target: 'ice40-up5k',
      design: 'da-gen',
      flow: UP5K_FLOW,
      // deliberately unsorted: the report sorts cell names
      cells: { SB_LUT4: 100, SB_CARRY: 50, SB_DFF: 40 },
      luts: 100,
      carries: 50,
      ffs: 40,
      wrapper_cells: { SB_IO: 20, SB_DFF: 8 },
      place_and_route: 'nextpnr-ice40 (WebAssembly)',
      fmax_mhz: 50,
      clock_mhz: 48,
    },
    {
      target: 'generic',
      design: 'da-gen',
      flow: 'synth',
      cells: { $add: 9, $dff: 3 },
      ffs: 12,
      clock_mhz: 100,
      note: 'no place and route | generic cells',
    },
    {
      target: 'ice40-up5k',
      design: 'baseline',
      flow: UP5K_FLOW,
      cells: { SB_LUT4: 300, SB_CARRY: 120, SB_DFF: 40 },
      luts: 300,
      carries: 120,
      ffs: 40,
      place_and_route: 'nextpnr-ice40 (WebAssembly)',
      fmax_mhz: 30.2,
      clock_mhz: 48,
      note: 'routing did not converge within 120 s',
    },
  ];
}

export const TOOLS = { yosys: '0.55.944 (WebAssembly)', 'nextpnr-ice40': '0.8 (WebAssembly)' };

export function smallReport(latency = 2): { c: CompileResult; r: Report } {
  const c = compileSmall(latency);
  return { c, r: buildReport({ netlist: c.netlist, stats: c.stats, targets: targets(), tools: TOOLS }) };
}

/** A two-layer network with a score, compiled, and its report (no targets). */
export function networkReport(): { r: CompileResult; report: Report } {
  const spec = parseSpec(
    JSON.stringify({
      format: 1,
      name: 'enc',
      input: { width: 6, signed: true },
      layers: [
        { weights: [[3, -5], [7, 2], [1, 1]], bias: [1, 2, 3], activation: 'relu', shift: 2, output: { width: 5, signed: false, overflow: 'saturate' }, weight_frac_bits: 4, input_frac_bits: 2 },
        { weights: [[1, -2, 3]] },
      ],
      score: { kind: 'sum_of_squares', of: 'last' },
    }),
    'enc.json',
  );
  const r = compile(spec, { latency: 2 });
  const report = buildReport({ netlist: r.netlist, stats: r.stats, targets: [], tools: {}, manifest: r.manifest });

  return { r, report };
}
