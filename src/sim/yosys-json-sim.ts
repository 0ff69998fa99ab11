import { ToolError } from '../errors.js';
import { isObject } from '../spec/json.js';
import type { Ports } from '../rtl/netlist.js';
import { unpackOutputs } from './ports.js';

/**
 * A cycle-accurate simulator of a Yosys JSON netlist (`write_json` after `proc; flatten`), built
 * on Yosys's internal cell library ($add, $sub, $dff, …). It shows that the emitted Verilog *text*
 * means what da-gen's own netlist meant, as read by a real front end (the WebAssembly Yosys).
 *
 * Timing is that of `simulateInIcarus` (flows/verify.ts): one input vector per clock cycle, y sampled in each cycle before
 * that cycle's rising edge, so y_t = W·x_{t−L}. Registers start unknown (like Verilog's `x`),
 * unless the netlist gives them an `init` value; a cycle whose y has any unknown bit gives null.
 *
 * The netlist is compiled once into JavaScript: every cell output is one BigInt word (the value)
 * plus one BigInt word (the mask of unknown bits), and the combinational cells are evaluated in
 * topological order by generated straight-line code.
 */

export interface YosysJsonSim {
  /** One vector per cycle from power-on; the outputs sampled in each cycle (null: some bit unknown). */
  run(vectors: readonly (readonly bigint[])[]): (bigint[] | null)[];
  /** A run fed block by block: the registers keep their values between calls, starting from power-on. */
  stream(): { run(vectors: readonly (readonly bigint[])[]): (bigint[] | null)[] };
}

/** A Yosys JSON netlist that this simulator cannot run (a tool's output it cannot read: exit 3). */
export class YosysJsonError extends ToolError {
  constructor(message: string) {
    super('yosys', `the Yosys JSON netlist cannot be simulated: ${message}`);
    this.name = 'YosysJsonError';
  }
}

/** The cell types that compileYosysJson understands (Yosys's internal, word-level cells). */
export const SUPPORTED_CELLS: readonly string[] = [
  '$add', '$sub', '$mul', '$neg', '$pos', '$buf', '$not',
  '$and', '$or', '$xor', '$xnor',
  '$reduce_and', '$reduce_or', '$reduce_bool', '$reduce_xor', '$reduce_xnor',
  '$logic_not', '$logic_and', '$logic_or',
  '$eq', '$ne', '$lt', '$le', '$gt', '$ge',
  '$shl', '$sshl', '$shr', '$sshr', '$shift', '$shiftx',
  '$mux', '$dff',
];

export type Bit = number | '0' | '1' | 'x' | 'z';

export type Source = { kind: 'const'; value: 0 | 1 | 'x' } | { kind: 'word'; word: number; pos: number };

export interface RawCell {
  name: string;
  type: string;
  parameters: Record<string, unknown>;
  connections: Record<string, Bit[]>;
}


const hex = (v: bigint): string => `0x${v.toString(16)}n`;
const ones = (n: number): bigint => (1n << BigInt(n)) - 1n;

function parseBits(v: unknown, where: string): Bit[] {
  if (!Array.isArray(v)) throw new YosysJsonError(`${where}: expected an array of bits`);
  return v.map((b, i) => {
    if (typeof b === 'number' && Number.isInteger(b) && b >= 0) return b;
    if (b === '0' || b === '1' || b === 'x' || b === 'z') return b;
    throw new YosysJsonError(`${where}[${i}]: expected a bit id or "0", "1", "x", "z", got ${JSON.stringify(b)}`);
  });
}

/** A numeric cell parameter: a JSON number or a binary string (Yosys writes both). */
export function paramInt(cell: RawCell, name: string): number {
  const v = cell.parameters[name];
  const where = `cell ${cell.name} (${cell.type}): parameter ${name}`;
  if (v === undefined) throw new YosysJsonError(`${where} is missing`);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[01]+$/.test(v)) {
    const n = Number(BigInt(`0b${v}`));
    if (!Number.isSafeInteger(n)) throw new YosysJsonError(`${where} is out of range: ${v}`);
    return n;
  }
  throw new YosysJsonError(`${where}: expected a number or a binary string, got ${JSON.stringify(v)}`);
}

