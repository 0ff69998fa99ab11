import { bitLength, bitsFor, trailingZeros } from '../da/ranges.js';
import { outputRange } from '../spec/tables.js';
import type { Forms, LoweredNetlist } from './lower.js';
import type { NetSignal } from './netlist.js';
import { isAdder, signalOperands } from './netlist.js';
import { squareTable } from './passes/squares.js';

/**
 * The hardware of a lowered netlist in parts that every FPGA family maps the same way, counted
 * from the signals and their lowered forms as the Verilog printer writes them (verilog/core.ts):
 * the input of the cell estimates, which each family's `estimate` (src/platform) turns into its
 * own cells. Nothing here is synthesized. What is counted follows how Yosys maps each printed
 * form, measured one form at a time on small modules (an adder, a subtraction with and without
 * its inverted copy, a comparison with a constant, a ReLU after an adder, a clamp, a table), and
 * what synthesis removes: bits no output depends on (liveBits), and registers and inversions
 * of one net (BitNets). `npm run bench:estimate` compares the estimates with Yosys's counts.
 */
export interface LogicProfile {
  /**
   * The width of each carry chain: an adder's bits from the lowest one that needs a carry (the
   * bits below it are zero or copied from the less-shifted operand) to the highest one read; a
   * rounding increment's. A chain of c bits is c sum bits, each a function of its two operand
   * bits and the carry in, and c − 1 carries.
   */
  chains: number[];
  /**
   * Chains of comparisons (a clamp's, a comparator's), whose sums are not read: only the carry
   * out is. A comparison of two signals also counts its inverted operand in `inverters`.
   */
  carryOnly: number[];
  /** Chain bits whose sum no reader needs (below the lowest bit read): their carries stay, their sum LUTs go. */
  unreadSums: number;
  /**
   * Sum bits read of the adders held complemented (every reader subtracts them): the inversion
   * is free where the sum is a LUT of its own (iCE40), one LUT per bit where the carry cell
   * computes the sum (ECP5's CCU2C).
   */
  complementedSums: number;
  /** Bits of the inverted copies of subtracted signals (`x_n = ~x`): one LUT each, as a carry chain reads its operands from the cell's pins. */
  inverters: number;
  /** Bits chosen between two values by one select (multiplexers, saturating clamps): one LUT each. */
  muxBits: number;
  /**
   * Bits of a ReLU of an adder's sum in the same stage (directly, or through a shift: wiring):
   * the select joins the LUT of the sum bit on a family whose sum LUT has an input free
   * (iCE40), else one LUT each. A ReLU whose one reader is a clamp in its stage is counted in
   * neither: the clamp's LUT per bit chooses between zero, the limit and the value.
   */
  reluOnSum: number;
  /** Bits of any other ReLU (of a register, an input, a step): one LUT each. */
  reluBits: number;
  /** Other single-LUT bits (the round-up bit of a rounding shift). */
  luts: number;
  /**
   * Lookup tables (ROMs read by a value, squares as tables): per distinct ROM and index signal,
   * its address bits and the truth table of each output bit read (entry p: the bit for address
   * pattern p), for the family to cost (platform/family.ts, lutsForTable).
   */
  tables: { inputs: number; functions: Uint8Array[] }[];
  /** Register bits. */
  registers: number;
}

/** An empty profile. */
function emptyProfile(): LogicProfile {
  return { chains: [], unreadSums: 0, complementedSums: 0, carryOnly: [], inverters: 0, muxBits: 0, reluOnSum: 0, reluBits: 0, luts: 0, tables: [], registers: 0 };
}

/** The truth table of each of the low `width` bits of a ROM's contents (two's complement). */
function bitFunctions(content: readonly bigint[], width: number): Uint8Array[] {
  const fs: Uint8Array[] = [];
  for (let b = 0; b < width; b++) {
    const f = new Uint8Array(content.length);
    for (let q = 0; q < content.length; q++) f[q] = Number((content[q]! >> BigInt(b)) & 1n);
    fs.push(f);
  }
  return fs;
}

