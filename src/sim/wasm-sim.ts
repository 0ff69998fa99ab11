import { flattenNetlist } from '../rtl/netlist.js';
import { signalOperands } from '../rtl/netlist.js';
import type { Netlist, NetOutput, NetSignal } from '../rtl/netlist.js';
import { outputRange } from '../spec/tables.js';
import { compileNetlist, maxIntermediateBits } from './netlist-sim.js';
import type { NetlistSim, NetlistStream } from './netlist-sim.js';

/**
 * The netlist simulator compiled to WebAssembly: the same cycle semantics as compileNetlist's
 * JavaScript (netlist-sim.ts), written straight to a WebAssembly module's bytes (no toolchain).
 *
 * `run(T)` runs T cycles in blocks of up to WASM_BLOCK cycles. The signals are computed in an
 * order where each follows its operands and each register its source (evaluationOrder), cut
 * into functions of CHUNK statements; each function loops over the block's cycles before the
 * next one runs, so that its code stays in the processor's caches for the whole block. Each
 * signal is an i64 reduced to its width (two's complement when signed: a shift left and an
 * arithmetic shift right; else a mask) unless interval arithmetic proves the reduction idle
 * (reductionsNeeded). A register's value in a cycle is its source's in the cycle before. A
 * signal that only its own function reads in the same cycle lives in a local; any other has
 * block + 1 slots in memory, one per cycle of the block and, first, the block before's last
 * cycle, which is what carries the registers from one block (and one call: a stream's state)
 * to the next. Needs every intermediate value to fit 63 bits, so that i64 arithmetic is exact
 * before each reduction (compileNetlistWasm returns null otherwise: the BigInt simulator is
 * then the one).
 *
 * Memory: the tables' entries (i64), the signals' slots (i64), then a batch of WASM_BATCH
 * cycles of x and of y and the score, each value 4 bytes when its port is at most 32 bits
 * wide, else 8.
 */

/** Statements per function of the module (see compileNetlistWasm). */
const CHUNK = 300;

/**
 * Cycles per block: each function of the module computes its signals for this many cycles
 * before the next function runs (when the netlist has no loop through its registers).
 */
const WASM_BLOCK = 16;

/**
 * The bytes of slots a block may take: fewer cycles per block when many signals are kept in
 * memory, so that a block's slots stay in the processor's data caches (measured on this
 * machine: 96 KiB served rand_i8_8x8 to rand_i8_64x64 best).
 */
const BLOCK_BYTES = 96 * 1024;

/** Cycles per call of the module's run: the batch its memory holds. */
export const WASM_BATCH = 4096;

/** A simulator that also takes and gives its values as typed arrays (no BigInt per value). */
export interface FastNetlistSim extends NetlistSim {
  /**
   * One batch of at most WASM_BATCH cycles from a stream's state: x as numbers (cycle after
   * cycle, nIn values each), y and the score as numbers too (exact when the port is at most 53
   * bits wide; wider ports read as bigint through `run`).
   */
  typedStream(): TypedStream;
}

export interface TypedStream {
  /** Writes T cycles' inputs (T·nIn values) and returns y (T·nOut values) and the score (T values, or null): views that the next call overwrites. */
  runTyped(x: ArrayLike<number>, T: number): { y: ArrayLike<number>; score: ArrayLike<number> | null };
}

// --- the bytes of a WebAssembly module -------------------------------------------------------

function uleb(n: number | bigint, out: number[]): void {
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
}

function sleb(n: number | bigint, out: number[]): void {
  let v = BigInt(n);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  for (const b of body) out.push(b);
}

const I32 = 0x7f;
const I64 = 0x7e;
const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  i64Load: 0x29,
  i64Load32S: 0x34,
  i64Load32U: 0x35,
  i64Store: 0x37,
  i64Store32: 0x3e,
  i32Const: 0x41,
  i64Const: 0x42,
  i32LeU: 0x4d,
  i32GeU: 0x4f,
  i64Eqz: 0x50,
  i64Eq: 0x51,
  i64Ne: 0x52,
  i64LtS: 0x53,
  i64LtU: 0x54,
  i64GtS: 0x55,
  i64GeS: 0x59,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i32WrapI64: 0xa7,
  i64ExtendI32U: 0xad,
} as const;

