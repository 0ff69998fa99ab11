import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import type { CompileResult } from '../../src/flows/compile.js';
import { simulateInIcarus } from '../../src/flows/verify.js';
import type { Ports } from '../../src/rtl/netlist.js';
import { emitBaselineVerilog } from '../../src/rtl/verilog/baseline.js';
import { compareWithReference, withFlush } from '../../src/sim/compare.js';
import { matrixReference } from '../../src/sim/reference.js';
import { testVectors } from '../../src/sim/vectors.js';
import { compileYosysJson, YosysJsonError } from '../../src/sim/yosys-json-sim.js';
import { parseSpec } from '../../src/spec/parse.js';
import { matrix, matrixCase } from '../helpers/random.js';
import { haveTool } from '../helpers/tools.js';
import { yosysJson, yosysJsonCheck } from '../helpers/yosys-json.js';

// The emitted Verilog text, read by Yosys (WebAssembly, from npm) into its JSON netlist, and that
// netlist simulated cycle by cycle: the text must mean W·x as a real front end reads it.

const BENCH = fileURLToPath(new URL('../../../shared/bench/', import.meta.url));
const FILES = ['rand_i8_8x8.json', 'rand_i8_16x16.json', 'rand_i8_32x32.json', 'sparse_i4_16x16.json', 'mcm_i12_32x1.json'];
const benchHere = existsSync(BENCH);
if (!benchHere && process.env.CI) throw new Error(`${BENCH} is missing: CI must simulate the benchmark files`);
if (!benchHere) console.warn(`\n*** SKIPPED: ${BENCH} is not there, so the benchmark files are not simulated through Yosys JSON ***\n`);

type Json = Record<string, any>;

const clone = (v: unknown): Json => structuredClone(v) as Json;
const cellsOf = (json: unknown, top: string): Record<string, Json> => (json as Json)['modules'][top]['cells'] as Record<string, Json>;
const cellTypes = (json: unknown, top: string): Set<string> => new Set(Object.values(cellsOf(json, top)).map((c) => c['type'] as string));

/** A hand-written module's name and ports: x of nIn × inputWidth bits, y of nOut × outputWidth bits, no score. */
interface Design {
  module: string;
  ports: Ports;
}
const handDesign = (module: string, nIn: number, inputWidth: number, nOut: number, outputWidth: number, signed: { input?: boolean; output?: boolean } = {}): Design => ({
  module,
  ports: { nIn, inputWidth, inputSigned: signed.input ?? false, nOut, outputWidth, outputSigned: signed.output ?? false, scoreWidth: null },
});

describe.runIf(benchHere)('benchmark files: emitted Verilog → Yosys JSON → simulation equals W·x', () => {
  const netlists = new Map<string, { r: CompileResult; json: unknown }>();
  for (const f of FILES) {
    // every latency on the smallest file; the others at 0 and 3 (each run is seconds of Yosys)
    for (const latency of f === 'rand_i8_8x8.json' ? [0, 1, 2, 3] : [0, 3]) {
      it(`${f} at latency ${latency}`, async () => {
        const spec = matrix(parseSpec(readFileSync(BENCH + f, 'utf8'), f));
        const r = compile(spec, { latency, effort: 1 });
        const json = await yosysJson(r.verilog, spec.name);
        netlists.set(`${f}@${latency}`, { r, json });
        const types = cellTypes(json, spec.name);
        expect(types.has('$mul')).toBe(false);
        expect(types.has('$dff')).toBe(latency > 0);
        const vecs = testVectors(spec.weights[0]!.length, spec.input, 60, 300 + latency);
        const sim = compileYosysJson(json, spec.name, r.netlist.ports);
        const ys = sim.run(withFlush(vecs, r.netlist.ports.nIn, latency));
        // Before the L-th edge the registers are unknown, like Icarus's 'x'.
        expect(ys.slice(0, latency).every((y) => y === null)).toBe(true);
        const c = compareWithReference(matrixReference(spec.weights), vecs, ys, latency);
        expect(c.mismatches).toEqual([]);
        expect(c.vectors).toBe(60);
      });
    }
  }

  it('a 32×32 design (> 1000 cells) compiles and runs 100 vectors (its time is printed, not asserted: speed belongs to benchmarks)', async () => {
    const f = 'rand_i8_32x32.json';
    const spec = matrix(parseSpec(readFileSync(BENCH + f, 'utf8'), f));
    let d = netlists.get(`${f}@3`);
    if (!d) {
      const r = compile(spec, { latency: 3, effort: 1 });
      d = { r, json: await yosysJson(r.verilog, spec.name) };
    }
    expect(Object.keys(cellsOf(d.json, spec.name)).length).toBeGreaterThan(1000);
    const vecs = testVectors(32, spec.input, 100, 9);
    const t0 = performance.now();
    const ys = compileYosysJson(d.json, spec.name, d.r.netlist.ports).run(withFlush(vecs, 32, 3));
    const ms = performance.now() - t0;
    expect(compareWithReference(matrixReference(spec.weights), vecs, ys, 3).mismatches).toEqual([]);
    console.log(`Yosys JSON simulation of ${f} (${Object.keys(cellsOf(d.json, spec.name)).length} cells), ${vecs.length + 3} cycles: ${ms.toFixed(0)} ms`);
  });
});

