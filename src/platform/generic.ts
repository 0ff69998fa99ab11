import type { Family } from './family.js';
import { countCells } from './family.js';

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
  pnr: null,
  boards: null,
};
