import { bitsFor } from '../../da/ranges.js';
import { outputRange } from '../../spec/tables.js';
import { VERSION } from '../../version.js';
import type { Forms, LoweredNetlist } from '../lower.js';
import type { AdderSignal, Block, CatSignal, CmpSignal, InstSignal, MuxSignal, NetSignal, SquareSignal, StepSignal, TableSignal } from '../netlist.js';
import { isStep } from '../netlist.js';
import type { Rom } from '../passes/tables.js';
import { squareTable } from '../passes/squares.js';

/**
 * The Verilog printer: a lowered Netlist → Verilog-2005 text. It prints what the netlist and
 * its lowering (rtl/lower.ts) decided, and decides nothing itself. Every operand is explicitly
 * extended (or truncated) to the width of the signal it feeds, so each `+`/`−` has operands of
 * one width and the result is exact modulo 2^width, and each comparison of two signals compares
 * two signed operands of one width that holds both: no implicit sizing or signedness rules are
 * involved, and `verilator --lint-only -Wall` has nothing to say.
 */

function range(width: number): string {
  return `[${width - 1}:0]`;
}

/**
 * The constant v as a literal of `width` bits: `8'd5`, and for a negative v of a signed signal
 * `-8'sd5` (the same bits as its two's complement, easier to read). A v outside the range of
 * the format (a multiplexer's constant that is never chosen) is written as its low bits.
 */
function literal(v: bigint, width: number, signed: boolean): string {
  const w = BigInt(width);
  const fits = signed ? v >= -(1n << (w - 1n)) && v < 1n << (w - 1n) : v >= 0n && v < 1n << w;
  if (!fits) return `${width}'d${BigInt.asUintN(width, v)}`;
  if (v >= 0n) return `${width}'${signed ? 's' : ''}d${v}`;
  return `-${width}'sd${-v}`;
}

/** What the emitter prints from: the signals of the module or of a block, their forms, and the top module's name (its adder module is `<module>_add`). */
interface Printable {
  module: string;
  signals: NetSignal[];
  forms: Forms;
}

class Emitter {
  /** The bits of each signal that some expression reads (absent: none). */
  readonly usedBits: (Uint8Array | undefined)[];
  /** The same for the inverted copies `<name>_n`. */
  readonly usedCopyBits: (Uint8Array | undefined)[];
  readonly forms: Forms;
  /** Wires that nothing reads beside the signals (instance outputs an instance does not use). */
  readonly unusedWires: string[] = [];
  constructor(readonly n: Printable) {
    this.forms = n.forms;
    this.usedBits = new Array(n.signals.length);
    this.usedCopyBits = new Array(n.signals.length);
  }

  private mark(list: (Uint8Array | undefined)[], idx: number, lo: number, hi: number): void {
    const bits = (list[idx] ??= new Uint8Array(this.n.signals[idx]!.width));
    for (let b = lo; b <= hi; b++) bits[b] = 1;
  }

  /** Bits lo..hi of signal idx are read (bits 0..hi when lo is left out). */
  private use(idx: number, hi: number, lo = 0): void {
    this.mark(this.usedBits, idx, lo, hi);
  }

  private useCopy(idx: number, hi: number, lo = 0): void {
    this.mark(this.usedCopyBits, idx, lo, hi);
  }

  /** The declaration of a signal's inverted copy, when it has one. */
  copyDecl(idx: number): string[] {
    if (!this.forms.inverted[idx]) return [];
    const s = this.n.signals[idx]!;
    this.use(idx, s.width - 1);
    return [`  wire ${s.signed ? 'signed ' : ''}${range(s.width)} ${s.name}_n = ~${s.name};  // subtracted as ${s.name}_n + 1`];
  }

