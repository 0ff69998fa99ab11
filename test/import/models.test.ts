import { describe, expect, it } from 'vitest';
import { importModel } from '../../src/import/index.js';
import type { ImportOptions } from '../../src/import/api.js';
import { checkAgainstForward } from '../helpers/model-check.js';

/**
 * Every real model in test/fixtures/models (copies of ../shared/models, trained by others):
 * imported, compiled, and 1000 vectors through the netlist simulator must equal the float64
 * referee (src/import/forward.ts) run on the imported model graph, exactly.
 */
const M = 'test/fixtures/models';
const FLOAT = { precision: ['fixed<16,6>'], input: 'fixed<16,6>' };
export const MODELS: { file: string; opts: ImportOptions }[] = [
  { file: 'qkeras_3layer.json', opts: { input: 'fixed<16,6>', softmax: 'drop' } },
  { file: 'qkeras-v3_3layer.keras', opts: { input: 'fixed<16,6>', softmax: 'drop' } },
  { file: 'hgq_jet_classifier.h5', opts: {} },
  { file: 'KERAS_3layer_ternary_small.json', opts: { ...FLOAT } },
  { file: 'KERAS_3layer_batch_norm.json', opts: { ...FLOAT, softmax: 'drop' } },
  { file: 'KERAS_conv1d_small.json', opts: { ...FLOAT, softmax: 'drop' } },
  { file: 'three_layer_keras.onnx', opts: { ...FLOAT, softmax: 'drop' } },
  { file: 'conv2d_small_keras.onnx', opts: { ...FLOAT, softmax: 'drop' } },
  { file: 'TFC_2W2A.onnx', opts: { precision: ['fixed<16,6>'] } },
];

describe('real models: the compiled hardware equals the float64 forward pass', () => {
  for (const { file, opts } of MODELS) {
    it(`${file}: 1000 vectors, exact`, async () => {
      const r = await importModel(`${M}/${file}`, opts);
      const c = checkAgainstForward(r, 1000, 7, 1);
      expect(c.mismatches).toEqual([]);
      expect(c.checked).toBeGreaterThanOrEqual(1000);
    });
  }
  it('qkeras_3layer with --softmax argmax: the index of the largest logit', async () => {
    const r = await importModel(`${M}/qkeras_3layer.json`, { input: 'fixed<16,6>', softmax: 'argmax' });
    expect(r.outputFrac).toBeNull();
    expect(checkAgainstForward(r, 1000, 3, 1).mismatches).toEqual([]);
  });
});

describe('the same model in two formats', () => {
  it('qkeras_3layer (Keras 2 JSON + HDF5) and qkeras-v3_3layer.keras (Keras 3) give the same network', async () => {
    const a = await importModel(`${M}/qkeras_3layer.json`, { input: 'fixed<16,6>', softmax: 'drop' });
    const b = await importModel(`${M}/qkeras-v3_3layer.keras`, { input: 'fixed<16,6>', softmax: 'drop' });
    // the trained weights are the same float32 values in both files
    const raw = (r: typeof a): number[] => r.graph.ops.flatMap((o) => (o.op === 'dense' ? [...o.W.flat(), ...(o.bias ?? [])] : []));
    expect(raw(a)).toEqual(raw(b));
    expect(a.document.layers).toEqual(b.document.layers);
    expect(a.document.input).toEqual(b.document.input);
    expect(a.outputFrac).toEqual(b.outputFrac);
    const nonzero = (a.document.layers as { weights: number[][] }[]).reduce((s, l) => s + l.weights.flat().filter((w) => w !== 0).length, 0);
    expect(nonzero).toBe(2706);
  });
});
