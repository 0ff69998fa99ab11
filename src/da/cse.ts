import { LimitError } from '../errors.js';
import type { GraphBuilder } from './builder.js';
import { PairTable } from './pair-table.js';

/**
 * Common two-term subexpression elimination across all rows (outputs) of the matrix.
 *
 * A row is a set of terms ±(v << s). A pattern is a pair of terms up to a common shift and
 * sign: `u + (v << d)` or `u − (v << d)`. The pattern that occurs most often (by priority,
 * see below) is built once as a node and replaces its occurrences in every row; the pair
 * counts of the terms it removed are decremented, and the new term's pairs are counted.
 *
 * Depth. Each row has a budget: its terms, at adder levels l_t, can be summed by a tree of
 * depth B only if Σ 2^l_t ≤ 2^B (the Kraft sum; adding the two shallowest first attains it).
 * An occurrence is only substituted where the row stays within its budget, so the bound holds
 * by construction. Pairing terms of equal level never changes the sum; pairing a level-1
 * node with an input costs slack.
 *
 * Strategies. 'phased': in a phase only the variables that existed at its start take part,
 * so sharing is built level by level (nodes of a phase pair up in the next one). 'eager':
 * every new node takes part at once (classic greedy CSE).
 *
 * Long rows. Every pair of terms of a row is a candidate, so the statistics of a row of n terms
 * hold n(n−1)/2 pairs. A row of more than LONG_ROW terms is therefore searched in blocks of
 * at most BLOCK_TERMS terms (see splitRow): a pattern is only counted, and only substituted,
 * where both its terms lie in one block, which bounds the pairs by BLOCK_TERMS/2 per term.
 * Blocks are rows for the search (a pattern still shares across blocks and rows), but the
 * depth budget stays the row's: its Kraft sum is kept over all its blocks, and the row sums
 * the terms of all its blocks at the end, so the bound holds as before.
 */

/** Rows with more terms than this are searched in blocks (far longer than any row of the bench). */
export const LONG_ROW = 1024;
/** Terms per block of a long row. */
export const BLOCK_TERMS = 256;

/** Slots for the shift in a packed term key `v * SH + shift`. */
export const SH = 128;
export const SH_BITS = 7;

/**
 * The terms of one output: packed key (v * SH + shift) → sign (+1 / −1). Kept in plain arrays
 * (iterated in the hot loops) with an index for lookups; removal swaps in the last term.
 */
export class Row {
  readonly keys: number[] = [];
  readonly signs: number[] = [];
  private readonly index = new Map<number, number>();
  get size(): number {
    return this.keys.length;
  }
  get(key: number): number | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.signs[i];
  }
  set(key: number, sign: number): void {
    const i = this.index.get(key);
    if (i !== undefined) {
      this.signs[i] = sign;
      return;
    }
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.signs.push(sign);
  }
  delete(key: number): void {
    const i = this.index.get(key);
    if (i === undefined) return;
    this.index.delete(key);
    const last = this.keys.length - 1;
    if (i !== last) {
      const k = this.keys[last]!;
      this.keys[i] = k;
      this.signs[i] = this.signs[last]!;
      this.index.set(k, i);
    }
    this.keys.pop();
    this.signs.pop();
  }
}

export type CseStrategy = 'phased' | 'eager';
/**
 * How patterns are ranked: 'count' by occurrences; 'weighted' by occurrences times the bits
 * the two operands overlap (sharing wide, deep subexpressions first, as da4ml's "wmc" does).
 */
export type Selection = 'count' | 'weighted';
/** Among equal scores, prefer patterns that make shallower ('shallow') or deeper ('deep') nodes. */
export type TieBreak = 'shallow' | 'deep';
export type CostModel = 'adders' | 'bits';

export interface CseOptions {
  strategy: CseStrategy;
  selection: Selection;
  ties: TieBreak;
  /** When only patterns occurring twice are left, pick those that destroy the fewest others. */
  endgame: boolean;
  cost: CostModel;
  /** Depth budget of each row (Infinity: none). */
  rowBounds: number[];
  /** Bound on |value| of every variable that exists at the start (for bit-width estimates). */
  magnitudes: number[];
  /** 0: first-come order among equal priorities; other values shuffle ties reproducibly. */
  seed: number;
  log?: (line: string) => void;
}

