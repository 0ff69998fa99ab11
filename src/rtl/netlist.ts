import type { FitFormat, KernelDef, NetGraphOutput, NetNode, NetworkGraph } from '../da/graph.js';
import { inputRange, operandFields, operandsOf } from '../da/graph.js';
import { bitsFor } from '../da/ranges.js';

/**
 * The register-transfer netlist: every signal of the module with its exact width and
 * signedness, and the register ranks of the pipeline. The Verilog printer prints it and the
 * simulator executes it, so what is simulated is what is emitted.
 *
 * Arithmetic semantics (shared by printer and simulator): an adder signal of width w is its
 * operands, each shifted and sign- (signed) or zero- (unsigned) extended, combined modulo 2^w,
 * then read as two's complement if the signal is signed. Widths come from exact value ranges,
 * so the modulo never changes a value. The steps between layers mean what their nodes mean: a
 * comparator is one unsigned bit, a multiplexer is its chosen operand (shifted and extended as
 * an adder's) or constant, a table is entries[a − base], 0 for a value of a outside the
 * entries (which only a register's contents before its first load can be), and a cat is its
 * operands' low bits side by side (wiring: no logic).
 *
 * Signals are a discriminated union on `kind`, one member per cell kind, with the same
 * meaning as the graph's nodes (see da/graph.ts); operands are indices into `signals`.
 *
 * Blocks: a kernel that the graph instantiates many times (a convolution's, once per output
 * position) is one `Block`, a netlist of its own (its inputs, adders and registers), and each
 * instance is one `inst` signal per output used. Its inputs are ports, one per kernel input and
 * stage that reads it, so the values an instance reads in later stages come from the main
 * netlist's registers, shared as any other reader's.
 */

/** What every signal has. */
interface SignalBase {
  name: string;
  width: number;
  signed: boolean;
  /** Combinational stage (1…L; 0 when L = 0) for inputs and adders; register rank (1…L) for registers. */
  stage: number;
  /** Adder level (0 for inputs; registers copy their source's). */
  level: number;
  lo: bigint;
  hi: bigint;
}

/** x[input], a slice of the x port. */
export interface InputSignal extends SignalBase {
  kind: 'input';
  input: number;
}

export interface AddSignal extends SignalBase {
  kind: 'add';
  a: number;
  shiftA: number;
  b: number;
  shiftB: number;
}

export interface SubSignal extends SignalBase {
  kind: 'sub';
  a: number;
  shiftA: number;
  b: number;
  shiftB: number;
}

export interface NegSignal extends SignalBase {
  kind: 'neg';
  a: number;
  shiftA: number;
}

export interface AddcSignal extends SignalBase {
  kind: 'addc';
  a: number;
  shiftA: number;
  c: bigint;
}

export interface ShrSignal extends SignalBase {
  kind: 'shr';
  a: number;
  shift: number;
}

/** a / 2^shift rounded to the nearest integer, ties to even (the floor shift plus one increment). */
export interface RneSignal extends SignalBase {
  kind: 'rne';
  a: number;
  shift: number;
}

export interface ReluSignal extends SignalBase {
  kind: 'relu';
  a: number;
}

export interface FitSignal extends SignalBase {
  kind: 'fit';
  a: number;
  shiftA: number;
  fit: FitFormat;
}

export interface SquareSignal extends SignalBase {
  kind: 'square';
  a: number;
}

/** 1 when (a << shiftA) − (b << shiftB) ≥ c, else 0 (b = −1: no b term); one bit, unsigned. */
export interface CmpSignal extends SignalBase {
  kind: 'cmp';
  a: number;
  shiftA: number;
  /** −1: no b term. */
  b: number;
  shiftB: number;
  c: bigint;
}

/** sel ≠ 0 ? (a << shiftA) : (b << shiftB), where a = −1 is the constant ca and b = −1 the constant cb. */
export interface MuxSignal extends SignalBase {
  kind: 'mux';
  /** A 0/1 signal (a comparator, or a one-bit input). */
  sel: number;
  /** Chosen when sel is 1; −1: the constant ca. */
  a: number;
  shiftA: number;
  ca: bigint;
  /** Chosen when sel is 0; −1: the constant cb. */
  b: number;
  shiftB: number;
  cb: bigint;
}

