import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ROOT, listAll, runCli, runMain } from '../helpers/cli.js';
import { freshFolderPerTest } from '../helpers/temp.js';

/**
 * Malformed model files through the command: each gets a one-line message that says what is
 * wrong, exit code 2, and no file is written (neither by `da-gen import` nor by generating
 * Verilog from the model directly).
 */
const { onnx } = onnxProto;
const M = join(ROOT, 'test', 'fixtures', 'models');
let dir = '';
freshFolderPerTest('da-gen-import-err-', (d) => (dir = d));

function copy(name: string, as = name): string {
  copyFileSync(join(M, name), join(dir, as));
  return join(dir, as);
}

/** The qkeras architecture JSON (copied with its weights), changed by `edit`. */
function qkerasJson(edit: (cfg: { config: { layers: Record<string, unknown>[] } }) => void): string {
  const cfg = JSON.parse(readFileSync(join(M, 'qkeras_3layer.json'), 'utf8')) as { config: { layers: Record<string, unknown>[] } };
  edit(cfg);
  writeFileSync(join(dir, 'q.json'), JSON.stringify(cfg));
  copy('qkeras_3layer_weights.h5', 'q_weights.h5');
  return join(dir, 'q.json');
}

function onnxFixture(name: string, edit: (m: onnxProto.onnx.ModelProto) => void): string {
  const m = onnx.ModelProto.decode(readFileSync(join(M, name)));
  edit(m);
  const path = join(dir, 'edited.onnx');
  writeFileSync(path, onnx.ModelProto.encode(m).finish());
  return path;
}

/**
 * Both commands (`import`, and `generate` from the model) fail with exit 2, the message, and
 * nothing written; run in this process (a test below runs the built command).
 */
async function expectRefused(model: string, args: string[], ...fragments: (string | RegExp)[]): Promise<void> {
  const before = listAll(dir);
  for (const cmd of [['import', model, '-o', join(dir, 'out.json'), ...args], [model, '-o', join(dir, 'out.v'), ...args]]) {
    const r = await runMain(cmd);
    const msg = r.stderr.trim();
    expect(r.code, msg).toBe(2);
    expectOneLine(msg, fragments);
    expect(listAll(dir)).toEqual(before);
  }
}

function expectOneLine(msg: string, fragments: (string | RegExp)[]): void {
  for (const f of fragments) expect(msg).toMatch(f);
  expect(msg.split('\n').filter((l) => l.startsWith('da-gen: error')).length).toBe(1);
  expect(msg).not.toMatch(/HDF5-DIAG|at .*\.js:\d+/);
}

const Q = ['--input', 'fixed<16,6>', '--softmax', 'drop'];

