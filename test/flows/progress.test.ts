import { afterEach, describe, expect, it, vi } from 'vitest';
import { attemptPrinter, progressPrinter } from '../../src/cli/progress.js';
import type { AttemptReport } from '../../src/da/cmvm.js';
import { compile } from '../../src/flows/compile.js';
import { lastingSteps, startStep } from '../../src/flows/progress.js';
import type { Progress } from '../../src/flows/progress.js';
import { checkText, icarusVectorLimit, simulateSpec } from '../../src/flows/verify.js';
import { Rng } from '../../src/sim/vectors.js';
import { randomNetwork, randomSpec } from '../helpers/random.js';

// Issue 11: `check` of a 64-layer network showed nothing for ten minutes, and `--effort 1000`
// nothing for two. The optimizer now reports each attempt as it ends, and sim and check report
// their steps (with the fraction done) to a Progress.

/** A Progress that records what it is told. */
function recorder(): Progress & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    start: (l) => events.push(`start ${l}`),
    tick: (_s, f) => events.push(`tick ${f === undefined ? '' : f.toFixed(2)}`),
    done: (_s, summary) => events.push(`done ${summary}`),
  };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the optimizer reports each attempt as it ends', () => {
  it('a matrix: attempts 1…total in order, with their adders; the kept graph has the fewest', () => {
    const spec = randomSpec(new Rng(3), { rows: 8, cols: 8, width: 8, signed: true, weightBits: 8 });
    const seen: AttemptReport[] = [];
    const r = compile(spec, { latency: 2, effort: 6, onAttempt: (a) => seen.push(a) });
    expect(seen.length).toBeGreaterThanOrEqual(6);
    const total = seen[0]!.total;
    expect(seen.map((a) => a.index)).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(seen.every((a) => a.total === total)).toBe(true);
    const built = seen.filter((a) => !a.skipped).map((a) => a.adders);
    expect(Math.min(...built)).toBe(r.stats.adders);
    expect(seen.every((a) => a.layer === undefined || a.layer === 0)).toBe(true);
  });

  it('a network: every layer’s attempts, with the layer and the number of layers', () => {
    const spec = randomNetwork(new Rng(4), { maxLayers: 3, maxWidth: 6 });
    const seen: AttemptReport[] = [];
    compile(spec, { latency: 1, effort: 2, onAttempt: (a) => seen.push(a) });
    const layers = new Set(seen.map((a) => a.layer));
    expect(seen.every((a) => a.layers === spec.layers.length)).toBe(true);
    // layers whose matrix needs a search report it (a layer of single terms may need none)
    expect([...layers].every((l) => l !== undefined && l >= 0 && l < spec.layers.length)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
  });
});

describe('attemptPrinter', () => {
  it('prints nothing when quiet; otherwise (not a terminal) one line per attempt once the search has run 2 s', () => {
    expect(attemptPrinter(true)).toBeUndefined();
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
    vi.useFakeTimers({ toFake: ['performance'] });
    const p = attemptPrinter(false)!;
    const a = (index: number, adders: number): AttemptReport => ({ index, total: 3, name: `try ${index}`, adders, ms: 1, skipped: false });
    p(a(1, 50));
    expect(lines).toEqual([]); // a quick search prints nothing
    vi.advanceTimersByTime(2500);
    p(a(2, 40));
    p({ ...a(3, 0), skipped: true });
    expect(lines).toEqual([
      'searching: attempt 2/3 "try 2": 40 adders, best 40 (3 s)\n',
      'searching: attempt 3/3 "try 3": skipped (same as an earlier one), best 40 (3 s)\n',
    ]);
  });
});

describe('steps', () => {
  it('startStep passes ticks on at most once a second, with the fraction', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const rec = recorder();
    const s = startStep(rec, 'work');
    s.tick(0.1);
    vi.advanceTimersByTime(1100);
    s.tick(0.5);
    s.tick(0.6);
    s.done('ok');
    expect(rec.events).toEqual(['start work', 'tick 0.50', 'done ok']);
  });

  it('lastingSteps shows a step only once it has run the given seconds', () => {
    const rec = recorder();
    const p = lastingSteps(rec, 2);
    p.start('quick');
    p.tick(0.5);
    p.done(1, 'fast');
    p.start('slow');
    p.tick(1);
    p.tick(2.5, 0.25);
    p.done(9, 'PASS');
    expect(rec.events).toEqual(['start slow', 'tick 0.25', 'done PASS']);
  });

  it('progressPrinter (not a terminal) prints the fraction done every 10 s, nothing when quiet', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
    const p = progressPrinter(false);
    p.start('netlist simulation');
    p.tick(1, 0.01);
    p.tick(11, 0.3);
    p.tick(15, 0.4);
    p.tick(22, 0.61);
    p.done(30, 'PASS');
    const q = progressPrinter(true);
    q.start('x');
    q.tick(20, 0.5);
    q.done(30, 'y');
    expect(lines).toEqual(['netlist simulation …\n', '  30% (11 s)\n', '  61% (22 s)\n', '  PASS (30.0 s)\n']);
  });
});

describe('sim and check report their steps', () => {
  it('simulateSpec: compiling, then the netlist simulation', () => {
    const rec = recorder();
    const spec = randomSpec(new Rng(6), { rows: 3, cols: 3, width: 6, signed: true, weightBits: 5 });
    const res = simulateSpec(spec, { latency: 1, vectors: 40, blockSize: 10, progress: rec });
    expect(res.compare.pass).toBe(true);
    expect(rec.events[0]).toBe('start compiling the design');
    expect(rec.events[1]).toMatch(/^done \d+ adders, latency 1$/);
    expect(rec.events[2]).toBe('start netlist simulation (wasm mode), 40 vectors');
    expect(rec.events.at(-1)).toBe('done PASS, 40 vectors');
  });

  it('checkText: Yosys reading, the Yosys-JSON simulation, and Icarus (when installed) on at most its vector budget', async () => {
    const spec = randomSpec(new Rng(7), { rows: 3, cols: 4, width: 5, signed: false, weightBits: 5 });
    const r = compile(spec, { latency: 2 });
    const rec = recorder();
    const c = await checkText(r, spec, { vectors: 30, icarusVectors: 12, progress: rec });
    expect(c.pass).toBe(true);
    expect(c.yosys.vectors).toBe(30);
    const starts = rec.events.filter((e) => e.startsWith('start'));
    expect(starts.slice(0, 2)).toEqual(['start Yosys reading the Verilog', "start simulating Yosys's JSON netlist, 30 vectors"]);
    if (c.icarus) {
      expect(c.icarus.vectors).toBe(12);
      expect(starts[2]).toBe('start Icarus Verilog, the first 12 of the 30 vectors');
    }
    expect(rec.events.filter((e) => e.startsWith('done')).every((e) => !e.includes('FAIL'))).toBe(true);
  });

  it('icarusVectorLimit: fewer vectors the larger and deeper the design, never fewer than 8', () => {
    const small = icarusVectorLimit({ adders: 100, adderDepth: 4, latency: 2 });
    const big = icarusVectorLimit({ adders: 5000, adderDepth: 10, latency: 2 });
    const deep = icarusVectorLimit({ adders: 5000, adderDepth: 300, latency: 1 });
    expect(small).toBeGreaterThan(big);
    expect(big).toBeGreaterThan(deep);
    expect(icarusVectorLimit({ adders: 10 ** 7, adderDepth: 1000, latency: 1 })).toBe(8);
    expect(icarusVectorLimit({ adders: 0, adderDepth: 0, latency: 0 })).toBeGreaterThan(1000);
  });
});
