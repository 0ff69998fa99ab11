import { SpecError } from '../errors.js';
import { describe as describeValue, isObject, parseJson } from '../spec/json.js';
import { canonicalReport } from './build.js';
import { REPORT_DESIGNS, REPORT_SCHEMA } from './schema.js';
import type { Report, ReportDesign, ReportLayer, ReportNetwork, TargetResult } from './schema.js';

/** Reading a report back (`da-gen report`, `report --compare`). */

/** A value as an error message shows it; a missing key says so. */
function describe(v: unknown): string {
  return v === undefined ? 'nothing (the key is missing)' : describeValue(v);
}

function keyPath(base: string, k: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return base === '' ? k : `${base}.${k}`;
  return `${base}[${JSON.stringify(k)}]`;
}

type Check<T> = { what: string; ok: (v: unknown) => v is T };

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
const COUNT_OR_STRING: Check<number | string> = { what: 'a non-negative integer or a string', ok: (v): v is number | string => typeof v === 'string' || COUNT.ok(v) };
const STRINGS: Check<string[]> = { what: 'an array of strings', ok: (v): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string') };
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

  // reports written before the estimates have none
  let estimates: Record<string, Record<string, number>> | undefined;
  if (top.estimates !== undefined) {
    const e = obj(top.estimates, 'estimates', 'an object of estimated cells per family');
    estimates = {};
    for (const k of Object.keys(e).sort()) estimates[k] = record(e[k], keyPath('estimates', k), COUNT, 'an object of cell counts');
  }
  const estimateOf = (o: Record<string, unknown>, p: string): NonNullable<TargetResult['estimate']> => ({
    luts: field(o, p, 'luts', COUNT_OR_NULL),
    carries: field(o, p, 'carries', COUNT_OR_NULL),
    ffs: field(o, p, 'ffs', COUNT_OR_NULL),
  });

  let network: ReportNetwork | undefined;
  if (top.network !== undefined) {
    const nw = obj(top.network, 'network', 'an object (the layers and score of a network)');
    if (!Array.isArray(nw.layers) || nw.layers.length === 0) fail('network.layers', `expected a non-empty array of layers, got ${describe(nw.layers)}`);
    network = {
      layers: (nw.layers as unknown[]).map((v, k): ReportLayer => {
        const p = `network.layers[${k}]`;
        const l = obj(v, p, 'an object (one layer)');
        const outputs = field(l, p, 'outputs', POSITIVE_INT);
        return {
          // reports written before layer kinds existed have dense layers only
          kind: l.kind === undefined ? 'dense' : field(l, p, 'kind', STRING),
          shape: l.shape === undefined ? String(outputs) : field(l, p, 'shape', STRING),
          strategy: l.strategy === undefined ? null : field(l, p, 'strategy', STRING_OR_NULL),
          // reports written before the forms were listed have none
          forms: l.forms === undefined ? [] : field(l, p, 'forms', STRINGS),
          inputs: field(l, p, 'inputs', POSITIVE_INT),
          outputs,
          adders: field(l, p, 'adders', COUNT),
          bias: field(l, p, 'bias', BOOL),
          activation: field(l, p, 'activation', STRING),
          shift: field(l, p, 'shift', COUNT_OR_STRING),
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
      // reports written before the estimates have none
      estimate: t.estimate === undefined || t.estimate === null ? null : estimateOf(obj(t.estimate, `${p}.estimate`, 'an object of luts, carries and ffs, or null'), `${p}.estimate`),
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
  return canonicalReport({ schema: REPORT_SCHEMA, generator, design, arithmetic, ...(estimates !== undefined ? { estimates } : {}), ...(network !== undefined ? { network } : {}), targets, tools });
}