/**
 * The nets of a netlist's bits as synthesis sees them: a bit that wiring copies (a shift, a
 * slice, the low bits of an adder that the printer assigns apart) is its source's net, so
 * registers of one net at one rank, and inversions of one net, are one cell (Yosys merges
 * them: opt_merge), and a register of a constant is none. Net 0 is constant 0, net 1 constant 1.
 */
class BitNets {
  private readonly ids = new Map<string, number>();
  private readonly nets: Int32Array[] = [];
  private next = 2;

  constructor(private readonly signals: readonly NetSignal[]) {}

  /** The net of a key, new when the key is. */
  named(key: string): { net: number; fresh: boolean } {
    const n = this.ids.get(key);
    if (n !== undefined) return { net: n, fresh: false };
    const net = this.next++;
    this.ids.set(key, net);
    return { net, fresh: true };
  }

  /** A net of its own. */
  fresh(): number {
    return this.next++;
  }

  /** The nets of signal i's bits. */
  set(i: number, bits: Int32Array): void {
    this.nets[i] = bits;
  }

  /** Bit b of (signal a << shift), extended (sign or zero) past a's width; a negative shift drops low bits. */
  bit(a: number, shift: number, b: number): number {
    const j = b - shift;
    if (j < 0) return 0;
    const s = this.signals[a]!;
    const own = this.nets[a]!;
    if (j < s.width) return own[j]!;
    return s.signed ? own[s.width - 1]! : 0;
  }

  /** The net of ¬n (a constant's is the other constant). */
  inverse(n: number): { net: number; fresh: boolean } {
    return n < 2 ? { net: 1 - n, fresh: false } : this.named(`~${n}`);
  }
}

/**
 * Adds the parts of `signals` (a netlist's, or a block's with its forms) to `p`: what synthesis
 * keeps of each signal's printed form, given the bits its readers need (`live`).
 */
