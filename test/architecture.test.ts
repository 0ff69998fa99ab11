import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The architecture, checked: which folder of src/ may import which (the table in the README,
 * from ../shared/DESIGN.md), read from every import and export of every source file. Data flows
 * one way: spec → da → rtl → sim, toolchain → platform, and only flows/ composes the layers;
 * cli/ sits on top. The root modules errors.ts and version.ts are leaves every folder may import.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** Folder → the folders it may import (its own files always). */
const ALLOWED: Record<string, readonly string[]> = {
  spec: [],
  import: ['spec'],
  da: ['spec'],
  rtl: ['spec', 'da'],
  sim: ['spec', 'da', 'rtl'],
  toolchain: [],
  platform: ['toolchain', 'rtl'],
  boards: ['spec'],
  report: ['spec', 'da', 'rtl'],
  flows: ['spec', 'import', 'da', 'rtl', 'sim', 'toolchain', 'platform', 'boards', 'report'],
  cli: ['flows', 'spec', 'import', 'da', 'rtl', 'sim', 'toolchain', 'platform', 'boards', 'report'],
};
/** Root modules that import nothing of da-gen and that every folder may import. */
const LEAVES = ['errors.ts', 'version.ts'];
/** Root modules above everything: the public API, and the executable (which runs the CLI only). */
const TOPS: Record<string, readonly string[] | 'all'> = { 'index.ts': 'all', 'bin.ts': ['cli'] };

/** The module specifiers a source text imports or re-exports (static, side-effect and dynamic). */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');
  for (const re of [/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of code.matchAll(re)) out.push(m[1]!);
  }
  return out;
}

/** Where a src-relative path belongs: its folder, or the root file's name. */
function unitOf(srcPath: string): string {
  return srcPath.split('/')[0]!;
}

export interface Violation {
  file: string;
  imports: string;
  why: string;
}

/**
 * The forbidden imports among `files` (src-relative path → source text). Package imports
 * (`commander`, `node:fs`) are not the table's concern; a relative import leaving src/ is.
 */
export function violations(files: Record<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of Object.entries(files)) {
    const from = unitOf(file);
    for (const spec of specifiers(text)) {
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(file), spec)).split('\\').join('/');
      if (target.startsWith('..')) {
        out.push({ file, imports: spec, why: 'leaves src/' });
        continue;
      }
      const to = unitOf(target.replace(/\.js$/, '.ts'));
      if (to === from) continue;
      const isFolder = target.includes('/');
      if (!isFolder && LEAVES.includes(to)) continue; // every unit may import a leaf
      if (LEAVES.includes(from)) {
        out.push({ file, imports: spec, why: `${from} is a leaf and imports nothing of da-gen` });
        continue;
      }
      const top = TOPS[from];
      if (top !== undefined) {
        if (top === 'all' || top.includes(to)) continue;
        out.push({ file, imports: spec, why: `${from} may import ${top.join(', ')} only` });
        continue;
      }
      const allowed = ALLOWED[from];
      if (allowed === undefined) {
        out.push({ file, imports: spec, why: `${from} is not a folder of the architecture table` });
        continue;
      }
      if (!isFolder || !allowed.includes(to)) {
        out.push({ file, imports: spec, why: `src/${from}/ may import ${allowed.length ? allowed.join(', ') : 'nothing of da-gen'}, not ${isFolder ? `src/${to}/` : to}` });
      }
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : f.endsWith('.ts') ? [p] : [];
  });
}

const files: Record<string, string> = {};
for (const p of sourceFiles(SRC)) files[relative(SRC, p).split('\\').join('/')] = readFileSync(p, 'utf8');

describe('architecture', () => {
  it('every import of src/ follows the table', () => {
    expect(violations(files)).toEqual([]);
  });

  it('catches a forbidden import (the check can fail)', () => {
    const bad = {
      'da/x.ts': "import { compile } from '../flows/compile.js';",
      'sim/y.ts': "import type { Tool } from '../toolchain/tool.js';\nexport { z } from '../platform/index.js';",
      'toolchain/z.ts': "const m = await import('../spec/parse.js');",
      'errors.ts': "import { VERSION } from './spec/spec.js';",
      'rtl/w.ts': "import '../../test/helpers/random.js';",
      'rtl/ok.ts': "// import { compile } from '../flows/compile.js';\nimport { VERSION } from '../version.js';\nimport type { Spec } from '../spec/spec.js';",
    };
    const v = violations(bad);
    expect(v.map((x) => `${x.file} → ${x.imports}`)).toEqual([
      'da/x.ts → ../flows/compile.js',
      'sim/y.ts → ../toolchain/tool.js',
      'sim/y.ts → ../platform/index.js',
      'toolchain/z.ts → ../spec/parse.js',
      'errors.ts → ./spec/spec.js',
      'rtl/w.ts → ../../test/helpers/random.js',
    ]);
    expect(v[0]!.why).toBe('src/da/ may import spec, not src/flows/');
  });

  it('every folder of src/ is in the table, and the root holds only the leaves and the tops', () => {
    const units = new Set(Object.keys(files).map(unitOf));
    for (const u of units) {
      if (u.endsWith('.ts')) expect([...LEAVES, ...Object.keys(TOPS)], `src/${u}`).toContain(u);
      else expect(Object.keys(ALLOWED), `src/${u}/`).toContain(u);
    }
    for (const leaf of LEAVES) expect(specifiers(files[leaf]!).filter((s) => s.startsWith('.'))).toEqual([]);
  });

  it("the README's layer table is this table", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const line of readme.split('\n')) {
      const m = /^\|\s*`src\/([a-z]+)\/`\s*\|[^|]*\|([^|]*)\|\s*$/.exec(line);
      if (!m) continue;
      const cell = m[2]!.trim();
      rows.set(m[1]!, cell === '—' ? [] : cell.split(/,\s*|\s+and\s+/).map((s) => s.replace(/\s*\(.*\)$/, '').trim()).filter((s) => s !== ''));
    }
    expect(new Set(rows.keys())).toEqual(new Set(Object.keys(ALLOWED)));
    for (const [folder, allowed] of Object.entries(ALLOWED)) expect(new Set(rows.get(folder)), folder).toEqual(new Set(allowed));
    for (const leaf of LEAVES) expect(readme).toContain(`src/${leaf}`);
  });

  it('outside src/platform/ no code compares a family name, and outside src/spec/ none asks which form a spec has', () => {
    const family = /(['"`])(?:ice40|ecp5|generic)\1/;
    const form = /\.form\s*[!=]==|\b(?:spec|s)\.(?:layers|weights)\s*[!=]==\s*undefined|['"](?:layers|weights)['"]\s+in\s+spec\b/;
    for (const [file, text] of Object.entries(files)) {
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');
      if (!file.startsWith('platform/')) expect(family.test(code), `${file} compares a family name`).toBe(false);
      if (!file.startsWith('spec/')) expect(form.test(code), `${file} asks which form a spec has`).toBe(false);
    }
  });
});
