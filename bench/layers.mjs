// npm run bench:layers: the layer-kind examples (examples/cicada.json, conv1d-tagger.json,
// ternary-tagger.json) and a convolution's compile time against its image size. Each compile
// runs in its own process (bench/layers-case.mjs), so that its time and memory are its own;
// each design is checked against the reference model on random vectors by the netlist
// simulator. Prints Markdown tables and writes bench/layers-results.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const run = (file, conv = 'auto') => JSON.parse(execFileSync(process.execPath, [join(here, 'layers-case.mjs'), file, conv], { encoding: 'utf8', maxBuffer: 1 << 26 }));

const examples = ['cicada', 'conv1d-tagger', 'ternary-tagger'].map((n) => {
  process.stderr.write(`bench:layers: ${n} … `);
  const r = run(join(root, 'examples', `${n}.json`));
  process.stderr.write(`${r.adders} adders, ${r.seconds} s\n`);
  return r;
});

// One 3×3 kernel, 1 → 4 channels, stride 1, "same" padding, over images of growing size, built
// per position (--conv per-position): the kernel is optimized once whatever the image.
const tmp = mkdtempSync(join(tmpdir(), 'da-gen-layers-'));
// weights from a fixed formula: every value in −31 … 31 appears, no two taps alike
const kernel = Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => [Array.from({ length: 4 }, (_, o) => ((i * 23 + j * 11 + o * 7 + 5) % 63) - 31)]));
const scaling = [8, 16, 32].map((side) => {
  const file = join(tmp, `conv${side}.json`);
  writeFileSync(
    file,
    JSON.stringify({ format: 1, name: `conv${side}`, input: { width: 8, signed: false, shape: [side, side, 1] }, layers: [{ kind: 'conv2d', kernel, padding: 'same' }] }),
  );
  process.stderr.write(`bench:layers: conv ${side}×${side} … `);
  const r = run(file, 'per-position');
  process.stderr.write(`${r.adders} adders, ${r.seconds} s\n`);
  return { side, ...r };
});
rmSync(tmp, { recursive: true, force: true });

const lines = [
  '| example | layers | adders (no sharing) | conv strategy (adders per strategy tried) | depth | compile s (optimize, netlist, emit) | Verilog KB | check |',
  '|---|---|---:|---|---:|---|---:|---|',
];
for (const r of examples) {
  const conv = r.layers.filter((l) => l.tried.length > 0).map((l) => `${l.kind}: ${l.strategy} (${l.tried.map((t) => `${t.strategy} ${t.adders}`).join(', ')})`);
  lines.push(
    `| ${r.name} | ${r.kinds} | ${r.adders} (${r.naive_adders}) | ${conv.join('; ') || '—'} | ${r.depth} | ${r.seconds} (${r.ms.optimize}, ${r.ms.netlist}, ${r.ms.emit}) | ${r.verilog_kb} | ${r.wrong === 0 ? `pass, ${r.vectors} vectors` : `FAIL: ${r.wrong} wrong`} |`,
  );
}
lines.push('', '| conv2d 3×3, 1 → 4, same, per position | positions | adders | strategy | compile s | optimize ms | netlist ms | emit ms | Verilog KB |', '|---|---:|---:|---|---:|---:|---:|---:|---:|');
for (const r of scaling) {
  const l = r.layers[0];
  lines.push(`| ${r.side}×${r.side} | ${r.side * r.side} | ${r.adders} | ${l.strategy} | ${r.seconds} | ${r.ms.optimize} | ${r.ms.netlist} | ${r.ms.emit} | ${r.verilog_kb} |`);
}
console.log(lines.join('\n'));
writeFileSync(join(here, 'layers-results.json'), JSON.stringify({ node: process.version, date: new Date().toISOString().slice(0, 10), examples, scaling }, null, 1) + '\n');
const failed = [...examples, ...scaling].filter((r) => r.wrong !== 0);
if (failed.length > 0) {
  console.error(`bench:layers: ${failed.length} designs disagree with the reference model`);
  process.exit(1);
}
