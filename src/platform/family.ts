import type { LogicProfile } from '../rtl/profile.js';
import type { ToolName } from '../toolchain/tool.js';

/**
 * What da-gen knows of an FPGA family, in one interface: each family is one module
 * (`generic.ts`, `ice40.ts`, `ecp5.ts`) implementing it, and `index.ts` lists them. Nothing
 * outside `src/platform/` compares a family's name; it asks the family instead.
 */

/** A synthesis target: a part of a family, named `family-part` ("ice40-up5k"). */
export interface Target {
  name: string;
  family: string;
  /** nextpnr device flag without the dashes (`--up5k`), the package, and the speed grade (ECP5); null for generic. */
  device: string | null;
  package: string | null;
  speed: string | null;
  description: string;
}

/** A part as nextpnr names it. */
export interface Part {
  device: string;
  package: string;
  speed: string | null;
}

export interface ResourceCounts {
  luts: number | null;
  carries: number | null;
  ffs: number | null;
  bram: number;
  dsp: number;
}

/** Place and route and packing with nextpnr and the family's packer. */
export interface PlaceAndRoute {
  /** nextpnr for this family, and the packer that turns its placed design into a bitstream. */
  readonly placer: ToolName;
  readonly packer: ToolName;
  /** In one phrase, whether place and route runs here ("yes (WebAssembly nextpnr-ice40)"). */
  here(): string;
  /** What to install when they are missing ("install nextpnr-ecp5 and ecppack (Project Trellis)"). */
  readonly install: string;
  /**
   * nextpnr's arguments: the part, the synthesized netlist, the constraint file (null: pins
   * left to the placer), the clock to meet, the seed, the timing report (null: none), and the
   * placed design's file when one is wanted for the bitstream (null: none).
   */
  args(part: Part, o: { netlist: string; constraints: string | null; clockMhz: number; seed: number; report: string | null; placed: string | null }): string[];
  /** The placed design's file extension (`asc`, `config`) and the bitstream's (`bin`, `bit`). */
  readonly placedExt: string;
  readonly bitstreamExt: string;
  /** The packer's arguments, from the placed design to the bitstream file. */
  packArgs(placed: string, bitstream: string): string[];
}

/** The self-test top's ports with their pins, as the constraint file places them. */
export interface PinAssignment {
  name: string;
  direction: 'input' | 'output';
  pin: string;
  /** The IO standard (ECP5 IO_TYPE), or null. */
  ioStandard: string | null;
  pull: 'up' | 'down' | 'none' | null;
}

/**
 * What a board file of this family may say. The same shape as `BoardRules` in
 * src/boards/board.ts: neither folder may import the other, so flows/boards.ts hands these to
 * the board reader, and the compiler checks there that the two agree.
 */
export interface BoardRules {
  /** The nextpnr device flags and the packages each comes in. */
  devices: Readonly<Record<string, readonly string[]>>;
  /** Pin names, and how a message describes them. */
  pinPattern: RegExp;
  pinShape: string;
  /** Speed grades (a board must give one), or null (a board gives none). */
  speeds: readonly string[] | null;
  /** Whether a board gives an IO standard for its pins (required, and per-pin overrides allowed). */
  ioStandards: boolean;
  /** Pull resistors a button pin may ask for, and why others are missing. */
  pulls: readonly string[];
  pullNote: string;
  /** PLL primitives a board may name, the first being the default; null when the family has none that da-gen drives. */
  pllPrimitives: readonly string[] | null;
}

/** A PLL setting, as the family's PLL tool computes it for the board clock and the frequency asked. */
export interface PllSetting {
  inMhz: number;
  outMhz: number;
  /** The primitive's parameters, by name, as the tool gives them. */
  params: Record<string, number>;
}

export interface BoardSupport {
  rules: BoardRules;
  /** The constraint file for the self-test top's ports: its name (`<board>.pcf`) and text. */
  constraints(board: string, ports: readonly PinAssignment[], clockMhz: number): { fileName: string; text: string };
  /** The PLL, when da-gen drives this family's. */
  pll: {
    /** The setting that makes about `outMhz` from `inMhz`. */
    plan(inMhz: number, outMhz: number, timeoutSeconds: number): Promise<PllSetting>;
    /** A top `da_gen_board` with the PLL clocking `inner` (which has the ports `ports`, clk first). */
    topVerilog(primitive: string, pll: PllSetting, inner: string, ports: readonly PinAssignment[]): string;
    /** One line for the build's notes. */
    describe(primitive: string, pll: PllSetting): string;
  } | null;
}

