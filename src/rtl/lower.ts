import type { Netlist } from './netlist.js';
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
}

export function lowerNetlist(n: Netlist): LoweredNetlist {
  return { ...n, forms: { ...adderForms(n), squares: squareForms(n), ...tableForms(n) } };
}
