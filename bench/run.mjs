// npm run bench: compile every file in ../shared/bench, check each graph against W·x, and
// print a Markdown table (also written to bench/results.json). Sizes and times are measured
// here, never in the tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  .sort((a, b) => readFileSync(join(benchDir, a)).length - readFileSync(join(benchDir, b)).length);

const results = [];
for (const f of files) {
  process.stderr.write(`bench: ${f} …\n`);
  const out = execFileSync(process.execPath, [join(here, 'case.mjs'), join(benchDir, f), '2'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const r = JSON.parse(out);
  r.da4ml = peers[r.case] ?? null;
  results.push(r);
}

const fmtPeer = (p, dc) => (p && p[dc] ? `${p[dc].adders} (d${p[dc].depth}, ${p[dc].seconds} s)` : '—');
const lines = [
  '| case | shape | no-sharing adders | da-gen adders | saved | depth | register bits (L=2) | compile s | peak MB | da4ml dc=-1 | da4ml dc=0 | da4ml dc=2 | W·x check |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const r of results) {
  const saved = `${(100 * (1 - r.adders / r.naive_adders)).toFixed(1)}%`;
  lines.push(
    `| ${r.case} | ${r.shape} | ${r.naive_adders} | ${r.adders} | ${saved} | ${r.adder_depth} | ${r.register_bits} | ${r.seconds.toFixed(2)} | ${r.peak_rss_mb} | ${fmtPeer(r.da4ml, '-1')} | ${fmtPeer(r.da4ml, '0')} | ${fmtPeer(r.da4ml, '2')} | ${r.wrong_outputs === 0 ? `pass (${r.vectors_checked} vectors)` : `FAIL: ${r.wrong_outputs} wrong`} |`,
  );
}
console.log(lines.join('\n'));
writeFileSync(join(here, 'results.json'), JSON.stringify({ node: process.version, results }, null, 1) + '\n');
const failed = results.filter((r) => r.wrong_outputs !== 0);
if (failed.length > 0) {
  console.error(`bench: ${failed.length} case(s) computed wrong outputs`);
  process.exit(1);
}
