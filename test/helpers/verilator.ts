import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool } from './tools.js';

/** `verilator --lint-only -Wall` on the text: ok and what it said, or null (with a visible message) when verilator is not installed. */
export function verilatorLint(verilog: string, top: string): { ok: boolean; log: string } | null {
  if (!haveTool('verilator')) {
    console.log('SKIPPED: verilator lint (verilator is not installed)');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-lint-'));
  try {
    const file = join(dir, `${top}.v`);
    writeFileSync(file, verilog);
    const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', top, file], { encoding: 'utf8' });
    return { ok: r.status === 0 && r.stderr.trim() === '', log: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