function addSignals(p: LogicProfile, signals: readonly NetSignal[], forms: Forms, live: LiveBits, blockCost: (s: NetSignal & { kind: 'inst' }, live: boolean[]) => void): void {
  const seenRom = new Set<string>();
  const nets = new BitNets(signals);
  // readers of each signal, for a ReLU merged into the clamp that reads it
  const readers = new Int32Array(signals.length);
  const onlyReader = new Int32Array(signals.length).fill(-1);
  signals.forEach((s, i) => {
    if (live.hi[i]! < 0) return;
    for (const u of signalOperands(s)) {
      readers[u]!++;
      onlyReader[u] = i;
    }
  });
  let lo = 0;
  let hi = 0;
  let cur = 0;
  /** A carry chain over bits from…to of the signal: its carries, and the sums of the bits read (lo…hi). */
  const chainBits = (from: number, to: number): void => {
    const top = Math.min(to, hi);
    if (top < from) return;
    p.chains.push(top - from + 1);
    const unread = Math.min(top + 1, Math.max(lo, from)) - from;
    p.unreadSums += unread;
    if (forms.complemented[cur]) p.complementedSums += top - from + 1 - unread;
  };
  const chain = (c: number): void => {
    if (c > 0) p.chains.push(c);
  };
  /** An inverter LUT for ¬n, unless one exists. */
  const invert = (n: number): number => {
    const r = nets.inverse(n);
    if (r.fresh) p.inverters++;
    return r.net;
  };
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i]!;
    const bits = new Int32Array(s.width);
    lo = live.lo[i]!;
    hi = live.hi[i]!;
    cur = i;
    if (hi < 0) {
      // nothing reads it: synthesis removes it
      for (let b = 0; b < s.width; b++) bits[b] = nets.fresh();
      nets.set(i, bits);
      continue;
    }
    /** Bits below `low` copy bit b of (a << shift) (inverted when the signal is held complemented); the rest are new nets. */
    const copyLow = (low: number, a: number | null, shift: number): void => {
      for (let b = 0; b < s.width; b++) {
        if (b >= low) bits[b] = nets.fresh();
        else {
          const n = a === null ? 0 : nets.bit(a, shift, b);
          bits[b] = forms.complemented[i] ? invert(n) : n;
        }
      }
    };
    switch (s.kind) {
      case 'input':
        for (let b = 0; b < s.width; b++) bits[b] = nets.named(`x${s.input}.${b}`).net;
        break;
      case 'shr':
        for (let b = 0; b < s.width; b++) bits[b] = nets.bit(s.a, -s.shift, b);
        break;
      case 'cat': {
        let at = 0;
        s.args.forEach((a, j) => {
          const w = s.widths[j]!;
          for (let b = 0; b < w; b++) bits[at + b] = nets.bit(a, 0, b);
          at += w;
        });
        break;
      }
      case 'reg':
        for (let b = 0; b < s.width; b++) {
          const n = nets.bit(s.a, 0, b);
          if (n < 2) bits[b] = n; // a constant: no register
          else if (b < lo || b > hi) bits[b] = nets.fresh(); // not read: none either
          else {
            const r = nets.named(`r${n}`);
            if (r.fresh) p.registers++;
            bits[b] = r.net;
          }
        }
        break;
      case 'add':
      case 'sub': {
        // the printer's split: bits below t are zero or one operand's own
        const t = Math.min(s.kind === 'sub' ? s.shiftB : Math.max(s.shiftA, s.shiftB), s.width - 1);
        // a − b with a shifted further: the chain's lowest bit is −b's, which is b's own (no logic)
        chainBits(t + (s.kind === 'sub' && s.shiftA > s.shiftB && t < s.width - 1 ? 1 : 0), s.width - 1);
        const lowA = s.kind === 'sub' ? s.shiftA < s.shiftB : s.shiftA <= s.shiftB;
        if (s.kind === 'sub' && !lowA) copyLow(t, null, 0);
        else copyLow(t, lowA ? s.a : s.b, lowA ? s.shiftA : s.shiftB);
        break;
      }
      case 'neg': {
        // −a's lowest bit is a's: no carry needed there
        const t = Math.min(s.shiftA, s.width - 1);
        chainBits(t + 1, s.width - 1);
        copyLow(t, null, 0);
        break;
      }
      case 'addc': {
        // the constant's trailing zeros leave a's bits as they are
        const t = Math.min(trailingZeros(s.c) + s.shiftA, s.width - 1);
        chainBits(t, s.width - 1);
        copyLow(t, s.a, s.shiftA);
        break;
      }
      case 'rne':
        chainBits(0, s.width - 1);
        p.luts += 1;
        copyLow(0, null, 0);
        break;
      case 'relu': {
        // what it selects from, through wiring (a shift) in the same stage
        let src = s.a;
        while (signals[src]!.kind === 'shr' && signals[src]!.stage === s.stage) src = (signals[src] as NetSignal & { kind: 'shr' }).a;
        const a = signals[src]!;
        const bitsRead = hi - lo + 1;
        const by = onlyReader[i]!;
        const reader = readers[i] === 1 ? signals[by]! : null;
        if (reader !== null && reader.kind === 'fit' && reader.fit.overflow === 'saturate' && reader.stage === s.stage) {
          // its one reader clamps it: zero or the clamp's choice, one LUT per bit for both (the clamp's)
        } else if (isAdder(a) && a.stage === s.stage) p.reluOnSum += bitsRead;
        else p.reluBits += bitsRead;
        copyLow(0, null, 0);
        break;
      }
      case 'fit': {
        if (s.fit.overflow === 'wrap') {
          for (let b = 0; b < s.width; b++) bits[b] = nets.bit(s.a, s.shiftA, b);
          break;
        }
        const a = signals[s.a]!;
        const [min, max] = outputRange(s.fit);
        const sh = BigInt(s.shiftA);
        // a clamp where a's range passes a limit: a comparison of a's bits above the output's, and a choice per bit
        const clamps = (a.hi > max >> sh ? 1 : 0) + (a.lo < -(-min >> sh) ? 1 : 0);
        for (let k = 0; k < clamps; k++) p.carryOnly.push(Math.max(1, a.width - s.width + 1));
        if (clamps > 0) {
          p.muxBits += hi - lo + 1;
          copyLow(0, null, 0);
        } else for (let b = 0; b < s.width; b++) bits[b] = nets.bit(s.a, s.shiftA, b);
        break;
      }
      case 'square': {
        const a = signals[s.a]!;
        copyLow(0, null, 0);
        if (forms.squares[i] === 'rom') p.tables.push({ inputs: a.width, functions: bitFunctions(squareTable(a), s.width) });
        else {
          // |a| (a negation when signed), then one adder per partial product
          const wm = Math.max(1, bitLength(-a.lo > a.hi ? -a.lo : a.hi));
          if (a.signed) chain(wm);
          for (let j = 1; j < wm; j++) chain(s.width - j);
        }
        break;
      }
      case 'cmp': {
        copyLow(0, null, 0);
        const a = signals[s.a]!;
        const b = s.b >= 0 ? signals[s.b]! : null;
        const [aLo, aHi] = [a.lo << BigInt(s.shiftA), a.hi << BigInt(s.shiftA)];
        const [bLo, bHi] = b ? [b.lo << BigInt(s.shiftB), b.hi << BigInt(s.shiftB)] : [0n, 0n];
        if (aLo - bHi >= s.c || aHi - bLo < s.c) {
          bits[0] = aLo - bHi >= s.c ? 1 : 0; // the ranges decide it: a constant
          break;
        }
        if (b === null) {
          // a ≥ k: a carry chain over a's bits from k's lowest set bit, its top bit a LUT; a ≥ 0 is the sign's LUT alone
          const k = -(-s.c >> BigInt(s.shiftA));
          if (k !== 0n) p.carryOnly.push(Math.max(1, a.width - Math.min(trailingZeros(k), a.width - 1) - 1));
          p.luts += 1;
        } else {
          const D = Math.max(bitsFor(aLo, aHi, true), bitsFor(bLo, bHi, true));
          p.carryOnly.push(D);
          p.inverters += D;
        }
        break;
      }
      case 'mux':
        p.muxBits += hi - lo + 1;
        copyLow(0, null, 0);
        break;
      case 'table': {
        const a = signals[s.a]!;
        const key = `${forms.romOf[i]} ${s.a}`;
        for (let b = 0; b < s.width; b++) bits[b] = nets.named(`t${key}.${b}`).net;
        if (seenRom.has(key)) break; // the same ROM read by the same index: one logic, synthesis shares it
        seenRom.add(key);
        p.tables.push({ inputs: a.width, functions: bitFunctions(forms.roms[forms.romOf[i]!]!.content, s.width) });
        break;
      }
      case 'inst': {
        copyLow(0, null, 0);
        // an instance's signals are consecutive: cost the block once, for the outputs they read
        if (i > 0 && signals[i - 1]!.kind === 'inst' && (signals[i - 1] as typeof s).instance === s.instance) break;
        const used: boolean[] = [];
        for (let j = i; j < signals.length && signals[j]!.kind === 'inst' && (signals[j] as typeof s).instance === s.instance; j++) {
          if (live.hi[j]! >= 0) used[(signals[j] as typeof s).output] = true;
        }
        blockCost(s, used);
        break;
      }
      default: {
        const never: never = s;
        throw new Error(`internal: no cost for signal ${String(never)}`);
      }
    }
    nets.set(i, bits);
    // the inverted copy x_n = ~x: one LUT per bit, shared with any other inversion of the same net
    if (forms.inverted[i]) for (let b = lo; b <= hi; b++) invert(bits[b]!);
  }
}

