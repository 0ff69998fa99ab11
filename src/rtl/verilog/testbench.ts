import type { Ports } from '../netlist.js';
import type { SelfTestBoard } from './selftest.js';

/**
 * Testbenches for Icarus Verilog. Timing is that of the netlist simulator: one input vector per
 * clock cycle, the outputs sampled in each cycle before that cycle's rising edge.
 */

/**
 * `da_gen_tb`: reads one packed x per line from `x.hex` (x_0 lowest, hex digits), drives the
 * module one vector per cycle and writes {score, y} (y lowest) per cycle to `y.hex`. The
 * vectors are read as they are applied, not loaded into a memory first, so that the simulator's
 * memory does not grow with the number of cycles.
 */
export function coreTestbench(module: string, p: Ports, cycles: number): string {
  const nx = p.nIn * p.inputWidth;
  const ny = p.nOut * p.outputWidth;
  const sc = p.scoreWidth !== null;
  return `\`timescale 1ns/1ps
module da_gen_tb;
  reg clk = 1'b0;
  reg  [${nx - 1}:0] x;
  wire [${ny - 1}:0] y;${sc ? `\n  wire [${p.scoreWidth! - 1}:0] score;` : ''}
  integer t, fx, fy, got;
  ${module} dut (.clk(clk), .x(x), .y(y)${sc ? ', .score(score)' : ''});
  initial begin
    fx = $fopen("x.hex", "r");
    fy = $fopen("y.hex", "w");
    for (t = 0; t < ${cycles}; t = t + 1) begin
      got = $fscanf(fx, "%h\\n", x);
      #4;
      $fwrite(fy, "%h\\n", ${sc ? '{score, y}' : 'y'});
      clk = 1'b1;
      #5;
      clk = 1'b0;
      #1;
    end
    $fclose(fx);
    $fclose(fy);
    $finish;
  end
endmodule
`;
}

/**
 * `tb`: runs the board self-test top `da_gen_selftest` for `cycles` clock cycles after power-on,
 * as the board would, and prints its LEDs at the end as logic levels (on = 1, whatever the
 * board's polarity): `PASS=<b> FAIL=<b>`.
 */
export function selfTestTestbench(board: SelfTestBoard, cycles: number): string {
  const lit = (name: string, low: boolean): string => (low ? `~${name}` : name);
  return `\`timescale 1ns/1ps
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
}
