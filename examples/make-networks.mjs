// node examples/make-networks.mjs [dir] : writes the two example networks, jet-tagger.json and
// axol1tl.json, into dir (default: examples/), with random 6-bit weights from a fixed seed (the
// real trained weights are not ours to ship; the shapes and formats are those of the models).
// Deterministic: running it again writes the same files.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));

// xorshift32, seeded
let state = 0x2545f491;
function next() {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state;
}
const below = (n) => next() % n;

/** A rows × cols matrix of 6-bit weights in [−32, 31], about a quarter of them pruned to 0. */
function weights(rows, cols) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (below(4) === 0 ? 0 : below(64) - 32)));
}
const bias = (rows, span) => Array.from({ length: rows }, () => below(2 * span + 1) - span);

/** A hidden layer: ReLU, drop `shift` fractional bits (rounded to nearest), saturate to 8 bits unsigned. */
function hidden(rows, cols, shift) {
  return {
    weights: weights(rows, cols),
    bias: bias(rows, 1 << (shift - 1)),
    activation: 'relu',
    shift,
    rounding: 'nearest',
    output: { width: 8, signed: false, overflow: 'saturate' },
    weight_frac_bits: 5,
    input_frac_bits: 3,
  };
}

function write(name, doc) {
  writeFileSync(join(here, `${name}.json`), JSON.stringify(doc, null, 1) + '\n');
  console.log(`wrote ${join(here, `${name}.json`)}`);
}

// A jet tagger shaped like the hls4ml benchmark: 16 → 64 → 32 → 32 → 5, 10-bit inputs.
write('jet-tagger', {
  format: 1,
  name: 'jet_tagger',
  description: 'jet-tagger-shaped network (16 → 64 → 32 → 32 → 5), random 6-bit weights from examples/make-networks.mjs',
  input: { width: 10, signed: true },
  layers: [
    hidden(64, 16, 9),
    hidden(32, 64, 8),
    hidden(32, 32, 8),
    { weights: weights(5, 32), bias: bias(5, 64), shift: 6, rounding: 'nearest', output: { width: 10, signed: true, overflow: 'saturate' }, weight_frac_bits: 5, input_frac_bits: 3 },
  ],
});

// An encoder shaped like CERN's AXOL1TL anomaly detector: 57 → 32 → 16 → 13 latent means,
// 6-bit weights, and the anomaly score Σ μ² as a second output port.
write('axol1tl', {
  format: 1,
  name: 'axol1tl_encoder',
  description: 'AXOL1TL-shaped encoder (57 → 32 → 16 → 13, score Σ μ²), random 6-bit weights from examples/make-networks.mjs',
  input: { width: 10, signed: true },
  layers: [
    hidden(32, 57, 10),
    hidden(16, 32, 8),
    { weights: weights(13, 16), bias: bias(13, 64), shift: 7, rounding: 'nearest', output: { width: 8, signed: true, overflow: 'saturate' }, weight_frac_bits: 5, input_frac_bits: 3 },
  ],
  score: { kind: 'sum_of_squares', of: 'last' },
});