export interface Family {
  readonly name: string;
  readonly targets: readonly Target[];
  /** The Yosys synthesis command's name, for messages ("synth_ice40"). */
  readonly synthesizer: string;
  /** The Yosys command synthesizing `top`; `keepHierarchy` keeps submodules apart (the core inside its pin wrapper). */
  synthCommand(top: string, opts?: { keepHierarchy?: boolean }): string;
  /** LUTs, carries, flip-flops, block RAMs and DSPs from Yosys's cell counts. */
  resources(cells: Record<string, number>): ResourceCounts;
  /**
   * The cells its synthesis command would give, estimated from the netlist's logic profile
   * without synthesis: its LUTs, carries (when it has carry cells) and flip-flops, under Yosys's
   * names, in that order. Calibrated against Yosys in bench/estimate-results.json.
   */
  estimate(p: LogicProfile): Record<string, number>;
  /** Place and route, or null for a family that is synthesis only. */
  readonly pnr: PlaceAndRoute | null;
  /** Boards of this family, or null when there are none. */
  readonly boards: BoardSupport | null;
}

/** Σ of the counts of the cell types that `pred` accepts. */
export function countCells(cells: Record<string, number>, pred: (name: string) => boolean): number {
  return Object.entries(cells).reduce((s, [k, v]) => (pred(k) ? s + v : s), 0);
}

/** Σ over a list. */
export function total(xs: readonly number[], f: (x: number) => number = (x) => x): number {
  let t = 0;
  for (const x of xs) t += f(x);
  return t;
}

/**
 * K-input LUTs for a lookup table's output bits, each given by its truth table over `inputs`
 * address bits, as a LUT mapper finds them: a bit that is constant or one address bit needs
 * none (an inverted address bit, one LUT); one of at most K address bits, one LUT; a wider one
 * is split on its highest address bit into two halves and a choice between them (`muxLuts`: 1
 * where a LUT chooses, 0 on a family with multiplexer cells for it; a half that is one address
 * bit goes into that choice as it is). Equal functions of the same address bits are built once,
 * across all the table's bits. Address bits a function does not depend on are dropped first.
 */
export function lutsForTable(inputs: number, functions: readonly Uint8Array[], K: number, muxLuts: number): number {
  const built = new Set<string>();
  /** f over the address bits `vars` (f.length = 2^vars.length, vars[j] the j-th index bit): the LUTs it adds. */
  const cost = (f: Uint8Array, vars: readonly number[], top: boolean): number => {
    // drop the address bits f does not depend on (index bit j: halves at stride 2^j)
    let g = f;
    let v = [...vars];
    for (let j = v.length - 1; j >= 0; j--) {
      const stride = 1 << j;
      let same = true;
      for (let q = 0; q < g.length && same; q++) if ((q & stride) === 0 && g[q] !== g[q | stride]) same = false;
      if (!same) continue;
      const h = new Uint8Array(g.length >> 1);
      let k = 0;
      for (let q = 0; q < g.length; q++) if ((q & stride) === 0) h[k++] = g[q]!;
      g = h;
      v = v.filter((_, x) => x !== j);
    }
    const m = v.length;
    if (m === 0) return 0; // a constant
    // one address bit: itself (or its inverse, which the choosing LUT above takes as well); an
    // output that is an inverted address bit is a LUT
    if (m === 1) return top && g[0] === 1 ? 1 : 0;
    // the address bits and the truth table (16 entries per character): equal functions of the same bits are built once
    let key = `${v.join(',')}:`;
    for (let q = 0; q < g.length; q += 16) {
      let w = 0;
      for (let r = 0; r < 16 && q + r < g.length; r++) w |= g[q + r]! << r;
      key += String.fromCharCode(w);
    }
    if (built.has(key)) return 0;
    built.add(key);
    if (m <= K) return 1;
    const half = g.length >> 1;
    const rest = v.slice(0, m - 1);
    return cost(g.subarray(0, half), rest, false) + cost(g.subarray(half), rest, false) + muxLuts;
  };
  const all = Array.from({ length: inputs }, (_, j) => j);
  let luts = 0;
  for (const f of functions) luts += cost(f, all, true);
  return luts;
}