export interface PhaseStats {
  /** Term pairs counted at the start of the phase. */
  pairs: number;
  /** Distinct patterns counted in the phase. */
  patterns: number;
  /** Patterns built as shared nodes. */
  shared: number;
  ms: number;
}

/** Bucket queue of pattern keys by priority; an entry remembers the count it was filed with. */
class Buckets {
  private keys: number[][] = [];
  private counts: number[][] = [];
  private heads: number[] = [];
  top = -1;
  private rngState: number;
  constructor(seed: number) {
    this.rngState = seed >>> 0;
  }
  push(prio: number, key: number, count: number): void {
    while (this.keys.length <= prio) {
      this.keys.push([]);
      this.counts.push([]);
      this.heads.push(0);
    }
    this.keys[prio]!.push(key);
    this.counts[prio]!.push(count);
    if (prio > this.top) this.top = prio;
  }
  /** Highest-priority entry, or null. */
  pop(): { prio: number; key: number; count: number } | null {
    while (this.top >= 0) {
      const ks = this.keys[this.top]!;
      const h = this.heads[this.top]!;
      if (h < ks.length) {
        const cs = this.counts[this.top]!;
        if (this.rngState !== 0 && ks.length - h > 1) {
          // pick a random entry among the equals (reproducible)
          this.rngState = (Math.imul(this.rngState, 1664525) + 1013904223) >>> 0;
          const j = h + Math.floor((this.rngState / 4294967296) * (ks.length - h));
          [ks[h], ks[j]] = [ks[j]!, ks[h]!];
          [cs[h], cs[j]] = [cs[j]!, cs[h]!];
        }
        this.heads[this.top] = h + 1;
        return { prio: this.top, key: ks[h]!, count: cs[h]! };
      }
      this.keys[this.top] = [];
      this.counts[this.top] = [];
      this.heads[this.top] = 0;
      this.top--;
    }
    return null;
  }
}

const LEVEL_SLOTS = 64;

export class CseEngine {
  /** The rows as searched: each row, or each block of a long row (see splitRow). */
  private readonly blocks: Row[] = [];
  /** The row each block belongs to. */
  private readonly owner: number[] = [];
  /** The blocks each variable occurs in (ascending; may hold blocks it has left). */
  private readonly varBlocks: number[][] = [];
  /** Per row: Σ 2^level over its terms (the Kraft sum), and its positive terms. */
  private readonly kraft: number[];
  private readonly positives: Int32Array;
  private readonly nv: number;
  private maxShift = 0;
  /** Upper bound on |value| of each variable (for bit-width estimates). */
  private readonly mag: number[] = [];
  private readonly ovBits: number[] = [];
  private limit = 0;
  private table = new PairTable();
  private buckets: Buckets;

  constructor(
    readonly rows: Row[],
    readonly b: GraphBuilder,
    readonly opts: CseOptions,
  ) {
    let terms = 0;
    for (const r of rows) terms += r.size;
    // every substitution removes at least one term, so variable ids stay below this
    this.nv = b.nVars + terms + 1;
    if (this.nv >= 2 ** 31 / SH) {
      // term keys v·SH + shift are handled with 32-bit integer operations
      throw new LimitError(`the matrix has ${terms} non-zero CSD digits; this version handles fewer than ${Math.floor(2 ** 31 / SH) - b.nVars}`);
    }
    this.kraft = new Array<number>(rows.length).fill(0);
    this.positives = new Int32Array(rows.length);
    this.budgetStamp = new Int32Array(rows.length);
    this.budgetKraft = new Float64Array(rows.length);
    this.budgetPositives = new Int32Array(rows.length);
    let long = 0;
    let longBlocks = 0;
    for (let v = 0; v < b.nVars; v++) {
      this.varBlocks.push([]);
      this.mag.push(opts.magnitudes[v] ?? Infinity);
    }
    rows.forEach((row, ri) => {
      for (let j = 0; j < row.keys.length; j++) {
        const k = row.keys[j]!;
        this.maxShift = Math.max(this.maxShift, k & (SH - 1));
        this.kraft[ri]! += 2 ** b.levels[k >> SH_BITS]!;
        if (row.signs[j]! > 0) this.positives[ri]!++;
      }
      // a row's blocks take consecutive numbers, so every varBlocks list stays ascending
      const parts = row.size > LONG_ROW ? splitRow(row) : [row];
      if (parts.length > 1) {
        long++;
        longBlocks += parts.length;
      }
      for (const block of parts) {
        const bi = this.blocks.length;
        this.blocks.push(block);
        this.owner.push(ri);
        for (const k of block.keys) this.noteUse(k >> SH_BITS, bi);
      }
    });
    if (long > 0) opts.log?.(`  ${long} row${long > 1 ? 's' : ''} of over ${LONG_ROW} terms searched in ${longBlocks} blocks of at most ${BLOCK_TERMS} terms`);
    this.buckets = new Buckets(opts.seed);
  }

