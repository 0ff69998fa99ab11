import { describe, expect, it } from 'vitest';
import { SQUARE_ROM_MAX_BITS } from '../../../src/da/net-builder.js';
import { compile } from '../../../src/flows/compile.js';
import type { CompileResult } from '../../../src/flows/compile.js';
import { simulateInIcarus } from '../../../src/flows/verify.js';
import { describeSquares, squareForms } from '../../../src/rtl/passes/squares.js';
import type { SquareForm } from '../../../src/rtl/passes/squares.js';
import { compareWithReference, withFlush } from '../../../src/sim/compare.js';
import { referenceOf } from '../../../src/sim/reference.js';
import { testVectors } from '../../../src/sim/vectors.js';
import type { LayerOutput, Spec } from '../../../src/spec/spec.js';
import { layerOf } from '../../helpers/layers.js';
import { haveTool } from '../../helpers/tools.js';

/**
 * A one-layer network with a score: the squares read the layer's outputs. With an `output`
 * format the weights are large enough that the wrapped outputs use the format's whole range,
 * so each square's operand is exactly `output.width` bits wide.
 */
function scored(output: LayerOutput | null, weights: bigint[][] = [[100n, 100n], [-100n, 90n]], input = { width: 8, signed: true }): Spec {
  return { format: 1, name: 'sq', input: { ...input, bipolar: false, shape: [weights[0]!.length] }, layers: [layerOf(weights, { output })], score: { kind: 'sum_of_squares', of: 'last' }, form: 'layers' };
}

/** The squares of a compiled design: index, name, operand width and the recorded form. */
function squaresOf(r: CompileResult): { idx: number; name: string; operandWidth: number; width: number; form: SquareForm | null }[] {
  const n = r.netlist;
  const out: { idx: number; name: string; operandWidth: number; width: number; form: SquareForm | null }[] = [];
  n.signals.forEach((s, idx) => {
    if (s.kind === 'square') out.push({ idx, name: s.name, operandWidth: n.signals[s.a]!.width, width: s.width, form: n.forms.squares[idx]! });
  });
  return out;
}

const icarus = haveTool('iverilog', ['-V']);
const escape = (s: string): string => s.replace(/[$.]/g, '\\$&');

/** The printed text agrees with the forms: a `localparam` table exactly for the rom squares, |a| and partial products for the others. */
function expectPrinted(r: CompileResult): void {
  const v = r.verilog;
  const sq = squaresOf(r);
  const roms = sq.filter((q) => q.form === 'rom');
  expect((v.match(/^\s*localparam\b/gm) ?? []).length).toBe(roms.length);
  for (const q of sq) {
    const table = new RegExp(`^\\s*localparam \\[(\\d+):0\\] ${escape(q.name)}_table = \\{$`, 'm');
    const abs = new RegExp(`^\\s*wire \\[\\d+:0\\] ${escape(q.name)}_abs = `, 'm');
    const m = table.exec(v);
    if (q.form === 'rom') {
      expect(m, `${q.name}: its table`).not.toBeNull();
      expect(v).toMatch(new RegExp(`assign ${escape(q.name)} = ${escape(q.name)}_table\\[`));
      expect(v).not.toMatch(abs);
      // one entry per bit pattern of the operand, each a power of two bits wide, at least the square's width
      const bits = Number(m![1]) + 1;
      const entry = bits / 2 ** q.operandWidth;
      expect(Number.isInteger(entry) && (entry & (entry - 1)) === 0, `${q.name}: ${bits} bits for ${q.operandWidth}-bit operand`).toBe(true);
      expect(entry).toBeGreaterThanOrEqual(q.width);
    } else {
      expect(m, `${q.name}: no table`).toBeNull();
      expect(v).toMatch(abs);
      expect(v).not.toContain(`${q.name}_table`);
    }
  }
}

