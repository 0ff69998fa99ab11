import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { reportMarkdown } from '../../src/report/markdown.js';
import { compileSmall, UP5K_FLOW, smallReport, networkReport } from '../helpers/report.js';


describe('reportMarkdown', () => {
  it('has the heading, the summary, one row per result and the ratio line', () => {
    const { r } = smallReport();
    const md = reportMarkdown(r);
    const lines = md.split('\n');
    expect(lines[0]).toBe('# da-gen report: tiny_layer (4x3)');
    expect(lines).toContain(`| adders | ${r.arithmetic.adders} (no sharing: ${r.arithmetic.naive_adders}) |`);
    expect(lines).toContain(`| adder levels per stage | ${r.arithmetic.stage_depths.join(', ')} |`);
    expect(lines).toContain(`| register bits | ${r.arithmetic.register_bits} |`);
    expect(lines).toContain('| inputs | 3 × 8-bit signed |');
    expect(lines).toContain(
      '| target | design | LUTs | carries | FFs | estimated LUTs, carries, FFs | BRAM | DSP | Fmax (MHz) | timing met at clock | latency (ns) at Fmax | latency (ns) at clock | (LUT+carry)/adder bit | note |',
    );
    const ratio = (150 / r.arithmetic.adder_bits).toFixed(2);
    const daRow = `| ice40-up5k | da-gen | 100 | 50 | 40 | — | 0 | 0 | 50.0 | yes (48.0 MHz) | 40.0 | 41.7 | ${ratio} |  |`;
    const baseRow = '| ice40-up5k | baseline | 300 | 120 | 40 | — | 0 | 0 | 30.2 | no (48.0 MHz) | 66.2 | 41.7 | — | routing did not converge within 120 s |';
    const genericRow = '| generic | da-gen | — | — | 12 | — | 0 | 0 | — | unknown (100.0 MHz) | — | 20.0 | — | no place and route \\| generic cells |';
    // da-gen and baseline of the same target next to each other, although given apart
    expect(lines.indexOf(baseRow)).toBe(lines.indexOf(daRow) + 1);
    expect(lines.indexOf(genericRow)).toBe(lines.indexOf(baseRow) + 1);
    expect(lines).toContain('- ice40-up5k: da-gen / baseline LUTs = 100 / 300 = 0.33');
    expect(md).not.toContain('- generic: da-gen / baseline');
    // flows, the wrapper apart, tools
    expect(lines).toContain(`| ice40-up5k | da-gen | ${UP5K_FLOW} | nextpnr-ice40 (WebAssembly) | 28 |`);
    expect(lines).toContain('| generic | da-gen | synth | none | — |');
    expect(lines).toContain('| nextpnr-ice40 | 0.8 (WebAssembly) |');
    expect(reportMarkdown(r)).toBe(md);
  });

  it('escapes | and line breaks in free text', () => {
    const { r } = smallReport();
    r.targets[2]!.note = 'a|b\nc';
    r.targets[2]!.flow = 'synth | abc';
    const md = reportMarkdown(r);
    expect(md).toContain('| a\\|b c |');
    expect(md).toContain('| synth \\| abc |');
    // every table row still has the same number of unescaped separators as its header
    for (const line of md.split('\n').filter((l) => l.startsWith('| ice40-up5k | baseline |'))) {
      const seps = line.replace(/\\\|/g, '').split('|').length;
      expect([16, 7]).toContain(seps);
    }
  });

  it('shows the estimate beside the counts, and the estimated cells of every family', () => {
    const { r: rep, report } = networkReport();
    const t = { target: 'ice40-up5k', design: 'da-gen' as const, flow: 'synth_ice40', cells: { SB_LUT4: 90 }, luts: 90, carries: 30, ffs: 20, clock_mhz: 48, estimate: { luts: 88, carries: 31, ffs: 20 } };
    const md = reportMarkdown(buildReport({ netlist: rep.netlist, stats: rep.stats, targets: [t], tools: {}, manifest: rep.manifest }));
    expect(md).toMatch(/^\| ice40-up5k \| da-gen \| 90 \| 30 \| 20 \| 88, 31, 20 \|/m);
    // the section lists each family's cells, LUTs first
    const ice = rep.manifest.estimated_cells!['ice40']!;
    expect(md).toContain('## Estimated cells');
    expect(md).toContain(`| ice40 | ${ice['SB_LUT4']} SB_LUT4, ${ice['SB_CARRY']} SB_CARRY, ${ice['SB_DFF']} SB_DFF |`);
    expect(reportMarkdown(report)).toContain('## Estimated cells');
  });

  it('says so when no target was run', () => {
    const c = compileSmall(1);
    const md = reportMarkdown(buildReport({ netlist: c.netlist, stats: c.stats, targets: [], tools: {} }));
    expect(md).toContain('No synthesis target was run.');
    expect(md).toContain('| latency | 1 cycle |');
    expect(md).not.toContain('## Tools');
  });
});

describe('reportMarkdown: a network', () => {
  it('lists the layers, their formats and fractional bits, and the score', () => {
    const { report } = networkReport();
    const md = reportMarkdown(report);
    expect(md).toContain('## Layers');
    // 6-bit inputs: --arith auto weighed tables of slices, and the report says what each cost
    expect(md).toContain('| 0 | dense (shift-add) | 3 | 2 | 3 |');
    expect(md).toMatch(/^- layer 0, kept shift-add: shift-add \d+ adders \(\d+ cells\); table \(2-bit slices\): .*cells/m);
    expect(md).toContain('5-bit unsigned, saturate');
    expect(md).toContain('| 4, 2 |');
    expect(md).toMatch(/Score: `sum_of_squares` of the last layer, \d+-bit port `score`; squares by lookup table\./);
  });
});