  /**
   * `sig << shift` (a negative shift drops that many low bits), extended or truncated to
   * `width` bits; null when it is 0 modulo 2^width. Inverted: ¬(sig << shift), whose bits
   * shifted in or beyond the width are ones (¬0), never null.
   */
  operand(idx: number, shift: number, width: number, inverted = false): string | null {
    if (shift >= width) return inverted ? (width === 1 ? `1'b1` : `{${width}{1'b1}}`) : null;
    const sig = this.n.signals[idx]!;
    // ¬sig: the signal itself when held complemented, else its inverted copy
    const copy = inverted && !this.forms.complemented[idx];
    const name = copy ? `${sig.name}_n` : sig.name;
    const mark = (bit: number, lo = 0): void => (copy ? this.useCopy(idx, bit, lo) : this.use(idx, bit, lo));
    const s = { name, width: sig.width, signed: sig.signed };
    // extension of an inverted unsigned signal: ¬0 = 1
    const fill = s.signed ? `${s.name}[${s.width - 1}]` : inverted ? `1'b1` : `1'b0`;
    if (shift < 0) {
      const from = -shift;
      if (from >= s.width) {
        if (s.signed) mark(s.width - 1, s.width - 1);
        return s.signed || inverted ? (width === 1 ? fill : `{${width}{${fill}}}`) : `${width}'d0`;
      }
      const top = Math.min(s.width - 1, from + width - 1);
      mark(top, from);
      const slice = top === from ? `${s.name}[${from}]` : `${s.name}[${top}:${from}]`;
      const k = width - (top - from + 1);
      if (k === 0) return slice;
      return k === 1 ? `{${fill}, ${slice}}` : `{{${k}{${fill}}}, ${slice}}`;
    }
    const bw = width - shift;
    let e: string;
    if (s.width === bw) {
      e = s.name;
      mark(s.width - 1);
    } else if (s.width > bw) {
      e = bw === 1 ? `${s.name}[0]` : `${s.name}[${bw - 1}:0]`;
      mark(bw - 1);
    } else {
      const k = bw - s.width;
      e = k === 1 ? `{${fill}, ${s.name}}` : `{{${k}{${fill}}}, ${s.name}}`;
      mark(s.width - 1);
    }
    if (shift === 0) return e;
    return inverted ? `{${e}, ${shift === 1 ? `1'b1` : `{${shift}{1'b1}}`}}` : `{${e}, ${shift}'d0}`;
  }

  /** Human-readable form of signal idx, e.g. `x3 + (x7 << 2)`. */
  describe(s: AdderSignal | StepSignal, idx: number): string {
    const term = (idx: number, shift: number): string => {
      const name = this.n.signals[idx]!.name;
      return shift === 0 ? name : `(${name} << ${shift})`;
    };
    if (s.kind === 'mux') {
      const pick = (idx: number, shift: number, c: bigint): string => (idx >= 0 ? term(idx, shift) : `${c}`);
      return `${this.n.signals[s.sel]!.name} ? ${pick(s.a, s.shiftA, s.ca)} : ${pick(s.b, s.shiftB, s.cb)}`;
    }
    const an = this.n.signals[s.a]!.name;
    switch (s.kind) {
      case 'cmp':
        return `${term(s.a, s.shiftA)}${s.b >= 0 ? ` - ${term(s.b, s.shiftB)}` : ''} >= ${s.c}`;
      case 'table': {
        const at = s.base === 0n ? an : `${an} ${s.base < 0n ? '+' : '-'} ${s.base < 0n ? -s.base : s.base}`;
        return `entries[${at}] of ${this.forms.roms[this.forms.romOf[idx]!]!.name}`;
      }
      case 'neg':
        return `-${term(s.a, s.shiftA)}`;
      case 'addc':
        return `${term(s.a, s.shiftA)} ${s.c < 0n ? '-' : '+'} ${s.c < 0n ? -s.c : s.c}`;
      case 'shr':
        return `${an} >>> ${s.shift} (floor)`;
      case 'rne':
        return `${an} >>> ${s.shift} rounded to nearest, ties to even`;
      case 'relu':
        return `relu(${an})`;
      case 'fit':
        return `${s.fit.overflow} ${term(s.a, s.shiftA)} to ${s.fit.width} bits ${s.fit.signed ? 'signed' : 'unsigned'}`;
      case 'square':
        return `${an}²`;
      case 'add':
      case 'sub':
        return `${term(s.a, s.shiftA)} ${s.kind === 'add' ? '+' : '-'} ${term(s.b, s.shiftB)}`;
    }
  }

  /**
   * One adder's lines. Additions are one `assign`. Subtractions are written as additions with
   * carry in, a − b = a + ¬b + 1, where ¬b is a signal of its own: b itself when b is held
   * complemented, else b's shared inverted copy `b_n` (see `adderForms`). A chained adder is an
   * instance of the `<module>_add` module. In the last two forms the low bits that need no
   * carry chain (zero, or copied from the less-shifted operand) are assigned apart, so the chain
   * starts where it must. A complemented adder writes `~(…)`: free, as the inversion joins the
   * lookup table that computes each sum bit.
   */
  adder(s: AdderSignal, idx: number): string[] {
    const f = this.forms;
    const w = s.width;
    const inv = f.complemented[idx] === 1;
    const chained = f.chained[idx] === 1;
    const not = (e: string): string => (inv ? `~(${e})` : e);
    if (s.kind === 'add' && !chained) return [`  assign ${s.name} = ${not(this.sum(s))};`];
    if (s.kind === 'addc') {
      const a = this.operand(s.a, s.shiftA, w) ?? `${w}'d0`;
      const c = `${w}'d${BigInt.asUintN(w, s.c)}`;
      if (!chained) return [`  assign ${s.name} = ${not(`${a} + ${c}`)};`];
      return [`  ${this.n.module}_add #(.W(${w}), .CI(0), .INV(${inv ? 1 : 0})) add_${s.name} (.a(${a}), .b(${c}), .y(${s.name}));`];
    }
    // bits below t need no carry chain: zero, or the less-shifted operand's own bits
    let t = s.kind === 'neg' ? s.shiftA : s.kind === 'sub' ? s.shiftB : Math.max(s.shiftA, s.shiftB);
    t = Math.min(t, w - 1);
    let low: string | null = null;
    if (t > 0 && s.kind !== 'neg') {
      const lowA = s.kind === 'sub' ? s.shiftA < s.shiftB : s.shiftA <= s.shiftB;
      low = lowA ? this.operand(s.a, s.shiftA, t) : this.operand(s.b, s.shiftB, t);
    }
    const cw = w - t;
    const zero = `${cw}'d0`;
    let a: string | null;
    let b: string | null;
    if (s.kind === 'neg') {
      a = null;
      b = this.operand(s.a, s.shiftA - t, cw, true);
    } else {
      a = this.operand(s.a, s.shiftA - t, cw);
      b = this.operand(s.b, s.shiftB - t, cw, s.kind === 'sub');
    }
    const ci = s.kind === 'add' ? 0 : 1;
    const L: string[] = [];
    const dst = t === 0 ? s.name : cw === 1 ? `${s.name}[${w - 1}]` : `${s.name}[${w - 1}:${t}]`;
    if (t > 0) L.push(`  assign ${t === 1 ? `${s.name}[0]` : `${s.name}[${t - 1}:0]`} = ${low === null ? (inv ? `{${t}{1'b1}}` : `${t}'d0`) : not(low)};`);
    if (chained) {
      L.push(`  ${this.n.module}_add #(.W(${cw}), .CI(${ci}), .INV(${inv ? 1 : 0})) add_${s.name} (.a(${a ?? zero}), .b(${b ?? zero}), .y(${dst}));`);
    } else {
      L.push(`  assign ${dst} = ${not(`${a ?? zero} + ${b ?? zero}${ci ? " + 1'b1" : ''}`)};`);
    }
    return L;
  }

  /** Bit `b` of signal idx (marked as used). */
  bit(idx: number, b: number): string {
    this.use(idx, b, b);
    return `${this.n.signals[idx]!.name}[${b}]`;
  }

  /**
   * The steps between layers: shr (wiring), relu (a mux on the sign bit), fit (wiring when
   * wrapping; comparisons with the limits when saturating), square (a lookup table or
   * shift-and-add partial products of |a|, as the lowering chose), cmp (a comparison), mux
   * (`sel ? a : b`) and table (a slice of its ROM).
   */
  nonLinear(s: StepSignal, idx: number): string[] {
    const w = s.width;
    const a = this.n.signals[s.a]!;
    const lit = (v: bigint, width: number): string => `${width}'d${BigInt.asUintN(width, v)}`;
    switch (s.kind) {
      case 'shr':
        return [`  assign ${s.name} = ${this.operand(s.a, -s.shift, w) ?? `${w}'d0`};`];
      case 'rne':
        return [`  assign ${s.name} = ${this.operand(s.a, -s.shift, w) ?? `${w}'d0`} + ${this.roundUp(s.a, s.shift, w)};`];
      case 'relu':
        return [`  assign ${s.name} = ${this.bit(s.a, a.width - 1)} ? ${w}'d0 : ${this.operand(s.a, 0, w)};`];
      case 'fit': {
        const f = s.fit;
        const value = this.operand(s.a, s.shiftA, w) ?? `${w}'d0`;
        if (f.overflow === 'wrap') return [`  assign ${s.name} = ${value};`];
        const [min, max] = outputRange(f);
        const sh = BigInt(s.shiftA);
        // (a << sh) > max ⟺ a > floor(max / 2^sh);  (a << sh) < min ⟺ a < ceil(min / 2^sh)
        const hiA = max >> sh;
        const loA = -((-min) >> sh);
        const cmp = (v: bigint): string => (a.signed ? (v < 0n ? `-${a.width}'sd${-v}` : `${a.width}'sd${v}`) : `${a.width}'d${v}`);
        this.use(s.a, a.width - 1);
        let e = value;
        if (a.lo < loA) e = `(${a.name} < ${cmp(loA)}) ? ${lit(min, w)} : ${e}`;
        if (a.hi > hiA) e = `(${a.name} > ${cmp(hiA)}) ? ${lit(max, w)} : ${e}`;
        return [`  assign ${s.name} = ${e};`];
      }
      case 'square':
        return this.square(s, a, this.forms.squares[idx] === 'rom');
      case 'cmp':
        return this.comparator(s);
      case 'mux':
        return this.mux(s);
      case 'table':
        return this.table(s, idx);
    }
  }

  /**
   * The increment that rounds a >>> k to nearest, ties to even, as a `width`-bit operand: the
   * guard bit (k − 1) and either a lower bit (the sticky OR) or the kept LSB (bit k). A bit
   * beyond a's width is its sign (signed) or 0.
   */
  private roundUp(idx: number, k: number, width: number): string {
    const a = this.n.signals[idx]!;
    const bitOf = (b: number): string => (b < a.width ? this.bit(idx, b) : a.signed ? this.bit(idx, a.width - 1) : `1'b0`);
    const guard = bitOf(k - 1);
    const lsb = bitOf(k);
    let sticky = '';
    if (k >= 2) {
      // the bits beyond a's width repeat its sign bit (or are 0), already in the OR
      const top = Math.min(k - 2, a.width - 1);
      this.use(idx, top);
      sticky = `${top === 0 ? `${a.name}[0]` : `|${a.name}[${top}:0]`} | `;
    }
    const inc = `${guard} & (${sticky}${lsb})`;
    return width === 1 ? `(${inc})` : `{${width - 1}'d0, ${inc}}`;
  }

  /** An operand of a signed comparison: the bare name of a signed signal, else `$signed(…)` (a concatenation is unsigned). */
  private signedOperand(idx: number, shift: number, width: number): string {
    const e = this.operand(idx, shift, width) ?? `${width}'d0`;
    const sig = this.n.signals[idx]!;
    return e === sig.name && sig.signed ? e : `$signed(${e})`;
  }

  /**
   * A comparator, (a << sA) − (b << sB) ≥ c. A shift common to both terms is taken out of both
   * sides: (a << sA') − (b << sB') ≥ ⌈c / 2^s⌉. Then, where the ranges do not decide it:
   * without b, a ≥ k for the constant k = ⌈c / 2^sA⌉, which lies in a's range and so fits a's
   * own width and signedness; with b, a comparison of both terms extended to one signed width D
   * that holds every value on either side (`>=` for c = 0, `>` for c = 1, the constant added to
   * b when c > 1 and to a when c < 0), so no operand is unsigned, and nothing overflows.
   * Synthesis builds each comparison as a subtraction whose carry out is the result.
   */
  private comparator(s: CmpSignal): string[] {
    const a = this.n.signals[s.a]!;
    const b = s.b >= 0 ? this.n.signals[s.b]! : null;
    const common = b ? Math.min(s.shiftA, s.shiftB) : s.shiftA;
    const sa = s.shiftA - common;
    const sb = b ? s.shiftB - common : 0;
    const c = -(-s.c >> BigInt(common)); // ⌈c / 2^common⌉
    const [aLo, aHi] = [a.lo << BigInt(sa), a.hi << BigInt(sa)];
    const [bLo, bHi] = b ? [b.lo << BigInt(sb), b.hi << BigInt(sb)] : [0n, 0n];
    if (aLo - bHi >= c) return [`  assign ${s.name} = 1'b1;  // always: the ranges decide it`];
    if (aHi - bLo < c) return [`  assign ${s.name} = 1'b0;  // never: the ranges decide it`];
    if (!b) {
      this.use(s.a, a.width - 1);
      return [`  assign ${s.name} = ${a.name} >= ${literal(c, a.width, a.signed)};`];
    }
    const mag = c < 0n ? -c : c;
    let D = Math.max(bitsFor(aLo, aHi, true), bitsFor(bLo, bHi, true), bitsFor(0n, mag, true));
    if (c > 1n) D = Math.max(D, bitsFor(bLo + c, bHi + c, true));
    if (c < 0n) D = Math.max(D, bitsFor(aLo + mag, aHi + mag, true));
    const A = this.signedOperand(s.a, sa, D);
    const B = this.signedOperand(s.b, sb, D);
    const k = `${D}'sd${mag}`;
    const e = c === 0n ? `${A} >= ${B}` : c === 1n ? `${A} > ${B}` : c > 1n ? `${A} >= ${B} + ${k}` : `${A} + ${k} >= ${B}`;
    return [`  assign ${s.name} = ${e};`];
  }

  /** A multiplexer: `sel ? a : b`, each side an operand extended to the signal's width or a constant of that width. */
  private mux(s: MuxSignal): string[] {
    const w = s.width;
    const side = (idx: number, shift: number, c: bigint): string => (idx >= 0 ? (this.operand(idx, shift, w) ?? `${w}'d0`) : literal(c, w, s.signed));
    const sel = this.n.signals[s.sel]!;
    this.use(s.sel, sel.width - 1);
    // sel ≠ 0: the bit itself, or any bit of a wider select
    const cond = sel.width === 1 ? sel.name : `|${sel.name}`;
    return [`  assign ${s.name} = ${cond} ? ${side(s.a, s.shiftA, s.ca)} : ${side(s.b, s.shiftB, s.cb)};`];
  }

  /**
   * A concatenation, highest part first: `{a2[w2-1:0], a1, a0[w0-1:0]}`, each operand cut to its
   * part's low bits, or extended (sign- or zero-, as it is signed) when narrower, so that each
   * part is its value mod 2^width. Wiring: no logic.
   */
  cat(s: CatSignal): string[] {
    const parts = s.args.map((a, j) => this.operand(a, 0, s.widths[j]!)!);
    let at = 0;
    const fields = s.args.map((a, j) => {
      const w = s.widths[j]!;
      const f = `${this.n.signals[a]!.name} in ${w === 1 ? `[${at}]` : `[${at + w - 1}:${at}]`}`;
      at += w;
      return f;
    });
    return [`  ${decl(s, 'wire')};  // ${fields.join(', ')} (a concatenation: wiring)`, `  assign ${s.name} = {${parts.reverse().join(', ')}};`];
  }

  /** A table: its width's low bits of the slot of its ROM that a's bit pattern selects (the slots are a power of two wide, so the slot starts at a's bits shifted). */
  private table(s: TableSignal, idx: number): string[] {
    const rom = this.forms.roms[this.forms.romOf[idx]!]!;
    const a = this.n.signals[s.a]!;
    this.use(s.a, a.width - 1);
    const pb = Math.log2(rom.slotBits);
    // a concatenation is unsigned: the index is a's bit pattern, never a negative number
    const at = pb === 0 ? `{${a.name}}` : `{${a.name}, ${pb}'d0}`;
    return [`  assign ${s.name} = ${rom.name}[${at} +: ${s.width}];`];
  }

  private square(s: SquareSignal, a: NetSignal, rom: boolean): string[] {
    const w = s.width;
    const wa = a.width;
    this.use(s.a, wa - 1);
    if (rom) {
      // a table of 2^wa entries, each padded to a power of two bits, indexed by a's bits
      const pb = Math.max(0, Math.ceil(Math.log2(w)));
      const P = 1 << pb;
      // highest pattern first, as a Verilog concatenation lists them
      const entries = squareTable(a)
        .reverse()
        .map((v) => `${P}'d${v}`);
      const tab = `${s.name}_table`;
      // a concatenation is unsigned: the index is a's bit pattern, never a negative number
      const idx = pb === 0 ? `{${a.name}}` : `{${a.name}, ${pb}'d0}`;
      return [
        `  localparam [${(1 << wa) * P - 1}:0] ${tab} = {`,
        ...chunk(entries, 8).map((c, i, all) => `    ${c.join(', ')}${i < all.length - 1 ? ',' : ''}`),
        `  };`,
        `  assign ${s.name} = ${tab}[${idx} +: ${w}];`,
      ];
    }
    // |a| (a two's complement a is negated as ~a + 1) in the bits its range needs, then its
    // partial products
    const maxAbs = -a.lo > a.hi ? -a.lo : a.hi;
    const wm = Math.max(1, maxAbs.toString(2).length);
    const low = wm === wa ? a.name : `${a.name}[${wm - 1}:0]`;
    const m = `${s.name}_abs`;
    const lines = [`  wire ${range(wm)} ${m} = ${a.signed ? `${a.name}[${wa - 1}] ? ~${low} + ${wm}'d1 : ${low}` : low};`];
    const terms: string[] = [];
    for (let j = 0; j < wm; j++) {
      const body = j === 0 ? m : `{${m}, ${j}'d0}`;
      const pad = w - wm - j;
      const ext = pad > 0 ? `{${pad}'d0, ${body}}` : body;
      terms.push(`(${m}[${j}] ? ${ext} : ${w}'d0)`);
    }
    lines.push(`  assign ${s.name} = ${terms.join(' + ')};`);
    return lines;
  }

  /**
   * One instance of a block, after the wires of its outputs (its signals from `first` to
   * `last`): each port connected to its argument extended to the port's width, each
   * output to its wire, and an output this instance does not use to a wire of its own that
   * nothing reads.
   */
  instance(blocks: readonly Block[], clocked: readonly boolean[], first: number, last: number): string[] {
    const s0 = this.n.signals[first] as InstSignal;
    const blk = blocks[s0.block]!;
    const conns: string[] = [];
    if (clocked[s0.block]) conns.push('.clk(clk)');
    const L: string[] = [];
    blk.signals.forEach((b) => {
      if (b.kind !== 'input') return;
      conns.push(`.${b.name}(${this.operand(s0.args[b.input]!, 0, b.width)})`);
    });
    const wireOf = new Map<number, string>();
    for (let i = first; i <= last; i++) {
      const s = this.n.signals[i] as InstSignal;
      wireOf.set(s.output, s.name);
    }
    blk.outputs.forEach((o, k) => {
      if (o < 0) return;
      let w = wireOf.get(k);
      if (w === undefined) {
        w = `${s0.name}_y${k}_unused`;
        const b = blk.signals[o]!;
        L.push(`  wire ${b.signed ? 'signed ' : ''}${range(b.width)} ${w};`);
        this.unusedWires.push(w);
      }
      conns.push(`.y${k}(${w})`);
    });
    const head = `  ${blk.name} u_${s0.name} (`;
    if (conns.length <= 10) L.push(`${head}${conns.join(', ')});`);
    else L.push(head, ...chunk(conns, 8).map((c, i, all) => `    ${c.join(', ')}${i < all.length - 1 ? ',' : ''}`), '  );');
    return L;
  }

  /** a + b of an add node, at its width. */
  sum(s: Extract<AdderSignal, { kind: 'add' }>): string {
    const w = s.width;
    const a = this.operand(s.a, s.shiftA, w);
    const b = this.operand(s.b, s.shiftB, w);
    if (a === null) return b ?? `${w}'d0`;
    return b === null ? a : `${a} + ${b}`;
  }
}

/**
 * A ROM's declaration: one constant of 2^w slots (w the index width), the slot of bit pattern p
 * at bits p·P … p·P + P − 1 (P the slot width), highest slot first as a concatenation lists them.
 */
function romLines(rom: Rom, n: Printable): string[] {
  const P = rom.slotBits;
  const slots: string[] = [];
  // a negative entry is written as its value; its P bits are its two's complement
  for (let p = rom.content.length - 1; p >= 0; p--) {
    const v = rom.content[p]!;
    slots.push(v < 0n ? literal(v, P, true) : `${P}'d${v}`);
  }
  const fmt = `${rom.indexWidth}-bit ${rom.indexSigned ? 'signed' : 'unsigned'}`;
  const at = rom.base === 0n ? 'v' : `v ${rom.base < 0n ? '+' : '-'} ${rom.base < 0n ? -rom.base : rom.base}`;
  const names = rom.users.map((u) => n.signals[u]!.name);
  const readers = names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
  return [
    `  // ${rom.name}: entries[${at}] of a table of ${rom.entries.length} entries, for each ${fmt} value v (0 outside the`,
    `  // entries); the ${P}-bit slot of v's bit pattern p is bits [${P}*p +: ${P}]. Read by ${readers}.`,
    `  localparam ${range(rom.content.length * P)} ${rom.name} = {`,
    ...chunk(slots, 8).map((c, i, all) => `    ${c.join(', ')}${i < all.length - 1 ? ',' : ''}`),
    `  };`,
  ];
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function adderModule(top: string): string[] {
  return [
    `// One adder of W bits, modulo 2^W, kept in the hierarchy only so that synthesis builds it as`,
    `// one carry chain (see above): y = a + b + CI, inverted when INV = 1.`,
    `// verilator lint_off DECLFILENAME`,
    `(* keep_hierarchy *)`,
    `module ${top}_add #(`,
    `  parameter W = 1,`,
    `  parameter CI = 0,`,
    `  parameter INV = 0`,
    `) (`,
    `  input  wire [W-1:0] a,`,
    `  input  wire [W-1:0] b,`,
    `  output wire [W-1:0] y`,
    `);`,
    `  wire [W-1:0] s;`,
    `  generate`,
    `    if (CI) begin : carry_in`,
    `      assign s = a + b + 1'b1;`,
    `    end else begin : no_carry_in`,
    `      assign s = a + b;`,
    `    end`,
    `    if (INV) begin : inverted`,
    `      assign y = ~s;`,
    `    end else begin : plain`,
    `      assign y = s;`,
    `    end`,
    `  endgenerate`,
    `endmodule`,
    `// verilator lint_on DECLFILENAME`,
  ];
}

function decl(s: NetSignal, kind: 'wire' | 'reg'): string {
  return `${kind} ${s.signed ? 'signed ' : ''}${range(s.width)} ${s.name}`;
}

/** What the header says of the design beyond the netlist. */
export interface EmitInfo {
  /** What the module computes: "y = W·x, W is 16 outputs × 8 inputs", "a network of 3 layers, …". */
  title: string;
  /** y is exact (no overflow for any x): said in the header. */
  exact: boolean;
  /** The adder count without sharing, or undefined. */
  naiveAdders?: number;
}

const sig = (s: boolean): string => (s ? 'signed' : 'unsigned');

/** The comment block at the top of the file. */
function header(n: LoweredNetlist, info: EmitInfo, use: BlockUse): string[] {
  const { nIn, inputWidth: W, inputSigned, nOut, outputWidth: WO, outputSigned } = n.ports;
  const L: string[] = [];
  L.push(`// Generated by da-gen ${VERSION}. Do not edit: regenerate from the weights file.`);
  L.push(`//`);
  L.push(`// ${n.module}: ${info.title}, multiplier-free (shift-and-add).`);
  L.push(`//   x: ${nIn} × ${W}-bit ${sig(inputSigned)}, x[i] = x[${W}*i +: ${W}]`);
  L.push(`//   y: ${nOut} × ${WO}-bit ${sig(outputSigned)}, y[o] = y[${WO}*o +: ${WO}]${info.exact ? ' (exact: no overflow for any x)' : ''}`);
  if (n.score) L.push(`//   score: ${n.score.width}-bit unsigned, the sum of the squares of y, same latency`);
  if (n.latency === 0) {
    L.push(`//   latency: 0 (combinational)`);
  } else {
    L.push(`//   latency: ${n.latency} clock cycle${n.latency === 1 ? '' : 's'}, one new x per cycle; register ranks after adder levels ${n.cuts.join(', ')}`);
  }
  const naive = info.naiveAdders !== undefined ? ` (${info.naiveAdders} without sharing)` : '';
  L.push(`//   ${n.adders} adders${naive}, adder depth ${n.adderDepth}, ${n.registerBits} register bits`);
  if (n.blocks.length > 0) {
    const inst = use.instances.reduce((t, c) => t + c, 0);
    const k = n.blocks.length;
    L.push(`//   of which ${k} convolution kernel${k === 1 ? ' is a module' : 's are modules'} (${n.blocks.map((b) => b.name).join(', ')}), instantiated ${inst} times, once per output position`);
  }
  // comparators, multiplexers and tables (pooling, argmax, activations, table layers)
  const count = (kind: string): number => n.signals.filter((s) => s.kind === kind).length;
  const [cmps, muxes, tables] = [count('cmp'), count('mux'), count('table')];
  if (cmps + muxes + tables > 0) {
    const roms = n.forms.roms.length;
    const parts = [`${cmps} comparator${cmps === 1 ? '' : 's'}`, `${muxes} multiplexer${muxes === 1 ? '' : 's'}`, `${tables} lookup table${tables === 1 ? '' : 's'}${tables > 0 ? ` (${roms} distinct ROM${roms === 1 ? '' : 's'})` : ''}`];
    L.push(`//   and ${parts.join(', ')}; the depth counts a comparator or a table as one level`);
  }
  const cats = count('cat');
  if (cats > 0) L.push(`//   and ${cats} concatenation${cats === 1 ? '' : 's'} of narrow values (table addresses): wiring, no level`);
  return L;
}

/** `module <name> ( clk, x, y[, score] );` */
function modulePorts(n: LoweredNetlist): string[] {
  const p = n.ports;
  const L: string[] = [`module ${n.module} (`];
  const rx = range(p.nIn * p.inputWidth);
  const ry = range(p.nOut * p.outputWidth);
  const rs = n.score ? range(n.score.width) : '';
  const pad = Math.max(rx.length, ry.length, rs.length);
  L.push(`  input  wire ${''.padEnd(pad)} clk,`);
  L.push(`  input  wire ${rx.padEnd(pad)} x,`);
  if (n.score) {
    L.push(`  output wire ${ry.padEnd(pad)} y,`);
    L.push(`  output wire ${rs.padEnd(pad)} score`);
  } else L.push(`  output wire ${ry.padEnd(pad)} y`);
  L.push(');');
  return L;
}

/** What signalLines needs beside the signals: the pipeline's shape (for the section comments) and the blocks that instances use. */
interface Layout {
  latency: number;
  cuts: number[];
  adderDepth: number;
  blocks: readonly Block[];
  /** Per block: whether it has registers (and so a clk port). */
  clocked: readonly boolean[];
}

/** What the printer needs to know of the blocks, found once: which have registers, and each one's instances. */
interface BlockUse {
  clocked: boolean[];
  instances: number[];
}

function blockUse(n: LoweredNetlist): BlockUse {
  const clocked = n.blocks.map((b) => b.signals.some((s) => s.kind === 'reg'));
  // the signals of one instance are consecutive
  const instances = n.blocks.map(() => 0);
  n.signals.forEach((s, i) => {
    if (s.kind !== 'inst') return;
    const prev = n.signals[i - 1];
    if (prev === undefined || prev.kind !== 'inst' || prev.instance !== s.instance) instances[s.block]!++;
  });
  return { clocked, instances };
}

/**
 * Every signal in order, grouped in sections (inputs, stages, register ranks); whether the
 * adder module is needed. `inputLine` declares an input signal (a slice of x, or nothing for a
 * block's port, which its port list declares).
 */
function signalLines(n: Printable & Layout, e: Emitter, inputLine: (s: Extract<NetSignal, { kind: 'input' }>) => string[]): { lines: string[]; usesAdderModule: boolean } {
  const body: string[] = [];
  let regBlock: string[] = [];
  const flushRegs = (): void => {
    if (regBlock.length === 0) return;
    body.push('  always @(posedge clk) begin');
    for (const r of regBlock) body.push(`    ${r}`);
    body.push('  end');
    regBlock = [];
  };
  let section = '';
  let usesAdderModule = false;
  if (n.forms.roms.length > 0) {
    body.push('', '  // lookup tables (ROMs), each shared by the tables of the same entries and index format');
    for (const rom of n.forms.roms) body.push(...romLines(rom, n));
  }
  let instFirst = -1;
  n.signals.forEach((s, idx) => {
    if (s.kind === 'input') {
      if (section !== 'in') {
        body.push('');
        body.push('  // inputs');
        section = 'in';
      }
      body.push(...inputLine(s));
      body.push(...e.copyDecl(idx));
      return;
    }
    if (s.kind === 'reg') {
      if (section !== `reg${s.stage}`) {
        flushRegs();
        body.push('');
        body.push(`  // register rank ${s.stage}`);
        section = `reg${s.stage}`;
      }
      body.push(`  ${decl(s, 'reg')};${e.forms.complemented[idx] ? '  // complemented, as its source' : ''}`);
      body.push(...e.copyDecl(idx));
      regBlock.push(`${s.name} <= ${n.signals[s.a]!.name};`);
      e.operand(s.a, 0, s.width);
      return;
    }
    if (section !== `st${s.stage}`) {
      flushRegs();
      body.push('');
      if (n.latency === 0) body.push(`  // adders, levels 1..${n.adderDepth}`);
      else {
        const first = s.stage === 1 ? 1 : n.cuts[s.stage - 2]! + 1;
        body.push(`  // stage ${s.stage}: adder levels ${first}..${n.cuts[s.stage - 1]}`);
      }
      section = `st${s.stage}`;
    }
    if (s.kind === 'inst') {
      // the wires of an instance's outputs, then the instance after its last one
      if (instFirst < 0) instFirst = idx;
      body.push(`  ${decl(s, 'wire')};`);
      body.push(...e.copyDecl(idx));
      const next = n.signals[idx + 1];
      if (next === undefined || next.kind !== 'inst' || next.instance !== s.instance) {
        body.push(...e.instance(n.blocks, n.clocked, instFirst, idx));
        instFirst = -1;
      }
      return;
    }
    if (s.kind === 'cat') {
      body.push(...e.cat(s));
      return;
    }
    const held = e.forms.complemented[idx] ? ', held complemented (~): every reader subtracts it' : '';
    body.push(`  ${decl(s, 'wire')};  // ${e.describe(s, idx)}${held}`);
    body.push(...(isStep(s) ? e.nonLinear(s, idx) : e.adder(s, idx)));
    body.push(...e.copyDecl(idx));
    if (e.forms.chained[idx]) usesAdderModule = true;
  });
  flushRegs();
  return { lines: body, usesAdderModule };
}

/** The assignments of y (and score). */
function outputLines(n: LoweredNetlist, e: Emitter): string[] {
  const WO = n.ports.outputWidth;
  const body = ['', '  // outputs'];
  n.outputs.forEach((o, k) => {
    const lo = k * WO;
    const rhs = o.signal < 0 ? (o.constant !== undefined ? `${WO}'d${BigInt.asUintN(WO, o.constant)}` : null) : e.operand(o.signal, o.shift, WO);
    const dst = WO === 1 ? `y[${lo}]` : `y[${lo + WO - 1}:${lo}]`;
    body.push(`  assign ${dst} = ${rhs ?? `${WO}'d0`};`);
  });
  if (n.score) {
    const sc = n.score;
    const rhs = sc.signal < 0 ? `${sc.width}'d${sc.constant ?? 0n}` : e.operand(sc.signal, sc.shift, sc.width);
    body.push(`  assign score = ${rhs ?? `${sc.width}'d0`};`);
  }
  return body;
}

/** Bits that nothing reads among the signals (and their inverted copies), with the names `before` and `after` them, in one lint-quiet wire. */
function unusedWireLines(n: Printable, e: Emitter, before: string[], after: string[]): string[] {
  const unused: string[] = [...before];
  const unusedRanges = (name: string, width: number, bits: Uint8Array | undefined): void => {
    if (bits === undefined) {
      unused.push(name);
      return;
    }
    for (let b = width - 1; b >= 0; ) {
      if (bits[b]) {
        b--;
        continue;
      }
      let lo = b;
      while (lo > 0 && !bits[lo - 1]) lo--;
      unused.push(lo === b ? `${name}[${b}]` : `${name}[${b}:${lo}]`);
      b = lo - 1;
    }
  };
  n.signals.forEach((s, idx) => {
    unusedRanges(s.name, s.width, e.usedBits[idx]);
    if (e.forms.inverted[idx]) unusedRanges(`${s.name}_n`, s.width, e.usedCopyBits[idx]);
  });
  unused.push(...e.unusedWires, ...after);
  if (unused.length === 0) return [];
  return ['', '  // bits no output depends on (named *unused* so that lint tools accept them)', `  wire unused_bits = &{1'b0, ${unused.join(', ')}};`];
}

/** The module's unread bits: its signals', the unused inputs, and clk when combinational. */
function unusedLines(n: LoweredNetlist, e: Emitter, use: BlockUse): string[] {
  const W = n.ports.inputWidth;
  const extra: string[] = [];
  // (a block exists only where some instance uses it)
  const anyReg = n.signals.some((s) => s.kind === 'reg') || use.clocked.includes(true);
  if (n.latency === 0 || !anyReg) extra.push('clk');
  const inputUsed = new Uint8Array(n.ports.nIn);
  for (const s of n.signals) if (s.kind === 'input') inputUsed[s.input] = 1;
  const tail: string[] = [];
  for (let i = 0; i < n.ports.nIn; i++) if (!inputUsed[i]) tail.push(`x[${i * W + W - 1}:${i * W}]`);
  return unusedWireLines(n, e, extra, tail);
}

/**
 * A block as a module of its own: clk (when it has registers), a port per kernel input and
 * stage that reads it, an output per kernel output, and its signals as the main module's are
 * printed.
 */
function blockLines(n: LoweredNetlist, bi: number, use: BlockUse): { lines: string[]; usesAdderModule: boolean } {
  const instances = use.instances[bi]!;
  const blk = n.blocks[bi]!;
  const p: Printable & Layout = { module: n.module, signals: blk.signals, forms: n.blockForms[bi]!, latency: n.latency, cuts: n.cuts, adderDepth: n.adderDepth, blocks: [], clocked: [] };
  const e = new Emitter(p);
  const body = signalLines(p, e, () => []);
  const outs: string[] = ['', '  // outputs'];
  blk.outputs.forEach((o, k) => {
    if (o >= 0) outs.push(`  assign y${k} = ${e.operand(o, 0, blk.signals[o]!.width)};`);
  });
  const unused = unusedWireLines(p, e, [], []);
  const ports: string[] = [];
  if (use.clocked[bi]) ports.push('  input  wire clk');
  for (const s of blk.signals) if (s.kind === 'input') ports.push(`  input  wire ${s.signed ? 'signed ' : ''}${range(s.width)} ${s.name}`);
  blk.outputs.forEach((o, k) => {
    if (o < 0) return;
    const s = blk.signals[o]!;
    ports.push(`  output wire ${s.signed ? 'signed ' : ''}${range(s.width)} y${k}`);
  });
  const inStages = [...new Set(blk.ports.map((q) => q.stage))].sort((a, b) => a - b);
  const stages = n.latency === 0 ? '' : `; inputs read in stage${inStages.length === 1 ? '' : 's'} ${inStages.join(', ')}, outputs produced in stage ${blk.stage}`;
  const adders = blk.signals.filter((s) => s.kind === 'add' || s.kind === 'sub' || s.kind === 'neg').length;
  const read = new Set(blk.ports.map((q) => q.tap)).size;
  const which = read === blk.inputs ? `all ${read} of its inputs` : `${read} of its ${blk.inputs} inputs (the others are padding or constant there, folded away)`;
  return {
    lines: [
      `// ${blk.name}: a convolution's kernel (${adders} adders) for the ${instances} output position${instances === 1 ? ' whose patch reads' : 's whose patches read'}`,
      `// ${which}${stages}.`,
      `// verilator lint_off DECLFILENAME`,
      `module ${blk.name} (`,
      ...ports.map((l, k) => (k < ports.length - 1 ? `${l},` : l)),
      ');',
      ...body.lines,
      ...outs,
      ...unused,
      'endmodule',
      `// verilator lint_on DECLFILENAME`,
    ],
    usesAdderModule: body.usesAdderModule,
  };
}

/** The module's Verilog text (and the adder module it instantiates, if any). */
export function emitVerilog(n: LoweredNetlist, info: EmitInfo): string {
  const e = new Emitter(n);
  const W = n.ports.inputWidth;
  const use = blockUse(n);
  const body = signalLines({ ...n, clocked: use.clocked }, e, (s) => {
    const lo = s.input * W;
    return [`  wire ${s.signed ? 'signed ' : ''}${range(W)} ${s.name} = x[${lo + W - 1}:${lo}];`];
  });
  const outs = outputLines(n, e);
  const unused = unusedLines(n, e, use); // after every other line: it lists the bits they left unread
  const L = [...header(n, info, use), '', '`default_nettype none', '', ...modulePorts(n), ...body.lines, ...outs, ...unused, 'endmodule'];
  let usesAdderModule = body.usesAdderModule;
  n.blocks.forEach((_, bi) => {
    const b = blockLines(n, bi, use);
    L.push('', ...b.lines);
    usesAdderModule ||= b.usesAdderModule;
  });
  if (usesAdderModule) L.push('', ...adderModule(n.module));
  L.push('', '`default_nettype wire', '');
  return L.join('\n');
}
