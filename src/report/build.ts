import type { OptimizeStats } from '../da/cmvm.js';
import { triedText } from '../da/network.js';
import type { Netlist } from '../rtl/netlist.js';
import { buildManifest } from '../rtl/manifest.js';
import type { Manifest, ManifestLayer } from '../rtl/manifest.js';
import { REPORT_DESIGNS, REPORT_SCHEMA } from './schema.js';
import type { DerivedTargetField, Report, ReportNetwork, TargetResult } from './schema.js';

/**
 * What a synthesis / place-and-route run measured. `targetResult` fills in the derived fields.
 * Optional fields default to null (or 0 for `bram` and `dsp`). A full `TargetResult` is also
 * accepted: its derived fields are recomputed.
 */
export type TargetInput = Pick<TargetResult, 'target' | 'design' | 'flow' | 'cells' | 'clock_mhz'> &
  Partial<Omit<TargetResult, 'target' | 'design' | 'flow' | 'cells' | 'clock_mhz' | DerivedTargetField>> &
  Partial<Pick<TargetResult, DerivedTargetField>>;

/** What the derived fields depend on: the design's latency in cycles and its adder bits. */
export interface TargetContext {
  latency: number;
  adderBits: number;
}

/** Derived ns values are kept to 1 ps, ratios to 4 decimals, so the JSON stays short and stable. */
function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

/**
 * A complete TargetResult, in the schema's key order, from what a run measured:
 * - `latency_ns_at_clock` = latency × 1000 / clock_mhz; `latency_ns_at_fmax` likewise at Fmax
 *   (null when Fmax is unknown). A combinational design (latency 0) gives 0 ns.
 * - `timing_met` = fmax_mhz ≥ clock_mhz, null when Fmax is unknown.
 * - `lut_carry_per_adder_bit` = (luts + carries) / adder bits for da-gen designs (carries
 *   count 0 when the target reports none); null for baselines, unknown LUTs or no adders.
 * Throws RangeError for a clock or Fmax that is not a positive finite number.
 */
export function targetResult(partial: TargetInput, ctx: TargetContext): TargetResult {
  const clock = partial.clock_mhz;
  if (!(Number.isFinite(clock) && clock > 0)) throw new RangeError(`${partial.target}: clock_mhz must be a positive number, got ${clock}`);
  const fmax = partial.fmax_mhz ?? null;
  if (fmax !== null && !(Number.isFinite(fmax) && fmax > 0)) {
    throw new RangeError(`${partial.target}: fmax_mhz must be a positive number or null, got ${fmax}`);
  }
  if (!(REPORT_DESIGNS as readonly string[]).includes(partial.design)) {
    throw new RangeError(`${partial.target}: design must be "da-gen" or "baseline", got ${JSON.stringify(partial.design)}`);
  }
  const luts = partial.luts ?? null;
  const carries = partial.carries ?? null;
  const ratio =
    partial.design === 'da-gen' && luts !== null && ctx.adderBits > 0 ? round((luts + (carries ?? 0)) / ctx.adderBits, 4) : null;
  return {
    target: partial.target,
    design: partial.design,
    flow: partial.flow,
    cells: sortedRecord(partial.cells),
    luts,
    carries,
    ffs: partial.ffs ?? null,
    bram: partial.bram ?? 0,
    dsp: partial.dsp ?? 0,
    estimate: partial.estimate ? { luts: partial.estimate.luts, carries: partial.estimate.carries, ffs: partial.estimate.ffs } : null,
    wrapper_cells: partial.wrapper_cells ? sortedRecord(partial.wrapper_cells) : null,
    place_and_route: partial.place_and_route ?? null,
    fmax_mhz: fmax,
    clock_mhz: clock,
    timing_met: fmax === null ? null : fmax >= clock,
    latency_ns_at_fmax: fmax === null ? null : round((ctx.latency * 1000) / fmax, 3),
    latency_ns_at_clock: round((ctx.latency * 1000) / clock, 3),
    lut_carry_per_adder_bit: ratio,
    note: partial.note ?? null,
  };
}

