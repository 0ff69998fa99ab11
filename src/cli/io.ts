import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SpecError } from '../errors.js';
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
