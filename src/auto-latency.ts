import { compile } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';
import { MAX_LATENCY } from './rtl/netlist.js';
import type { Spec } from './spec/parse.js';
import { FlowError } from './synth/flow.js';
import { NEXTPNR_ECP5, nativeEcp5Version, placeAndRouteEcp5Native } from './synth/ecp5-native.js';
import { placeAndRouteIce40 } from './synth/synthesize.js';
import type { Target } from './synth/targets.js';

/**
 * `--latency auto`: the smallest number of register ranks whose design meets the clock on an
 * iCE40 part (or an ECP5 part, when a native nextpnr-ecp5 is on PATH), found by placing and
 * routing each candidate (1, 2, 3, … ranks) with nextpnr. Without place and route there is no
 * timing: a delay model would need nextpnr results to be calibrated on, and none exist here
 * for ECP5.
 */
export interface LatencyChoice {
  latency: number;
  result: CompileResult;
  /** Fmax of each latency tried, null where place and route failed. */
  tried: { latency: number; fmaxMhz: number | null; note: string | null }[];
  met: boolean;
  method: string;
}

export async function chooseLatency(
  spec: Spec,
  copts: Omit<CompileOptions, 'latency'>,
  target: Target,
  clockMhz: number,
  opts: { seed?: number; timeoutSeconds?: number; progress?: (line: string) => void } = {},
): Promise<LatencyChoice> {
  const native = target.family === 'ecp5' ? nativeEcp5Version() : null;
  if (target.family !== 'ice40' && native === null) {
    throw new FlowError(
      `--latency auto needs a target with place and route timing: an iCE40 part, or an ECP5 part with a native nextpnr-ecp5 on PATH; ${target.name} has neither here`,
    );
  }
  const tool = target.family === 'ice40' ? 'nextpnr-ice40' : `${NEXTPNR_ECP5}, native`;
  const run = target.family === 'ice40' ? placeAndRouteIce40 : placeAndRouteEcp5Native;
  const tried: LatencyChoice['tried'] = [];
  let last: CompileResult | null = null;
  for (let L = 1; L <= MAX_LATENCY; L++) {
    const r = compile(spec, { ...copts, latency: L });
    last = r;
    const n = r.netlist;
    // place and route synthesizes the core itself (inside the wrapper)
    const p = await run(
      r.verilog,
      n.module,
      target,
      { nIn: n.nIn, inputWidth: n.inputWidth, nOut: n.outputs.length, outputWidth: n.outputWidth },
      clockMhz,
      opts.seed ?? 1,
      { timeoutSeconds: opts.timeoutSeconds ?? 600 },
    );
    tried.push({ latency: L, fmaxMhz: p.fmaxMhz, note: p.note });
    opts.progress?.(`latency ${L}: ${p.fmaxMhz !== null ? `Fmax ${p.fmaxMhz.toFixed(1)} MHz` : (p.note ?? 'no timing')}`);
    if (p.fmaxMhz === null) break; // does not fit or does not route: more registers will not help
    if (p.fmaxMhz >= clockMhz) {
      return { latency: L, result: r, tried, met: true, method: `place and route on ${target.name} (${tool}, seed ${opts.seed ?? 1})` };
    }
    // once every stage is a single adder level, more ranks cannot shorten the path
    if (n.cuts.every((c, k) => c - (k === 0 ? 0 : n.cuts[k - 1]!) <= 1)) break;
  }
  return { latency: last!.netlist.latency, result: last!, tried, met: false, method: `place and route on ${target.name} (${tool}): no latency met the clock` };
}
