import { UsageError } from '../errors.js';
import { buildReport } from '../report/build.js';
import type { Report } from '../report/schema.js';
import { describeSpec } from '../spec/spec.js';
import type { Spec } from '../spec/spec.js';
import { chooseLatency, timingTarget, triedList } from './auto-latency.js';
import type { LatencyChoice } from './auto-latency.js';
import { compile } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';
import type { Progress } from './progress.js';
import { DEFAULT_CLOCK_MHZ, synthesizeTargets } from './synthesize.js';

/**
 * `da-gen generate` as a library: compile at a fixed latency or choose it by place and route
 * (`--latency auto`), then synthesize for targets and build the report. The command writes the
 * files between the two steps, so that the Verilog is there while synthesis runs.
 */

export interface DesignOptions extends Omit<CompileOptions, 'latency'> {
  /** Register ranks, or 'auto': the fewest whose design meets `clockMhz` on the first target that can be placed and routed. */
  latency: number | 'auto';
  targets?: readonly string[];
  clockMhz?: number;
  seed?: number;
  timeoutSeconds?: number;
  progress?: Progress;
}

export interface Design {
  result: CompileResult;
  /** How --latency auto chose, or null for a fixed latency. */
  choice: LatencyChoice | null;
}

export async function compileDesign(spec: Spec, o: DesignOptions): Promise<Design> {
  const { latency, targets, clockMhz, seed, timeoutSeconds, progress, ...copts } = o;
  if (latency !== 'auto') return { result: compile(spec, { ...copts, latency }), choice: null };
  if (targets === undefined || targets.length === 0) {
    throw new UsageError('--latency auto needs a --target that can be placed and routed here (e.g. --target ice40-up5k): the latency is chosen by its timing');
  }
  const clock = clockMhz ?? DEFAULT_CLOCK_MHZ;
  const target = timingTarget(targets);
  const t0 = performance.now();
  progress?.start(`choosing the latency for ${clock} MHz on ${target.name}`);
  const choice = await chooseLatency(spec, copts, target, clock, {
    ...(seed !== undefined ? { seed } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(copts.log ? { progress: (line: string) => copts.log!(`  ${line}`) } : {}),
  });
  progress?.done((performance.now() - t0) / 1000, `latency ${choice.latency}${choice.met ? '' : ' (clock not met)'}; ${triedList(choice.tried)}`);
  return { result: choice.result, choice };
}

export interface ReportOptions {
  targets: readonly string[];
  clockMhz?: number;
  /** Also synthesize the hand-written W*x (a plain matrix only). */
  baseline?: boolean;
  seed?: number;
  timeoutSeconds?: number;
  noPnr?: boolean;
  progress?: Progress;
  /** Called with each tool failure (synthesis or place and route failed or ran out of time); the report records them too. */
  onFailure?: (message: string) => void;
}

/** Refuse, before any work, report options that cannot be met: a baseline without targets or of a network. */
export function checkReportOptions(spec: Spec, o: { baseline?: boolean; targets?: readonly string[] }): void {
  if (!o.baseline) return;
  if ((o.targets ?? []).length === 0) throw new UsageError('--baseline needs at least one --target (e.g. --target ice40-up5k)');
  if (describeSpec(spec).baseline === null) throw new UsageError('--baseline is for a single matrix (the hand-written W*x); this file is a network');
}

/** Synthesize the design for each target (and the baseline), and the report of it all. */
export async function reportDesign(spec: Spec, d: Design, o: ReportOptions): Promise<Report> {
  checkReportOptions(spec, o);
  const baseline = o.baseline ? describeSpec(spec).baseline : null;
  const r = d.result;
  const flow = await synthesizeTargets(r, { ...o, baseline });
  for (const f of flow.failures) o.onFailure?.(f);
  if (d.choice !== null) {
    const { target, note } = d.choice;
    for (const t of flow.targets) if (t.target === target.name && t.design === 'da-gen') t.note = t.note ? `${t.note}; ${note}` : note;
  }
  return buildReport({ netlist: r.netlist, stats: r.stats, targets: flow.targets, tools: flow.tools, manifest: r.manifest });
}
