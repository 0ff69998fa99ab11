import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { compile } from '../../src/flows/compile.js';
import { checkTargets } from '../../src/platform/index.js';
import { parseStat, readVerilogToJson, runYosys, synthesize, yosysFailure } from '../../src/platform/yosys.js';
import { emitBaselineVerilog } from '../../src/rtl/verilog/baseline.js';
import { findTool } from '../../src/toolchain/tool.js';
import { matrixCase } from '../helpers/random.js';

// WebAssembly Yosys is slow: these tests use tiny designs only; big runs are benchmarks. Every
// test here but the parsing ones runs the real tool.

const tiny = matrixCase('tiny', { width: 6, signed: true }, [[3n, -5n, 7n], [12n, 7n, -1n], [0n, 9n, 5n]]);
const small = matrixCase('small4', { width: 8, signed: true }, [[93n, -77n, 45n, 119n], [-3n, 58n, -101n, 66n], [27n, -91n, 13n, -60n], [111n, 5n, -47n, 88n]]);
const target = (name: string) => checkTargets([name])[0]!;

// tiny at latency 1 synthesized for iCE40: the same Yosys run (same text, same command) serves
// the every-family test and the carry-chain test, so it runs once (each run is seconds of Yosys)
let tinyIce40: Promise<{ r: ReturnType<typeof compile>; s: Awaited<ReturnType<typeof synthesize>> }> | null = null;
function tinyOnIce40(): NonNullable<typeof tinyIce40> {
  if (tinyIce40 === null) {
    const r = compile(tiny, { latency: 1 });
    tinyIce40 = synthesize(r.verilog, 'tiny', target('ice40-up5k')).then((s) => ({ r, s }));
  }
  return tinyIce40;
}

describe('synthesis with the WebAssembly Yosys', () => {
  it('maps a design for every family, with no DSP or multiplier and plausible counts', async () => {
    const r = compile(tiny, { latency: 1 });
    for (const name of ['generic', 'ice40-up5k', 'ecp5-25k']) {
      const s = name === 'ice40-up5k' ? (await tinyOnIce40()).s : await synthesize(r.verilog, 'tiny', target(name));
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
      // the flow shown is the family's synthesis command for the core
      expect(s.flow, name).toContain('-top tiny');
      expect(s.seconds).toBeGreaterThan(0);
    }
  });

  it('uses far fewer iCE40 LUTs than the hand-written W*x', async () => {
    const r = compile(small, { latency: 2 });
    const t = target('ice40-up5k');
    const d = await synthesize(r.verilog, 'small4', t);
    const b = await synthesize(emitBaselineVerilog(small.weights, r.netlist), 'small4_baseline', t);
    expect(d.luts! / b.luts!).toBeLessThan(0.6);
  }, 180_000);

  it('reports a tool failure and a time limit instead of hanging', async () => {
    const yosys = findTool('yosys')!;
    expect(yosys.kind).toBe('webassembly');
    const bad = await yosys.run(['-q', '-p', 'read_verilog design.v'], { 'design.v': 'module broken(' }, [], { timeoutSeconds: 60 });
    expect(bad.ok).toBe(false);
    expect(bad.timedOut).toBe(false);
    // the baseline's multipliers take Yosys well over 4 s; stop it at 4 s (after its WebAssembly
    // is compiled and running: stopping a thread while it compiles can take the process down)
    const r = compile(small, { latency: 1 });
    const slow = await yosys.run(['-q', '-p', 'read_verilog design.v; synth_ice40 -top small4_baseline'], { 'design.v': emitBaselineVerilog(small.weights, r.netlist) }, [], { timeoutSeconds: 4 });
    expect(slow.timedOut).toBe(true);
    expect(slow.ok).toBe(false);
  });

  it('a Verilog error is a ToolError naming Yosys with its error line', async () => {
    const run = runYosys('synthesis for a test', 'read_verilog design.v; synth -top broken', { 'design.v': 'module broken(' }, ['never.json'], { timeoutSeconds: 60 });
    await expect(run).rejects.toBeInstanceOf(ToolError);
    await expect(run).rejects.toMatchObject({ tool: 'yosys', message: expect.stringMatching(/^synthesis for a test: Yosys failed: .*ERROR/) });
    const read = readVerilogToJson('module broken(', 'broken', { timeoutSeconds: 60 });
    await expect(read).rejects.toMatchObject({ tool: 'yosys', message: expect.stringMatching(/^reading the Verilog: Yosys failed: .*ERROR/) });
  });

  it('on iCE40 each adder is one carry chain: a sum of four is three chains, not a carry-save tree', async () => {
    // Yosys's alumacc would merge (x0 + x1) + (x2 + x3) into one $macc (full adders and a final
    // chain); the emitted module instances keep the three adders apart. Each adder bit is one
    // SB_LUT4 (its sum) and, below its top bit, one SB_CARRY.
    const sum4 = matrixCase('sum4', { width: 8, signed: true }, [[1n, 1n, 1n, 1n]]);
    const r = compile(sum4, { latency: 1 });
    const adders = r.netlist.signals.filter((s) => s.kind === 'add');
    expect(adders.map((s) => s.width).sort((a, b) => a - b)).toEqual([9, 9, 10]);
    const s = await synthesize(r.verilog, 'sum4', target('ice40-up5k'));
    expect(s.cells['SB_LUT4']).toBe(9 + 9 + 10);
    expect(s.cells['SB_CARRY']).toBe(8 + 8 + 9);

    // with subtractions: one more LUT per bit of each inverted copy (x_n = ~x), none for the
    // signals held complemented, whose inversion joins the sum's own LUT
    // (tiny at latency 1 on iCE40: the run the every-family test made, shared)
    const { r: r2, s: s2 } = await tinyOnIce40();
    expect(r2.verilog).toBe(compile(tiny, { latency: 1 }).verilog);
    const f = r2.netlist.forms;
    let chain = 0;
    let inverters = 0;
    let n = 0;
    r2.netlist.signals.forEach((s, idx) => {
      if (f.inverted[idx]) inverters += s.width;
      if (s.kind !== 'add' && s.kind !== 'sub') return;
      n++;
      chain += s.width - Math.min(s.width - 1, s.kind === 'sub' ? s.shiftB : Math.max(s.shiftA, s.shiftB));
    });
    // Yosys may still drop a bit or two it finds constant
    expect(s2.cells['SB_LUT4']).toBeLessThanOrEqual(chain + inverters);
    expect(s2.cells['SB_LUT4']).toBeGreaterThanOrEqual(Math.floor(0.95 * (chain + inverters)));
    expect(s2.cells['SB_CARRY']).toBeLessThanOrEqual(chain - n);
    expect(s2.cells['SB_CARRY']).toBeGreaterThanOrEqual(Math.floor(0.95 * (chain - n)));
  }, 120_000);
});

