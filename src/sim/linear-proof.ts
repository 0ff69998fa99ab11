import { trailingZeros } from '../da/ranges.js';
import type { Ports } from '../rtl/netlist.js';
import { formatRange } from '../spec/tables.js';
import { paramBool, readYosysModule } from './yosys-json-sim.js';
import type { Bit, RawCell } from './yosys-json-sim.js';

/**
 * A proof by exact linear forms, over a Yosys JSON netlist (`write_json` after `proc; flatten`).
 *
 * Every word of the netlist gets an integer linear form over the inputs, V = c + Σ a_v·x_v,
 * where a variable v is input i as it was `d` cycles ago, with the invariant that the word's
 * bits are V mod 2^width for every input sequence (from the cycle its registers first loaded
 * on). Adders, subtracters, negation, bitwise not (−V−1), products and shifts by constants keep
 * the form exact modulo the width. Where a cell reads a word *wider* than it is held (sign or zero
 * extension), or reads it below other bits (a concatenation), the value is the form (less a
 * multiple of 2^bits, which leaves the bits alone) only if the form's range fits: the range of a linear form over independent inputs is exact (each input at
 * its bound), so the check neither misses an overflow nor invents one.
 *
 * Bits read from the middle of a value (da-gen adds above a value's low bits and wires the low
 * bits past the adder) are fields of the value: atoms, variables of their own, kept canonical
 * (Atoms.field) so that the same bits read through different forms meet, and turned back into
 * the value's form when they are put back together (Atoms.normalize). A form with fields has a
 * range computed as if they were independent of the inputs: it may be wider than the truth,
 * never narrower, so a range check can fail where nothing overflows (the proof is then left
 * undecided) but never pass where something does.
 *
 * Two netlists whose output forms (without fields) agree modulo the output width compute the
 * same outputs for every input sequence: that is the proof. Forms that differ give a counterexample outright (one
 * input set to ±1), and a failed range check gives the input that reaches the bound, to try.
 * Cells that are not linear (a multiplexer with a live select, AND, comparisons) end the proof
 * with the cell named: another method must decide.
 */

/** A linear form c + Σ terms[v]·x_v, v = delay·nIn + input. */
export interface Form {
  terms: Map<number, bigint>;
  c: bigint;
}

const constForm = (c: bigint): Form => ({ terms: new Map(), c });

function combine(a: Form, b: Form, k: bigint): Form {
  const terms = new Map(a.terms);
  for (const [v, x] of b.terms) {
    const s = (terms.get(v) ?? 0n) + k * x;
    if (s === 0n) terms.delete(v);
    else terms.set(v, s);
  }
  return { terms, c: a.c + k * b.c };
}

function scale(a: Form, k: bigint): Form {
  if (k === 0n) return constForm(0n);
  const terms = new Map<number, bigint>();
  for (const [v, x] of a.terms) terms.set(v, x * k);
  return { terms, c: a.c * k };
}

/** a / 2^p when every coefficient is a multiple of 2^p, else null. */
function divPow2(a: Form, p: number): Form | null {
  if (p === 0) return a;
  const m = (1n << BigInt(p)) - 1n;
  if ((a.c & m) !== 0n) return null;
  const terms = new Map<number, bigint>();
  for (const [v, x] of a.terms) {
    if ((x & m) !== 0n) return null;
    terms.set(v, x >> BigInt(p));
  }
  return { terms, c: a.c >> BigInt(p) };
}

/** Whether a and b are equal modulo 2^w, coefficient by coefficient. */
export function formsEqualMod(a: Form, b: Form, w: number): boolean {
  const d = combine(a, b, -1n);
  const m = (1n << BigInt(w)) - 1n;
  if ((d.c & m) !== 0n) return false;
  for (const x of d.terms.values()) if ((x & m) !== 0n) return false;
  return true;
}

/** The inputs' range: every x_v lies in [lo, hi]. */
export interface InputRange {
  lo: bigint;
  hi: bigint;
}


/** A form's range, and the inputs that reach each end (the variables of its linear part). */
export interface FormRange {
  lo: bigint;
  hi: bigint;
  atLo: Map<number, bigint>;
  atHi: Map<number, bigint>;
}

