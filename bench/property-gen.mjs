// The random designs of the property test, shared by the nightly script (bench/property.mjs,
// which runs on dist/) and the CI test (test/property/designs.test.ts, which runs on src/).
//
// A design is a format-1 input file, exactly as da-gen reads it, plus the compile options and the
// test vectors to check it with. It is drawn from the run's seed and its own index alone, so any
// one design can be rebuilt (and repeated) without drawing the others. The library is passed in
// (`lib`, da-gen's public API from src/ or dist/): this file imports nothing of da-gen itself.

/**
 * The shapes of the designs: five of a single matrix, small networks of dense layers in the
 * "layers" form ('network'), and small networks mixing every layer kind ('layers': convolutions,
 * pooling, batchnorm, tables, argmax, every activation, bipolar inputs, input shapes).
 */
export const KINDS = ['row', 'column', 'tall', 'wide', 'square', 'network', 'layers'];

/** How the weights of a matrix (or of each layer of a network) are drawn. */
export const PATTERNS = ['random', 'sparse', 'powers of two', 'extremes', 'non-negative', 'structured', 'all zero', 'ternary'];

/** The layer kinds and the activations that 'layers' designs mix (every one the format has). */
export const LAYER_KINDS = ['dense', 'conv1d', 'conv2d', 'batchnorm', 'maxpool1d', 'maxpool2d', 'avgpool1d', 'avgpool2d', 'flatten', 'table', 'argmax'];
export const ACTIVATIONS = ['linear', 'relu', 'leaky_relu', 'hard_tanh', 'sign'];

/** The roundings and overflows the format has (every one is drawn). */
export const ROUNDINGS = ['floor', 'nearest', 'nearest_even'];
export const OVERFLOWS = ['wrap', 'saturate', 'saturate_symmetric'];

/** The functions a table may name (the parser's list; a name it does not know would be a rejected draw). */
export const TABLE_FUNCTIONS = ['sigmoid', 'tanh', 'exp', 'softplus', 'gelu', 'silu', 'softsign', 'hard_sigmoid'];

/** Vectors per design: the extremes of testVectors first, then random ones. */
export const DEFAULT_VECTORS = 40;

/**
 * Widest weights of a one-column matrix or layer (N×1, which da-gen builds with its MCM search)
 * unless `wideColumns` is asked for: only for throughput. The MCM search works up to its budget
 * (MAX_MCM_WORK, a few seconds) on wide weights, e.g. a 12×1 column of random 48-bit weights
 * takes about 5 s, which would dominate a run of 10^5 designs. Before issue 11 that column ran a
 * quarter of an hour and failed ("Map maximum size exceeded"): this property test found it.
 * `node bench/property.mjs --wide-columns` draws them.
 */
export const COLUMN_WEIGHT_BITS = 16;

/** Widths of the inputs drawn mostly (from the library's MIN_INPUT_WIDTH); now and then up to MAX_INPUT_WIDTH. */
const USUAL_INPUT_WIDTH = 16;

