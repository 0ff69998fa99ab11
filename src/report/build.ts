import type { OptimizeStats } from '../da/cmvm.js';
import type { Netlist } from '../rtl/netlist.js';
import { buildManifest } from '../rtl/manifest.js';
import type { Manifest } from '../rtl/manifest.js';
import { SpecError } from '../spec/errors.js';
import { describe as describeValue, parseJson } from '../spec/json.js';
import { REPORT_DESIGNS, REPORT_SCHEMA } from './schema.js';
import type { DerivedTargetField, Report, ReportDesign, ReportLayer, ReportNetwork, TargetResult } from './schema.js';

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

/** The report's network section from a network's manifest (null for a single matrix). */
function networkOf(m: Manifest | undefined): ReportNetwork | null {
  if (m?.layers === undefined) return null;
  return {
    layers: m.layers.map((l) => ({
      inputs: l.inputs,
      outputs: l.outputs,
      adders: l.adders,
      bias: l.bias,
      activation: l.activation,
      shift: l.shift,
      rounding: l.rounding,
      output: l.output === null ? null : `${l.output.width}-bit ${l.output.signed ? 'signed' : 'unsigned'}, ${l.output.overflow}`,
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
    ...(net !== null ? { network: net } : {}),
    targets: args.targets.map((t) => targetResult(t, ctx)),
    tools: sortedRecord(args.tools),
  };
}

/** A copy with every object's keys in schema order (record keys sorted), unknown keys dropped. */
function canonical(r: Report): Report {
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
    ...(r.network !== undefined
      ? {
          network: {
            layers: r.network.layers.map((l) => ({
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
  return `${JSON.stringify(canonical(r), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading a report back (report --compare)

/** A value as an error message shows it; a missing key says so. */
function describe(v: unknown): string {
  return v === undefined ? 'nothing (the key is missing)' : describeValue(v);
}

function keyPath(base: string, k: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return base === '' ? k : `${base}.${k}`;
  return `${base}[${JSON.stringify(k)}]`;
}

type Check<T> = { what: string; ok: (v: unknown) => v is T };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const COUNT: Check<number> = { what: 'a non-negative integer', ok: (v): v is number => Number.isSafeInteger(v) && (v as number) >= 0 };
const COUNT_OR_NULL: Check<number | null> = { what: 'a non-negative integer or null', ok: (v): v is number | null => v === null || COUNT.ok(v) };
const POSITIVE_INT: Check<number> = { what: 'a positive integer', ok: (v): v is number => COUNT.ok(v) && v > 0 };
const POSITIVE: Check<number> = { what: 'a positive number', ok: (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0 };
const POSITIVE_OR_NULL: Check<number | null> = { what: 'a positive number or null', ok: (v): v is number | null => v === null || POSITIVE.ok(v) };
const NON_NEGATIVE: Check<number> = { what: 'a non-negative number', ok: (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 };
const NON_NEGATIVE_OR_NULL: Check<number | null> = {
  what: 'a non-negative number or null',
  ok: (v): v is number | null => v === null || NON_NEGATIVE.ok(v),
};
const STRING: Check<string> = { what: 'a string', ok: (v): v is string => typeof v === 'string' };
const STRING_OR_NULL: Check<string | null> = { what: 'a string or null', ok: (v): v is string | null => v === null || typeof v === 'string' };
const BOOL: Check<boolean> = { what: 'true or false', ok: (v): v is boolean => typeof v === 'boolean' };
const BOOL_OR_NULL: Check<boolean | null> = { what: 'true, false or null', ok: (v): v is boolean | null => v === null || typeof v === 'boolean' };
const DESIGN: Check<ReportDesign> = {
  what: '"da-gen" or "baseline"',
  ok: (v): v is ReportDesign => (REPORT_DESIGNS as readonly unknown[]).includes(v),
};

/**
 * Reads a report written by `reportJsonText`. Checks the schema identifier and the type of every
 * field; a problem throws a SpecError naming the file, the JSON path (`targets[1].fmax_mhz`) and
 * what was expected. Unknown keys are ignored. Returns the report in canonical key order.
 */
export function parseReport(text: string, file: string): Report {
  const doc = parseJson(text, file);

  const fail = (path: string, detail: string): never => {
    throw new SpecError(file, path, detail);
  };
  const obj = (v: unknown, path: string, what: string): Record<string, unknown> => {
    if (!isObject(v)) fail(path, `expected ${what}, got ${describe(v)}`);
    return v as Record<string, unknown>;
  };
  const field = <T>(o: Record<string, unknown>, base: string, key: string, c: Check<T>): T => {
    const v = o[key];
    if (!c.ok(v)) fail(keyPath(base, key), `expected ${c.what}, got ${describe(v)}`);
    return v as T;
  };
  const record = <T>(v: unknown, path: string, c: Check<T>, what: string): Record<string, T> => {
    const o = obj(v, path, what);
    const out: Record<string, T> = {};
    for (const k of Object.keys(o).sort()) out[k] = field(o, path, k, c);
    return out;
  };

  const top = obj(doc, '', 'a JSON object (a da-gen report)');
  if (top.schema !== REPORT_SCHEMA) {
    fail('schema', `expected ${JSON.stringify(REPORT_SCHEMA)} (a da-gen report), got ${describe(top.schema)}`);
  }
  const generator = field(top, '', 'generator', STRING);

  const d = obj(top.design, 'design', 'an object');
  const design: Report['design'] = {
    module: field(d, 'design', 'module', STRING),
    shape: field(d, 'design', 'shape', STRING),
    inputs: field(d, 'design', 'inputs', POSITIVE_INT),
    input_width: field(d, 'design', 'input_width', POSITIVE_INT),
    input_signed: field(d, 'design', 'input_signed', BOOL),
    outputs: field(d, 'design', 'outputs', POSITIVE_INT),
    output_width: field(d, 'design', 'output_width', POSITIVE_INT),
    output_signed: field(d, 'design', 'output_signed', BOOL),
    latency: field(d, 'design', 'latency', COUNT),
  };
  const shape = `${design.outputs}x${design.inputs}`;
  if (design.shape !== shape) fail('design.shape', `expected "${shape}" (outputs x inputs), got ${describe(design.shape)}`);

  const a = obj(top.arithmetic, 'arithmetic', 'an object');
  const stage = a.stage_depths;
  if (!Array.isArray(stage) || stage.length === 0) {
    fail('arithmetic.stage_depths', `expected a non-empty array of non-negative integers, got ${describe(stage)}`);
  }
  const arithmetic: Report['arithmetic'] = {
    adders: field(a, 'arithmetic', 'adders', COUNT),
    naive_adders: field(a, 'arithmetic', 'naive_adders', COUNT),
    adder_bits: field(a, 'arithmetic', 'adder_bits', COUNT),
    adder_depth: field(a, 'arithmetic', 'adder_depth', COUNT),
    depth_bound: field(a, 'arithmetic', 'depth_bound', COUNT_OR_NULL),
    stage_depths: (stage as unknown[]).map((v, k) => {
      if (!COUNT.ok(v)) fail(`arithmetic.stage_depths[${k}]`, `expected a non-negative integer, got ${describe(v)}`);
      return v as number;
    }),
    register_bits: field(a, 'arithmetic', 'register_bits', COUNT),
  };

  let network: ReportNetwork | undefined;
  if (top.network !== undefined) {
    const nw = obj(top.network, 'network', 'an object (the layers and score of a network)');
    if (!Array.isArray(nw.layers) || nw.layers.length === 0) fail('network.layers', `expected a non-empty array of layers, got ${describe(nw.layers)}`);
    network = {
      layers: (nw.layers as unknown[]).map((v, k): ReportLayer => {
        const p = `network.layers[${k}]`;
        const l = obj(v, p, 'an object (one layer)');
        return {
          inputs: field(l, p, 'inputs', POSITIVE_INT),
          outputs: field(l, p, 'outputs', POSITIVE_INT),
          adders: field(l, p, 'adders', COUNT),
          bias: field(l, p, 'bias', BOOL),
          activation: field(l, p, 'activation', STRING),
          shift: field(l, p, 'shift', COUNT),
          rounding: field(l, p, 'rounding', STRING),
          output: field(l, p, 'output', STRING_OR_NULL),
          weight_frac_bits: field(l, p, 'weight_frac_bits', COUNT_OR_NULL),
          input_frac_bits: field(l, p, 'input_frac_bits', COUNT_OR_NULL),
        };
      }),
      score: field(nw, 'network', 'score', STRING_OR_NULL),
      score_width: field(nw, 'network', 'score_width', COUNT_OR_NULL),
      squares: field(nw, 'network', 'squares', STRING_OR_NULL),
    };
  }

  if (!Array.isArray(top.targets)) fail('targets', `expected an array of target results, got ${describe(top.targets)}`);
  const targets = (top.targets as unknown[]).map((v, k): TargetResult => {
    const p = `targets[${k}]`;
    const t = obj(v, p, 'an object (one target result)');
    return {
      target: field(t, p, 'target', STRING),
      design: field(t, p, 'design', DESIGN),
      flow: field(t, p, 'flow', STRING),
      cells: record(t.cells, `${p}.cells`, COUNT, 'an object of cell counts'),
      luts: field(t, p, 'luts', COUNT_OR_NULL),
      carries: field(t, p, 'carries', COUNT_OR_NULL),
      ffs: field(t, p, 'ffs', COUNT_OR_NULL),
      bram: field(t, p, 'bram', COUNT),
      dsp: field(t, p, 'dsp', COUNT),
      wrapper_cells: t.wrapper_cells === null ? null : record(t.wrapper_cells, `${p}.wrapper_cells`, COUNT, 'an object of cell counts or null'),
      place_and_route: field(t, p, 'place_and_route', STRING_OR_NULL),
      fmax_mhz: field(t, p, 'fmax_mhz', POSITIVE_OR_NULL),
      clock_mhz: field(t, p, 'clock_mhz', POSITIVE),
      timing_met: field(t, p, 'timing_met', BOOL_OR_NULL),
      latency_ns_at_fmax: field(t, p, 'latency_ns_at_fmax', NON_NEGATIVE_OR_NULL),
      latency_ns_at_clock: field(t, p, 'latency_ns_at_clock', NON_NEGATIVE),
      lut_carry_per_adder_bit: field(t, p, 'lut_carry_per_adder_bit', NON_NEGATIVE_OR_NULL),
      note: field(t, p, 'note', STRING_OR_NULL),
    };
  });

  const seen = new Map<string, number>();
  targets.forEach((t, k) => {
    const key = `${t.target} ${t.design}`;
    const first = seen.get(key);
    if (first !== undefined) fail(`targets[${k}]`, `expected one result per target and design, got a second "${t.target}" ${t.design} (the first is targets[${first}])`);
    seen.set(key, k);
  });

  const tools = record(top.tools, 'tools', STRING, 'an object of tool versions (strings)');
  return canonical({ schema: REPORT_SCHEMA, generator, design, arithmetic, ...(network !== undefined ? { network } : {}), targets, tools });
}