/** The few WebAssembly API calls used (Node's global; its types are not in the project's lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes per value of a port: 4 up to 32 bits, else 8. */
const bytesFor = (width: number): number => (width <= 32 ? 4 : 8);

/** The values a `width`-bit signal can hold. */
function representable(width: number, signed: boolean): { lo: bigint; hi: bigint } {
  return signed ? { lo: -(1n << BigInt(width - 1)), hi: (1n << BigInt(width - 1)) - 1n } : { lo: 0n, hi: (1n << BigInt(width)) - 1n };
}

/** Whether every value of `range` fits a `width`-bit signal (its reduction is then the identity). */
function fitsWidth(range: { lo: bigint; hi: bigint }, width: number, signed: boolean): boolean {
  const rep = representable(width, signed);
  return range.lo >= rep.lo && range.hi <= rep.hi;
}

/**
 * For each signal, whether reducing it to its width can change it: an interval analysis from the
 * inputs' ranges, each signal's interval computed from its operands' (after their reductions).
 * Where the interval fits the width, the reduction is the identity for every input, and the
 * simulator leaves it out; elsewhere (an input, a register, a signal too narrow) it stays. So
 * the outputs are the same, and a netlist with a width too small still shows it.
 */
export function reductionsNeeded(n: Netlist): { needed: Uint8Array; interval: { lo: bigint; hi: bigint }[] } {
  // A register holds 0, then what its source held: its interval starts as its width's whole
  // range, and is narrowed to its source's (with 0) pass after pass while that changes; every
  // pass is sound, since the one before it was.
  // (operands first; a register's interval is the pass's given, so registers need no order)
  const order = evaluationOrder(n, false);
  if (order === null) throw new Error('internal: a loop of combinational signals');
  let regs = new Map<number, { lo: bigint; hi: bigint }>();
  for (let pass = 0; pass < 4; pass++) {
    const r = reductionsPass(n, order, regs);
    const next = new Map<number, { lo: bigint; hi: bigint }>();
    n.signals.forEach((s, i) => {
      if (s.kind !== 'reg') return;
      const src = r.interval[s.a]!;
      next.set(i, fitsWidth(src, s.width, s.signed) ? { lo: src.lo < 0n ? src.lo : 0n, hi: src.hi > 0n ? src.hi : 0n } : representable(s.width, s.signed));
    });
    const same = [...next].every(([i, x]) => regs.get(i)?.lo === x.lo && regs.get(i)?.hi === x.hi);
    if (same || pass === 3) return r;
    regs = next;
  }
  throw new Error('internal: unreachable');
}