/** entries[a − base]: a lookup table over a's range (which lies within base … base + entries.length − 1). */
export interface TableSignal extends SignalBase {
  kind: 'table';
  a: number;
  base: bigint;
  entries: bigint[];
}

/**
 * The low widths[j] bits of each args[j] side by side, args[0] lowest: Σ_j (args[j] mod
 * 2^widths[j]) << (widths[0] + … + widths[j−1]). Unsigned, Σ widths bits wide (whatever its
 * range); an operand narrower than widths[j] is extended (sign- or zero-, as it is signed)
 * to widths[j] bits, whose pattern is then its value mod 2^widths[j]; a wider one is cut to
 * its low bits. Wiring: no logic level; it is placed in the first stage that reads it (the
 * table whose address it is; the last stage when only outputs read it), so a register rank
 * between its operands and that reader registers the operands, not the concatenation.
 */
export interface CatSignal extends SignalBase {
  kind: 'cat';
  args: number[];
  widths: number[];
}

/**
 * Output `output` of an instance of block `block`, whose ports read `args` (a signal per port).
 * The signals of one instance share `instance` and `args` and are consecutive; the signal's
 * width and signedness are the block output's.
 */
export interface InstSignal extends SignalBase {
  kind: 'inst';
  block: number;
  instance: number;
  args: number[];
  output: number;
}

/** The signal `a` delayed by one clock cycle (register rank `stage`). */
export interface RegSignal extends SignalBase {
  kind: 'reg';
  a: number;
}

export type AdderSignal = AddSignal | SubSignal | NegSignal | AddcSignal;
export type StepSignal = ShrSignal | RneSignal | ReluSignal | FitSignal | SquareSignal | CmpSignal | MuxSignal | TableSignal;
export type NetSignal = InputSignal | AdderSignal | StepSignal | CatSignal | RegSignal | InstSignal;
export type NetKind = NetSignal['kind'];

/** Whether a signal is an adder (one carry chain). */
export function isAdder(s: NetSignal): s is AdderSignal {
  return s.kind === 'add' || s.kind === 'sub' || s.kind === 'neg' || s.kind === 'addc';
}

/** Whether a signal is a step between layers (shr, rne, relu, fit, square, cmp, mux, table): neither an input, an adder, a concatenation (wiring), a register nor an instance's output. */
export function isStep(s: NetSignal): s is StepSignal {
  return s.kind !== 'input' && s.kind !== 'reg' && s.kind !== 'inst' && s.kind !== 'cat' && !isAdder(s);
}

/**
 * The signals a signal reads: none for an input; [a] or [a, b]; a comparator's [a] or [a, b],
 * a multiplexer's [sel, a, b] without its constants, a cat's and an instance's args (never −1).
 */
export function signalOperands(s: NetSignal): number[] {
  return s.kind === 'input' ? [] : operandFields(s);
}

/** Output o is signal `signal` shifted left by `shift`, extended to the output width; −1 is a constant. */
export interface NetOutput {
  signal: number;
  shift: number;
  lo: bigint;
  hi: bigint;
  /** The value when signal = −1 (0 when absent). */
  constant?: bigint;
}

/** The module's ports: x (nIn values of inputWidth bits), y (nOut values of outputWidth bits) and the optional score. */
export interface Ports {
  nIn: number;
  inputWidth: number;
  inputSigned: boolean;
  nOut: number;
  outputWidth: number;
  outputSigned: boolean;
  /** Width of the unsigned `score` port after y, or null when the module has none. */
  scoreWidth: number | null;
}

/** A block's input port: kernel input `tap` as stage `stage` reads it. */
export interface BlockPort {
  tap: number;
  stage: number;
}