  private noteUse(v: number, bi: number): void {
    while (this.varBlocks.length <= v) this.varBlocks.push([]);
    const list = this.varBlocks[v]!;
    if (list.length === 0 || list[list.length - 1] !== bi) list.push(bi);
  }

  /** Canonical pattern key of two terms: base is the lower shift (then the lower variable). */
  private pairKey(k1: number, g1: number, k2: number, g2: number): number {
    const v1 = k1 >> SH_BITS;
    const s1 = k1 & (SH - 1);
    const v2 = k2 >> SH_BITS;
    const s2 = k2 & (SH - 1);
    const neg = g1 === g2 ? 0 : 1;
    const nv = this.nv;
    if (s1 < s2 || (s1 === s2 && v1 < v2)) return ((v1 * nv + v2) * SH + (s2 - s1)) * 2 + neg;
    return ((v2 * nv + v1) * SH + (s1 - s2)) * 2 + neg;
  }

  private lastDecoded = { base: 0, other: 0, d: 0, neg: 0 };
  private decode(key: number): { base: number; other: number; d: number; neg: number } {
    const neg = key % 2;
    let k = (key - neg) / 2;
    const d = k % SH;
    k = (k - d) / SH;
    const other = k % this.nv;
    const base = (k - other) / this.nv;
    this.lastDecoded = { base, other, d, neg };
    return this.lastDecoded;
  }

  /** Estimated result bits of the pattern's node. */
  private patternBits(base: number, other: number, d: number): number {
    const m = Math.min(this.mag[base]! + this.mag[other]! * 2 ** d, 2 ** 60);
    return Math.ceil(Math.log2(m + 1)) + 1;
  }

  /** Bits of a variable's magnitude (the overlap weight of 'weighted' selection). */
  private overlapBits(v: number): number {
    let o = this.ovBits[v];
    if (o === undefined || o === 0) {
      o = 1 + Math.ceil(Math.log2(Math.min(this.mag[v]!, 2 ** 60) + 1));
      this.ovBits[v] = o;
    }
    return o;
  }

  private priorityOf(base: number, other: number, d: number, count: number): number {
    const lb = this.b.levels[base]!;
    const lo = this.b.levels[other]!;
    const level = (lb > lo ? lb : lo) + 1;
    const lv = this.opts.ties === 'deep' ? Math.min(level, LEVEL_SLOTS - 1) : LEVEL_SLOTS - 1 - Math.min(level, LEVEL_SLOTS - 1);
    let score = count;
    if (this.opts.selection === 'weighted') {
      const ob = this.overlapBits(base);
      const oo = this.overlapBits(other);
      score *= ob < oo ? ob : oo;
    }
    if (this.opts.cost === 'bits') score = (score - 1) * this.patternBits(base, other, d);
    return score * LEVEL_SLOTS + lv;
  }

  private file(key: number, count: number): void {
    if (count < 2) return;
    const { base, other, d } = this.decode(key);
    this.buckets.push(this.priorityOf(base, other, d, count), key, count);
  }

  private removeTerm(row: Row, key: number): void {
    const g = row.get(key)!;
    row.delete(key);
    const keys = row.keys;
    const signs = row.signs;
    const limit = this.limit;
    for (let j = 0; j < keys.length; j++) {
      const k2 = keys[j]!;
      if (k2 >> SH_BITS < limit) this.table.decrement(this.pairKey(key, g, k2, signs[j]!));
    }
  }

