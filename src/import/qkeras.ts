/**
 * QKeras quantizers, as QKeras's forward pass applies them (qkeras/quantizers.py), given as a
 * config object ({class_name, config}) or as Python call text ("quantized_bits(6,0,alpha=1)").
 *
 * - quantized_bits(bits, integer, symmetric, keep_negative, alpha): with m = 2^(bits −
 *   keep_negative) and m_i = 2^integer, x ↦ m_i · clip(round(x · m / m_i), −m·keep_negative
 *   (+1 if symmetric), m − 1) / m, round being TensorFlow's (halves to even). That is
 *   fixed<bits, integer + keep_negative, RND_CONV, SAT> (SAT_SYM when symmetric). alpha 1 or
 *   None is the plain format; a numeric alpha multiplies the result (a power of two only, here).
 *   QDense and QConv turn a kernel quantizer's alpha=None into "auto_po2" when the layer is
 *   built, a scale computed from the weights at training time: the saved file shows it, and it
 *   is refused. One bit with keep_negative is sign(x) with 0 → +1.
 * - quantized_relu(bits, integer, negative_slope = 0): relu, then ufixed<bits, integer,
 *   RND_CONV, SAT>.
 * - ternary(alpha = 1, threshold = 0.33): (|x| ≥ t)·sign(x), t compared in float32.
 * - binary(use_01 = False, alpha = 1): sign (x ≥ 0 → +1, else −1), or 0/1 with use_01.
 * - quantized_po2(bits, max_value): ±2^e, e = log2|x| rounded half to even and clipped (0 → +2^min).
 */
import type { FixedFormat, ModelOp, OpMeta } from './ir.js';
import { fixedText, quantize } from './fixed.js';
import { bindArgs, parsePyCall } from './pyargs.js';
import type { PyValue } from './pyargs.js';

/** A QKeras quantizer, resolved. */
export type QKerasQuantizer =
  | { kind: 'fixed'; format: FixedFormat; scaleExp: number; text: string }
  | { kind: 'relu'; format: FixedFormat; text: string }
  | { kind: 'ternary'; alpha: number; threshold: number; text: string }
  | { kind: 'sign'; text: string }
  | { kind: 'binary'; use01: boolean; alpha: number; text: string }
  | { kind: 'po2'; bits: number; maxValue: number | null; text: string };

const PARAMS: Record<string, string[]> = {
  quantized_bits: ['bits', 'integer', 'symmetric', 'keep_negative', 'alpha', 'use_stochastic_rounding', 'scale_axis', 'qnoise_factor', 'var_name', 'use_ste', 'use_variables'],
  quantized_relu: ['bits', 'integer', 'use_sigmoid', 'negative_slope', 'use_stochastic_rounding', 'relu_upper_bound', 'qnoise_factor', 'var_name', 'use_ste', 'use_variables'],
  ternary: ['alpha', 'threshold', 'use_stochastic_rounding', 'number_of_unrolls', 'var_name', 'use_ste'],
  binary: ['use_01', 'alpha', 'use_stochastic_rounding', 'scale_axis', 'elements_per_scale', 'min_po2_exponent', 'max_po2_exponent'],
  quantized_po2: ['bits', 'max_value', 'use_stochastic_rounding', 'quadratic_approximation', 'log2_rounding', 'qnoise_factor', 'var_name', 'use_ste', 'use_variables'],
};

/** The quantizers this importer reproduces, for messages. */
export const SUPPORTED_QUANTIZERS = Object.keys(PARAMS).join(', ');

/** Thrown for a quantizer that cannot be reproduced exactly; the caller adds the layer and file. */
export class QuantizerError extends Error {}

function num(v: PyValue | undefined, dflt: number, what: string): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  throw new QuantizerError(`${what}: expected a number, got "${v}"`);
}

function flag(v: PyValue | undefined, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  return v === true || v === 1 || v === 'True' || v === 'true';
}

/** alpha as a power-of-two exponent: 1 or None give 0; "auto" and non-powers of two are refused. */
function alphaExponent(v: PyValue | undefined, text: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') {
    if (/^[0-9.]+$/.test(v)) return alphaExponent(Number(v), text);
    throw new QuantizerError(`${text}: alpha="${v}" scales by a value computed from the trained weights at training time, which the model file does not keep; use alpha=1 or a power of two`);
  }
  const a = num(v, 1, 'alpha');
  const e = Math.log2(a);
  if (!(a > 0) || !Number.isInteger(e)) throw new QuantizerError(`${text}: alpha=${a} is not a power of two; only alpha = 1 or a power of two are reproduced exactly`);
  return e;
}