export const paramBool = (cell: RawCell, name: string): boolean => paramInt(cell, name) !== 0;

// Helpers the generated code calls. `a` is already extended (signed or not) as the cell says.
const asU = BigInt.asUintN;
const asI = BigInt.asIntN;
function shl(a: bigint, b: bigint, yw: number): bigint {
  return b >= BigInt(yw) ? 0n : asU(yw, a << b);
}
/** Logical right shift at width w (A already extended to w), truncated to yw. */
function shr(a: bigint, b: bigint, w: number, yw: number): bigint {
  return b >= BigInt(w) ? 0n : asU(yw, asU(w, a) >> b);
}
/** Arithmetic right shift of a signed value. */
function sshr(a: bigint, b: bigint, w: number, yw: number): bigint {
  return asU(yw, a >> (b > BigInt(w) ? BigInt(w) : b));
}
function parity(a: bigint): bigint {
  let p = 0n;
  while (a !== 0n) {
    p ^= a & 1n;
    a >>= 1n;
  }
  return p;
}
/** Three-valued truth of a word: 0 false, 1 true, 2 unknown. */
function truth(a: bigint, ma: bigint): number {
  if (a !== 0n) return 1;
  return ma !== 0n ? 2 : 0;
}
/** $shiftx: Y = A[B +: Y_WIDTH], bits outside A are x. Writes V[y], M[y]. */
function shiftx(V: bigint[], M: bigint[], y: number, a: bigint, ma: bigint, b: bigint, aw: number, yw: number): void {
  const full = ones(yw);
  let inRange: bigint;
  if (b >= BigInt(aw) || b <= -BigInt(yw)) {
    V[y] = 0n;
    M[y] = full;
    return;
  }
  let v: bigint, m: bigint;
  if (b >= 0n) {
    v = a >> b;
    m = ma >> b;
    inRange = ones(aw - Number(b));
  } else {
    v = a << -b;
    m = ma << -b;
    inRange = ones(aw - Number(b)) & ~ones(Number(-b));
  }
  m = (m | ~inRange) & full;
  V[y] = v & full & ~m;
  M[y] = m;
}

interface Word {
  width: number;
  name: string;
}

export interface CombCell {
  cell: RawCell;
  out: number;
  /** Words of other combinational cells this one reads. */
  deps: Set<number>;
}

export interface DffCell {
  cell: RawCell;
  out: number;
  d: Bit[];
  negedge: boolean;
}

export class YosysJsonBuilder {
  readonly words: Word[] = [];
  readonly src = new Map<number, Source>();
  /** Word index → combinational cell that drives it (−1 for x, registers). */
  readonly combOf: number[] = [];
  readonly driverName = new Map<number, string>();

  addWord(name: string, bits: Bit[], where: string, comb: number): number {
    const w = this.words.length;
    this.words.push({ width: bits.length, name });
    this.combOf.push(comb);
    bits.forEach((b, pos) => {
      if (typeof b !== 'number') throw new YosysJsonError(`${where}: output bit ${pos} is the constant "${b}"`);
      const prev = this.driverName.get(b);
      if (prev !== undefined) throw new YosysJsonError(`${where}: bit ${b} is also driven by ${prev}`);
      this.driverName.set(b, where);
      this.src.set(b, { kind: 'word', word: w, pos });
    });
    return w;
  }

  source(b: Bit): Source {
    if (b === '0') return { kind: 'const', value: 0 };
    if (b === '1') return { kind: 'const', value: 1 };
    if (b === 'x' || b === 'z') return { kind: 'const', value: 'x' };
    // An undriven net reads as unknown, as it would in a Verilog simulator.
    return this.src.get(b) ?? { kind: 'const', value: 'x' };
  }

