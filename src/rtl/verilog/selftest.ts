import type { Netlist } from '../netlist.js';

/**
 * The board self-test: a top module that feeds the core one pseudo-random vector per clock
 * cycle from an LFSR, compresses its outputs in a MISR, and after N vectors compares the MISR
 * with the signature the TypeScript simulator predicted for exactly that sequence, lighting a
 * pass or a fail LED. No data pin is needed, so it fits any board.
 *
 * LFSR: Fibonacci form, state s (n bits), next = {s[n−2:0], ^(s & taps)}; n is the smallest
 * width in LFSR_TAPS that covers the core's input bits (maximal-length taps from Xilinx XAPP052);
 * beyond the largest width, several such LFSRs with different seeds side by side. x is the low
 * input-bits bits of the state, x[i] = x[W·i +: W] as the core's interface says.
 *
 * MISR: 64 bits, next = {m[62:0], ^(m & taps64)} ^ fold(o), where o = {score, y} (or y) and
 * fold XORs o's 64-bit slices (the last one zero-padded).
 *
 * Timing, counted from the first cycle after reset: in cycle t the LFSR state is s_t (s_0 =
 * the seed) and x = s_t; the core's outputs in cycle t belong to x of cycle t − L. Outputs are
 * folded into the MISR in cycles L … L+N−1, so exactly the N vectors s_0 … s_{N−1}; from cycle
 * L+N on, `done` holds and the LEDs show the comparison.
 */

/** Maximal-length LFSR taps (bit positions, 1 = least significant) by width (Xilinx XAPP052). */
export const LFSR_TAPS: Record<number, number[]> = {
  8: [8, 6, 5, 4],
  16: [16, 15, 13, 4],
  24: [24, 23, 22, 17],
  32: [32, 22, 2, 1],
  48: [48, 47, 21, 20],
  64: [64, 63, 61, 60],
  96: [96, 94, 49, 47],
  128: [128, 126, 101, 99],
  168: [168, 166, 153, 151],
};

export const MISR_WIDTH = 64;
export const DEFAULT_VECTORS = 4096;

export interface Led {
  activeLow: boolean;
}

/** What the board offers the self-test: LEDs (pass is required) and a restart button. */
export interface SelfTestBoard {
  clockMhz: number;
  pass: Led;
  fail: Led | null;
  beat: Led | null;
  button: Led | null;
}

export interface SelfTestPlan {
  /** Widths of the side-by-side LFSRs (one unless the core has more than 168 input bits). */
  lfsrWidths: number[];
  /** One seed per LFSR (non-zero). */
  seeds: bigint[];
  vectors: number;
  /** The MISR value after the N vectors, as the simulator predicts it. */
  signature: bigint;
}

const mask = (w: number): bigint => (1n << BigInt(w)) - 1n;

function tapMask(taps: number[]): bigint {
  let m = 0n;
  for (const t of taps) m |= 1n << BigInt(t - 1);
  return m;
}

function parity(v: bigint): bigint {
  let p = 0n;
  while (v !== 0n) {
    p ^= v & 1n;
    v >>= 1n;
  }
  return p;
}

/** One Fibonacci LFSR step of an n-bit state with the given taps. */
export function lfsrStep(s: bigint, n: number, taps: number[]): bigint {
  return ((s << 1n) & mask(n)) | parity(s & tapMask(taps));
}

/** LFSR widths for `bits` input bits: the smallest table width that covers them, else several of the largest. */
export function lfsrWidths(bits: number): number[] {
  const widths = Object.keys(LFSR_TAPS).map(Number).sort((a, b) => a - b);
  const fit = widths.find((w) => w >= bits);
  if (fit !== undefined) return [fit];
  const top = widths[widths.length - 1]!;
  return new Array<number>(Math.ceil(bits / top)).fill(top);
}

/** Seeds: fixed, non-zero, different for each LFSR. */
export function lfsrSeeds(widths: number[], seed: bigint): bigint[] {
  return widths.map((w, k) => {
    let s = (seed * 0x9e3779b97f4a7c15n + BigInt(k) * 0x632be59bd9b4e019n) & mask(w);
    if (s === 0n) s = 1n;
    return s;
  });
}