const SMALL = matrixCase('small', { width: 6, signed: true }, [
  [3n, -5n, 7n, 0n, 1n],
  [12n, 7n, -1n, 9n, 0n],
  [5n, 5n, 5n, 5n, 5n],
  [-11n, 13n, 2n, -3n, 21n],
]);

describe('a corrupted netlist is caught', () => {
  let cached: { r: CompileResult; json: unknown } | undefined;
  const design = async (): Promise<{ r: CompileResult; json: unknown }> => {
    if (!cached) {
      const r = compile(SMALL, { latency: 1 });
      cached = { r, json: await yosysJson(r.verilog, SMALL.name) };
    }
    return cached;
  };
  const vecs = testVectors(5, SMALL.input, 60, 7);

  it('the intact netlist passes (control)', async () => {
    const { r, json } = await design();
    expect(yosysJsonCheck(json, r, SMALL.weights, vecs).mismatches).toEqual([]);
  });

  it('turning any one $add into $sub (subtractions are written as a + ~b + 1), or dropping any inversion, gives mismatches', async () => {
    const { r, json } = await design();
    const names = Object.entries(cellsOf(json, SMALL.name))
      .filter(([, c]) => c['type'] === '$add' || c['type'] === '$sub')
      .map(([n]) => n);
    expect(names.length).toBeGreaterThan(3);
    const flips = new Set<string>();
    for (const name of names) {
      const bad = clone(json);
      const cell = cellsOf(bad, SMALL.name)[name]!;
      cell['type'] = cell['type'] === '$add' ? '$sub' : '$add';
      flips.add(cell['type'] as string);
      const c = yosysJsonCheck(bad, r, SMALL.weights, vecs);
      expect(c.pass, `${name} flipped to ${cell['type']}`).toBe(false);
      expect(c.errors).toBeGreaterThan(0);
    }
    expect(flips.has('$sub')).toBe(true);
    const nots = Object.entries(cellsOf(json, SMALL.name))
      .filter(([, c]) => c['type'] === '$not')
      .map(([n]) => n);
    expect(nots.length).toBeGreaterThan(0);
    for (const name of nots) {
      const bad = clone(json);
      cellsOf(bad, SMALL.name)[name]!['type'] = '$pos';
      expect(yosysJsonCheck(bad, r, SMALL.weights, vecs).pass, `${name} without its inversion`).toBe(false);
    }
  });

  it('registers: a falling-edge capture has the same timing here; a register that holds its own output is caught', async () => {
    const { r, json } = await design();
    const bad = clone(json);
    const dff = Object.values(cellsOf(bad, SMALL.name)).find((c) => c['type'] === '$dff')!;
    dff['parameters']['CLK_POLARITY'] = '0';
    expect(yosysJsonCheck(bad, r, SMALL.weights, vecs).pass).toBe(true);
    // Rewire the register's D to its own Q: it keeps its unknown start value forever.
    dff['connections']['D'] = dff['connections']['Q'];
    const c = yosysJsonCheck(bad, r, SMALL.weights, vecs);
    expect(c.pass).toBe(false);
    expect(c.mismatches[0]!.got).toBeNull();
  });

  it('an unknown cell type is a YosysJsonError naming it and the cell', async () => {
    const { r, json } = await design();
    const bad = clone(json);
    const [name, cell] = Object.entries(cellsOf(bad, SMALL.name)).find(([, c]) => c['type'] === '$add')!;
    cell['type'] = '$frobnicate';
    const go = (): unknown => compileYosysJson(bad, SMALL.name, r.netlist.ports);
    expect(go).toThrow(YosysJsonError);
    expect(go).toThrow(/\$frobnicate/);
    expect(go).toThrow(name);
  });

  it('bad documents, missing or mis-sized ports and widths are YosysJsonErrors', async () => {
    const { r, json } = await design();
    const ports = r.netlist.ports;
    expect(() => compileYosysJson(null, 'small', ports)).toThrow(/not a Yosys JSON netlist/);
    expect(() => compileYosysJson(json, 'other', ports)).toThrow(/no module "other".*small/);
    const noY = clone(json);
    delete noY.modules.small.ports.y;
    expect(() => compileYosysJson(noY, 'small', ports)).toThrow(/port y is missing/);
    expect(() => compileYosysJson(json, 'small', { ...ports, nOut: ports.nOut + 1 })).toThrow(/port y has \d+ bits, expected/);
    const extra = clone(json);
    extra.modules.small.ports.rst = { direction: 'input', bits: [9999] };
    expect(() => compileYosysJson(extra, 'small', ports)).toThrow(/unexpected port rst/);
    // a score port: required when the ports have one, unexpected otherwise
    expect(ports.scoreWidth).toBeNull();
    expect(() => compileYosysJson(json, 'small', { ...ports, scoreWidth: 4 })).toThrow(/port score is missing/);
    const scored = clone(json);
    scored.modules.small.ports.score = { direction: 'output', bits: [9998] };
    expect(() => compileYosysJson(scored, 'small', ports)).toThrow(/unexpected port score/);
    const width = clone(json);
    const [name, add] = Object.entries(cellsOf(width, 'small')).find(([, c]) => c['type'] === '$add')!;
    add['parameters']['A_WIDTH'] = 99;
    expect(() => compileYosysJson(width, 'small', ports)).toThrow(new RegExp(`${name.replace(/[$.]/g, '\\$&')}.*port A has \\d+ bits, expected 99`));
    const param = clone(json);
    cellsOf(param, 'small')[name]!['parameters']['B_SIGNED'] = 'yes';
    expect(() => compileYosysJson(param, 'small', ports)).toThrow(/B_SIGNED/);
  });

  it('a combinational loop is a YosysJsonError', () => {
    const { ports } = handDesign('loop', 1, 1, 1, 1);
    const not = (a: number, y: number): Json => ({ type: '$not', parameters: { A_SIGNED: 0, A_WIDTH: 1, Y_WIDTH: 1 }, connections: { A: [a], Y: [y] } });
    const json = { modules: { loop: { ports: { x: { direction: 'input', bits: [2] }, y: { direction: 'output', bits: [3] } }, cells: { n1: not(3, 4), n2: not(4, 3) } } } };
    expect(() => compileYosysJson(json, 'loop', ports)).toThrow(/combinational loop.*n1|combinational loop.*n2/);
    // Cut the loop: n1 reads x instead; then y = x.
    json.modules.loop.cells.n1 = not(2, 4);
    expect(compileYosysJson(json, 'loop', ports).run([[0n], [1n]])).toEqual([[0n], [1n]]);
  });
});

