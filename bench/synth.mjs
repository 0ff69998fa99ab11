// npm run bench:synth [-- files…] : synthesize da-gen's design and the hand-written W*x baseline
// of benchmark files for iCE40 (synth_ice40) and report SB_LUT4 counts and their ratio. Slow
// (the baseline's multipliers take minutes in WebAssembly Yosys): a benchmark, not a test.
// npm run bench:synth -- --lut [cases…] [--lut-inputs=K]: tables against shift-add (bench/lut-synth.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, describeSpec, parseSpec, synthesizeTargets } from '../dist/index.js';

if (process.argv.includes('--lut')) await import('./lut-synth.mjs');
else await baselineBench();

async function baselineBench() {
  const here = dirname(fileURLToPath(import.meta.url));
  const benchDir = join(here, '..', '..', 'shared', 'bench');
  const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['rand_i8_8x8.json', 'rand_i8_16x16.json'];
  const rows = [];
  for (const f of files) {
    const spec = parseSpec(readFileSync(join(benchDir, f), 'utf8'), f);
    const r = compile(spec, { latency: 2 });
    process.stderr.write(`bench:synth: ${f} …\n`);
    const flow = await synthesizeTargets(r, { targets: ['ice40-up5k'], baseline: describeSpec(spec).baseline, noPnr: true });
    const d = flow.targets.find((t) => t.design === 'da-gen');
    const b = flow.targets.find((t) => t.design === 'baseline');
    rows.push({ case: f.replace('.json', ''), adders: r.stats.adders, adder_bits: r.stats.adderBits, dagen: d.cells, baseline: b.cells, lut_ratio: Number((d.luts / b.luts).toFixed(3)) });
  }
  const lines = ['| case | adders | adder bits | da-gen SB_LUT4 | SB_CARRY | SB_DFF | baseline SB_LUT4 | SB_CARRY | SB_DFF | LUT ratio |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  const ff = (c) => Object.entries(c).filter(([k]) => k.startsWith('SB_DFF')).reduce((s, [, v]) => s + v, 0);
  for (const x of rows) {
    lines.push(`| ${x.case} | ${x.adders} | ${x.adder_bits} | ${x.dagen.SB_LUT4} | ${x.dagen.SB_CARRY ?? 0} | ${ff(x.dagen)} | ${x.baseline.SB_LUT4} | ${x.baseline.SB_CARRY ?? 0} | ${ff(x.baseline)} | ${x.lut_ratio} |`);
  }
  console.log(lines.join('\n'));
  // a run of some files replaces their rows and keeps the others
  const out = join(here, 'synth-results.json');
  let kept = [];
  try {
    kept = JSON.parse(readFileSync(out, 'utf8')).rows.filter((x) => !rows.some((y) => y.case === x.case));
  } catch {
    kept = [];
  }
  writeFileSync(out, JSON.stringify({ node: process.version, rows: [...kept, ...rows] }, null, 1) + '\n');
}