/** A kernel's hardware, printed once as a module of its own and instantiated by inst signals. */
export interface Block {
  /** Its module's name: `<module>_kernel<index>`. */
  name: string;
  /** Inputs first (`input` = the port's index), then by stage: adders, then registers, as a netlist's. */
  signals: NetSignal[];
  ports: BlockPort[];
  /** Per kernel output: the signal that carries it at the block's output stage, or −1 (not an output of the block). */
  outputs: number[];
  /** The stage its outputs are produced in (their register ranks are the main netlist's). */
  stage: number;
  /** The kernel's inputs (some may have no port: zero in every instance, folded away). */
  inputs: number;
}

export interface Netlist {
  module: string;
  ports: Ports;
  /** Inputs first, then by stage: that stage's adders (by level), then the register rank ending it. */
  signals: NetSignal[];
  outputs: NetOutput[];
  latency: number;
  /** cuts[k−1] = the last adder level computed before register rank k. */
  cuts: number[];
  /** Adders, each instance's included (what the outputs it has read leave of its block). */
  adders: number;
  /** Their bits. */
  adderBits: number;
  adderDepth: number;
  registerBits: number;
  /** The blocks the inst signals instantiate. */
  blocks: Block[];
  /** The score output port (`score`, unsigned, after y, same latency), or null. */
  score: (NetOutput & { width: number }) | null;
}

/** The signal of node n, with `at` mapping each operand variable to the signal that holds it. */
function signalOf(n: NetNode, common: SignalBase, at: (v: number) => number): NetSignal {
  switch (n.op) {
    case 'add':
    case 'sub':
      return { kind: n.op, ...common, a: at(n.a), shiftA: n.shiftA, b: at(n.b), shiftB: n.shiftB };
    case 'neg':
      return { kind: 'neg', ...common, a: at(n.a), shiftA: n.shiftA };
    case 'addc':
      return { kind: 'addc', ...common, a: at(n.a), shiftA: n.shiftA, c: n.c };
    case 'shr':
    case 'rne':
      return { kind: n.op, ...common, a: at(n.a), shift: n.shift };
    case 'fit':
      return { kind: 'fit', ...common, a: at(n.a), shiftA: n.shiftA, fit: n.fit };
    case 'relu':
    case 'square':
      return { kind: n.op, ...common, a: at(n.a) };
    case 'cmp':
      return { kind: 'cmp', ...common, a: at(n.a), shiftA: n.shiftA, b: at(n.b), shiftB: n.shiftB, c: n.c };
    case 'mux':
      return { kind: 'mux', ...common, sel: at(n.sel), a: at(n.a), shiftA: n.shiftA, ca: n.ca, b: at(n.b), shiftB: n.shiftB, cb: n.cb };
    case 'table':
      return { kind: 'table', ...common, a: at(n.a), base: n.base, entries: n.entries };
    case 'cat':
      if (n.args.length === 0 || n.args.length !== n.widths.length || n.args.some((v) => v < 0) || n.widths.some((w) => !Number.isInteger(w) || w < 1)) {
        throw new Error(`internal: a cat node needs one variable and a width of 1 or more bits per part, got args [${n.args.join(', ')}], widths [${n.widths.join(', ')}]`);
      }
      // Σ widths bits, unsigned, whatever its range (a table's ROM is indexed by all of them)
      return { kind: 'cat', ...common, width: n.widths.reduce((t, w) => t + w, 0), signed: false, args: n.args.map(at), widths: [...n.widths] };
    case 'inst':
      throw new Error('internal: an instance is built with its block (buildNetlist)');
    default: {
      const op: never = n; // every kind is handled: the compiler checks it
      throw new Error(`internal: no signal for node ${String(op)}`);
    }
  }
}

/** Register ranks from x to y: at most MAX_LATENCY, DEFAULT_LATENCY unless asked. */
export const MAX_LATENCY = 8;
export const DEFAULT_LATENCY = 2;

/**
 * Register rank k (1…L) follows adder level cuts[k−1] = round(k·D/L): the D adder levels are
 * split into L stages of as equal depth as possible, and the last rank registers the outputs.
 */
