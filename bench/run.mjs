// npm run bench: compile every file in ../shared/bench at dc = -1, 0 and 2, each in its own
// process, check each graph against W·x, compare with da4ml's recorded figures, print a
// Markdown table and write bench/results.json. Sizes and times are measured here, never in
// the tests. Arguments filter the files by name (e.g. `npm run bench -- 64x64`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, '..', '..', 'shared', 'bench');
if (!existsSync(benchDir)) {
  console.error(`bench: ${benchDir} not found (the benchmark inputs live in ../shared/bench beside the checkout)`);
  process.exit(2);
}
const only = process.argv.slice(2);
const peers = JSON.parse(readFileSync(join(benchDir, 'peers', 'da4ml.json'), 'utf8')).cases;
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.json'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort((a, b) => statSync(join(benchDir, a)).size - statSync(join(benchDir, b)).size);

const results = [];
for (const f of files) {
  for (const dc of [-1, 0, 2]) {
    process.stderr.write(`bench: ${f} dc=${dc} … `);
    const out = execFileSync(process.execPath, [join(here, 'case.mjs'), join(benchDir, f), String(dc)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const r = JSON.parse(out);
    const p = peers[r.case]?.[String(dc)] ?? null;
    r.da4ml = p;
    r.ratio = p ? Number((r.adders / p.adders).toFixed(4)) : null;
    results.push(r);
    process.stderr.write(`${r.adders} adders, ${r.seconds} s\n`);
  }
}

const lines = [
  '| case | dc | no-sharing | da-gen adders | adder bits | depth (bound) | compile s | peak MB | da4ml adders (depth, s) | ratio | W·x check |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const r of results) {
  const p = r.da4ml;
  lines.push(
    `| ${r.case} | ${r.dc} | ${r.naive_adders} | ${r.adders} | ${r.adder_bits} | ${r.depth} (${r.depth_bound ?? '∞'}) | ${r.seconds.toFixed(2)} | ${r.peak_rss_mb} | ` +
      `${p ? `${p.adders} (${p.depth}, ${p.seconds})` : '—'} | ${r.ratio ?? '—'} | ${r.wrong_outputs === 0 ? 'pass' : `FAIL: ${r.wrong_outputs} wrong`} |`,
  );
}
const ratios = results.filter((r) => r.ratio !== null).map((r) => r.ratio);
const geomean = Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length);
const worst = Math.max(...ratios);
const overBound = results.filter((r) => r.depth_bound !== null && r.depth > r.depth_bound);
lines.push('');
lines.push(`Against da4ml: ${ratios.length} cases, geometric mean of adder ratios ${geomean.toFixed(4)}, worst ${worst.toFixed(4)}; depth over its bound: ${overBound.length} cases.`);
console.log(lines.join('\n'));
writeFileSync(
  join(here, 'results.json'),
  JSON.stringify({ node: process.version, date: new Date().toISOString().slice(0, 10), geomean_ratio: Number(geomean.toFixed(4)), worst_ratio: worst, results }, null, 1) + '\n',
);
const failed = results.filter((r) => r.wrong_outputs !== 0);
if (failed.length > 0 || overBound.length > 0) {
  console.error(`bench: ${failed.length} case(s) computed wrong outputs, ${overBound.length} exceeded the depth bound`);
  process.exit(1);
}
