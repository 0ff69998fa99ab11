import type { CompileResult } from '../compile.js';
import { emitBaselineVerilog } from '../rtl/baseline.js';
import type { TargetInput } from '../report/build.js';
import { NEXTPNR_ECP5, nativeEcp5Version, placeAndRouteEcp5Native } from './ecp5-native.js';
import { placeAndRouteIce40, SynthError, synthesize, toolVersions } from './synthesize.js';
import type { Ports } from './synthesize.js';
import { TARGETS } from './targets.js';
import type { Target } from './targets.js';

/**
 * The synthesis flow for a compiled design: for each target, synthesize da-gen's module (and,
 * with `baseline`, the hand-written W*x design with the same registers); on iCE40 parts, place
 * and route it inside the pin wrapper and read Fmax. Returns the report's target entries.
 */

export const DEFAULT_CLOCK_MHZ = 40;

export interface FlowOptions {
  targets: string[];
  clockMhz?: number;
  baseline?: boolean;
  /** nextpnr seed (fixed, so results are reproducible). */
  seed?: number;
  /** Time limit of each tool run, in seconds. */
  timeoutSeconds?: number;
  /** Skip place and route (synthesis counts only). */
  noPnr?: boolean;
  /** A step starts: `label`; `tick` reports the seconds elapsed while it runs; `done` ends it. */
  progress?: { start(label: string): void; tick(seconds: number): void; done(seconds: number, summary: string): void };
}

export class FlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowError';
  }
}

export function checkTargets(names: string[]): Target[] {
  return names.map((n) => {
    const t = TARGETS[n];
    if (t === undefined) throw new FlowError(`unknown target "${n}"; expected one of ${Object.keys(TARGETS).join(', ')}`);
    return t;
  });
}

/** Whether a native nextpnr-ecp5 is on PATH (none is on npm). */
export function nativeEcp5Available(): boolean {
  return nativeEcp5Version() !== null;
}

export async function runFlow(r: CompileResult, weights: bigint[][] | null, opts: FlowOptions): Promise<{ targets: TargetInput[]; tools: Record<string, string> }> {
  const targets = checkTargets(opts.targets);
  const clock = opts.clockMhz ?? DEFAULT_CLOCK_MHZ;
  const seed = opts.seed ?? 1;
  const timeout = opts.timeoutSeconds ?? 600;
  const n = r.netlist;
  const ports: Ports = { nIn: n.nIn, inputWidth: n.inputWidth, nOut: n.outputs.length, outputWidth: n.outputWidth };
  const designs: { design: 'da-gen' | 'baseline'; top: string; verilog: string }[] = [{ design: 'da-gen', top: n.module, verilog: r.verilog }];
  if (opts.baseline) {
    if (weights === null) throw new FlowError('the baseline (hand-written W*x) exists for a single matrix only');
    designs.push({ design: 'baseline', top: `${n.module}_baseline`, verilog: emitBaselineVerilog(weights, n) });
  }
  const p = opts.progress;
  const tick = p ? { onTick: (s: number) => p.tick(s) } : {};
  const out: TargetInput[] = [];
  const ecp5Native = targets.some((t) => t.family === 'ecp5') ? nativeEcp5Version() : null;
  const tools = toolVersions();
  if (ecp5Native !== null) tools[NEXTPNR_ECP5] = `${ecp5Native} (native, on PATH)`;
  for (const t of targets) {
    for (const d of designs) {
      p?.start(`${t.name}: synthesis of ${d.design === 'da-gen' ? 'the da-gen design' : 'the baseline'} (${t.family === 'generic' ? 'synth' : t.family === 'ice40' ? 'synth_ice40' : 'synth_ecp5'})`);
      let s;
      try {
        s = await synthesize(d.verilog, d.top, t, { timeoutSeconds: timeout, ...tick });
      } catch (e) {
        if (!(e instanceof SynthError)) throw e;
        p?.done(0, `failed: ${e.message}`);
        out.push({ target: t.name, design: d.design, flow: 'synthesis failed', cells: {}, clock_mhz: clock, note: e.message });
        continue;
      }
      p?.done(s.seconds, `${s.luts ?? '?'} LUTs${s.carries !== null ? `, ${s.carries} carries` : ''}, ${s.ffs ?? '?'} FFs`);
      const entry: TargetInput = {
        target: t.name,
        design: d.design,
        flow: s.flow,
        cells: s.cells,
        luts: s.luts,
        carries: s.carries,
        ffs: s.ffs,
        bram: s.bram,
        dsp: s.dsp,
        clock_mhz: clock,
      };
      const pnr = opts.noPnr ? null : t.family === 'ice40' ? 'ice40' : t.family === 'ecp5' && ecp5Native !== null ? 'ecp5' : null;
      if (pnr !== null) {
        const tool = pnr === 'ice40' ? 'nextpnr-ice40' : NEXTPNR_ECP5;
        p?.start(`${t.name}: place and route of ${d.design === 'da-gen' ? 'the da-gen design' : 'the baseline'} (${tool} --${t.device}, seed ${seed})`);
        const run = pnr === 'ice40' ? placeAndRouteIce40 : placeAndRouteEcp5Native;
        let pr;
        try {
          pr = await run(d.verilog, d.top, t, ports, clock, seed, { timeoutSeconds: timeout, ...tick });
        } catch (e) {
          if (!(e instanceof SynthError)) throw e;
          pr = { flow: entry.flow, fmaxMhz: null, wrapperCells: {}, note: e.message, seconds: 0 };
        }
        p?.done(pr.seconds, pr.fmaxMhz !== null ? `Fmax ${pr.fmaxMhz.toFixed(1)} MHz` : (pr.note ?? 'no Fmax'));
        entry.flow = pr.flow;
        entry.place_and_route = pnr === 'ice40' ? 'nextpnr-ice40 (WebAssembly)' : `${NEXTPNR_ECP5} (native: ${ecp5Native})`;
        entry.fmax_mhz = pr.fmaxMhz;
        entry.wrapper_cells = pr.wrapperCells;
        entry.note = pr.note;
      } else if (t.family === 'ecp5') {
        entry.note = opts.noPnr ? 'synthesis only (--no-pnr)' : 'synthesis only: no nextpnr-ecp5 build is on npm, and none is on PATH';
      }
      out.push(entry);
    }
  }
  return { targets: out, tools };
}
