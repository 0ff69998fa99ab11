import type { Ports } from '../netlist.js';

/**
 * A small top `da_gen_top` for place and route of the core alone: the core has far more data
 * bits than any package has pins, so x is shifted in through one pin, and y is loaded into a
 * shift register and shifted out through another (every bit of y stays observable, so nothing
 * of the core can be optimised away). The core's inputs come from flip-flops and its outputs go
 * to flip-flops, so the critical path is the core's own. Synthesis keeps the core a module of
 * its own, so its cells are counted exactly and apart from the wrapper's.
 *
 * (A pipelined XOR tree folding y into one pin costs about 200 fewer cells on a 16×16 core, but
 * its wide fan-in kept nextpnr-ice40 from routing rand_i8_16x16 on the HX8K within 25 minutes,
 * where this wrapper routes in two: measured, and kept out.)
 */
export function wrapperVerilog(core: string, p: Ports): string {
  const nx = p.nIn * p.inputWidth;
  const ny = p.nOut * p.outputWidth;
  const xs = nx === 1 ? 'sin' : `{xs[${nx - 2}:0], sin}`;
  const ysh = ny === 1 ? "1'b0" : `{ys[${ny - 2}:0], 1'b0}`;
  return `module da_gen_top (
  input  wire clk,
  input  wire sin,
  input  wire load,
  output wire sout
);
  reg  [${nx - 1}:0] xs;
  wire [${ny - 1}:0] y;
  reg  [${ny - 1}:0] ys;
  always @(posedge clk) xs <= ${xs};
  ${core} core (.clk(clk), .x(xs), .y(y));
  always @(posedge clk) ys <= load ? y : ${ysh};
  assign sout = ys[${ny - 1}];
endmodule
`;
}
