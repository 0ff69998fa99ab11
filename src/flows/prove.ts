import { ToolError, UsageError } from '../errors.js';
import { readVerilogToJson, satEquivalence } from '../platform/yosys.js';
import { emitBaselineVerilog } from '../rtl/verilog/baseline.js';
import { formsEqualMod, linearForms } from '../sim/linear-proof.js';
import { unpackWord } from '../sim/ports.js';
import type { Form, LinearResult } from '../sim/linear-proof.js';
import { Rng } from '../sim/vectors.js';
import { compileYosysJson } from '../sim/yosys-json-sim.js';
import { describeSpec, inputCount } from '../spec/spec.js';
import { formatRange } from '../spec/tables.js';
import type { Spec } from '../spec/spec.js';
import type { CompileResult } from './compile.js';
import { startStep, toolRun } from './progress.js';
import type { Progress } from './progress.js';

/**
 * `check --prove`: that the emitted module equals the hand-written W*x module (the `--baseline`
 * design, rtl/verilog/baseline.ts) for every input sequence, from the cycle its pipeline is full.
 *
 * Yosys reads both Verilog texts. The proof is first by exact linear forms over Yosys's two
 * netlists (sim/linear-proof.ts): it decides the benchmark matrices up to 32×32 at every latency
 * tried, in a fraction of a second after the reads (not mcm_i12_32x1 at latency 2, where the
 * baseline's one wide register of 32 outputs is read back in a way the fields do not meet).
 * Where the forms do not decide (a cell that is not linear, a value that may overflow where it
 * is extended), the inputs at the range bound that failed and random inputs
 * are tried on both netlists, and then Yosys's SAT solver proves or refutes the miter of the two
 * modules (platform/yosys.ts satEquivalence) within the time limit. Every counterexample, from
 * any method, is confirmed by simulating both netlists before it is reported.
 */

/** Time limit of the SAT step, in seconds, unless the caller gives one. */
export const DEFAULT_SAT_SECONDS = 60;
/** Random input sequences tried on both netlists when the linear forms do not decide. */
const RANDOM_TRIES = 2000;

export interface ProveOptions {
  /** Time limit of each Yosys run, the SAT step's included (its default: DEFAULT_SAT_SECONDS). */
  timeoutSeconds?: number;
  progress?: Progress;
  /** 'auto' (linear forms, then SAT where they do not decide) or 'sat' (Yosys's SAT solver alone). */
  method?: 'auto' | 'sat';
}

export interface Counterexample {
  /** The input vectors, one per clock cycle from power-on. */
  inputs: bigint[][];
  /** The cycle (0-based) and the output field that differ. */
  cycle: number;
  output: number;
  /** The hand-written W*x module's value, and the emitted module's (null: unknown bits). */
  expected: bigint;
  got: bigint | null;
}

export interface ProofResult {
  status: 'proven' | 'counterexample' | 'not proven';
  method: 'linear forms' | 'sat' | 'simulation';
  /** The outputs are equal from this cycle on (the latency). */
  from: number;
  /** How it was shown, or why it was not. */
  detail: string;
  counterexample: Counterexample | null;
  seconds: number;
}

interface Side {
  json: unknown;
  top: string;
  sim: ReturnType<typeof compileYosysJson>;
}

/** Refuse, before any work, a proof that cannot be made: a network has no W*x module to equal. */
export function checkProveOptions(spec: Spec): bigint[][] {
  const W = describeSpec(spec).baseline;
  if (W === null) throw new UsageError('--prove compares the design with the hand-written W*x module, which only a single matrix has; this file is a network');
  return W;
}