  private addTerm(row: Row, key: number, g: number): void {
    row.set(key, g);
    const v1 = key >> SH_BITS;
    if (v1 >= this.limit) return;
    const s1 = key & (SH - 1);
    const nv = this.nv;
    const keys = row.keys;
    const signs = row.signs;
    for (let j = 0; j < keys.length; j++) {
      const k2 = keys[j]!;
      const g2 = signs[j]!;
      const v2 = k2 >> SH_BITS;
      if (k2 === key || v2 >= this.limit) continue;
      const s2 = k2 & (SH - 1);
      const neg = g === g2 ? 0 : 1;
      let base: number;
      let other: number;
      let d: number;
      if (s1 < s2 || (s1 === s2 && v1 < v2)) {
        base = v1;
        other = v2;
        d = s2 - s1;
      } else {
        base = v2;
        other = v1;
        d = s1 - s2;
      }
      const pk = ((base * nv + other) * SH + d) * 2 + neg;
      const c = this.table.increment(pk);
      if (c >= 2) this.buckets.push(this.priorityOf(base, other, d, c), pk, c);
    }
  }

  private countOf(key: number): number {
    const slot = this.table.find(key);
    return slot < 0 ? 0 : this.table.counts[slot]!;
  }

  private readonly occRow: number[] = [];
  private readonly occShift: number[] = [];
  private readonly occSign: number[] = [];

  /**
   * The budget of each row while findOccurrences takes occurrences: the Kraft sum and positive
   * terms the row would have, valid where budgetStamp equals the current search's stamp.
   */
  private readonly budgetStamp: Int32Array;
  private readonly budgetKraft: Float64Array;
  private readonly budgetPositives: Int32Array;
  private stamp = 0;

  /**
   * Find the pattern's occurrences that keep their row within its depth budget, in block then
   * shift order, into occRow (the block)/occShift/occSign; returns how many.
   */
  private findOccurrences(key: number): number {
    const { base, other, d, neg } = this.decode(key);
    const r = neg ? -1 : 1;
    const lb = this.b.levels[base]!;
    const lo = this.b.levels[other]!;
    const ln = Math.max(lb, lo) + 1;
    const dk = 2 ** ln - 2 ** lb - 2 ** lo;
    const occRow = this.occRow;
    const occShift = this.occShift;
    const occSign = this.occSign;
    occRow.length = 0;
    occShift.length = 0;
    occSign.length = 0;
    const stamp = ++this.stamp;
    for (const bi of this.varBlocks[base]!) {
      const row = this.blocks[bi]!;
      const ri = this.owner[bi]!;
      const first = occRow.length;
      const bound = this.opts.rowBounds[ri]!;
      // the blocks of one row share its budget
      if (this.budgetStamp[ri] !== stamp) {
        this.budgetStamp[ri] = stamp;
        this.budgetKraft[ri] = this.kraft[ri]!;
        this.budgetPositives[ri] = this.positives[ri]!;
      }
      let k = this.budgetKraft[ri]!;
      let pos = this.budgetPositives[ri]!;
      for (let s = 0; s + d <= this.maxShift; s++) {
        const g = row.get(base * SH + s);
        if (g === undefined) continue;
        const g2 = row.get(other * SH + s + d);
        if (g2 !== g * r) continue;
        if (base === other && occurrenceUses(occRow, occShift, first, s, d)) continue;
        if (bound !== Infinity) {
          const k2 = k + dk;
          const pos2 = pos - (g2 > 0 ? 1 : 0);
          // an all-negative row needs one negation: budget for it conservatively
          if (k2 + (pos2 === 0 ? 2 ** ln : 0) > 2 ** bound) continue;
          k = k2;
          pos = pos2;
        }
        occRow.push(bi);
        occShift.push(s);
        occSign.push(g);
      }
      this.budgetKraft[ri] = k;
      this.budgetPositives[ri] = pos;
    }
    return occRow.length;
  }