/** Run hand-written Verilog through Yosys and the JSON simulator. */
async function simulate(verilog: string, d: Design, vectors: bigint[][]): Promise<{ ys: (bigint[] | null)[]; types: Set<string>; json: unknown }> {
  const json = await yosysJson(verilog, d.module);
  return { ys: compileYosysJson(json, d.module, d.ports).run(vectors), types: cellTypes(json, d.module), json };
}

/** Run hand-written Verilog through Icarus, one vector per cycle. */
function icarus(verilog: string, d: Design, vectors: bigint[][]): Promise<(bigint[] | null)[]> {
  return simulateInIcarus(verilog, d, vectors);
}

// Registers: two posedge ranks, one negedge register, one with an init value.
const DLY_PORTS = handDesign('dly', 1, 4, 5, 4);
const DLY = `module dly (input wire clk, input wire [3:0] x, output wire [19:0] y);
  reg [3:0] r1, r2, rn;
  reg [3:0] ri = 4'd9;
  always @(posedge clk) begin
    r1 <= x;
    r2 <= r1;
    ri <= x;
  end
  always @(negedge clk) rn <= x;
  assign y[3:0] = x;
  assign y[7:4] = r1;
  assign y[11:8] = r2 + 4'd1;
  assign y[15:12] = rn;
  assign y[19:16] = ri;
endmodule
`;
const INI_PORTS = handDesign('ini', 1, 4, 2, 4);
const INI = `module ini (input wire clk, input wire [3:0] x, output wire [7:0] y);
  reg [3:0] ri = 4'd9;
  always @(posedge clk) ri <= x;
  assign y = {x, ri};
endmodule
`;

