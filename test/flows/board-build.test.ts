import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildForBoard, selfTestBoard } from '../../src/flows/board-build.js';
import { loadBoard } from '../../src/flows/boards.js';
import { parseSpec } from '../../src/spec/parse.js';
import { matrixCase } from '../helpers/random.js';
import { haveTool } from '../helpers/tools.js';

// The board build runs the real WebAssembly tools (and Icarus for the self-test simulation).
const bench = (f: string): string => fileURLToPath(new URL(`../../../shared/bench/${f}`, import.meta.url));
const icarus = haveTool('iverilog', ['-V']);

describe('da-gen build --board', () => {
  it.runIf(existsSync(bench('rand_i8_8x8.json')))(
    'rand_i8_8x8 on the iCEBreaker: the self-test passes in simulation, places and routes, meets 12 MHz, and packs a bitstream',
    async () => {
      const spec = parseSpec(readFileSync(bench('rand_i8_8x8.json'), 'utf8'), 'rand_i8_8x8.json');
      const res = await buildForBoard(spec, loadBoard('icebreaker'), { latency: 2, timeoutSeconds: 600 });
      if (icarus) expect(res.simulated).toBe('pass');
      const t = res.report.targets[0]!;
      expect(t.target).toBe('icebreaker (iCE40UP5K-SG48)');
      expect(t.place_and_route).toBe('nextpnr-ice40 (WebAssembly)');
      expect(t.fmax_mhz).toBeGreaterThan(12);
      expect(t.clock_mhz).toBe(12);
      expect(t.timing_met).toBe(true);
      expect(t.dsp).toBe(0);
      // an iCE40 bitstream: FF 00 00 FF, then the preamble 7E AA 99 7E; an UltraPlus 5K image is 104090 bytes
      const bin = res.files['rand_i8_8x8_icebreaker.bin'] as Uint8Array;
      expect(bin).toBeInstanceOf(Uint8Array);
      expect([...bin.slice(0, 8)]).toEqual([0xff, 0x00, 0x00, 0xff, 0x7e, 0xaa, 0x99, 0x7e]);
      expect(bin.length).toBe(104090);
      expect(Object.keys(res.files).sort()).toEqual(
        ['da_gen_selftest.synth.json', 'da_gen_selftest.v', 'icebreaker.pcf', 'rand_i8_8x8.json', 'rand_i8_8x8.v', 'rand_i8_8x8_icebreaker.asc', 'rand_i8_8x8_icebreaker.bin'].sort(),
      );
      expect(res.files['da_gen_selftest.v']).toContain(`64'h${res.plan.signature.toString(16)}`);
    },
    600_000,
  );

  it('an ECP5 board without native tools: synthesis, the .lpf, and what to install', async () => {
    const spec = matrixCase('tiny', { width: 6, signed: true }, [[3n, -5n, 7n], [12n, 7n, -1n]]);
    const res = await buildForBoard(spec, loadBoard('ulx3s'), { latency: 1, vectors: 200, timeoutSeconds: 300 });
    if (icarus) expect(res.simulated).toBe('pass');
    expect(res.files['ulx3s.lpf']).toContain('LOCATE COMP "clk" SITE "G2";');
    expect(typeof res.files['da_gen_selftest.synth.json']).toBe('string');
    const t = res.report.targets[0]!;
    expect(t.luts).toBeGreaterThan(0);
    if (t.place_and_route === null) {
      expect(t.note).toMatch(/nextpnr-ecp5 and ecppack/);
      expect(res.notes.join('\n')).toMatch(/install nextpnr-ecp5 and ecppack/);
    }
  }, 300_000);
});

describe('selfTestBoard', () => {
  it("the self-test's view of a board: its clock and the polarity of what it has", () => {
    expect(selfTestBoard(loadBoard('icebreaker'))).toEqual({ clockMhz: 12, pass: { activeLow: true }, fail: { activeLow: true }, beat: { activeLow: false }, button: { activeLow: true } });
    expect(selfTestBoard(loadBoard('tinyfpga-bx'))).toEqual({ clockMhz: 16, pass: { activeLow: false }, fail: null, beat: null, button: null });
  });
});

describe('da-gen build --pll-mhz', () => {
  const tiny = matrixCase('tiny', { width: 6, signed: true }, [[3n, -5n, 7n], [12n, 7n, -1n]]);

  // one board through the whole build (the iCEBreaker's SB_PLL40_PAD placing with its .pcf is
  // checked in boards.test.ts, without a full build)
  for (const [board, prim, mhz] of [['icestick', 'SB_PLL40_CORE', 24]] as const) {
    it(`${board}: the self-test runs from ${prim} at ${mhz} MHz, places, routes and packs`, async () => {
      const res = await buildForBoard(tiny, loadBoard(board), { latency: 1, vectors: 300, pllMhz: mhz, timeoutSeconds: 300 });
      if (icarus) expect(res.simulated).toBe('pass');
      expect(res.files['da_gen_board.v']).toContain(`${prim} #(`);
      const t = res.report.targets[0]!;
      expect(t.clock_mhz).toBeCloseTo(mhz, 0);
      expect(t.note).toBeNull();
      expect(t.fmax_mhz).not.toBeNull();
      expect(res.files[`tiny_${board}.bin`]).toBeInstanceOf(Uint8Array);
    }, 300_000);
  }

  it('is refused for an ECP5 board', async () => {
    const run = buildForBoard(tiny, loadBoard('ulx3s'), { vectors: 50, pllMhz: 50 });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/^--pll-mhz: ulx3s has no PLL that da-gen drives /);
  });
});