export function stageCuts(depth: number, latency: number): number[] {
  const cuts: number[] = [];
  for (let k = 1; k <= latency; k++) cuts.push(Math.floor((k * depth + Math.floor(latency / 2)) / latency));
  return cuts;
}

/**
 * A kernel's block: its nodes at level base + their own, placed in the stages `stageOf` gives,
 * registered within the block from the stage that produces them to each stage that reads them;
 * its inputs are ports, one per input and stage that reads it; its outputs (the kernel's outputs
 * that are nodes) are all produced in the stage of base + the kernel's depth. Widths come from
 * the ranges over the ports' ranges: every node is a linear form over the inputs.
 */
function buildBlock(k: KernelDef, name: string, stageOf: (level: number) => number, latency: number): Block {
  const g = k.graph;
  const nIn = g.nIn;
  const nVars = nIn + g.nodes.length;
  const lv = (v: number): number => k.base + (v < nIn ? 0 : g.nodes[v - nIn]!.level);
  let depth = 0;
  for (const o of g.outputs) if (o.v >= nIn) depth = Math.max(depth, g.nodes[o.v - nIn]!.level);
  const outStage = stageOf(k.base + depth);
  // each node's range: its coefficient per input (a linear form) over the ports' ranges
  const coef: bigint[][] = Array.from({ length: nIn }, (_, t) => Array.from({ length: nIn }, (_, u) => (u === t ? 1n : 0n)));
  for (const n of g.nodes) {
    const ka = (n.op === 'neg' ? -1n : 1n) << BigInt(n.shiftA);
    const kb = n.op === 'neg' ? 0n : (n.op === 'sub' ? -1n : 1n) << BigInt(n.shiftB);
    coef.push(coef[n.a]!.map((c, t) => c * ka + (n.op === 'neg' ? 0n : coef[n.b]![t]! * kb)));
  }
  const rangeOf = (v: number): { lo: bigint; hi: bigint } => {
    let lo = 0n;
    let hi = 0n;
    coef[v]!.forEach((c, t) => {
      const p = k.ports[t]!;
      lo += c > 0n ? c * p.lo : c * p.hi;
      hi += c > 0n ? c * p.hi : c * p.lo;
    });
    return { lo, hi };
  };
  // the stages that read each variable, from the outputs back
  const readAt: Set<number>[] = Array.from({ length: nVars }, () => new Set<number>());
  const used = new Uint8Array(nVars);
  for (const o of g.outputs) {
    if (o.v < nIn) continue;
    used[o.v] = 1;
    readAt[o.v]!.add(outStage);
  }
  for (let j = g.nodes.length - 1; j >= 0; j--) {
    if (!used[nIn + j]) continue;
    const n = g.nodes[j]!;
    for (const u of n.op === 'neg' ? [n.a] : [n.a, n.b]) {
      used[u] = 1;
      readAt[u]!.add(stageOf(lv(nIn + j)));
    }
  }
  const signals: NetSignal[] = [];
  const ports: BlockPort[] = [];
  /** the signal of variable v as stage st reads it */
  const version = new Map<string, number>();
  const varName = (v: number): string => (v < nIn ? `x${v}` : `a${v - nIn}`);
  for (let t = 0; t < nIn; t++) {
    const stages = [...readAt[t]!].sort((p, q) => p - q);
    const r = k.ports[t]!;
    for (const st of stages) {
      version.set(`${t}:${st}`, signals.length);
      signals.push({ kind: 'input', name: stages.length === 1 ? varName(t) : `${varName(t)}_s${st}`, width: bitsFor(r.lo, r.hi), signed: r.lo < 0n, input: ports.length, stage: st, level: k.base, lo: r.lo, hi: r.hi });
      ports.push({ tap: t, stage: st });
    }
  }
  const at = (u: number, st: number): number => {
    const idx = version.get(`${u}:${st}`);
    if (idx === undefined) throw new Error(`internal: block ${name}: ${varName(u)} is not available in stage ${st}`);
    return idx;
  };
  const first = latency === 0 ? 0 : 1;
  for (let st = first; st <= outStage; st++) {
    const here: number[] = [];
    for (let j = 0; j < g.nodes.length; j++) if (used[nIn + j] && stageOf(lv(nIn + j)) === st) here.push(j);
    here.sort((p, q) => g.nodes[p]!.level - g.nodes[q]!.level || p - q);
    for (const j of here) {
      const n = g.nodes[j]!;
      const v = nIn + j;
      const r = rangeOf(v);
      const common = { name: varName(v), width: bitsFor(r.lo, r.hi), signed: r.lo < 0n, stage: st, level: lv(v), lo: r.lo, hi: r.hi };
      const node = n.op === 'neg' ? { kind: 'neg' as const, ...common, a: at(n.a, st), shiftA: n.shiftA } : { kind: n.op, ...common, a: at(n.a, st), shiftA: n.shiftA, b: at(n.b, st), shiftB: n.shiftB };
      version.set(`${v}:${st}`, signals.length);
      signals.push(node);
    }
    // register rank st: the nodes produced so far that a later stage reads
    if (latency === 0 || st === outStage) continue;
    for (let v = nIn; v < nVars; v++) {
      const src = version.get(`${v}:${st}`);
      if (src === undefined || ![...readAt[v]!].some((r) => r > st)) continue;
      const sig = signals[src]!;
      version.set(`${v}:${st + 1}`, signals.length);
      signals.push({ kind: 'reg', name: `${varName(v)}_r${st}`, width: sig.width, signed: sig.signed, a: src, stage: st, level: sig.level, lo: sig.lo, hi: sig.hi });
    }
  }
  const outputs = g.outputs.map((o) => (o.v >= nIn ? at(o.v, outStage) : -1));
  return { name, signals, ports, outputs, stage: outStage, inputs: nIn };
}

