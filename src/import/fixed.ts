/**
 * Fixed-point formats in hls4ml's notation (`fixed<W,I>`, `ufixed<W,I>`, optionally with
 * `,RND,SAT` as in `fixed<16,6,RND_CONV,SAT>`; `ap_fixed<…>` and `ap_ufixed<…>` too), and the
 * quantization of a float to a format, exactly (every step is a power-of-two scaling, a
 * rounding or a comparison of float64 values).
 *
 * W is the total width and I the integer bits including the sign bit, so a value has
 * W − I fractional bits (I may be negative or exceed W). ap_fixed's defaults are TRN (truncate,
 * toward −∞) and WRAP.
 */
import { UsageError } from '../errors.js';
import type { FixedFormat, QOverflow, QRounding } from './ir.js';

const ROUNDING: Record<string, QRounding> = { TRN: 'floor', AP_TRN: 'floor', RND: 'nearest', AP_RND: 'nearest', RND_CONV: 'nearest_even', AP_RND_CONV: 'nearest_even' };
const OVERFLOW: Record<string, QOverflow> = { WRAP: 'wrap', AP_WRAP: 'wrap', SAT: 'saturate', AP_SAT: 'saturate', SAT_SYM: 'saturate_symmetric', AP_SAT_SYM: 'saturate_symmetric' };
const ROUNDING_NAME: Record<QRounding, string> = { floor: 'TRN', nearest: 'RND', nearest_even: 'RND_CONV' };
const OVERFLOW_NAME: Record<QOverflow, string> = { wrap: 'WRAP', saturate: 'SAT', saturate_symmetric: 'SAT_SYM' };
const UNSUPPORTED_ROUNDING = ['TRN_ZERO', 'RND_ZERO', 'RND_MIN_INF', 'RND_INF'];

/** The largest width a format may have here. */
export const MAX_FIXED_WIDTH = 48;

/**
 * Parses `fixed<W,I>` / `ufixed<W,I>` with optional rounding and saturation modes; `what` names
 * the option or field in the message ("--input", "--precision fc1=…").
 */
export function parseFixed(text: string, what: string): FixedFormat {
  const m = /^\s*(?:ap_)?(u?)fixed\s*<\s*(-?\d+)\s*,\s*(-?\d+)\s*(?:,\s*([A-Z_]+)\s*)?(?:,\s*([A-Z_]+)\s*)?(?:,\s*(\d+)\s*)?>\s*$/.exec(text);
  if (!m) throw new UsageError(`${what}: expected fixed<W,I> or ufixed<W,I> (hls4ml's notation, optionally fixed<W,I,RND,SAT>), got "${text}"`);
  const signed = m[1] !== 'u';
  const width = Number(m[2]);
  const int = Number(m[3]);
  if (width < (signed ? 2 : 1) || width > MAX_FIXED_WIDTH) throw new UsageError(`${what}: the width W of "${text}" must be ${signed ? 2 : 1} to ${MAX_FIXED_WIDTH}`);
  if (Math.abs(int) > 64) throw new UsageError(`${what}: the integer bits I of "${text}" must be −64 to 64`);
  const rnd = m[4] ?? 'TRN';
  const sat = m[5] ?? 'WRAP';
  if (UNSUPPORTED_ROUNDING.includes(rnd.replace(/^AP_/, ''))) throw new UsageError(`${what}: rounding mode ${rnd} is not supported (supported: TRN, RND, RND_CONV)`);
  const rounding = ROUNDING[rnd];
  if (rounding === undefined) throw new UsageError(`${what}: unknown rounding mode "${rnd}" in "${text}" (supported: TRN, RND, RND_CONV)`);
  const overflow = OVERFLOW[sat];
  if (overflow === undefined) throw new UsageError(`${what}: ${/ZERO/.test(sat) ? `saturation mode ${sat} is not supported` : `unknown saturation mode "${sat}" in "${text}"`} (supported: WRAP, SAT, SAT_SYM)`);
  if (m[6] !== undefined && Number(m[6]) !== 0) throw new UsageError(`${what}: saturation bits (the 5th parameter) are not supported, got "${text}"`);
  return { signed, width, frac: width - int, rounding, overflow };
}

/** A format in hls4ml's notation: `fixed<W,I>` (defaults omitted) or `ufixed<W,I,RND_CONV,SAT>`. */
export function fixedText(f: FixedFormat): string {
  const base = `${f.signed ? '' : 'u'}fixed<${f.width},${f.width - f.frac}`;
  if (f.rounding === 'floor' && f.overflow === 'wrap') return `${base}>`;
  return `${base},${ROUNDING_NAME[f.rounding]},${OVERFLOW_NAME[f.overflow]}>`;
}

/** The least and greatest integer codes of a format. */
export function codeRange(f: Pick<FixedFormat, 'signed' | 'width' | 'overflow'>): [number, number] {
  if (f.width === 0) return [0, 0];
  if (!f.signed) return [0, 2 ** f.width - 1];
  const hi = 2 ** (f.width - 1) - 1;
  return [f.overflow === 'saturate_symmetric' ? -hi : -hi - 1, hi];
}

/** x rounded to an integer by the mode. */
export function roundBy(x: number, mode: QRounding): number {
  const fl = Math.floor(x);
  if (mode === 'floor') return fl;
  const rest = x - fl;
  if (rest > 0.5) return fl + 1;
  if (rest < 0.5) return fl;
  if (mode === 'nearest') return fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

/** The integer code of x in the format (rounded, then wrapped or clamped). */
export function quantizeCode(x: number, f: FixedFormat): number {
  if (f.width === 0) return 0;
  const k = roundBy(x * 2 ** f.frac, f.rounding);
  if (!Number.isSafeInteger(k)) throw new Error(`quantizeCode: ${x} at 2^-${f.frac} is beyond float64's exact integers`);
  return overflowCode(k, f);
}

/** An integer k brought into the format's codes: wrapped modulo 2^width, or clamped (width > 0). */
export function overflowCode(k: number, f: Pick<FixedFormat, 'signed' | 'width' | 'overflow'>): number {
  const [lo, hi] = codeRange(f);
  if (f.overflow === 'wrap') {
    const m = 2 ** f.width;
    const r = (((k - lo) % m) + m) % m;
    return r + lo;
  }
  return Math.min(hi, Math.max(lo, k));
}

/** x quantized to the format, as a real value. */
export function quantize(x: number, f: FixedFormat): number {
  return quantizeCode(x, f) / 2 ** f.frac;
}

/**
 * The fractional bits a dyadic rational needs (0 for integers, negative never), or null when x
 * is not dyadic within float64 (a float weight not yet quantized).
 */
export function fracBitsOf(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  let f = 0;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    f++;
    if (f > 1100) return null;
  }
  return f;
}

/**
 * The smallest format (signed or not, with `frac` fractional bits) that holds every value of a
 * list exactly, as `fixed<W,I>`, for the report. Values must be multiples of 2^−frac.
 */
export function typeOfValues(values: readonly number[], frac: number): string {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    const k = v * 2 ** frac;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  const signed = lo < 0;
  const bitsFor = (n: number): number => (n <= 0 ? 0 : Math.floor(Math.log2(n)) + 1);
  const width = signed ? Math.max(bitsFor(hi), bitsFor(-lo - 1)) + 1 : Math.max(1, bitsFor(hi));
  return `${signed ? '' : 'u'}fixed<${width},${width - frac}>`;
}
