import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built command (test/global-setup.ts builds it before the tests). */
export const CLI = join(ROOT, 'dist', 'bin.js');

/** Run the built `da-gen` in `cwd`, with `env` added to the environment. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  // (WebAssembly Yosys, which check runs, can take a while on a busy machine)
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return r;
}

/** Every entry under `d`, hidden files and subdirectories included, sorted. */
export function listAll(d: string): string[] {
  return (readdirSync(d, { recursive: true }) as string[]).map((p) => p.split('\\').join('/')).sort();
}

/** Run `main` in this process with stdout and stderr captured: the exit code and what was written. */
export async function runMain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