  /** Runs of consecutive bits of one word, replications of one bit, and constants. */
  private segments(bits: readonly Bit[]) {
    type Seg = { rep: boolean; word: number; pos: number; len: number; dst: number };
    const segs: Seg[] = [];
    let cv = 0n;
    let cx = 0n;
    for (let i = 0; i < bits.length; ) {
      const s = this.source(bits[i]!);
      if (s.kind === 'const') {
        if (s.value === 1) cv |= 1n << BigInt(i);
        if (s.value === 'x') cx |= 1n << BigInt(i);
        i++;
        continue;
      }
      let j = i + 1;
      let rep = false;
      const same = (k: number, off: number): boolean => {
        const t = this.source(bits[k]!);
        return t.kind === 'word' && t.word === s.word && t.pos === s.pos + off;
      };
      if (j < bits.length && same(j, 0)) {
        rep = true;
        while (j < bits.length && same(j, 0)) j++;
      } else {
        while (j < bits.length && same(j, j - i)) j++;
      }
      segs.push({ rep, word: s.word, pos: s.pos, len: j - i, dst: i });
      i = j;
    }
    return { segs, cv, cx };
  }

  /** Expression of the word formed by `bits` from V (values) or M (unknown masks). */
  gather(bits: readonly Bit[], arr: 'V' | 'M'): string {
    const { segs, cv, cx } = this.segments(bits);
    const terms: string[] = [];
    for (const g of segs) {
      let e = `${arr}[${g.word}]`;
      if (g.rep) {
        e = g.pos === 0 ? `(${e} & 1n)` : `((${e} >> ${g.pos}n) & 1n)`;
        terms.push(`(${e} !== 0n ? ${hex(ones(g.len) << BigInt(g.dst))} : 0n)`);
        continue;
      }
      if (g.pos > 0) e = `(${e} >> ${g.pos}n)`;
      if (g.pos + g.len < this.words[g.word]!.width) e = `(${e} & ${hex(ones(g.len))})`;
      if (g.dst > 0) e = `(${e} << ${g.dst}n)`;
      terms.push(e);
    }
    const c = arr === 'V' ? cv : cx;
    if (c !== 0n) terms.push(hex(c));
    return terms.length === 0 ? '0n' : terms.join(' | ');
  }

  /** Boolean expression: some bit of `bits` is unknown. */
  anyUnknown(bits: readonly Bit[]): string {
    const { segs, cx } = this.segments(bits);
    if (cx !== 0n) return 'true';
    const sel = new Map<number, bigint>();
    for (const g of segs) {
      const m = g.rep ? 1n << BigInt(g.pos) : ones(g.len) << BigInt(g.pos);
      sel.set(g.word, (sel.get(g.word) ?? 0n) | m);
    }
    const terms: string[] = [];
    for (const [w, m] of sel) {
      terms.push(m === ones(this.words[w]!.width) ? `M[${w}] !== 0n` : `(M[${w}] & ${hex(m)}) !== 0n`);
    }
    return terms.length === 0 ? 'false' : terms.join(' || ');
  }

  /** Words of combinational cells that `bits` reads. */
  combDeps(bits: readonly Bit[], into: Set<number>): void {
    for (const b of bits) {
      const s = this.source(b);
      if (s.kind === 'word' && this.combOf[s.word]! >= 0) into.add(s.word);
    }
  }
}

/** The ports each cell type has, and the widths they must have. */
function cellShape(cell: RawCell): { inputs: [string, number][]; output: [string, number] } {
  const t = cell.type;
  const w = (p: string): number => paramInt(cell, p);
  switch (t) {
    case '$dff':
      return { inputs: [['CLK', 1], ['D', w('WIDTH')]], output: ['Q', w('WIDTH')] };
    case '$mux':
      return { inputs: [['A', w('WIDTH')], ['B', w('WIDTH')], ['S', 1]], output: ['Y', w('WIDTH')] };
    case '$buf':
      return { inputs: [['A', w('WIDTH')]], output: ['Y', w('WIDTH')] };
    case '$neg': case '$pos': case '$not': case '$reduce_and': case '$reduce_or': case '$reduce_bool':
    case '$reduce_xor': case '$reduce_xnor': case '$logic_not':
      return { inputs: [['A', w('A_WIDTH')]], output: ['Y', w('Y_WIDTH')] };
    default:
      return { inputs: [['A', w('A_WIDTH')], ['B', w('B_WIDTH')]], output: ['Y', w('Y_WIDTH')] };
  }
}

