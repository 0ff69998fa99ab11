import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { compile } from '../../src/flows/compile.js';
import { checkProveOptions, proveEquivalence } from '../../src/flows/prove.js';
import type { ProofResult } from '../../src/flows/prove.js';
import { matVec } from '../../src/sim/reference.js';
import { parseSpec } from '../../src/spec/parse.js';
import { matrixSpec } from '../../src/spec/spec.js';
import type { Spec } from '../../src/spec/spec.js';
import { runMain } from '../helpers/cli.js';

// check --prove: every test reads Verilog with the WebAssembly Yosys (a few seconds each).
const fixture = fileURLToPath(new URL('../fixtures/rand_i8_8x8.json', import.meta.url));
const spec8 = parseSpec(readFileSync(fixture, 'utf8'), 'rand_i8_8x8.json');
const W8 = (spec8.layers[0] as { weights: bigint[][] }).weights;

/** A counterexample checked against W·x computed here (not by either netlist): the design's value differs. */
function expectRealCounterexample(p: ProofResult, W: bigint[][], L: number): void {
  expect(p.status).toBe('counterexample');
  const c = p.counterexample!;
  expect(c.cycle).toBeGreaterThanOrEqual(L);
  const x = c.inputs[c.cycle - L]!;
  const y = matVec(W, x);
  const wo = 2n ** 18n;
  // the baseline's value is W·x (modulo the output width), and the corrupted design's is not
  expect(BigInt.asIntN(18, c.expected)).toBe(BigInt.asIntN(18, y[c.output]! % wo));
  expect(c.got).not.toBe(c.expected);
}

/** The emitted Verilog with the last `from` replaced by `to`. */
function corrupt(verilog: string, from: string, to: string): string {
  const i = verilog.lastIndexOf(from);
  expect(i).toBeGreaterThan(0);
  return verilog.slice(0, i) + to + verilog.slice(i + from.length);
}

/** The emitted Verilog with the first + of its last adder assignment (assign aN = … + …) made a −. */
function flipAdder(verilog: string): string {
  const lines = verilog.split('\n');
  const k = lines.map((l, i) => (/^\s*assign a\d+ = .* \+ /.test(l) ? i : -1)).filter((i) => i >= 0).pop();
  expect(k).toBeDefined();
  lines[k!] = lines[k!]!.replace(' + ', ' - ');
  return lines.join('\n');
}

describe('check --prove: the emitted module equals the hand-written W*x for all inputs', () => {
  it('proves rand_i8_8x8 at latency 2 by exact linear forms, and the CLI says PROVEN', async () => {
    const cli = await runMain(['check', fixture, '--latency', '2', '--prove', '-q', '-n', '20']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^PROVEN rand_i8_8x8\.json: for every input sequence, from cycle 2 on, every output equals the hand-written W\*x module's \(linear forms, /m);
    expect(cli.stdout).toMatch(/each of the 8 outputs is the same exact linear form \(64 terms in all\) of the inputs 2 cycles earlier/);
  });

  it('finds a counterexample in a corrupted design (an adder made a subtracter), with the inputs', async () => {
    const r = compile(spec8, { latency: 2 });
    const bad = { ...r, verilog: flipAdder(r.verilog) };
    const p = await proveEquivalence(bad, spec8);
    expectRealCounterexample(p, W8, 2);
    expect(p.counterexample!.inputs.length).toBe(p.counterexample!.cycle + 1);
  });

  it('finds a counterexample when a carry-in is dropped (off by one, for some inputs only)', async () => {
    const r = compile(spec8, { latency: 0 });
    const p = await proveEquivalence({ ...r, verilog: corrupt(r.verilog, " + 1'b1;", ';') }, spec8);
    expectRealCounterexample(p, W8, 0);
  });

  it('a signed input zero-extended is not linear: the input at the bound that fails is tried, and differs', async () => {
    const r = compile(spec8, { latency: 1 });
    const p = await proveEquivalence({ ...r, verilog: r.verilog.replace('{x0[7], x0}', "{1'b0, x0}") }, spec8);
    expect(p.method).toBe('simulation');
    expectRealCounterexample(p, W8, 1);
  });

  it("Yosys's SAT solver alone proves a 2×2 design with 4-bit inputs, and refutes its corruption with inputs from its model", async () => {
    const W = [[5n, -3n], [7n, 2n]];
    const spec: Spec = matrixSpec('m2x2', { width: 4, signed: true }, W);
    const r = compile(spec, { latency: 1 });
    const ok = await proveEquivalence(r, spec, { method: 'sat', timeoutSeconds: 120 });
    expect(ok.status).toBe('proven');
    expect(ok.method).toBe('sat');
    const bad = await proveEquivalence({ ...r, verilog: flipAdder(r.verilog) }, spec, { method: 'sat', timeoutSeconds: 120 });
    expect(bad.status).toBe('counterexample');
    const c = bad.counterexample!;
    expect(c.expected).not.toBe(c.got);
    // the model's inputs, decoded, give W·x in the baseline
    const y = matVec(W, c.inputs[c.cycle - 1]!);
    expect(BigInt.asIntN(r.netlist.ports.outputWidth, c.expected)).toBe(BigInt.asIntN(r.netlist.ports.outputWidth, y[c.output]!));
  });

  it('refuses a network: there is no W*x module to equal (exit 2, before any work)', async () => {
    const net = fileURLToPath(new URL('../../examples/jet-tagger.json', import.meta.url));
    const cli = await runMain(['check', net, '--prove']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--prove compares the design with the hand-written W\*x module, which only a single matrix has/);
    const spec = parseSpec(readFileSync(net, 'utf8'), 'jet-tagger.json');
    expect(() => checkProveOptions(spec)).toThrow(UsageError);
  });
});