describe('Yosys output and failures, without Yosys', () => {
  it('reads cell counts from stat -json', () => {
    const text = 'junk before\n{"modules": {"\\\\m": {"num_cells_by_type": {"SB_LUT4": 3, "$scopeinfo": 1, "SB_CARRY": 2}}}}';
    expect(parseStat(text, 'm')).toEqual({ SB_CARRY: 2, SB_LUT4: 3 });
    // sorted by name
    expect(Object.keys(parseStat(text, 'm'))).toEqual(['SB_CARRY', 'SB_LUT4']);
    // with a hierarchy: the design's totals, or the module's own cells
    const h =
      '{"modules": {"\\\\m": {"num_cells_by_type": {"SB_LUT4": 1, "m_add": 2}}, "\\\\m_add": {"num_cells_by_type": {"SB_LUT4": 3}}},' +
      ' "design": {"num_cells_by_type": {"SB_LUT4": 7}}}';
    expect(parseStat(h, 'm')).toEqual({ SB_LUT4: 7 });
    expect(parseStat(h, 'm', 'module')).toEqual({ SB_LUT4: 1, m_add: 2 });
    // no statistics at all: a ToolError naming Yosys
    expect(() => parseStat('ERROR: nothing', 'm')).toThrow(ToolError);
    expect(() => parseStat('ERROR: nothing', 'm')).toThrow(/Yosys wrote no statistics/);
  });

  it('yosysFailure: the first error lines, the exit code, or the time limit', () => {
    const e = yosysFailure('synthesis for ice40-up5k', { stdout: 'line\nERROR: syntax error, unexpected $end\n', stderr: '', timedOut: false, exitCode: 1, seconds: 0.5 });
    expect(e).toBeInstanceOf(ToolError);
    expect(e.tool).toBe('yosys');
    expect(e.message).toBe('synthesis for ice40-up5k: Yosys failed: ERROR: syntax error, unexpected $end');
    expect(e.log).toContain('line');
    expect(yosysFailure('x', { stdout: 'nothing useful', stderr: '', timedOut: false, exitCode: 1, seconds: 0.5 }).message).toBe('x: Yosys exited with code 1 and no error message');
    expect(yosysFailure('x', { stdout: '', stderr: '', timedOut: false, exitCode: null, seconds: 0.5 }).message).toBe('x: Yosys wrote no output');
    expect(yosysFailure('x', { stdout: '', stderr: '', timedOut: true, exitCode: null, seconds: 7.02 }).message).toBe('x: Yosys did not finish within the time limit of 7 s (raise --timeout)');
    // a native Yosys that says nothing is named, with what to do
    const native = { name: 'yosys' as const, kind: 'native' as const, origin: '/bin/false', version: () => '', run: () => Promise.reject(new Error('unused')) };
    expect(yosysFailure('x', { stdout: '', stderr: '', timedOut: false, exitCode: 1, seconds: 0.5 }, native).message).toBe(
      'x: Yosys exited with code 1 and no error message (the native /bin/false: check that it is a working Yosys, or unset YOSYS to use the WebAssembly one)',
    );
  });
});
