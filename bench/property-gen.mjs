// The random designs of the property test, shared by the nightly script (bench/property.mjs,
// which runs on dist/) and the CI test (test/property/designs.test.ts, which runs on src/).
//
// A design is a format-1 input file, exactly as da-gen reads it, plus the compile options and the
// test vectors to check it with. It is drawn from the run's seed and its own index alone, so any
// one design can be rebuilt (and repeated) without drawing the others. The library is passed in
// (`lib`, da-gen's public API from src/ or dist/): this file imports nothing of da-gen itself.

/** The shapes of the designs: five of a single matrix, and small networks in the "layers" form. */
export const KINDS = ['row', 'column', 'tall', 'wide', 'square', 'network'];

/** How the weights of a matrix (or of each layer of a network) are drawn. */
export const PATTERNS = ['random', 'sparse', 'powers of two', 'extremes', 'non-negative', 'structured', 'all zero'];

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

/** A layer's output format: unsigned 1..16 or signed 2..16 bits, in 5% up to 64; wrap, saturate or the default. */
function outputOf(d) {
  const signed = d.chance(0.6);
  const width = d.chance(0.05) ? d.between(17, 64) : d.between(signed ? 2 : 1, 16);
  const out = { width, signed };
  if (d.chance(0.8)) out.overflow = d.pick(['wrap', 'saturate']);
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
  if (d.chance(0.6)) layer.rounding = d.pick(['floor', 'nearest']);
  if (d.chance(0.75)) layer.output = outputOf(d);
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
    bits = layer.output ? layer.output.width : bits + 10;
    cols = rows;
  }
  const doc = { format: 1, name, input, layers };
  if (d.chance(0.4)) doc.score = { kind: 'sum_of_squares', of: 'last' };
  return { doc, size, layers: nLayers, pattern: patterns[0] };
}

/**
 * The compile options: every latency the format allows (0..MAX_LATENCY; "auto" needs place and
 * route, so it is not drawn), depth slacks around the default (−1 = unbounded), both cost
 * models, and low efforts (the default effort, up to 16 attempts, on small matrices only).
 */
function optionsOf(d, lib, size) {
  const options = {
    latency: d.below(lib.MAX_LATENCY + 1),
    depthSlack: d.pick([-1, 0, 1, lib.DEFAULT_DEPTH_SLACK, lib.DEFAULT_DEPTH_SLACK, 3, 5]),
    cost: d.pick(['adders', 'bits']),
  };
  if (size > 32 || !d.chance(0.2)) options.effort = d.pick([1, 1, 1, 2, 3]);
  return options;
}

/**
 * Design `index` of a run seeded `seed`: { index, kind, pattern, layers, doc (the input file,
 * with BigInt weights), options (compile options), vectors, vectorSeed }. `o.vectors` (default
 * DEFAULT_VECTORS); `o.wideColumns` draws one-column weights up to 64 bits (see COLUMN_WEIGHT_BITS).
 */
export function randomDesign(lib, seed, index, o = {}) {
  const d = new Draw(designSeed(seed, index));
  // Networks are drawn twice as often as each single-matrix kind.
  const kind = d.pick([...KINDS, 'network']);
  const name = d.chance(0.5) ? `p${index}` : d.pick(['enc', 'Layer_1', '_net', 'm']) + index;
  let made;
  if (kind === 'network') {
    made = networkDoc(d, lib, name, o);
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
  return `da-gen ${command} ${designFile(seed, d)} -l ${o.latency} --dc ${o.depthSlack} --cost ${o.cost}${effort} -n ${d.vectors} --seed ${d.vectorSeed}`;
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
  const command = reproduceCommand(seed, d, stage === 'yosys' ? 'check' : 'sim');
  return { stage, message, command, file: designFile(seed, d), text: designText(d, `${command}  # ${message}`) };
}

/**
 * Check one design: parse its file text with the real parser, compile it, run its vectors (with
 * the latency's flush) through the netlist simulator and compare every output with the
 * independent reference model; with `o.yosys`, also read the emitted Verilog with Yosys and run
 * the same vectors through the Yosys-JSON simulator. Resolves to { vectors, yosysVectors,
 * failure }: failure is null or failureOf(…).
 *
 * For the test that the check can fail: `o.reference(ref)` may replace the reference model,
 * `o.outputs(ys)` the simulator's per-cycle outputs.
 */
export async function checkDesign(lib, seed, d, o = {}) {
  let stage = 'parse';
  try {
    const spec = lib.parseSpec(designText(d), designFile(seed, d));
    stage = 'compile';
    const r = lib.compile(spec, d.options);
    stage = 'netlist';
    const n = r.netlist;
    if (n.latency !== d.options.latency) return { vectors: 0, yosysVectors: 0, failure: failureOf(seed, d, stage, `latency ${n.latency}, asked for ${d.options.latency}`) };
    const nIn = lib.inputCount(spec);
    const vecs = lib.testVectors(nIn, spec.input, d.vectors, d.vectorSeed);
    const reference = o.reference ? o.reference(lib.referenceOf(spec)) : lib.referenceOf(spec);
    let ys = lib.compileNetlist(n).run(lib.withFlush(vecs, nIn, n.latency));
    if (o.outputs) ys = o.outputs(ys);
    const c = lib.compareWithReference(reference, vecs, ys, n.latency);
    if (!c.pass) return { vectors: vecs.length, yosysVectors: 0, failure: failureOf(seed, d, stage, `netlist simulator: ${mismatchText(c)}`) };
    if (!o.yosys) return { vectors: vecs.length, yosysVectors: 0, failure: null };
    stage = 'yosys';
    const t = await lib.checkText(r, spec, { vectors: d.vectors, seed: d.vectorSeed, icarus: false, reference });
    if (!t.yosys.pass) return { vectors: vecs.length, yosysVectors: t.vectors, failure: failureOf(seed, d, stage, `Yosys-JSON simulator: ${mismatchText(t.yosys)}`) };
    return { vectors: vecs.length, yosysVectors: t.vectors, failure: null };
  } catch (e) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { vectors: 0, yosysVectors: 0, failure: failureOf(seed, d, stage, `${stage} threw ${what}`) };
  }
}

/** Whether design `index` also goes through Yosys when every `every`-th one does (0: none). */
export function yosysSampled(index, every) {
  return every > 0 && index % every === every - 1;
}