/** Code that computes the output word `y` of a combinational cell into V[y], M[y]. */
function cellCode(b: YosysJsonBuilder, cell: RawCell, y: number): string {
  const t = cell.type;
  const A = cell.connections['A']!;
  const B = cell.connections['B'] ?? [];
  const yw = b.words[y]!.width;
  const full = hex(ones(yw));
  const one = yw > 0 ? '1n' : '0n';
  const set = (v: string, m: string): string => `V[${y}] = ${v}; M[${y}] = ${m};`;
  const unknownAll = set('0n', full);
  const unknownBit = set('0n', one);
  const va = (): string => `const a = ${b.gather(A, 'V')};`;
  const vb = (): string => `const b = ${b.gather(B, 'V')};`;
  const ma = (): string => `const ma = ${b.gather(A, 'M')};`;
  const mb = (): string => `const mb = ${b.gather(B, 'M')};`;
  const aw = A.length;
  const bw = B.length;
  const aSigned = (): boolean => paramBool(cell, 'A_SIGNED');
  const bothSigned = (): boolean => {
    const sa = paramBool(cell, 'A_SIGNED');
    const sb = paramBool(cell, 'B_SIGNED');
    return sa && sb;
  };
  const ext = (v: string, width: number, signed: boolean): string => (signed ? `asI(${width}, ${v})` : v);
  /** All of A and B must be known, or the whole result is unknown. */
  const strict = (ins: Bit[][], body: string, unknown = unknownAll): string => {
    const cond = ins.map((bits) => b.anyUnknown(bits)).filter((c) => c !== 'false');
    if (cond.includes('true')) return unknown;
    if (cond.length === 0) return body;
    return `if (${cond.join(' || ')}) { ${unknown} } else { ${body} }`;
  };
  const w = Math.max(aw, yw);
  switch (t) {
    case '$add': case '$sub': case '$mul': {
      const s = bothSigned();
      const op = t === '$add' ? '+' : t === '$sub' ? '-' : '*';
      return strict([A, B], `${va()} ${vb()} ${set(`asU(${yw}, ${ext('a', aw, s)} ${op} ${ext('b', bw, s)})`, '0n')}`);
    }
    case '$neg':
      return strict([A], `${va()} ${set(`asU(${yw}, -${ext('a', aw, aSigned())})`, '0n')}`);
    case '$pos': case '$buf': case '$not': {
      const s = t === '$buf' ? false : aSigned();
      const m = `asU(${yw}, ${ext('ma', aw, s)})`;
      if (t === '$not') return `${va()} ${ma()} const m = ${m}; ${set(`asU(${yw}, ~${ext('a', aw, s)}) & ~m`, 'm')}`;
      return `${va()} ${ma()} ${set(`asU(${yw}, ${ext('a', aw, s)})`, m)}`;
    }
    case '$and': case '$or': case '$xor': case '$xnor': {
      const s = bothSigned();
      const pre = `${va()} ${vb()} ${ma()} ${mb()} const A = ${ext('a', aw, s)}, B = ${ext('b', bw, s)}, MA = ${ext('ma', aw, s)}, MB = ${ext('mb', bw, s)};`;
      if (t === '$and') {
        // A known 0 on either side makes the bit a known 0.
        return `${pre} const m = asU(${yw}, (MA | MB) & ~((~A & ~MA) | (~B & ~MB))); ${set(`asU(${yw}, A & B) & ~m`, 'm')}`;
      }
      if (t === '$or') return `${pre} const m = asU(${yw}, (MA | MB) & ~(A | B)); ${set(`asU(${yw}, A | B) & ~m`, 'm')}`;
      const v = t === '$xor' ? 'A ^ B' : '~(A ^ B)';
      return `${pre} const m = asU(${yw}, MA | MB); ${set(`asU(${yw}, ${v}) & ~m`, 'm')}`;
    }
    case '$reduce_and':
      return `${va()} ${ma()} if ((~a & ~ma & ${hex(ones(aw))}) !== 0n) { ${set('0n', '0n')} } else if (ma !== 0n) { ${unknownBit} } else { ${set(one, '0n')} }`;
    case '$reduce_or': case '$reduce_bool': case '$logic_not': {
      const [t1, t0] = t === '$logic_not' ? ['0n', one] : [one, '0n'];
      return `${va()} ${ma()} if (a !== 0n) { ${set(t1, '0n')} } else if (ma !== 0n) { ${unknownBit} } else { ${set(t0, '0n')} }`;
    }
    case '$reduce_xor': case '$reduce_xnor': {
      const p = t === '$reduce_xor' ? 'parity(a)' : '(parity(a) ^ 1n)';
      return strict([A], `${va()} ${set(yw > 0 ? p : '0n', '0n')}`, unknownBit);
    }
    case '$logic_and': case '$logic_or': {
      const [dom, other] = t === '$logic_and' ? ['0n', one] : [one, '0n'];
      const domT = t === '$logic_and' ? 0 : 1;
      return `${va()} ${vb()} ${ma()} ${mb()} const ta = truth(a, ma), tb = truth(b, mb); if (ta === ${domT} || tb === ${domT}) { ${set(dom, '0n')} } else if (ta === 2 || tb === 2) { ${unknownBit} } else { ${set(other, '0n')} }`;
    }
    case '$eq': case '$ne': case '$lt': case '$le': case '$gt': case '$ge': {
      const s = bothSigned();
      const op = { $eq: '===', $ne: '!==', $lt: '<', $le: '<=', $gt: '>', $ge: '>=' }[t];
      return strict([A, B], `${va()} ${vb()} ${set(`(${ext('a', aw, s)} ${op} ${ext('b', bw, s)} ? ${one} : 0n)`, '0n')}`, unknownBit);
    }
    case '$shl': case '$sshl':
      return strict([A, B], `${va()} ${vb()} ${set(`shl(${ext('a', aw, aSigned())}, b, ${yw})`, '0n')}`);
    case '$shr':
      return strict([A, B], `${va()} ${vb()} ${set(`shr(${ext('a', aw, aSigned())}, b, ${w}, ${yw})`, '0n')}`);
    case '$sshr': {
      const s = aSigned();
      const v = s ? `sshr(asI(${aw}, a), b, ${w}, ${yw})` : `shr(a, b, ${w}, ${yw})`;
      return strict([A, B], `${va()} ${vb()} ${set(v, '0n')}`);
    }
    case '$shift': {
      const a = ext('a', aw, aSigned());
      const bS = ext('b', bw, paramBool(cell, 'B_SIGNED'));
      return strict([A, B], `${va()} ${vb()} const s = ${bS}; ${set(`s < 0n ? shl(${a}, -s, ${yw}) : shr(${a}, s, ${w}, ${yw})`, '0n')}`);
    }
    case '$shiftx': {
      const bS = ext('b', bw, paramBool(cell, 'B_SIGNED'));
      return strict([B], `${va()} ${ma()} ${vb()} shiftx(V, M, ${y}, a, ma, ${bS}, ${aw}, ${yw});`);
    }
    case '$mux': {
      const S = cell.connections['S']!;
      return `${va()} ${vb()} ${ma()} ${mb()} const s = ${b.gather(S, 'V')}, ms = ${b.gather(S, 'M')}; if (ms !== 0n) { const m = ma | mb | (a ^ b); ${set('a & ~m', 'm')} } else if (s !== 0n) { ${set('b', 'mb')} } else { ${set('a', 'ma')} }`;
    }
    default:
      throw new YosysJsonError(`cell ${cell.name}: unsupported cell type ${t}`);
  }
}