/** Per signal, the lowest and highest of its bits that some reader needs (hi < 0: none; synthesis removes the rest). */
export interface LiveBits {
  lo: Int32Array;
  hi: Int32Array;
}

/**
 * The bits each signal's readers need, from `roots` (signal, lowest and highest bit read) back
 * to the inputs, as synthesis prunes what no output depends on: an adder's bits above the
 * highest bit read go, with their carries; a comparison with a constant reads its operand's bits
 * from the constant's lowest set bit up (a ≥ 0: the sign alone); a shift reads the bits it keeps.
 * One range per signal (a reader of bits 2 and 6 keeps 2…6): a bound, never less than needed.
 */
export function liveBits(signals: readonly NetSignal[], roots: readonly { signal: number; lo: number; hi: number }[]): LiveBits {
  const N = signals.length;
  const lo = new Int32Array(N).fill(0x7fffffff);
  const hi = new Int32Array(N).fill(-1);
  /** Bits l…h of (signal i << shift), extended past i's width by its sign (or zeros). */
  const need = (i: number, shift: number, l: number, h: number): void => {
    if (i < 0) return;
    const s = signals[i]!;
    let a = Math.max(0, l - shift);
    let b = h - shift;
    if (b < 0 || a > b) return;
    if (a >= s.width) {
      if (!s.signed) return; // zeros
      a = s.width - 1;
    }
    b = Math.min(b, s.width - 1);
    if (a < lo[i]!) lo[i] = a;
    if (b > hi[i]!) hi[i] = b;
  };
  const all = (i: number): void => {
    if (i >= 0) need(i, 0, 0, signals[i]!.width - 1);
  };
  for (const r of roots) need(r.signal, 0, r.lo, r.hi);
  for (let i = N - 1; i >= 0; i--) {
    const h = hi[i]!;
    if (h < 0) continue;
    const l = lo[i]!;
    const s = signals[i]!;
    switch (s.kind) {
      case 'input':
        break;
      case 'reg':
        need(s.a, 0, l, h);
        break;
      case 'add':
      case 'sub':
        // the chain from its lowest bit reads both operands up to h; below it, the copied bits
        need(s.a, s.shiftA, Math.min(l, s.shiftA, s.shiftB), h);
        need(s.b, s.shiftB, Math.min(l, s.shiftA, s.shiftB), h);
        break;
      case 'neg':
      case 'addc':
        need(s.a, s.shiftA, Math.min(l, s.shiftA), h);
        break;
      case 'shr':
        need(s.a, -s.shift, l, h);
        break;
      case 'rne':
        need(s.a, 0, 0, h + s.shift);
        break;
      case 'relu':
        need(s.a, 0, l, h);
        need(s.a, 0, signals[s.a]!.width - 1, signals[s.a]!.width - 1); // its sign
        break;
      case 'fit':
        if (s.fit.overflow === 'wrap') need(s.a, s.shiftA, l, h);
        else all(s.a);
        break;
      case 'cmp': {
        if (s.b >= 0) {
          all(s.a);
          all(s.b);
          break;
        }
        // a ≥ k (k = ⌈c / 2^shiftA⌉, as printed): the bits below k's lowest set bit cannot change it
        const a = signals[s.a]!;
        const k = -(-s.c >> BigInt(s.shiftA));
        need(s.a, 0, k === 0n ? a.width - 1 : Math.min(trailingZeros(k), a.width - 1), a.width - 1);
        break;
      }
      case 'mux':
        all(s.sel);
        need(s.a, s.shiftA, l, h);
        need(s.b, s.shiftB, l, h);
        break;
      case 'square':
      case 'table':
        all(s.a);
        break;
      case 'cat': {
        let at = 0;
        s.args.forEach((a, j) => {
          const w = s.widths[j]!;
          if (l < at + w && h >= at) need(a, 0, Math.max(0, l - at), Math.min(w - 1, h - at));
          at += w;
        });
        break;
      }
      case 'inst':
        for (const a of s.args) all(a);
        break;
      default: {
        const never: never = s;
        throw new Error(`internal: no reads for signal ${String(never)}`);
      }
    }
  }
  return { lo, hi };
}

/** The profile of a lowered netlist: its signals' parts, each instance's block as far as the outputs it reads need it. */
export function logicProfile(n: LoweredNetlist): LogicProfile {
  const p = emptyProfile();
  const W = n.ports.outputWidth;
  const roots = n.outputs.filter((o) => o.signal >= 0).map((o) => ({ signal: o.signal, lo: 0, hi: W - 1 - o.shift }));
  if (n.score && n.score.signal >= 0) roots.push({ signal: n.score.signal, lo: 0, hi: n.score.width - 1 - n.score.shift });
  addSignals(p, n.signals, n.forms, liveBits(n.signals, roots), (s, live) => {
    const b = n.blocks[s.block]!;
    const outs = b.outputs.flatMap((o, k) => (o >= 0 && live[k] === true ? [{ signal: o, lo: 0, hi: b.signals[o]!.width - 1 }] : []));
    addSignals(p, b.signals, n.blockForms[s.block]!, liveBits(b.signals, outs), () => {
      throw new Error('internal: a block instantiates no block');
    });
  });
  return p;
}
