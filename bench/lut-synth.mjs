// npm run bench:synth -- --lut : LUT-based distributed arithmetic against shift-add, measured by
// synthesis. Each case is compiled twice (latency 2), with --arith shift-add and with --arith
// auto (tables where the cost model expects fewer cells), and both are synthesized by the same
// WebAssembly Yosys for iCE40 (synth_ice40, no place and route); the figure is SB_LUT4 +
// SB_CARRY, and the ratio auto / shift-add; also for ECP5 (synth_ecp5: LUT4 + 2·CCU2C, a CCU2C
// taking a slice's two LUTs; --ice40-only leaves it out). The narrow cases are also compiled
// with --arith table, the table form the cost model likes best kept even where it loses, and
// synthesized when its Verilog is not auto's: what tables reach where auto keeps shift-add.
// Cases:
// - TFC_2W2A.onnx (../shared/models, imported with --precision fixed<16,6>);
// - random 16×16 matrices (seeded) over 1-bit (bipolar, unsigned, signed), 2- and 4-bit signed
//   and unsigned inputs,
//   with 2-, 4- and 8-bit weights;
// - an 8-bit input times one or two 16-bit constants, and two 8-bit inputs times one each, where
//   tables of 4-bit slices (KCM) are weighed;
// - the benchmark files of ../shared/bench up to 32×32 (inputs of 8 bits or more), where auto
//   must never cost more than shift-add.
// Writes bench/lut-results.json (a run of some cases, named as arguments, replaces their rows)
// and prints the whole Markdown table (--table: print it only). Slow: minutes; TFC_2W2A alone
// about half an hour.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, importModel, parseSpec, synthesizeTargets } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', 'shared');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ecp5 = !process.argv.includes('--ice40-only');
const tableOnly = process.argv.includes('--table');
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
  // a wide input times few wide constants, where tables of 4-bit slices (KCM) are weighed
  const kcm = (name, W) => parseSpec(JSON.stringify({ format: 1, name, input: { width: 8, signed: true }, weights: W }), `${name}.json`);
  out.push({ name: 'kcm_i8_w16_1x1', spec: kcm('kcm_i8_w16_1x1', [[27307]]), wide: true });
  out.push({ name: 'kcm_i8_w16_2x1', spec: kcm('kcm_i8_w16_2x1', [[27307], [-23405]]), wide: true });
  out.push({ name: 'kcm_i8_w16_1x2', spec: kcm('kcm_i8_w16_1x2', [[10344, 30739]]), wide: true });
  for (const f of ['rand_i8_8x8.json', 'rand_i8_16x16.json', 'sparse_i4_16x16.json', 'rand_i8_32x32.json']) {
    out.push({ name: f.replace('.json', ''), spec: parseSpec(readFileSync(join(shared, 'bench', f), 'utf8'), f), wide: true });
  }
  return out.filter((c) => only.length === 0 || only.some((o) => c.name.includes(o)));
}

async function cells(spec, arith, same = []) {
  const t0 = performance.now();
  const r = compile(spec, { latency: 2, arith, lutInputs: K });
  const ms = performance.now() - t0;
  const forms = r.manifest.layers ? r.manifest.layers.map((l) => l.strategy ?? '-').join(',') : r.netlist.signals.some((s) => s.kind === 'table') ? 'table' : 'shift-add';
  // the same Verilog as another form's: the same cells (synthesis is deterministic)
  const twin = same.find((s) => s.verilog === r.verilog);
  if (twin !== undefined) return { ...twin.counts, compile_s: Number((ms / 1000).toFixed(1)), forms, same_verilog: true, verilog: r.verilog, counts: twin.counts };
  const flow = await synthesizeTargets(r, { targets: ecp5 ? ['ice40-up5k', 'ecp5-25k'] : ['ice40-up5k'], noPnr: true, timeoutSeconds: 3600 });
  const of = (target) => {
    const d = flow.targets.find((t) => t.design === 'da-gen' && t.target === target);
    if (!d || !d.cells) throw new Error(`${spec.name} (${arith}, ${target}): synthesis failed: ${flow.failures.join('; ')}`);
    return d.cells;
  };
  const ice = of('ice40-up5k');
  const counts = { lut4: ice.SB_LUT4 ?? 0, carry: ice.SB_CARRY ?? 0, sum: (ice.SB_LUT4 ?? 0) + (ice.SB_CARRY ?? 0), adders: r.stats.adders, compile_s: Number((ms / 1000).toFixed(1)), forms };
  if (ecp5) {
    // ECP5: a CCU2C is two bits of carry chain and takes a slice's two LUT4s: LUT4 equivalents = LUT4 + 2·CCU2C
    const e = of('ecp5-25k');
    counts.ecp5 = { lut4: e.LUT4 ?? 0, ccu2c: e.CCU2C ?? 0, lut_eq: (e.LUT4 ?? 0) + 2 * (e.CCU2C ?? 0) };
  }
  return { ...counts, verilog: r.verilog, counts };
}

