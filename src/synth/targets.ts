/**
 * Synthesis targets, named family-part. Each knows its Yosys script and how to read the cell
 * counts it produces; iCE40 parts also know the nextpnr device and a package with pins enough
 * for the place-and-route wrapper.
 */
export type Family = 'generic' | 'ice40' | 'ecp5';

export interface Target {
  name: string;
  family: Family;
  /** nextpnr device flag (iCE40 and ECP5). */
  device?: string;
  /** nextpnr package, with pins enough for the place-and-route wrapper. */
  package?: string;
  /** nextpnr-ecp5 speed grade (ECP5 only). */
  speed?: string;
  description: string;
}

export const TARGETS: Record<string, Target> = {
  generic: { name: 'generic', family: 'generic', description: 'Yosys synth, technology-independent gates mapped to 4-input LUTs' },
  'ice40-up5k': { name: 'ice40-up5k', family: 'ice40', device: 'up5k', package: 'sg48', description: 'Lattice iCE40 UltraPlus 5K' },
  'ice40-hx8k': { name: 'ice40-hx8k', family: 'ice40', device: 'hx8k', package: 'ct256', description: 'Lattice iCE40 HX8K' },
  'ice40-hx1k': { name: 'ice40-hx1k', family: 'ice40', device: 'hx1k', package: 'tq144', description: 'Lattice iCE40 HX1K' },
  'ecp5-25k': { name: 'ecp5-25k', family: 'ecp5', device: '25k', package: 'CABGA381', speed: '6', description: 'Lattice ECP5 25K (place and route only with a native nextpnr-ecp5 on PATH)' },
  'ecp5-85k': { name: 'ecp5-85k', family: 'ecp5', device: '85k', package: 'CABGA381', speed: '6', description: 'Lattice ECP5 85K (place and route only with a native nextpnr-ecp5 on PATH)' },
};

export function targetNames(): string[] {
  return Object.keys(TARGETS);
}

/** The Yosys synthesis command for a target and top module. */
export function synthCommand(t: Target, top: string): string {
  switch (t.family) {
    case 'generic':
      return `synth -top ${top} -flatten; abc -lut 4; opt_clean`;
    case 'ice40':
      return `synth_ice40 -top ${top}`;
    case 'ecp5':
      return `synth_ecp5 -nodsp -top ${top}`;
  }
}

export interface ResourceCounts {
  luts: number | null;
  carries: number | null;
  ffs: number | null;
  bram: number;
  dsp: number;
}

const sum = (cells: Record<string, number>, pred: (name: string) => boolean): number =>
  Object.entries(cells).reduce((s, [k, v]) => (pred(k) ? s + v : s), 0);

/** LUTs, carry cells, flip-flops, block RAMs and DSPs from Yosys cell counts. */
export function resources(t: Target, cells: Record<string, number>): ResourceCounts {
  switch (t.family) {
    case 'generic':
      return {
        luts: sum(cells, (k) => k === '$lut'),
        carries: null,
        ffs: sum(cells, (k) => /^\$_S?DFF/.test(k) || k === '$dff'),
        bram: sum(cells, (k) => k.startsWith('$mem')),
        dsp: sum(cells, (k) => k === '$mul' || k === '$macc'),
      };
    case 'ice40':
      return {
        luts: sum(cells, (k) => k === 'SB_LUT4'),
        carries: sum(cells, (k) => k === 'SB_CARRY'),
        ffs: sum(cells, (k) => k.startsWith('SB_DFF')),
        bram: sum(cells, (k) => k.startsWith('SB_RAM')),
        dsp: sum(cells, (k) => k === 'SB_MAC16'),
      };
    case 'ecp5':
      return {
        luts: sum(cells, (k) => k === 'LUT4'),
        carries: sum(cells, (k) => k === 'CCU2C'),
        ffs: sum(cells, (k) => k === 'TRELLIS_FF'),
        bram: sum(cells, (k) => k === 'DP16KD' || k === 'PDPW16KD'),
        dsp: sum(cells, (k) => k === 'MULT18X18D' || k === 'ALU54B'),
      };
  }
}
