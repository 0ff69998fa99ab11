import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { compile } from '../../src/flows/compile.js';
import type { CompileResult } from '../../src/flows/compile.js';
import { lowerNetlist } from '../../src/rtl/lower.js';
import type { LoweredNetlist } from '../../src/rtl/lower.js';
import { buildNetlist, signalOperands } from '../../src/rtl/netlist.js';
import { compileNetlist } from '../../src/sim/netlist-sim.js';
import { testVectors } from '../../src/sim/vectors.js';
import { compileNetlistWasm, evaluationOrder, reductionsNeeded, simulatorFor, WASM_BATCH } from '../../src/sim/wasm-sim.js';
import type { FastNetlistSim } from '../../src/sim/wasm-sim.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { Spec } from '../../src/spec/spec.js';
import { designText, randomDesign } from '../../bench/property-gen.mjs';

/**
 * The WebAssembly simulator (src/sim/wasm-sim.ts) against the JavaScript one (netlist-sim.ts):
 * two implementations of the netlist's cycle semantics, written apart, on the same vectors.
 * (Both are also checked against the reference model: the JavaScript one in netlist-sim.test.ts,
 * the WebAssembly one through `da-gen sim` in every flow and property test.)
 */

const examples = join(__dirname, '..', '..', 'examples');

/**
 * An example compiled once (at the latency first asked for), and its netlist at any latency:
 * the search for the graph does not depend on the latency (compile runs it before the netlist
 * is cut into register ranks), so the others are compile's own steps on the same graph,
 * without seconds of search again for axol1tl and the ternary tagger.
 */
const examplesCompiled = new Map<string, { spec: Spec; r: CompileResult }>();
function example(f: string, latency: number): { spec: Spec; netlist: LoweredNetlist } {
  let e = examplesCompiled.get(f);
  if (e === undefined) {
    const spec = parseSpec(readFileSync(join(examples, f), 'utf8'), f);
    e = { spec, r: compile(spec, { latency }) };
    examplesCompiled.set(f, e);
  }
  const { spec, r } = e;
  return { spec, netlist: r.netlist.latency === latency ? r.netlist : lowerNetlist(buildNetlist(r.graph, spec.name, latency)) };
}

function wasmOf(f: string, latency: number): { spec: Spec; sim: FastNetlistSim; js: ReturnType<typeof compileNetlist>; netlist: LoweredNetlist } {
  const { spec, netlist } = example(f, latency);
  const sim = compileNetlistWasm(netlist);
  if (sim === null) throw new Error(`${spec.name}: no WebAssembly simulator`);
  return { spec, sim, js: compileNetlist(netlist), netlist };
}

describe('the WebAssembly simulator equals the JavaScript one', () => {
  it('on 150 random designs of the property generator (matrices and networks of every layer kind, latencies 0–4)', () => {
    let checked = 0;
    for (let k = 0; k < 150; k++) {
      const d = randomDesign(lib, 23, k, { vectors: 40 });
      const spec = parseSpec(designText(d), `design-${k}.json`);
      const r = compile(spec, d.options);
      const sim = compileNetlistWasm(r.netlist);
      if (sim === null) continue;
      const vecs = testVectors(r.netlist.ports.nIn, spec.input, 40, k);
      expect(sim.run(vecs), `design ${k}: ${designText(d).slice(0, 300)}`).toEqual(compileNetlist(r.netlist).run(vecs));
      checked++;
    }
    expect(checked).toBeGreaterThan(140);
  });

  it('on the examples, whose networks are cut into several functions, at latencies 0 and 3', () => {
    const blocks = new Set<number>();
    for (const f of ['axol1tl.json', 'ternary-tagger.json', 'encoder.json']) {
      for (const L of [0, 3]) {
        const { spec, sim, js, netlist } = wasmOf(f, L);
        const vecs = testVectors(netlist.ports.nIn, spec.input, 300, L + 1);
        expect(sim.run(vecs), `${f} at latency ${L}`).toEqual(js.run(vecs));
        blocks.add(Number(/blocks of (\d+) cycles/.exec(sim.source)![1]));
      }
    }
    // the cycles per block shrink as more signals are kept in memory: among these, a block
    // shorter than the longest, and one that does not divide the 300 cycles
    expect(Math.min(...blocks)).toBeLessThan(Math.max(...blocks));
    expect([...blocks].some((b) => b > 1 && 300 % b !== 0)).toBe(true);
    // (the netlists at the second latency are compile's own: see `example`)
    const { spec, netlist } = example('encoder.json', 3);
    expect(netlist).toEqual(compile(spec, { latency: 3 }).netlist);
  });

  it('keeps its registers across batches and calls: a stream fed in uneven blocks equals one run', () => {
    const { spec, sim, js, netlist } = wasmOf('encoder.json', 2);
    const n = WASM_BATCH * 2 + 77;
    const vecs = testVectors(netlist.ports.nIn, spec.input, n, 5);
    const whole = js.run(vecs);
    expect(sim.run(vecs)).toEqual(whole);
    const s = sim.stream();
    const got: bigint[][] = [];
    for (const [from, to] of [
      [0, 1],
      [1, 3000],
      [3000, n],
    ] as const) got.push(...s.run(vecs.slice(from, to)));
    expect(got).toEqual(whole);
    // the typed stream: numbers in, numbers out, batch by batch
    const t = sim.typedStream();
    const nIn = netlist.ports.nIn;
    const nY = netlist.ports.nOut;
    for (let from = 0; from < n; from += WASM_BATCH) {
      const T = Math.min(WASM_BATCH, n - from);
      const x = new Float64Array(T * nIn);
      for (let i = 0; i < T * nIn; i++) x[i] = Number(vecs[from + Math.floor(i / nIn)]![i % nIn]!);
      const out = t.runTyped(x, T);
      for (let c = 0; c < T; c++) for (let o = 0; o < nY; o++) expect(BigInt(out.y[c * nY + o]!)).toBe(whole[from + c]![o]);
      if (out.score) for (let c = 0; c < T; c++) expect(BigInt(out.score[c]!)).toBe(whole[from + c]![nY]);
    }
  });
});