/** Prove that the compiled design equals the hand-written W*x module, or refute it with an input. */
export async function proveEquivalence(r: CompileResult, spec: Spec, opts: ProveOptions = {}): Promise<ProofResult> {
  const t0 = performance.now();
  const W = checkProveOptions(spec);
  const n = r.netlist;
  const L = n.latency;
  const gold = { verilog: emitBaselineVerilog(W, n), top: `${n.module}_baseline` };
  const gate = { verilog: r.verilog, top: n.module };
  const p = opts.progress;
  const seconds = (): number => (performance.now() - t0) / 1000;
  const done = (res: Omit<ProofResult, 'seconds' | 'from'>): ProofResult => ({ ...res, from: L, seconds: seconds() });

  const sat = async (why: string, sides: { gate: Side; gold: Side } | null): Promise<ProofResult> => {
    const limit = opts.timeoutSeconds ?? DEFAULT_SAT_SECONDS;
    const step = startStep(p, `Yosys SAT on the miter of the two modules (time limit ${limit} s)`);
    const out = await satEquivalence(gold, gate, L, toolRun(limit, p));
    step.done(out.kind);
    if (out.kind === 'proven') return done({ status: 'proven', method: 'sat', detail: `${why}Yosys's SAT solver proved the miter of the two modules over ${L + 1} cycles`, counterexample: null });
    if (out.kind === 'time limit') {
      return done({ status: 'not proven', method: 'sat', detail: `${why}Yosys's SAT solver did not finish within ${limit} s (too large for SAT; raise --timeout)`, counterexample: null });
    }
    const s = sides ?? (await readBoth());
    const inputs = out.x.map((x) => unpackWord(x, inputCount(spec), spec.input.width, spec.input.signed));
    const cex = confirm(s, inputs);
    if (!cex) throw new ToolError('yosys', "Yosys's SAT solver reported a counterexample that simulating the two netlists does not confirm");
    return done({ status: 'counterexample', method: 'sat', detail: `${why}Yosys's SAT solver found inputs on which the modules differ`, counterexample: cex });
  };

  const readBoth = async (): Promise<{ gate: Side; gold: Side }> => {
    const step = startStep(p, 'Yosys reading both modules');
    const run = toolRun(opts.timeoutSeconds, p);
    const side = async (m: { verilog: string; top: string }): Promise<Side> => {
      const json = await readVerilogToJson(m.verilog, m.top, run);
      return { json, top: m.top, sim: compileYosysJson(json, m.top, n.ports) };
    };
    const both = { gate: await side(gate), gold: await side(gold) };
    step.done('read');
    return both;
  };

  /** The first cycle from L on where the two netlists differ on `inputs` (padded so that cycle L exists). */
  const confirm = (s: { gate: Side; gold: Side }, inputs: bigint[][]): Counterexample | null => {
    const seq = inputs.slice();
    while (seq.length < L + 1) seq.push(new Array<bigint>(n.ports.nIn).fill(0n));
    const a = s.gold.sim.run(seq);
    const b = s.gate.sim.run(seq);
    for (let t = L; t < seq.length; t++) {
      const e = a[t];
      if (!e) continue;
      const g = b[t] ?? null;
      for (let o = 0; o < e.length; o++) {
        if (g === null || g[o] !== e[o]) return { inputs: seq.slice(0, t + 1), cycle: t, output: o, expected: e[o]!, got: g === null ? null : g[o]! };
      }
    }
    return null;
  };

  if (opts.method === 'sat') return sat('', null);

  const s = await readBoth();
  const step = startStep(p, 'exact linear forms of both netlists');
  const fg = linearForms(s.gate.json, s.gate.top, n.ports, spec.input);
  const fo = linearForms(s.gold.json, s.gold.top, n.ports, spec.input);
  step.done(fg.ok && fo.ok ? 'found' : `not decided: ${!fg.ok ? fg.why : !fo.ok ? fo.why : ''}`);
  if (fg.ok && fo.ok) {
    const from = Math.max(fg.depth, fo.depth);
    for (let o = 0; o < fg.forms.length; o++) {
      if (formsEqualMod(fg.forms[o]!, fo.forms[o]!, fg.widths[o]!)) continue;
      const cex = confirm(s, distinguishing(fg.forms[o]!, fo.forms[o]!, fg.widths[o]!, spec, L));
      if (!cex) throw new ToolError('yosys', `the linear forms of output ${o} differ, but simulating the two netlists on the input that should show it does not`);
      return done({ status: 'counterexample', method: 'linear forms', detail: `output ${o}'s linear form differs from W*x's`, counterexample: cex });
    }
    if (from > L) {
      return done({ status: 'not proven', method: 'linear forms', detail: `the forms are equal, but the emitted module's outputs depend on registers ${from} ranks deep, more than its latency ${L}`, counterexample: null });
    }
    const terms = fg.forms.reduce((a, f) => a + f.terms.size, 0);
    return done({
      status: 'proven',
      method: 'linear forms',
      detail: `Yosys read both modules; each of the ${fg.forms.length} outputs is the same exact linear form (${terms} terms in all) of the inputs ${L} cycles earlier, and no value overflows where it is extended`,
      counterexample: null,
    });
  }
  const why = `the linear forms do not decide (${!fg.ok ? `emitted module: ${fg.why}` : `baseline: ${(fo as Extract<LinearResult, { ok: false }>).why}`}); `;
  const search = startStep(p, 'inputs at the bounds, and random inputs, through both netlists');
  const cex = searchInputs(s, fg, fo, spec, L, confirm);
  search.done(cex ? 'counterexample' : 'none differ');
  if (cex) return done({ status: 'counterexample', method: 'simulation', detail: `${why}an input at the bound differs`, counterexample: cex });
  return sat(why, s);
}