describe('malformed model files: a message, exit 2, no file', () => {
  it('a truncated HDF5 weights file', async () => {
    const json = copy('qkeras_3layer.json', 'q.json');
    const w = readFileSync(join(M, 'qkeras_3layer_weights.h5'));
    writeFileSync(join(dir, 'q_weights.h5'), w.subarray(0, 20000));
    await expectRefused(json, Q, /q_weights\.h5/, /truncated file: eof = 20000/);
  });

  it('a truncated full-model HDF5 file', async () => {
    const w = readFileSync(join(M, 'hgq_jet_classifier.h5'));
    writeFileSync(join(dir, 'hgq.h5'), w.subarray(0, 30000));
    await expectRefused(join(dir, 'hgq.h5'), [], /hgq\.h5/, /truncated/);
  });

  it('a truncated Keras 3 archive', async () => {
    const k = readFileSync(join(M, 'qkeras-v3_3layer.keras'));
    writeFileSync(join(dir, 'm.keras'), k.subarray(0, 30000));
    await expectRefused(join(dir, 'm.keras'), Q, /m\.keras/, /not a readable zip archive/);
  });

  it('a truncated ONNX file', async () => {
    const k = readFileSync(join(M, 'three_layer_keras.onnx'));
    writeFileSync(join(dir, 'm.onnx'), k.subarray(0, 5000));
    await expectRefused(join(dir, 'm.onnx'), ['--input', 'fixed<16,6>', '--precision', 'fixed<16,6>', '--softmax', 'drop'], /m\.onnx/, /not a readable ONNX model/);
  });

  it('wrong magic: an .h5 that is not HDF5, a .keras that is not a zip, an .onnx that is a zip', async () => {
    writeFileSync(join(dir, 'm.h5'), '{"class_name": "Sequential"}');
    await expectRefused(join(dir, 'm.h5'), [], /wrong magic/, /extension \.h5/, /JSON/);
    copyFileSync(join(M, 'hgq_jet_classifier.h5'), join(dir, 'm.keras'));
    await expectRefused(join(dir, 'm.keras'), [], /wrong magic/, /an HDF5 file/);
    copyFileSync(join(M, 'qkeras-v3_3layer.keras'), join(dir, 'm.onnx'));
    await expectRefused(join(dir, 'm.onnx'), [], /wrong magic/, /zip archive/);
  });

  it('weights missing: no weights file beside a Keras JSON, a weights-only .h5, an archive without weights, a layer without weights', async () => {
    const json = copy('qkeras_3layer.json', 'alone.json');
    await expectRefused(json, Q, /weights missing/, /--weights/);
    const w = copy('qkeras_3layer_weights.h5', 'w.h5');
    await expectRefused(w, Q, /weights missing an architecture/, /model_config/);
    const files = unzipSync(readFileSync(join(M, 'qkeras-v3_3layer.keras')));
    delete files['model.weights.h5'];
    writeFileSync(join(dir, 'nw.keras'), zipSync(files));
    await expectRefused(join(dir, 'nw.keras'), Q, /weights missing/, /model\.weights\.h5/);
    const renamed = qkerasJson((c) => {
      const l = c.config.layers.find((x) => (x.config as { name: string }).name === 'fc2')!;
      (l.config as { name: string }).name = 'fc2b';
    });
    await expectRefused(renamed, [...Q, '--weights', join(dir, 'q_weights.h5')], /fc2b/, /weights missing/);
  });

  it('a shape mismatch between the architecture and the weights', async () => {
    const json = qkerasJson((c) => {
      const l = c.config.layers.find((x) => (x.config as { name: string }).name === 'fc2')!;
      (l.config as { units: number }).units = 30;
    });
    await expectRefused(json, Q, /shape mismatch/, /fc2 \(QDense\)/, /\[64, 30\]/, /\[64, 32\]/);
  });

  it('an unknown layer, named with its class and the supported list', async () => {
    const json = qkerasJson((c) => {
      c.config.layers[3]!.class_name = 'LSTM';
    });
    await expectRefused(json, Q, /unsupported layer: fc2 is a LSTM/, /supported: Dense, QDense/);
  });

  it('an unsupported quantizer (alpha="auto_po2", a scale the file does not keep)', async () => {
    const json = qkerasJson((c) => {
      const l = c.config.layers.find((x) => (x.config as { name: string }).name === 'fc1')!;
      ((l.config as { kernel_quantizer: { config: Record<string, unknown> } }).kernel_quantizer.config).alpha = 'auto_po2';
    });
    await expectRefused(json, Q, /unsupported quantizer/, /auto_po2/, /fc1/);
    const bern = qkerasJson((c) => {
      const l = c.config.layers.find((x) => (x.config as { name: string }).name === 'relu1')!;
      (l.config as { activation: unknown }).activation = 'bernoulli(1)';
    });
    await expectRefused(bern, Q, /unsupported (quantizer|activation)/, /bernoulli/);
  });

  it('an ONNX model whose input has a dynamic dimension', async () => {
    const path = onnxFixture('three_layer_keras.onnx', (m) => {
      const dims = m.graph!.input![0]!.type!.tensorType!.shape!.dim!;
      dims[1] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'features' });
    });
    await expectRefused(path, ['--input', 'fixed<16,6>', '--precision', 'fixed<16,6>', '--softmax', 'drop'], /dynamic/, /features/);
  });

  it('a final softmax without --softmax, and a float model without --precision or --input', async () => {
    const json = copy('qkeras_3layer.json', 'q.json');
    copy('qkeras_3layer_weights.h5', 'q_weights.h5');
    await expectRefused(json, ['--input', 'fixed<16,6>'], /softmax/, /--softmax argmax/);
    await expectRefused(json, ['--softmax', 'drop'], /--input/);
    const bn = copy('KERAS_3layer_batch_norm.json', 'bn.json');
    copy('KERAS_3layer_batch_norm_weights.h5', 'bn_weights.h5');
    await expectRefused(bn, ['--input', 'fixed<16,6>', '--softmax', 'drop'], /fc1_relu \(Dense\) has float weights/, /--precision fixed<16,6>/);
    await expectRefused(bn, ['--input', 'fixed<16,6>', '--softmax', 'drop', '--precision', 'fc9=fixed<8,3>', '--precision', 'fixed<16,6>'], /no layer named "fc9"/);
    await expectRefused(bn, ['--input', 'fixed<16,6', '--precision', 'fixed<16,6>', '--softmax', 'drop'], /--input: expected fixed<W,I>/);
  });
});

describe('through the built command (a process of its own: its real stderr and exit code)', () => {
  it('a truncated HDF5 file and an unknown layer: exit 2, one line, no HDF5 diagnostics, no file', () => {
    const w = readFileSync(join(M, 'hgq_jet_classifier.h5'));
    writeFileSync(join(dir, 'hgq.h5'), w.subarray(0, 30000));
    const json = qkerasJson((cfg) => {
      cfg.config.layers[3]!.class_name = 'LSTM';
    });
    const before = listAll(dir);
    for (const [model, args, frag] of [
      [join(dir, 'hgq.h5'), [], /truncated/],
      [json, Q, /unsupported layer/],
    ] as const) {
      for (const cmd of [['import', model, '-o', 'out.json', ...args], [model, '-o', 'out.v', ...args]]) {
        const r = runCli(cmd, dir);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        expectOneLine(r.stderr.trim(), [frag]);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(listAll(dir)).toEqual(before);
      }
    }
  });
});
