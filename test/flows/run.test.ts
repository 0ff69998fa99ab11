import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { npyHeader } from '../../src/flows/dataset.js';
import { simulateInIcarus } from '../../src/flows/verify.js';
import { withFlush } from '../../src/sim/compare.js';
import { referenceOf } from '../../src/sim/reference.js';
import { Rng } from '../../src/sim/vectors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { runMain } from '../helpers/cli.js';
import { haveTool } from '../helpers/tools.js';

/**
 * `da-gen run`: a dataset through the design. Its outputs are checked against Icarus running
 * the emitted Verilog (the hardware's own text) and against the reference model; the readers,
 * the writers and every refusal through the command itself.
 */

const examples = join(__dirname, '..', '..', 'examples');
const dir = mkdtempSync(join(tmpdir(), 'da-gen-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Seeded integers in [lo, hi]. */
function codes(n: number, cols: number, lo: number, hi: number, seed: number): number[][] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: cols }, () => lo + r.below(hi - lo + 1)));
}

const csv = (rows: readonly (readonly number[])[], header?: string[]): string => (header ? header.join(',') + '\n' : '') + rows.map((r) => r.join(',')).join('\n') + '\n';

function readCsv(path: string): { header: string[]; rows: bigint[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',').map((v) => BigInt(v))) };
}

