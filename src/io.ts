import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
