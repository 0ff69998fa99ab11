import { compile } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';
import { MAX_LATENCY } from './rtl/netlist.js';
import type { Spec } from './spec/parse.js';
import { FlowError } from './synth/flow.js';
import { placeAndRouteIce40 } from './synth/synthesize.js';
import type { Target } from './synth/targets.js';

/**
 * `--latency auto`: the smallest number of register ranks whose design meets the clock on an
 * iCE40 part, found by placing and routing each candidate (1, 2, 3, … ranks) with nextpnr.
 * Other families have no place and route here, and no calibrated delay model yet.
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
  if (target.family !== 'ice40') {
    throw new FlowError(`--latency auto needs an iCE40 target (its place and route gives the timing); ${target.name} has no place and route or calibrated delay model here`);
  }
  const tried: LatencyChoice['tried'] = [];
  let last: CompileResult | null = null;
  for (let L = 1; L <= MAX_LATENCY; L++) {
    const r = compile(spec, { ...copts, latency: L });
    last = r;
    const n = r.netlist;
    // place and route synthesizes the core itself (inside the wrapper)
    const p = await placeAndRouteIce40(
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
      return { latency: L, result: r, tried, met: true, method: `place and route on ${target.name} (nextpnr-ice40, seed ${opts.seed ?? 1})` };
    }
    // once every stage is a single adder level, more ranks cannot shorten the path
    if (n.cuts.every((c, k) => c - (k === 0 ? 0 : n.cuts[k - 1]!) <= 1)) break;
  }
  return { latency: last!.netlist.latency, result: last!, tried, met: false, method: `place and route on ${target.name} (nextpnr-ice40): no latency met the clock` };
}
