import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Drive emitted Verilog with Icarus Verilog (`iverilog` + `vvp`): an independent reading of
 * the text by a real front end. One vector enters per clock cycle; y is sampled in each cycle
 * before the clock edge, like the netlist simulator, so y_t = W·x_{t−L}.
 */

export interface ModulePorts {
  module: string;
  nIn: number;
  inputWidth: number;
  nOut: number;
  outputWidth: number;
  outputSigned: boolean;
  /** Width of the unsigned `score` port after y, when the module has one. */
  scoreWidth?: number;
}

/** True when `iverilog` and `vvp` can be run. */
export function icarusAvailable(): boolean {
  const a = spawnSync('iverilog', ['-V'], { stdio: 'ignore' });
  const b = spawnSync('vvp', ['-V'], { stdio: 'ignore' });
  return !a.error && !b.error;
}

function toBits(v: bigint, width: number): bigint {
  return BigInt.asUintN(width, v);
}

/** Pack x_0 … x_{n−1} (each `width` bits, two's complement) into one hex word, x_0 lowest. */
export function packVector(xs: readonly bigint[], width: number): string {
  let word = 0n;
  for (let i = xs.length - 1; i >= 0; i--) word = (word << BigInt(width)) | toBits(xs[i]!, width);
  const digits = Math.ceil((xs.length * width) / 4);
  return word.toString(16).padStart(digits, '0');
}

/** Split a flat output word into its fields. */
export function unpackWord(word: bigint, n: number, width: number, signed: boolean): bigint[] {
  const out: bigint[] = [];
  for (let o = 0; o < n; o++) {
    const f = BigInt.asUintN(width, word >> BigInt(o * width));
    out.push(signed ? BigInt.asIntN(width, f) : f);
  }
  return out;
}

/**
 * The outputs of one cycle from the word {score, y} (y lowest): the y fields, then the score
 * (unsigned) when the module has one.
 */
export function unpackOutputs(word: bigint, p: ModulePorts): bigint[] {
  const y = unpackWord(word, p.nOut, p.outputWidth, p.outputSigned);
  if (p.scoreWidth !== undefined) y.push(BigInt.asUintN(p.scoreWidth, word >> BigInt(p.nOut * p.outputWidth)));
  return y;
}

function testbench(p: ModulePorts, cycles: number): string {
  const nx = p.nIn * p.inputWidth;
  const ny = p.nOut * p.outputWidth;
  const sc = p.scoreWidth !== undefined;
  return `\`timescale 1ns/1ps
module da_gen_tb;
  reg clk = 1'b0;
  reg  [${nx - 1}:0] x;
  wire [${ny - 1}:0] y;${sc ? `\n  wire [${p.scoreWidth! - 1}:0] score;` : ''}
  reg  [${nx - 1}:0] mem [0:${cycles - 1}];
  integer t, fd;
  ${p.module} dut (.clk(clk), .x(x), .y(y)${sc ? ', .score(score)' : ''});
  initial begin
    $readmemh("x.hex", mem);
    fd = $fopen("y.hex", "w");
    for (t = 0; t < ${cycles}; t = t + 1) begin
      x = mem[t];
      #4;
      $fwrite(fd, "%h\\n", ${sc ? '{score, y}' : 'y'});
      clk = 1'b1;
      #5;
      clk = 1'b0;
      #1;
    end
    $fclose(fd);
    $finish;
  end
endmodule
`;
}

export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

/**
 * Run the vectors through the Verilog text with Icarus; returns y per cycle, or null for a
 * cycle in which some bit of y was unknown (x/z), as it is before the registers first load.
 */
export function runIcarus(verilog: string, ports: ModulePorts, vectors: readonly (readonly bigint[])[]): (bigint[] | null)[] {
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-icarus-'));
  try {
    writeFileSync(join(dir, 'design.v'), verilog);
    writeFileSync(join(dir, 'tb.v'), testbench(ports, vectors.length));
    writeFileSync(join(dir, 'x.hex'), vectors.map((v) => packVector(v, ports.inputWidth)).join('\n') + '\n');
    const c = spawnSync('iverilog', ['-g2005', '-o', 'sim.vvp', 'design.v', 'tb.v'], { cwd: dir, encoding: 'utf8' });
    if (c.error) throw new ToolError(`iverilog could not be run: ${c.error.message}`);
    if (c.status !== 0) throw new ToolError(`iverilog rejected the design:\n${c.stderr}${c.stdout}`);
    const r = spawnSync('vvp', ['-n', 'sim.vvp'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.error) throw new ToolError(`vvp could not be run: ${r.error.message}`);
    if (r.status !== 0) throw new ToolError(`vvp failed:\n${r.stderr}${r.stdout}`);
    const lines = readFileSync(join(dir, 'y.hex'), 'utf8').split('\n').filter((l) => l !== '');
    if (lines.length !== vectors.length) throw new ToolError(`vvp wrote ${lines.length} samples, expected ${vectors.length}`);
    return lines.map((l) => {
      if (!/^[0-9a-fA-F]+$/.test(l)) return null;
      return unpackOutputs(BigInt(`0x${l}`), ports);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
