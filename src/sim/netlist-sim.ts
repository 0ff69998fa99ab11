import { flattenNetlist } from '../rtl/netlist.js';
import type { Netlist, NetOutput, NetSignal } from '../rtl/netlist.js';
import { outputRange } from '../spec/tables.js';

/**
 * Cycle-accurate simulation of a Netlist. The netlist is compiled once into a JavaScript
 * function (straight-line code per cycle), which then runs many vectors quickly.
 *
 * Timing: in cycle t the vector x_t is applied, the combinational logic settles and y_t is
 * sampled; then the clock edge loads every register. So y_t = W·x_{t−L} for t ≥ L.
 * Every signal is reduced modulo 2^width and read as two's complement when signed, exactly
 * as the emitted Verilog computes it; a width that is too small shows up as a wrong output.
 */
export interface NetlistSim {
  /** Feed one vector per cycle; returns y (then the score, if any) sampled in each cycle (before that cycle's edge). */
  run(vectors: readonly (readonly bigint[])[]): bigint[][];
  /**
   * A run that keeps its registers from one call to the next: feeding the cycles block by block
   * gives the same outputs as one `run` of all of them. Each stream starts with cleared registers.
   */
  stream(): NetlistStream;
  /** 'number' when every intermediate fits a double exactly, else 'bigint'; 'wasm' for the WebAssembly simulator (wasm-sim.ts). */
  readonly mode: 'number' | 'bigint' | 'wasm';
  /** The generated JavaScript source (for debugging). */
  readonly source: string;
}

/** One simulation fed in blocks of cycles. */
export interface NetlistStream {
  /** Feed the next cycles' vectors; returns the outputs sampled in those cycles, as `run` does. */
  run(vectors: readonly (readonly bigint[])[]): bigint[][];
}

/** Bits of a constant as the generated code writes it (its magnitude and a sign). */
function constantBits(c: bigint): number {
  return (c < 0n ? -c : c).toString(2).length + 1;
}

/** Bits of the widest intermediate value the generated code computes. */
export function maxIntermediateBits(n: Netlist): number {
  let m = n.ports.inputWidth + 1;
  const operand = (idx: number, shift: number): void => {
    if (idx >= 0) m = Math.max(m, n.signals[idx]!.width + shift + 2);
  };
  for (const s of n.signals) {
    m = Math.max(m, s.width + 1);
    switch (s.kind) {
      case 'input':
        break;
      case 'add':
      case 'sub':
        operand(s.a, s.shiftA);
        operand(s.b, s.shiftB);
        break;
      case 'addc':
        operand(s.a, s.shiftA);
        m = Math.max(m, s.c.toString(2).length + 2);
        break;
      case 'neg':
      case 'fit':
        operand(s.a, s.shiftA);
        break;
      case 'shr':
        operand(s.a, s.shift);
        break;
      case 'rne':
        operand(s.a, 0);
        break;
      case 'square':
        m = Math.max(m, 2 * n.signals[s.a]!.width + 1);
        operand(s.a, 0);
        break;
      case 'relu':
      case 'reg':
        operand(s.a, 0);
        break;
      case 'cmp':
        // the difference, compared with c
        operand(s.a, s.shiftA);
        operand(s.b, s.shiftB);
        m = Math.max(m, constantBits(s.c) + 2);
        break;
      case 'mux':
        operand(s.sel, 0);
        operand(s.a, s.shiftA);
        operand(s.b, s.shiftB);
        m = Math.max(m, constantBits(s.ca) + 1, constantBits(s.cb) + 1);
        break;
      case 'table':
        // the index a − base; the entries are held fitted to the table's width
        operand(s.a, 0);
        m = Math.max(m, constantBits(s.base) + 2);
        break;
      case 'cat':
        // each operand's low bits (its value mod 2^w), shifted to its place: within the width
        for (const a of s.args) operand(a, 0);
        break;
      case 'inst':
        throw new Error('internal: a netlist with instances is flattened before it is simulated');
      default: {
        const kind: never = s;
        throw new Error(`internal: no width rule for signal ${String(kind)}`);
      }
    }
  }
  for (const o of [...n.outputs, ...(n.score ? [n.score] : [])]) {
    if (o.signal >= 0) m = Math.max(m, n.signals[o.signal]!.width + o.shift + 1);
  }
  return Math.max(m, n.ports.outputWidth + 1, (n.score?.width ?? 0) + 1);
}