/** The module `top` of a Yosys JSON document, checked and ordered: what the simulator and the prover (sim/linear-proof.ts) read. */
export interface YosysModule {
  mod: Record<string, unknown>;
  b: YosysJsonBuilder;
  /** The word of port x (all nIn fields). */
  xWord: number;
  /** The sampled bits: y, then score when there is one. */
  yBits: Bit[];
  /** The combinational cells in topological order. */
  combs: CombCell[];
  dffs: DffCell[];
}

/**
 * Read the module `top` of a parsed Yosys JSON document (`ports` says how x and y are split
 * into fields): its ports checked, each cell checked against its shape, each output a word, the
 * combinational cells in topological order.
 */
export function readYosysModule(json: unknown, top: string, ports: Ports): YosysModule {
  if (!isObject(json) || !isObject(json['modules'])) throw new YosysJsonError('not a Yosys JSON netlist: no "modules" object');
  const modules = json['modules'];
  const mod = modules[top];
  if (!isObject(mod)) {
    throw new YosysJsonError(`no module "${top}" in the netlist (modules: ${Object.keys(modules).join(', ') || 'none'})`);
  }
  if (!isObject(mod['ports'])) throw new YosysJsonError(`module ${top}: no "ports" object`);
  const cellsJson = mod['cells'] ?? {};
  if (!isObject(cellsJson)) throw new YosysJsonError(`module ${top}: "cells" is not an object`);

  // Ports: clk, x, y and nothing else.
  const nx = ports.nIn * ports.inputWidth;
  const ny = ports.nOut * ports.outputWidth;
  const portBits = new Map<string, Bit[]>();
  for (const [name, p] of Object.entries(mod['ports'])) {
    if (!isObject(p)) throw new YosysJsonError(`module ${top}: port ${name} is not an object`);
    const dir = p['direction'];
    const bits = parseBits(p['bits'], `module ${top}: port ${name}: bits`);
    const want =
      name === 'clk' ? ['input', 1] : name === 'x' ? ['input', nx] : name === 'y' ? ['output', ny] : name === 'score' && ports.scoreWidth !== null ? ['output', ports.scoreWidth] : null;
    if (want === null) throw new YosysJsonError(`module ${top}: unexpected port ${name} (only clk, x, y${ports.scoreWidth !== null ? ' and score' : ''} are driven)`);
    if (dir !== want[0]) throw new YosysJsonError(`module ${top}: port ${name} is ${String(dir)}, expected ${want[0]}`);
    if (bits.length !== want[1]) throw new YosysJsonError(`module ${top}: port ${name} has ${bits.length} bits, expected ${want[1]}`);
    portBits.set(name, bits);
  }
  const xBits = portBits.get('x');
  const yPort = portBits.get('y');
  if (!xBits) throw new YosysJsonError(`module ${top}: port x is missing`);
  if (!yPort) throw new YosysJsonError(`module ${top}: port y is missing`);
  const scorePort = portBits.get('score');
  if (ports.scoreWidth !== null && !scorePort) throw new YosysJsonError(`module ${top}: port score is missing`);
  // the sampled word is {score, y}, y lowest
  const yBits = scorePort ? [...yPort, ...scorePort] : yPort;
  const clkBits = portBits.get('clk');

  const b = new YosysJsonBuilder();
  const xWord = b.addWord('x', xBits, `port x`, -1);
  if (clkBits) {
    const c = clkBits[0]!;
    if (typeof c !== 'number') throw new YosysJsonError(`module ${top}: port clk is the constant "${c}"`);
    if (b.driverName.has(c)) throw new YosysJsonError(`module ${top}: port clk is also bit ${c} of ${b.driverName.get(c)}`);
    // Read as data, clk is 0: y is sampled before the rising edge.
    b.driverName.set(c, 'port clk');
    b.src.set(c, { kind: 'const', value: 0 });
  }

  // Cells: check each against its shape, then give each output a word.
  const combs: CombCell[] = [];
  const dffs: DffCell[] = [];
  for (const [name, c] of Object.entries(cellsJson)) {
    if (!isObject(c)) throw new YosysJsonError(`cell ${name} is not an object`);
    const type = c['type'];
    if (typeof type !== 'string') throw new YosysJsonError(`cell ${name} has no type`);
    if (!SUPPORTED_CELLS.includes(type)) throw new YosysJsonError(`cell ${name}: unsupported cell type ${type}`);
    const params = c['parameters'] ?? {};
    const conns = c['connections'];
    if (!isObject(params)) throw new YosysJsonError(`cell ${name} (${type}): "parameters" is not an object`);
    if (!isObject(conns)) throw new YosysJsonError(`cell ${name} (${type}): no "connections" object`);
    const connections: Record<string, Bit[]> = {};
    for (const [p, bits] of Object.entries(conns)) connections[p] = parseBits(bits, `cell ${name} (${type}): port ${p}`);
    const cell: RawCell = { name, type, parameters: params, connections };
    const shape = cellShape(cell);
    for (const [p, width] of [...shape.inputs, shape.output]) {
      const got = connections[p];
      if (!got) throw new YosysJsonError(`cell ${name} (${type}): port ${p} is not connected`);
      if (got.length !== width) throw new YosysJsonError(`cell ${name} (${type}): port ${p} has ${got.length} bits, expected ${width}`);
    }
    const outBits = connections[shape.output[0]]!;
    if (type === '$dff') {
      const clk = connections['CLK']![0]!;
      if (!clkBits || clk !== clkBits[0]) throw new YosysJsonError(`cell ${name} ($dff): its clock is not the port clk`);
      const out = b.addWord(name, outBits, `cell ${name}`, -1);
      dffs.push({ cell, out, d: connections['D']!, negedge: !paramBool(cell, 'CLK_POLARITY') });
    } else {
      const out = b.addWord(name, outBits, `cell ${name}`, combs.length);
      combs.push({ cell, out, deps: new Set() });
    }
  }

  // Topological order of the combinational cells (Kahn); what is left over lies on a loop.
  const users: number[][] = combs.map(() => []);
  const indeg = new Int32Array(combs.length);
  combs.forEach((cc, i) => {
    for (const [p, bits] of Object.entries(cc.cell.connections)) if (p !== 'Y') b.combDeps(bits, cc.deps);
    if (cc.deps.has(cc.out)) throw new YosysJsonError(`combinational loop: cell ${cc.cell.name} reads its own output`);
    for (const w of cc.deps) {
      users[b.combOf[w]!]!.push(i);
      indeg[i] = indeg[i]! + 1;
    }
  });
  const order: number[] = [];
  const ready: number[] = [];
  indeg.forEach((d, i) => {
    if (d === 0) ready.push(i);
  });
  while (ready.length > 0) {
    const i = ready.pop()!;
    order.push(i);
    for (const u of users[i]!) {
      indeg[u] = indeg[u]! - 1;
      if (indeg[u] === 0) ready.push(u);
    }
  }
  if (order.length !== combs.length) {
    const stuck = combs.filter((_, i) => indeg[i]! > 0).map((c) => c.cell.name);
    throw new YosysJsonError(`combinational loop through ${stuck.length} cells, e.g. ${stuck.slice(0, 5).join(', ')}`);
  }
  return { mod, b, xWord, yBits, combs: order.map((i) => combs[i]!), dffs };
}