function reductionsPass(n: Netlist, order: readonly number[], regs: ReadonlyMap<number, { lo: bigint; hi: bigint }>): { needed: Uint8Array; interval: { lo: bigint; hi: bigint }[] } {
  const iv: { lo: bigint; hi: bigint }[] = new Array(n.signals.length);
  const needed = new Uint8Array(n.signals.length);
  const sh = (a: number, s: number): { lo: bigint; hi: bigint } => ({ lo: iv[a]!.lo << BigInt(s), hi: iv[a]!.hi << BigInt(s) });
  const hull = (...xs: { lo: bigint; hi: bigint }[]): { lo: bigint; hi: bigint } => ({
    lo: xs.reduce((m, x) => (x.lo < m ? x.lo : m), xs[0]!.lo),
    hi: xs.reduce((m, x) => (x.hi > m ? x.hi : m), xs[0]!.hi),
  });
  const point = (v: bigint): { lo: bigint; hi: bigint } => ({ lo: v, hi: v });
  for (const i of order) {
    const s = n.signals[i]!;
    let r: { lo: bigint; hi: bigint } | null;
    switch (s.kind) {
      case 'input':
      case 'inst':
        r = null;
        break;
      case 'reg':
        // (its reduction is at the clock edge, where the simulator checks it against its source)
        r = regs.get(i) ?? null;
        break;
      case 'add': {
        const a = sh(s.a, s.shiftA);
        const b = sh(s.b, s.shiftB);
        r = { lo: a.lo + b.lo, hi: a.hi + b.hi };
        break;
      }
      case 'sub': {
        const a = sh(s.a, s.shiftA);
        const b = sh(s.b, s.shiftB);
        r = { lo: a.lo - b.hi, hi: a.hi - b.lo };
        break;
      }
      case 'neg': {
        const a = sh(s.a, s.shiftA);
        r = { lo: -a.hi, hi: -a.lo };
        break;
      }
      case 'addc': {
        const a = sh(s.a, s.shiftA);
        r = { lo: a.lo + s.c, hi: a.hi + s.c };
        break;
      }
      case 'shr':
        r = { lo: iv[s.a]!.lo >> BigInt(s.shift), hi: iv[s.a]!.hi >> BigInt(s.shift) };
        break;
      case 'rne':
        r = { lo: iv[s.a]!.lo >> BigInt(s.shift), hi: (iv[s.a]!.hi >> BigInt(s.shift)) + 1n };
        break;
      case 'relu':
        r = { lo: iv[s.a]!.lo < 0n ? 0n : iv[s.a]!.lo, hi: iv[s.a]!.hi < 0n ? 0n : iv[s.a]!.hi };
        break;
      case 'fit': {
        const [min, max] = s.fit.overflow === 'wrap' ? [representable(s.fit.width, s.fit.signed).lo, representable(s.fit.width, s.fit.signed).hi] : outputRange(s.fit);
        r = { lo: min, hi: max };
        break;
      }
      case 'square': {
        const { lo, hi } = iv[s.a]!;
        const m = (lo < 0n ? -lo : lo) > (hi < 0n ? -hi : hi) ? lo * lo : hi * hi;
        r = { lo: lo <= 0n && hi >= 0n ? 0n : lo * lo < hi * hi ? lo * lo : hi * hi, hi: m };
        break;
      }
      case 'cmp':
        r = { lo: 0n, hi: 1n };
        break;
      case 'mux':
        r = hull(s.a >= 0 ? sh(s.a, s.shiftA) : point(s.ca), s.b >= 0 ? sh(s.b, s.shiftB) : point(s.cb));
        break;
      case 'table':
        r = hull(point(0n), ...s.entries.map((e) => point(s.signed ? BigInt.asIntN(s.width, e) : BigInt.asUintN(s.width, e))));
        break;
      case 'cat':
        r = { lo: 0n, hi: (1n << BigInt(s.widths.reduce((a, w) => a + w, 0))) - 1n };
        break;
      default: {
        const kind: never = s;
        throw new Error(`internal: no interval of signal ${String(kind)}`);
      }
    }
    if (r !== null && fitsWidth(r, s.width, s.signed)) iv[i] = r;
    else {
      needed[i] = 1;
      iv[i] = representable(s.width, s.signed);
    }
  }
  return { needed, interval: iv };
}

/**
 * The signals in an order where each comes after its operands, and, with `throughRegisters`,
 * each register after its source; null when there is none (a loop). A pipeline's netlist has an
 * order through its registers: a signal's value in a cycle then depends only on signals before
 * it, in that cycle or (through a register) the one before. So the simulator can compute the
 * first signals for a whole block of cycles before the next ones. A netlist with a loop through
 * a register (none that da-gen builds) is computed one cycle at a time.
 */
export function evaluationOrder(n: Netlist, throughRegisters: boolean): number[] | null {
  const state = new Uint8Array(n.signals.length); // 0 unseen, 1 on the path, 2 placed
  const order: number[] = [];
  const deps = (i: number): number[] => {
    const s = n.signals[i]!;
    return s.kind === 'reg' && !throughRegisters ? [] : signalOperands(s).filter((a) => a >= 0);
  };
  // Depth first from each output in turn: a signal comes just before the first that reads it,
  // so most of them are read in the function that computes them, from a local.
  const roots = [...n.outputs.map((o) => o.signal), ...(n.score ? [n.score.signal] : []), ...n.signals.map((_, i) => i)].filter((i) => i >= 0);
  for (const root of roots) {
    if (state[root] !== 0) continue;
    state[root] = 1;
    const path = [{ i: root, deps: deps(root), k: 0 }];
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      if (top.k < top.deps.length) {
        const a = top.deps[top.k++]!;
        if (state[a] === 1) return null;
        if (state[a] === 0) {
          state[a] = 1;
          path.push({ i: a, deps: deps(a), k: 0 });
        }
      } else {
        state[top.i] = 2;
        order.push(top.i);
        path.pop();
      }
    }
  }
  return order;
}

