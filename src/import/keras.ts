/**
 * Keras models → the imported model graph: Keras 2 (an architecture JSON plus an HDF5 weights
 * file, or a full-model HDF5 with a `model_config` attribute) and Keras 3 (`.keras`, a zip of
 * config.json and model.weights.h5), with QKeras layers and quantizers, HGQ proxy models
 * (FixedPointQuantizer layers) and float layers (quantized at import time with `--precision`).
 *
 * The model must be a chain: each layer takes the previous layer's output. Layers that do
 * nothing at inference (Dropout, InputLayer, …) are removed; every other class outside the
 * supported list is refused with one line naming it.
 */
import { SpecError, UsageError } from '../errors.js';
import { fixedText, parseFixed, quantize, typeOfValues, fracBitsOf } from './fixed.js';
import type { H5Data } from './hdf5.js';
import { Hdf5File } from './hdf5.js';
import type { AffineOp, FixedFormat, ModelGraph, ModelOp, OpMeta, QuantOp } from './ir.js';
import { activationOpsOf, qkerasQuantizer, quantizeWeight, quantizerType, QuantizerError } from './qkeras.js';
import type { QKerasQuantizer } from './qkeras.js';
import { sizeOf, windowOut } from './shapes.js';
import type { ImportOptions } from './api.js';
import { inputFromFirstQuant, PrecisionTable, softmaxOps } from './common.js';

/** Where a model's weights are, by layer name. */
interface WeightStore {
  /** The layer's weights in their stored order, with names when the file keeps them ("kernel", "bias"). */
  get(layer: string): { names: (string | null)[]; data: H5Data[]; paths: string[] } | null;
  label: string;
}

/** A layer of the architecture, whatever the Keras version wrote. */
interface KLayer {
  cls: string;
  name: string;
  config: Record<string, unknown>;
  /** The names of the layers it reads (null when the file does not say: Sequential). */
  inbound: string[] | null;
}

const REMOVED = new Set(['InputLayer', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

/** The layer classes this importer maps, for messages. */
export const SUPPORTED_KERAS_LAYERS = [
  'Dense',
  'QDense',
  'TernaryDense',
  'Conv1D',
  'Conv2D',
  'QConv1D',
  'QConv2D',
  'BatchNormalization',
  'Activation',
  'QActivation',
  'ReLU',
  'LeakyReLU',
  'Softmax',
  'FixedPointQuantizer',
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'Flatten',
  'Reshape',
  'Dropout',
  'InputLayer',
];

function inboundNames(raw: unknown): string[] | null {
  if (!Array.isArray(raw)) return null;
  if (raw.length === 0) return [];
  const names: string[] = [];
  for (const node of raw) {
    if (Array.isArray(node)) {
      // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], …]
      for (const t of node) if (Array.isArray(t) && typeof t[0] === 'string') names.push(t[0]);
    } else if (node && typeof node === 'object') {
      // Keras 3: {args: [{class_name: "__keras_tensor__", config: {keras_history: [name, 0, 0]}}], kwargs}
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          const h = (o.config as Record<string, unknown> | undefined)?.keras_history;
          if (o.class_name === '__keras_tensor__' && Array.isArray(h) && typeof h[0] === 'string') names.push(h[0]);
          else Object.values(o).forEach(walk);
        }
      };
      walk((node as Record<string, unknown>).args);
    }
  }
  return names;
}

/** The layers of a model config, in order, and the model's name. */
function layersOf(model: unknown, label: string): { name: string; layers: KLayer[] } {
  const m = model as { class_name?: unknown; config?: unknown };
  if (!m || typeof m !== 'object' || typeof m.class_name !== 'string') throw new SpecError(label, '', 'expected a Keras model config with "class_name" and "config"');
  const cls = m.class_name;
  if (!['Sequential', 'Model', 'Functional'].includes(cls)) throw new SpecError(label, 'class_name', `expected a Sequential or Functional model, got "${cls}"`);
  const cfg = m.config as Record<string, unknown> | unknown[];
  const list = Array.isArray(cfg) ? cfg : (cfg as Record<string, unknown>)?.layers;
  if (!Array.isArray(list)) throw new SpecError(label, 'config.layers', 'expected the list of layers');
  const name = !Array.isArray(cfg) && typeof cfg?.name === 'string' ? cfg.name : 'model';
  const layers = list.map((l, i): KLayer => {
    const o = l as Record<string, unknown>;
    const c = (o.config ?? {}) as Record<string, unknown>;
    const lname = typeof c.name === 'string' ? c.name : typeof o.name === 'string' ? o.name : `layer${i}`;
    return { cls: String(o.class_name ?? ''), name: lname, config: c, inbound: cls === 'Sequential' ? null : inboundNames(o.inbound_nodes) };
  });
  return { name, layers };
}

