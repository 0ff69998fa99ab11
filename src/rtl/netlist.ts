import type { FitFormat, NetGraphOutput, NetNode, NetworkGraph } from '../da/graph.js';
import { inputRange, isAdderOp, operandsOf } from '../da/graph.js';
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
 * an adder's) or constant, and a table is entries[a − base], 0 for a value of a outside the
 * entries (which only a register's contents before its first load can be).
 *
 * Signals are a discriminated union on `kind`, one member per cell kind, with the same
 * meaning as the graph's nodes (see da/graph.ts); operands are indices into `signals`.
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

/** The signal `a` delayed by one clock cycle (register rank `stage`). */
export interface RegSignal extends SignalBase {
  kind: 'reg';
  a: number;
}

export type AdderSignal = AddSignal | SubSignal | NegSignal | AddcSignal;
export type StepSignal = ShrSignal | ReluSignal | FitSignal | SquareSignal | CmpSignal | MuxSignal | TableSignal;
export type NetSignal = InputSignal | AdderSignal | StepSignal | RegSignal;
export type NetKind = NetSignal['kind'];

/** Whether a signal is an adder (one carry chain). */
export function isAdder(s: NetSignal): s is AdderSignal {
  return s.kind === 'add' || s.kind === 'sub' || s.kind === 'neg' || s.kind === 'addc';
}

/** Whether a signal is a step between layers (shr, relu, fit, square, cmp, mux, table): neither an input, an adder nor a register. */
export function isStep(s: NetSignal): s is StepSignal {
  return s.kind !== 'input' && s.kind !== 'reg' && !isAdder(s);
}

/**
 * The signals a signal reads: none for an input; [a] or [a, b]; a comparator's [a] or [a, b]
 * and a multiplexer's [sel, a, b] without its constants (never −1).
 */
export function signalOperands(s: NetSignal): number[] {
  switch (s.kind) {
    case 'input':
      return [];
    case 'add':
    case 'sub':
      return [s.a, s.b];
    case 'cmp':
      return s.b >= 0 ? [s.a, s.b] : [s.a];
    case 'mux':
      return [s.sel, ...(s.a >= 0 ? [s.a] : []), ...(s.b >= 0 ? [s.b] : [])];
    default:
      return [s.a];
  }
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

export interface Netlist {
  module: string;
  ports: Ports;
  /** Inputs first, then by stage: that stage's adders (by level), then the register rank ending it. */
  signals: NetSignal[];
  outputs: NetOutput[];
  latency: number;
  /** cuts[k−1] = the last adder level computed before register rank k. */
  cuts: number[];
  adders: number;
  adderDepth: number;
  registerBits: number;
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
      return { kind: 'shr', ...common, a: at(n.a), shift: n.shift };
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

export function buildNetlist(g: NetworkGraph, moduleName: string, latency: number): Netlist {
  if (!Number.isInteger(latency) || latency < 0 || latency > MAX_LATENCY) {
    throw new RangeError(`latency must be an integer from 0 to ${MAX_LATENCY}, got ${latency}`);
  }
  const nIn = g.nIn;
  const nVars = nIn + g.nodes.length;
  const level = (v: number): number => (v < nIn ? 0 : g.nodes[v - nIn]!.level);
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
  /** delayed copies: key `${v}:${rank}` → signal index */
  const delayed = new Map<string, number>();
  const varStage = (v: number): number => stageOf(level(v));
  const varName = (v: number): string => (v < nIn ? `x${v}` : `a${v - nIn}`);

  // Which variables are used at all, so unused inputs get no wire.
  const used = new Uint8Array(nVars);
  for (const o of g.outputs) if (o.v >= 0) used[o.v] = 1;
  if (g.score && g.score.v >= 0) used[g.score.v] = 1;
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    if (!used[nIn + k]) continue;
    for (const v of operandsOf(g.nodes[k]!)) used[v] = 1;
  }

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
  for (let k = 0; k < g.nodes.length; k++) {
    const n = g.nodes[k]!;
    if (!used[nIn + k]) continue;
    const s = stageOf(n.level);
    for (const v of operandsOf(n)) need(v, s - 1);
  }
  for (const o of g.outputs) if (o.v >= 0) need(o.v, latency);
  if (g.score && g.score.v >= 0) need(g.score.v, latency);

  // Emit by stage: adders of stage k (by level, then index), then register rank k.
  const nodeOrder: number[][] = [];
  for (let k = 0; k <= Math.max(latency, 0); k++) nodeOrder.push([]);
  for (let k = 0; k < g.nodes.length; k++) if (used[nIn + k]) nodeOrder[stageOf(g.nodes[k]!.level)]!.push(k);
  for (const list of nodeOrder) list.sort((p, q) => g.nodes[p]!.level - g.nodes[q]!.level || p - q);

  const versionAt = (v: number, stage: number): number => {
    // signal holding v as read by a consumer in `stage`
    const s = varStage(v);
    if (stage <= s || latency === 0) return produced[v]!;
    const idx = delayed.get(`${v}:${stage - 1}`);
    if (idx === undefined) throw new Error(`internal: ${varName(v)} not registered at rank ${stage - 1}`);
    return idx;
  };

  let registerBits = 0;
  for (let k = latency === 0 ? 0 : 1; k <= latency || k === 0; k++) {
    for (const ni of nodeOrder[k]!) {
      const n = g.nodes[ni]!;
      const v = nIn + ni;
      produced[v] = signals.length;
      const common = { name: varName(v), width: bitsFor(n.lo, n.hi), signed: n.lo < 0n, stage: k, level: n.level, lo: n.lo, hi: n.hi };
      // the operand as this stage reads it (−1, an absent operand, stays −1)
      const at = (u: number): number => (u < 0 ? -1 : versionAt(u, k));
      signals.push(signalOf(n, common, at));
    }
    if (latency === 0) break;
    // register rank k: every variable produced at stage ≤ k that is needed at rank ≥ k
    for (let v = 0; v < nVars; v++) {
      if (produced[v]! < 0 || needRank[v]! < k || varStage(v) > k) continue;
      const src = k === varStage(v) ? produced[v]! : delayed.get(`${v}:${k - 1}`)!;
      const s = signals[src]!;
      delayed.set(`${v}:${k}`, signals.length);
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
    signal: o.v < 0 ? -1 : latency === 0 ? produced[o.v]! : delayed.get(`${o.v}:${latency}`)!,
    shift: o.shift,
    lo: o.lo,
    hi: o.hi,
    ...(o.v < 0 && o.constant !== undefined && o.constant !== 0n ? { constant: o.constant } : {}),
  });
  const outputs: NetOutput[] = g.outputs.map(port);
  const score = g.score ? { ...port(g.score), width: bitsFor(g.score.lo, g.score.hi, false) } : null;

  const ports: Ports = { nIn, inputWidth: g.input.width, inputSigned: g.input.signed, nOut: outputs.length, outputWidth, outputSigned, scoreWidth: score ? score.width : null };
  return {
    module: moduleName,
    ports,
    signals,
    outputs,
    latency,
    cuts,
    adders: g.nodes.filter((n, k) => used[nIn + k] && isAdderOp(n.op)).length,
    adderDepth: depth,
    registerBits,
    score,
  };
}