/**
 * The netlist as a WebAssembly simulator, or null when some intermediate value needs more than
 * 63 bits.
 */
export function compileNetlistWasm(netlist: Netlist): FastNetlistSim | null {
  const n = flattenNetlist(netlist);
  if (maxIntermediateBits(n) > 63) return null;
  const { nIn, inputWidth, inputSigned, outputWidth, outputSigned } = n.ports;
  const nY = n.outputs.length;
  const score = n.score ?? null;
  const ex = bytesFor(inputWidth);
  const ey = bytesFor(outputWidth);
  const es = score ? bytesFor(score.width) : 0;
  const nRegs = n.signals.filter((s) => s.kind === 'reg').length;
  const { needed, interval } = reductionsNeeded(n);

  // memory layout
  const tableAt = new Map<NetSignal, number>();
  let at = 0;
  const data: { offset: number; bytes: number[] }[] = [];
  for (const s of n.signals) {
    if (s.kind !== 'table') continue;
    tableAt.set(s, at);
    const bytes: number[] = [];
    for (const e of s.entries) {
      const v = BigInt.asUintN(64, s.signed ? BigInt.asIntN(s.width, e) : BigInt.asUintN(s.width, e));
      for (let k = 0n; k < 64n; k += 8n) bytes.push(Number((v >> k) & 0xffn));
    }
    data.push({ offset: at, bytes });
    at += bytes.length;
  }
  // The order the signals are computed in, and the cycles per block (see evaluationOrder).
  const piped = evaluationOrder(n, true);
  const order = piped ?? evaluationOrder(n, false);
  if (order === null) throw new Error('internal: a loop of combinational signals');
  const chunkOf = new Int32Array(n.signals.length).fill(-1);
  order.forEach((i, k) => (chunkOf[i] = Math.floor(k / CHUNK)));
  // A signal is kept in memory (block + 1 slots: the last cycle of the block before, then the
  // block's cycles) when a register reads it, when a function other than its own reads it, or
  // when an output does. Every other signal lives in its function's local.
  const stored = new Uint8Array(n.signals.length);
  const readByReg = new Uint8Array(n.signals.length);
  n.signals.forEach((s, i) => {
    for (const a of signalOperands(s)) {
      if (a < 0) continue;
      if (s.kind === 'reg') readByReg[a] = 1;
      if (s.kind === 'reg' || chunkOf[a] !== chunkOf[i]) stored[a] = 1;
    }
  });
  for (const o of [...n.outputs, ...(score ? [score] : [])]) if (o.signal >= 0) stored[o.signal] = 1;
  const nStored = stored.reduce((m, x) => m + x, 0);
  const block = piped ? Math.max(1, Math.min(WASM_BLOCK, Math.floor(BLOCK_BYTES / (8 * Math.max(1, nStored))) - 1)) : 1;
  const histAt = new Int32Array(n.signals.length).fill(-1);
  for (const i of order) {
    if (!stored[i]) continue;
    histAt[i] = at;
    at += 8 * (block + 1);
  }
  const xAt = at;
  at += WASM_BATCH * nIn * ex;
  const yAt = at;
  at += WASM_BATCH * nY * ey;
  const sAt = at;
  at += WASM_BATCH * es;
  const pages = Math.max(1, Math.ceil(at / 65536));

  // The cycles are computed in blocks: each function computes its CHUNK signals for every
  // cycle of the block in a loop, so that its code stays in the processor's caches while it
  // runs (a cycle of a large netlist has more code than they hold). Within a function a signal
  // it computes is a local; a signal from elsewhere is read from its slot of the same cycle, a
  // register from its source's slot of the cycle before. Every function takes four i32
  // parameters: the cycles to run, then where x, y and the score of the first of them are.
  /** The locals of the function being written: signal → local (after the parameters and t8). */
  let localOf = new Map<number, number>();
  let nLocals = 0;
  const T = 0;
  const XP = 1;
  const YP = 2;
  const SP = 3;
  /** 8 × the cycle within the block: the address of a slot's value in that cycle. */
  const t8 = 4;
  const firstLocal = 5;
  // two scratch locals after the signals' (a function computes at most CHUNK signals)
  const tmp = firstLocal + CHUNK;
  const tmp2 = tmp + 1;

  let c: number[] = [];
  const get = (l: number): void => {
    c.push(OP.localGet);
    uleb(l, c);
  };
  const set = (l: number): void => {
    c.push(OP.localSet);
    uleb(l, c);
  };
  const k64 = (v: bigint | number): void => {
    c.push(OP.i64Const);
    sleb(BigInt.asIntN(64, BigInt(v)), c);
  };
  const k32 = (v: number): void => {
    c.push(OP.i32Const);
    sleb(v | 0, c);
  };
  const mem = (op: number, align: number, offset: number): void => {
    c.push(op);
    uleb(align, c);
    uleb(offset, c);
  };
  /** The value on the stack reduced to `width` bits (two's complement when signed). */
  const fit = (width: number, signed: boolean): void => {
    if (width >= 64) return;
    if (signed) {
      k64(64 - width);
      c.push(OP.i64Shl);
      k64(64 - width);
      c.push(OP.i64ShrS);
    } else {
      k64((1n << BigInt(width)) - 1n);
      c.push(OP.i64And);
    }
  };
  /** Signal a on the stack: its local in this function, else its slot of this cycle. */
  const value = (a: number): void => {
    const l = localOf.get(a);
    if (l !== undefined) return get(l);
    get(t8);
    mem(OP.i64Load, 3, histAt[a]! + 8);
  };
  /** Signal a shifted left by s, on the stack. */
  const shifted = (a: number, s: number): void => {
    value(a);
    if (s !== 0) {
      k64(s);
      c.push(OP.i64Shl);
    }
  };
  /** Clamp the value on the stack to [lo, hi] (through tmp). */
  const clamp = (lo: bigint, hi: bigint): void => {
    set(tmp);
    // hi if x > hi, else (lo if x < lo, else x)
    k64(hi);
    k64(lo);
    get(tmp);
    get(tmp);
    k64(lo);
    c.push(OP.i64LtS);
    c.push(OP.select);
    get(tmp);
    k64(hi);
    c.push(OP.i64GtS);
    c.push(OP.select);
  };

  const statement = (s: NetSignal, i: number): void => {
    switch (s.kind) {
      case 'reg':
        // its source in the cycle before (the slot before this cycle's)
        get(t8);
        mem(OP.i64Load, 3, histAt[s.a]!);
        if (!fitsWidth(interval[s.a]!, s.width, s.signed)) fit(s.width, s.signed);
        break;
      case 'input':
        get(XP);
        mem(ex === 4 ? (inputSigned ? OP.i64Load32S : OP.i64Load32U) : OP.i64Load, ex === 4 ? 2 : 3, s.input * ex);
        break;
      case 'neg':
        k64(0);
        shifted(s.a, s.shiftA);
        c.push(OP.i64Sub);
        break;
      case 'add':
      case 'sub':
        shifted(s.a, s.shiftA);
        shifted(s.b, s.shiftB);
        c.push(s.kind === 'add' ? OP.i64Add : OP.i64Sub);
        break;
      case 'addc':
        shifted(s.a, s.shiftA);
        k64(s.c);
        c.push(OP.i64Add);
        break;
      case 'shr':
        value(s.a);
        k64(s.shift);
        c.push(OP.i64ShrS);
        break;
      case 'rne': {
        // f = x >> k; r = x − (f << k); f + (r > h || (r == h && f odd)), h = 2^(k−1)
        const h = 1n << BigInt(s.shift - 1);
        value(s.a);
        k64(s.shift);
        c.push(OP.i64ShrS);
        set(tmp);
        value(s.a);
        get(tmp);
        k64(s.shift);
        c.push(OP.i64Shl);
        c.push(OP.i64Sub);
        set(tmp2);
        get(tmp);
        get(tmp2);
        k64(h);
        c.push(OP.i64GtS);
        get(tmp2);
        k64(h);
        c.push(OP.i64Eq);
        get(tmp);
        k64(1);
        c.push(OP.i64And);
        c.push(OP.i32WrapI64);
        c.push(OP.i32And);
        c.push(OP.i32Or);
        c.push(OP.i64ExtendI32U);
        c.push(OP.i64Add);
        break;
      }
      case 'relu':
        // 0 if a < 0, else a
        k64(0);
        value(s.a);
        value(s.a);
        k64(0);
        c.push(OP.i64LtS);
        c.push(OP.select);
        break;
      case 'fit': {
        shifted(s.a, s.shiftA);
        if (s.fit.overflow === 'wrap') {
          fit(s.fit.width, s.fit.signed);
        } else {
          const [min, max] = outputRange(s.fit);
          clamp(min, max);
        }
        break;
      }
      case 'square':
        value(s.a);
        value(s.a);
        c.push(OP.i64Mul);
        break;
      case 'cmp':
        shifted(s.a, s.shiftA);
        if (s.b >= 0) {
          shifted(s.b, s.shiftB);
          c.push(OP.i64Sub);
        }
        k64(s.c);
        c.push(OP.i64GeS);
        c.push(OP.i64ExtendI32U);
        break;
      case 'mux':
        if (s.a >= 0) shifted(s.a, s.shiftA);
        else k64(s.ca);
        if (s.b >= 0) shifted(s.b, s.shiftB);
        else k64(s.cb);
        value(s.sel);
        k64(0);
        c.push(OP.i64Ne);
        c.push(OP.select);
        break;
      case 'table': {
        // i = a − base; entries[i] when 0 ≤ i < length, else 0 (the index clamped before the load)
        value(s.a);
        k64(s.base);
        c.push(OP.i64Sub);
        set(tmp);
        get(tmp);
        k64(s.entries.length);
        c.push(OP.i64LtU);
        c.push(OP.i64ExtendI32U);
        set(tmp2);
        // address: (i if in range, else 0) · 8 + the table's place
        get(tmp);
        k64(0);
        get(tmp2);
        c.push(OP.i32WrapI64);
        c.push(OP.select);
        c.push(OP.i32WrapI64);
        k32(3);
        c.push(OP.i32Shl);
        mem(OP.i64Load, 3, tableAt.get(s)!);
        k64(0);
        get(tmp2);
        c.push(OP.i32WrapI64);
        c.push(OP.select);
        break;
      }
      case 'cat': {
        let pos = 0;
        s.args.forEach((a, j) => {
          const w = s.widths[j]!;
          value(a);
          k64((1n << BigInt(w)) - 1n);
          c.push(OP.i64And);
          if (pos > 0) {
            k64(pos);
            c.push(OP.i64Shl);
          }
          if (j > 0) c.push(OP.i64Or);
          pos += w;
        });
        break;
      }
      case 'inst':
        throw new Error('internal: a netlist with instances is flattened before it is simulated');
      default: {
        const kind: never = s;
        throw new Error(`internal: no simulation of signal ${String(kind)}`);
      }
    }
    if (needed[i] && s.kind !== 'reg') fit(s.width, s.signed);
    const l = firstLocal + nLocals++;
    localOf.set(i, l);
    set(l);
    if (stored[i]) {
      get(t8);
      get(l);
      mem(OP.i64Store, 3, histAt[i]! + 8);
    }
  };
  const output = (o: NetOutput, width: number, signed: boolean, ptr: number, bytes: number, offset: number): void => {
    get(ptr);
    if (o.signal < 0) k64(o.constant ?? 0n);
    else shifted(o.signal, o.shift);
    const range = o.signal < 0 ? { lo: o.constant ?? 0n, hi: o.constant ?? 0n } : { lo: interval[o.signal]!.lo << BigInt(o.shift), hi: interval[o.signal]!.hi << BigInt(o.shift) };
    if (!fitsWidth(range, width, signed)) fit(width, signed);
    mem(bytes === 4 ? OP.i64Store32 : OP.i64Store, bytes === 4 ? 2 : 3, offset);
  };

  const advance = (l: number, by: number): void => {
    if (by === 0) return;
    get(l);
    k32(by);
    c.push(OP.i32Add);
    set(l);
  };
  /** The functions' bodies (each with its count of i32 and i64 locals), in order; run is the last. */
  const funcs: { code: number[]; i32: number; i64: number }[] = [];
  /**
   * Functions of CHUNK statements each, in order, each a loop over the block's cycles: t8 (the
   * one i32 local), then the signals' locals, then the scratch ones.
   */
  const inChunks = (list: readonly (() => void)[]): void => {
    for (let at0 = 0; at0 < list.length; at0 += CHUNK) {
      c = [];
      localOf = new Map();
      nLocals = 0;
      c.push(OP.block, 0x40, OP.loop, 0x40);
      get(t8);
      get(T);
      k32(3);
      c.push(OP.i32Shl, OP.i32GeU, OP.brIf);
      uleb(1, c);
      for (const f of list.slice(at0, at0 + CHUNK)) f();
      advance(t8, 8);
      advance(XP, nIn * ex);
      advance(YP, nY * ey);
      advance(SP, es);
      c.push(OP.br);
      uleb(0, c);
      c.push(OP.end, OP.end, OP.end);
      funcs.push({ code: c, i32: 1, i64: CHUNK + 2 });
    }
  };
  inChunks(order.map((i) => () => statement(n.signals[i]!, i)));
  const outs: (() => void)[] = n.outputs.map((o, k) => () => output(o, outputWidth, outputSigned, YP, ey, k * ey));
  if (score) outs.push(() => output(score, score.width, false, SP, es, 0));
  inChunks(outs);
  // the block's end: what each register reads, in the block's last cycle, to the slot before
  // the next block's first
  const carried = order.filter((i) => readByReg[i]);
  for (let at0 = 0; at0 < carried.length; at0 += CHUNK) {
    c = [];
    get(T);
    k32(3);
    c.push(OP.i32Shl);
    set(t8);
    for (const i of carried.slice(at0, at0 + CHUNK)) {
      k32(0);
      get(t8);
      mem(OP.i64Load, 3, histAt[i]!);
      mem(OP.i64Store, 3, histAt[i]!);
    }
    c.push(OP.end);
    funcs.push({ code: c, i32: 1, i64: 0 });
  }

  // run(T): the batch's T cycles, block after block. Locals: T (parameter 0), three unused
  // parameters, then the cycles done, the cycles of this block, and where its x, y and score are.
  c = [];
  const done = 4;
  const nb = 5;
  const xb = 6;
  const yb = 7;
  const sb = 8;
  k32(xAt);
  set(xb);
  k32(yAt);
  set(yb);
  k32(sAt);
  set(sb);
  c.push(OP.block, 0x40, OP.loop, 0x40);
  get(done);
  get(T);
  c.push(OP.i32GeU, OP.brIf);
  uleb(1, c);
  // nb = min(block, T − done)
  k32(block);
  get(T);
  get(done);
  c.push(OP.i32Sub);
  k32(block);
  get(T);
  get(done);
  c.push(OP.i32Sub, OP.i32LeU, OP.select);
  set(nb);
  funcs.forEach((_, f) => {
    get(nb);
    get(xb);
    get(yb);
    get(sb);
    c.push(OP.call);
    uleb(f, c);
  });
  advance(xb, block * nIn * ex);
  advance(yb, block * nY * ey);
  advance(sb, block * es);
  advance(done, block);
  c.push(OP.br);
  uleb(0, c);
  c.push(OP.end, OP.end, OP.end);
  funcs.push({ code: c, i32: 5, i64: 0 });
  const runIndex = funcs.length - 1;

  // the module: every function has type (i32, i32, i32, i32) → ()
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(1, [1, 0x60, 4, I32, I32, I32, I32, 0], out);
  const fsec: number[] = [];
  uleb(funcs.length, fsec);
  for (let f = 0; f < funcs.length; f++) fsec.push(0);
  section(3, fsec, out);
  const memSec: number[] = [1, 0x00];
  uleb(pages, memSec);
  section(5, memSec, out);
  const exp: number[] = [2];
  for (const [name, kind, index] of [
    ['run', 0x00, runIndex],
    ['mem', 0x02, 0],
  ] as const) {
    uleb(name.length, exp);
    for (const ch of name) exp.push(ch.charCodeAt(0));
    exp.push(kind);
    uleb(index, exp);
  }
  section(7, exp, out);
  const code: number[] = [];
  uleb(funcs.length, code);
  for (const f of funcs) {
    const body: number[] = [];
    const groups = (f.i32 > 0 ? 1 : 0) + (f.i64 > 0 ? 1 : 0);
    uleb(groups, body);
    if (f.i32 > 0) {
      uleb(f.i32, body);
      body.push(I32);
    }
    if (f.i64 > 0) {
      uleb(f.i64, body);
      body.push(I64);
    }
    for (const b of f.code) body.push(b);
    uleb(body.length, code);
    for (const b of body) code.push(b);
  }
  section(10, code, out);
  if (data.length > 0) {
    const d: number[] = [];
    uleb(data.length, d);
    for (const seg of data) {
      d.push(0x00, OP.i32Const);
      sleb(seg.offset, d);
      d.push(OP.end);
      uleb(seg.bytes.length, d);
      for (const b of seg.bytes) d.push(b);
    }
    section(11, d, out);
  }

  const module = new (wasmApi().Module)(new Uint8Array(out));
  const nOut = nY + (score ? 1 : 0);
  const instance = (): TypedStream & { runBig(vectors: readonly (readonly bigint[])[]): bigint[][] } => {
    const inst = new (wasmApi().Instance)(module, {});
    const run = inst.exports.run as (T: number) => void;
    const buffer = (inst.exports.mem as { buffer: ArrayBuffer }).buffer;
    const xs = ex === 4 ? (inputSigned ? new Int32Array(buffer, xAt, WASM_BATCH * nIn) : new Uint32Array(buffer, xAt, WASM_BATCH * nIn)) : new BigInt64Array(buffer, xAt, WASM_BATCH * nIn);
    const ys = ey === 4 ? (outputSigned ? new Int32Array(buffer, yAt, WASM_BATCH * nY) : new Uint32Array(buffer, yAt, WASM_BATCH * nY)) : outputSigned ? new BigInt64Array(buffer, yAt, WASM_BATCH * nY) : new BigUint64Array(buffer, yAt, WASM_BATCH * nY);
    const ss = score ? (es === 4 ? new Uint32Array(buffer, sAt, WASM_BATCH) : new BigUint64Array(buffer, sAt, WASM_BATCH)) : null;
    const numbers = (a: Int32Array | Uint32Array | BigInt64Array | BigUint64Array, len: number): ArrayLike<number> => {
      if (a instanceof Int32Array || a instanceof Uint32Array) return a.subarray(0, len);
      return Float64Array.from(a.subarray(0, len), (v) => Number(v));
    };
    return {
      runTyped(x, T) {
        if (T > WASM_BATCH) throw new RangeError(`at most ${WASM_BATCH} cycles per call, got ${T}`);
        if (xs instanceof BigInt64Array) for (let k = 0; k < T * nIn; k++) xs[k] = BigInt(x[k]!);
        else for (let k = 0; k < T * nIn; k++) xs[k] = x[k]!;
        run(T);
        return { y: numbers(ys, T * nY), score: ss ? numbers(ss, T) : null };
      },
      runBig(vectors) {
        const result: bigint[][] = [];
        for (let from = 0; from < vectors.length; from += WASM_BATCH) {
          const T = Math.min(WASM_BATCH, vectors.length - from);
          for (let t = 0; t < T; t++) {
            const vec = vectors[from + t]!;
            if (vec.length !== nIn) throw new RangeError(`vector ${from + t} has ${vec.length} entries, expected ${nIn}`);
            if (xs instanceof BigInt64Array) for (let i = 0; i < nIn; i++) xs[t * nIn + i] = BigInt.asIntN(64, vec[i]!);
            else for (let i = 0; i < nIn; i++) xs[t * nIn + i] = Number(vec[i]!);
          }
          run(T);
          for (let t = 0; t < T; t++) {
            const row: bigint[] = new Array(nOut);
            for (let k = 0; k < nY; k++) row[k] = BigInt(ys[t * nY + k]!);
            if (ss) row[nY] = BigInt(ss[t]!);
            result.push(row);
          }
        }
        return result;
      },
    };
  };
  return {
    mode: 'wasm',
    source: `(a WebAssembly module of ${out.length} bytes: ${n.signals.length} signals, ${nRegs} registers, ${nStored} kept in memory, blocks of ${block} cycles)`,
    run: (vectors) => instance().runBig(vectors),
    stream(): NetlistStream {
      const s = instance();
      return { run: (vectors) => s.runBig(vectors) };
    },
    typedStream: () => instance(),
  };
}

/**
 * The fastest simulator of a netlist: WebAssembly when every intermediate fits 63 bits, else
 * the JavaScript one (BigInt mode). Both compute the same outputs (test/sim/wasm-sim.test.ts).
 */
export function simulatorFor(netlist: Netlist): NetlistSim {
  return compileNetlistWasm(netlist) ?? compileNetlist(netlist);
}
