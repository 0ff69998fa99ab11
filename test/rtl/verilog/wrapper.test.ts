import { describe, expect, it } from 'vitest';
import { wrapperVerilog } from '../../../src/rtl/verilog/wrapper.js';
import { haveTool } from '../../helpers/tools.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const verilator = haveTool('verilator');

describe('the place-and-route pin wrapper', () => {
  const ports = { nIn: 2, inputWidth: 4, inputSigned: true, nOut: 3, outputWidth: 5, outputSigned: true, scoreWidth: null };

  it('is plain Verilog with one pin in, one load, one out, and shift registers as wide as x and y', () => {
    const v = wrapperVerilog('core_m', ports);
    expect(v).toMatch(/module da_gen_top \(\s*input\s+wire clk,\s*input\s+wire sin,\s*input\s+wire load,\s*output wire sout\s*\);/);
    expect(v).toContain('reg  [7:0] xs;'); // 2 × 4 input bits
    expect(v).toContain('reg  [14:0] ys;'); // 3 × 5 output bits
    expect(v).toContain('always @(posedge clk) xs <= {xs[6:0], sin};');
    expect(v).toContain('always @(posedge clk) ys <= load ? y : {ys[13:0], 1\'b0};');
    expect(v).toContain('core_m core (.clk(clk), .x(xs), .y(y));');
    expect(v).toContain('assign sout = ys[14];');
  });

  it('handles one bit of x and of y', () => {
    const v = wrapperVerilog('c1', { ...ports, nIn: 1, inputWidth: 1, nOut: 1, outputWidth: 1 });
    expect(v).toContain('always @(posedge clk) xs <= sin;');
    expect(v).toContain("always @(posedge clk) ys <= load ? y : 1'b0;");
  });

  it.runIf(verilator)('lints clean with a core of the right ports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-gen-wrapper-'));
    try {
      const core = "module core_m (input wire clk, input wire [7:0] x, output reg [14:0] y);\n  always @(posedge clk) y <= {x, x[6:0]};\nendmodule\n";
      writeFileSync(join(dir, 'core.v'), core);
      writeFileSync(join(dir, 'top.v'), wrapperVerilog('core_m', ports));
      const r = spawnSync('verilator', ['--lint-only', '-Wall', '-Wno-DECLFILENAME', '--top-module', 'da_gen_top', 'core.v', 'top.v'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