const u = BigInt.asUintN;
const s = BigInt.asIntN;

// Every (a, b) of two 4-bit inputs; each output field is 6 bits, unsigned.
const EXPRS: { v: string; want: (a: bigint, b: bigint) => bigint }[] = [
  // a is signed, b unsigned: mixed, so the sum is unsigned and a is zero-extended.
  { v: 'a + b', want: (a, b) => u(6, a + b) },
  // a and c (= b's bits, signed) both signed: sign-extended to 6 bits.
  { v: 'a + c', want: (a, b) => u(6, s(4, a) + s(4, b)) },
  { v: 'a - b', want: (a, b) => u(6, a - b) },
  { v: 'a - c', want: (a, b) => u(6, s(4, a) - s(4, b)) },
  { v: '-a', want: (a) => u(6, -s(4, a)) },
  { v: '-b', want: (_a, b) => u(6, -b) },
  { v: 't3', want: (a, b) => u(3, a + b) }, // truncated to 3 bits, then zero-extended
  { v: 'n3', want: (a) => u(3, -s(4, a)) },
  { v: 'a * c', want: (a, b) => u(6, s(4, a) * s(4, b)) },
  { v: 'a * b', want: (a, b) => u(6, a * b) },
  { v: 'a >>> 1', want: (a) => u(6, s(4, a) >> 1n) },
  { v: 'a >> 1', want: (a) => u(6, u(6, s(4, a)) >> 1n) },
  { v: 'b >>> 1', want: (_a, b) => b >> 1n },
  { v: 'a <<< 2', want: (a) => u(6, s(4, a) << 2n) },
  { v: 'b << 3', want: (_a, b) => u(6, b << 3n) },
  { v: 'a >>> b[2:0]', want: (a, b) => u(6, s(4, a) >> (b & 7n)) },
  { v: 'c >> a[1:0]', want: (a, b) => u(6, s(4, b)) >> (a & 3n) },
  { v: 'b << a[2:0]', want: (a, b) => u(6, b << (a & 7n)) },
  { v: 'a & c', want: (a, b) => u(6, s(4, a) & s(4, b)) },
  { v: 'a | b', want: (a, b) => a | b },
  { v: 'a ^ c', want: (a, b) => u(6, s(4, a) ^ s(4, b)) },
  { v: 'a ~^ b', want: (a, b) => u(6, ~(a ^ b)) },
  { v: '~a', want: (a) => u(6, ~s(4, a)) },
  { v: '~b', want: (_a, b) => u(6, ~b) },
  { v: 'a == c', want: (a, b) => (a === b ? 1n : 0n) },
  { v: 'a != b', want: (a, b) => (a !== b ? 1n : 0n) },
  { v: 'a < c', want: (a, b) => (s(4, a) < s(4, b) ? 1n : 0n) },
  { v: 'a < b', want: (a, b) => (a < b ? 1n : 0n) },
  { v: 'a <= c', want: (a, b) => (s(4, a) <= s(4, b) ? 1n : 0n) },
  { v: 'a > c', want: (a, b) => (s(4, a) > s(4, b) ? 1n : 0n) },
  { v: 'a >= b', want: (a, b) => (a >= b ? 1n : 0n) },
  { v: 'b[0] ? a : c', want: (a, b) => u(6, (b & 1n) !== 0n ? s(4, a) : s(4, b)) },
  { v: '&a', want: (a) => (a === 15n ? 1n : 0n) },
  { v: '|b', want: (_a, b) => (b !== 0n ? 1n : 0n) },
  { v: '^b', want: (_a, b) => BigInt(b.toString(2).split('1').length % 2 === 0 ? 1 : 0) },
  { v: '~^a', want: (a) => BigInt(a.toString(2).split('1').length % 2) },
  { v: '!a', want: (a) => (a === 0n ? 1n : 0n) },
  { v: 'a && b', want: (a, b) => (a !== 0n && b !== 0n ? 1n : 0n) },
  { v: 'a || b', want: (a, b) => (a !== 0n || b !== 0n ? 1n : 0n) },
  { v: '+a', want: (a) => u(6, s(4, a)) },
  { v: 'x[b[1:0] +: 4]', want: (a, b) => ((a | (b << 4n)) >> (b & 3n)) & 15n }, // $shiftx
];