/** Statements per generated function in number mode: small enough for V8 to optimize each one. */
const CHUNK = 256;

export function compileNetlist(netlist: Netlist): NetlistSim {
  // each instance runs as its block's signals of its own
  const n = flattenNetlist(netlist);
  const mode: 'number' | 'bigint' = maxIntermediateBits(n) <= 52 ? 'number' : 'bigint';
  const big = mode === 'bigint';
  const lit = (v: number | bigint): string => (big ? `${v}n` : `${v}`);
  /** A literal that can follow a binary operator: negative ones in parentheses. */
  const term = (v: bigint): string => (v < 0n ? `(${lit(v)})` : lit(v));
  const shl = (e: string, s: number): string => (s === 0 ? e : big ? `(${e} << ${s}n)` : `(${e} * ${2 ** s})`);
  const fit = (e: string, w: number, signed: boolean): string => {
    if (big) return `BigInt.as${signed ? 'Int' : 'Uint'}N(${w}, ${e})`;
    // the range check inline (a value in range, the usual case, costs two comparisons), the
    // wrap in a call
    const h = 2 ** (w - 1);
    return signed ? `((q = ${e}) >= ${-h} && q < ${h} ? q : ws(q, ${2 ** w}, ${h}))` : `((q = ${e}) >= 0 && q < ${2 ** w} ? q : wu(q, ${2 ** w}))`;
  };
  // Number mode keeps every signal in a Float64Array V and splits the cycle into functions of
  // CHUNK statements: one straight-line function of a large design's thousands of adders is
  // too big for V8 to optimize and runs interpreted, an order of magnitude slower. BigInt mode
  // keeps locals in one function.
  const v = (i: number): string => (big ? `s${i}` : `V[${i}]`);
  // the score, when there is one, is one more column after y
  const nOut = n.outputs.length + (n.score ? 1 : 0);
  const regs = n.signals.flatMap((s, i) => (s.kind === 'reg' ? [{ s, i }] : []));
  // Each table's entries fitted to its width, as the printed ROM's low bits give them: one
  // constant array T<k> per distinct content. A value of a outside the entries reads 0.
  const tables = new Map<string, string>();
  const tableArray = (entries: readonly bigint[], width: number, signed: boolean): string => {
    const values = entries.map((e) => lit(signed ? BigInt.asIntN(width, e) : BigInt.asUintN(width, e))).join(', ');
    let name = tables.get(values);
    if (name === undefined) {
      name = `T${tables.size}`;
      tables.set(values, name);
    }
    return name;
  };

  /** The statement that computes signal i (registers have none: they load at the edge). */
  const statement = (s: NetSignal, i: number): string | null => {
    const set = (e: string): string => `${big ? 'const ' : ''}${v(i)} = ${fit(e, s.width, s.signed)};`;
    switch (s.kind) {
      case 'input':
        return set(`X[b + ${s.input}]`);
      case 'reg':
        return null;
      case 'neg':
        return set(`-${shl(v(s.a), s.shiftA)}`);
      case 'add':
      case 'sub':
        return set(`${shl(v(s.a), s.shiftA)} ${s.kind === 'add' ? '+' : '-'} ${shl(v(s.b), s.shiftB)}`);
      case 'addc':
        return set(`${shl(v(s.a), s.shiftA)} + ${lit(s.c)}`);
      case 'shr':
        // floor division by 2^k (an arithmetic right shift)
        return set(big ? `(${v(s.a)} >> ${s.shift}n)` : `Math.floor(${v(s.a)} / ${2 ** s.shift})`);
      case 'rne':
        // the floor shift plus the increment: guard bit and (a lower bit or the kept LSB)
        return set(big ? `rb(${v(s.a)}, ${s.shift}n)` : `rn(${v(s.a)}, ${2 ** s.shift}, ${2 ** (s.shift - 1)})`);
      case 'relu':
        return set(`(${v(s.a)} < ${lit(0)} ? ${lit(0)} : ${v(s.a)})`);
      case 'fit': {
        const f = s.fit;
        const x = shl(v(s.a), s.shiftA);
        if (f.overflow === 'wrap') return set(fit(x, f.width, f.signed));
        const [min, max] = outputRange(f);
        return set(`(${x} > ${lit(max)} ? ${lit(max)} : ${x} < ${lit(min)} ? ${lit(min)} : ${x})`);
      }
      case 'square':
        return set(`${v(s.a)} * ${v(s.a)}`);
      case 'cmp': {
        const diff = s.b >= 0 ? `${shl(v(s.a), s.shiftA)} - ${shl(v(s.b), s.shiftB)}` : shl(v(s.a), s.shiftA);
        return set(`(${diff} >= ${term(s.c)} ? ${lit(1)} : ${lit(0)})`);
      }
      case 'mux': {
        const a = s.a >= 0 ? shl(v(s.a), s.shiftA) : term(s.ca);
        const b = s.b >= 0 ? shl(v(s.b), s.shiftB) : term(s.cb);
        return set(`(${v(s.sel)} !== ${lit(0)} ? ${a} : ${b})`);
      }
      case 'table': {
        const t = tableArray(s.entries, s.width, s.signed);
        const k = s.base === 0n ? v(s.a) : `${v(s.a)} - ${term(s.base)}`;
        return set(`(${t}[${big ? `Number(${k})` : k}] ?? ${lit(0)})`);
      }
      case 'cat': {
        // Σ_j (a_j mod 2^w_j) · 2^(w_0 + … + w_(j−1)): each part its low bits, as catValue
        let at = 0;
        const parts = s.args.map((a, j) => {
          const w = s.widths[j]!;
          const low = big ? `BigInt.asUintN(${w}, ${v(a)})` : `wu(${v(a)}, ${2 ** w})`;
          const e = shl(low, at);
          at += w;
          return e;
        });
        return set(`(${parts.join(' + ')})`);
      }
      case 'inst':
        throw new Error('internal: a netlist with instances is flattened before it is simulated');
      default: {
        const kind: never = s; // every kind is handled: the compiler checks it
        throw new Error(`internal: no simulation of signal ${String(kind)}`);
      }
    }
  };
  const outOf = (o: NetOutput, width: number, signed: boolean): string =>
    o.signal < 0 ? lit(o.constant !== undefined ? (signed ? BigInt.asIntN(width, o.constant) : BigInt.asUintN(width, o.constant)) : 0n) : fit(shl(v(o.signal), o.shift), width, signed);

  const comb: string[] = [];
  n.signals.forEach((s, i) => {
    const st = statement(s, i);
    if (st !== null) comb.push(st);
  });
  const outs = n.outputs.map((o, k) => `Y[y + ${k}] = ${outOf(o, n.ports.outputWidth, n.ports.outputSigned)};`);
  if (n.score) outs.push(`Y[y + ${nOut - 1}] = ${outOf(n.score, n.score.width, false)};`);
  // clock edge: all registers load at once (read every source before writing any)
  const load = regs.map(({ s }, k) => `${big ? `const n${k} = ` : `N[${k}] = `}${fit(v(s.a), s.width, s.signed)};`);
  const store = regs.map(({ i }, k) => `${v(i)} = ${big ? `n${k}` : `N[${k}]`};`);

  const lines: string[] = [];
  for (const [values, name] of tables) lines.push(`const ${name} = [${values}];`);
  if (n.signals.some((s) => s.kind === 'rne')) {
    // round x / 2^k to nearest, ties to even, as the hardware does: ⌊x / 2^k⌋, plus 1 when the
    // guard bit (k − 1) is set and so is a lower bit or the kept LSB
    lines.push(
      big
        ? 'const rb = (x, k) => { const f = x >> k; const r = x - (f << k); const h = 1n << (k - 1n); return r >= h && (r !== h || (f & 1n) === 1n) ? f + 1n : f; };'
        : 'const rn = (x, m, h) => { const f = Math.floor(x / m); const r = x - f * m; return r >= h && (r !== h || f % 2 !== 0) ? f + 1 : f; };',
    );
  }
  if (big) {
    // R holds the registers between calls (a stream's state)
    lines.push('return function run(X, T, R) {');
    lines.push(`  const Y = new Array(T * ${nOut});`);
    regs.forEach(({ i }, k) => lines.push(`  let ${v(i)} = R[${k}];`));
    lines.push('  for (let t = 0; t < T; t++) {');
    lines.push(`    const b = t * ${n.ports.nIn};`);
    lines.push(`    const y = t * ${nOut};`);
    for (const l of [...comb, ...outs, ...load, ...store]) lines.push(`    ${l}`);
    lines.push('  }');
    regs.forEach(({ i }, k) => lines.push(`  R[${k}] = ${v(i)};`));
    lines.push('  return Y;');
    lines.push('};');
  } else {
    // (a value already in range, the usual case, costs two comparisons; the rest is wrapped)
    lines.push('const wu = (x, m) => { if (x >= 0 && x < m) return x; x = x % m; return x < 0 ? x + m : x; };');
    lines.push('const ws = (x, m, h) => { if (x >= -h && x < h) return x; x = x % m; if (x < 0) x += m; return x >= h ? x - m : x; };');
    const calls: string[] = [];
    const chunked = (body: string[], params: string): void => {
      for (let at = 0; at < body.length; at += CHUNK) {
        const name = `f${calls.length}`;
        lines.push(`const ${name} = (${params}) => {`);
        lines.push('  let q = 0;');
        for (const l of body.slice(at, at + CHUNK)) lines.push(`  ${l}`);
        lines.push('};');
        calls.push(`${name}(${params});`);
      }
    };
    chunked(comb, 'V, X, b');
    chunked(outs, 'V, Y, y');
    chunked(load, 'V, N');
    chunked(store, 'V, N');
    lines.push(`const V = new Float64Array(${n.signals.length});`);
    lines.push(`const N = new Float64Array(${regs.length});`);
    lines.push('return function run(X, T, R) {');
    lines.push(`  const Y = new Array(T * ${nOut});`);
    regs.forEach(({ i }, k) => lines.push(`  ${v(i)} = R[${k}];`));
    lines.push('  for (let t = 0; t < T; t++) {');
    lines.push(`    const b = t * ${n.ports.nIn};`);
    lines.push(`    const y = t * ${nOut};`);
    for (const c of calls) lines.push(`    ${c}`);
    lines.push('  }');
    regs.forEach(({ i }, k) => lines.push(`  R[${k}] = ${v(i)};`));
    lines.push('  return Y;');
    lines.push('};');
  }
  const source = lines.join('\n');
  const fn = new Function(source)() as (X: (number | bigint)[], T: number, R: (number | bigint)[]) => (number | bigint)[];
  const cleared = (): (number | bigint)[] => new Array<number | bigint>(regs.length).fill(big ? 0n : 0);

  const step = (vectors: readonly (readonly bigint[])[], R: (number | bigint)[]): bigint[][] => {
    const T = vectors.length;
    const nIn = n.ports.nIn;
    const X: (number | bigint)[] = new Array(T * nIn);
    for (let t = 0; t < T; t++) {
      const vec = vectors[t]!;
      if (vec.length !== nIn) throw new RangeError(`vector ${t} has ${vec.length} entries, expected ${nIn}`);
      for (let i = 0; i < nIn; i++) X[t * nIn + i] = big ? vec[i]! : Number(vec[i]!);
    }
    const Y = fn(X, T, R);
    const out: bigint[][] = [];
    for (let t = 0; t < T; t++) {
      const row: bigint[] = new Array(nOut);
      for (let k = 0; k < nOut; k++) row[k] = BigInt(Y[t * nOut + k]!);
      out.push(row);
    }
    return out;
  };
  return {
    mode,
    source,
    run: (vectors) => step(vectors, cleared()),
    stream() {
      const R = cleared();
      return { run: (vectors) => step(vectors, R) };
    },
  };
}
