import type { Family } from './family.js';
import { countCells, lutsForTable, total } from './family.js';

/**
 * No particular FPGA: Yosys's technology-independent `synth`, mapped to 4-input LUTs by ABC.
 * Synthesis counts only; there is no place and route and there are no boards.
 */
export const generic: Family = {
  name: 'generic',
  targets: [{ name: 'generic', family: 'generic', device: null, package: null, speed: null, description: 'Yosys synth, technology-independent gates mapped to 4-input LUTs' }],
  synthesizer: 'synth',
  synthCommand(top, opts = {}) {
    return `synth -top ${top}${opts.keepHierarchy ? '' : ' -flatten'}; abc -lut 4; opt_clean`;
  },
  resources(cells) {
    return {
      luts: countCells(cells, (k) => k === '$lut'),
      carries: null,
      ffs: countCells(cells, (k) => /^\$_S?DFF/.test(k) || k === '$dff'),
      bram: countCells(cells, (k) => k.startsWith('$mem')),
      dsp: countCells(cells, (k) => k === '$mul' || k === '$macc'),
    };
  },
  estimate(p) {
    // No carry cells: a chain bit is its sum and its carry, two LUTs (a comparison's only the
    // carry); ABC folds the inversions into them.
    return {
      $lut: 2 * total(p.chains) - p.unreadSums + total(p.carryOnly) + p.muxBits + p.reluBits + p.reluOnSum + p.luts + total(p.tables.map((t) => lutsForTable(t.inputs, t.functions, 4, 1))),
      $_DFF_P_: p.registers,
    };
  },
  pnr: null,
  boards: null,
};