/**
 * The bits of a word from bit `lo` to bit `hi` − 1, read as an unsigned number below other bits
 * (floor(V / 2^lo) mod 2^(hi − lo)), or from bit `lo` up as the top of a signed value
 * (floor(V / 2^lo), hi null), are not linear in the inputs. Each such field is an atom: a
 * variable of its own (a negative key in the terms, −1 − index). The identity
 * V = Σ 2^c_j·field(c_j, c_j+1) + 2^c_top·field(c_top, ∞) removes the atoms again when the bits
 * are put back together: da-gen adds above a word's low bits and wires the low bits past the
 * adder (y = a + (b << p) as {a[..:p] + b, a[p−1:0]}).
 */
interface Atom {
  base: Form;
  lo: number;
  hi: number | null;
  /** The base's key, to find the atoms of one base. */
  key: string;
}

export class Atoms {
  private readonly list: Atom[] = [];
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly nIn: number,
    private readonly inputs: InputRange,
  ) {}

  /**
   * The field [lo, hi) (hi null: from lo up, signed) of `base`, as a form. The atoms are kept
   * canonical, so that the same bits read from different forms of one value meet:
   * - a field depends on its base only modulo 2^hi (a top field: floor(V / 2^lo) is
   *   floor(R / 2^lo) + (V − R) / 2^lo with R = V mod 2^lo, coefficient by coefficient);
   * - a base that is a multiple of 2^t has its bits t places up;
   * - of a base and its complement (−R − 1, as da-gen subtracts through ~b + 1), the one with
   *   the smaller key is kept: field(~R) = 2^(hi − lo) − 1 − field(R), and −field(R) − 1 from lo up;
   * - a field of a field is a field of the first base.
   */
  field(base: Form, lo: number, hi: number | null): Form {
    if (hi !== null && hi <= lo) return constForm(0n);
    if (hi === null && lo === 0) return base;
    if (hi === null) {
      // a value within ±2^k, k < lo: its top from bit lo is its sign, as from bit k
      const b = this.range(base, this.inputs);
      if (b.lo >= 0n && b.hi < 1n << BigInt(lo)) return constForm(0n);
      if (b.lo >= -(1n << BigInt(lo)) && b.hi < 0n) return constForm(-1n);
      let k = 0;
      while (b.lo < -(1n << BigInt(k)) || b.hi >= 1n << BigInt(k)) k++;
      if (k < lo) return this.field(base, k, null);
    }
    if (hi !== null) {
      // a value that fits hi bits: its field is of the value itself, above lo (unsigned), or
      // with its sign bit taken off (signed: bit hi − 1 is −floor(V / 2^(hi − 1)))
      const b = this.range(base, this.inputs);
      if (b.lo >= 0n && b.hi < 1n << BigInt(hi)) return this.field(base, lo, null);
      if (lo < hi - 1 && b.lo >= -(1n << BigInt(hi - 1)) && b.hi < 1n << BigInt(hi - 1)) {
        return combine(this.field(base, lo, null), this.field(base, hi - 1, null), -(1n << BigInt(hi - lo)));
      }
      if (lo === hi - 1 && b.lo >= -(1n << BigInt(lo)) && b.hi < 1n << BigInt(lo)) return scale(this.field(base, lo, null), -1n);
    }
    const m = hi ?? lo;
    const r = modPow2(base, m);
    // what a top field leaves out of the reduction: a linear part
    const quot = hi === null ? divPow2(combine(base, r, -1n), m)! : constForm(0n);
    if (r.terms.size === 0) {
      const q = r.c >> BigInt(lo);
      return combine(quot, constForm(hi === null ? q : BigInt.asUintN(hi - lo, q)), 1n);
    }
    let t = Infinity;
    for (const k of [...r.terms.values(), ...(r.c !== 0n ? [r.c] : [])]) t = Math.min(t, trailingZeros(k));
    if (t > 0) {
      const shifted = divPow2(r, t)!;
      if (hi !== null && hi <= t) return constForm(0n);
      const inner = this.field(shifted, Math.max(lo - t, 0), hi === null ? null : hi - t);
      return combine(quot, inner, 1n << BigInt(Math.max(t - lo, 0)));
    }
    // one atom with coefficient 1, and linear terms L: the bits of a field of U plus L are those
    // of U + 2^a·L, for a top field, or below the field's width
    const atomsIn = [...r.terms].filter(([v]) => v < 0);
    if (atomsIn.length === 1 && atomsIn[0]![1] === 1n) {
      const v = atomsIn[0]![0];
      const a = this.get(v);
      const rest = new Map(r.terms);
      rest.delete(v);
      const L: Form = { terms: rest, c: r.c };
      const width = a.hi === null ? Infinity : a.hi - a.lo;
      if (lo >= width && rest.size === 0 && r.c === 0n) return quot;
      if (hi === null ? a.hi === null : hi <= width) {
        const u = combine(a.base, L, 1n << BigInt(a.lo));
        return combine(quot, this.field(u, a.lo + lo, hi === null ? null : a.lo + hi), 1n);
      }
    }
    // one bit: adding 2^lo flips it, and so does the complement; of the four, the smallest key
    if (hi === lo + 1) {
      const flip = (x: Form): Form => modPow2(combine(x, constForm(1n << BigInt(lo)), 1n), m);
      const comp = modPow2(combine(constForm(-1n), r, -1n), m);
      const best = [
        { f: r, neg: false },
        { f: flip(r), neg: true },
        { f: comp, neg: true },
        { f: flip(comp), neg: false },
      ].reduce((a, b) => (formKey(b.f) < formKey(a.f) ? b : a));
      return best.neg ? combine(constForm(1n), this.atomForm(best.f, lo, hi), -1n) : this.atomForm(best.f, lo, hi);
    }
    const comp = modPow2(combine(constForm(-1n), r, -1n), m);
    if (formKey(comp) < formKey(r)) {
      if (hi !== null) return combine(constForm((1n << BigInt(hi - lo)) - 1n), this.atomForm(comp, lo, hi), -1n);
      // −R − 1 = comp + 2^m·q̄: floor(R / 2^m) = −1 − floor(comp / 2^m) − q̄
      const qbar = divPow2(combine(combine(constForm(-1n), r, -1n), comp, -1n), m)!;
      return combine(combine(combine(quot, constForm(-1n), 1n), this.atomForm(comp, lo, null), -1n), qbar, -1n);
    }
    return combine(quot, this.atomForm(r, lo, hi), 1n);
  }

  private atomForm(base: Form, lo: number, hi: number | null): Form {
    return { terms: new Map([[this.id(base, formKey(base), lo, hi), 1n]]), c: 0n };
  }

  /**
   * floor(f / 2^p) as a form: exact when the terms that are not multiples of 2^p (and the
   * constant's low bits) stay within one multiple of 2^p; else the field of f from bit p up.
   */
  floorDiv(f: Form, p: number, r: InputRange): Form {
    if (p === 0) return f;
    const m = (1n << BigInt(p)) - 1n;
    const high = new Map<number, bigint>();
    const low = new Map<number, bigint>();
    for (const [v, k] of f.terms) {
      if ((k & m) === 0n) high.set(v, k >> BigInt(p));
      else low.set(v, k);
    }
    const rest: Form = { terms: low, c: f.c & m };
    const head: Form = { terms: high, c: f.c >> BigInt(p) };
    if (low.size === 0) return head;
    const b = this.range(rest, r);
    const j = b.lo >> BigInt(p);
    if (b.hi >> BigInt(p) === j) return combine(head, constForm(j), 1n);
    return this.field(f, p, null);
  }

  private id(base: Form, key: string, lo: number, hi: number | null): number {
    const k = `${lo}:${hi ?? 'top'}:${key}`;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = -1 - this.list.length;
      this.list.push({ base, lo, hi, key });
      this.ids.set(k, id);
    }
    return id;
  }

  private get(id: number): Atom {
    return this.list[-1 - id]!;
  }

  /**
   * The form with every field cut at every cut point of the form's fields, and each top field
   * whose coefficient is a multiple of 2^lo replaced by its base less the fields below it: when
   * the bits of a value are all read back in place, what is left is the value's own form.
   */
  normalize(f: Form): Form {
    let out = f;
    // cutting and merging may come back to a form already seen: then the one with fewest atoms
    const seen = new Set<string>([formKey(f)]);
    let best = f;
    for (let round = 0; round < 64; round++) {
      const cuts = new Set<number>([0]);
      for (const v of out.terms.keys()) {
        if (v >= 0) continue;
        const a = this.get(v);
        cuts.add(a.lo);
        if (a.hi !== null) cuts.add(a.hi);
      }
      const sorted = [...cuts].sort((x, y) => x - y);
      const lin = new Map<number, bigint>();
      for (const [v, k] of out.terms) if (v >= 0) lin.set(v, k);
      let g: Form = { terms: lin, c: out.c };
      for (const [v, k] of out.terms) {
        if (v >= 0) continue;
        const a = this.get(v);
        const inside = sorted.filter((c) => c > a.lo && (a.hi === null || c < a.hi));
        if (inside.length === 0) {
          g = combine(g, { terms: new Map([[v, 1n]]), c: 0n }, k);
          continue;
        }
        const ends = [a.lo, ...inside];
        for (let j = 0; j < ends.length; j++) {
          const hi = j + 1 < ends.length ? ends[j + 1]! : a.hi;
          g = combine(g, this.field(a.base, ends[j]!, hi), k << BigInt(ends[j]! - a.lo));
        }
      }
      // a top field read back in place: the base, less its fields below
      for (const [v, k] of g.terms) {
        if (v >= 0) continue;
        const a = this.get(v);
        if (a.hi !== null || (k & ((1n << BigInt(a.lo)) - 1n)) !== 0n) continue;
        const q = k >> BigInt(a.lo);
        const rest = new Map(g.terms);
        rest.delete(v);
        g = combine({ terms: rest, c: g.c }, a.base, q);
        const below = [...sorted.filter((c) => c < a.lo), a.lo];
        for (let j = 0; j + 1 < below.length; j++) g = combine(g, this.field(a.base, below[j]!, below[j + 1]!), -(q << BigInt(below[j]!)));
        break;
      }
      g = this.merge(g);
      const key = formKey(g);
      if (key === formKey(out)) return g;
      if (atomCount(g) < atomCount(best)) best = g;
      if (seen.has(key)) return best;
      seen.add(key);
      out = g;
    }
    return best;
  }

  /**
   * Adjacent fields of one value put back together: k·field(V, a, b) + k·2^(b − a)·field(V, b, c)
   * is k·field(V, a, c) (c may be the top). Fewer atoms, and tighter ranges.
   */
  private merge(f: Form): Form {
    let g = f;
    for (let again = true; again; ) {
      again = false;
      const atomsIn = [...g.terms].filter(([v]) => v < 0);
      outer: for (const [lv, lk] of atomsIn) {
        const low = this.get(lv);
        if (low.hi === null) continue;
        for (const [hv, hk] of atomsIn) {
          const high = this.get(hv);
          if (high.lo !== low.hi) continue;
          const ratio = lk << BigInt(low.hi - low.lo);
          if (hk !== ratio && hk !== -ratio) continue;
          // the low atom as the bits of the high one's value: s·atom + c0, s = ±1
          const t = this.field(high.base, low.lo, low.hi);
          const s = t.terms.get(lv);
          if (t.terms.size !== 1 || (s !== 1n && s !== -1n)) continue;
          if (hk !== s * lk * (1n << BigInt(low.hi - low.lo))) continue;
          const terms = new Map(g.terms);
          terms.delete(lv);
          terms.delete(hv);
          const merged = combine(this.field(high.base, low.lo, high.hi), constForm(-t.c), 1n);
          const next = combine({ terms, c: g.c }, merged, s * lk);
          // only when it leaves fewer atoms (a merged field may come back cut, by the range rules)
          if (atomCount(next) >= atomCount(g)) continue;
          g = next;
          again = true;
          break outer;
        }
      }
    }
    return g;
  }

  /** The form one register later: every input one cycle older, atoms too. */
  delay(f: Form): Form {
    const terms = new Map<number, bigint>();
    for (const [v, k] of f.terms) if (v >= 0) terms.set(v + this.nIn, k);
    let out: Form = { terms, c: f.c };
    for (const [v, k] of f.terms) {
      if (v >= 0) continue;
      const a = this.get(v);
      out = combine(out, this.field(this.delay(a.base), a.lo, a.hi), k);
    }
    return out;
  }

  /**
   * A form congruent to f modulo 2^w, as small as it can be found: terms whose coefficient is a
   * multiple of 2^w dropped, and a field k·field(V, lo, hi) with 2^w dividing k·2^(hi − lo)
   * read as k·floor(V / 2^lo) (they differ by a multiple of 2^w), which may then resolve.
   */
  reduce(f: Form, w: number): Form {
    const m = (1n << BigInt(w)) - 1n;
    const terms = new Map<number, bigint>();
    const tops: [Atom, bigint][] = [];
    for (const [v, k] of f.terms) {
      if ((k & m) === 0n) continue;
      const a = v < 0 ? this.get(v) : null;
      if (a && a.hi !== null && ((k << BigInt(a.hi - a.lo)) & m) === 0n) tops.push([a, k]);
      else terms.set(v, k);
    }
    let out: Form = { terms, c: f.c };
    for (const [a, k] of tops) out = combine(out, this.field(a.base, a.lo, null), k);
    return this.normalize(out);
  }

  /** Whether the form has atoms left. */
  static linear(f: Form): boolean {
    for (const v of f.terms.keys()) if (v < 0) return false;
    return true;
  }

  /**
   * 2^S·f as a linear part over the inputs plus an interval of slack: a floor atom is
   * (V − r)/2^p with r in [0, 2^p − 1], a mod atom lies in [0, 2^p − 1]. The slack treats the
   * atoms as independent of the inputs, so the range it gives may be wider than the truth, never
   * narrower.
   */
  private expand(f: Form): { lin: Form; lo: bigint; hi: bigint; S: number } {
    let lin: Form = { terms: new Map(), c: f.c };
    let lo = 0n;
    let hi = 0n;
    let S = 0;
    const rescale = (to: number): void => {
      if (to <= S) return;
      const k = 1n << BigInt(to - S);
      lin = scale(lin, k);
      lo *= k;
      hi *= k;
      S = to;
    };
    const slack = (k: bigint, top: bigint, at: number): void => {
      // k·[0, top] / 2^at, brought to the scale S ≥ at
      const u = (k * top) << BigInt(S - at);
      if (u > 0n) hi += u;
      else lo += u;
    };
    for (const [v, k] of f.terms) {
      if (v >= 0) {
        lin = combine(lin, { terms: new Map([[v, 1n]]), c: 0n }, k << BigInt(S));
        continue;
      }
      const a = this.get(v);
      if (a.hi !== null) {
        slack(k, (1n << BigInt(a.hi - a.lo)) - 1n, 0);
        continue;
      }
      // floor(V / 2^lo) = (V − r) / 2^lo, r in [0, 2^lo − 1]
      const top = (1n << BigInt(a.lo)) - 1n;
      const e = this.expand(a.base);
      rescale(e.S + a.lo);
      const up = BigInt(S - e.S - a.lo);
      lin = combine(lin, e.lin, k << up);
      // k·(slack of V)/2^p, then −k·r/2^p
      const [elo, ehi] = k > 0n ? [e.lo * k, e.hi * k] : [e.hi * k, e.lo * k];
      lo += elo << up;
      hi += ehi << up;
      slack(-k, top, a.lo);
    }
    return { lin, lo, hi, S };
  }

  /** The range of a form over independent inputs (exact for a linear form), and the inputs at its ends. */
  range(f: Form, r: InputRange): FormRange {
    const e = this.expand(f);
    let lo = e.lin.c + e.lo;
    let hi = e.lin.c + e.hi;
    const atLo = new Map<number, bigint>();
    const atHi = new Map<number, bigint>();
    for (const [v, x] of e.lin.terms) {
      const [small, big] = x > 0n ? [r.lo, r.hi] : [r.hi, r.lo];
      lo += x * small;
      hi += x * big;
      atLo.set(v, small);
      atHi.set(v, big);
    }
    const s = 1n << BigInt(e.S);
    // the value is an integer: the ends rounded inwards
    const floorDiv = (a: bigint): bigint => (a >= 0n ? a / s : -((-a + s - 1n) / s));
    return { lo: -floorDiv(-lo), hi: floorDiv(hi), atLo, atHi };
  }
}