/** The input shape (without the batch axis) from the InputLayer or the first layer's batch_input_shape. */
function inputShapeOf(layers: readonly KLayer[], label: string): number[] {
  for (const l of layers.slice(0, 2)) {
    const s = (l.config.batch_input_shape ?? l.config.batch_shape) as unknown;
    if (Array.isArray(s)) {
      const dims = s.slice(1);
      if (dims.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1)) {
        throw new SpecError(label, `layer ${l.name}`, `the input shape [${s.map((d) => (d === null ? 'None' : d)).join(', ')}] has an unknown (dynamic) dimension; da-gen needs a fixed shape`);
      }
      if (dims.length < 1 || dims.length > 3) throw new SpecError(label, `layer ${l.name}`, `expected an input of 1 to 3 dimensions (besides the batch), got [${dims.join(', ')}]`);
      return dims as number[];
    }
  }
  throw new SpecError(label, 'config.layers[0]', 'the model states no input shape (no InputLayer and no batch_input_shape)');
}

/** Keras 2 weights: group <root>/<layer> with attribute weight_names, datasets at <root>/<layer>/<weight name>. */
function keras2Store(f: Hdf5File, root: string): WeightStore {
  return {
    label: f.label,
    get(layer) {
      const g = `${root}/${layer}`.replace(/^\/+/, '');
      if (!f.has(g)) return null;
      const names = f.attr(g, 'weight_names');
      const list = Array.isArray(names) ? names.map(String) : typeof names === 'string' ? [names] : [];
      const data = list.map((w) => f.dataset(`${g}/${w}`, `weight ${w}`));
      return { names: list.map((w) => w.replace(/^.*\//, '').replace(/:\d+$/, '')), data, paths: list.map((w) => `/${g}/${w}`) };
    },
  };
}

/** Keras 3 weights: groups layers/<x>/vars with attribute name = the layer's name, datasets vars/0, vars/1, … */
function keras3Store(f: Hdf5File): WeightStore {
  const byName = new Map<string, string>();
  const scan = (base: string, depth: number): void => {
    for (const k of f.keys(base)) {
      const g = `${base}/${k}`;
      if (f.isDataset(g)) continue;
      const nm = f.attr(`${g}/vars`, 'name');
      if (typeof nm === 'string' && !byName.has(nm)) byName.set(nm, g);
      if (depth < 3) scan(`${g}/layers`, depth + 1);
    }
  };
  if (f.has('layers')) scan('layers', 0);
  return {
    label: f.label,
    get(layer) {
      const g = byName.get(layer);
      if (g === undefined) return null;
      const keys = f
        .keys(`${g}/vars`)
        .filter((k) => /^\d+$/.test(k))
        .sort((a, b) => Number(a) - Number(b));
      return { names: keys.map(() => null), data: keys.map((k) => f.dataset(`${g}/vars/${k}`, `variable ${k} of ${layer}`)), paths: keys.map((k) => `/${g}/vars/${k}`) };
    },
  };
}

/** Reads a model's architecture and weights and builds its graph. */
export interface KerasSource {
  config: unknown;
  configLabel: string;
  weights: Hdf5File;
  version: 2 | 3;
  framework: string;
}

export { keras2Store, keras3Store };

type Ctx = {
  label: string;
  store: WeightStore;
  shape: number[];
  ops: ModelOp[];
  notes: string[];
  precision: PrecisionTable;
  opts: ImportOptions;
  version: 2 | 3;
};

function meta(l: KLayer): OpMeta {
  return { name: l.name, cls: l.cls, notes: [] };
}

function where(l: KLayer): string {
  return `layer ${l.name} (${l.cls})`;
}

/** The named weights of a layer, in the order the class stores them. */
function weightsOf(ctx: Ctx, l: KLayer, expected: string[]): Map<string, { data: H5Data; path: string }> {
  const w = ctx.store.get(l.name);
  const out = new Map<string, { data: H5Data; path: string }>();
  if (w === null || w.data.length === 0) {
    if (expected.length === 0) return out;
    throw new SpecError(ctx.store.label, where(l), `weights missing: the weights file has no ${expected.join(', ')} for this layer`);
  }
  const named = w.names.every((n) => n !== null);
  expected.forEach((e, i) => {
    const k = named ? w.names.findIndex((n) => n === e || n === `${e}`) : i;
    if (k < 0 || k >= w.data.length) throw new SpecError(ctx.store.label, where(l), `weights missing: expected ${e} among its weights, found ${named ? w.names.join(', ') || 'none' : `${w.data.length} variables`}`);
    out.set(e, { data: w.data[k]!, path: w.paths[k]! });
  });
  return out;
}

function checkShape(ctx: Ctx, l: KLayer, what: string, got: { data: H5Data; path: string }, expected: number[]): void {
  const g = got.data.shape;
  if (g.length !== expected.length || g.some((d, i) => d !== expected[i])) {
    throw new SpecError(ctx.store.label, got.path, `shape mismatch: ${where(l)} expects its ${what} as [${expected.join(', ')}] from the architecture, the weights file has [${g.join(', ')}]`);
  }
}

function cfgNum(l: KLayer, key: string, dflt: number): number {
  const v = l.config[key];
  if (v === undefined || v === null) return dflt;
  if (Array.isArray(v)) return Number(v[0]);
  return Number(v);
}

function pair(v: unknown, dflt: number, rank: 1 | 2): [number, number] {
  if (v === undefined || v === null) return [1, dflt];
  const a = Array.isArray(v) ? v.map(Number) : [Number(v), Number(v)];
  if (rank === 1) return [1, a[0]!];
  return [a[0]!, a[1] ?? a[0]!];
}

/** A weight quantizer, resolved, with the layer named on failure. */
function quantizerOf(ctx: Ctx, l: KLayer, key: string): QKerasQuantizer | null {
  try {
    return qkerasQuantizer(l.config[key]);
  } catch (e) {
    if (e instanceof QuantizerError) throw new SpecError(ctx.label, `${where(l)} ${key}`, `unsupported quantizer: ${e.message}`);
    throw e;
  }
}

/**
 * The weights of a dense or conv layer, quantized as the framework does: QKeras quantizers,
 * TernaryDense's ternarization, HGQ's weight_t (from the following FixedPointQuantizer), or the
 * float model's --precision. Returns the values and their type for the report.
 */
function quantizeParams(ctx: Ctx, l: KLayer, values: number[], role: 'kernel' | 'bias', hgqType: string | null, foldedFloat: boolean): { values: number[]; type: string } {
  if (l.cls === 'TernaryDense') {
    const H = cfgNum(l, 'H', 1);
    if (role === 'bias') return floatParams(ctx, l, values, role);
    // TernaryDense (and hls4ml's TernaryQuantizer): w/H > 0.5 → +H, ≤ −0.5 → −H, else 0
    return { values: values.map((w) => (w / H > 0.5 ? H : w / H <= -0.5 ? -H : 0)), type: H === 1 ? 'ternary (−1, 0, +1)' : `ternary (±${H}, 0)` };
  }
  if (!foldedFloat && (l.cls.startsWith('Q') || l.config.kernel_quantizer !== undefined)) {
    const q = quantizerOf(ctx, l, `${role}_quantizer`);
    if (q !== null) return { values: values.map((w) => quantizeWeight(w, q)), type: quantizerType(q) };
  }
  if (hgqType !== null && !foldedFloat) {
    const f = parseFixed(hgqType, `${where(l)} ${role === 'kernel' ? 'weight_t' : 'bias_t'}`);
    return { values: values.map((w) => quantize(w, f)), type: fixedText(f) };
  }
  return floatParams(ctx, l, values, role);
}

function floatParams(ctx: Ctx, l: KLayer, values: number[], role: string): { values: number[]; type: string } {
  const p = ctx.precision.weightFor(l.name);
  if (p === null) {
    throw new UsageError(`${ctx.label}: ${where(l)} has float ${role === 'kernel' ? 'weights' : `${role} values`} (no quantizer): give their precision, e.g. --precision fixed<16,6> (hls4ml's default) or --precision ${l.name}=fixed<16,6>`);
  }
  return { values: values.map((w) => quantize(w, p)), type: fixedText(p) };
}

/** HGQ: the types hls4ml would use for a layer, from the FixedPointQuantizer after it (its "overrides"). */
function hgqOverrides(next: KLayer | undefined, name: string): Record<string, string> | null {
  if (!next || next.cls !== 'FixedPointQuantizer') return null;
  const ov = (next.config.overrides as { layers?: Record<string, Record<string, unknown>> } | undefined)?.layers?.[name];
  if (!ov) return null;
  return Object.fromEntries(Object.entries(ov).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

/** BatchNormalization at inference as a per-channel affine (float64): scale = γ/√(σ² + ε), offset = β − μ·scale. */
function batchNormAffine(ctx: Ctx, l: KLayer): { scale: number[]; offset: number[] } {
  const C = ctx.shape[ctx.shape.length - 1]!;
  const axis = l.config.axis;
  const ax = Array.isArray(axis) ? axis[0] : axis;
  if (ax !== undefined && ax !== -1 && ax !== ctx.shape.length) {
    throw new SpecError(ctx.label, where(l), `expected a BatchNormalization over the last axis (channels last), got axis ${JSON.stringify(axis)}`);
  }
  const scaleOn = l.config.scale !== false;
  const centerOn = l.config.center !== false;
  const names = [...(scaleOn ? ['gamma'] : []), ...(centerOn ? ['beta'] : []), 'moving_mean', 'moving_variance'];
  const w = weightsOf(ctx, l, names);
  for (const n of names) checkShape(ctx, l, n, w.get(n)!, [C]);
  const eps = cfgNum(l, 'epsilon', 1e-3);
  const gamma = scaleOn ? w.get('gamma')!.data.values : new Array<number>(C).fill(1);
  const beta = centerOn ? w.get('beta')!.data.values : new Array<number>(C).fill(0);
  const mean = w.get('moving_mean')!.data.values;
  const variance = w.get('moving_variance')!.data.values;
  const scale = gamma.map((g, c) => g / Math.sqrt(variance[c]! + eps));
  const offset = beta.map((b, c) => b - mean[c]! * scale[c]!);
  return { scale, offset };
}

/** The activation named in a layer's config (a string, or a QKeras quantizer), as operations. */
function activationOps(ctx: Ctx, l: KLayer, act: unknown, isLast: boolean): ModelOp[] {
  const m = meta(l);
  if (act === undefined || act === null || act === 'linear') return [];
  if (typeof act === 'string' && !act.includes('(')) {
    switch (act) {
      case 'relu':
        return [{ op: 'relu', meta: m }];
      case 'softmax':
        return softmaxOps(ctx.opts, ctx.label, `${where(l)}`, isLast, m, ctx.notes);
      case 'ternary_tanh':
        // hls4ml's ternary_tanh: x > 0.5 → 1, x ≤ −0.5 → −1, else 0
        return [{ op: 'step', thresholds: [-0.5, 0.5], cmp: ['gt', 'gt'], levels: [-1, 0, 1], meta: m }];
      case 'binary_tanh':
        // x > 0 → 1, else −1
        return [{ op: 'step', thresholds: [0], cmp: ['gt'], levels: [-1, 1], meta: m }];
    }
    const q = (() => {
      try {
        return qkerasQuantizer(act);
      } catch {
        return null;
      }
    })();
    if (q) return activationOpsOf(q, m);
    throw new SpecError(ctx.label, where(l), `unsupported activation "${act}" (supported: linear, relu, softmax (last layer, with --softmax), ternary_tanh, binary_tanh, and the QKeras quantizers)`);
  }
  try {
    const q = qkerasQuantizer(act);
    return q ? activationOpsOf(q, m) : [];
  } catch (e) {
    if (e instanceof QuantizerError) throw new SpecError(ctx.label, `${where(l)} activation`, `unsupported quantizer: ${e.message}`);
    throw e;
  }
}

/** Float results of a float model: quantized to the result precision after the layer. */
/** Builds the graph of a Keras model. */
export function kerasGraph(src: KerasSource, opts: ImportOptions, name: string): ModelGraph {
  const label = src.configLabel;
  const { layers } = layersOf(src.config, label);
  const inputShape = inputShapeOf(layers, label);
  const store = src.version === 3 ? keras3Store(src.weights) : keras2Store(src.weights, src.weights.has('model_weights') ? 'model_weights' : '');
  const ctx: Ctx = { label, store, shape: inputShape.slice(), ops: [], notes: [], precision: new PrecisionTable(opts.precision ?? []), opts, version: src.version };
  // the chain: every layer after the input reads exactly the one before it
  const kept = layers.filter((l) => !REMOVED.has(l.cls));
  let prev: string | null = null;
  for (const l of layers) {
    if (l.inbound !== null && l.cls !== 'InputLayer') {
      if (l.inbound.length !== 1 || (prev !== null && l.inbound[0] !== prev)) {
        throw new SpecError(label, where(l), `expected a chain of layers, each reading the one before it; this one reads ${l.inbound.length === 0 ? 'nothing' : l.inbound.join(' and ')}${prev !== null ? ` (the layer before it is ${prev})` : ''}`);
      }
    }
    prev = l.name;
    if (REMOVED.has(l.cls) && l.cls !== 'InputLayer') ctx.notes.push(`${l.name} (${l.cls}) removed: it does nothing at inference`);
  }
  for (let i = 0; i < kept.length; i++) {
    const l = kept[i]!;
    const next = kept[i + 1];
    const isLast = i === kept.length - 1;
    i += layerOps(ctx, l, next, isLast);
  }
  ctx.precision.checkAllUsed(label, layers.map((l) => l.name));
  const { input, source } = inputFormat(ctx, opts);
  return { name, framework: src.framework, inputShape, input, inputSource: source, ops: ctx.ops, notes: ctx.notes };
}

function inputFormat(ctx: Ctx, opts: ImportOptions): { input: FixedFormat; source: string } {
  if (opts.input !== undefined) return { input: parseFixed(opts.input, '--input'), source: `--input ${opts.input}` };
  const first = ctx.ops[0];
  const f = first?.op === 'quant' ? inputFromFirstQuant(first) : null;
  if (f === null) {
    throw new UsageError(`${ctx.label}: the model does not state its input's fixed-point format (it has no input quantizer): give it, e.g. --input fixed<16,6> or --input ufixed<10,10>`);
  }
  return { input: f, source: `the model's input quantizer ${first!.meta.name} (${first!.meta.cls})` };
}

/** The operations of one layer; returns how many following layers it consumed (a folded BatchNormalization). */
function layerOps(ctx: Ctx, l: KLayer, next: KLayer | undefined, isLast: boolean): number {
  const m = meta(l);
  switch (l.cls) {
    case 'Dense':
    case 'QDense':
    case 'TernaryDense':
      return denseOps(ctx, l, next, isLast);
    case 'Conv1D':
    case 'Conv2D':
    case 'QConv1D':
    case 'QConv2D':
      return convOps(ctx, l, next, isLast);
    case 'BatchNormalization': {
      const { scale, offset } = batchNormAffine(ctx, l);
      const after = next ? nextActivationKind(next) : null;
      if (after === 'step') {
        // kept in float: with the step after it, the lowering finds its exact integer thresholds
        m.notes.push('kept in float: its thresholds before the step activation are found exactly on the integer accumulator');
        ctx.ops.push({ op: 'affine', scale, offset, meta: m });
        return 0;
      }
      const p = ctx.precision.weightFor(l.name);
      if (p === null) {
        throw new UsageError(`${ctx.label}: ${where(l)} has float parameters and cannot fold into a quantized layer: give their precision, e.g. --precision fixed<16,6> or --precision ${l.name}=fixed<16,6>`);
      }
      m.notes.push(`scale and offset quantized to ${fixedText(p)}`);
      const op: AffineOp = { op: 'affine', scale: scale.map((v) => quantize(v, p)), offset: offset.map((v) => quantize(v, p)), meta: m };
      ctx.ops.push(op, ...ctx.precision.resultOps(l.name, l.cls));
      return 0;
    }
    case 'Activation':
      ctx.ops.push(...activationOps(ctx, l, l.config.activation, isLast));
      return 0;
    case 'QActivation':
      ctx.ops.push(...activationOps(ctx, l, l.config.activation, isLast));
      return 0;
    case 'ReLU': {
      const mv = l.config.max_value;
      const ns = Number(l.config.negative_slope ?? 0);
      const th = Number(l.config.threshold ?? 0);
      if ((mv !== undefined && mv !== null) || ns !== 0 || th !== 0) throw new SpecError(ctx.label, where(l), 'only ReLU without max_value, negative_slope or threshold is supported');
      ctx.ops.push({ op: 'relu', meta: m });
      return 0;
    }
    case 'LeakyReLU': {
      const alpha = Number(l.config.alpha ?? l.config.negative_slope ?? 0.3);
      ctx.ops.push({ op: 'leaky_relu', alpha, meta: m });
      return 0;
    }
    case 'Softmax':
      ctx.ops.push(...softmaxOps(ctx.opts, ctx.label, where(l), isLast, m, ctx.notes));
      return 0;
    case 'FixedPointQuantizer': {
      ctx.ops.push(hgqQuant(ctx, l));
      return 0;
    }
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D': {
      const rank: 1 | 2 = l.cls.endsWith('1D') ? 1 : 2;
      checkChannelsLast(ctx, l);
      checkRank(ctx, l, rank);
      const pool = pair(l.config.pool_size, 2, rank);
      const strides = l.config.strides === null || l.config.strides === undefined ? pool : pair(l.config.strides, 1, rank);
      const padding = paddingOf(ctx, l);
      ctx.ops.push({ op: 'pool', mode: l.cls.startsWith('Max') ? 'max' : 'avg', rank, pool, strides, padding, meta: m });
      ctx.shape = windowOut(ctx.shape, rank, pool, strides, [1, 1], padding, ctx.shape[ctx.shape.length - 1]!);
      return 0;
    }
    case 'Flatten':
      checkChannelsLast(ctx, l);
      if (ctx.shape.length > 1) ctx.ops.push({ op: 'flatten', order: 'channels_last', meta: m });
      ctx.shape = [sizeOf(ctx.shape)];
      return 0;
    case 'Reshape': {
      const target = (l.config.target_shape as unknown[] | undefined)?.map(Number) ?? [];
      if (target.length === 1 && (target[0] === sizeOf(ctx.shape) || target[0] === -1)) {
        if (ctx.shape.length > 1) ctx.ops.push({ op: 'flatten', order: 'channels_last', meta: m });
        ctx.shape = [sizeOf(ctx.shape)];
        return 0;
      }
      if (target.length === ctx.shape.length && target.every((d, k) => d === ctx.shape[k])) return 0;
      throw new SpecError(ctx.label, where(l), `only a Reshape to a flat vector is supported, got [${target.join(', ')}] from [${ctx.shape.join(', ')}]`);
    }
  }
  throw new SpecError(ctx.label, where(l), `unsupported layer: ${l.name} is a ${l.cls}; supported: ${SUPPORTED_KERAS_LAYERS.join(', ')}`);
}

function nextActivationKind(l: KLayer): 'step' | null {
  const act = l.cls === 'Activation' || l.cls === 'QActivation' ? l.config.activation : null;
  if (act === 'ternary_tanh' || act === 'binary_tanh') return 'step';
  if (act && typeof act === 'object' && ['ternary', 'binary'].includes(String((act as { class_name?: unknown }).class_name))) return 'step';
  if (typeof act === 'string' && /^(ternary|binary)\b/.test(act)) return 'step';
  return null;
}

function checkChannelsLast(ctx: Ctx, l: KLayer): void {
  const df = l.config.data_format;
  if (df !== undefined && df !== null && df !== 'channels_last') throw new SpecError(ctx.label, where(l), `expected data_format "channels_last", got "${String(df)}" (channels-first Keras layers are not supported)`);
}

function checkRank(ctx: Ctx, l: KLayer, rank: 1 | 2): void {
  if (ctx.shape.length !== rank + 1) throw new SpecError(ctx.label, where(l), `expected a ${rank === 1 ? '[L, C]' : '[H, W, C]'} input, got [${ctx.shape.join(', ')}]`);
}

function paddingOf(ctx: Ctx, l: KLayer): 'valid' | 'same' {
  const p = l.config.padding ?? 'valid';
  if (p !== 'valid' && p !== 'same') throw new SpecError(ctx.label, where(l), `expected padding "valid" or "same", got "${String(p)}"`);
  return p;
}

/** HGQ's FixedPointQuantizer: per-element keep_negative, bits, integers (fixed<bits, integers>), RND and SAT from its config. */
function hgqQuant(ctx: Ctx, l: KLayer): QuantOp {
  const w = weightsOf(ctx, l, ['keep_negative', 'bits', 'integers']);
  const rnd = String(l.config.RND ?? 'TRN');
  const sat = String(l.config.SAT ?? 'WRAP');
  const C = ctx.shape[ctx.shape.length - 1]!;
  const n = sizeOf(ctx.shape);
  const k = w.get('keep_negative')!.data.values;
  const b = w.get('bits')!.data.values;
  const it = w.get('integers')!.data.values;
  const len = b.length;
  if (len !== 1 && len !== C) {
    throw new SpecError(ctx.store.label, w.get('bits')!.path, `expected 1 or ${C} (one per channel) bit widths for ${where(l)}${len === n ? ' (per-element widths over a spatial value are not supported)' : ''}, got ${len}`);
  }
  const formats: FixedFormat[] = [];
  for (let c = 0; c < len; c++) {
    const bits = b[c]!;
    const signed = (k.length === 1 ? k[0]! : k[c]!) !== 0;
    const integers = it.length === 1 ? it[0]! : it[c]!;
    let f: FixedFormat;
    try {
      f = parseFixed(`${signed ? '' : 'u'}fixed<${Math.max(bits, signed ? 2 : 1)},${integers},${rnd},${sat}>`, `${where(l)}`);
    } catch (e) {
      throw new SpecError(ctx.label, where(l), `unsupported quantizer: ${(e as Error).message}`);
    }
    formats.push(bits <= 0 ? { ...f, width: 0, frac: 0 } : f);
  }
  const uniq = new Set(formats.map((f) => JSON.stringify(f)));
  const source = uniq.size === 1 ? fixedText(formats[0]!) : `per channel (${formats.length})`;
  return { op: 'quant', formats: uniq.size === 1 ? [formats[0]!] : formats, source, meta: meta(l) };
}

/** A float model's dense/conv followed by BatchNormalization: fold the BN into the float weights before quantizing. */
function foldableBatchNorm(l: KLayer, next: KLayer | undefined, floatLayer: boolean): boolean {
  if (!floatLayer || !next || next.cls !== 'BatchNormalization') return false;
  const act = l.config.activation;
  return act === undefined || act === null || act === 'linear';
}

function isFloatLayer(l: KLayer, hgq: Record<string, string> | null): boolean {
  if (l.cls === 'TernaryDense' || hgq !== null) return false;
  if (l.cls.startsWith('Q')) return l.config.kernel_quantizer === null || l.config.kernel_quantizer === undefined;
  return true;
}

function denseOps(ctx: Ctx, l: KLayer, next: KLayer | undefined, isLast: boolean): number {
  if (ctx.shape.length !== 1) throw new SpecError(ctx.label, where(l), `a Dense layer over a [${ctx.shape.join(', ')}] value (per position) is not supported; flatten it first`);
  const nIn = ctx.shape[0]!;
  const units = cfgNum(l, 'units', NaN);
  const useBias = l.config.use_bias !== false;
  const w = weightsOf(ctx, l, useBias ? ['kernel', 'bias'] : ['kernel']);
  if (!Number.isInteger(units)) throw new SpecError(ctx.label, where(l), 'expected "units"');
  checkShape(ctx, l, 'kernel', w.get('kernel')!, [nIn, units]);
  if (useBias) checkShape(ctx, l, 'bias', w.get('bias')!, [units]);
  const hgq = hgqOverrides(next, l.name);
  const m = meta(l);
  const fold = foldableBatchNorm(l, next, isFloatLayer(l, hgq));
  const { kq, bq } = foldAndQuantize(ctx, l, w, useBias, fold ? next! : null, [units], hgq, m);
  const W: number[][] = [];
  for (let i = 0; i < nIn; i++) W.push(kq.values.slice(i * units, (i + 1) * units));
  ctx.ops.push({ op: 'dense', W, bias: bq?.values ?? null, weightType: kq.type, biasType: bq?.type ?? '—', meta: m });
  ctx.shape = [units];
  const float = isFloatLayer(l, hgq);
  const act = l.config.activation;
  if (float && (act === undefined || act === null || act === 'linear' || act === 'relu' || act === 'softmax')) ctx.ops.push(...ctx.precision.resultOps(l.name, l.cls));
  ctx.ops.push(...activationOps(ctx, l, act, isLast && !fold));
  return fold ? 1 : 0;
}

/**
 * A dense or conv layer's kernel and bias (flat, the output channel last), with the float
 * BatchNormalization `bn` after it (over `outShape`, the layer's output) folded into them first,
 * quantized as the layer says.
 */
function foldAndQuantize(
  ctx: Ctx,
  l: KLayer,
  w: ReturnType<typeof weightsOf>,
  useBias: boolean,
  bn: KLayer | null,
  outShape: number[],
  hgq: Record<string, string> | null,
  m: OpMeta,
): { kq: ReturnType<typeof quantizeParams>; bq: ReturnType<typeof quantizeParams> | null } {
  let kernel = w.get('kernel')!.data.values.slice();
  let bias = useBias ? w.get('bias')!.data.values.slice() : null;
  if (bn !== null) {
    const channels = outShape[outShape.length - 1]!;
    const saved = ctx.shape;
    ctx.shape = outShape;
    const a = batchNormAffine(ctx, bn);
    ctx.shape = saved;
    kernel = kernel.map((v, k) => v * a.scale[k % channels]!);
    bias = (bias ?? new Array<number>(channels).fill(0)).map((v, o) => v * a.scale[o]! + a.offset[o]!);
    m.notes.push(`${bn.name} (BatchNormalization) folded into the float weights and bias before quantization`);
  }
  const kq = quantizeParams(ctx, l, kernel, 'kernel', hgq?.weight_t ?? null, false);
  const bq = bias === null ? null : quantizeParams(ctx, l, bias, 'bias', hgq?.bias_t ?? null, false);
  noteChanged(m, hgq !== null, kernel, kq.values, 'weights');
  return { kq, bq };
}

function noteChanged(m: OpMeta, hgq: boolean, before: number[], after: number[], what: string): void {
  if (!hgq) return;
  const changed = before.filter((v, k) => v !== after[k]).length;
  if (changed > 0) m.notes.push(`${changed} ${what} changed by quantizing to the stated type`);
}

function convOps(ctx: Ctx, l: KLayer, next: KLayer | undefined, isLast: boolean): number {
  const rank: 1 | 2 = l.cls.endsWith('1D') ? 1 : 2;
  checkChannelsLast(ctx, l);
  checkRank(ctx, l, rank);
  const cin = ctx.shape[ctx.shape.length - 1]!;
  const filters = cfgNum(l, 'filters', NaN);
  const ks = pair(l.config.kernel_size, 1, rank);
  const strides = pair(l.config.strides, 1, rank);
  const dilation = pair(l.config.dilation_rate, 1, rank);
  const padding = paddingOf(ctx, l);
  if (Number(l.config.groups ?? 1) !== 1) throw new SpecError(ctx.label, where(l), 'grouped convolutions are not supported');
  const useBias = l.config.use_bias !== false;
  const w = weightsOf(ctx, l, useBias ? ['kernel', 'bias'] : ['kernel']);
  checkShape(ctx, l, 'kernel', w.get('kernel')!, rank === 1 ? [ks[1], cin, filters] : [ks[0], ks[1], cin, filters]);
  if (useBias) checkShape(ctx, l, 'bias', w.get('bias')!, [filters]);
  const hgq = hgqOverrides(next, l.name);
  const m = meta(l);
  const fold = foldableBatchNorm(l, next, isFloatLayer(l, hgq));
  const outShape = windowOut(ctx.shape, rank, ks, strides, dilation, padding, filters);
  if (outShape.some((d) => d < 1)) throw new SpecError(ctx.label, where(l), `the kernel does not fit the input [${ctx.shape.join(', ')}]`);
  const { kq, bq } = foldAndQuantize(ctx, l, w, useBias, fold ? next! : null, outShape, hgq, m);
  // stored [kh][kw][cin][cout] (rank 1: [k][cin][cout]) row-major
  const kh = ks[0];
  const kw = ks[1];
  const K: number[][][][] = [];
  for (let i = 0; i < kh; i++) {
    const row: number[][][] = [];
    for (let j = 0; j < kw; j++) {
      const taps: number[][] = [];
      for (let c = 0; c < cin; c++) {
        const base = ((i * kw + j) * cin + c) * filters;
        taps.push(kq.values.slice(base, base + filters));
      }
      row.push(taps);
    }
    K.push(row);
  }
  ctx.ops.push({ op: 'conv', rank, kernel: K, strides, dilation, padding, bias: bq?.values ?? null, weightType: kq.type, biasType: bq?.type ?? '—', meta: m });
  ctx.shape = outShape;
  const float = isFloatLayer(l, hgq);
  const act = l.config.activation;
  if (float && (act === undefined || act === null || act === 'linear' || act === 'relu' || act === 'softmax')) ctx.ops.push(...ctx.precision.resultOps(l.name, l.cls));
  ctx.ops.push(...activationOps(ctx, l, act, isLast && !fold));
  return fold ? 1 : 0;
}

export { typeOfValues, fracBitsOf };
