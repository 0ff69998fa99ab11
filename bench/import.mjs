// npm run bench:import: every model in ../shared/models imported by `da-gen import` (each in
// its own process: node's start, loading h5wasm or onnx-proto, reading, quantizing, the integer
// mapping and the layers text, written to a temporary folder), then compiled (latency 2) with
// the imported integer weights' nonzero count and the compiled adders. The import time must
// stay under 2 s per model. Prints a Markdown table and writes bench/import-results.json.
// With --check, each model also goes through `da-gen sim` and `da-gen check` (latency 2, 500 vectors).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const models = join(root, '..', 'shared', 'models');
const cli = join(root, 'dist', 'bin.js');
const FLOAT = ['--input', 'fixed<16,6>', '--precision', 'fixed<16,6>'];
const cases = [
  ['qkeras_3layer.json', ['--input', 'fixed<16,6>', '--softmax', 'drop']],
  ['qkeras-v3_3layer.keras', ['--input', 'fixed<16,6>', '--softmax', 'drop']],
  ['hgq_jet_classifier.h5', []],
  ['KERAS_3layer_ternary_small.json', FLOAT],
  ['KERAS_3layer_batch_norm.json', [...FLOAT, '--softmax', 'drop']],
  ['KERAS_conv1d_small.json', [...FLOAT, '--softmax', 'drop']],
  ['three_layer_keras.onnx', [...FLOAT, '--softmax', 'drop']],
  ['conv2d_small_keras.onnx', [...FLOAT, '--softmax', 'drop']],
  ['TFC_2W2A.onnx', ['--precision', 'fixed<16,6>']],
];
const CHECK = process.argv.includes('--check');
const tmp = mkdtempSync(join(tmpdir(), 'da-gen-import-'));
const rows = [];
try {
  for (const [file, args] of cases) {
    const out = join(tmp, `${file}.layers.json`);
    const times = [];
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [cli, 'import', join(models, file), '-o', out, '-q', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
      times.push((performance.now() - t0) / 1000);
    }
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const nonzero = doc.layers.reduce((s, l) => s + (l.weights ?? l.kernel ?? []).flat(4).filter((w) => Number(w) !== 0).length, 0);
    const manifest = join(tmp, `${file}.json`);
    execFileSync(process.execPath, [cli, out, '-o', join(tmp, `${file}.v`), '-q', '--latency', '2'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    let check = null;
    if (CHECK) {
      // da-gen check: the netlist simulator, the Yosys-JSON simulator and Icarus against the reference model
      const t0 = performance.now();
      // and da-gen sim: the netlist simulator against the reference model
      const runs = ['sim', 'check'].map((cmd) => spawnSync(process.execPath, [cli, cmd, join(models, file), '-q', '--latency', '2', '-n', '500', ...args], { encoding: 'utf8' }));
      const r = { status: Math.max(...runs.map((x) => x.status ?? 1)), stdout: runs.map((x) => x.stdout).join(''), stderr: runs.map((x) => x.stderr).join('') };
      const passes = (r.stdout.match(/^\s*PASS .*$/gm) ?? []).map((l) => l.replace(/\s+/g, ' '));
      check = { status: r.status, passes: passes.length, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
      process.stderr.write(`bench:import: ${file}: da-gen sim and check exit ${r.status}, ${passes.length} PASS lines (${check.seconds} s)\n${passes.map((l) => `  ${l}\n`).join('')}`);
      if (r.status !== 0) process.stderr.write(r.stdout + r.stderr);
    }
    const best = Math.min(...times);
    const row = { model: file, options: args.join(' '), import_s: Number(best.toFixed(2)), import_s_all: times.map((t) => Number(t.toFixed(2))), layers: doc.layers.length, nonzero_weights: nonzero, adders: m.adders ?? m.stats?.adders ?? null, ...(check ? { check } : {}) };
    rows.push(row);
    process.stderr.write(`bench:import: ${file}: ${row.import_s} s (of ${row.import_s_all.join(', ')}), ${row.nonzero_weights} nonzero weights, ${row.adders} adders\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const lines = ['| model | options | import (s, best of 3, whole command) | layers | nonzero integer weights | adders (latency 2) |', '|---|---|---|---|---|---|'];
for (const r of rows) lines.push(`| ${r.model} | ${r.options ? `\`${r.options}\`` : ''} | ${r.import_s.toFixed(2)} | ${r.layers} | ${r.nonzero_weights} | ${r.adders} |`);
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(join(here, 'import-results.json'), `${JSON.stringify({ date: new Date().toISOString().slice(0, 10), rows }, null, 2)}\n`);
const slow = rows.filter((r) => r.import_s >= 2);
const failed = rows.filter((r) => r.check && r.check.status !== 0);
if (failed.length > 0) {
  process.stderr.write(`bench:import: da-gen check failed: ${failed.map((r) => r.model).join(', ')}\n`);
  process.exitCode = 1;
}
if (slow.length > 0) {
  process.stderr.write(`bench:import: over 2 s: ${slow.map((r) => r.model).join(', ')}\n`);
  process.exitCode = 1;
}