describe('cell semantics on hand-written Verilog through Yosys', () => {
  const SEM_PORTS = handDesign('sem', 2, 4, EXPRS.length, 6);
  const SEM = `module sem (input wire clk, input wire [7:0] x, output wire [${6 * EXPRS.length - 1}:0] y);
  wire signed [3:0] a = x[3:0];
  wire [3:0] b = x[7:4];
  wire signed [3:0] c = x[7:4];
  wire [2:0] t3 = a + b;
  wire [2:0] n3 = -a;
${EXPRS.map((e, k) => `  assign y[${6 * k + 5}:${6 * k}] = ${e.v};`).join('\n')}
endmodule
`;
  const ALL: bigint[][] = [];
  for (let b = 0n; b < 16n; b++) for (let a = 0n; a < 16n; a++) ALL.push([s(4, a), b]);

  it('extension, truncation, $neg, $mul, shifts, logic, comparisons, $mux, reductions: all 256 inputs', async () => {
    const { ys, types, json } = await simulate(SEM, SEM_PORTS, ALL);
    for (const t of ['$add', '$sub', '$neg', '$mul', '$sshr', '$shr', '$shl', '$and', '$or', '$xor', '$xnor', '$not', '$eq', '$ne', '$lt', '$le', '$gt', '$ge', '$mux', '$reduce_and', '$reduce_or', '$reduce_xor', '$reduce_xnor', '$logic_not', '$logic_and', '$logic_or', '$shiftx']) {
      expect(types.has(t), t).toBe(true);
    }
    // Both kinds of $add are there: unsigned (mixed operands) and signed.
    const adds = Object.values(cellsOf(json, 'sem')).filter((c) => c['type'] === '$add');
    const signedParam = (c: Json): number => Number(BigInt(`0b${c['parameters']['A_SIGNED']}`));
    expect(new Set(adds.map(signedParam))).toEqual(new Set([0, 1]));
    const bad: string[] = [];
    ALL.forEach(([sa, b], t) => {
      const a = u(4, sa!);
      EXPRS.forEach((e, k) => {
        const want = e.want(a, b!);
        const got = ys[t]?.[k];
        if (got !== want && bad.length < 10) bad.push(`${e.v} with a=${a} b=${b}: got ${got}, want ${want}`);
      });
    });
    expect(bad).toEqual([]);
  });

  it('cells the Yosys front end does not make here ($pos, $sshl, $shift, $buf, $reduce_bool, $shiftx out of range), from hand-written JSON', () => {
    // x = {b, a}: bits 2..5 are a, 6..9 are b. Parameters as JSON numbers (Yosys writes binary strings).
    const X = [2, 3, 4, 5, 6, 7, 8, 9];
    const A = X.slice(0, 4);
    const B = X.slice(4);
    let next = 100;
    const fresh = (n: number): number[] => Array.from({ length: n }, () => next++);
    const cells: Record<string, Json> = {};
    const yBits: (number | string)[] = [];
    const field = (type: string, parameters: Json, connections: Json, yw: number): void => {
      const Y = fresh(yw);
      cells[`c${Object.keys(cells).length}`] = { type, parameters, connections: { ...connections, Y } };
      yBits.push(...Y, ...new Array<string>(6 - yw).fill('0'));
    };
    const bin = (aSigned: number, bSigned: number, bw: number, yw: number): Json => ({ A_SIGNED: aSigned, B_SIGNED: bSigned, A_WIDTH: 4, B_WIDTH: bw, Y_WIDTH: yw });
    const want: ((a: bigint, b: bigint) => bigint)[] = [];
    field('$pos', { A_SIGNED: 1, A_WIDTH: 4, Y_WIDTH: 6 }, { A }, 6);
    want.push((a) => u(6, s(4, a)));
    field('$pos', { A_SIGNED: '0', A_WIDTH: '100', Y_WIDTH: '110' }, { A }, 6);
    want.push((a) => a);
    field('$sshl', bin(1, 0, 2, 6), { A, B: B.slice(0, 2) }, 6);
    want.push((a, b) => u(6, s(4, a) << (b & 3n)));
    field('$shift', bin(0, 1, 4, 6), { A, B }, 6);
    want.push((a, b) => (s(4, b) < 0n ? u(6, a << -s(4, b)) : a >> s(4, b)));
    field('$shift', bin(1, 0, 4, 6), { A, B }, 6);
    want.push((a, b) => u(6, s(4, a)) >> b);
    field('$buf', { WIDTH: 4 }, { A }, 4);
    want.push((a) => a);
    field('$reduce_bool', { A_SIGNED: 0, A_WIDTH: 4, Y_WIDTH: 2 }, { A }, 2);
    want.push((a) => (a !== 0n ? 1n : 0n));
    field('$mux', { WIDTH: 4 }, { A, B, S: [X[0]] }, 4);
    want.push((a, b) => ((a & 1n) !== 0n ? b : a));
    const json = { modules: { hand: { ports: { x: { direction: 'input', bits: X }, y: { direction: 'output', bits: yBits } }, cells } } };
    const { ports } = handDesign('hand', 2, 4, want.length, 6);
    const ALL: bigint[][] = [];
    for (let b = 0n; b < 16n; b++) for (let a = 0n; a < 16n; a++) ALL.push([a, b]);
    const ys = compileYosysJson(json, 'hand', ports).run(ALL);
    expect(ys).toEqual(ALL.map(([a, b]) => want.map((f) => f(a!, b!))));

    // $shiftx: Y = x[B +: 4] with B signed; bits outside x are 'x', so y is unknown (null).
    const sx = { modules: { sx: { ports: { x: { direction: 'input', bits: X }, y: { direction: 'output', bits: [50, 51, 52, 53] } }, cells: {
      s: { type: '$shiftx', parameters: { A_SIGNED: 0, B_SIGNED: 1, A_WIDTH: 8, B_WIDTH: 4, Y_WIDTH: 4 }, connections: { A: X, B: [10, 11, 12, 13], Y: [50, 51, 52, 53] } },
    } } } };
    // B comes from a second input field, bits 10..13 (x is 3 × 4 bits here).
    sx.modules.sx.ports.x.bits = [...X, 10, 11, 12, 13];
    const sxPorts = handDesign('sx', 3, 4, 1, 4).ports;
    const vecs: bigint[][] = [];
    for (let k = -8n; k < 8n; k++) vecs.push([5n, 12n, k]);
    const got = compileYosysJson(sx, 'sx', sxPorts).run(vecs);
    expect(got).toEqual(vecs.map(([lo, hi, k]) => (k! >= 0n && k! <= 4n ? [((lo! | (hi! << 4n)) >> k!) & 15n] : null)));
  });

  it.runIf(haveTool('iverilog', ['-V']))('agrees with Icarus Verilog on the same texts (combinational cells, registers, init values)', async () => {
    expect((await simulate(SEM, SEM_PORTS, ALL)).ys).toEqual(await icarus(SEM, SEM_PORTS, ALL));
    const xs = [3n, 14n, 0n, 7n, 15n, 1n].map((x) => [x]);
    expect((await simulate(DLY, DLY_PORTS, xs)).ys).toEqual(await icarus(DLY, DLY_PORTS, xs));
    expect((await simulate(INI, INI_PORTS, xs)).ys).toEqual(await icarus(INI, INI_PORTS, xs));
  });

  it('$dff delays by one cycle and starts unknown; init values and falling-edge registers', async () => {
    const xs = [3n, 14n, 0n, 7n, 15n, 1n];
    const { ys, types } = await simulate(DLY, DLY_PORTS, xs.map((x) => [x]));
    expect(types.has('$dff')).toBe(true);
    expect(ys[0]).toBeNull(); // r1, r2, rn unknown
    expect(ys[1]).toBeNull(); // r2 still unknown
    for (let t = 2; t < xs.length; t++) {
      expect(ys[t], `cycle ${t}`).toEqual([xs[t], xs[t - 1], u(4, xs[t - 2]! + 1n), xs[t - 1], xs[t - 1]]);
    }
    // A register with an init value is known from cycle 0 on.
    const r2 = await simulate(INI, INI_PORTS, xs.map((x) => [x]));
    expect(r2.ys).toEqual(xs.map((x, t) => [t === 0 ? 9n : xs[t - 1]!, x]));
  });

  it('the --baseline design (emitBaselineVerilog) equals W·x as Yosys reads it, signed inputs of every sign, latencies 0 and 2', async () => {
    // (it once wrote each input's sign bit as x[a:b][k], which Yosys reads as x[k]: a wrong W*x
    // that `da-gen check --prove` found)
    const spec = matrixCase('bl', { width: 6, signed: true }, [
      [3n, -5n, 7n, 1n],
      [12n, 7n, -1n, -30n],
      [0n, 9n, 5n, 2n],
    ]);
    for (const L of [0, 2]) {
      const r = compile(spec, { latency: L });
      const d: Design = { module: 'bl_baseline', ports: r.netlist.ports };
      const vecs = testVectors(4, spec.input, 120, L + 5);
      const { ys, types } = await simulate(emitBaselineVerilog(spec.weights, r.netlist), d, withFlush(vecs, 4, L));
      expect(types.has('$mul')).toBe(true);
      expect(compareWithReference(matrixReference(spec.weights), vecs, ys, L).mismatches, `latency ${L}`).toEqual([]);
    }
  }, 120_000);

  it('a hand-written W·x with * (the $mul baseline) equals W·x', async () => {
    const W = [
      [3n, -5n, 0n],
      [12n, 7n, -1n],
    ];
    const ports = handDesign('mulbase', 3, 5, 2, 11, { input: true, output: true });
    const v = `module mulbase (input wire clk, input wire [14:0] x, output wire [21:0] y);
  wire signed [4:0] x0 = x[4:0], x1 = x[9:5], x2 = x[14:10];
  reg signed [10:0] y0, y1;
  always @(posedge clk) begin
    y0 <= x0 * 3 + x1 * -5 + x2 * 0;
    y1 <= x0 * 12 + x1 * 7 + x2 * -1;
  end
  assign y = {y1, y0};
endmodule
`;
    const vecs = testVectors(3, { width: 5, signed: true }, 80, 3);
    const { ys, types } = await simulate(v, ports, withFlush(vecs, 3, 1));
    expect(types.has('$mul')).toBe(true);
    expect(compareWithReference(matrixReference(W), vecs, ys, 1).mismatches).toEqual([]);
    // …and the check can fail: a wrong weight.
    expect(compareWithReference(matrixReference([[3n, -5n, 0n], [12n, 7n, 1n]]), vecs, ys, 1).pass).toBe(false);
  });
});