/** A seeded 32-bit generator (a Weyl sequence through an integer mixer), the same on every platform. */
class Draw {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  u32() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1) >>> 0;
    z = (z ^ (z + Math.imul(z ^ (z >>> 7), z | 61))) >>> 0;
    return (z ^ (z >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  below(n) {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** An integer in [lo, hi]. */
  between(lo, hi) {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p) {
    return this.u32() < p * 4294967296;
  }

  pick(list) {
    return list[this.below(list.length)];
  }

  /** A BigInt of `bits` bits in two's complement: [-(2^(bits-1)), 2^(bits-1) - 1]. */
  signedBits(bits) {
    let r = 0n;
    for (let have = 0; have < bits; have += 32) r = (r << 32n) | BigInt(this.u32());
    return BigInt.asIntN(bits, r);
  }
}

/** The seed of design `index` in a run seeded `seed` (a hash of both, so neighbours differ). */
export function designSeed(seed, index) {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 16) ^ (index >>> 0), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Bits of a weight: mostly 1..most, in 5% of the matrices wider, up to 64 (the format allows |w| < 2^64). */
function weightBits(d, most) {
  return d.chance(0.05) ? d.between(most + 1, 64) : d.between(1, most);
}

/** The largest magnitude of a `bits`-bit weight; at 64 bits the format's limit, 2^64 − 1. */
function topOf(bits) {
  return bits >= 64 ? (1n << 64n) - 1n : 1n << BigInt(bits - 1);
}

/** One weight of a pattern, |w| ≤ topOf(bits). */
function weight(d, pattern, bits) {
  const top = topOf(bits);
  switch (pattern) {
    case 'sparse':
      return d.chance(0.8) ? 0n : d.signedBits(bits);
    case 'powers of two': {
      if (d.chance(0.15)) return 0n;
      const p = 1n << BigInt(d.below(Math.min(bits, 64)));
      return d.chance(0.5) ? -p : p;
    }
    case 'extremes':
      return d.pick([0n, 1n, -1n, top, -top, top - 1n, 1n - top, top / 2n, -(top / 2n)]);
    case 'non-negative': {
      const w = d.chance(0.2) ? 0n : d.signedBits(bits);
      return w < 0n ? -w : w;
    }
    case 'all zero':
      return 0n;
    case 'ternary': // −1, 0, +1 (ternary-weight networks)
      return d.pick([-1n, 0n, 1n]);
    default: // 'random', and the fresh rows of 'structured'
      return d.chance(0.15) ? 0n : d.signedBits(bits);
  }
}

/** Rows of 'structured' are doubled only while every weight stays below this (|w| < 2^64 after). */
const DOUBLE_BELOW = 1n << 62n;

/**
 * A rows × cols matrix of a pattern. Any pattern may get a zero row or a zero column.
 * 'structured' repeats earlier rows and adds negated, doubled copies of them (sharing the
 * optimizer should find).
 */
function matrixOf(d, rows, cols, pattern, bits) {
  const W = [];
  for (let r = 0; r < rows; r++) {
    const copy = r > 0 && pattern === 'structured' ? d.below(3) : 0;
    const from = copy > 0 ? W[d.below(r)] : null;
    if (from && copy === 2 && from.every((w) => w < DOUBLE_BELOW && w > -DOUBLE_BELOW)) W.push(from.map((w) => -2n * w));
    else if (from) W.push([...from]);
    else W.push(Array.from({ length: cols }, () => weight(d, pattern, bits)));
  }
  if (rows > 1 && d.chance(0.1)) W[d.below(rows)].fill(0n);
  if (cols > 1 && d.chance(0.1)) {
    const c = d.below(cols);
    for (const row of W) row[c] = 0n;
  }
  return W;
}

const transpose = (W) => W[0].map((_, c) => W.map((row) => row[c]));

/** Bits of a matrix's weights: one-column ones (the MCM search) capped unless `wideColumns`. */
function bitsFor(d, cols, most, o) {
  const bits = weightBits(d, most);
  return cols === 1 && !o.wideColumns ? Math.min(bits, COLUMN_WEIGHT_BITS) : bits;
}

/** The input format: MIN_INPUT_WIDTH..16 bits mostly, in 3% of the designs up to MAX_INPUT_WIDTH. */
function inputOf(d, lib, usual = USUAL_INPUT_WIDTH) {
  const width = d.chance(0.03) ? d.between(usual + 1, lib.MAX_INPUT_WIDTH) : d.between(lib.MIN_INPUT_WIDTH, usual);
  return { width, signed: d.chance(0.5) };
}

/** rows × cols of a single-matrix kind; now and then a long row or column, a large square. */
function shapeOf(d, kind) {
  const long = () => d.between(1, d.chance(0.1) ? 64 : 16);
  switch (kind) {
    case 'row':
      return [1, long()];
    case 'column':
      return [long(), 1];
    case 'tall': {
      const c = d.between(2, 6);
      return [c + d.between(1, 12), c];
    }
    case 'wide': {
      const r = d.between(2, 6);
      return [r, r + d.between(1, 12)];
    }
    default: {
      const n = d.chance(0.05) ? d.between(9, 32) : d.between(1, 8);
      return [n, n];
    }
  }
}

/** A single matrix, as "weights" or (10%) Keras's "kernel", in 5% with a score. */
function matrixDoc(d, lib, kind, pattern, name, o) {
  const [rows, cols] = shapeOf(d, kind);
  // Wide squares stay at usual weights, so that one of 32×32 stays quick.
  const W = matrixOf(d, rows, cols, pattern, rows * cols > 100 ? d.between(1, 10) : bitsFor(d, cols, 12, o));
  const doc = { format: 1, name, input: inputOf(d, lib) };
  if (d.chance(0.1)) doc.kernel = transpose(W);
  else doc.weights = W;
  if (d.chance(0.05)) doc.score = { kind: 'sum_of_squares', of: 'last' };
  return { doc, size: rows * cols, layers: 1 };
}

/** A layer's output format: unsigned 1..16 or signed 2..16 bits, in 5% up to 64; any overflow or the default. */
function outputOf(d) {
  const signed = d.chance(0.6);
  const width = d.chance(0.05) ? d.between(17, 64) : d.between(signed ? 2 : 1, 16);
  const out = { width, signed };
  if (d.chance(0.8)) out.overflow = d.pick(OVERFLOWS);
  return out;
}

/**
 * Per-channel output formats for `rows` channels (as HGQ's per-channel quantizers give them):
 * one format drawn per channel (`one(c)`, or in 10% a pruned channel of width 0), the signs as
 * an array or (when they agree) one boolean, one overflow or the default.
 */
function channelOutputs(d, rows, one) {
  const fmts = Array.from({ length: rows }, (_, c) => (d.chance(0.1) ? { width: 0, signed: d.chance(0.5) } : one(c)));
  const signs = fmts.map((f) => f.signed);
  const out = { width: fmts.map((f) => f.width), signed: signs.every((x) => x === signs[0]) && d.chance(0.5) ? signs[0] : signs };
  if (d.chance(0.8)) out.overflow = d.pick(OVERFLOWS);
  return out;
}

/** A bias near the accumulator's scale (`bits`), with zeros and now and then the format's extremes. */
function biasOf(d, rows, bits) {
  return Array.from({ length: rows }, () => {
    if (d.chance(0.15)) return 0n;
    if (d.chance(0.02)) return d.pick([topOf(64), -topOf(64)]);
    return d.signedBits(Math.max(1, Math.min(bits - d.below(4), 64)));
  });
}

/** A dense layer of the "layers" form; every optional key is given or left to its default. */
function layerOf(d, rows, cols, inputBits, o) {
  const pattern = d.pick(PATTERNS);
  const bits = bitsFor(d, cols, 8, o);
  const W = matrixOf(d, rows, cols, pattern, bits);
  const layer = d.chance(0.1) ? { kernel: transpose(W) } : { weights: W };
  if (d.chance(0.5)) layer.bias = biasOf(d, rows, bits + inputBits + Math.ceil(Math.log2(cols + 1)));
  if (d.chance(0.5)) layer.activation = 'relu';
  else if (d.chance(0.2)) layer.activation = 'linear';
  if (d.chance(0.7)) layer.shift = d.chance(0.05) ? d.between(13, 62) : d.below(13);
  // in 15% one shift per output
  if (rows > 1 && d.chance(0.15)) layer.shift = Array.from({ length: rows }, () => d.below(13));
  if (d.chance(0.6)) layer.rounding = d.pick(ROUNDINGS);
  if (d.chance(0.75)) layer.output = rows > 1 && d.chance(0.15) ? channelOutputs(d, rows, () => outputOf(d)) : outputOf(d);
  if (d.chance(0.1)) {
    layer.weight_frac_bits = d.below(17);
    layer.input_frac_bits = d.below(17);
  }
  return { layer, pattern };
}

/** A small network: 2–4 layers (in 10% just one) of 1–8 outputs, in 40% with a score. */
function networkDoc(d, lib, name, o) {
  const input = inputOf(d, lib, 12);
  const nLayers = d.chance(0.1) ? 1 : d.between(2, 4);
  let cols = d.between(1, 8);
  let bits = input.width;
  let size = 0;
  const layers = [];
  const patterns = [];
  for (let l = 0; l < nLayers; l++) {
    const rows = d.between(1, 8);
    const { layer, pattern } = layerOf(d, rows, cols, bits, o);
    layers.push(layer);
    patterns.push(pattern);
    size += rows * cols;
    bits = layer.output ? Math.max(1, ...[layer.output.width].flat()) : bits + 10;
    cols = rows;
  }
  const doc = { format: 1, name, input, layers };
  if (d.chance(0.4)) doc.score = { kind: 'sum_of_squares', of: 'last' };
  return { doc, size, layers: nLayers, pattern: patterns[0] };
}

// ---- 'layers': networks of every layer kind ----
//
// A 'layers' design is an input of shape [H, W, C] (40%), [L, C] (40%) or [n] (20%), with H, W
// ≤ 8, L ≤ 12, C ≤ 3 and at most 64 values, of 2–8-bit signed or unsigned values or (15%) of
// bipolar bits; then 1–5 layers drawn one after another from those that fit the shape and the
// value format before them (in proportion: a convolution 5, a max or an average pool 2 each,
// batchnorm 2, flatten 1, a table 3 when one may follow, dense 5 over a flat and 2 over a
// spatial shape), plus the layers some draws bring along (a batchnorm after a conv or dense
// layer left foldable, 25% of those; a pool that shrinks a shape of more than DENSE_MAX_INPUTS
// values before more layers); and in 30% an argmax last, in 10% a score. Convolutions have
// kernels of 1–3 taps per axis (even sizes too), strides 1–3, dilation 1–2, "valid" or "same"
// padding (45%; "same" whenever the window does not fit) and 1–3 output channels; pools have
// windows of 1–3 (max) or 1, 2, 4 (average) per axis, strides of the window or 1–3, "same"
// padding in 30%. Dense, conv and batchnorm layers draw every activation (relu twice as often as
// each other one), every rounding and overflow, and in 25% (of more than one channel) a shift
// and an output format per channel, some channels pruned (width 0); tables are "values" or
// "function" in equal parts.
//
// The draw follows the format's rules (src/spec/parse.ts), so that every drawn file parses: a
// convolution or pool over its rank only, a "valid" window no larger than its axis, an average
// pool of a power-of-two window, a table only over values of a known format of at most
// TABLE_INPUT_BITS bits, "sign" with no shift and no output, argmax last.
//
// Values: so that they keep varying from layer to layer instead of collapsing to a constant (a
// ReLU or a sign whose bias is beyond every value, a shift or an output format that leaves one
// value), the draw runs PROBE_VECTORS random inputs through the layers as it draws them, with
// the library's reference model (parseSpec and referenceOf; the expected values of the check
// come from the reference model again, never from the draw). It picks each bias and batchnorm
// offset from the values seen (minus a point between two of them near their median, so that a
// ReLU or a sign splits them), hard_tanh's `one` near them, each shift to keep 1–8 of their
// bits, and each output width around them (in 30% a narrow one of 1–6 bits, for a table after
// it; values then overflow, and the shift keeps about as many bits). A layer that still makes
// the probe's values constant is drawn again (up to RETRIES times), and an argmax that would
// give one index for every probe input is left out. Values stay within a few tens of bits.

/** Widest values a table is drawn over (the format allows 14 bits: 2^14 entries). */
const TABLE_INPUT_BITS = 6;
/** Most values a dense layer is drawn over (larger shapes are pooled first, or kept spatial). */
const DENSE_MAX_INPUTS = 96;
/** Beyond this many bits, an affine layer always fits its result to an `output`. */
const FULL_PRECISION_BITS = 24;
/** Random inputs the draw runs through the layers as it draws them. */
const PROBE_VECTORS = 12;
/** Draws of a layer that make varying values constant, drawn again this many times at most. */
const RETRIES = 3;
/** The patterns of the later layers: an 'all zero' layer would make the rest of the network constant. */
const LATER_PATTERNS = PATTERNS.filter((p) => p !== 'all zero');

/** Bits of a magnitude m ≥ 0: m < 2^bitsOf(m). */
function bitsOf(m) {
  return m <= 0n ? 0 : m.toString(2).length;
}

const absBig = (v) => (v < 0n ? -v : v);
const maxAbs = (vs) => vs.reduce((m, v) => (absBig(v) > m ? absBig(v) : m), 0n);
const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** The shape as [H, W, C]: [n] is [1, 1, n], [L, C] is [1, L, C]. */
function hwc(shape) {
  if (shape.length === 1) return [1, 1, shape[0]];
  if (shape.length === 2) return [1, shape[0], shape[1]];
  return shape;
}

/** Along one axis of length L: the output length of a window of `span` positions (Keras's arithmetic). */
function axisLength(L, span, stride, padding) {
  return padding === 'same' ? Math.ceil(L / stride) : Math.floor((L - span) / stride) + 1;
}

/** A pair as the format takes it: for one axis an integer or [b]; for two an integer (both equal) or [a, b]; often absent when both are `dflt`. */
function pairKey(d, layer, key, pair, twoD, dflt) {
  if (pair[0] === dflt && pair[1] === dflt && d.chance(0.6)) return;
  if (!twoD) layer[key] = d.chance(0.5) ? pair[1] : [pair[1]];
  else layer[key] = pair[0] === pair[1] && d.chance(0.5) ? pair[0] : [pair[0], pair[1]];
}

/**
 * What the draw knows between layers: the shape, the value format (`fmt`: 'fixed' with width
 * and signedness, 'bipolar' or 'full', for the tables), and the values of the probe inputs
 * (`vals`, one flat vector per input), with the document so far to run more layers on them.
 */
class Probe {
  constructor(lib, d, input, shape) {
    this.lib = lib;
    this.input = { ...input, shape };
    this.layers = [];
    this.shape = shape;
    this.fmt = input.bipolar ? { kind: 'bipolar' } : { kind: 'fixed', width: input.width, signed: input.signed };
    const n = size(shape);
    const lo = input.bipolar ? 0n : input.signed ? -(1n << BigInt(input.width - 1)) : 0n;
    const bits = input.bipolar ? 1 : input.width;
    this.xs = Array.from({ length: PROBE_VECTORS }, () => Array.from({ length: n }, () => lo + BigInt.asUintN(bits, d.signedBits(bits))));
    this.vals = this.xs.map((x) => (input.bipolar ? x.map((b) => 2n * b - 1n) : x));
  }

  /**
   * The values `layer` gives for the probe inputs: the layer alone over the values so far (as
   * the input of a one-layer file, in their own format for a table), or the whole network from
   * the inputs when the values do not make an input (too wide, or a table over 1-bit values).
   */
  run(layer) {
    const m = this.vals.reduce((a, v) => (maxAbs(v) > a ? maxAbs(v) : a), 0n);
    const table = layer.kind === 'table';
    const input = table ? { width: this.fmt.width, signed: this.fmt.signed } : { width: Math.max(this.lib.MIN_INPUT_WIDTH, bitsOf(m) + 1), signed: true };
    if (input.width < this.lib.MIN_INPUT_WIDTH || input.width > this.lib.MAX_INPUT_WIDTH) return this.outputs({ ...this.input }, [...this.layers, layer], this.xs);
    return this.outputs({ ...input, shape: this.shape }, [layer], this.vals);
  }

  outputs(input, layers, xs) {
    const spec = this.lib.parseSpec(JSON.stringify({ format: 1, name: 'probe', input, layers }, jsonInteger), 'probe.json');
    const ref = this.lib.referenceOf(spec);
    return xs.map((x) => ref(x));
  }

  /** Per channel (the last axis of `shape`), every value of `vals`. */
  static channels(vals, shape) {
    const C = shape[shape.length - 1];
    const per = Array.from({ length: C }, () => []);
    for (const v of vals) v.forEach((e, k) => per[k % C].push(e));
    return per;
  }

  /** Whether every probe input gives the same values (the layers so far make a constant). */
  constant() {
    const first = this.vals[0].join();
    return this.vals.every((v) => v.join() === first);
  }

  /** The state, to go back to with `restore`. */
  save() {
    return { n: this.layers.length, vals: this.vals, shape: this.shape, fmt: this.fmt };
  }

  restore(s) {
    this.layers.length = s.n;
    Object.assign(this, { vals: s.vals, shape: s.shape, fmt: s.fmt });
  }

  /** Adds a layer: its values (run unless given), its shape and the format after it. */
  push(layer, shape, fmt, vals) {
    this.vals = vals ?? this.run(layer);
    this.layers.push(layer);
    this.shape = shape;
    if (fmt !== null) this.fmt = fmt;
  }
}

/** The format after a layer with `output` (or none: full precision). */
function formatOf(output) {
  return output === undefined ? { kind: 'full' } : { kind: 'fixed', width: output.width, signed: output.signed };
}

/**
 * An output format: signed (60%) or not, `narrow` (1–6 bits, so that a table may follow) or as
 * wide as the largest of `values`, give or take a bit; wrap, saturate or the default.
 */
function layerOutputOf(d, narrow, values) {
  const signed = d.chance(0.6);
  const least = signed ? 2 : 1;
  const width = narrow ? d.between(least, TABLE_INPUT_BITS) : Math.min(16, Math.max(least, bitsOf(maxAbs(values)) + (signed ? 1 : 0) + d.between(-1, 1)));
  const out = { width, signed };
  if (d.chance(0.7)) out.overflow = d.pick(OVERFLOWS);
  return out;
}

/** Bits of magnitude an output format holds. */
const magnitudeBits = (out) => out.width - (out.signed ? 1 : 0);

/**
 * A bias or an offset about which the values `seen` split: minus a point between two
 * neighbouring distinct values near their median (so that a ReLU or a sign after it has values
 * on both sides), or when all are equal, minus that value.
 */
function centring(d, seen) {
  const u = [...new Set(seen)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (u.length < 2) return -u[0];
  const q = Math.floor((u.length - 1) / 4);
  const i = Math.min(u.length - 2, Math.max(0, Math.floor((u.length - 2) / 2) + d.between(-q, q)));
  // ⌈(u_i + u_{i+1}) / 2⌉: u_i + bias < 0 ≤ u_{i+1} + bias
  return -((u[i] + u[i + 1] + 1n) >> 1n);
}

/** ⌊a / 2^k⌋ */
const floorShift = (a, k) => a >> BigInt(k);

/**
 * The post-ops of a dense, conv or batchnorm layer, from `acc`: per output channel, the
 * accumulators of the probe inputs. `fold`: linear, shift 0 and no output (a bias or not), what
 * a batchnorm after it is folded into. Returns the format after it.
 */
function postOpsOf(d, layer, acc, fold) {
  const act = fold ? 'linear' : d.pick(['linear', 'relu', 'relu', 'leaky_relu', 'hard_tanh', 'sign']);
  // a bias in 50% (85% before a non-linear activation: values of one sign would make a ReLU or a sign constant)
  let seen = acc;
  if (d.chance(act === 'linear' ? 0.5 : 0.85)) {
    layer.bias = acc.map((vs) => (d.chance(0.1) ? 0n : centring(d, vs)));
    seen = acc.map((vs, c) => vs.map((v) => v + layer.bias[c]));
  }
  if (act !== 'linear' || d.chance(0.3)) layer.activation = act;
  if (fold) return { kind: 'full' };
  // per channel, the values after the activation
  let chans = seen;
  const each = (f) => {
    chans = chans.map((vs) => vs.map(f));
  };
  if (act === 'sign') {
    if (d.chance(0.2)) layer.rounding = d.pick(ROUNDINGS);
    return { kind: 'bipolar' };
  } else if (act === 'relu') {
    each((v) => (v < 0n ? 0n : v));
  } else if (act === 'leaky_relu') {
    // a slope mult / 2^shift: mostly below 1, now and then 0, 1 or more, or negative
    const mult = d.chance(0.1) ? -BigInt(d.between(1, 3)) : BigInt(d.between(0, 7));
    const shift = d.between(0, 4);
    layer.alpha = { mult, shift };
    each((v) => (v < 0n ? floorShift(v * mult, shift) : v));
  } else if (act === 'hard_tanh') {
    // 1.0 about a value seen, so that some values clamp and some do not
    const flat = chans.flat();
    const one = 1n << BigInt(Math.max(0, bitsOf(absBig(flat[d.below(flat.length)])) - d.below(2)));
    layer.one = one;
    each((v) => (v > one ? one : v < -one ? -one : v));
  }
  // in 25% of the layers of more than one channel, a shift and a format per channel
  if (chans.length > 1 && d.chance(0.25)) return perChannelOps(d, layer, chans);
  const all = chans.flat();
  // an output in 65% (in 30% of those a narrow one), and a shift that keeps 1–8 bits of the
  // values, or (mostly) as many as a narrow output holds, or now and then none
  const bits = bitsOf(maxAbs(all));
  const out = bits > FULL_PRECISION_BITS || d.chance(0.65);
  const narrow = out && d.chance(0.3) ? layerOutputOf(d, true, []) : null;
  const keep = narrow === null ? d.between(1, 8) : Math.max(1, magnitudeBits(narrow) + d.below(2));
  const shift = bits > keep && d.chance(out ? 0.9 : 0.4) ? bits - keep : 0;
  if (shift > 0 || d.chance(0.2)) layer.shift = shift;
  if (d.chance(0.4)) layer.rounding = d.pick(ROUNDINGS);
  if (out) layer.output = narrow ?? layerOutputOf(d, false, all.map((v) => floorShift(v, shift)));
  return formatOf(layer.output);
}

/**
 * A shift per channel that keeps 1–8 bits of that channel's values (or none), and in 75% (always
 * beyond FULL_PRECISION_BITS) an output format per channel about its values, some pruned (width
 * 0). No table may follow (its input would have no one format). Returns the format after it.
 */
function perChannelOps(d, layer, chans) {
  const bits = chans.map((vs) => bitsOf(maxAbs(vs)));
  const shifts = bits.map((b) => {
    const keep = d.between(1, 8);
    return b > keep && d.chance(0.8) ? b - keep : 0;
  });
  layer.shift = shifts;
  if (d.chance(0.7)) layer.rounding = d.pick(ROUNDINGS);
  if (!(Math.max(...bits) > FULL_PRECISION_BITS || d.chance(0.75))) return { kind: 'full' };
  const out = channelOutputs(d, chans.length, (c) => layerOutputOf(d, false, chans[c].map((v) => floorShift(v, shifts[c]))));
  layer.output = out;
  return { kind: 'channels' };
}

/** Rows of weights (arrays of BigInt) that are all zero get a ±1 somewhere (a layer of zeros would make the rest constant). */
function someNonZero(d, rows) {
  if (rows.every((r) => r.every((w) => w === 0n))) {
    const r = rows[d.below(rows.length)];
    r[d.below(r.length)] = d.pick([-1n, 1n]);
  }
}

/** Bits of the weights of a dense or conv layer: 1–5, in 3% up to 12. */
function layerWeightBits(d) {
  return d.chance(0.03) ? d.between(6, 12) : d.between(1, 5);
}

/** A conv1d or conv2d layer over the probe's shape. */
function convLayer(d, p, twoD, pattern, fold) {
  const [H, W, C] = hwc(p.shape);
  const cout = d.between(1, 3);
  // per axis: a kernel of 1–3 (even sizes too), strides 1–3, dilation 1–2 (the row axis of a conv1d is 1, 1, 1)
  const axis = (on) => (on ? { k: d.between(1, 3), s: d.pick([1, 1, 2, 3]), dl: d.chance(0.3) ? 2 : 1 } : { k: 1, s: 1, dl: 1 });
  const ax = [axis(twoD), axis(true)];
  let padding = d.chance(0.45) ? 'same' : 'valid';
  const spans = ax.map((a) => (a.k - 1) * a.dl + 1);
  if (spans[0] > H || spans[1] > W) padding = 'same';
  const bits = layerWeightBits(d);
  const tap = () => Array.from({ length: C }, () => Array.from({ length: cout }, () => weight(d, pattern, bits)));
  const kernel = Array.from({ length: ax[0].k }, () => Array.from({ length: ax[1].k }, tap));
  if (pattern !== 'all zero') someNonZero(d, kernel.flat(2));
  const layer = { kind: twoD ? 'conv2d' : 'conv1d', kernel: twoD ? kernel : kernel[0] };
  pairKey(d, layer, 'strides', [ax[0].s, ax[1].s], twoD, 1);
  pairKey(d, layer, 'dilation', [ax[0].dl, ax[1].dl], twoD, 1);
  if (padding === 'same' || d.chance(0.3)) layer.padding = padding;
  const OH = axisLength(H, spans[0], ax[0].s, padding);
  const OW = axisLength(W, spans[1], ax[1].s, padding);
  const shape = twoD ? [OH, OW, cout] : [OW, cout];
  const fmt = postOpsOf(d, layer, Probe.channels(p.run({ ...layer }), shape), fold);
  p.push(layer, shape, fmt);
  return ax[0].k * ax[1].k * C * cout;
}

/** A max or average pool over the probe's shape; an average pool's window is a power of two (1, 2 or 4 per axis). */
function poolLayer(d, p, twoD, avg) {
  const [H, W, C] = hwc(p.shape);
  const padding = d.chance(0.3) ? 'same' : 'valid';
  const side = (L, on) => {
    if (!on) return 1;
    let w = avg ? d.pick([1, 2, 2, 4]) : d.between(1, 3);
    // a "valid" window fits its axis: halve a power of two, or cut a max window to the length
    if (padding === 'valid') while (w > L) w = avg ? w / 2 : L;
    return w;
  };
  const pool = [side(H, twoD), side(W, true)];
  const layer = { kind: `${avg ? 'avg' : 'max'}pool${twoD ? '2d' : '1d'}` };
  layer.pool = twoD ? (pool[0] === pool[1] && d.chance(0.5) ? pool[0] : [...pool]) : d.chance(0.5) ? pool[1] : [pool[1]];
  let strides = pool;
  if (d.chance(0.5)) {
    strides = [twoD ? d.between(1, 3) : 1, d.between(1, 3)];
    layer.strides = twoD ? [...strides] : d.chance(0.5) ? strides[1] : [strides[1]];
  }
  if (padding === 'same' || d.chance(0.3)) layer.padding = padding;
  const s3 = [axisLength(H, pool[0], strides[0], padding), axisLength(W, pool[1], strides[1], padding), C];
  const shape = twoD ? s3 : s3.slice(1);
  if (!avg) {
    p.push(layer, shape, null);
    return;
  }
  // the window's sum, shifted right by log2 of the window (the default) or by 0 … one more
  const sums = p.run({ ...layer, shift: 0 }).flat();
  let shift = Math.log2(pool[0] * pool[1]);
  if (d.chance(0.5)) layer.shift = shift = d.between(0, shift + 1);
  if (d.chance(0.3)) layer.rounding = d.pick(ROUNDINGS);
  if (d.chance(0.4)) layer.output = layerOutputOf(d, d.chance(0.3), sums.map((v) => floorShift(v, shift)));
  p.push(layer, shape, formatOf(layer.output));
}

/** A batchnorm layer: per channel a small scale (now and then 0 or negative), an offset about the values seen. */
function batchnormLayer(d, p) {
  const C = hwc(p.shape)[2];
  const u = Probe.channels(p.vals, p.shape);
  // a scale of 0 (a constant channel) only beside other channels
  const scale = Array.from({ length: C }, () => (C > 1 && d.chance(0.1) ? 0n : BigInt(d.pick([-4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7]))));
  const offset = scale.map((s, c) => (d.chance(0.2) ? 0n : centring(d, u[c].map((v) => s * v))));
  const layer = { kind: 'batchnorm', scale, offset };
  const acc = u.map((vs, c) => vs.map((v) => scale[c] * v + offset[c]));
  const fmt = postOpsOf(d, layer, acc, false);
  p.push(layer, p.shape, fmt);
}

/** A lookup table over the probe's values (a known format): "values" (half of them) or a "function". */
function tableLayer(d, p) {
  const layer = { kind: 'table' };
  if (d.chance(0.5)) {
    // entries of 1–8 bits, or about as wide as the output when there is one
    const out = d.chance(0.6) ? layerOutputOf(d, d.chance(0.5), [1n << BigInt(d.between(0, 7))]) : undefined;
    const most = out === undefined ? 8 : magnitudeBits(out) + 2;
    layer.values = Array.from({ length: 2 ** p.fmt.width }, () => d.signedBits(d.between(1, most)));
    if (out !== undefined) layer.output = out;
  } else {
    layer.function = d.pick(TABLE_FUNCTIONS);
    layer.input_frac_bits = d.between(0, p.fmt.width);
    // most of the functions give about ±1 near 0: output_frac_bits leave room for that in the output
    const out = layerOutputOf(d, d.chance(0.5), [1n << BigInt(d.between(1, 7))]);
    layer.output_frac_bits = d.between(0, Math.max(0, magnitudeBits(out) - 1));
    if (d.chance(0.5)) layer.rounding = d.pick(ROUNDINGS);
    layer.output = out;
  }
  p.push(layer, p.shape, formatOf(layer.output));
}

/** A dense layer of 1–6 outputs over the flattened values, as "weights" or (10%) "kernel". */
function denseLayer(d, p, pattern, fold) {
  const cols = size(p.shape);
  const rows = d.between(1, 6);
  const W = matrixOf(d, rows, cols, pattern, layerWeightBits(d));
  if (pattern !== 'all zero') someNonZero(d, W);
  const layer = d.chance(0.3) ? { kind: 'dense' } : {};
  if (d.chance(0.1)) layer.kernel = transpose(W);
  else layer.weights = W;
  const fmt = postOpsOf(d, layer, Probe.channels(p.run({ ...layer }), [rows]), fold);
  p.push(layer, [rows], fmt);
  return rows * cols;
}

/** The input of a 'layers' design and its shape. */
function layersInput(d) {
  const input = d.chance(0.15) ? { width: 1, bipolar: true } : { width: d.between(2, 8), signed: d.chance(0.6) };
  if (input.bipolar && d.chance(0.3)) input.signed = false;
  const r = d.below(10);
  let shape;
  if (r < 4) {
    shape = [d.between(1, 8), d.between(1, 8), d.between(1, 3)];
    if (size(shape) > 64) shape[2] = 1;
  } else if (r < 8) {
    shape = [d.between(1, 12), d.between(1, 3)];
  } else {
    shape = [d.between(1, 8)];
  }
  return { input, shape };
}

/** Draws the next layer (and the batchnorm a foldable one brings along) onto the probe; returns its weights. */
function drawLayer(d, p, patternOf) {
  let weights = 0;
  const rank = p.shape.length;
  const choices = [];
  const add = (kind, times) => {
    for (let k = 0; k < times; k++) choices.push(kind);
  };
  if (rank === 3) {
    add('conv2d', 5);
    add('maxpool2d', 2);
    add('avgpool2d', 2);
  } else if (rank === 2) {
    add('conv1d', 5);
    add('maxpool1d', 2);
    add('avgpool1d', 2);
  }
  if (rank > 1) add('flatten', 1);
  add('batchnorm', 2);
  if (p.fmt.kind === 'fixed' && p.fmt.width <= TABLE_INPUT_BITS) add('table', 3);
  if (size(p.shape) <= DENSE_MAX_INPUTS) add('dense', rank === 1 ? 5 : 2);
  else if (rank > 1) add('shrink', 3);
  const kind = d.pick(choices);
  // a conv or dense layer left linear, unshifted and at full precision, for a batchnorm folded into it (25%)
  const fold = (kind === 'conv1d' || kind === 'conv2d' || kind === 'dense') && d.chance(0.25);
  switch (kind) {
    case 'conv1d':
    case 'conv2d':
      weights = convLayer(d, p, kind === 'conv2d', patternOf(), fold);
      break;
    case 'dense':
      weights = denseLayer(d, p, patternOf(), fold);
      break;
    case 'maxpool1d':
    case 'maxpool2d':
    case 'avgpool1d':
    case 'avgpool2d':
      poolLayer(d, p, kind.endsWith('2d'), kind.startsWith('avg'));
      break;
    case 'shrink': {
      // a valid max pool of 2 along each spatial axis longer than 1, so that a dense layer may follow
      const [H, W, C] = hwc(p.shape);
      const [ph, pw] = [H > 1 ? 2 : 1, W > 1 ? 2 : 1];
      const out = [Math.floor(H / ph), Math.floor(W / pw), C];
      if (rank === 3) p.push({ kind: 'maxpool2d', pool: [ph, pw] }, out, null);
      else p.push({ kind: 'maxpool1d', pool: pw }, out.slice(1), null);
      break;
    }
    case 'batchnorm':
      batchnormLayer(d, p);
      break;
    case 'flatten':
      p.push({ kind: 'flatten' }, [size(p.shape)], null, p.vals);
      break;
    case 'table':
      tableLayer(d, p);
      break;
  }
  if (fold) batchnormLayer(d, p);
  return weights;
}

/**
 * A 'layers' design (see the comment above TABLE_INPUT_BITS): the document, its size (weights
 * in all), its layer count and the pattern of its first weights.
 */
function layersDoc(d, lib, name) {
  const pattern = d.chance(0.02) ? 'all zero' : d.pick(LATER_PATTERNS);
  const { input, shape } = layersInput(d);
  const p = new Probe(lib, d, input, shape);
  let weights = 0;
  let first = true;
  const patternOf = () => {
    const q = first ? pattern : d.pick(LATER_PATTERNS);
    first = false;
    return q;
  };
  const body = d.between(1, 5);
  for (let n = 0; n < body; n++) {
    // a layer (or two) that makes varying values constant is drawn again, up to RETRIES times
    const before = p.save();
    const varying = !p.constant();
    for (let attempt = 0; ; attempt++) {
      const w = drawLayer(d, p, patternOf);
      if (!varying || attempt === RETRIES || !p.constant()) {
        weights += w;
        break;
      }
      p.restore(before);
    }
  }
  const layers = p.layers;
  // an argmax last in 30%, unless the probe inputs all give the same index from values that vary
  const index = (v) => v.reduce((best, e, k) => (e > v[best] ? k : best), 0);
  if (d.chance(0.3) && (p.constant() || new Set(p.vals.map(index)).size > 1)) layers.push({ kind: 'argmax' });
  // a flat input before a dense layer may go without its shape (it is the layer's columns)
  const firstDense = !('kind' in layers[0]) || layers[0].kind === 'dense';
  const inp = shape.length === 1 && firstDense && d.chance(0.5) ? { ...input } : { ...input, shape };
  const doc = { format: 1, name, input: inp, layers };
  if (d.chance(0.1)) doc.score = { kind: 'sum_of_squares', of: 'last' };
  return { doc, size: weights, layers: layers.length, pattern };
}

/**
 * The compile options: every latency the format allows (0..MAX_LATENCY; "auto" needs place and
 * route, so it is not drawn), depth slacks around the default (−1 = unbounded), both cost
 * models, low efforts (the default effort, up to 16 attempts, on small matrices only), and
 * lookup tables for narrow inputs (--arith table or auto, K = 2 … 6) for half the designs.
 */
function optionsOf(d, lib, size) {
  const options = {
    latency: d.below(lib.MAX_LATENCY + 1),
    depthSlack: d.pick([-1, 0, 1, lib.DEFAULT_DEPTH_SLACK, lib.DEFAULT_DEPTH_SLACK, 3, 5]),
    cost: d.pick(['adders', 'bits']),
  };
  if (size > 32 || !d.chance(0.2)) options.effort = d.pick([1, 1, 1, 2, 3]);
  // dense layers over narrow inputs as lookup tables (LUT-based distributed arithmetic) for some
  options.arith = d.pick(['shift-add', 'shift-add', 'table', 'auto']);
  if (options.arith !== 'shift-add') options.lutInputs = d.between(2, 6);
  return options;
}

/**
 * Design `index` of a run seeded `seed`: { index, kind, pattern, layers, doc (the input file,
 * with BigInt weights), options (compile options), vectors, vectorSeed }. `o.vectors` (default
 * DEFAULT_VECTORS); `o.wideColumns` draws one-column weights up to 64 bits (see COLUMN_WEIGHT_BITS);
 * `o.kind` (one of KINDS) makes the design of that kind whatever the draw says, the rest of the
 * draw unchanged: the design of index i is the same as without `o.kind` when i drew that kind.
 */
export function randomDesign(lib, seed, index, o = {}) {
  if (o.kind !== undefined && !KINDS.includes(o.kind)) throw new RangeError(`unknown design kind ${JSON.stringify(o.kind)}; expected one of ${KINDS.join(', ')}`);
  const d = new Draw(designSeed(seed, index));
  // Networks are drawn twice as often as each single-matrix kind, networks of every layer kind
  // three times (30% of the designs). `o.kind` replaces the kind drawn (and only that).
  const drawn = d.pick([...KINDS, 'network', 'layers', 'layers']);
  const kind = o.kind ?? drawn;
  const name = d.chance(0.5) ? `p${index}` : d.pick(['enc', 'Layer_1', '_net', 'm']) + index;
  let made;
  if (kind === 'network') {
    made = networkDoc(d, lib, name, o);
  } else if (kind === 'layers') {
    made = layersDoc(d, lib, name);
  } else {
    const pattern = d.pick(PATTERNS);
    made = { ...matrixDoc(d, lib, kind, pattern, name, o), pattern };
  }
  const options = optionsOf(d, lib, made.size);
  return { index, kind, pattern: made.pattern, layers: made.layers, doc: made.doc, options, vectors: o.vectors ?? DEFAULT_VECTORS, vectorSeed: d.u32() };
}

/** The design's file name, for reproducing it and in messages. */
export function designFile(seed, d) {
  return `property-${seed}-${d.index}.json`;
}

/** The `da-gen` command that repeats a design's check: `sim` (netlist simulator) or `check` (Yosys JSON). */
export function reproduceCommand(seed, d, command = 'sim') {
  const o = d.options;
  const effort = o.effort === undefined ? '' : ` --effort ${o.effort}`;
  const arith = o.arith === undefined || o.arith === 'shift-add' ? '' : ` --arith ${o.arith} --lut-inputs ${o.lutInputs}`;
  return `da-gen ${command} ${designFile(seed, d)} -l ${o.latency} --dc ${o.depthSlack} --cost ${o.cost}${effort}${arith} -n ${d.vectors} --seed ${d.vectorSeed}`;
}

/** JSON integers as the format wants them: numbers within ±2^53, decimal strings beyond. */
function jsonInteger(_key, v) {
  if (typeof v !== 'bigint') return v;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return v <= safe && v >= -safe ? Number(v) : v.toString();
}

/** The design's input file (JSON text), with a `comment` (free text, ignored by da-gen) when given. */
export function designText(d, comment) {
  const doc = comment === undefined ? d.doc : { comment, ...d.doc };
  return JSON.stringify(doc, jsonInteger) + '\n';
}

/** The first mismatches of a comparison, in one line. */
function mismatchText(c) {
  const first = c.mismatches.map((m) => `vector ${m.vector} output ${m.output}: expected ${m.expected}, got ${m.got ?? 'nothing'}`);
  return `${c.errors} wrong output values (${first.join('; ')})`;
}

/** A failure record: where, what, the command that repeats it, and the input file to repeat it on. */
export function failureOf(seed, d, stage, message) {
  // `da-gen check` reads the Verilog with Yosys, and runs Icarus where it is installed
  const command = reproduceCommand(seed, d, stage === 'yosys' || stage === 'icarus' ? 'check' : 'sim');
  return { stage, message, command, file: designFile(seed, d), text: designText(d, `${command}  # ${message}`) };
}

/**
 * Check one design: parse its file text with the real parser, compile it, run its vectors (with
 * the latency's flush) through the netlist simulator and compare every output with the
 * independent reference model; with `o.yosys`, also read the emitted Verilog with Yosys and run
 * the same vectors through the Yosys-JSON simulator; with `o.icarus`, run them through the
 * emitted Verilog in Icarus (which must be installed). Resolves to { vectors, yosysVectors,
 * icarusVectors, failure }: failure is null or failureOf(…).
 *
 * For the test that the check can fail: `o.reference(ref)` may replace the reference model,
 * `o.outputs(ys)` the simulator's per-cycle outputs.
 */
export async function checkDesign(lib, seed, d, o = {}) {
  let stage = 'parse';
  const result = { vectors: 0, yosysVectors: 0, icarusVectors: 0, failure: null };
  const fail = (message) => ({ ...result, failure: failureOf(seed, d, stage, message) });
  try {
    const spec = lib.parseSpec(designText(d), designFile(seed, d));
    stage = 'compile';
    const r = lib.compile(spec, d.options);
    stage = 'netlist';
    const n = r.netlist;
    if (n.latency !== d.options.latency) return fail(`latency ${n.latency}, asked for ${d.options.latency}`);
    const nIn = lib.inputCount(spec);
    const vecs = lib.testVectors(nIn, spec.input, d.vectors, d.vectorSeed);
    const reference = o.reference ? o.reference(lib.referenceOf(spec)) : lib.referenceOf(spec);
    let ys = lib.compileNetlist(n).run(lib.withFlush(vecs, nIn, n.latency));
    if (o.outputs) ys = o.outputs(ys);
    const c = lib.compareWithReference(reference, vecs, ys, n.latency);
    result.vectors = vecs.length;
    if (!c.pass) return fail(`netlist simulator: ${mismatchText(c)}`);
    if (o.yosys) {
      stage = 'yosys';
      const t = await lib.checkText(r, spec, { vectors: d.vectors, seed: d.vectorSeed, icarus: false, reference });
      result.yosysVectors = t.vectors;
      if (!t.yosys.pass) return fail(`Yosys-JSON simulator: ${mismatchText(t.yosys)}`);
    }
    if (o.icarus) {
      stage = 'icarus';
      const iy = await lib.simulateInIcarus(r.verilog, n, lib.withFlush(vecs, nIn, n.latency));
      const ic = lib.compareWithReference(reference, vecs, iy, n.latency);
      result.icarusVectors = vecs.length;
      if (!ic.pass) return fail(`Icarus: ${mismatchText(ic)}`);
    }
    return result;
  } catch (e) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return fail(`${stage} threw ${what}`);
  }
}

/** Whether design `index` also goes through Yosys when every `every`-th one does (0: none). */
export function yosysSampled(index, every) {
  return every > 0 && index % every === every - 1;
}