describe('da-gen run: the outputs are the hardware\'s', () => {
  it('axol1tl.json, 1000 events of a CSV with a header: every y and score equals Icarus running the emitted Verilog, and the reference model', async () => {
    const file = join(examples, 'axol1tl.json');
    const spec = parseSpec(readFileSync(file, 'utf8'), 'axol1tl.json');
    const events = codes(1000, 57, -512, 511, 3);
    const data = join(dir, 'ax.csv');
    writeFileSync(data, csv(events, Array.from({ length: 57 }, (_, k) => `f${k}`)));
    const out = join(dir, 'ax-out.csv');
    // --raw: the values are the hardware's codes (10-bit signed)
    const res = await runMain(['run', file, '--inputs', data, '--raw', '-o', out, '--threshold', '50']);
    expect(res.code, res.stderr).toBe(0);
    const { header, rows } = readCsv(out);
    expect(header).toEqual([...Array.from({ length: 13 }, (_, k) => `y${k}`), 'score']);
    expect(rows).toHaveLength(1000);
    const x = events.map((e) => e.map((v) => BigInt(v)));
    const ref = referenceOf(spec);
    rows.forEach((row, i) => expect(row, `event ${i}`).toEqual(ref(x[i]!)));
    // the summary's fraction is the count of scores above 50 in the file
    const above = rows.filter((r) => r[13]! > 50n).length;
    expect(res.stdout).toContain(`score > 50: ${above} of 1000 events`);
    expect(above).toBeGreaterThan(0);
    if (!haveTool('iverilog', ['-V'])) {
      console.log('SKIPPED: the Icarus part of this test (iverilog is not installed)');
      return;
    }
    const r = compile(spec, { latency: 2 });
    const ys = await simulateInIcarus(r.verilog, r.netlist, withFlush(x, 57, 2));
    rows.forEach((row, i) => expect(row, `event ${i}: Icarus`).toEqual(ys[i + 2]));
  }, 300_000);

  it('real values are quantized to the input format (floor, as ap_fixed\'s default), and --input fixed<…> changes the rounding', async () => {
    const file = join(dir, 'm.json');
    // y = x0 − x1 at full precision; inputs 6-bit signed with 2 fractional bits
    writeFileSync(file, JSON.stringify({ format: 1, name: 'm', input: { width: 6, signed: true }, layers: [{ weights: [[1, -1]], input_frac_bits: 2, weight_frac_bits: 0 }] }));
    const data = join(dir, 'm.csv');
    writeFileSync(data, '0.3,0\n0.375,-0.125\n-0.3,0\n7.75,0\n8.25,0\n');
    const out = join(dir, 'm-out.csv');
    const floor = await runMain(['run', file, '--inputs', data, '-o', out]);
    expect(floor.code, floor.stderr).toBe(0);
    // 0.3·4 = 1.2 → 1; 0.375·4 = 1.5 → 1, −0.5 → −1: 2; −1.2 → −2; 31; 33 wraps to −31
    expect(readCsv(out).rows.map((r) => r[0])).toEqual([1n, 2n, -2n, 31n, -31n]);
    expect(floor.stdout).toContain('input fixed<6,4>');
    const even = await runMain(['run', file, '--inputs', data, '-o', out, '--input', 'fixed<6,4,RND_CONV,SAT>']);
    expect(even.code, even.stderr).toBe(0);
    // 1.2 → 1; 1.5 → 2, −0.5 → 0: 2; −1.2 → −1; 31; 33 saturates to 31
    expect(readCsv(out).rows.map((r) => r[0])).toEqual([1n, 2n, -1n, 31n, 31n]);
    // --real writes y / 2^F
    const real = await runMain(['run', file, '--inputs', data, '-o', out, '--real', '--output-frac-bits', '2']);
    expect(real.code, real.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').slice(1, 4)).toEqual(['0.25', '0.5', '-0.5']);
  });

  it('.npy in (int16, float64) and .npy out, at latencies 0 and 3: the same rows as CSV', async () => {
    const file = join(examples, 'encoder.json');
    const spec = parseSpec(readFileSync(file, 'utf8'), 'encoder.json');
    const nIn = spec.input.shape.reduce((a, b) => a * b, 1);
    const lo = spec.input.signed ? -(2 ** (spec.input.width - 1)) : 0;
    const hi = spec.input.signed ? 2 ** (spec.input.width - 1) - 1 : 2 ** spec.input.width - 1;
    const events = codes(5000, nIn, lo, hi, 9);
    const i16 = Buffer.alloc(events.length * nIn * 2);
    events.flat().forEach((v, k) => i16.writeInt16LE(v, 2 * k));
    const head = npyHeader('<i8', events.length, nIn).toString('latin1').replace("'<i8'", "'<i2'");
    writeFileSync(join(dir, 'e16.npy'), Buffer.concat([Buffer.from(head, 'latin1'), i16]));
    const f64 = Buffer.alloc(events.length * nIn * 8);
    events.flat().forEach((v, k) => f64.writeDoubleLE(v, 8 * k));
    writeFileSync(join(dir, 'e64.npy'), Buffer.concat([npyHeader('<f8', events.length, nIn), f64]));
    writeFileSync(join(dir, 'e.csv'), csv(events));
    const ref = referenceOf(spec);
    for (const L of ['0', '3']) {
      const a = await runMain(['run', file, '--inputs', join(dir, 'e.csv'), '--raw', '-o', join(dir, 'e-out.csv'), '--latency', L]);
      expect(a.code, a.stderr).toBe(0);
      const rows = readCsv(join(dir, 'e-out.csv')).rows;
      rows.forEach((row, i) => expect(row, `event ${i}`).toEqual(ref(events[i]!.map((v) => BigInt(v)))));
      for (const src of ['e16.npy', 'e64.npy']) {
        const b = await runMain(['run', file, '--inputs', join(dir, src), '--raw', '-o', join(dir, 'e-out.npy'), '--latency', L]);
        expect(b.code, b.stderr).toBe(0);
        const npy = readFileSync(join(dir, 'e-out.npy'));
        const hlen = npy.readUInt16LE(8);
        const header = npy.toString('latin1', 10, 10 + hlen);
        expect(header).toMatch(new RegExp(`'descr': '<i8', 'fortran_order': False, 'shape': \\(\\s*${events.length}, ${rows[0]!.length}\\)`));
        expect((10 + hlen) % 64).toBe(0);
        const got = Array.from({ length: events.length }, (_, i) => Array.from({ length: rows[0]!.length }, (_, k) => npy.readBigInt64LE(10 + hlen + 8 * (i * rows[0]!.length + k))));
        expect(got, `${src} at latency ${L}`).toEqual(rows);
      }
    }
  });
});

describe('da-gen run: bad rows and options', () => {
  const file = join(examples, 'encoder.json');
  const bad = async (data: string, extra: string[] = []): Promise<{ code: number; stderr: string }> => {
    writeFileSync(join(dir, 'bad.csv'), data);
    const out = join(dir, 'bad-out.csv');
    rmSync(out, { force: true });
    const r = await runMain(['run', file, '--inputs', join(dir, 'bad.csv'), '-o', out, ...extra]);
    expect(existsSync(out), 'no output file is left').toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('bad-out')), 'no temporary file is left').toEqual([]);
    return r;
  };
  const spec = parseSpec(readFileSync(join(examples, 'encoder.json'), 'utf8'), 'encoder.json');
  const nIn = spec.input.shape.reduce((a, b) => a * b, 1);
  const good = Array.from({ length: nIn }, () => '1').join(',');

  it('a row with the wrong number of columns: exit 2, the line named', async () => {
    const r = await bad(`${good}\n${good}\n1,2\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`bad\\.csv: line 3: 2 columns, expected ${nIn}`));
  });

  it('a value that is not a number: exit 2, line and column named', async () => {
    const fields = good.split(',');
    fields[2] = 'abc';
    const r = await bad(`${good}\n${fields.join(',')}\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv: line 2, column 3: expected a number, got "abc"');
  });

  it('out of range with --strict: exit 2, line and column named; without it, the value wraps', async () => {
    const fields = good.split(',');
    fields[0] = String(2 ** spec.input.width);
    const r = await bad(`${good}\n${good}\n${fields.join(',')}\n`, ['--strict', '--raw']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv: line 3, column 1:');
    expect(r.stderr).toContain('outside the input');
    writeFileSync(join(dir, 'wrap.csv'), `${fields.join(',')}\n`);
    const ok = await runMain(['run', file, '--inputs', join(dir, 'wrap.csv'), '--raw']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('--threshold without a score, --real without known fractional bits, an unknown output type: exit 2', async () => {
    writeFileSync(join(dir, 'ok.csv'), `${good}\n`);
    const m = join(dir, 'noscore.json');
    writeFileSync(m, JSON.stringify({ format: 1, name: 'n', input: { width: 4, signed: true }, weights: [[1, 2]] }));
    writeFileSync(join(dir, 'two.csv'), '1,2\n');
    const t = await runMain(['run', m, '--inputs', join(dir, 'two.csv'), '--threshold', '3']);
    expect([t.code, t.stderr]).toEqual([2, expect.stringContaining('has no score output')]);
    const f = await runMain(['run', m, '--inputs', join(dir, 'two.csv'), '--real']);
    expect([f.code, f.stderr]).toEqual([2, expect.stringContaining('--output-frac-bits')]);
    const o = await runMain(['run', m, '--inputs', join(dir, 'two.csv'), '-o', join(dir, 'x.txt')]);
    expect([o.code, o.stderr]).toEqual([2, expect.stringContaining('.csv or a .npy')]);
    const missing = await runMain(['run', m, '--inputs', join(dir, 'nope.csv')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('nope.csv: cannot read')]);
  });
});
