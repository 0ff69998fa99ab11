import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { compile } from '../../src/compile.js';
import type { CompileResult } from '../../src/compile.js';
import {
  buildReport,
  compareReports,
  parseReport,
  REPORT_SCHEMA,
  reportJsonText,
  reportMarkdown,
  stageDepths,
  targetResult,
} from '../../src/report/index.js';
import type { Report, TargetInput } from '../../src/report/index.js';
import { SpecError } from '../../src/spec/errors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { VERSION } from '../../src/version.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SPEC_TEXT = JSON.stringify({
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

function compileSmall(latency: number): CompileResult {
  return compile(parseSpec(SPEC_TEXT, 'small.json'), { latency });
}

const UP5K_FLOW = 'synth_ice40 -nodsp; nextpnr-ice40 --up5k --package sg48 --seed 1';

function targets(): TargetInput[] {
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

const TOOLS = { yosys: '0.55.944 (WebAssembly)', 'nextpnr-ice40': '0.8 (WebAssembly)' };

function smallReport(latency = 2): { c: CompileResult; r: Report } {
  const c = compileSmall(latency);
  return { c, r: buildReport({ netlist: c.netlist, stats: c.stats, targets: targets(), tools: TOOLS }) };
}

function specErrorOf(f: () => unknown): SpecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('expected a SpecError, nothing was thrown');
}

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
      'target', 'design', 'flow', 'cells', 'luts', 'carries', 'ffs', 'bram', 'dsp', 'wrapper_cells', 'place_and_route',
      'fmax_mhz', 'clock_mhz', 'timing_met', 'latency_ns_at_fmax', 'latency_ns_at_clock', 'lut_carry_per_adder_bit', 'note',
    ]);
  });

  it('rejects two results for the same target and design', () => {
    const c = compileSmall(2);
    const t = targets();
    expect(() => buildReport({ netlist: c.netlist, stats: c.stats, targets: [...t, t[0]!], tools: {} })).toThrow(/ice40-up5k/);
  });
});

describe('parseReport', () => {
  it('round-trips the JSON text', () => {
    const { r } = smallReport();
    const text = reportJsonText(r);
    const back = parseReport(text, 'small.report.json');
    expect(back).toEqual(r);
    expect(reportJsonText(back)).toBe(text);
  });

  it('rejects a wrong or missing schema identifier, naming the file and the path', () => {
    const doc = JSON.parse(reportJsonText(smallReport().r));
    const e = specErrorOf(() => parseReport(JSON.stringify({ ...doc, schema: 'da-gen-report/2' }), 'old.json'));
    expect(e.file).toBe('old.json');
    expect(e.jsonPath).toBe('schema');
    expect(e.message).toContain('old.json: schema: expected "da-gen-report/1"');
    expect(e.message).toContain('da-gen-report/2');
    const m = specErrorOf(() => parseReport(JSON.stringify({ ...doc, schema: undefined }), 'x.json'));
    expect(m.jsonPath).toBe('schema');
    // a manifest is not a report
    expect(specErrorOf(() => parseReport(compileSmall(2).manifestText, 'small.json')).jsonPath).toBe('schema');
  });

  it('rejects missing and mistyped fields with their JSON path', () => {
    const text = reportJsonText(smallReport().r);
    const mutate = (f: (d: any) => void): string => {
      const d = JSON.parse(text);
      f(d);
      return JSON.stringify(d);
    };
    const cases: [(d: any) => void, string, RegExp][] = [
      [(d) => delete d.targets[2].fmax_mhz, 'targets[2].fmax_mhz', /expected a positive number or null, got nothing/],
      [(d) => (d.design.latency = '2'), 'design.latency', /expected a non-negative integer, got the string "2"/],
      [(d) => delete d.arithmetic, 'arithmetic', /expected an object/],
      [(d) => (d.arithmetic.stage_depths = [3, -1]), 'arithmetic.stage_depths[1]', /non-negative integer/],
      [(d) => (d.targets[0].design = 'hand'), 'targets[0].design', /"da-gen" or "baseline"/],
      [(d) => (d.targets[1].cells.$add = 1.5), 'targets[1].cells["$add"]', /non-negative integer/],
      [(d) => (d.tools['nextpnr-ice40'] = 8), 'tools["nextpnr-ice40"]', /expected a string/],
      [(d) => (d.design.shape = '3x4'), 'design.shape', /expected "4x3"/],
      [(d) => (d.targets = {}), 'targets', /expected an array/],
      [(d) => d.targets.push(d.targets[0]), 'targets[3]', /second "ice40-up5k" da-gen \(the first is targets\[0\]\)/],
    ];
    for (const [f, path, detail] of cases) {
      const e = specErrorOf(() => parseReport(mutate(f), 'r.json'));
      expect(e.jsonPath, e.message).toBe(path);
      expect(e.detail).toMatch(detail);
      expect(e.message.startsWith(`r.json: ${path}: `)).toBe(true);
    }
  });

  it('rejects text that is not JSON or not an object', () => {
    const e = specErrorOf(() => parseReport('{\n  "schema": }', 'bad.json'));
    expect(e.jsonPath).toBe('');
    expect(e.message).toMatch(/^bad\.json: not valid JSON at line 2/);
    expect(specErrorOf(() => parseReport('[]', 'a.json')).detail).toMatch(/expected a JSON object/);
    expect(specErrorOf(() => parseReport('', 'empty.json')).detail).toMatch(/not valid JSON/);
  });
});

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
      '| target | design | LUTs | carries | FFs | BRAM | DSP | Fmax (MHz) | timing met at clock | latency (ns) at Fmax | latency (ns) at clock | (LUT+carry)/adder bit | note |',
    );
    const ratio = (150 / r.arithmetic.adder_bits).toFixed(2);
    const daRow = `| ice40-up5k | da-gen | 100 | 50 | 40 | 0 | 0 | 50.0 | yes (48.0 MHz) | 40.0 | 41.7 | ${ratio} |  |`;
    const baseRow = '| ice40-up5k | baseline | 300 | 120 | 40 | 0 | 0 | 30.2 | no (48.0 MHz) | 66.2 | 41.7 | — | routing did not converge within 120 s |';
    const genericRow = '| generic | da-gen | — | — | 12 | 0 | 0 | — | unknown (100.0 MHz) | — | 20.0 | — | no place and route \\| generic cells |';
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
      expect([15, 7]).toContain(seps);
    }
  });

  it('says so when no target was run', () => {
    const c = compileSmall(1);
    const md = reportMarkdown(buildReport({ netlist: c.netlist, stats: c.stats, targets: [], tools: {} }));
    expect(md).toContain('No synthesis target was run.');
    expect(md).toContain('| latency | 1 cycle |');
    expect(md).not.toContain('## Tools');
  });
});

