import { SQUARE_ROM_MAX_BITS } from '../../da/net-builder.js';
import type { Netlist, NetSignal } from '../netlist.js';

/**
 * Lowering pass: how each square is built. The square of an operand of up to
 * SQUARE_ROM_MAX_BITS bits is a lookup table (a constant indexed by the operand's bits: one
 * LUT level); a wider one is the sum of the shifted partial products of |a|. The graph's levels
 * (da/net-builder.ts, `squareLevels`) assume the same choice.
 */
export type SquareForm = 'rom' | 'shift-add';

/** Per signal: the square's form, or null for a signal that is not a square. */
export function squareForms(n: Netlist): (SquareForm | null)[] {
  return n.signals.map((s) => (s.kind !== 'square' ? null : n.signals[s.a]!.width <= SQUARE_ROM_MAX_BITS ? 'rom' : 'shift-add'));
}

/**
 * A square's table: entry p is the square of the value whose bit pattern p is (two's complement
 * when `a` is signed), 0 for a pattern outside a's range (it never occurs), p = 0 … 2^width − 1.
 */
export function squareTable(a: Pick<NetSignal, 'width' | 'signed' | 'lo' | 'hi'>): bigint[] {
  const out: bigint[] = [];
  for (let p = 0; p < 2 ** a.width; p++) {
    const v = a.signed ? BigInt.asIntN(a.width, BigInt(p)) : BigInt(p);
    out.push(v < a.lo || v > a.hi ? 0n : v * v);
  }
  return out;
}

/** How the squares are built, in the manifest's words, or null without squares. */
export function describeSquares(forms: readonly (SquareForm | null)[]): 'lookup table' | 'shift-and-add' | 'lookup table and shift-and-add' | null {
  const rom = forms.includes('rom');
  const sa = forms.includes('shift-add');
  return rom && sa ? 'lookup table and shift-and-add' : rom ? 'lookup table' : sa ? 'shift-and-add' : null;
}
