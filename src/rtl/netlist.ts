import type { FitFormat, NetGraphOutput, NetworkGraph } from '../da/graph.js';
import { inputRange } from '../da/graph.js';
import { bitsFor } from '../da/ranges.js';

/**
 * The register-transfer netlist: every signal of the module with its exact width and
 * signedness, and the register ranks of the pipeline. The Verilog emitter prints it and
 * the simulator executes it, so what is simulated is what is emitted.
 *
 * Arithmetic semantics (shared by emitter and simulator): an add/sub/neg signal of width w
 * is its operands, each shifted and sign- (signed) or zero- (unsigned) extended, combined
 * modulo 2^w, then read as two's complement if the signal is signed. Widths come from exact
 * value ranges, so the modulo never changes a value.
 */
export type NetKind = 'input' | 'add' | 'sub' | 'neg' | 'addc' | 'shr' | 'relu' | 'fit' | 'square' | 'reg';

export interface NetSignal {
  name: string;
  kind: NetKind;
  width: number;
  signed: boolean;
  /** Operand signals (indices into `signals`); for reg, `a` is the signal it delays; −1 when absent. */
  a: number;
  shiftA: number;
  b: number;
  shiftB: number;
  /** Input index for kind 'input', else −1. */
  input: number;
  /** Combinational stage (1…L; 0 when L = 0) for inputs and adders; register rank (1…L) for registers. */
  stage: number;
  /** Adder level (0 for inputs; registers copy their source's). */
  level: number;
  lo: bigint;
  hi: bigint;
  /** The constant of an addc signal. */
  c?: bigint;
  /** The format of a fit signal. */
  fit?: FitFormat;
}

/** Output o is signal `signal` shifted left by `shift`, extended to the output width; −1 is constant 0. */
export interface NetOutput {
  signal: number;
  shift: number;
  lo: bigint;
  hi: bigint;
  /** The value when signal = −1 (0 when absent). */
  constant?: bigint;
}

export interface Netlist {
  module: string;
  nIn: number;
  inputWidth: number;
  inputSigned: boolean;
  /** Inputs first, then by stage: that stage's adders (by level), then the register rank ending it. */
  signals: NetSignal[];
  outputs: NetOutput[];
  outputWidth: number;
  outputSigned: boolean;
  latency: number;
  /** cuts[k−1] = the last adder level computed before register rank k. */
  cuts: number[];
  adders: number;
  adderDepth: number;
  registerBits: number;
  /** The score output port (`score`, unsigned, after y, same latency), or null. */
  score: (NetOutput & { width: number }) | null;
}

export const MAX_LATENCY = 8;

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
    const n = g.nodes[k]!;
    if (!used[nIn + k]) continue;
    used[n.a] = 1;
    if (n.b >= 0) used[n.b] = 1;
  }

  for (let i = 0; i < nIn; i++) {
    if (!used[i]) continue;
    produced[i] = signals.length;
    signals.push({
      name: varName(i),
      kind: 'input',
      width: g.input.width,
      signed: g.input.signed,
      a: -1,
      shiftA: 0,
      b: -1,
      shiftB: 0,
      input: i,
      stage: varStage(i),
      level: 0,
      lo: inR.lo,
      hi: inR.hi,
    });
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
    need(n.a, s - 1);
    if (n.b >= 0) need(n.b, s - 1);
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
      const range = { lo: n.lo, hi: n.hi };
      produced[v] = signals.length;
      signals.push({
        name: varName(v),
        kind: n.op,
        width: bitsFor(range.lo, range.hi),
        signed: range.lo < 0n,
        a: versionAt(n.a, k),
        shiftA: n.shiftA,
        b: n.b >= 0 ? versionAt(n.b, k) : -1,
        shiftB: n.shiftB,
        input: -1,
        stage: k,
        level: n.level,
        lo: range.lo,
        hi: range.hi,
        ...(n.c !== undefined ? { c: n.c } : {}),
        ...(n.fit !== undefined ? { fit: n.fit } : {}),
      });
    }
    if (latency === 0) break;
    // register rank k: every variable produced at stage ≤ k that is needed at rank ≥ k
    for (let v = 0; v < nVars; v++) {
      if (produced[v]! < 0 || needRank[v]! < k || varStage(v) > k) continue;
      const src = k === varStage(v) ? produced[v]! : delayed.get(`${v}:${k - 1}`)!;
      const s = signals[src]!;
      delayed.set(`${v}:${k}`, signals.length);
      signals.push({
        name: `${varName(v)}_r${k}`,
        kind: 'reg',
        width: s.width,
        signed: s.signed,
        a: src,
        shiftA: 0,
        b: -1,
        shiftB: 0,
        input: -1,
        stage: k,
        level: s.level,
        lo: s.lo,
        hi: s.hi,
      });
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

  return {
    module: moduleName,
    nIn,
    inputWidth: g.input.width,
    inputSigned: g.input.signed,
    signals,
    outputs,
    outputWidth,
    outputSigned,
    latency,
    cuts,
    adders: g.nodes.filter((n, k) => used[nIn + k] && (n.op === 'add' || n.op === 'sub' || n.op === 'neg' || n.op === 'addc')).length,
    adderDepth: depth,
    registerBits,
    score,
  };
}