  /** Pairs occurring at least twice that the occurrences found last would destroy. */
  private conflicts(): number {
    const { base, other, d } = this.lastDecoded;
    let c = 0;
    for (let o = 0; o < this.occRow.length; o++) {
      const row = this.blocks[this.occRow[o]!]!;
      const s = this.occShift[o]!;
      const ka = base * SH + s;
      const kb = other * SH + s + d;
      const ga = row.get(ka)!;
      const gb = row.get(kb)!;
      for (let j = 0; j < row.keys.length; j++) {
        const k2 = row.keys[j]!;
        if (k2 === ka || k2 === kb || k2 >> SH_BITS >= this.limit) continue;
        const g2 = row.signs[j]!;
        if (this.countOf(this.pairKey(ka, ga, k2, g2)) >= 2) c++;
        if (this.countOf(this.pairKey(kb, gb, k2, g2)) >= 2) c++;
      }
    }
    return c;
  }

  /** Build the pattern's node and substitute it for the occurrences found last. */
  private apply(key: number): void {
    const { base, other, d, neg } = this.decode(key);
    const lb = this.b.levels[base]!;
    const lo = this.b.levels[other]!;
    const dk = 2 ** (Math.max(lb, lo) + 1) - 2 ** lb - 2 ** lo;
    const n = this.b.node(neg ? 'sub' : 'add', base, 0, other, d);
    while (this.mag.length <= n) this.mag.push(Infinity);
    this.mag[n] = this.mag[base]! + this.mag[other]! * 2 ** d;
    const occRow = this.occRow.slice();
    const occShift = this.occShift.slice();
    const occSign = this.occSign.slice();
    for (let o = 0; o < occRow.length; o++) {
      const bi = occRow[o]!;
      const ri = this.owner[bi]!;
      const row = this.blocks[bi]!;
      const s = occShift[o]!;
      const g2 = row.get(other * SH + s + d)!;
      this.removeTerm(row, base * SH + s);
      this.removeTerm(row, other * SH + s + d);
      this.kraft[ri]! += dk;
      if (g2 > 0) this.positives[ri]!--;
      this.noteUse(n, bi);
      this.addTerm(row, n * SH + s, occSign[o]!);
    }
  }

  /** One phase (the whole run, for 'eager'). */
  runPhase(eager: boolean): PhaseStats {
    const t0 = performance.now();
    this.limit = eager ? Infinity : this.b.nVars;
    let pairs = 0;
    for (const row of this.blocks) pairs += (row.size * (row.size - 1)) / 2;
    this.table = new PairTable(Math.min(pairs, 1 << 22));
    for (const row of this.blocks) {
      const keys = row.keys;
      const signs = row.signs;
      const n = keys.length;
      for (let i = 0; i < n; i++) {
        const ki = keys[i]!;
        const gi = signs[i]!;
        for (let j = i + 1; j < n; j++) this.table.increment(this.pairKey(ki, gi, keys[j]!, signs[j]!));
      }
    }
    const t = this.table;
    for (let s = 0; s < t.keys.length; s++) {
      if (t.keys[s] !== -1) this.file(t.keys[s]!, t.counts[s]!);
    }

    let shared = 0;
    const ENDGAME_BATCH = 12;
    for (;;) {
      const e = this.buckets.pop();
      if (e === null) break;
      const cur = this.countOf(e.key);
      if (cur < e.count) {
        this.file(e.key, cur);
        continue;
      }
      let n = this.findOccurrences(e.key);
      if (n < 2) continue; // never feasible again: budgets only shrink
      if (n < e.count) {
        this.file(e.key, n);
        continue;
      }
      let key = e.key;
      if (this.opts.endgame && e.count === 2) {
        // Every pattern left saves one adder: prefer the one that destroys the fewest other
        // pairs that still occur twice (a greedy maximum independent set).
        const batch: number[] = [key];
        const held: { key: number; count: number }[] = [];
        while (batch.length < ENDGAME_BATCH) {
          const f = this.buckets.pop();
          if (f === null) break;
          const c = this.countOf(f.key);
          if (c !== 2 || f.count !== 2) {
            held.push({ key: f.key, count: c });
            if (c > 2 || f.count > 2) break;
            continue;
          }
          batch.push(f.key);
        }
        let bestConf = Infinity;
        for (const k of batch) {
          if (this.findOccurrences(k) < 2) continue;
          const conf = this.conflicts();
          if (conf < bestConf) {
            bestConf = conf;
            key = k;
          }
        }
        for (const k of batch) if (k !== key) held.push({ key: k, count: this.countOf(k) });
        for (const h of held) this.file(h.key, h.count);
        n = this.findOccurrences(key);
        if (n < 2) continue;
      }
      this.apply(key);
      shared++;
    }
    return { pairs, patterns: t.size, shared, ms: performance.now() - t0 };
  }