/** f with every coefficient and the constant taken modulo 2^m, into [0, 2^m). */
function modPow2(f: Form, m: number): Form {
  const terms = new Map<number, bigint>();
  for (const [v, k] of f.terms) {
    const r = BigInt.asUintN(m, k);
    if (r !== 0n) terms.set(v, r);
  }
  return { terms, c: BigInt.asUintN(m, f.c) };
}

/** The j for which every value of r, less j·size, lies within bounds; null when there is none. */
function windowOf(r: { lo: bigint; hi: bigint }, bounds: [bigint, bigint], size: bigint): bigint | null {
  const d = r.lo - bounds[0];
  const j = d >= 0n ? d / size : -((-d + size - 1n) / size);
  return r.hi - j * size <= bounds[1] ? j : null;
}

function atomCount(f: Form): number {
  let n = 0;
  for (const v of f.terms.keys()) if (v < 0) n++;
  return n;
}

function formKey(f: Form): string {
  const t = [...f.terms].sort((a, b) => a[0] - b[0]);
  return `${t.map(([v, k]) => `${v}*${k}`).join('+')}+${f.c}`;
}

/** The proof's result for one netlist: the form of each output field, or where it stopped. */
export type LinearResult =
  | {
      ok: true;
      /** One form per output field: y's fields, then the score's (equal to the field mod 2^width). */
      forms: Form[];
      widths: number[];
      /** Register ranks on the longest path to an output: the forms hold from this cycle on. */
      depth: number;
    }
  | {
      ok: false;
      /** Why the forms stop, naming the cell. */
      why: string;
      /** Input assignments (v → value) worth simulating: those that reach the range bound that failed. */
      witnesses: Map<number, bigint>[];
    };

