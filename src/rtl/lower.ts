import type { Block, Netlist } from './netlist.js';
import { adderForms } from './passes/adder-forms.js';
import type { AdderForms } from './passes/adder-forms.js';
import { squareForms } from './passes/squares.js';
import type { SquareForm } from './passes/squares.js';
import { tableForms } from './passes/tables.js';
import type { TableForms } from './passes/tables.js';

/**
 * Lowering: the decisions of how each signal is built in hardware, made by the passes in
 * `passes/` over the Netlist and recorded beside it, before any printer runs. A printer reads
 * them and decides nothing (as CIRCT prepares its IR before ExportVerilog).
 */
export interface Forms extends AdderForms, TableForms {
  /** Per signal: how a square is built, null for others. */
  squares: (SquareForm | null)[];
}

export interface LoweredNetlist extends Netlist {
  forms: Forms;
  /** The same for each block's signals. */
  blockForms: Forms[];
}

export function lowerNetlist(n: Netlist): LoweredNetlist {
  return { ...n, forms: { ...adderForms(n), squares: squareForms(n), ...tableForms(n) }, blockForms: n.blocks.map(blockForms) };
}

/** A block's forms: its adders' (its outputs read as a netlist's are); it has no squares or tables. */
function blockForms(b: Block): Forms {
  const outputs = b.outputs.filter((o) => o >= 0).map((signal) => ({ signal, shift: 0, lo: 0n, hi: 0n }));
  return { ...adderForms({ signals: b.signals, outputs, score: null }), squares: b.signals.map(() => null), roms: [], romOf: new Int32Array(b.signals.length).fill(-1) };
}
