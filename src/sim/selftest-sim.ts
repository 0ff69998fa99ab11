import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SelfTestBoard } from '../rtl/selftest.js';
import { ToolError } from './icarus.js';

/**
 * Run the board self-test top (and the core) in Icarus for `cycles` clock cycles after power-on,
 * as the board would, and read its LEDs at the end (as logic levels: on = lit, whatever the
 * board's polarity).
 */
export interface SelfTestRun {
  pass: boolean;
  /** The fail LED, or null when the board has none. */
  fail: boolean | null;
}

export function simulateSelfTest(core: string, top: string, board: SelfTestBoard, cycles: number): SelfTestRun {
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-selftest-'));
  try {
    const lit = (name: string, low: boolean): string => (low ? `~${name}` : name);
    const tb = `\`timescale 1ns/1ps
module tb;
  reg clk = 1'b0;
  wire led_pass;
${board.fail ? '  wire led_fail;\n' : ''}${board.beat ? '  wire led_beat;\n' : ''}${board.button ? `  reg btn = ${board.button.activeLow ? "1'b1" : "1'b0"};\n` : ''}  integer t;
  da_gen_selftest dut (.clk(clk), .led_pass(led_pass)${board.fail ? ', .led_fail(led_fail)' : ''}${board.beat ? ', .led_beat(led_beat)' : ''}${board.button ? ', .btn(btn)' : ''});
  initial begin
    for (t = 0; t < ${cycles}; t = t + 1) begin
      #5 clk = 1'b1;
      #5 clk = 1'b0;
    end
    $display("PASS=%b FAIL=%b", ${lit('led_pass', board.pass.activeLow)}, ${board.fail ? lit('led_fail', board.fail.activeLow) : "1'bz"});
    $finish;
  end
endmodule
`;
    writeFileSync(join(dir, 'core.v'), core);
    writeFileSync(join(dir, 'top.v'), top);
    writeFileSync(join(dir, 'tb.v'), tb);
    const c = spawnSync('iverilog', ['-g2005', '-o', 'sim.vvp', 'core.v', 'top.v', 'tb.v'], { cwd: dir, encoding: 'utf8' });
    if (c.error) throw new ToolError(`iverilog could not be run: ${c.error.message}`);
    if (c.status !== 0) throw new ToolError(`iverilog rejected the self-test:\n${c.stderr}${c.stdout}`);
    const r = spawnSync('vvp', ['-n', 'sim.vvp'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.error || r.status !== 0) throw new ToolError(`vvp failed: ${r.error?.message ?? r.stderr}`);
    const m = /PASS=([01xz]) FAIL=([01xz])/.exec(r.stdout);
    if (!m) throw new ToolError(`the self-test simulation printed no LED states:\n${r.stdout}`);
    return { pass: m[1] === '1', fail: board.fail ? m[2] === '1' : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
