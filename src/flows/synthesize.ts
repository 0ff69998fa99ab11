import { ToolError } from '../errors.js';
import { checkTargets, estimateCells, familyOf } from '../platform/index.js';
import { placeAndRouteCore, placerOf } from '../platform/nextpnr.js';
import type { PnrResult } from '../platform/nextpnr.js';
import { synthesize } from '../platform/yosys.js';
import type { SynthResult } from '../platform/yosys.js';
import type { TargetInput } from '../report/build.js';
import { emitBaselineVerilog } from '../rtl/verilog/baseline.js';
import { findTool, toolDescription } from '../toolchain/tool.js';
import type { CompileResult } from './compile.js';
import { toolRun } from './progress.js';
import type { Progress } from './progress.js';

/**
 * The synthesis flow for a compiled design: for each target, synthesize da-gen's module (and,
 * with a baseline matrix, the hand-written W*x design with the same registers); where the
 * target's family has place and route here, place and route it inside the pin wrapper and read
 * Fmax. Returns the report's target entries, the tools' versions, and the failures (a tool that
 * failed or ran out of time: its entry says so, and the command exits with code 3).
 */

export const DEFAULT_CLOCK_MHZ = 40;

export interface SynthesizeOptions {
  targets: readonly string[];
  clockMhz?: number;
  /** The matrix of the hand-written baseline to synthesize too (describeSpec(spec).baseline), or null. */
  baseline?: bigint[][] | null;
  /** nextpnr seed (fixed, so results are reproducible). */
  seed?: number;
  /** Time limit of each tool run, in seconds. */
  timeoutSeconds?: number;
  /** Skip place and route (synthesis counts only). */
  noPnr?: boolean;
  progress?: Progress;
}

type Design = { design: 'da-gen' | 'baseline'; top: string; verilog: string };

export async function synthesizeTargets(r: CompileResult, opts: SynthesizeOptions): Promise<{ targets: TargetInput[]; tools: Record<string, string>; failures: string[] }> {
  const targets = checkTargets(opts.targets);
  const clock = opts.clockMhz ?? DEFAULT_CLOCK_MHZ;
  const seed = opts.seed ?? 1;
  const n = r.netlist;
  const designs: Design[] = [{ design: 'da-gen', top: n.module, verilog: r.verilog }];
  if (opts.baseline) designs.push({ design: 'baseline', top: `${n.module}_baseline`, verilog: emitBaselineVerilog(opts.baseline, n) });
  const p = opts.progress;
  const run = toolRun(opts.timeoutSeconds, p);
  const tools = targets.length > 0 ? toolVersions(['yosys']) : {};
  const out: TargetInput[] = [];
  const failures: string[] = [];
  const estimates = r.manifest.estimated_cells ?? estimateCells(n);
  for (const t of targets) {
    const family = familyOf(t);
    const placer = opts.noPnr ? null : placerOf(family);
    if (placer !== null) tools[placer.name] = toolDescription(placer);
    for (const d of designs) {
      const what = d.design === 'da-gen' ? 'the da-gen design' : 'the baseline';
      p?.start(`${t.name}: synthesis of ${what} (${family.synthesizer})`);
      let s: SynthResult;
      const t0 = performance.now();
      try {
        s = await synthesize(d.verilog, d.top, t, run);
      } catch (e) {
        if (!(e instanceof ToolError)) throw e;
        p?.done((performance.now() - t0) / 1000, `failed: ${e.message}`);
        failures.push(e.message);
        out.push({ target: t.name, design: d.design, flow: 'synthesis failed', cells: {}, clock_mhz: clock, note: e.message });
        continue;
      }
      p?.done(s.seconds, `${s.luts ?? '?'} LUTs${s.carries !== null ? `, ${s.carries} carries` : ''}, ${s.ffs ?? '?'} FFs`);
      const entry: TargetInput = { target: t.name, design: d.design, flow: s.flow, cells: s.cells, luts: s.luts, carries: s.carries, ffs: s.ffs, bram: s.bram, dsp: s.dsp, clock_mhz: clock };
      // the estimate made without synthesis, beside what synthesis counted (the da-gen design's)
      const est = d.design === 'da-gen' ? estimates[family.name] : undefined;
      if (est !== undefined) {
        const e = family.resources(est);
        entry.estimate = { luts: e.luts, carries: e.carries, ffs: e.ffs };
      }
      if (placer !== null) {
        p?.start(`${t.name}: place and route of ${what} (${placer.name} --${t.device}, seed ${seed})`);
        let pr: PnrResult;
        const t1 = performance.now();
        try {
          pr = await placeAndRouteCore(d.verilog, d.top, t, n.ports, clock, seed, run);
        } catch (e) {
          if (!(e instanceof ToolError)) throw e;
          pr = { flow: entry.flow, tool: placer.name, fmaxMhz: null, wrapperCells: {}, note: e.message, placed: null, seconds: (performance.now() - t1) / 1000 };
        }
        if (pr.note !== null) failures.push(`${t.name}, ${what}: ${pr.note}`);
        p?.done(pr.seconds, pr.fmaxMhz !== null ? `Fmax ${pr.fmaxMhz.toFixed(1)} MHz` : (pr.note ?? 'no Fmax'));
        Object.assign(entry, { flow: pr.flow, place_and_route: pr.tool, fmax_mhz: pr.fmaxMhz, wrapper_cells: pr.wrapperCells, note: pr.note });
      } else if (family.pnr !== null) {
        entry.note = opts.noPnr ? 'synthesis only (--no-pnr)' : `synthesis only: ${family.pnr.placer} is not available here (${family.pnr.install})`;
      }
      out.push(entry);
    }
  }
  return { targets: out, tools, failures };
}

/** The versions of these tools, as reports list them (those not installed left out). */
export function toolVersions(names: readonly Parameters<typeof findTool>[0][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const t = findTool(name);
    if (t !== null) out[name] = toolDescription(t);
  }
  return out;
}