describe('compareReports', () => {
  function pair(): { base: Report; next: Report } {
    const { r } = smallReport();
    const base = structuredClone(r);
    base.arithmetic.adders = 10;
    base.targets[0]!.carries = 0;
    const next = structuredClone(base);
    next.arithmetic.adders = 8;
    next.targets[0]!.luts = 103;
    next.targets[0]!.carries = 5;
    next.targets[0]!.fmax_mhz = 55.5;
    // the baseline is dropped, an ECP5 result added
    next.targets.splice(2, 1);
    next.targets.push(
      targetResult(
        { target: 'ecp5-25k', design: 'da-gen', flow: 'synth_ecp5', cells: {}, luts: 90, fmax_mhz: 120, clock_mhz: 100 },
        { latency: 2, adderBits: next.arithmetic.adder_bits },
      ),
    );
    return { base, next };
  }

  it('gives signed changes and percentages', () => {
    const { base, next } = pair();
    const lines = compareReports(base, next).split('\n');
    expect(lines).toContain('| metric | base | new | change | change % |');
    expect(lines).toContain('| adders | 10 | 8 | \u22122 | \u221220.0% |');
    expect(lines).toContain('| ice40-up5k da-gen LUTs | 100 | 103 | +3 | +3.0% |');
    expect(lines).toContain('| ice40-up5k da-gen carries | 0 | 5 | +5 | — |');
    expect(lines).toContain('| ice40-up5k da-gen Fmax (MHz) | 50.0 | 55.5 | +5.5 | +11.0% |');
    expect(lines).toContain('| ice40-up5k da-gen FFs | 40 | 40 | 0 | 0.0% |');
    expect(lines).toContain('| generic da-gen Fmax (MHz) | — | — | — | — |');
    const bits = base.arithmetic.adder_bits;
    expect(lines).toContain(`| adder bits | ${bits} | ${bits} | 0 | 0.0% |`);
    for (const m of ['adder depth', 'register bits', 'output width', 'latency (cycles)']) {
      expect(lines.some((l) => l.startsWith(`| ${m} | `))).toBe(true);
    }
  });

  it('counts better and worse at the top, lists added and removed targets', () => {
    const { base, next } = pair();
    const md = compareReports(base, next);
    const lines = md.split('\n');
    expect(lines[0]).toBe('### da-gen report: tiny_layer (4x3) compared with the base');
    // better: adders, Fmax; worse: LUTs, carries; 6 design rows + 2 common results × 4 = 14 rows
    expect(lines[2]).toBe(
      '**2 better, 2 worse**, 10 unchanged (lower is better for resources, depth and latency; higher is better for Fmax).',
    );
    expect(lines.indexOf(lines[2]!)).toBeLessThan(lines.indexOf('| metric | base | new | change | change % |'));
    expect(md).toContain('Added targets: ecp5-25k (da-gen).');
    expect(md).toContain('Removed targets: ice40-up5k (baseline).');
    expect(md).not.toContain('| ecp5-25k');
    expect(md).not.toContain('| ice40-up5k baseline');
    expect(lines.filter((l) => /^\| (?!metric|---)/.test(l))).toHaveLength(14);
  });

  it('a higher Fmax is better, a lower one worse; missing on one side is not comparable', () => {
    const { base } = pair();
    const slower = structuredClone(base);
    slower.targets[0]!.fmax_mhz = 45;
    slower.targets[1]!.luts = 7; // generic: null → 7
    const md = compareReports(base, slower);
    expect(md).toContain('| ice40-up5k da-gen Fmax (MHz) | 50.0 | 45.0 | \u22125.0 | \u221210.0% |');
    expect(md).toContain('| generic da-gen LUTs | — | 7 | — | — |');
    expect(md.split('\n')[2]).toMatch(/^\*\*0 better, 1 worse\*\*, 16 unchanged, 1 not comparable/);
    // identical reports: nothing better or worse
    expect(compareReports(base, base).split('\n')[2]).toMatch(/^\*\*0 better, 0 worse\*\*, 18 unchanged \(/);
  });
});

describe('examples/github-actions/report.yml', () => {
  it('is valid YAML: on pull_request, a job that runs npm ci, da-gen --report and report --compare', () => {
    const doc = parseYaml(readFileSync(join(ROOT, 'examples', 'github-actions', 'report.yml'), 'utf8')) as any;
    expect(doc.on).toBeTypeOf('object');
    expect(doc.on).toHaveProperty('pull_request');
    const jobs = Object.values(doc.jobs as Record<string, { steps: { run?: string; uses?: string; name?: string }[] }>);
    expect(jobs.length).toBeGreaterThan(0);
    const job = jobs.find((j) => j.steps.some((s) => /\bnpm ci\b/.test(s.run ?? '')) && j.steps.some((s) => (s.run ?? '').includes('report --compare')));
    expect(job).toBeDefined();
    const runs = job!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('--target ice40-up5k --report');
    expect(job!.steps.some((s) => (s.uses ?? '').startsWith('actions/setup-node'))).toBe(true);
    expect(job!.steps.some((s) => (s.uses ?? '').startsWith('actions/github-script') || /gh pr comment/.test(s.run ?? ''))).toBe(true);
    for (const s of job!.steps) expect(s.name, JSON.stringify(s)).toBeTruthy();
  });
});

describe('a network in the report', () => {
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

  it('lists the layers, their formats and fractional bits, and the score', () => {
    expect(report.network!.layers.map((l) => [l.inputs, l.outputs, l.activation, l.shift, l.output, l.weight_frac_bits, l.input_frac_bits])).toEqual([
      [2, 3, 'relu', 2, '5-bit unsigned, saturate', 4, 2],
      [3, 1, 'linear', 0, null, null, null],
    ]);
    expect(report.network!.score).toBe('sum_of_squares');
    expect(report.network!.score_width).toBe(r.netlist.score!.width);
    expect(report.network!.squares).toBe('lookup table');
    const md = reportMarkdown(report);
    expect(md).toContain('## Layers');
    expect(md).toContain('| 0 | 2 | 3 |');
    expect(md).toContain('5-bit unsigned, saturate');
    expect(md).toContain('| 4, 2 |');
    expect(md).toMatch(/Score: `sum_of_squares` of the last layer, \d+-bit port `score`; squares by lookup table\./);
  });

  it('round-trips, and a bad layer field is named by its path', () => {
    expect(parseReport(reportJsonText(report), 'r.json')).toEqual(report);
    const bad = JSON.parse(reportJsonText(report)) as { network: { layers: { shift: unknown }[] } };
    bad.network.layers[1]!.shift = -1;
    expect(() => parseReport(JSON.stringify(bad), 'r.json')).toThrow(/r\.json: network\.layers\[1\]\.shift: expected a non-negative integer, got/);
  });

  it('a single matrix has no network section', () => {
    const m = compile({ format: 1, name: 'm', input: { width: 4, signed: true }, weights: [[1n, 2n]] });
    const rep = buildReport({ netlist: m.netlist, stats: m.stats, targets: [], tools: {}, manifest: m.manifest });
    expect('network' in rep).toBe(false);
    expect(reportJsonText(rep)).not.toContain('"network"');
  });
});
