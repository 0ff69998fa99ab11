import { findTool } from '../toolchain/tool.js';
import type { Family } from './family.js';
import { countCells, lutsForTable, total } from './family.js';

/**
 * Lattice ECP5: `synth_ecp5 -nodsp` (WebAssembly Yosys), `.lpf` constraints; place and route
 * and the bitstream only with a native nextpnr-ecp5 and ecppack (Project Trellis), since no
 * WebAssembly build of them is on npm and Debian has none. The PLL (EHXPLLL) is not written.
 */

/** Packages of each nextpnr-ecp5 device flag (the ECP5 family's package table; nextpnr's names). */
const PACKAGES: Record<string, readonly string[]> = {
  '12k': ['CABGA256', 'CABGA381', 'CSFBGA285'],
  '25k': ['CABGA256', 'CABGA381', 'CSFBGA285'],
  '45k': ['CABGA256', 'CABGA381', 'CABGA554', 'CSFBGA285'],
  '85k': ['CABGA381', 'CABGA554', 'CABGA756', 'CSFBGA285'],
  'um-25k': ['CABGA381', 'CSFBGA285'],
  'um-45k': ['CABGA381', 'CABGA554', 'CSFBGA285'],
  'um-85k': ['CABGA381', 'CABGA554', 'CABGA756', 'CSFBGA285'],
  'um5g-25k': ['CABGA381', 'CSFBGA285'],
  'um5g-45k': ['CABGA381', 'CABGA554', 'CSFBGA285'],
  'um5g-85k': ['CABGA381', 'CABGA554', 'CABGA756', 'CSFBGA285'],
};

/** A number as constraint files write it: `12`, `12.5`. */
function formatMhz(mhz: number): string {
  return Number.isInteger(mhz) ? String(mhz) : String(Number(mhz.toFixed(6)));
}

const NOTE = 'place and route only with a native nextpnr-ecp5 on PATH';

export const ecp5: Family = {
  name: 'ecp5',
  targets: [
    { name: 'ecp5-25k', family: 'ecp5', device: '25k', package: 'CABGA381', speed: '6', description: `Lattice ECP5 25K (${NOTE})` },
    { name: 'ecp5-85k', family: 'ecp5', device: '85k', package: 'CABGA381', speed: '6', description: `Lattice ECP5 85K (${NOTE})` },
  ],
  synthesizer: 'synth_ecp5 -nodsp',
  synthCommand(top, opts = {}) {
    return `synth_ecp5 -nodsp${opts.keepHierarchy ? ' -noflatten' : ''} -top ${top}`;
  },
  resources(cells) {
    return {
      luts: countCells(cells, (k) => k === 'LUT4'),
      carries: countCells(cells, (k) => k === 'CCU2C'),
      ffs: countCells(cells, (k) => k === 'TRELLIS_FF'),
      bram: countCells(cells, (k) => k === 'DP16KD' || k === 'PDPW16KD'),
      dsp: countCells(cells, (k) => k === 'MULT18X18D' || k === 'ALU54B'),
    };
  },
  estimate(p) {
    // A CCU2C is two chain bits with their sum logic inside, so an adder's sum cannot be
    // inverted for free (a complemented adder's bits are a LUT4 each); everything else is a
    // LUT4 of its own (an inversion, a select, a ReLU); a table bit of more than 4 inputs uses
    // the slice's multiplexers (PFUMX, L6MUX21) to choose between its halves, no LUT4.
    return {
      LUT4: p.inverters + p.complementedSums + p.muxBits + p.reluBits + p.reluOnSum + p.luts + total(p.tables.map((t) => lutsForTable(t.inputs, t.functions, 4, 0))),
      CCU2C: total(p.chains, (c) => Math.ceil(c / 2)) + total(p.carryOnly, (c) => Math.ceil(c / 2)),
      TRELLIS_FF: p.registers,
    };
  },
  pnr: {
    placer: 'nextpnr-ecp5',
    packer: 'ecppack',
    here: () => (findTool('nextpnr-ecp5') === null ? 'only with a native nextpnr-ecp5 on PATH' : 'yes (native nextpnr-ecp5)'),
    install: 'install nextpnr-ecp5 and ecppack (Project Trellis; no build is on npm or Debian)',
    args(part, o) {
      return [
        `--${part.device}`,
        '--package',
        part.package,
        ...(part.speed === null ? [] : ['--speed', part.speed]),
        '--json',
        o.netlist,
        ...(o.constraints === null ? ['--lpf-allow-unconstrained'] : ['--lpf', o.constraints]),
        '--freq',
        String(o.clockMhz),
        '--seed',
        String(o.seed),
        ...(o.placed === null ? [] : ['--textcfg', o.placed]),
        ...(o.report === null ? [] : ['--report', o.report]),
        '--timing-allow-fail',
      ];
    },
    placedExt: 'config',
    bitstreamExt: 'bit',
    packArgs: (placed, bitstream) => [placed, bitstream],
  },
  boards: {
    rules: {
      devices: PACKAGES,
      pinPattern: /^[A-Z]{1,2}[0-9]{1,2}$/,
      pinShape: 'a ball name such as "G2"',
      speeds: ['6', '7', '8'],
      ioStandards: true,
      pulls: ['up', 'down', 'none'],
      pullNote: '',
      pllPrimitives: null,
    },
    /**
     * Per port a LOCATE and an IOBUF with its IO_TYPE and, for a button with "pull", PULLMODE;
     * and a FREQUENCY line for clk.
     */
    constraints(board, ports, clockMhz) {
      const lines: string[] = [];
      for (const p of ports) {
        lines.push(`LOCATE COMP "${p.name}" SITE "${p.pin}";`);
        const pull = p.pull === null ? '' : ` PULLMODE=${p.pull.toUpperCase()}`;
        lines.push(`IOBUF PORT "${p.name}" IO_TYPE=${p.ioStandard ?? 'LVCMOS33'}${pull};`);
        if (p.name === 'clk') lines.push(`FREQUENCY PORT "clk" ${formatMhz(clockMhz)} MHZ;`);
      }
      return { fileName: `${board}.lpf`, text: lines.join('\n') + '\n' };
    },
    pll: null,
  },
};
