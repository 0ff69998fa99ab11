// npm run bench:layers: the layer-kind examples (examples/cicada.json, conv1d-tagger.json,
// ternary-tagger.json) and a convolution's compile time against its image size, with kernel
// modules and flat. Each compile
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

// A 3×3 kernel with "same" padding over images of growing size, built per position
// (--conv per-position): as kernel modules (the default: the kernel optimized and printed once,
// one instance per position) and flat (its adder graph applied at every position), each checked
// on 300 vectors. Two kernels: 1 → 4 channels and 4 → 8 channels.
const tmp = mkdtempSync(join(tmpdir(), 'da-gen-layers-'));
// weights from a fixed formula: no two taps alike
const kernelOf = (cin, cout, m) => Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => Array.from({ length: cin }, (_, c) => Array.from({ length: cout }, (_, o) => ((i * 23 + j * 11 + c * 17 + o * 7 + 5) % (2 * m + 1)) - m))));
const kernels = [
  { cin: 1, cout: 4, kernel: kernelOf(1, 4, 31) },
  { cin: 4, cout: 8, kernel: kernelOf(4, 8, 63) },
];
const scaling = [];
for (const k of kernels) {
  for (const side of [8, 16, 32]) {
    const file = join(tmp, `conv${k.cin}x${k.cout}_${side}.json`);
    writeFileSync(
      file,
      JSON.stringify({ format: 1, name: `conv${side}`, input: { width: 8, signed: false, shape: [side, side, k.cin] }, layers: [{ kind: 'conv2d', kernel: k.kernel, padding: 'same' }] }),
    );
    for (const form of ['modules', 'flat']) {
      process.stderr.write(`bench:layers: conv ${k.cin} → ${k.cout}, ${side}×${side}, ${form} … `);
      const r = JSON.parse(execFileSync(process.execPath, [join(here, 'layers-case.mjs'), file, 'per-position', '300', form], { encoding: 'utf8', maxBuffer: 1 << 26 }));
      process.stderr.write(`${r.adders} adders, ${r.seconds} s\n`);
      scaling.push({ kernel: `${k.cin} → ${k.cout}`, side, form, ...r });
    }
  }
}
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
lines.push(
  '',
  '| conv2d 3×3, same, per position | image | adders | compile s, kernel modules (optimize, netlist, emit ms) | Verilog KB | compile s, flat (optimize, netlist, emit ms) | Verilog KB | flat ÷ modules |',
  '|---|---|---:|---|---:|---|---:|---:|',
);
for (const m of scaling.filter((r) => r.form === 'modules')) {
  const f = scaling.find((r) => r.form === 'flat' && r.kernel === m.kernel && r.side === m.side);
  const t = (r) => `${r.seconds} (${r.ms.optimize}, ${r.ms.netlist}, ${r.ms.emit})`;
  lines.push(`| ${m.kernel} channels | ${m.side}×${m.side} | ${m.adders}${f.adders === m.adders ? '' : ` (flat ${f.adders})`} | ${t(m)} | ${m.verilog_kb} | ${t(f)} | ${f.verilog_kb} | ${(f.seconds / m.seconds).toFixed(1)} |`);
}
console.log(lines.join('\n'));
writeFileSync(join(here, 'layers-results.json'), JSON.stringify({ node: process.version, date: new Date().toISOString().slice(0, 10), examples, scaling }, null, 1) + '\n');
const failed = [...examples, ...scaling].filter((r) => r.wrong !== 0);
if (failed.length > 0) {
  console.error(`bench:layers: ${failed.length} designs disagree with the reference model`);
  process.exit(1);
}