/** Input vectors (cycle 0 .. L) from an assignment of the variables v = delay·nIn + i, seen at cycle `at`. */
function vectorsOf(assign: Map<number, bigint>, nIn: number, at: number, cycles: number): bigint[][] {
  const seq = Array.from({ length: cycles }, () => new Array<bigint>(nIn).fill(0n));
  for (const [v, x] of assign) {
    const d = Math.floor(v / nIn);
    if (at - d >= 0 && at - d < cycles) seq[at - d]![v % nIn] = x;
  }
  return seq;
}

/**
 * Inputs on which two forms differ modulo 2^w: all zero when their constants differ, else one
 * input at ±1 where their coefficients differ.
 */
function distinguishing(a: Form, b: Form, w: number, spec: Spec, L: number): bigint[][] {
  const nIn = inputCount(spec);
  const m = (1n << BigInt(w)) - 1n;
  if (((a.c - b.c) & m) !== 0n) return vectorsOf(new Map(), nIn, L, L + 1);
  const [, hi] = formatRange(spec.input);
  const one = hi >= 1n ? 1n : -1n;
  for (const v of new Set([...a.terms.keys(), ...b.terms.keys()])) {
    if ((((a.terms.get(v) ?? 0n) - (b.terms.get(v) ?? 0n)) & m) !== 0n) return vectorsOf(new Map([[v, one]]), nIn, L, L + 1);
  }
  return vectorsOf(new Map(), nIn, L, L + 1);
}

/** The inputs at the failed bounds, then random ones, through both netlists: the first that differs. */
function searchInputs(
  s: { gate: Side; gold: Side },
  fg: LinearResult,
  fo: LinearResult,
  spec: Spec,
  L: number,
  confirm: (s: { gate: Side; gold: Side }, inputs: bigint[][]) => Counterexample | null,
): Counterexample | null {
  const nIn = inputCount(spec);
  const cycles = 2 * L + 1;
  for (const res of [fg, fo]) {
    if (res.ok) continue;
    for (const wit of res.witnesses) {
      // the bound's cell may sit anywhere in the pipeline: try it seen at each cycle up to L
      for (let at = 0; at <= L; at++) {
        const cex = confirm(s, vectorsOf(wit, nIn, at + L, cycles));
        if (cex) return cex;
      }
    }
  }
  const draw = new Rng(1).bigSampler(...formatRange(spec.input));
  const seq: bigint[][] = [];
  for (let k = 0; k < RANDOM_TRIES; k++) seq.push(Array.from({ length: nIn }, draw));
  return confirm(s, seq);
}
