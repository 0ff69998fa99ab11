import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { buildReport, reportJsonText } from '../../src/report/build.js';
import { parseReport } from '../../src/report/parse.js';
import { compileSmall, smallReport, networkReport } from '../helpers/report.js';
import { thrownBy } from '../helpers/errors.js';

describe('parseReport', () => {
  it('round-trips the JSON text', () => {
    const { r } = smallReport();
    const text = reportJsonText(r);
    const back = parseReport(text, 'small.report.json');
    expect(back).toEqual(r);
    expect(reportJsonText(back)).toBe(text);
  });

  it('round-trips the estimates, and reads a report written before them', () => {
    const { r: c, report } = networkReport();
    const t = { target: 'ice40-up5k', design: 'da-gen' as const, flow: 'synth_ice40', cells: { SB_LUT4: 90 }, luts: 90, carries: 30, ffs: 20, clock_mhz: 48, estimate: { luts: 88, carries: 31, ffs: 20 } };
    const withTarget = buildReport({ netlist: c.netlist, stats: c.stats, targets: [t], tools: {}, manifest: c.manifest });
    const text = reportJsonText(withTarget);
    const back = parseReport(text, 'est.report.json');
    expect(back.estimates).toEqual(c.manifest.estimated_cells);
    expect(back.targets[0]!.estimate).toEqual({ luts: 88, carries: 31, ffs: 20 });
    expect(reportJsonText(back)).toBe(text);
    expect(parseReport(reportJsonText(report), 'r.json').estimates).toEqual(c.manifest.estimated_cells);
    // older reports: no estimates at all, no estimate per target
    const old = JSON.parse(text);
    delete old.estimates;
    delete old.targets[0].estimate;
    const o = parseReport(JSON.stringify(old), 'old.json');
    expect(o.estimates).toBeUndefined();
    expect(o.targets[0]!.estimate).toBeNull();
    // a mistyped estimate names its path
    old.targets[0].estimate = { luts: 'many', carries: 1, ffs: 2 };
    expect(thrownBy(SpecError, () => parseReport(JSON.stringify(old), 'bad.json')).jsonPath).toBe('targets[0].estimate.luts');
  });

  it('rejects a wrong or missing schema identifier, naming the file and the path', () => {
    const doc = JSON.parse(reportJsonText(smallReport().r));
    const e = thrownBy(SpecError, () => parseReport(JSON.stringify({ ...doc, schema: 'da-gen-report/2' }), 'old.json'));
    expect(e.file).toBe('old.json');
    expect(e.jsonPath).toBe('schema');
    expect(e.message).toContain('old.json: schema: expected "da-gen-report/1"');
    expect(e.message).toContain('da-gen-report/2');
    const m = thrownBy(SpecError, () => parseReport(JSON.stringify({ ...doc, schema: undefined }), 'x.json'));
    expect(m.jsonPath).toBe('schema');
    // a manifest is not a report
    expect(thrownBy(SpecError, () => parseReport(compileSmall(2).manifestText, 'small.json')).jsonPath).toBe('schema');
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
      const e = thrownBy(SpecError, () => parseReport(mutate(f), 'r.json'));
      expect(e.jsonPath, e.message).toBe(path);
      expect(e.detail).toMatch(detail);
      expect(e.message.startsWith(`r.json: ${path}: `)).toBe(true);
    }
  });

  it('rejects text that is not JSON or not an object', () => {
    const e = thrownBy(SpecError, () => parseReport('{\n  "schema": }', 'bad.json'));
    expect(e.jsonPath).toBe('');
    expect(e.message).toMatch(/^bad\.json: not valid JSON at line 2/);
    expect(thrownBy(SpecError, () => parseReport('[]', 'a.json')).detail).toMatch(/expected a JSON object/);
    expect(thrownBy(SpecError, () => parseReport('', 'empty.json')).detail).toMatch(/not valid JSON/);
  });
});

describe('parseReport: a network', () => {
  const { report } = networkReport();

  it('round-trips, and a bad layer field is named by its path', () => {
    expect(parseReport(reportJsonText(report), 'r.json')).toEqual(report);
    const bad = JSON.parse(reportJsonText(report)) as { network: { layers: { shift: unknown }[] } };
    bad.network.layers[1]!.shift = -1;
    expect(() => parseReport(JSON.stringify(bad), 'r.json')).toThrow(/r\.json: network\.layers\[1\]\.shift: expected a non-negative integer or a string, got/);
  });
});
