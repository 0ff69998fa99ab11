import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Tests that need an external tool (Icarus, Verilator) skip where it is missing with a visible
 * message, and fail in CI rather than skip: that is test/helpers/tools.ts's `haveTool`. A test
 * gated on anything else (such as the library's own `icarusAvailable()`) skips silently — issue 11
 * found the Icarus test of the Yosys-JSON simulator doing so.
 */

const TEST = resolve(dirname(fileURLToPath(import.meta.url)));

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return testFiles(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('tool-gated tests', () => {
  it('are gated by haveTool (a visible skip message, an error in CI), never by the library’s own probe', () => {
    const bad: string[] = [];
    for (const f of testFiles(TEST)) {
      const text = readFileSync(f, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/\.(runIf|skipIf)\([^)]*\b(icarusAvailable|verilatorAvailable|findTool)\(/.test(line)) bad.push(`${relative(TEST, f)}:${i + 1}`);
      });
    }
    expect(bad).toEqual([]);
  });
});
