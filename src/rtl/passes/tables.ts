import { bitsFor } from '../../da/ranges.js';
import type { Netlist, TableSignal } from '../netlist.js';

/**
 * Lowering pass: how each lookup table is built. A table is a ROM laid out by the bit pattern of
 * the value it looks up, as the squares' tables are (passes/squares.ts): slot p holds
 * entries[v − base] for the value v whose bit pattern p is (two's complement when the index is
 * signed), and 0 for a v outside the entries. So no adder computes a − base: the index is a's
 * own bits, one level of lookup tables.
 *
 * Tables of the same entries and base over an index of the same width and signedness read one
 * shared ROM: the printer declares it once, and each table takes the low bits of its slot that
 * its own width needs (a table's range, and so its width, depends on the range of what it looks
 * up; the low bits of a slot are that value whenever it is in range).
 */
export interface Rom {
  /** Its name in the printed module: rom0, rom1, … in order of first use. */
  name: string;
  /** Width and signedness of the value looked up (the index). */
  indexWidth: number;
  indexSigned: boolean;
  /** The table as the graph gives it: entries[v − base]. */
  base: bigint;
  entries: readonly bigint[];
  /** content[p]: the value in slot p, for every bit pattern p of the index (0 … 2^indexWidth − 1). */
  content: bigint[];
  /** Bits of one slot: a power of two (so that the slot of p starts at p << log2(slotBits), a shift), at least as wide as every value in it and every reader. */
  slotBits: number;
  /** The table signals that read it, in order. */
  users: number[];
}

export interface TableForms {
  /** The distinct ROMs, in order of first use. */
  roms: Rom[];
  /** Per signal: the index in `roms` of the ROM a table reads, −1 for other signals. */
  romOf: Int32Array;
}

/** The value that bit pattern p of a `width`-bit index means. */
function patternValue(p: number, width: number, signed: boolean): bigint {
  return signed ? BigInt.asIntN(width, BigInt(p)) : BigInt(p);
}

/** The slot contents of a table's ROM: entries[v − base] for the value v of each bit pattern, 0 outside the entries. */
function romContent(t: TableSignal, indexWidth: number, indexSigned: boolean): bigint[] {
  const content: bigint[] = [];
  for (let p = 0; p < 2 ** indexWidth; p++) {
    const k = patternValue(p, indexWidth, indexSigned) - t.base;
    content.push(k >= 0n && k < BigInt(t.entries.length) ? t.entries[Number(k)]! : 0n);
  }
  return content;
}

export function tableForms(n: Netlist): TableForms {
  const roms: Rom[] = [];
  const romOf = new Int32Array(n.signals.length).fill(-1);
  const byKey = new Map<string, number>();
  n.signals.forEach((s, idx) => {
    if (s.kind !== 'table') return;
    const a = n.signals[s.a]!;
    const key = `${a.width}:${a.signed ? 's' : 'u'}:${s.base}:${s.entries.join(',')}`;
    let r = byKey.get(key);
    if (r === undefined) {
      r = roms.length;
      byKey.set(key, r);
      roms.push({ name: `rom${r}`, indexWidth: a.width, indexSigned: a.signed, base: s.base, entries: s.entries, content: romContent(s, a.width, a.signed), slotBits: 1, users: [] });
    }
    romOf[idx] = r;
    roms[r]!.users.push(idx);
  });
  for (const rom of roms) {
    let lo = 0n;
    let hi = 0n;
    for (const v of rom.content) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const bits = Math.max(bitsFor(lo, hi), ...rom.users.map((u) => n.signals[u]!.width));
    rom.slotBits = 2 ** Math.ceil(Math.log2(bits));
  }
  return { roms, romOf };
}