/** Compile the module `top` of a parsed Yosys JSON document; `ports` says how x and y are split into fields. */
export function compileYosysJson(json: unknown, top: string, ports: Ports): YosysJsonSim {
  const { mod, b, xWord, yBits, combs, dffs } = readYosysModule(json, top, ports);

  // Initial register contents: unknown, unless a net carries an `init` attribute.
  const initV = new Map<number, bigint>();
  const initM = new Map<number, bigint>();
  for (const d of dffs) {
    initV.set(d.out, 0n);
    initM.set(d.out, ones(b.words[d.out]!.width));
  }
  const netnames = mod['netnames'];
  if (isObject(netnames)) {
    for (const net of Object.values(netnames)) {
      if (!isObject(net) || !isObject(net['attributes'])) continue;
      const init = net['attributes']['init'];
      if (typeof init !== 'string' || !Array.isArray(net['bits'])) continue;
      const bits = net['bits'] as unknown[];
      // Binary string, most significant bit first.
      for (let k = 0; k < bits.length && k < init.length; k++) {
        const ch = init[init.length - 1 - k];
        const bit = bits[k];
        if (typeof bit !== 'number' || (ch !== '0' && ch !== '1')) continue;
        const s = b.src.get(bit);
        if (!s || s.kind !== 'word' || !initM.has(s.word)) continue;
        const m = 1n << BigInt(s.pos);
        initM.set(s.word, initM.get(s.word)! & ~m);
        if (ch === '1') initV.set(s.word, initV.get(s.word)! | m);
      }
    }
  }

  // Generate the code: chunks of straight-line code, so that V8 can optimise each function.
  const CHUNK = 150;
  const fns: string[] = [];
  const combCalls: string[] = [];
  for (let k = 0; k < combs.length; k += CHUNK) {
    const name = `c${fns.length}`;
    const body = combs.slice(k, k + CHUNK).map((cc) => `{ ${cellCode(b, cc.cell, cc.out)} }`);
    fns.push(`function ${name}() {\n${body.join('\n')}\n}`);
    combCalls.push(`${name}();`);
  }
  const edge = (neg: boolean): string[] => {
    const idx = dffs.map((d, i) => ({ d, i })).filter(({ d }) => d.negedge === neg);
    const calls: string[] = [];
    for (let k = 0; k < idx.length; k += CHUNK) {
      const name = `${neg ? 'n' : 'p'}${fns.length}`;
      const part = idx.slice(k, k + CHUNK);
      const body = part.map(({ d, i }) => `DV[${i}] = ${b.gather(d.d, 'V')}; DM[${i}] = ${b.gather(d.d, 'M')};`);
      fns.push(`function ${name}() {\n${body.join('\n')}\n}`);
      calls.push(`${name}();`);
    }
    if (idx.length > 0) calls.push(idx.map(({ d, i }) => `V[${d.out}] = DV[${i}]; M[${d.out}] = DM[${i}];`).join('\n'));
    return calls;
  };
  const pos = edge(false);
  const neg = edge(true);
  const init = [...initV.keys()].map((w) => `V[${w}] = ${hex(initV.get(w)!)}; M[${w}] = ${hex(initM.get(w)!)};`);
  // start() powers the design on and returns a step function that keeps V, M between calls
  const src = `"use strict";
return function start() {
const V = new Array(${b.words.length}).fill(0n), M = new Array(${b.words.length}).fill(0n);
const DV = new Array(${dffs.length}).fill(0n), DM = new Array(${dffs.length}).fill(0n);
${fns.join('\n')}
${init.join('\n')}
return function run(xs) {
const out = new Array(xs.length);
for (let t = 0; t < xs.length; t++) {
V[${xWord}] = xs[t];
${combCalls.join('\n')}
out[t] = (${b.anyUnknown(yBits)}) ? null : (${b.gather(yBits, 'V')});
${pos.join('\n')}
${neg.length > 0 ? [...combCalls, ...neg].join('\n') : ''}
}
return out;
};
};`;
  let start: () => (xs: bigint[]) => (bigint | null)[];
  try {
    start = new Function('asU', 'asI', 'shl', 'shr', 'sshr', 'parity', 'truth', 'shiftx', src)(
      asU, asI, shl, shr, sshr, parity, truth, shiftx,
    ) as typeof start;
  } catch (e) {
    throw new YosysJsonError(`internal error: generated simulator does not compile: ${(e as Error).message}`);
  }

  const W = BigInt(ports.inputWidth);
  const step = (runWords: (xs: bigint[]) => (bigint | null)[], vectors: readonly (readonly bigint[])[]): (bigint[] | null)[] => {
    const xs = vectors.map((v, t) => {
      if (v.length !== ports.nIn) throw new YosysJsonError(`vector ${t} has ${v.length} values, expected ${ports.nIn}`);
      let word = 0n;
      for (let i = v.length - 1; i >= 0; i--) word = (word << W) | asU(ports.inputWidth, v[i]!);
      return word;
    });
    return runWords(xs).map((y) => (y === null ? null : unpackOutputs(y, ports)));
  };
  return {
    run: (vectors) => step(start(), vectors),
    stream() {
      const runWords = start();
      return { run: (vectors) => step(runWords, vectors) };
    },
  };
}