/** The sequence of input vectors the self-test applies, as the core's signed/unsigned values. */
export function selfTestVectors(n: Netlist, widths: number[], seeds: bigint[], count: number): bigint[][] {
  const state = [...seeds];
  const W = n.ports.inputWidth;
  const out: bigint[][] = [];
  for (let t = 0; t < count; t++) {
    // the concatenated state, LFSR 0 lowest
    let word = 0n;
    for (let k = widths.length - 1; k >= 0; k--) word = (word << BigInt(widths[k]!)) | state[k]!;
    const x: bigint[] = [];
    for (let i = 0; i < n.ports.nIn; i++) {
      const f = (word >> BigInt(W * i)) & mask(W);
      x.push(n.ports.inputSigned ? BigInt.asIntN(W, f) : f);
    }
    out.push(x);
    for (let k = 0; k < widths.length; k++) state[k] = lfsrStep(state[k]!, widths[k]!, LFSR_TAPS[widths[k]!]!);
  }
  return out;
}

/** The output word {score, y} (y lowest) of one cycle, as the top module sees the core's ports. */
export function outputWord(n: Netlist, outs: readonly bigint[]): bigint {
  const WO = n.ports.outputWidth;
  let word = 0n;
  if (n.score) word = BigInt.asUintN(n.score.width, outs[n.outputs.length]!);
  for (let o = n.outputs.length - 1; o >= 0; o--) word = (word << BigInt(WO)) | BigInt.asUintN(WO, outs[o]!);
  return word;
}

export function outputBits(n: Netlist): number {
  return n.outputs.length * n.ports.outputWidth + (n.score ? n.score.width : 0);
}

/** One MISR step: shift with feedback, then XOR the folded output word. */
export function misrStep(m: bigint, word: bigint, bits: number): bigint {
  let folded = 0n;
  for (let lo = 0; lo < bits; lo += MISR_WIDTH) folded ^= (word >> BigInt(lo)) & mask(MISR_WIDTH);
  return lfsrStep(m, MISR_WIDTH, LFSR_TAPS[MISR_WIDTH]!) ^ folded;
}

/**
 * The signature of N vectors: run the self-test sequence through `simulate` (the netlist
 * simulator: one vector per cycle, outputs per cycle) and fold the outputs as the MISR does.
 */
export function planSelfTest(
  n: Netlist,
  simulate: (vectors: bigint[][]) => bigint[][],
  opts: { vectors?: number; seed?: bigint } = {},
): SelfTestPlan {
  const N = opts.vectors ?? DEFAULT_VECTORS;
  const widths = lfsrWidths(n.ports.nIn * n.ports.inputWidth);
  const seeds = lfsrSeeds(widths, opts.seed ?? 1n);
  const xs = selfTestVectors(n, widths, seeds, N);
  const flush = Array.from({ length: n.latency }, () => new Array<bigint>(n.ports.nIn).fill(0n));
  const ys = simulate([...xs, ...flush]);
  const bits = outputBits(n);
  let m = 0n;
  for (let t = 0; t < N; t++) m = misrStep(m, outputWord(n, ys[t + n.latency]!), bits);
  return { lfsrWidths: widths, seeds, vectors: N, signature: m };
}

const hex = (v: bigint, w: number): string => `${w}'h${v.toString(16)}`;

