import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/da/cmvm.js';
import { compile } from '../../src/flows/compile.js';
import { lowerNetlist } from '../../src/rtl/lower.js';
import { buildNetlist } from '../../src/rtl/netlist.js';
import type { Netlist } from '../../src/rtl/netlist.js';
import { adderForms } from '../../src/rtl/passes/adder-forms.js';
import { squareForms } from '../../src/rtl/passes/squares.js';
import { tableForms } from '../../src/rtl/passes/tables.js';
import { layerOf } from '../helpers/layers.js';

/** A network with adders of every form and a score (so squares), lowered by compile. */
function network(): Netlist {
  const r = compile(
    {
      format: 1,
      name: 'net',
      input: { width: 6, signed: true, bipolar: false, shape: [3] },
      layers: [
        layerOf([[3n, -5n, 7n], [12n, 7n, -1n], [-9n, 0n, 21n]], { bias: [4n, -9n, 1n], activation: 'relu', shift: 2, rounding: 'nearest' }),
        layerOf([[1n, -2n, 3n], [5n, 5n, -6n]]),
      ],
      score: { kind: 'sum_of_squares', of: 'last' },
      form: 'layers',
    },
    { latency: 2 },
  );
  const { forms: _forms, blockForms: _blockForms, ...netlist } = r.netlist;
  return netlist;
}

describe('lowerNetlist', () => {
  const cases: [string, Netlist][] = [
    ['a matrix at latency 0', buildNetlist(optimize([[3n, -5n], [12n, 7n]], { width: 4, signed: true }).graph, 'm0', 0)],
    ['a matrix at latency 3', buildNetlist(optimize([[3n, -5n, 0n], [12n, 7n, -1n], [-6n, 10n, 2n]], { width: 8, signed: false }).graph, 'm3', 3)],
    ['a network with a score', network()],
  ];
  for (const [what, n] of cases) {
    it(`keeps every netlist field and adds forms with one entry per signal: ${what}`, () => {
      const before = structuredClone(n);
      const lowered = lowerNetlist(n);
      const { forms, blockForms, ...rest } = lowered;
      // no blocks here (no convolution): none of their forms
      expect(blockForms).toEqual([]);
      expect(rest).toEqual(n);
      expect(Object.keys(rest).sort()).toEqual(Object.keys(n).sort());
      // the netlist itself is left as it was
      expect(n).toEqual(before);
      expect('forms' in n || 'blockForms' in n).toBe(false);
      const N = n.signals.length;
      expect(Object.keys(forms).sort()).toEqual(['chained', 'complemented', 'inverted', 'romOf', 'roms', 'squares']);
      expect(forms.chained).toBeInstanceOf(Uint8Array);
      expect(forms.complemented).toBeInstanceOf(Uint8Array);
      expect(forms.inverted).toBeInstanceOf(Uint8Array);
      expect(forms.romOf).toBeInstanceOf(Int32Array);
      expect([forms.chained.length, forms.complemented.length, forms.inverted.length, forms.squares.length, forms.romOf.length]).toEqual([N, N, N, N, N]);
      // the forms are the passes' decisions (no tables here: no ROMs)
      expect(forms).toEqual({ ...adderForms(n), squares: squareForms(n), ...tableForms(n) });
      expect(forms.roms).toEqual([]);
    });
  }

  it('the network case has squares and chained, complemented and inverted signals to record', () => {
    const f = lowerNetlist(network()).forms;
    expect(f.squares.filter((s) => s !== null).length).toBe(2);
    expect(f.chained.some((x) => x === 1)).toBe(true);
    expect(f.complemented.some((x) => x === 1)).toBe(true);
    expect(f.inverted.some((x) => x === 1)).toBe(true);
  });
});
