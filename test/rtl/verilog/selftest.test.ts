import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/flows/compile.js';
import { simulateSelfTest } from '../../../src/flows/verify.js';
import { LFSR_TAPS, lfsrStep, lfsrWidths, planSelfTest, selfTestVerilog } from '../../../src/rtl/verilog/selftest.js';
import type { SelfTestBoard } from '../../../src/rtl/verilog/selftest.js';
import { compileNetlist } from '../../../src/sim/netlist-sim.js';
import type { Spec } from '../../../src/spec/spec.js';
import { layerOf } from '../../helpers/layers.js';
import { matrixCase } from '../../helpers/random.js';
import { haveTool } from '../../helpers/tools.js';

const spec = matrixCase('core8', { width: 8, signed: true }, [[93n, -77n, 45n], [-3n, 58n, -101n], [27n, -91n, 13n]]);
const board: SelfTestBoard = { clockMhz: 12, pass: { activeLow: true }, fail: { activeLow: true }, beat: { activeLow: false }, button: { activeLow: true } };
// a slow clock makes the blink fast enough to see in a short simulation: the blink bit is 5 (a 64-cycle period)
const oneLed: SelfTestBoard = { clockMhz: 0.001, pass: { activeLow: false }, fail: null, beat: null, button: null };

describe('self-test LFSRs', () => {
  it('the small table widths are maximal length (period 2^n − 1)', () => {
    for (const n of [8, 16]) {
      const taps = LFSR_TAPS[n]!;
      let s = 1n;
      let period = 0;
      do {
        s = lfsrStep(s, n, taps);
        period++;
      } while (s !== 1n && period <= 1 << n);
      expect(period, `width ${n}`).toBe((1 << n) - 1);
    }
  });

  it('covers the input bits with one LFSR up to 168 bits, then several', () => {
    expect(lfsrWidths(24)).toEqual([24]);
    expect(lfsrWidths(64)).toEqual([64]);
    expect(lfsrWidths(65)).toEqual([96]);
    expect(lfsrWidths(570)).toEqual([168, 168, 168, 168]);
  });
});

describe.runIf(haveTool('iverilog', ['-V']))('the self-test top, simulated as on the board (Icarus)', () => {
  for (const latency of [0, 2]) {
    it(`passes for the core it was planned for (latency ${latency}), and fails when one weight of the core is changed`, async () => {
      const r = compile(spec, { latency });
      const sim = compileNetlist(r.netlist);
      const plan = planSelfTest(r.netlist, (v) => sim.run(v), { vectors: 300 });
      const top = selfTestVerilog(r.netlist, plan, board);
      const cycles = 40 + plan.vectors + latency;
      expect(await simulateSelfTest(r.verilog, top, board, cycles)).toEqual({ pass: true, fail: false });
      // not yet done: neither LED
      expect(await simulateSelfTest(r.verilog, top, board, plan.vectors)).toEqual({ pass: false, fail: false });
      // one weight off by one: same interface, different arithmetic
      const bad = compile(matrixCase(spec.name, spec.input, [[93n, -77n, 45n], [-3n, 59n, -101n], [27n, -91n, 13n]]), { latency });
      expect(await simulateSelfTest(bad.verilog, top, board, cycles)).toEqual({ pass: false, fail: true });
    }, 60_000);
  }

  it('with one LED: lit on a pass, blinking on a failure', async () => {
    const layer = layerOf([[3n, -5n], [7n, 2n]], { bias: [4n, -9n], activation: 'relu', shift: 1, rounding: 'nearest', output: { width: 5, signed: false, overflow: 'saturate' } });
    const net: Spec = { format: 1, name: 'netcore', input: { width: 6, signed: false, bipolar: false, shape: [2] }, layers: [layer], score: { kind: 'sum_of_squares', of: 'last' }, form: 'layers' };
    const r = compile(net, { latency: 1 });
    const sim = compileNetlist(r.netlist);
    const plan = planSelfTest(r.netlist, (v) => sim.run(v), { vectors: 200 });
    const top = selfTestVerilog(r.netlist, plan, oneLed);
    expect(top).toContain('.score(score)');
    expect(top).toContain('assign led_pass = pass | (fail & beat[5]);');
    for (const cycles of [256, 288]) expect(await simulateSelfTest(r.verilog, top, oneLed, cycles)).toEqual({ pass: true, fail: null });
    const bad = compile({ ...net, layers: [{ ...layer, bias: [5n, -9n] }] }, { latency: 1 });
    // a failure makes the LED blink: off after 256 cycles, on after 288
    expect((await simulateSelfTest(bad.verilog, top, oneLed, 256)).pass).toBe(false);
    expect((await simulateSelfTest(bad.verilog, top, oneLed, 288)).pass).toBe(true);
  }, 120_000);
});