describe('the order of evaluation', () => {
  it('a pipeline is computed in blocks of cycles, each signal after its operands and each register after its source', () => {
    const { netlist } = example('encoder.json', 3);
    const order = evaluationOrder(netlist, true)!;
    expect([...order].sort((a, b) => a - b)).toEqual(netlist.signals.map((_, i) => i));
    const at = new Map(order.map((i, k) => [i, k]));
    netlist.signals.forEach((s, i) => {
      for (const a of signalOperands(s)) if (a >= 0) expect(at.get(a)!, `signal ${i} reads ${a}`).toBeLessThan(at.get(i)!);
    });
  });

  it('a loop through a register (which da-gen never builds) is computed one cycle at a time, and equals the JavaScript simulator', () => {
    // an adder that feeds a register is made to read that register: an accumulator-like loop
    const { spec, netlist } = example('encoder.json', 2);
    const sigs = netlist.signals;
    const r = sigs.findIndex((s, i) => s.kind === 'reg' && sigs[s.a]!.kind === 'add' && sigs.some((t) => t.kind === 'reg' && t.a === i) === false);
    expect(r).toBeGreaterThanOrEqual(0);
    const src = (sigs[r] as { a: number }).a;
    const looped = { ...netlist, signals: sigs.map((s, i) => (i === src && s.kind === 'add' ? { ...s, b: r, shiftB: 0 } : s)) };
    expect(evaluationOrder(looped, true)).toBeNull();
    expect(evaluationOrder(looped, false)).not.toBeNull();
    const sim = compileNetlistWasm(looped)!;
    const vecs = testVectors(netlist.ports.nIn, spec.input, 300, 9);
    const whole = compileNetlist(looped).run(vecs);
    // the loop changes the outputs (so it is simulated, not lost)
    expect(whole).not.toEqual(compileNetlist(netlist).run(vecs));
    expect(sim.run(vecs)).toEqual(whole);
    const s = sim.stream();
    expect([...s.run(vecs.slice(0, 7)), ...s.run(vecs.slice(7))]).toEqual(whole);
  });
});

describe('reductions to a width: left out only where they cannot change a value', () => {
  it('a netlist with an adder one bit too narrow still shows the wrap, as the JavaScript simulator does', () => {
    const spec = parseSpec(JSON.stringify({ format: 1, name: 'narrow', input: { width: 8, signed: true }, weights: [[3, 5, -7], [1, 1, 1]] }), 'narrow.json');
    const r = compile(spec, { latency: 1 });
    const k = r.netlist.signals.findIndex((s) => s.kind === 'add' || s.kind === 'sub');
    expect(k).toBeGreaterThanOrEqual(0);
    expect(reductionsNeeded(r.netlist).needed[k]).toBe(0);
    const s = r.netlist.signals[k]!;
    const broken = { ...r.netlist, signals: r.netlist.signals.map((x, i) => (i === k ? { ...x, width: s.width - 1 } : x)) };
    expect(reductionsNeeded(broken).needed[k]).toBe(1);
    const vecs = testVectors(3, spec.input, 300, 2);
    const wasm = compileNetlistWasm(broken)!.run(vecs);
    expect(wasm).toEqual(compileNetlist(broken).run(vecs));
    // and it is wrong: the narrowed adder wraps on some vectors
    expect(wasm).not.toEqual(compileNetlistWasm(r.netlist)!.run(vecs));
  });

  it('an exact design keeps few reductions: those its operands\' independent intervals cannot rule out', () => {
    // the intervals take operands as independent, so 4·a − a (a shared term) looks wider than
    // the 3·a it is: such a signal keeps its reduction (sound, a little slower)
    for (const f of ['encoder.json', 'axol1tl.json']) {
      const { netlist } = example(f, 2);
      const { needed, interval } = reductionsNeeded(netlist);
      let logic = 0;
      let kept = 0;
      netlist.signals.forEach((s, i) => {
        if (s.kind === 'input' || s.kind === 'reg') return;
        logic++;
        if (needed[i]) kept++;
        // an interval never claims less than the design's own exact range
        else expect(interval[i]!.lo <= s.lo && interval[i]!.hi >= s.hi, `${f} signal ${i}`).toBe(true);
      });
      expect(kept / logic, f).toBeLessThan(0.15);
    }
  });
});

describe('when WebAssembly cannot hold a value', () => {
  it('values beyond 63 bits: no WebAssembly simulator, and simulatorFor gives the BigInt one', () => {
    const spec = parseSpec(JSON.stringify({ format: 1, name: 'big', input: { width: 32, signed: true }, weights: [[String((1n << 62n) - 3n), '5']] }), 'big.json');
    const r = compile(spec, { latency: 1 });
    expect(compileNetlistWasm(r.netlist)).toBeNull();
    expect(simulatorFor(r.netlist).mode).toBe('bigint');
  });

  it('an ordinary design gets the WebAssembly one', () => {
    const spec = parseSpec(readFileSync(join(examples, 'encoder.json'), 'utf8'), 'encoder.json');
    expect(simulatorFor(compile(spec, { latency: 1 }).netlist).mode).toBe('wasm');
  });
});