describe('squareForms', () => {
  it(`a lookup table for operands of up to SQUARE_ROM_MAX_BITS (${SQUARE_ROM_MAX_BITS}) bits, shift-and-add above, null for the other signals`, () => {
    const seen = new Set<string>();
    for (const signed of [true, false]) {
      for (let w = signed ? 2 : 1; w <= SQUARE_ROM_MAX_BITS + 3; w++) {
        const r = compile(scored({ width: w, signed, overflow: 'wrap' }), { latency: 1 });
        const n = r.netlist;
        const forms = squareForms(n);
        expect(forms).toHaveLength(n.signals.length);
        // what compile recorded is the pass's decision
        expect(n.forms.squares).toEqual(forms);
        const sq = squaresOf(r);
        expect(sq, `w=${w}`).toHaveLength(2);
        for (const q of sq) {
          expect(q.operandWidth, `${q.name}, ${w}-bit ${signed ? 'signed' : 'unsigned'} output`).toBe(w);
          const want: SquareForm = w <= SQUARE_ROM_MAX_BITS ? 'rom' : 'shift-add';
          expect(forms[q.idx], `${q.name}, ${w}-bit operand`).toBe(want);
          seen.add(want);
        }
        n.signals.forEach((s, idx) => {
          if (s.kind !== 'square') expect(forms[idx], s.name).toBeNull();
        });
        expect(r.manifest.squares).toBe(w <= SQUARE_ROM_MAX_BITS ? 'lookup table' : 'shift-and-add');
        expectPrinted(r);
      }
    }
    expect(seen).toEqual(new Set(['rom', 'shift-add']));
  });

  it('exactly at the bound: 8 bits is a table, 9 bits is shift-and-add', () => {
    expect(SQUARE_ROM_MAX_BITS).toBe(8);
    const at = squaresOf(compile(scored({ width: SQUARE_ROM_MAX_BITS, signed: true, overflow: 'wrap' })));
    const above = squaresOf(compile(scored({ width: SQUARE_ROM_MAX_BITS + 1, signed: true, overflow: 'wrap' })));
    expect(at.map((q) => [q.operandWidth, q.form])).toEqual([[8, 'rom'], [8, 'rom']]);
    expect(above.map((q) => [q.operandWidth, q.form])).toEqual([[9, 'shift-add'], [9, 'shift-add']]);
  });

  it('a design without a score has no squares: every form is null, no table is printed', () => {
    const spec = scored({ width: 6, signed: true, overflow: 'wrap' });
    const r = compile({ ...spec, score: null });
    expect(squareForms(r.netlist).every((f) => f === null)).toBe(true);
    expect(r.netlist.forms.squares.every((f) => f === null)).toBe(true);
    expect(r.manifest.squares).toBeUndefined();
    expect(r.verilog).not.toMatch(/localparam|_abs\b/);
  });

  // outputs at full precision: x0 (4 bits) squared from a table, 100·x0 + 100·x1 (12 bits) by shift-and-add
  const mixed = scored(null, [[1n, 0n], [100n, 100n], [0n, -3n]], { width: 4, signed: true });

  it('a design with both forms: each square by its own operand width', () => {
    const r = compile(mixed, { latency: 2 });
    const sq = squaresOf(r);
    expect(sq.map((q) => q.form).sort()).toEqual(['rom', 'rom', 'shift-add']);
    for (const q of sq) expect(q.form).toBe(q.operandWidth <= SQUARE_ROM_MAX_BITS ? 'rom' : 'shift-add');
    expect(r.manifest.squares).toBe('lookup table and shift-and-add');
    expectPrinted(r);
  });

  it.runIf(icarus)('both forms, as printed, compute the squares (Icarus against the reference model)', async () => {
    const r = compile(mixed, { latency: 2 });
    const n = r.netlist;
    const vecs = testVectors(2, mixed.input, 120, 4);
    const ys = await simulateInIcarus(r.verilog, n, withFlush(vecs, n.ports.nIn, n.latency));
    const c = compareWithReference(referenceOf(mixed), vecs, ys, n.latency);
    expect(c.mismatches).toEqual([]);
    expect(c.vectors).toBe(120);
    // …and the check can fail: the score of another network
    expect(compareWithReference(referenceOf(scored(null, [[1n, 0n], [100n, 99n], [0n, -3n]], mixed.input)), vecs, ys, n.latency).pass).toBe(false);
  });
});

describe('describeSquares', () => {
  it('names the forms in the manifest’s words, or null without squares', () => {
    expect(describeSquares([])).toBeNull();
    expect(describeSquares([null, null])).toBeNull();
    expect(describeSquares([null, 'rom', 'rom'])).toBe('lookup table');
    expect(describeSquares(['shift-add', null])).toBe('shift-and-add');
    expect(describeSquares(['rom', null, 'shift-add'])).toBe('lookup table and shift-and-add');
    expect(describeSquares(['shift-add', 'rom'])).toBe('lookup table and shift-and-add');
  });
});
