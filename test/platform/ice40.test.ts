import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import type { PinAssignment } from '../../src/platform/family.js';
import { ice40 } from '../../src/platform/ice40.js';

// The iCE40 family's board support: the PLL setting from icepll (WebAssembly), the PLL top, and
// the .pcf. (Synthesis and place and route are in yosys.test.ts and nextpnr.test.ts.)

const pll = ice40.boards!.pll!;

describe('the iCE40 PLL (icepll)', () => {
  it('icepll settings give the frequency the iCE40 PLL formula says: f_in·(DIVF+1) / ((DIVR+1)·2^DIVQ)', async () => {
    for (const [fin, fout] of [[12, 30], [12, 48], [16, 50]] as const) {
      const p = await pll.plan(fin, fout, 120);
      expect(p.inMhz).toBe(fin);
      expect(Object.keys(p.params).sort()).toEqual(['DIVF', 'DIVQ', 'DIVR', 'FILTER_RANGE']);
      const { DIVR, DIVF, DIVQ } = p.params as { DIVR: number; DIVF: number; DIVQ: number };
      expect(p.outMhz).toBeCloseTo((fin * (DIVF + 1)) / ((DIVR + 1) * 2 ** DIVQ), 3);
      expect(Math.abs(p.outMhz - fout) / fout).toBeLessThan(0.05);
    }
  }, 120_000);

  it('a frequency the PLL cannot make is a ToolError naming icepll', async () => {
    // the PLL output range is 16 to 275 MHz
    const run = pll.plan(12, 2000, 120);
    await expect(run).rejects.toBeInstanceOf(ToolError);
    await expect(run).rejects.toMatchObject({ tool: 'icepll', message: expect.stringMatching(/^--pll-mhz 2000: icepll finds no PLL setting from the board's 12 MHz/) });
  }, 120_000);

  const ports: PinAssignment[] = [
    { name: 'clk', direction: 'input', pin: '35', ioStandard: null, pull: null },
    { name: 'led_pass', direction: 'output', pin: '37', ioStandard: null, pull: null },
    { name: 'btn', direction: 'input', pin: '10', ioStandard: null, pull: 'up' },
  ];
  const setting = { inMhz: 12, outMhz: 30, params: { DIVR: 0, DIVF: 79, DIVQ: 5, FILTER_RANGE: 1 } };

  it('the board top drives the self-test from the PLL, fed by the pad or by the clock net', () => {
    const pad = pll.topVerilog('SB_PLL40_PAD', setting, 'inner', ports);
    expect(pad).toContain('module da_gen_board (\n  input  wire clk,\n  output wire led_pass,\n  input  wire btn\n);');
    expect(pad).toContain('SB_PLL40_PAD #(');
    expect(pad).toContain(".DIVR(4'b0000),");
    expect(pad).toContain(".DIVF(7'b1001111),");
    expect(pad).toContain(".DIVQ(3'b101),");
    expect(pad).toContain(".FILTER_RANGE(3'b001)");
    expect(pad).toContain('.PACKAGEPIN(clk),');
    expect(pad).toContain('inner selftest (.clk(pll_clk), .led_pass(led_pass), .btn(btn));');
    const core = pll.topVerilog('SB_PLL40_CORE', setting, 'inner', ports);
    expect(core).toContain('.REFERENCECLK(clk),');
    expect(core).not.toContain('PACKAGEPIN');
    expect(pll.describe('SB_PLL40_PAD', setting)).toBe('12 MHz through SB_PLL40_PAD at 30 MHz (icepll: DIVR 0, DIVF 79, DIVQ 5, FILTER_RANGE 1)');
  });

  it('the .pcf: one set_io per port, a pull-up where asked', () => {
    expect(ice40.boards!.constraints('demo', ports, 12)).toEqual({ fileName: 'demo.pcf', text: 'set_io clk 35\nset_io led_pass 37\nset_io -pullup yes btn 10\n' });
  });
});
