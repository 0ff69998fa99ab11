/**
 * Importing a trained model: which kind of file it is, reading it (HDF5 through h5wasm, zip
 * through fflate, ONNX through onnx-proto), the imported model graph (keras.ts, onnx.ts), its
 * integer mapping (lower.ts) and the layers-format text, parsed back as a check.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { SpecError, UsageError } from '../errors.js';
import { parseSpec } from '../spec/parse.js';
import type { Spec } from '../spec/spec.js';
import type { ImportOptions, ImportReport, ImportResult, ModelKind } from './api.js';
import { fixedText } from './fixed.js';
import { Hdf5File, isHdf5 } from './hdf5.js';
import type { ModelGraph } from './ir.js';
import { kerasGraph } from './keras.js';
import { Lowerer } from './lower.js';
import { onnxGraph } from './onnx.js';

export type { ImportOptions, ImportReport, ImportResult, ModelKind } from './api.js';

/** The extensions of model files (the CLI takes these as models, anything else as a layers file). */
export const MODEL_EXTENSIONS = ['.h5', '.hdf5', '.keras', '.onnx'];

/** Whether a path names a model file by its extension (a Keras architecture JSON needs --weights or an import). */
export function isModelPath(path: string): boolean {
  return MODEL_EXTENSIONS.includes(extname(path).toLowerCase());
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];

function startsWith(b: Uint8Array, sig: readonly number[]): boolean {
  return sig.every((x, i) => b[i] === x);
}

/** What the file's first bytes say it is. */
function sniff(bytes: Uint8Array, path: string): 'hdf5' | 'zip' | 'json' | 'other' {
  if (isHdf5(path)) return 'hdf5';
  if (startsWith(bytes, ZIP)) return 'zip';
  const head = Buffer.from(bytes.subarray(0, 64)).toString('utf8').trimStart();
  if (head.startsWith('{')) return 'json';
  return 'other';
}

const CONTENT_NAME = { hdf5: 'an HDF5 file', zip: 'a zip archive (a Keras 3 .keras file?)', json: 'a JSON file', other: 'neither HDF5, zip nor JSON' };

/** The kind of model file, from its extension, checked against its content. */
export function modelKind(path: string, bytes: Uint8Array): ModelKind {
  const ext = extname(path).toLowerCase();
  const content = sniff(bytes, path);
  const expect = (want: 'hdf5' | 'zip' | 'json', kind: ModelKind, what: string): ModelKind => {
    if (content !== want) {
      throw new SpecError(path, '', `wrong magic: the extension ${ext} says ${what}, but the file is ${bytes.length === 0 ? 'empty' : CONTENT_NAME[content]}`);
    }
    return kind;
  };
  switch (ext) {
    case '.h5':
    case '.hdf5':
      return expect('hdf5', 'keras-h5', 'a Keras HDF5 model');
    case '.keras':
      return expect('zip', 'keras3', 'a Keras 3 model (a zip archive)');
    case '.json':
      return expect('json', 'keras-json', 'a Keras architecture JSON');
    case '.onnx':
      if (content !== 'other') throw new SpecError(path, '', `wrong magic: the extension .onnx says an ONNX model (protobuf), but the file is ${CONTENT_NAME[content]}`);
      return 'onnx';
  }
  if (content === 'hdf5') return 'keras-h5';
  if (content === 'zip') return 'keras3';
  if (content === 'json') return 'keras-json';
  throw new SpecError(path, '', `cannot tell what kind of model this is: expected .h5 (Keras HDF5), .json with --weights (Keras 2), .keras (Keras 3) or .onnx (ONNX, QONNX)`);
}

function readBytes(path: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  if (!statSync(path).isFile()) throw new UsageError(`${path}: not a file`);
  return new Uint8Array(readFileSync(path));
}

/** A Verilog-safe module name from a file name ("qkeras-v3_3layer.keras" → "qkeras_v3_3layer"). */
function nameFromFile(path: string): string {
  let n = basename(path, extname(path)).replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(n)) n = `m_${n}`;
  n = n.replace(/_(add|baseline|kernel\d+)$/i, '_net');
  return n.slice(0, 120) || 'model';
}

/** The weights file beside a Keras architecture JSON: <stem>_weights.h5 or <stem>.h5. */
function siblingWeights(path: string): string[] {
  const stem = join(dirname(path), basename(path, extname(path)));
  return [`${stem}_weights.h5`, `${stem}.h5`];
}

