import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/flows/dataset.js';
import { InputError } from '../../src/errors.js';
import { Rng } from '../../src/sim/vectors.js';

/**
 * The CSV reader (src/flows/dataset.ts) against a plain reading written here: every line kind
 * the format allows, in a file larger than the reader's 1 MiB chunks, so that lines straddle
 * them. The reader reads the usual integer lines from their bytes and any other line as text;
 * the two must agree with this model on every value and every line number.
 */

const dir = mkdtempSync(join(tmpdir(), 'da-gen-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The model: rows of numbers and the 1-based line of each (blank lines, # comments and a first non-numeric line skipped). */
function modelRead(text: string): { rows: number[][]; lines: number[] } {
  const rows: number[][] = [];
  const lines: number[] = [];
  let seen = false;
  text.split('\n').forEach((raw, k) => {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.trim() === '' || l.startsWith('#')) return;
    const f = l.split(',').map((x) => x.trim());
    const numeric = f.every((x) => x !== '' && !Number.isNaN(Number(x)));
    if (!seen && !numeric) {
      seen = true;
      return;
    }
    seen = true;
    rows.push(f.map(Number));
    lines.push(k + 1);
  });
  return { rows, lines };
}

async function readerRead(path: string, cols: number, block: number): Promise<{ rows: number[][]; lines: number[] }> {
  const ds = await openDataset(path, cols, block);
  const rows: number[][] = [];
  const lines: number[] = [];
  for await (const b of ds.blocks()) {
    for (let r = 0; r < b.rows; r++) rows.push(Array.from(b.values.subarray(r * cols, (r + 1) * cols)));
    lines.push(b.first);
  }
  return { rows, lines };
}

describe('the CSV reader', () => {
  it('equals a plain reading on every line kind, across its 1 MiB chunks', async () => {
    const cols = 5;
    const r = new Rng(3);
    const out: string[] = ['a,b,c,d,e'];
    for (let i = 0; i < 120000; i++) {
      const vals = Array.from({ length: cols }, () => r.below(2001) - 1000);
      const pick = r.below(20);
      let line = vals.join(',');
      // mostly plain integer lines (the bytes path), and every other kind now and then
      if (pick === 0) line += '\r';
      else if (pick === 1) line = vals.map((v) => (v >= 0 ? `+${v}` : String(v))).join(',');
      else if (pick === 2) line = vals.map((v) => ` ${v} `).join(',');
      else if (pick === 3) line = vals.map((v) => `${v / 8}`).join(',');
      else if (pick === 4) line = vals.map((v) => `${v}e-1`).join(',');
      else if (pick === 5) out.push('# a comment, 1,2,3');
      else if (pick === 6) out.push('');
      else if (pick === 7) out.push('  \r');
      else if (pick === 8) line = vals.map((v, c) => (c === 0 ? '1234567890123456' : String(v))).join(',');
      else if (pick === 9) line = vals.map((v) => (v === 0 ? '-0' : String(v))).join(',');
      out.push(line);
    }
    const text = out.join('\n'); // the last line without its newline
    expect(text.length).toBeGreaterThan(2 << 20);
    const path = join(dir, 'mixed.csv');
    writeFileSync(path, text);
    const want = modelRead(text);
    for (const block of [4096, 7]) {
      const got = await readerRead(path, cols, block);
      expect(got.rows.length).toBe(want.rows.length);
      expect(got.rows).toEqual(want.rows);
      // each block's first line, as the model numbers the lines
      expect(got.lines).toEqual(want.lines.filter((_, k) => k % block === 0));
    }
  });

  it('a bad line after thousands of good ones is named by its own line number', async () => {
    const good = Array.from({ length: 3000 }, (_, k) => `${k},${-k},7`).join('\n');
    for (const [bad, msg] of [
      ['1,2', 'line 3002: 2 columns, expected 3'],
      ['1,2,3,4', 'line 3002: 4 columns, expected 3'],
      ['1,,3', 'line 3002, column 2: expected a number, got an empty field'],
      ['1,2,x', 'line 3002, column 3: expected a number, got "x"'],
      ['1,2,-', 'line 3002, column 3: expected a number, got "-"'],
      ['1,2,3,', 'line 3002: 4 columns, expected 3'],
    ] as const) {
      const path = join(dir, 'bad.csv');
      writeFileSync(path, `# header comment\n${good}\n${bad}\n5,6,7\n`);
      const ds = await openDataset(path, 3, 4096);
      const drain = async (): Promise<void> => {
        for await (const _ of ds.blocks());
      };
      await expect(drain()).rejects.toThrow(InputError);
      await expect(drain()).rejects.toThrow(msg);
    }
  });
});