  /** Phases until one finds nothing to share; then every row holds the terms left in its blocks. */
  run(): PhaseStats[] {
    const phases: PhaseStats[] = [];
    const st = this.opts.strategy;
    for (;;) {
      const eager = st === 'eager';
      const ph = this.runPhase(eager);
      phases.push(ph);
      this.opts.log?.(
        `  sharing phase ${phases.length}${eager ? ' (eager)' : ''}: ${ph.pairs} term pairs, ${ph.patterns} patterns, ${ph.shared} shared adders (${ph.ms.toFixed(0)} ms)`,
      );
      if (eager || ph.shared === 0) break;
    }
    this.blocks.forEach((block, bi) => {
      const row = this.rows[this.owner[bi]!]!;
      if (block !== row) for (let j = 0; j < block.size; j++) row.set(block.keys[j]!, block.signs[j]!);
    });
    return phases;
  }
}

/**
 * Cut a long row into blocks of at most BLOCK_TERMS terms, as even as the variables allow (the
 * terms of one variable stay together), and empty the row (the engine gives the terms back).
 * Variables go in the order of their digit pattern (the shifts and signs of their terms
 * relative to their lowest one), then of their number: variables whose weights are equal up
 * to a power of two and a sign, which make the patterns that occur most often, share a block.
 */
export function splitRow(row: Row): Row[] {
  // each variable's terms as (key, sign) pairs
  const byVar = new Map<number, [number, number][]>();
  for (let j = 0; j < row.size; j++) {
    const k = row.keys[j]!;
    const v = k >> SH_BITS;
    let e = byVar.get(v);
    if (e === undefined) {
      e = [];
      byVar.set(v, e);
    }
    e.push([k, row.signs[j]!]);
  }
  const vars = [...byVar.entries()].map(([v, pairs]) => {
    pairs.sort((p, q) => p[0] - q[0]);
    const low = pairs[0]!;
    const key = pairs.map(([k, g]) => String.fromCharCode(48 + 2 * (k - low[0]) + (g === low[1] ? 0 : 1))).join('');
    return { v, key, pairs };
  });
  vars.sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : p.v - q.v));
  const limit = Math.ceil(row.size / Math.ceil(row.size / BLOCK_TERMS));
  const blocks: Row[] = [new Row()];
  for (let i = 0; i < vars.length; ) {
    // a run of variables with one pattern starts a new block rather than straddle two
    let run = 0;
    let j = i;
    for (; j < vars.length && vars[j]!.key === vars[i]!.key; j++) run += vars[j]!.pairs.length;
    let cur = blocks[blocks.length - 1]!;
    if (cur.size > 0 && cur.size + run > limit && run <= limit) {
      cur = new Row();
      blocks.push(cur);
    }
    for (; i < j; i++) {
      const { pairs } = vars[i]!;
      if (cur.size > 0 && cur.size + pairs.length > limit) {
        cur = new Row();
        blocks.push(cur);
      }
      for (const [k, g] of pairs) cur.set(k, g);
    }
  }
  for (const { pairs } of vars) for (const [k] of pairs) row.delete(k);
  return blocks;
}

/**
 * For a pattern `u ± (u << d)`: whether the term at shift s (or s + d) is already taken by an
 * occurrence found earlier in the same row (entries first… of the lists), since x<<1, x<<3,
 * x<<5 holds the pattern d = 2 twice but can use it only once.
 */
function occurrenceUses(occRow: number[], occShift: number[], first: number, s: number, d: number): boolean {
  for (let k = first; k < occRow.length; k++) {
    const t = occShift[k]!;
    if (t === s || t + d === s || t === s + d) return true;
  }
  return false;
}