/** A quantizer from a layer config: {class_name, config}, a string, or null (none). */
export function qkerasQuantizer(q: unknown): QKerasQuantizer | null {
  if (q === null || q === undefined || q === '') return null;
  let name: string;
  let args: Record<string, PyValue>;
  let text: string;
  if (typeof q === 'string') {
    const call = (() => {
      try {
        return parsePyCall(q);
      } catch (e) {
        throw new QuantizerError((e as Error).message);
      }
    })();
    name = call.name;
    if (!(name in PARAMS)) throw new QuantizerError(`unsupported quantizer "${q}" (supported: ${SUPPORTED_QUANTIZERS})`);
    try {
      args = bindArgs(call, PARAMS[name]!);
    } catch (e) {
      throw new QuantizerError((e as Error).message);
    }
    text = q.replace(/\s+/g, '');
  } else if (typeof q === 'object') {
    const o = q as { class_name?: unknown; config?: unknown };
    name = String(o.class_name ?? '');
    if (!(name in PARAMS)) throw new QuantizerError(`unsupported quantizer ${name || JSON.stringify(q)} (supported: ${SUPPORTED_QUANTIZERS})`);
    args = (o.config ?? {}) as Record<string, PyValue>;
    text = `${name}(${Object.entries(args)
      .filter(([k]) => ['bits', 'integer', 'symmetric', 'keep_negative', 'alpha', 'negative_slope', 'threshold', 'use_01', 'max_value'].includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')})`;
  } else throw new QuantizerError(`expected a quantizer, got ${JSON.stringify(q)}`);
  if (flag(args.use_stochastic_rounding, false)) throw new QuantizerError(`${text}: stochastic rounding is random at training time; its inference behaviour is not reproduced`);
  switch (name) {
    case 'quantized_bits': {
      const bits = num(args.bits, 8, 'bits');
      const integer = num(args.integer, 0, 'integer');
      const keep = flag(args.keep_negative, true);
      const sym = flag(args.symmetric, false);
      const a = alphaExponent(args.alpha, text);
      if (!Number.isInteger(bits) || bits < 1 || bits > 32 || !Number.isInteger(integer)) throw new QuantizerError(`${text}: bits must be 1 to 32 and integer an integer`);
      // one bit with keep_negative: QKeras gives sign(x), 0 → +1
      if (bits === 1 && keep) return { kind: 'sign', text };
      const format: FixedFormat = { signed: keep, width: bits, frac: bits - (keep ? 1 : 0) - integer, rounding: 'nearest_even', overflow: sym && keep ? 'saturate_symmetric' : 'saturate' };
      // a numeric alpha multiplies the quantized value (x is not divided by it first)
      return { kind: 'fixed', format, scaleExp: a, text };
    }
    case 'quantized_relu': {
      const bits = num(args.bits, 8, 'bits');
      const integer = num(args.integer, 0, 'integer');
      if (num(args.use_sigmoid, 0, 'use_sigmoid') !== 0) throw new QuantizerError(`${text}: use_sigmoid is not supported`);
      if (num(args.negative_slope, 0, 'negative_slope') !== 0) throw new QuantizerError(`${text}: negative_slope is not supported yet`);
      if (args.relu_upper_bound !== undefined && args.relu_upper_bound !== null) throw new QuantizerError(`${text}: relu_upper_bound is not supported`);
      const format: FixedFormat = { signed: false, width: bits, frac: bits - integer, rounding: 'nearest_even', overflow: 'saturate' };
      return { kind: 'relu', format, text };
    }
    case 'ternary': {
      const alpha = args.alpha === undefined || args.alpha === null ? 1 : num(args.alpha, 1, 'alpha');
      if (alpha !== 1) throw new QuantizerError(`${text}: only ternary with alpha=1 (or None) is reproduced exactly`);
      // QKeras's default threshold is 0.33, compared in float32
      const threshold = Math.fround(args.threshold === undefined || args.threshold === null ? 0.33 : num(args.threshold, 0.33, 'threshold'));
      return { kind: 'ternary', alpha, threshold, text };
    }
    case 'binary': {
      const alpha = args.alpha === undefined || args.alpha === null ? 1 : num(args.alpha, 1, 'alpha');
      if (alpha !== 1) throw new QuantizerError(`${text}: only binary with alpha=1 (or None) is reproduced exactly`);
      return { kind: 'binary', use01: flag(args.use_01, false), alpha, text };
    }
    case 'quantized_po2': {
      const bits = num(args.bits, 8, 'bits');
      const mv = args.max_value === undefined || args.max_value === null ? null : num(args.max_value, 1, 'max_value');
      if (flag(args.quadratic_approximation, false)) throw new QuantizerError(`${text}: quadratic_approximation is not supported`);
      return { kind: 'po2', bits, maxValue: mv, text };
    }
  }
  throw new QuantizerError(`unsupported quantizer ${name}`);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const r = v - f;
  return r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** The quantizer applied to one weight (exact, float64). */
export function quantizeWeight(x: number, q: QKerasQuantizer): number {
  switch (q.kind) {
    case 'fixed':
      return quantize(x, q.format) * 2 ** q.scaleExp;
    case 'sign':
      return x >= 0 ? 1 : -1;
    case 'relu':
      return quantize(Math.max(x, 0), q.format);
    case 'ternary':
      // (|x| ≥ t)·sign(x)
      return x >= q.threshold ? q.alpha : x <= -q.threshold ? -q.alpha : 0;
    case 'binary':
      return q.use01 ? (x >= 0 ? 1 : 0) : x >= 0 ? 1 : -1;
    case 'po2': {
      // exponents in [−2^eb, 2^eb − 1], eb = bits − 1 − (a sign bit unless max_value ≤ 1);
      // |x| below 1e-7 (0 included) gives +2^min; else the exponent is log2|x| rounded (halves to even)
      const needSign = q.maxValue !== null && q.maxValue <= 1 ? 0 : 1;
      const eb = q.bits - 1 - needSign;
      const minExp = -(2 ** eb);
      const maxExp = 2 ** eb - 1;
      const sign = x < 0 ? -1 : 1;
      let a = Math.abs(x);
      if (a < 1e-7) return 2 ** minExp;
      if (q.maxValue !== null) a = Math.min(a, q.maxValue);
      const e = Math.min(maxExp, Math.max(minExp, roundHalfEven(Math.log2(a))));
      return sign * 2 ** e;
    }
  }
}

/** A quantizer's type in hls4ml's notation, for the report. */
export function quantizerType(q: QKerasQuantizer): string {
  switch (q.kind) {
    case 'fixed':
      return q.scaleExp === 0 ? fixedText(q.format) : `${fixedText(q.format)} × 2^${q.scaleExp}`;
    case 'relu':
      return fixedText(q.format);
    case 'sign':
      return 'binary (−1, +1)';
    case 'ternary':
      return 'ternary (−1, 0, +1)';
    case 'binary':
      return q.use01 ? 'binary (0, 1)' : 'binary (−1, +1)';
    case 'po2':
      return `power of two (${q.bits} bits)`;
  }
}

/** The operations of a quantizer used as an activation (QActivation, or a layer's activation). */
export function activationOpsOf(q: QKerasQuantizer, meta: OpMeta): ModelOp[] {
  switch (q.kind) {
    case 'fixed':
      if (q.scaleExp !== 0) throw new QuantizerError(`${q.text} as an activation: only alpha = 1 is supported`);
      return [{ op: 'quant', formats: [q.format], source: q.text, meta }];
    case 'sign':
      return [{ op: 'sign', meta }];
    case 'relu':
      return [
        { op: 'relu', meta },
        { op: 'quant', formats: [q.format], source: q.text, meta },
      ];
    case 'ternary':
      // (|x| ≥ t)·sign(x): −1 up to −t included, +1 from t on
      return [{ op: 'step', thresholds: [-q.threshold, q.threshold], cmp: ['gt', 'ge'], levels: [-1, 0, 1], meta }];
    case 'binary':
      return q.use01 ? [{ op: 'step', thresholds: [0], cmp: ['ge'], levels: [0, 1], meta }] : [{ op: 'sign', meta }];
    case 'po2':
      throw new QuantizerError(`${q.text} as an activation is not supported (its values are not on one fixed-point grid)`);
  }
}
