import { UsageError } from '../errors.js';
import { FAMILIES, checkTargets, timedTargets } from '../platform/index.js';
import type { Target } from '../platform/family.js';
import { placeAndRouteCore } from '../platform/nextpnr.js';
import { MAX_LATENCY } from '../rtl/netlist.js';
import type { Spec } from '../spec/spec.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../toolchain/tool.js';
import { compile } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';

/**
 * `--latency auto`: the smallest number of register ranks whose design meets the clock on a
 * part that can be placed and routed here, found by placing and routing each candidate (1, 2,
 * 3, … ranks) with nextpnr. Without place and route there is no timing: a delay model would need
 * nextpnr results to be calibrated on, and none exist here for families without it.
 */
export interface LatencyChoice {
  latency: number;
  result: CompileResult;
  /** The target whose timing decided. */
  target: Target;
  /** Fmax of each latency tried, null where place and route failed. */
  tried: { latency: number; fmaxMhz: number | null; note: string | null }[];
  met: boolean;
  /** How the choice was made, for the report. */
  method: string;
  /** One line for the report's note on the deciding target. */
  note: string;
}

/** The latencies tried, in one line: `L=1: 20.6 MHz, L=2: no timing`. */
export function triedList(tried: LatencyChoice['tried']): string {
  return tried.map((x) => `L=${x.latency}: ${x.fmaxMhz !== null ? `${x.fmaxMhz.toFixed(1)} MHz` : 'no timing'}`).join(', ');
}

/** The first of `names` whose part has place and route here; a UsageError saying what is needed when none has. */
export function timingTarget(names: readonly string[]): Target {
  const t = timedTargets(checkTargets(names))[0];
  if (t !== undefined) return t;
  const how = FAMILIES.filter((f) => f.pnr !== null)
    .map((f) => `${f.name} (place and route here: ${f.pnr!.here()})`)
    .join('; ');
  throw new UsageError(`--latency auto needs a --target whose part can be placed and routed here, since the latency is chosen by its timing: ${how}`);
}

export async function chooseLatency(
  spec: Spec,
  copts: Omit<CompileOptions, 'latency'>,
  /** A target whose part can be placed and routed here (see `timingTarget`). */
  target: Target,
  clockMhz: number,
  opts: { seed?: number; timeoutSeconds?: number; progress?: (line: string) => void } = {},
): Promise<LatencyChoice> {
  const seed = opts.seed ?? 1;
  const tried: LatencyChoice['tried'] = [];
  let last: CompileResult | null = null;
  let tool = '';
  let met = false;
  for (let L = 1; L <= MAX_LATENCY; L++) {
    const r = compile(spec, { ...copts, latency: L });
    last = r;
    const n = r.netlist;
    // place and route synthesizes the core itself (inside the wrapper)
    const p = await placeAndRouteCore(r.verilog, n.module, target, n.ports, clockMhz, seed, { timeoutSeconds: opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS });
    tool = p.tool;
    tried.push({ latency: L, fmaxMhz: p.fmaxMhz, note: p.note });
    opts.progress?.(`latency ${L}: ${p.fmaxMhz !== null ? `Fmax ${p.fmaxMhz.toFixed(1)} MHz` : (p.note ?? 'no timing')}`);
    if (p.fmaxMhz === null) break; // does not fit or does not route: more registers will not help
    if (p.fmaxMhz >= clockMhz) {
      met = true;
      break;
    }
    // once every stage is a single adder level, more ranks cannot shorten the path
    if (n.cuts.every((c, k) => c - (k === 0 ? 0 : n.cuts[k - 1]!) <= 1)) break;
  }
  const result = last!;
  const latency = result.netlist.latency;
  const how = `place and route on ${target.name} with ${tool}, seed ${seed}`;
  const method = met ? how : `${how}: no latency met the clock`;
  const note = `latency ${latency} chosen by --latency auto for ${clockMhz} MHz: ${method}; tried ${triedList(tried)}`;
  return { latency, result, target, tried, met, method, note };
}