/** Reads a model file into its imported model graph. */
export async function readModelGraph(path: string, opts: ImportOptions = {}): Promise<ModelGraph> {
  const bytes = readBytes(path);
  const kind = modelKind(path, bytes);
  const name = opts.name ?? nameFromFile(path);
  switch (kind) {
    case 'onnx':
      return onnxGraph(bytes, path, opts, name);
    case 'keras-h5': {
      const f = await Hdf5File.open(path, path);
      try {
        const cfg = f.attr('', 'model_config');
        if (typeof cfg !== 'string') {
          throw new SpecError(path, '', `weights missing an architecture: this HDF5 file has no "model_config" attribute (a weights-only file); give the architecture JSON and this file as its weights: da-gen import model.json --weights ${basename(path)}`);
        }
        const config = parseJsonText(cfg, `${path}: model_config`);
        const v = f.attr('', 'keras_version');
        return kerasGraph({ config, configLabel: path, weights: f, version: 2, framework: `Keras ${typeof v === 'string' ? v : '2'} (full-model HDF5)${frameworkOf(cfg)}` }, opts, name);
      } finally {
        f.close();
      }
    }
    case 'keras-json': {
      const text = Buffer.from(bytes).toString('utf8');
      const config = parseJsonText(text, path);
      if ((config as { format?: unknown }).format === 1) throw new UsageError(`${path} is already a da-gen layers file (format 1), not a model to import`);
      let wpath = opts.weights;
      if (wpath === undefined) {
        const found = siblingWeights(path).find((p) => existsSync(p));
        if (found === undefined) throw new SpecError(path, '', `weights missing: a Keras architecture JSON needs its weights file; give it with --weights (looked for ${siblingWeights(path).map((p) => basename(p)).join(' and ')})`);
        wpath = found;
      }
      readBytes(wpath);
      const f = await Hdf5File.open(wpath, wpath);
      try {
        const v = (config as { keras_version?: unknown }).keras_version;
        return kerasGraph({ config, configLabel: path, weights: f, version: 2, framework: `Keras ${typeof v === 'string' ? v : '2'} (architecture JSON + HDF5 weights)${frameworkOf(text)}` }, opts, name);
      } finally {
        f.close();
      }
    }
    case 'keras3': {
      // the zip reader is loaded when an archive is read, not at every start
      const { unzipSync } = await import('fflate');
      let files: Record<string, Uint8Array>;
      try {
        files = unzipSync(bytes);
      } catch (e) {
        throw new SpecError(path, '', `not a readable zip archive (truncated?): ${(e as Error).message}`);
      }
      const cfgBytes = files['config.json'];
      if (!cfgBytes) throw new SpecError(path, '', 'not a Keras 3 model: the archive has no config.json');
      const wBytes = files['model.weights.h5'];
      if (!wBytes) throw new SpecError(path, '', `weights missing: the archive has no model.weights.h5${files['model.weights.npz'] ? ' (model.weights.npz is not supported)' : ''}`);
      const text = Buffer.from(cfgBytes).toString('utf8');
      const config = parseJsonText(text, `${path}: config.json`);
      const meta = files['metadata.json'] ? (parseJsonText(Buffer.from(files['metadata.json']).toString('utf8'), `${path}: metadata.json`) as { keras_version?: unknown }) : {};
      const f = await Hdf5File.fromBytes(wBytes, `${path}: model.weights.h5`);
      try {
        return kerasGraph({ config, configLabel: path, weights: f, version: 3, framework: `Keras ${typeof meta.keras_version === 'string' ? meta.keras_version : '3'} (.keras)${frameworkOf(text)}` }, opts, name);
      } finally {
        f.close();
      }
    }
  }
}

/** " with QKeras" / " with HGQ" from the classes a config names. */
function frameworkOf(text: string): string {
  if (/FixedPointQuantizer/.test(text)) return ', HGQ proxy model';
  if (/"Q(Dense|Conv[12]D|Activation)"|quantized_bits|quantized_relu/.test(text)) return ', QKeras';
  if (/TernaryDense|BinaryDense/.test(text)) return ', binary/ternary layers';
  return '';
}

function parseJsonText(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SpecError(label, '', `not valid JSON: ${(e as Error).message}`);
  }
}

/** JSON with arrays of numbers and strings on one line each, objects and other arrays indented. */
export function layersText(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${v.map((x) => inner + layersText(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const inner = indent + '  ';
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${layersText(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

/**
 * Imports a model file: its graph, the layers-format document and text (parsed back, so what
 * `da-gen import` writes is always a valid file), the output's scale and the import report.
 */
export async function importModel(path: string, opts: ImportOptions = {}): Promise<ImportResult & { spec: Spec }> {
  const graph = await readModelGraph(path, opts);
  const lowered = new Lowerer(graph, path).lower();
  const text = `${layersText(lowered.document)}\n`;
  let spec: Spec;
  try {
    spec = parseSpec(text, `${basename(path)} (imported)`);
  } catch (e) {
    throw new Error(`internal: the imported network does not parse: ${(e as Error).message}`);
  }
  const fr = lowered.outputFrac;
  const outText =
    fr === null
      ? 'y is the index of the largest logit (argmax)'
      : new Set(fr).size === 1
        ? `y / 2^${fr[0]} is the model's output (${fr.length} values)`
        : `y[j] / 2^frac[j], per output: fractional bits ${[...new Set(fr)].join(', ')}`;
  const report: ImportReport = {
    file: path,
    framework: graph.framework,
    input: `${fixedText({ ...graph.input, rounding: 'floor', overflow: 'wrap' })}, x = k / 2^${graph.input.frac} for the integer k on the port (${graph.inputSource})`,
    output: outText,
    layers: lowered.layers,
    notes: graph.notes,
  };
  return { graph, document: lowered.document, text, outputFrac: fr, input: graph.input, report, spec };
}
