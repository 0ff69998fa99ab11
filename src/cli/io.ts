import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SpecError } from '../errors.js';
import { parseReport } from '../report/parse.js';
import type { Report } from '../report/schema.js';
import { parseSpec } from '../spec/parse.js';
import type { Spec } from '../spec/spec.js';

/** The command's files: reading the user's, writing its own. */

/** A file's text; an unreadable file is the user's error (exit 2), named with the reason. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, expected a JSON file' : err.message;
    throw new SpecError(file, '', `cannot read: ${why}`);
  }
}

export function readSpec(file: string): Spec {
  return parseSpec(readText(file), file);
}

export function readReport(file: string): Report {
  return parseReport(readText(file), file);
}

/**
 * Write all files or none: each is written to a temporary file in its own directory, and
 * only when every one is complete are they renamed into place. On any error the temporary
 * files are removed and nothing is left behind.
 */
export function writeFilesAtomically(files: { path: string; text: string | Uint8Array }[]): void {
  const temps: { tmp: string; path: string }[] = [];
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
      temps.push({ tmp, path: f.path });
      const fd = openSync(tmp, 'w');
      try {
        if (typeof f.text === 'string') writeSync(fd, f.text);
        else writeSync(fd, f.text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    for (const t of temps) renameSync(t.tmp, t.path);
  } catch (e) {
    for (const t of temps) rmSync(t.tmp, { force: true });
    throw e;
  }
}

/** `out/encoder.v` → `out/encoder.json`. */
export function manifestPathFor(verilogPath: string): string {
  const dot = verilogPath.lastIndexOf('.');
  const slash = Math.max(verilogPath.lastIndexOf('/'), verilogPath.lastIndexOf('\\'));
  const stem = dot > slash + 1 ? verilogPath.slice(0, dot) : verilogPath;
  return `${stem}.json`;
}
