// npm run bench:synth -- --lut : LUT-based distributed arithmetic against shift-add, measured by
// synthesis. Each case is compiled twice (latency 2), with --arith shift-add and with --arith
// auto (tables where the cost model expects fewer cells), and both are synthesized by the same
// WebAssembly Yosys for iCE40 (synth_ice40, no place and route); the figure is SB_LUT4 +
// SB_CARRY, and the ratio auto / shift-add. Cases:
// - TFC_2W2A.onnx (../shared/models, imported with --precision fixed<16,6>);
// - random 16×16 matrices (seeded) over 1-bit (bipolar, unsigned, signed), 2- and 4-bit signed
//   and unsigned inputs,
//   with 2-, 4- and 8-bit weights;
// - the benchmark files of ../shared/bench up to 32×32 (inputs of 8 bits or more), where auto
//   must never cost more than shift-add.
// Writes bench/lut-results.json and prints a Markdown table. Slow: minutes.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, importModel, parseSpec, synthesizeTargets } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', 'shared');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const K = Number((process.argv.find((a) => a.startsWith('--lut-inputs=')) ?? '--lut-inputs=4').split('=')[1]);

/** A seeded 32-bit generator (xorshift), so the random cases are the same on every run. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomCase(name, input, weightBits, seed) {
  const r = rng(seed);
  const half = 2 ** (weightBits - 1);
  const weights = Array.from({ length: 16 }, () => Array.from({ length: 16 }, () => (r() % 2 ** weightBits) - half));
  return parseSpec(JSON.stringify({ format: 1, name, input, weights }), `${name}.json`);
}

async function cases() {
  const out = [];
  const tfc = await importModel(join(shared, 'models', 'TFC_2W2A.onnx'), { precision: ['fixed<16,6>'] });
  out.push({ name: 'TFC_2W2A.onnx', spec: tfc.spec });
  let seed = 11;
  for (const [label, input] of [
    ['bipolar', { width: 1, bipolar: true }],
    ['u2', { width: 2, signed: false }],
    ['s2', { width: 2, signed: true }],
    ['u4', { width: 4, signed: false }],
    ['s4', { width: 4, signed: true }],
    ['u1', { width: 1, signed: false }],
    ['s1', { width: 1, signed: true }],
  ]) {
    for (const wb of [2, 4, 8]) out.push({ name: `rand_${label}_w${wb}_16x16`, spec: randomCase(`rand_${label}_w${wb}`, input, wb, seed++) });
  }
  for (const f of ['rand_i8_8x8.json', 'rand_i8_16x16.json', 'sparse_i4_16x16.json', 'rand_i8_32x32.json']) {
    out.push({ name: f.replace('.json', ''), spec: parseSpec(readFileSync(join(shared, 'bench', f), 'utf8'), f), wide: true });
  }
  return out.filter((c) => only.length === 0 || only.some((o) => c.name.includes(o)));
}

async function cells(spec, arith) {
  const t0 = performance.now();
  const r = compile(spec, { latency: 2, arith, lutInputs: K });
  const ms = performance.now() - t0;
  const flow = await synthesizeTargets(r, { targets: ['ice40-up5k'], noPnr: true, timeoutSeconds: 3600 });
  const d = flow.targets.find((t) => t.design === 'da-gen');
  if (!d || !d.cells) throw new Error(`${spec.name} (${arith}): synthesis failed: ${flow.failures.join('; ')}`);
  const forms = r.manifest.layers ? r.manifest.layers.map((l) => l.strategy ?? '-').join(',') : r.netlist.signals.some((s) => s.kind === 'table') ? 'table' : 'shift-add';
  return { lut4: d.cells.SB_LUT4 ?? 0, carry: d.cells.SB_CARRY ?? 0, sum: (d.cells.SB_LUT4 ?? 0) + (d.cells.SB_CARRY ?? 0), adders: r.stats.adders, compile_s: Number((ms / 1000).toFixed(1)), forms };
}

const rows = [];
for (const c of await cases()) {
  process.stderr.write(`bench:synth --lut: ${c.name} …\n`);
  const sa = await cells(c.spec, 'shift-add');
  const auto = await cells(c.spec, 'auto');
  const row = { case: c.name, input: c.spec.input, shift_add: sa, auto, ratio: Number((auto.sum / sa.sum).toFixed(3)), wide: !!c.wide };
  rows.push(row);
  process.stderr.write(`  shift-add ${sa.sum} (${sa.lut4} + ${sa.carry}), auto ${auto.sum} (${auto.lut4} + ${auto.carry}) [${auto.forms}]: ${row.ratio}\n`);
}
const fmt = (i) => (i.bipolar ? 'bipolar' : `${i.signed ? 's' : 'u'}${i.width}`);
const lines = [
  `| case | input | shift-add SB_LUT4 + SB_CARRY | auto SB_LUT4 + SB_CARRY | auto / shift-add | auto's forms per layer |`,
  '|---|---|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.case} | ${fmt(r.input)} | ${r.shift_add.lut4} + ${r.shift_add.carry} = ${r.shift_add.sum} | ${r.auto.lut4} + ${r.auto.carry} = ${r.auto.sum} | ${r.ratio} | ${r.auto.forms} |`),
];
console.log(lines.join('\n'));
writeFileSync(join(here, 'lut-results.json'), JSON.stringify({ node: process.version, lutInputs: K, rows }, null, 1) + '\n');
const worse = rows.filter((r) => r.wide && r.auto.sum > r.shift_add.sum);
if (worse.length > 0) {
  process.stderr.write(`bench:synth --lut: auto costs more than shift-add on ${worse.map((r) => r.case).join(', ')}\n`);
  process.exitCode = 1;
}
