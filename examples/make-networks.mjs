// node examples/make-networks.mjs [dir] : writes the example networks (jet-tagger.json,
// axol1tl.json, cicada.json, conv1d-tagger.json, ternary-tagger.json) into dir (default:
// examples/), with random weights from a fixed seed (the real trained weights are not ours to
// ship; the shapes and formats are those of the models).
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

/** A kh × kw × cin × cout kernel of 6-bit weights, about a quarter pruned to 0. */
function kernel(kh, kw, cin, cout) {
  return Array.from({ length: kh }, () => Array.from({ length: kw }, () => weights(cin, cout)));
}

/** Ternary weights (−1, 0, +1): a third of each. */
function ternary(rows, cols) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => below(3) - 1));
}

const U8_SAT = { width: 8, signed: false, overflow: 'saturate' };

// An encoder shaped like CMS's CICADA calorimeter trigger: the 18 × 14 grid of regions (10-bit
// unsigned energies), a 3 × 3 convolution with 4 channels and stride 2, ReLU, flatten, a dense
// layer of 16 with ReLU, and one output, the anomaly score.
write('cicada', {
  format: 1,
  name: 'cicada_encoder',
  description: 'CICADA-shaped encoder (18×14×1 → conv2d 3×3×4 stride 2 → 8×6×4 → 16 → 1), random 6-bit weights from examples/make-networks.mjs',
  input: { width: 10, signed: false, shape: [18, 14, 1] },
  layers: [
    { kind: 'conv2d', kernel: kernel(3, 3, 1, 4), strides: [2, 2], padding: 'valid', bias: bias(4, 64), activation: 'relu', shift: 8, rounding: 'nearest', output: U8_SAT },
    { kind: 'flatten' },
    { weights: weights(16, 192), bias: bias(16, 256), activation: 'relu', shift: 10, rounding: 'nearest', output: U8_SAT },
    { weights: weights(1, 16), bias: bias(1, 64), shift: 6, rounding: 'nearest', output: { width: 12, signed: true, overflow: 'saturate' } },
  ],
});

// A Conv1D jet tagger over 16 constituents with 6 features each (10-bit signed): a convolution
// whose batch normalization folds into it, max pooling, a second convolution, then dense layers
// to 5 class scores and their argmax.
write('conv1d-tagger', {
  format: 1,
  name: 'conv1d_tagger',
  description: 'Conv1D jet tagger (16×6 → conv1d k3×8 + batchnorm → maxpool 2 → conv1d k3×8 → 16 → 5 → argmax), random 6-bit weights from examples/make-networks.mjs',
  input: { width: 10, signed: true, shape: [16, 6] },
  layers: [
    { kind: 'conv1d', kernel: kernel(1, 3, 6, 8)[0], padding: 'same' },
    { kind: 'batchnorm', scale: Array.from({ length: 8 }, () => below(7) + 1), offset: bias(8, 512), activation: 'relu', shift: 9, rounding: 'nearest', output: U8_SAT },
    { kind: 'maxpool1d', pool: 2 },
    { kind: 'conv1d', kernel: kernel(1, 3, 8, 8)[0], padding: 'valid', bias: bias(8, 128), activation: 'relu', shift: 8, rounding: 'nearest', output: U8_SAT },
    { kind: 'flatten' },
    { weights: weights(16, 48), bias: bias(16, 256), activation: 'relu', shift: 9, rounding: 'nearest', output: U8_SAT },
    { weights: weights(5, 16), bias: bias(5, 64), shift: 6, rounding: 'nearest', output: { width: 10, signed: true, overflow: 'saturate' } },
    { kind: 'argmax' },
  ],
});

// A ternary-weight tagger: 16 inputs (8-bit signed), weights −1/0/+1 throughout, sign
// activations (±1 values, one bit each between layers), and the argmax of 5 class scores.
write('ternary-tagger', {
  format: 1,
  name: 'ternary_tagger',
  description: 'ternary-weight tagger with sign activations (16 → 64 → 32 → 5 → argmax), random ternary weights from examples/make-networks.mjs',
  input: { width: 8, signed: true },
  layers: [
    { weights: ternary(64, 16), bias: bias(64, 8), activation: 'sign' },
    { weights: ternary(32, 64), activation: 'sign' },
    { weights: ternary(5, 32) },
    { kind: 'argmax' },
  ],
});