const rows = [];
for (const c of tableOnly ? [] : await cases()) {
  process.stderr.write(`bench:synth --lut: ${c.name} …\n`);
  const { verilog, counts, ...sa } = await cells(c.spec, 'shift-add');
  const { verilog: autoVerilog, counts: autoCounts, ...auto } = await cells(c.spec, 'auto', [{ verilog, counts }]);
  // narrow inputs: the best table form, forced (--arith table), to show what tables reach where auto keeps shift-add
  const forced = c.wide ? null : await cells(c.spec, 'table', [{ verilog: autoVerilog, counts: autoCounts }]);
  const table = forced === null ? undefined : (({ verilog: _v, counts: _c, ...t }) => t)(forced);
  const row = {
    case: c.name,
    input: c.spec.input,
    shift_add: sa,
    auto,
    ratio: Number((auto.sum / sa.sum).toFixed(3)),
    ...(ecp5 ? { ecp5_ratio: Number((auto.ecp5.lut_eq / sa.ecp5.lut_eq).toFixed(3)) } : {}),
    ...(table ? { table, table_ratio: Number((table.sum / sa.sum).toFixed(3)) } : {}),
    wide: !!c.wide,
  };
  rows.push(row);
  process.stderr.write(`  shift-add ${sa.sum} (${sa.lut4} + ${sa.carry}), auto ${auto.sum} (${auto.lut4} + ${auto.carry}) [${auto.forms}]: ${row.ratio}${ecp5 ? `; ECP5 LUT4 + 2·CCU2C ${sa.ecp5.lut_eq} → ${auto.ecp5.lut_eq}: ${row.ecp5_ratio}` : ''}\n`);
}
// a run of some cases (filters) replaces their rows in the file and keeps the others; the table
// printed is the whole file's (--table: print it without running anything)
const file = join(here, 'lut-results.json');
const before = existsSync(file) && (only.length > 0 || tableOnly) ? JSON.parse(readFileSync(file, 'utf8')).rows : [];
const all = [...before.map((r) => rows.find((x) => x.case === r.case) ?? r), ...rows.filter((x) => !before.some((r) => r.case === x.case))];
if (!tableOnly) writeFileSync(file, JSON.stringify({ node: process.version, lutInputs: K, rows: all }, null, 1) + '\n');
const fmt = (i) => (i.bipolar ? 'bipolar' : `${i.signed ? 's' : 'u'}${i.width}`);
const lines = [
  `| case | input | shift-add SB_LUT4 + SB_CARRY | auto SB_LUT4 + SB_CARRY | auto / shift-add | table (forced) / shift-add | ECP5 LUT4 + 2·CCU2C: shift-add → auto | ECP5 ratio | auto's forms per layer |`,
  '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ...all.map(
    (r) =>
      `| ${r.case} | ${fmt(r.input)} | ${r.shift_add.lut4} + ${r.shift_add.carry} = ${r.shift_add.sum} | ${r.auto.lut4} + ${r.auto.carry} = ${r.auto.sum} | ${r.ratio} | ${r.table_ratio ?? '—'} | ${r.ecp5_ratio !== undefined ? `${r.shift_add.ecp5.lut_eq} → ${r.auto.ecp5.lut_eq}` : '—'} | ${r.ecp5_ratio ?? '—'} | ${r.auto.forms} |`,
  ),
];
console.log(lines.join('\n'));
const worse = rows.filter((r) => r.wide && r.auto.sum > r.shift_add.sum);
if (worse.length > 0) {
  process.stderr.write(`bench:synth --lut: auto costs more than shift-add on ${worse.map((r) => r.case).join(', ')}\n`);
  process.exitCode = 1;
}
