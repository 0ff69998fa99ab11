// npm run bench:estimate [-- names…] [--resynth] [--targets=ice40-up5k,ecp5-25k,generic]
//
// The calibration table of the cell estimates (src/platform/estimate): each design of
// ../shared/bench up to 32×32 and each examples/*.json is compiled as the CLI does (latency 2),
// synthesized with WebAssembly Yosys for each target (synth_ice40; synth_ecp5 -nodsp; synth with
// abc -lut 4), and its estimate printed beside the counts. The synthesized counts are kept in
// bench/estimate-results.json with a hash of the Verilog they came from, and a run synthesizes
// only what is missing or whose Verilog changed (--resynth: everything asked for). Slow the first
// time (the large examples take minutes each in WebAssembly Yosys): a benchmark, not a test.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, estimateCells, parseSpec } from '../dist/index.js';
import { checkTargets, familyOf } from '../dist/platform/index.js';
import { synthesize } from '../dist/platform/yosys.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const benchDir = join(root, '..', 'shared', 'bench');
const DESIGNS = [
  ...['rand_i8_8x8', 'rand_i8_16x16', 'rand_i8_32x32', 'sparse_i4_16x16', 'dense_i6_16to64', 'mcm_i12_32x1'].map((n) => [n, join(benchDir, `${n}.json`)]),
  ...['encoder', 'ternary-tagger', 'axol1tl', 'jet-tagger', 'cicada', 'conv1d-tagger'].map((n) => [n, join(root, 'examples', `${n}.json`)]),
];
/** One target per family: LUTs, carries (the 10% promise is iCE40's) and flip-flops are compared, as each family counts them (its `resources`). */
const TARGETS = ['ice40-up5k', 'ecp5-25k', 'generic'];
const args = process.argv.slice(2);
const resynth = args.includes('--resynth');
const targetArg = args.find((a) => a.startsWith('--targets='));
const targetNames = targetArg ? targetArg.slice('--targets='.length).split(',') : TARGETS;
const names = args.filter((a) => !a.startsWith('--'));
const chosen = names.length > 0 ? DESIGNS.filter(([n]) => names.includes(n)) : DESIGNS;
if (names.some((n) => !DESIGNS.some(([d]) => d === n))) throw new Error(`bench:estimate: unknown design; known: ${DESIGNS.map(([n]) => n).join(', ')}`);

const out = join(here, 'estimate-results.json');
let stored = { rows: [] };
try {
  stored = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  stored = { rows: [] };
}
const save = () => writeFileSync(out, JSON.stringify({ node: process.version, rows: stored.rows }, null, 1) + '\n');

const table = [];
for (const [name, file] of chosen) {
  const spec = parseSpec(readFileSync(file, 'utf8'), file);
  const r = compile(spec, { latency: 2 });
  const hash = createHash('sha256').update(r.verilog).digest('hex').slice(0, 16);
  const t1 = performance.now();
  const est = estimateCells(r.netlist);
  const estMs = performance.now() - t1;
  for (const tn of targetNames) {
    const [target] = checkTargets([tn]);
    const family = familyOf(target);
    let row = stored.rows.find((x) => x.design === name && x.target === tn);
    if (resynth || !row || row.verilog_sha256 !== hash) {
      process.stderr.write(`bench:estimate: ${name}, ${tn} (${r.stats.adders} adders) …`);
      const s = await synthesize(r.verilog, r.netlist.module, target, { timeoutSeconds: 3600 });
      process.stderr.write(` ${s.seconds.toFixed(0)} s\n`);
      row = { design: name, target: tn, verilog_sha256: hash, synth_s: Number(s.seconds.toFixed(1)), cells: s.cells };
      stored.rows = [...stored.rows.filter((x) => !(x.design === name && x.target === tn)), row];
      save();
    }
    // the estimate and Yosys's counts, each read by the family's own `resources`
    const e = family.resources(est[family.name]);
    const m = family.resources(row.cells);
    table.push({ name, tn, lut: [e.luts, m.luts], carry: [e.carries, m.carries], ff: [e.ffs, m.ffs], estMs });
  }
}
const dev = (e, m) => (m === 0 ? (e === 0 ? '0%' : '∞') : `${(((e - m) / m) * 100).toFixed(1)}%`);
const cell = (pair) => (pair === undefined || pair[0] === null ? '—' : `${pair[0]} / ${pair[1]} (${dev(pair[0], pair[1])})`);
const byDesign = new Map();
for (const x of table) {
  if (!byDesign.has(x.name)) byDesign.set(x.name, {});
  byDesign.get(x.name)[x.tn] = x;
}
const lines = [
  '| design | iCE40 SB_LUT4 | SB_CARRY | SB_DFF | ECP5 LUT4 | CCU2C | TRELLIS_FF | generic $lut | $_DFF_P_ |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const [name, t] of byDesign) {
  const i = t['ice40-up5k'];
  const e = t['ecp5-25k'];
  const g = t.generic;
  lines.push(`| ${name} | ${cell(i?.lut)} | ${cell(i?.carry)} | ${cell(i?.ff)} | ${cell(e?.lut)} | ${cell(e?.carry)} | ${cell(e?.ff)} | ${cell(g?.lut)} | ${cell(g?.ff)} |`);
}
console.log('estimate / Yosys (error)\n');
console.log(lines.join('\n'));
const worst = (tn, pick) => {
  const xs = table.filter((x) => x.tn === tn && pick(x)[0] !== null && pick(x)[1] > 0).map((x) => Math.abs(pick(x)[0] - pick(x)[1]) / pick(x)[1]);
  return xs.length === 0 ? '—' : `${(Math.max(...xs) * 100).toFixed(1)}%`;
};
console.log(`\nworst error: iCE40 SB_LUT4 ${worst('ice40-up5k', (x) => x.lut)}, SB_CARRY ${worst('ice40-up5k', (x) => x.carry)}, SB_DFF ${worst('ice40-up5k', (x) => x.ff)}; ECP5 LUT4 ${worst('ecp5-25k', (x) => x.lut)}, CCU2C ${worst('ecp5-25k', (x) => x.carry)}; generic $lut ${worst('generic', (x) => x.lut)}`);
console.log(`estimateCells took ${Math.max(...table.map((x) => x.estMs)).toFixed(0)} ms at most (the netlist given)`);