/**
 * What an instance of a block costs when only the outputs marked in `live` are read: the
 * adders and registers those outputs depend on (synthesis removes the rest), and their bits.
 */
export function instanceCost(b: Block, live: readonly boolean[]): { adders: number; adderBits: number; registerBits: number } {
  const needed = new Uint8Array(b.signals.length);
  b.outputs.forEach((o, k) => {
    if (o >= 0 && live[k]) needed[o] = 1;
  });
  let adders = 0;
  let adderBits = 0;
  let registerBits = 0;
  for (let i = b.signals.length - 1; i >= 0; i--) {
    const s = b.signals[i]!;
    if (!needed[i]) continue;
    for (const u of signalOperands(s)) needed[u] = 1;
    if (s.kind === 'reg') registerBits += s.width;
    else if (isAdder(s)) {
      adders++;
      adderBits += s.width;
    }
  }
  return { adders, adderBits, registerBits };
}

/**
 * The stage each used variable is produced in: stageOf(its level), except a cat (wiring, no
 * logic of its own), which is placed in the earliest stage that reads it (an output reads in
 * the last stage, L): where the table it addresses is, so that a register rank between its
 * operands and the table registers the operands rather than the concatenation. Readers come
 * after what they read, so one pass from the last node back finds every reader's stage first
 * (a cat read by a cat included).
 */
function varStages(g: NetworkGraph, used: Uint8Array, stageOf: (level: number) => number, latency: number): Int32Array {
  const nIn = g.nIn;
  const nVars = nIn + g.nodes.length;
  const level = (v: number): number => (v < nIn ? 0 : g.nodes[v - nIn]!.level);
  const stage = new Int32Array(nVars);
  for (let v = 0; v < nVars; v++) stage[v] = stageOf(level(v));
  /** the earliest stage that reads each variable (NONE: none yet) */
  const NONE = 0x7fffffff;
  const firstRead = new Int32Array(nVars).fill(NONE);
  const read = (v: number, st: number): void => {
    if (st < firstRead[v]!) firstRead[v] = st;
  };
  for (const o of [...g.outputs, ...(g.score ? [g.score] : [])]) if (o.v >= 0) read(o.v, latency);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const v = nIn + k;
    if (!used[v]) continue;
    const n = g.nodes[k]!;
    if (n.op === 'cat' && firstRead[v]! !== NONE) stage[v] = Math.max(stage[v]!, firstRead[v]!);
    // an instance's ports read its args from its kernel's base level on
    const at = n.op === 'inst' ? stageOf(g.kernels![n.kernel]!.base) : stage[v]!;
    for (const u of operandsOf(n)) read(u, at);
  }
  return stage;
}