/** The self-test top module `da_gen_selftest` around the core (the core's module is separate text). */
export function selfTestVerilog(n: Netlist, plan: SelfTestPlan, board: SelfTestBoard): string {
  const nx = n.ports.nIn * n.ports.inputWidth;
  const ny = n.outputs.length * n.ports.outputWidth;
  const bits = outputBits(n);
  const M = MISR_WIDTH;
  const L: string[] = [];
  const ports = ['  input  wire clk'];
  ports.push(`  output wire led_pass`);
  if (board.fail) ports.push('  output wire led_fail');
  if (board.beat) ports.push('  output wire led_beat');
  if (board.button) ports.push('  input  wire btn');
  const N = plan.vectors;
  const cw = Math.max(1, (N + n.latency + 1).toString(2).length);
  const beatBit = Math.max(1, Math.floor(Math.log2(board.clockMhz * 1e6)) - 1);
  L.push(`// Generated by da-gen: board self-test around ${n.module}. Do not edit.`);
  L.push(`//   ${N} pseudo-random vectors from an LFSR (${plan.lfsrWidths.join(' + ')} bits), one per cycle;`);
  L.push(`//   the outputs (${bits} bits) folded into a ${M}-bit MISR; expected signature ${hex(plan.signature, M)}`);
  L.push(`//   (computed by da-gen's simulator for exactly this sequence). led_pass: it matched; led_fail: it did not.`);
  L.push('');
  L.push('`default_nettype none');
  L.push('');
  L.push('module da_gen_selftest (');
  L.push(ports.join(',\n'));
  L.push(');');
  L.push('  // power-on reset: 16 cycles (registers start at 0)' + (board.button ? '; the button restarts the test' : ''));
  L.push('  reg  [4:0] por = 5\'d0;');
  L.push(`  wire rst = ~por[4]${board.button ? ` | ${board.button.activeLow ? '~btn' : 'btn'}` : ''};`);
  L.push(`  always @(posedge clk) por <= ${board.button ? `(${board.button.activeLow ? '~btn' : 'btn'}) ? 5'd0 : ` : ''}(por[4] ? por : por + 5'd1);`);
  L.push('');
  // LFSRs
  const lfsrNames: string[] = [];
  plan.lfsrWidths.forEach((w, k) => {
    const name = `lfsr${k}`;
    lfsrNames.push(name);
    const taps = LFSR_TAPS[w]!.map((t) => `${name}[${t - 1}]`).join(' ^ ');
    L.push(`  reg  [${w - 1}:0] ${name} = ${w}'d0;`);
    L.push(`  always @(posedge clk) ${name} <= rst ? ${hex(plan.seeds[k]!, w)} : {${name}[${w - 2}:0], ${taps}};`);
  });
  const all = lfsrNames.length === 1 ? lfsrNames[0]! : `{${[...lfsrNames].reverse().join(', ')}}`;
  const total = plan.lfsrWidths.reduce((a, b) => a + b, 0);
  L.push(`  wire [${total - 1}:0] state = ${all};`);
  L.push('');
  L.push('  // the core');
  L.push(`  wire [${nx - 1}:0] x = state[${nx - 1}:0];`);
  L.push(`  wire [${ny - 1}:0] y;`);
  if (n.score) L.push(`  wire [${n.score.width - 1}:0] score;`);
  L.push(`  ${n.module} core (.clk(clk), .x(x), .y(y)${n.score ? ', .score(score)' : ''});`);
  if (total > nx) L.push(`  wire unused_state = &{1'b0, state[${total - 1}:${nx}]};`);
  L.push('');
  L.push('  // the MISR folds the outputs of cycles L … L+N−1');
  const word = n.score ? `{score, y}` : 'y';
  const slices = Math.ceil(bits / M);
  const padded = slices * M;
  L.push(`  wire [${padded - 1}:0] o = ${padded === bits ? word : `{${padded - bits}'d0, ${word}}`};`);
  const fold = Array.from({ length: slices }, (_, k) => `o[${k * M + M - 1}:${k * M}]`).join(' ^ ');
  L.push(`  wire [${M - 1}:0] folded = ${fold};`);
  const mt = LFSR_TAPS[M]!.map((t) => `misr[${t - 1}]`).join(' ^ ');
  L.push(`  reg  [${M - 1}:0] misr = ${M}'d0;`);
  L.push(`  reg  [${cw - 1}:0] cycle = ${cw}'d0;`);
  L.push(`  wire capture = cycle >= ${cw}'d${n.latency} && cycle < ${cw}'d${n.latency + N};`);
  L.push(`  wire done = cycle == ${cw}'d${n.latency + N};`);
  L.push('  always @(posedge clk) begin');
  L.push('    if (rst) begin');
  L.push(`      misr <= ${M}'d0;`);
  L.push(`      cycle <= ${cw}'d0;`);
  L.push('    end else begin');
  L.push(`      if (capture) misr <= {misr[${M - 2}:0], ${mt}} ^ folded;`);
  L.push(`      if (!done) cycle <= cycle + ${cw}'d1;`);
  L.push('    end');
  L.push('  end');
  L.push(`  wire pass = done && misr == ${hex(plan.signature, M)};`);
  L.push(`  wire fail = done && misr != ${hex(plan.signature, M)};`);
  L.push('');
  L.push(`  // heartbeat: about ${board.clockMhz >= 1 ? '1 Hz' : 'a blink'} from the board clock`);
  L.push(`  reg  [${beatBit}:0] beat = ${beatBit + 1}'d0;`);
  L.push(`  always @(posedge clk) beat <= beat + ${beatBit + 1}'d1;`);
  const drive = (on: string, led: Led): string => (led.activeLow ? `~(${on})` : on);
  // with no fail LED, the pass LED blinks fast on a failure
  const passOn = board.fail ? 'pass' : `pass | (fail & beat[${Math.max(0, beatBit - 3)}])`;
  L.push(`  assign led_pass = ${drive(passOn, board.pass)};`);
  if (board.fail) L.push(`  assign led_fail = ${drive('fail', board.fail)};`);
  if (board.beat) L.push(`  assign led_beat = ${drive(`beat[${beatBit}]`, board.beat)};`);
  L.push('endmodule');
  L.push('');
  L.push('`default_nettype wire');
  L.push('');
  return L.join('\n');
}
