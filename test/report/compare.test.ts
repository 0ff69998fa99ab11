import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { targetResult } from '../../src/report/build.js';
import { compareReports } from '../../src/report/compare.js';
import type { Report } from '../../src/report/schema.js';
import { smallReport } from '../helpers/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');


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