/**
 * Adder levels in each register stage: the differences of successive cuts
 * (cuts [4, 8] → [4, 4]); a combinational design (no cuts) is one stage of the whole depth.
 */
export function stageDepths(cuts: readonly number[], adderDepth: number): number[] {
  if (cuts.length === 0) return [adderDepth];
  return cuts.map((c, k) => c - (k === 0 ? 0 : cuts[k - 1]!));
}

export interface BuildReportArgs {
  netlist: Netlist;
  stats: Pick<OptimizeStats, 'naiveAdders' | 'adderBits' | 'depthBound' | 'minDepth'>;
  /** In the order they should be reported; derived fields are (re)computed from the netlist. */
  targets: readonly TargetInput[];
  tools: Record<string, string>;
  /** The compile result's manifest: a network's layers and score come from it. */
  manifest?: Manifest;
}

/** Per-channel values compactly: "3..7", or the one value. */
function spanText(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo}..${hi}`;
}

/**
 * A layer's output format in words: "8-bit signed, saturate", or per channel "per channel
 * 4..8-bit signed, wrap" (signedness "signed or unsigned" when it differs; pruned channels, of
 * width 0, counted at the end); null at full precision.
 */
function outputText(o: ManifestLayer['output']): string | null {
  if (o === null) return null;
  const sign = (s: boolean): string => (s ? 'signed' : 'unsigned');
  if (typeof o.width === 'number' && typeof o.signed === 'boolean') return `${o.width}-bit ${sign(o.signed)}, ${o.overflow}`;
  const widths = typeof o.width === 'number' ? [o.width] : o.width;
  const live = widths.map((w) => w > 0);
  const signs = (typeof o.signed === 'boolean' ? widths.map(() => o.signed as boolean) : o.signed).filter((_, c) => live[c]);
  const pruned = live.filter((x) => !x).length;
  const liveWidths = widths.filter((w) => w > 0);
  const signText = signs.length === 0 ? '' : signs.every((s) => s === signs[0]) ? ` ${sign(signs[0]!)}` : ' signed or unsigned';
  const widthText = liveWidths.length === 0 ? 'pruned' : `${spanText(liveWidths)}-bit${signText}`;
  return `per channel ${widthText}, ${o.overflow}${pruned > 0 && liveWidths.length > 0 ? `, ${pruned} of ${widths.length} pruned` : ''}`;
}

/** The report's network section from a network's manifest (null for a single matrix). */
function networkOf(m: Manifest | undefined): ReportNetwork | null {
  if (m?.layers === undefined) return null;
  return {
    layers: m.layers.map((l) => ({
      kind: l.kind,
      shape: l.out_shape.join('×'),
      strategy: l.strategy,
      forms: l.tried.map(({ at_least, ...t }) => triedText({ ...t, atLeast: at_least === true })),
      inputs: l.inputs,
      outputs: l.outputs,
      adders: l.adders,
      bias: l.bias,
      activation: l.activation,
      shift: typeof l.shift === 'number' ? l.shift : `${spanText(l.shift)} per channel`,
      rounding: l.rounding,
      output: outputText(l.output),
      weight_frac_bits: l.weight_frac_bits,
      input_frac_bits: l.input_frac_bits,
    })),
    score: m.score ?? null,
    score_width: m.score_width ?? null,
    squares: m.squares ?? null,
  };
}

export function buildReport(args: BuildReportArgs): Report {
  const n = args.netlist;
  const seen = new Set<string>();
  for (const t of args.targets) {
    const key = `${t.target} ${t.design}`;
    if (seen.has(key)) throw new RangeError(`two results for target ${t.target}, design ${t.design}`);
    seen.add(key);
  }
  const ctx: TargetContext = { latency: n.latency, adderBits: args.stats.adderBits };
  // the design and arithmetic figures are the manifest's, in the report's layout
  const m = buildManifest(n, args.stats);
  const net = networkOf(args.manifest);
  return {
    schema: REPORT_SCHEMA,
    generator: m.generator,
    design: {
      module: m.module,
      shape: `${m.outputs}x${m.inputs}`,
      inputs: m.inputs,
      input_width: m.input_width,
      input_signed: m.input_signed,
      outputs: m.outputs,
      output_width: m.output_width,
      output_signed: m.output_signed,
      latency: m.latency,
    },
    arithmetic: {
      adders: m.adders,
      naive_adders: m.naive_adders,
      adder_bits: m.adder_bits,
      adder_depth: m.adder_depth,
      depth_bound: m.depth_bound,
      stage_depths: stageDepths(n.cuts, n.adderDepth),
      register_bits: m.register_bits,
    },
    ...(args.manifest?.estimated_cells !== undefined ? { estimates: sortedEstimates(args.manifest.estimated_cells) } : {}),
    ...(net !== null ? { network: net } : {}),
    targets: args.targets.map((t) => targetResult(t, ctx)),
    tools: sortedRecord(args.tools),
  };
}

/** Estimates by family, families and cells sorted by name. */
function sortedEstimates(e: Record<string, Record<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const k of Object.keys(e).sort()) out[k] = sortedRecord(e[k]!);
  return out;
}

/** A copy with every object's keys in schema order (record keys sorted), unknown keys dropped. */
export function canonicalReport(r: Report): Report {
  const d = r.design;
  const a = r.arithmetic;
  return {
    schema: r.schema,
    generator: r.generator,
    design: {
      module: d.module,
      shape: d.shape,
      inputs: d.inputs,
      input_width: d.input_width,
      input_signed: d.input_signed,
      outputs: d.outputs,
      output_width: d.output_width,
      output_signed: d.output_signed,
      latency: d.latency,
    },
    arithmetic: {
      adders: a.adders,
      naive_adders: a.naive_adders,
      adder_bits: a.adder_bits,
      adder_depth: a.adder_depth,
      depth_bound: a.depth_bound,
      stage_depths: [...a.stage_depths],
      register_bits: a.register_bits,
    },
    ...(r.estimates !== undefined ? { estimates: sortedEstimates(r.estimates) } : {}),
    ...(r.network !== undefined
      ? {
          network: {
            layers: r.network.layers.map((l) => ({
              kind: l.kind,
              shape: l.shape,
              strategy: l.strategy,
              forms: [...l.forms],
              inputs: l.inputs,
              outputs: l.outputs,
              adders: l.adders,
              bias: l.bias,
              activation: l.activation,
              shift: l.shift,
              rounding: l.rounding,
              output: l.output,
              weight_frac_bits: l.weight_frac_bits,
              input_frac_bits: l.input_frac_bits,
            })),
            score: r.network.score,
            score_width: r.network.score_width,
            squares: r.network.squares,
          },
        }
      : {}),
    targets: r.targets.map((t) => ({
      target: t.target,
      design: t.design,
      flow: t.flow,
      cells: sortedRecord(t.cells),
      luts: t.luts,
      carries: t.carries,
      ffs: t.ffs,
      bram: t.bram,
      dsp: t.dsp,
      estimate: t.estimate === null ? null : { luts: t.estimate.luts, carries: t.estimate.carries, ffs: t.estimate.ffs },
      wrapper_cells: t.wrapper_cells === null ? null : sortedRecord(t.wrapper_cells),
      place_and_route: t.place_and_route,
      fmax_mhz: t.fmax_mhz,
      clock_mhz: t.clock_mhz,
      timing_met: t.timing_met,
      latency_ns_at_fmax: t.latency_ns_at_fmax,
      latency_ns_at_clock: t.latency_ns_at_clock,
      lut_carry_per_adder_bit: t.lut_carry_per_adder_bit,
      note: t.note,
    })),
    tools: sortedRecord(r.tools),
  };
}

/** The report as JSON: keys in schema order, 2-space indent, trailing newline. Deterministic. */
export function reportJsonText(r: Report): string {
  return `${JSON.stringify(canonicalReport(r), null, 2)}\n`;
}