class Stop extends Error {
  constructor(readonly why: string, readonly witnesses: Map<number, bigint>[] = []) {
    super(why);
  }
}

interface Piece {
  /** A symbolic word (a cell's output, or one input field), its first bit, its run of bits and the copies of its last. */
  word: number;
  pos: number;
  len: number;
  rep: number;
  dst: number;
}

/**
 * The linear forms of the outputs of the netlist's module `top`. `input` is the inputs' format
 * (the fields of x are the variables).
 */
export function linearForms(json: unknown, top: string, ports: Ports, input: { width: number; signed: boolean }): LinearResult {
  const m = readYosysModule(json, top, ports);
  const b = m.b;
  const nIn = ports.nIn;
  const W = input.width;
  const [lo, hi] = formatRange(input);
  const range: InputRange = { lo, hi };
  const atoms = new Atoms(nIn, range);
  // symbolic words: the netlist's words, with port x cut into one word per input field
  const forms = new Map<number, Form>();
  const depth = new Map<number, number>();
  const fieldWord = (i: number): number => -1 - i;
  for (let i = 0; i < nIn; i++) {
    forms.set(fieldWord(i), { terms: new Map([[i, 1n]]), c: 0n });
    depth.set(fieldWord(i), 0);
  }
  const nameOf = (w: number): string => (w < 0 ? `x field ${-1 - w}` : b.words[w]!.name);

  /** The symbolic word and position of a bit, or its constant. */
  const at = (bit: Bit): { word: number; pos: number } | { c: 0 | 1 | 'x' } => {
    const s = b.source(bit);
    if (s.kind === 'const') return { c: s.value };
    if (s.word === m.xWord) return { word: fieldWord(Math.floor(s.pos / W)), pos: s.pos % W };
    return { word: s.word, pos: s.pos };
  };

  /**
   * The value of `bits` as the cell reads it, extended (signed or not) or cut to `need` bits,
   * as a form equal to it modulo 2^need; the register rank it comes from.
   */
  const read = (bits: readonly Bit[], need: number, signed: boolean, who: string): { f: Form; d: number } => {
    let c = 0n;
    const pieces: Piece[] = [];
    for (let k = 0; k < bits.length; ) {
      const s = at(bits[k]!);
      if ('c' in s) {
        if (s.c === 'x') {
          if (k < need) throw new Stop(`${who} reads an undriven or unknown bit`);
        } else if (s.c === 1) c |= 1n << BigInt(k);
        // a constant top bit of a signed value is extended below
        k++;
        continue;
      }
      let j = k + 1;
      const same = (q: number, off: number): boolean => {
        const t = at(bits[q]!);
        return !('c' in t) && t.word === s.word && t.pos === s.pos + off;
      };
      while (j < bits.length && same(j, j - k)) j++;
      let rep = 0;
      while (j < bits.length && same(j, j - k - 1 - rep)) {
        rep++;
        j++;
      }
      pieces.push({ word: s.word, pos: s.pos, len: j - k - rep, rep, dst: k });
      k = j;
    }
    const n = bits.length;
    // extension to `need` bits: the top bit copied (signed) or zeros
    if (need > n && signed && n > 0) {
      const topPiece = pieces[pieces.length - 1];
      if (topPiece && topPiece.dst + topPiece.len + topPiece.rep === n) topPiece.rep += need - n;
      else if ((c >> BigInt(n - 1)) & 1n) c |= ((1n << BigInt(need - n)) - 1n) << BigInt(n);
    }
    c &= (1n << BigInt(need)) - 1n;
    // the value from the lowest bit up: below each piece, the bits read so far are exactly `acc`
    let acc = constForm(0n);
    let constFrom = 0;
    const constsBelow = (to: number): void => {
      if (to <= constFrom) return;
      const bitsHere = c & (((1n << BigInt(to - constFrom)) - 1n) << BigInt(constFrom));
      if (bitsHere !== 0n) acc = combine(acc, constForm(bitsHere), 1n);
      constFrom = to;
    };
    let d = 0;
    for (const p of pieces) {
      if (p.dst >= need) continue;
      let len = p.len;
      let rep = p.rep;
      if (p.dst + len >= need) {
        len = need - p.dst;
        rep = 0;
      } else if (p.dst + len + rep > need) rep = need - p.dst - len;
      constsBelow(p.dst);
      const top = p.dst + len + rep === need;
      const src = forms.get(p.word);
      if (!src) throw new Stop(`${who} reads ${nameOf(p.word)} before it is computed (a register loop?)`);
      let v = divPow2(src, p.pos) ?? atoms.floorDiv(src, p.pos, range);
      const weight = 1n << BigInt(p.dst);
      d = Math.max(d, depth.get(p.word) ?? 0);
      constFrom = p.dst + len + rep;
      if (top && rep === 0) {
        // the bits above it are not read: any value congruent modulo 2^len will do
        acc = combine(acc, atoms.reduce(v, len), weight);
        continue;
      }
      // the bounds the piece's value must lie in for its bits to be the form's; the form may be
      // off by a multiple of 2^len (its bits are the same), so any window of 2^len values will do
      const size = 1n << BigInt(len);
      const bounds: [bigint, bigint] = top ? [-(size >> 1n), (size >> 1n) - 1n] : [0n, (rep > 0 ? size >> 1n : size) - 1n];
      const r = atoms.range(v, range);
      const j = windowOf(r, bounds, size);
      if (j !== null) {
        acc = combine(acc, combine(v, constForm(-j * size), 1n), weight);
        continue;
      }
      if (!top && rep === 0) {
        // low bits below others, as they are: the low bits of the sum with the bits below, when
        // that sum is linear (the bits of one value, put back together), else of the piece alone
        const sum = atoms.normalize(combine(acc, v, weight));
        acc = Atoms.linear(sum) ? atoms.field(sum, 0, p.dst + len) : combine(acc, atoms.field(v, 0, len), weight);
        continue;
      }
      // a sign bit copied below other bits: 0 or all ones, −S·(2^(1 + rep) − 1) for S in {−1, 0}
      const js = len === 1 && !top ? windowOf(r, [-1n, 0n], 2n) : null;
      if (js !== null) {
        acc = combine(acc, combine(v, constForm(-js * 2n), 1n), -weight * ((1n << BigInt(1 + rep)) - 1n));
        continue;
      }
      const how = rep > 0 ? `extended from ${len} bits` : `below other bits`;
      throw new Stop(
        `${who} reads ${nameOf(p.word)}${p.pos > 0 ? ` from bit ${p.pos}` : ''} ${how}, but its value ranges over [${r.lo}, ${r.hi}], which no shift of [${bounds[0]}, ${bounds[1]}] by a multiple of ${size} holds`,
        [...(r.lo < bounds[0] ? [r.atLo] : []), ...(r.hi > bounds[1] ? [r.atHi] : [])],
      );
    }
    constsBelow(need);
    const f = acc;
    return { f: atoms.normalize(f), d };
  };

  /** Shifts by a constant amount only: the amount, or a Stop. */
  const constAmount = (cell: RawCell, who: string): number => {
    const r = read(cell.connections['B']!, cell.connections['B']!.length, false, who);
    if (r.f.terms.size > 0) throw new Stop(`${who} shifts by a variable amount`);
    return Number(r.f.c);
  };

  const cellForm = (cell: RawCell, yw: number): { f: Form; d: number } => {
    const who = `cell ${cell.name} (${cell.type})`;
    const A = cell.connections['A']!;
    const B = cell.connections['B'] ?? [];
    const both = (): boolean => paramBool(cell, 'A_SIGNED') && paramBool(cell, 'B_SIGNED');
    switch (cell.type) {
      case '$add': case '$sub': case '$mul': {
        const s = both();
        const a = read(A, yw, s, who);
        const bb = read(B, yw, s, who);
        const d = Math.max(a.d, bb.d);
        if (cell.type === '$add') return { f: combine(a.f, bb.f, 1n), d };
        if (cell.type === '$sub') return { f: combine(a.f, bb.f, -1n), d };
        if (bb.f.terms.size === 0) return { f: scale(a.f, bb.f.c), d };
        if (a.f.terms.size === 0) return { f: scale(bb.f, a.f.c), d };
        throw new Stop(`${who} multiplies two variable values`);
      }
      case '$neg': {
        const a = read(A, yw, paramBool(cell, 'A_SIGNED'), who);
        return { f: scale(a.f, -1n), d: a.d };
      }
      case '$not': {
        const a = read(A, yw, paramBool(cell, 'A_SIGNED'), who);
        return { f: combine(constForm(-1n), a.f, -1n), d: a.d };
      }
      case '$pos':
        return read(A, yw, paramBool(cell, 'A_SIGNED'), who);
      case '$buf':
        return read(A, yw, false, who);
      case '$shl': case '$sshl': {
        const k = constAmount(cell, who);
        if (k >= yw) return { f: constForm(0n), d: 0 };
        const a = read(A, yw - k, paramBool(cell, 'A_SIGNED'), who);
        return { f: scale(a.f, 1n << BigInt(k)), d: a.d };
      }
      case '$shr': case '$sshr': {
        const k = constAmount(cell, who);
        const s = paramBool(cell, 'A_SIGNED');
        // $shr fills with zeros above max(A, Y) bits even for a signed A: only exact below that
        if (cell.type === '$shr' && s && k + yw > Math.max(A.length, yw)) throw new Stop(`${who} shifts a signed value right logically`);
        const a = read(A, k + yw, s, who);
        const v = divPow2(a.f, k);
        if (!v) throw new Stop(`${who} drops low bits that are not always zero`);
        return { f: v, d: a.d };
      }
      case '$mux': {
        const sel = read(cell.connections['S']!, 1, false, who);
        if (sel.f.terms.size > 0) throw new Stop(`${who} selects by a variable`);
        return read(sel.f.c !== 0n ? B : A, yw, false, who);
      }
      default:
        throw new Stop(`${who} is not linear`);
    }
  };

  try {
    // every cell, the registers too, in the order of the data: a pipeline has no loop
    type Node = { out: number; eval: () => { f: Form; d: number } };
    const nodes: Node[] = [];
    const reads: Bit[][] = [];
    for (const cc of m.combs) {
      nodes.push({ out: cc.out, eval: () => cellForm(cc.cell, b.words[cc.out]!.width) });
      reads.push(Object.entries(cc.cell.connections).filter(([p]) => p !== 'Y').flatMap(([, bits]) => bits));
    }
    for (const dff of m.dffs) {
      const who = `register ${dff.cell.name}`;
      nodes.push({
        out: dff.out,
        eval: () => {
          if (dff.negedge) throw new Stop(`${who} loads on the falling edge`);
          const r = read(dff.d, dff.d.length, false, who);
          return { f: atoms.delay(r.f), d: r.d + 1 };
        },
      });
      reads.push(dff.d);
    }
    const producer = new Map<number, number>();
    nodes.forEach((nd, i) => producer.set(nd.out, i));
    const users: number[][] = nodes.map(() => []);
    const indeg = new Int32Array(nodes.length);
    reads.forEach((bits, i) => {
      const deps = new Set<number>();
      for (const bit of bits) {
        const s = b.source(bit);
        if (s.kind === 'word' && producer.has(s.word)) deps.add(producer.get(s.word)!);
      }
      for (const dep of deps) {
        users[dep]!.push(i);
        indeg[i] = indeg[i]! + 1;
      }
    });
    const ready: number[] = [];
    indeg.forEach((dg, i) => {
      if (dg === 0) ready.push(i);
    });
    let done = 0;
    while (ready.length > 0) {
      const i = ready.pop()!;
      const r = nodes[i]!.eval();
      forms.set(nodes[i]!.out, atoms.normalize(r.f));
      depth.set(nodes[i]!.out, r.d);
      done++;
      for (const u of users[i]!) {
        indeg[u] = indeg[u]! - 1;
        if (indeg[u] === 0) ready.push(u);
      }
    }
    if (done < nodes.length) throw new Stop(`the registers form a loop through ${nodes.length - done} cells: the design is not a pipeline`);
    const fields: Form[] = [];
    const widths: number[] = [];
    let maxDepth = 0;
    const field = (bits: readonly Bit[], name: string): void => {
      const r = read(bits, bits.length, false, name);
      if (!Atoms.linear(r.f)) throw new Stop(`${name} is not a linear form of the inputs: it keeps the low or high bits of a value that are never put back together`);
      fields.push(r.f);
      widths.push(bits.length);
      maxDepth = Math.max(maxDepth, r.d);
    };
    const WO = ports.outputWidth;
    for (let o = 0; o < ports.nOut; o++) field(m.yBits.slice(o * WO, (o + 1) * WO), `output y[${o}]`);
    if (ports.scoreWidth !== null) field(m.yBits.slice(ports.nOut * WO), 'output score');
    return { ok: true, forms: fields, widths, depth: maxDepth };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, why: e.why, witnesses: e.witnesses };
    throw e;
  }
}
