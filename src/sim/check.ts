import { compile } from '../compile.js';
import type { CompileOptions, CompileResult } from '../compile.js';
import type { Spec } from '../spec/parse.js';
import { compareWithGolden, withFlush } from './compare.js';
import type { CompareResult } from './compare.js';
import { inputCount, referenceOf } from './golden.js';
import { compileNetlist } from './netlist-sim.js';
import { testVectors } from './vectors.js';

export interface SimulateOptions extends Omit<CompileOptions, 'log'> {
  latency?: number;
  vectors?: number;
  seed?: number;
}

export interface SimulateResult {
  compile: CompileResult;
  compare: CompareResult;
  mode: 'number' | 'bigint';
}

/** Compile the spec, run extreme and random vectors through the netlist simulator, compare with W·x (or the network's reference model). */
export function simulateSpec(spec: Spec, opts: SimulateOptions = {}): SimulateResult {
  const { vectors: _v, seed: _s, ...copts } = opts;
  const r = compile(spec, copts);
  const nIn = inputCount(spec);
  const vecs = testVectors(nIn, spec.input, opts.vectors ?? 1000, opts.seed ?? 1);
  const sim = compileNetlist(r.netlist);
  const ys = sim.run(withFlush(vecs, nIn, r.netlist.latency));
  return { compile: r, compare: compareWithGolden(referenceOf(spec), vecs, ys, r.netlist.latency), mode: sim.mode };
}
