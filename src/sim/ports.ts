import type { Ports } from '../rtl/netlist.js';

/**
 * The module's ports as bit vectors: x packed from its values, {score, y} unpacked into values,
 * as the Verilog interface lays them out (x[i] = x[W·i +: W], y[o] = y[WO·o +: WO], score above y).
 */

/** Pack x_0 … x_{n−1} (each `width` bits, two's complement) into one hex word, x_0 lowest. */
export function packVector(xs: readonly bigint[], width: number): string {
  let word = 0n;
  for (let i = xs.length - 1; i >= 0; i--) word = (word << BigInt(width)) | BigInt.asUintN(width, xs[i]!);
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
export function unpackOutputs(word: bigint, p: Ports): bigint[] {
  const y = unpackWord(word, p.nOut, p.outputWidth, p.outputSigned);
  if (p.scoreWidth !== null) y.push(BigInt.asUintN(p.scoreWidth, word >> BigInt(p.nOut * p.outputWidth)));
  return y;
}