export function buildNetlist(g: NetworkGraph, moduleName: string, latency: number): Netlist {
  if (!Number.isInteger(latency) || latency < 0 || latency > MAX_LATENCY) {
    throw new RangeError(`latency must be an integer from 0 to ${MAX_LATENCY}, got ${latency}`);
  }
  const nIn = g.nIn;
  const nVars = nIn + g.nodes.length;
  let depth = 0;
  for (const o of [...g.outputs, ...(g.score ? [g.score] : [])]) if (o.v >= nIn) depth = Math.max(depth, g.nodes[o.v - nIn]!.level);
  const cuts = stageCuts(depth, latency);
  const stageOf = (lv: number): number => {
    if (latency === 0) return 0;
    for (let k = 1; k <= latency; k++) if (lv <= cuts[k - 1]!) return k;
    return latency;
  };

  const inR = inputRange(g.input);
  const signals: NetSignal[] = [];
  /** signal index of variable v as produced (not delayed) */
  const produced = new Int32Array(nVars).fill(-1);
  /** delayed copies: [v·(L + 1) + rank] → signal index (−1: none) */
  const delayedAt = new Int32Array(nVars * (latency + 1)).fill(-1);
  const delayed = {
    get: (v: number, rank: number): number | undefined => {
      const i = delayedAt[v * (latency + 1) + rank]!;
      return i < 0 ? undefined : i;
    },
    set: (v: number, rank: number, idx: number): void => {
      delayedAt[v * (latency + 1) + rank] = idx;
    },
  };
  const varName = (v: number): string => (v < nIn ? `x${v}` : `a${v - nIn}`);

  // Which variables are used at all, so unused inputs get no wire.
  const used = new Uint8Array(nVars);
  for (const o of g.outputs) if (o.v >= 0) used[o.v] = 1;
  if (g.score && g.score.v >= 0) used[g.score.v] = 1;
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    if (!used[nIn + k]) continue;
    for (const v of operandsOf(g.nodes[k]!)) used[v] = 1;
  }
  const stages = varStages(g, used, stageOf, latency);
  const varStage = (v: number): number => stages[v]!;

  for (let i = 0; i < nIn; i++) {
    if (!used[i]) continue;
    produced[i] = signals.length;
    signals.push({ kind: 'input', name: varName(i), width: g.input.width, signed: g.input.signed, input: i, stage: varStage(i), level: 0, lo: inR.lo, hi: inR.hi });
  }

  // Registers needed: for each consumer stage, the version of v delayed to the rank before it.
  // A value produced in stage s is registered at ranks s, s+1, …; a consumer in stage k reads rank k−1
  // (or the wire itself when k === s). Outputs read rank L.
  const needRank = new Int32Array(nVars).fill(-1); // highest rank each variable must reach
  const need = (v: number, rank: number): void => {
    if (rank > needRank[v]!) needRank[v] = rank;
  };
  // one block per kernel that some used instance instantiates, in order of first use
  const blocks: Block[] = [];
  const blockOf = new Map<number, number>();
  let lastInstance = -1;
  for (let k = 0; k < g.nodes.length; k++) {
    const n = g.nodes[k]!;
    if (!used[nIn + k]) continue;
    if (n.op === 'inst') {
      let bi = blockOf.get(n.kernel);
      if (bi === undefined) {
        bi = blocks.length;
        blockOf.set(n.kernel, bi);
        blocks.push(buildBlock(g.kernels![n.kernel]!, `${moduleName}_kernel${bi}`, stageOf, latency));
      }
      // each port reads its input in its own stage (once per instance: its nodes share the args)
      if (n.instance !== lastInstance) for (const p of blocks[bi]!.ports) need(n.args[p.tap]!, p.stage - 1);
      lastInstance = n.instance;
      continue;
    }
    const s = varStage(nIn + k);
    for (const v of operandsOf(n)) need(v, s - 1);
  }
  for (const o of g.outputs) if (o.v >= 0) need(o.v, latency);
  if (g.score && g.score.v >= 0) need(g.score.v, latency);

  // Emit by stage: adders of stage k (by level, then index), then register rank k.
  const nodeOrder: number[][] = [];
  for (let k = 0; k <= Math.max(latency, 0); k++) nodeOrder.push([]);
  for (let k = 0; k < g.nodes.length; k++) if (used[nIn + k]) nodeOrder[varStage(nIn + k)]!.push(k);
  for (const list of nodeOrder) list.sort((p, q) => g.nodes[p]!.level - g.nodes[q]!.level || p - q);

  const versionAt = (v: number, stage: number): number => {
    // signal holding v as read by a consumer in `stage`
    const s = varStage(v);
    if (stage <= s || latency === 0) return produced[v]!;
    const idx = delayed.get(v, stage - 1);
    if (idx === undefined) throw new Error(`internal: ${varName(v)} not registered at rank ${stage - 1}`);
    return idx;
  };

  let registerBits = 0;
  /** the ports' signals of the instance being emitted (its nodes are consecutive and share them) */
  let instArgs: { instance: number; args: number[] } = { instance: -1, args: [] };
  for (let k = latency === 0 ? 0 : 1; k <= latency || k === 0; k++) {
    for (const ni of nodeOrder[k]!) {
      const n = g.nodes[ni]!;
      const v = nIn + ni;
      produced[v] = signals.length;
      const common = { name: varName(v), width: bitsFor(n.lo, n.hi), signed: n.lo < 0n, stage: k, level: n.level, lo: n.lo, hi: n.hi };
      if (n.op === 'inst') {
        const bi = blockOf.get(n.kernel)!;
        const blk = blocks[bi]!;
        const out = blk.signals[blk.outputs[n.out]!]!;
        if (n.instance !== instArgs.instance) {
          // a port reads an input of the kernel that the instance has (its zero ones are folded in the kernel)
          const args = blk.ports.map((p) => {
            const v = n.args[p.tap]!;
            if (v < 0) throw new Error(`internal: ${blk.name} reads input ${p.tap}, which an instance ties to zero`);
            return versionAt(v, p.stage);
          });
          instArgs = { instance: n.instance, args };
        }
        const args = instArgs.args;
        signals.push({ kind: 'inst', ...common, width: out.width, signed: out.signed, block: bi, instance: n.instance, args, output: n.out });
        continue;
      }
      // the operand as this stage reads it (−1, an absent operand, stays −1)
      const at = (u: number): number => (u < 0 ? -1 : versionAt(u, k));
      signals.push(signalOf(n, common, at));
    }
    if (latency === 0) break;
    // register rank k: every variable produced at stage ≤ k that is needed at rank ≥ k
    for (let v = 0; v < nVars; v++) {
      if (produced[v]! < 0 || needRank[v]! < k || varStage(v) > k) continue;
      const src = k === varStage(v) ? produced[v]! : delayed.get(v, k - 1)!;
      const s = signals[src]!;
      delayed.set(v, k, signals.length);
      signals.push({ kind: 'reg', name: `${varName(v)}_r${k}`, width: s.width, signed: s.signed, a: src, stage: k, level: s.level, lo: s.lo, hi: s.hi });
      registerBits += s.width;
    }
  }

  // y's format: what the spec asks for, else the narrowest that holds every output
  let outputSigned = g.outputs.some((o) => o.lo < 0n);
  let outputWidth = 1;
  for (const o of g.outputs) outputWidth = Math.max(outputWidth, bitsFor(o.lo, o.hi, outputSigned));
  if (g.outputFormat) {
    outputSigned = g.outputFormat.signed;
    outputWidth = g.outputFormat.width;
  }
  const port = (o: NetGraphOutput): NetOutput => ({
    signal: o.v < 0 ? -1 : latency === 0 ? produced[o.v]! : delayed.get(o.v, latency)!,
    shift: o.shift,
    lo: o.lo,
    hi: o.hi,
    ...(o.v < 0 && o.constant !== undefined && o.constant !== 0n ? { constant: o.constant } : {}),
  });
  const outputs: NetOutput[] = g.outputs.map(port);
  const score = g.score ? { ...port(g.score), width: bitsFor(g.score.lo, g.score.hi, false) } : null;

  const ports: Ports = { nIn, inputWidth: g.input.width, inputSigned: g.input.signed, nOut: outputs.length, outputWidth, outputSigned, scoreWidth: score ? score.width : null };
  let adders = 0;
  let adderBits = 0;
  for (const sig of signals) {
    if (!isAdder(sig)) continue;
    adders++;
    adderBits += sig.width;
  }
  // each instance: what the outputs it has leave of its block
  const costs = new Map<string, { adders: number; adderBits: number; registerBits: number }>();
  for (let i = 0; i < signals.length; ) {
    const first = signals[i]!;
    if (first.kind !== 'inst') {
      i++;
      continue;
    }
    const blk = blocks[first.block]!;
    const live = blk.outputs.map(() => false);
    for (; i < signals.length; i++) {
      const sig = signals[i]!;
      if (sig.kind !== 'inst' || sig.instance !== first.instance) break;
      live[sig.output] = true;
    }
    const key = `${first.block}:${live.map(Number).join('')}`;
    let c = costs.get(key);
    if (c === undefined) {
      c = instanceCost(blk, live);
      costs.set(key, c);
    }
    adders += c.adders;
    adderBits += c.adderBits;
    registerBits += c.registerBits;
  }
  return { module: moduleName, ports, signals, outputs, latency, cuts, adders, adderBits, adderDepth: depth, registerBits, blocks, score };
}

