import type { LayerOutput, Rounding } from './spec.js';

/**
 * The entries of lookup tables (`"kind": "table"` layers) that name a function.
 *
 * Entry k of a table over the format `input` is the result for the input value v = min + k
 * (min the format's least value): round(f(v / 2^inFrac) · 2^outFrac), rounded per `rounding`
 * (floor, nearest with halves rounded up, or nearest with halves to even), then fitted to
 * `output` (wrap: the low `width` bits; saturate: clamped to the format's range;
 * saturate_symmetric: to ±(2^(width−1) − 1) when signed).
 *
 * softsign and hard_sigmoid are rational in v / 2^inFrac, so their entries are exact (BigInt
 * arithmetic, no float anywhere). The others are transcendental and are computed in float64:
 * a result that is not finite, or beyond ±2^64 (wider than any output), is clamped into the
 * output's range whatever its overflow, since it has no meaningful low bits to wrap.
 */

export const TABLE_FUNCTIONS = ['sigmoid', 'tanh', 'exp', 'softplus', 'gelu', 'silu', 'softsign', 'hard_sigmoid'] as const;
export type TableFunction = (typeof TABLE_FUNCTIONS)[number];

/** A value format: `width` bits, two's complement if `signed`. */
export interface ValueFormat {
  width: number;
  signed: boolean;
}

/** The least and greatest value of a format (a width of 0 holds 0 only). */
export function formatRange(f: ValueFormat): [bigint, bigint] {
  if (f.width === 0) return [0n, 0n];
  const w = BigInt(f.width);
  return f.signed ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
}

/** The least and greatest value that fitting to `output` gives: the format's, or ±(2^(width−1) − 1) when signed and saturating symmetrically. */
export function outputRange(output: LayerOutput): [bigint, bigint] {
  const [lo, hi] = formatRange(output);
  return output.overflow === 'saturate_symmetric' && output.signed && output.width > 0 ? [-hi, hi] : [lo, hi];
}

/** `v` fitted to `output`: wrap keeps the low `width` bits (as a signed or unsigned value), saturate and saturate_symmetric clamp to `outputRange`. */
export function fitToOutput(v: bigint, output: LayerOutput): bigint {
  if (output.overflow === 'wrap') return output.signed ? BigInt.asIntN(output.width, v) : BigInt.asUintN(output.width, v);
  const [lo, hi] = outputRange(output);
  return v < lo ? lo : v > hi ? hi : v;
}

/** ⌊a / b⌋ for b > 0 (BigInt division truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** num / den (den > 0) rounded to an integer: floor, nearest with halves up, or nearest with halves to even. */
function roundRational(num: bigint, den: bigint, rounding: Rounding): bigint {
  if (rounding === 'floor') return floorDiv(num, den);
  if (rounding === 'nearest') return floorDiv(2n * num + den, 2n * den);
  const q = floorDiv(num, den);
  const twice = 2n * (num - q * den); // twice the remainder, 0 … 2·den − 2
  return twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q;
}

// ---- erf and erfc in float64 ----

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π

/**
 * e^(−x²) without the rounding error of x² growing through the exponential: x = hi + lo with
 * hi holding 24 bits, so hi² is exact and x² − hi² = lo·(x + hi) is small.
 */
function expMinusSquare(x: number): number {
  const hi = Math.fround(x);
  const lo = x - hi;
  return Math.exp(-hi * hi) * Math.exp(-lo * (x + hi));
}

/**
 * erf(x) for 0 ≤ x < 1 from the series 2/√π · e^(−x²) · Σ 2^n x^(2n+1) / (1·3·…·(2n+1)), whose
 * terms are all positive (no cancellation).
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
}

/**
 * erfc(x) for x ≥ 1 from its continued fraction e^(−x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))),
 * evaluated from the tail (200 terms reach full double precision from x = 1 on).
 */
function erfcFraction(x: number): number {
  let t = x;
  for (let k = x < 2 ? 200 : 60; k >= 1; k--) t = x + k / 2 / t;
  return (ONE_OVER_SQRT_PI * expMinusSquare(x)) / t;
}

/** The error function, good to a few units in the last place. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  const r = a < 1 ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 − erf(x), with relative accuracy in its tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 1 + erf(-x);
  return x < 1 ? 1 - erfSeries(x) : erfcFraction(x);
}

// ---- the functions ----

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The transcendental functions, in float64. */
const FLOAT_FUNCTIONS: Record<Exclude<TableFunction, 'softsign' | 'hard_sigmoid'>, (x: number) => number> = {
  sigmoid,
  tanh: Math.tanh,
  exp: Math.exp,
  // log(1 + e^x) = max(x, 0) + log(1 + e^−|x|)
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  // x·Φ(x) = x/2 · (1 + erf(x/√2)), written with erfc for x < 0 so the left tail keeps its digits
  gelu: (x) => (x >= 0 ? 0.5 * x * (1 + erf(x * Math.SQRT1_2)) : 0.5 * x * erfc(-x * Math.SQRT1_2)),
  silu: (x) => x * sigmoid(x),
};

const TWO_64 = 2 ** 64;

/**
 * One entry before fitting: round(f(v / 2^inFrac) · 2^outFrac). For the float functions a
 * result that is not finite or beyond ±2^64 is clamped into `output`'s range here.
 */
export function functionValue(fn: TableFunction, v: bigint, inFrac: number, outFrac: number, rounding: Rounding, output: LayerOutput): bigint {
  const q = 1n << BigInt(inFrac);
  const scale = 1n << BigInt(outFrac);
  if (fn === 'softsign') {
    // x / (1 + |x|) with x = v/q is v / (q + |v|)
    return roundRational(v * scale, q + (v < 0n ? -v : v), rounding);
  }
  if (fn === 'hard_sigmoid') {
    // relu6(x + 3) / 6 with x = v/q is min(max(v + 3q, 0), 6q) / 6q
    const n = v + 3n * q;
    const c = n < 0n ? 0n : n > 6n * q ? 6n * q : n;
    return roundRational(c * scale, 6n * q, rounding);
  }
  const x = Number(v) / 2 ** inFrac;
  const t = FLOAT_FUNCTIONS[fn](x) * 2 ** outFrac;
  const [lo, hi] = outputRange(output);
  if (Number.isNaN(t)) return 0n;
  if (t >= TWO_64) return hi;
  if (t <= -TWO_64) return lo;
  let r = Math.floor(t);
  // t − ⌊t⌋ is exact; comparing it avoids the rounding of t + 0.5
  const frac = t - r;
  if (rounding === 'nearest' && frac >= 0.5) r += 1;
  // a double of magnitude ≥ 2^53 is an even integer (frac 0), so r below it is exact and its parity known
  if (rounding === 'nearest_even' && (frac > 0.5 || (frac === 0.5 && r % 2 !== 0))) r += 1;
  return BigInt(r);
}

/**
 * The entries of a table computing `fn`: one per value of `input` from its least to its
 * greatest, each round(f(v / 2^inFrac) · 2^outFrac) fitted to `output`.
 */
export function functionTable(fn: TableFunction, input: ValueFormat, inFrac: number, outFrac: number, rounding: Rounding, output: LayerOutput): bigint[] {
  const [lo, hi] = formatRange(input);
  const entries: bigint[] = [];
  for (let v = lo; v <= hi; v++) entries.push(fitToOutput(functionValue(fn, v, inFrac, outFrac, rounding, output), output));
  return entries;
}
