import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { SpecError, UsageError } from '../errors.js';
import { importModel, isModelPath } from '../import/index.js';
import type { ImportResult } from '../import/index.js';
import type { ModelOpts } from './options.js';
import { modelOptionsGiven } from './options.js';
import { parseReport } from '../report/parse.js';
import type { Report } from '../report/schema.js';
import { decodeJsonBytes } from '../spec/json.js';
import { parseSpec } from '../spec/parse.js';
import type { Spec } from '../spec/spec.js';
import { fsProblem } from './output.js';

/** The command's input files (its outputs: output.ts). */

/** The largest input file read: a weights file of 4096×4096 64-bit decimal strings fits. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * A file's bytes, at most `limit` of them: a larger file is refused before it is read (a regular
 * file by its size; a device or pipe, such as /dev/zero, once `limit` bytes have come). An
 * unreadable file is the user's error (exit 2), named with the reason.
 */
export function readBytes(file: string, limit = MAX_INPUT_BYTES): Uint8Array {
  const tooBig = (): SpecError => new SpecError(file, '', `is larger than ${limit / (1024 * 1024)} MB, the most da-gen reads; is it the right file?`);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new SpecError(file, '', `cannot read: ${fsProblem(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new SpecError(file, '', 'cannot read: it is a folder, expected a JSON file');
    if (st.isFile() && st.size > limit) throw tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      chunks.push(buf.subarray(0, got));
      total += got;
      if (total > limit) throw tooBig();
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new SpecError(file, '', `cannot read: ${fsProblem(e)}`);
  } finally {
    closeSync(fd);
  }
}

/** A JSON file's text: UTF-8, within the size limit. */
export function readText(file: string): string {
  return decodeJsonBytes(readBytes(file), file);
}

export function readSpec(file: string): Spec {
  return parseSpec(readText(file), file);
}

export function readReport(file: string): Report {
  return parseReport(readText(file), file);
}

/** Whether a JSON text is a Keras architecture (a model config) rather than a layers file. */
function isKerasJson(text: string): boolean {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return v !== null && typeof v === 'object' && !('format' in v) && typeof v.class_name === 'string';
  } catch {
    return false;
  }
}

/** What a design command reads: a layers file, or a trained model imported on the fly. */
export interface LoadedSpec {
  spec: Spec;
  /** The import, when the file was a model. */
  imported: (ImportResult & { spec: Spec }) | null;
  /** The files read (never overwritten). */
  inputs: string[];
}

/** Whether a design file is a trained model (.h5, .keras, .onnx, a Keras architecture JSON) rather than a layers file. */
export function isModelFile(file: string): boolean {
  return isModelPath(file) || (extname(file).toLowerCase() === '.json' && isKerasJson(readText(file)));
}

/** A layers file (format 1), or a model file (.h5, .keras, .onnx, or a Keras architecture JSON) imported with the model options. */
export async function loadSpec(file: string, o: ModelOpts): Promise<LoadedSpec> {
  if (!isModelFile(file)) {
    const given = modelOptionsGiven(o);
    if (given.length > 0) throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to model files (.h5, .keras, .onnx, a Keras JSON); ${file} is a layers file`);
    return { spec: readSpec(file), imported: null, inputs: [file] };
  }
  if (isModelPath(file)) readBytes(file, MAX_INPUT_BYTES);
  const imported = await importModel(file, o);
  return { spec: imported.spec, imported, inputs: [file, ...(o.weights ? [o.weights] : [])] };
}