/**
 * The netlist with every instance replaced by its block's signals (ports read from the
 * instance's arguments, registers of its own): what the simulator runs. The signals keep the
 * meaning and the widths they have in the printed blocks.
 */
export function flattenNetlist(n: Netlist): Netlist {
  if (n.blocks.length === 0) return n;
  const signals: NetSignal[] = [];
  const map = new Int32Array(n.signals.length).fill(-1);
  const remap = (i: number): number => (i < 0 ? i : map[i]!);
  /** a copy of s (with a new name) whose operands are read through `at` */
  const copy = (s: NetSignal, at: (i: number) => number, name = s.name): NetSignal => {
    const c = { ...s, name } as NetSignal & { a?: number; b?: number; sel?: number };
    if (c.a !== undefined) c.a = at(c.a);
    if (c.b !== undefined) c.b = at(c.b);
    if (c.sel !== undefined) c.sel = at(c.sel);
    if (c.kind === 'cat') c.args = c.args.map(at);
    return c;
  };
  for (let i = 0; i < n.signals.length; ) {
    const s = n.signals[i]!;
    if (s.kind !== 'inst') {
      map[i++] = signals.length;
      signals.push(copy(s, remap));
      continue;
    }
    const blk = n.blocks[s.block]!;
    const inner = new Int32Array(blk.signals.length);
    blk.signals.forEach((b, j) => {
      if (b.kind === 'input') {
        inner[j] = remap(s.args[b.input]!);
        return;
      }
      inner[j] = signals.length;
      signals.push(copy(b, (k) => inner[k]!, `${s.name}_${b.name}`));
    });
    for (; i < n.signals.length; i++) {
      const t = n.signals[i]!;
      if (t.kind !== 'inst' || t.instance !== s.instance) break;
      map[i] = inner[blk.outputs[t.output]!]!;
    }
  }
  const out = <T extends NetOutput>(o: T): T => ({ ...o, signal: remap(o.signal) });
  return { ...n, signals, outputs: n.outputs.map(out), score: n.score ? out(n.score) : null, blocks: [] };
}
