import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, listAll, runCli } from '../helpers/cli.js';
import { haveTool } from '../helpers/tools.js';
import { freshFolderPerTest } from '../helpers/temp.js';

/** `da-gen import` and a model given to the design commands, through the built command. */
const M = join(ROOT, 'test', 'fixtures', 'models');
let dir = '';
freshFolderPerTest('da-gen-import-cli-', (d) => (dir = d));

describe('da-gen import', () => {
  it('writes the layers file and the Markdown report, byte for byte the same on a second run', () => {
    const args = ['import', join(M, 'hgq_jet_classifier.h5'), '-o', 'net.json', '--report', 'import.md'];
    const r = runCli(args, dir);
    expect(r.status, r.stderr).toBe(0);
    expect(listAll(dir)).toEqual(['import.md', 'net.json']);
    const first = readFileSync(join(dir, 'net.json'), 'utf8');
    const doc = JSON.parse(first) as { format: number; layers: unknown[]; input: { width: number; signed: boolean } };
    expect(doc.format).toBe(1);
    expect(doc.input).toMatchObject({ width: 12, signed: true });
    const md = readFileSync(join(dir, 'import.md'), 'utf8');
    expect(md).toMatch(/\| 1 \| dense \| dense_1 \(Dense\) \+ dense_1_quantizer \(FixedPointQuantizer\) \| 16 → 64 \| fixed<10,5> \|/);
    expect(md).toMatch(/the model's input quantizer inp_q_quantizer/);
    expect(runCli(args, dir).status).toBe(0);
    expect(readFileSync(join(dir, 'net.json'), 'utf8')).toBe(first);
  });

  it('prints the layers file on stdout with -o -, and the report on stderr', () => {
    const r = runCli(['import', join(M, 'qkeras_3layer.json'), '-o', '-', '--input', 'fixed<16,6>', '--softmax', 'argmax'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).layers.at(-1)).toEqual({ kind: 'argmax' });
    expect(r.stderr).toMatch(/\[0\] dense 16 → 64 from fc1 \(QDense\) \+ relu1 \(QActivation\)/);
    expect(r.stderr).toMatch(/842 of 1024 weights nonzero/);
    expect(listAll(dir)).toEqual([]);
  });

  it('model options with a layers file are refused', () => {
    const r = runCli([join(ROOT, 'examples', 'encoder.json'), '-o', 'x.v', '--precision', 'fixed<16,6>'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--precision applies to model files/);
    expect(listAll(dir)).toEqual([]);
  });
});

describe('a model file in place of a layers file', () => {
  it('generate writes the Verilog and manifest; check passes through Yosys and Icarus', () => {
    const g = runCli([join(M, 'hgq_jet_classifier.h5'), '-o', 'hgq.v', '-q'], dir);
    expect(g.status, g.stderr).toBe(0);
    expect(listAll(dir)).toEqual(['hgq.json', 'hgq.v']);
    expect(readFileSync(join(dir, 'hgq.v'), 'utf8')).toMatch(/module hgq_jet_classifier/);
    const c = runCli(['check', join(M, 'hgq_jet_classifier.h5'), '-q', '-n', '300'], dir);
    expect(c.status, c.stdout + c.stderr).toBe(0);
    expect(c.stdout).toMatch(/PASS .*Yosys JSON netlist/);
    if (haveTool('iverilog', ['-V'])) expect(c.stdout).toMatch(/PASS .*Icarus/);
    else console.log('SKIPPED: the Icarus half of this check (iverilog is not installed)');
  });

  it('sim runs a model; build reads one the same way (a float model without --input stops before any tool runs)', () => {
    const s = runCli(['sim', join(M, 'hgq_jet_classifier.h5'), '-n', '200'], dir);
    expect(s.status, s.stderr).toBe(0);
    expect(listAll(dir)).toEqual([]);
    const b = runCli(['build', join(M, 'KERAS_3layer_ternary_small.json'), '--board', 'icebreaker', '-o', 'out', '--precision', 'fixed<16,6>'], dir);
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/--input/);
    expect(listAll(dir)).toEqual([]);
  });
});
