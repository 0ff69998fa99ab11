// npm run bench:sim [-- names…] : da-gen's simulators against Verilator, side by side, on the
// same vectors in the same run. For each design (latency 2): the Verilog is written to a
// temporary folder with a small C++ harness, Verilator builds it (-O3, the C++ at -O2), and the
// harness times its cycles: pack x into the port, eval at clk 0, unpack y (and the score),
// eval at clk 1. da-gen's WebAssembly simulator runs the same vectors through its typed
// stream (x in, y out as numbers, batch after batch); its JavaScript simulator (number mode,
// the fallback) and the BigInt-vector API of both are timed too. Every output of Verilator and
// of the WebAssembly simulator is compared from cycle L on (before it y shows the registers'
// power-up state, which the Verilog leaves open): a bench of wrong answers would be worthless.
// Then `da-gen run` on 10^6 events of axol1tl: events per second and peak memory (GNU time).
// Writes bench/sim-results.json and prints a Markdown table. Needs verilator and a C++ compiler.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, compileNetlist, compileNetlistWasm, parseSpec, Rng, testVectors, WASM_BATCH } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', 'shared');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const DESIGNS = [
  ['rand_i8_8x8', join(shared, 'bench', 'rand_i8_8x8.json')],
  ['rand_i8_16x16', join(shared, 'bench', 'rand_i8_16x16.json')],
  ['rand_i8_64x64', join(shared, 'bench', 'rand_i8_64x64.json')],
  ['axol1tl', join(here, '..', 'examples', 'axol1tl.json')],
  ['jet-tagger', join(here, '..', 'examples', 'jet-tagger.json')],
].filter(([name]) => only.length === 0 || only.includes(name));

/** C++ that sets `bits` bits of port `port` (width `total`) at `at` from int64 v. */
function packCode(port, total, w, count) {
  if (total <= 64) {
    const mask = w >= 64 ? '~0ull' : `((1ull << ${w}) - 1)`;
    return [`{ uint64_t p = 0; for (int i = 0; i < ${count}; i++) p |= ((uint64_t)xs[i] & ${mask}) << (i * ${w}); m.${port} = p; }`];
  }
  const words = Math.ceil(total / 32);
  return [
    `{ uint32_t wv[${words}] = {0};`,
    `  for (int i = 0; i < ${count}; i++) { uint64_t v = (uint64_t)xs[i] & ${w >= 64 ? '~0ull' : `((1ull << ${w}) - 1)`}; int at = i * ${w};`,
    '    for (int b = 0; b < ' + w + '; ) { int word = at >> 5, off = at & 31, take = 32 - off; if (take > ' + w + ' - b) take = ' + w + ' - b;',
    '      wv[word] |= (uint32_t)((v >> b) & ((1ull << take) - 1)) << off; b += take; at += take; } }',
    `  for (int k = 0; k < ${words}; k++) m.${port}[k] = wv[k]; }`,
  ];
}

/** C++ that reads `count` fields of `w` bits from port `port` (width `total`) into out[], sign-extended when signed. */
function unpackCode(port, total, w, count, signed, out) {
  const ext = (e) => (signed && w < 64 ? `((int64_t)((${e}) << ${64 - w}) >> ${64 - w})` : `(int64_t)(${e})`);
  const mask = w >= 64 ? '~0ull' : `((1ull << ${w}) - 1)`;
  if (total <= 64) return [`{ uint64_t p = m.${port}; for (int k = 0; k < ${count}; k++) ${out}[k] = ${ext(`(p >> (k * ${w})) & ${mask}`)}; }`];
  const words = Math.ceil(total / 32);
  return [
    `{ uint32_t wv[${words} + 2] = {0}; for (int k = 0; k < ${words}; k++) wv[k] = m.${port}[k];`,
    `  for (int k = 0; k < ${count}; k++) { int at = k * ${w}; uint64_t v = 0;`,
    `    for (int b = 0; b < ${w}; ) { int word = at >> 5, off = at & 31, take = 32 - off; if (take > ${w} - b) take = ${w} - b;`,
    '      v |= (uint64_t)((wv[word] >> off) & ((1ull << take) - 1)) << b; b += take; at += take; }',
    `    ${out}[k] = ${ext(`v & ${mask}`)}; } }`,
  ];
}

function harness(top, ports) {
  const { nIn, inputWidth, nOut, outputWidth, outputSigned, scoreWidth } = ports;
  const nAll = nOut + (scoreWidth !== null ? 1 : 0);
  return [
    `#include "V${top}.h"`,
    '#include <chrono>',
    '#include <cstdint>',
    '#include <cstdio>',
    '#include <cstdlib>',
    '#include <vector>',
    'int main(int argc, char** argv) {',
    '  FILE* f = fopen(argv[1], "rb"); int32_t N; if (fread(&N, 4, 1, f) != 1) return 2;',
    `  std::vector<int64_t> X((size_t)N * ${nIn}); if (fread(X.data(), 8, X.size(), f) != X.size()) return 2; fclose(f);`,
    `  std::vector<int64_t> Y((size_t)N * ${nAll});`,
    `  V${top} m;`,
    '  int R = argc > 3 ? atoi(argv[3]) : 1;',
    '  auto t0 = std::chrono::steady_clock::now();',
    '  for (int r = 0; r < R; r++)',
    '  for (int t = 0; t < N; t++) {',
    `    const int64_t* xs = &X[(size_t)t * ${nIn}];`,
    ...packCode('x', nIn * inputWidth, inputWidth, nIn).map((l) => `    ${l}`),
    '    m.clk = 0; m.eval();',
    `    int64_t* ys = &Y[(size_t)t * ${nAll}];`,
    ...unpackCode('y', nOut * outputWidth, outputWidth, nOut, outputSigned, 'ys').map((l) => `    ${l}`),
    ...(scoreWidth !== null ? unpackCode('score', scoreWidth, scoreWidth, 1, false, `(ys + ${nOut})`).map((l) => `    ${l}`) : []),
    '    m.clk = 1; m.eval();',
    '  }',
    '  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();',
    '  FILE* o = fopen(argv[2], "wb"); fwrite(Y.data(), 8, Y.size(), o); fclose(o);',
    '  printf("%.6f\\n", s);',
    '  return 0;',
    '}',
  ].join('\n');
}

/**
 * Every timing spans at least this long (passes over the vectors repeated): one pass of a small
 * design lasts milliseconds, and the best of a few such short windows favours it.
 */
const MIN_SECONDS = 1;

function best(n, f) {
  let t = Infinity;
  for (let k = 0; k < n; k++) t = Math.min(t, f());
  return t;
}

const rows = [];
for (const [name, file] of DESIGNS) {
  const spec = parseSpec(readFileSync(file, 'utf8'), file);
  const r = compile(spec, { latency: 2 });
  const ports = r.netlist.ports;
  const top = r.netlist.module;
  const nAll = ports.nOut + (ports.scoreWidth !== null ? 1 : 0);
  const N = 200000;
  process.stderr.write(`bench:sim: ${name} (${r.stats.adders} adders, ${N} vectors) …\n`);
  const vectors = testVectors(ports.nIn, spec.input, N, 7);
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-bench-sim-'));
  try {
    writeFileSync(join(dir, `${top}.v`), r.verilog);
    writeFileSync(join(dir, 'harness.cpp'), harness(top, ports));
    const buf = Buffer.alloc(4 + 8 * N * ports.nIn);
    buf.writeInt32LE(N, 0);
    for (let t = 0; t < N; t++) for (let i = 0; i < ports.nIn; i++) buf.writeBigInt64LE(vectors[t][i], 4 + 8 * (t * ports.nIn + i));
    writeFileSync(join(dir, 'x.bin'), buf);
    const tb = performance.now();
    execFileSync('verilator', ['--cc', `${top}.v`, '--top-module', top, '--exe', 'harness.cpp', '-O3', '--build', '-j', '2', '-Wno-fatal', '-Wno-lint', '-CFLAGS', '-O2'], { cwd: dir, stdio: 'pipe', maxBuffer: 1 << 26 });
    const buildS = (performance.now() - tb) / 1000;
    // one pass for the outputs; then passes repeated to fill at least MIN_SECONDS per timing
    const vlRun = (reps) => Number(execFileSync(join(dir, 'obj_dir', `V${top}`), [join(dir, 'x.bin'), join(dir, 'y.bin'), String(reps)], { encoding: 'utf8' }).trim());
    const vlReps = Math.max(1, Math.ceil(MIN_SECONDS / vlRun(1)));
    const vlS = best(3, () => vlRun(vlReps)) / vlReps;
    const vy = readFileSync(join(dir, 'y.bin'));

    // da-gen, WebAssembly, typed: the vectors as numbers, batch after batch
    const tw = performance.now();
    const wasm = compileNetlistWasm(r.netlist);
    const wasmCompileS = (performance.now() - tw) / 1000;
    const X = new Float64Array(N * ports.nIn);
    for (let t = 0; t < N; t++) for (let i = 0; i < ports.nIn; i++) X[t * ports.nIn + i] = Number(vectors[t][i]);
    let mismatches = 0;
    const runWasm = (check) => {
      const s = wasm.typedStream();
      const t0 = performance.now();
      for (let from = 0; from < N; from += WASM_BATCH) {
        const T = Math.min(WASM_BATCH, N - from);
        const out = s.runTyped(X.subarray(from * ports.nIn, (from + T) * ports.nIn), T);
        if (check) {
          // from cycle L on: before it, y shows the registers' power-up state, which the Verilog leaves open
          for (let t = from === 0 ? r.netlist.latency : 0; t < T; t++) {
            for (let k = 0; k < ports.nOut; k++) if (BigInt(out.y[t * ports.nOut + k]) !== vy.readBigInt64LE(8 * ((from + t) * nAll + k))) { if (mismatches++ < 5) process.stderr.write(`  cycle ${from + t} y${k}: da-gen ${out.y[t * ports.nOut + k]}, Verilator ${vy.readBigInt64LE(8 * ((from + t) * nAll + k))}\n`); }
            if (out.score && BigInt(out.score[t]) !== vy.readBigInt64LE(8 * ((from + t) * nAll + ports.nOut))) mismatches++;
          }
        }
      }
      return (performance.now() - t0) / 1000;
    };
    const wasmReps = Math.max(1, Math.ceil(MIN_SECONDS / runWasm(true)));
    const wasmS =
      best(3, () => {
        let t = 0;
        for (let k = 0; k < wasmReps; k++) t += runWasm(false);
        return t;
      }) / wasmReps;
    // the JavaScript simulator and the BigInt API, on a tenth of the vectors
    const few = vectors.slice(0, N / 10);
    const js = compileNetlist(r.netlist);
    const jsS = best(2, () => {
      const t0 = performance.now();
      js.run(few);
      return (performance.now() - t0) / 1000;
    }) * 10;
    const wasmBigS = best(2, () => {
      const t0 = performance.now();
      wasm.run(few);
      return (performance.now() - t0) / 1000;
    }) * 10;
    const row = {
      design: name,
      adders: r.stats.adders,
      signals: r.netlist.signals.length,
      vectors: N,
      verilator_vps: Math.round(N / vlS),
      wasm_vps: Math.round(N / wasmS),
      ratio: Number((vlS / wasmS).toFixed(2)),
      js_vps: Math.round(N / jsS),
      js_mode: js.mode,
      wasm_bigint_api_vps: Math.round(N / wasmBigS),
      mismatches,
      verilator_build_s: Number(buildS.toFixed(1)),
      wasm_compile_ms: Math.round(wasmCompileS * 1000),
    };
    rows.push(row);
    process.stderr.write(`  Verilator ${row.verilator_vps}/s, WebAssembly ${row.wasm_vps}/s (×${row.ratio}), JavaScript ${row.js_vps}/s; ${mismatches} mismatches\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// no cliff: a design's time per vector over rand_i8_8x8's, against its size over rand_i8_8x8's
// (size: the netlist's signals, what the simulator computes each cycle)
const ref = rows.find((x) => x.design === 'rand_i8_8x8');
for (const x of rows) {
  if (!ref) break;
  x.slowdown = Number((ref.wasm_vps / x.wasm_vps).toFixed(1));
  x.size_ratio = Number((x.signals / ref.signals).toFixed(1));
  x.verilator_slowdown = Number((ref.verilator_vps / x.verilator_vps).toFixed(1));
}
const lines = [
  '| design | adders | signals | Verilator vectors/s | da-gen WebAssembly vectors/s | WebAssembly / Verilator | da-gen JavaScript vectors/s | time per vector / rand_i8_8x8\'s: WebAssembly, Verilator | signals / rand_i8_8x8\'s | outputs compared |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((x) => `| ${x.design} | ${x.adders} | ${x.signals} | ${x.verilator_vps} | ${x.wasm_vps} | ${x.ratio} | ${x.js_vps} | ${x.slowdown ?? '—'}, ${x.verilator_slowdown ?? '—'} | ${x.size_ratio ?? '—'} | ${x.vectors}, ${x.mismatches === 0 ? 'all equal' : `${x.mismatches} differ`} |`),
];
console.log(lines.join('\n'));

// da-gen run on 10^6 events of axol1tl (a CSV of 10-bit codes, seeded): its events per second
// and its peak memory (GNU time's maximum resident set size), the whole command in its own process
let run = null;
if (only.length === 0 || only.includes('run')) {
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-bench-run-'));
  try {
    const events = 1_000_000;
    const data = join(dir, 'axol1tl-1m.csv');
    const rng = new Rng(12345);
    const parts = [];
    let text = '';
    for (let i = 0; i < events; i++) {
      const row = new Array(57);
      for (let k = 0; k < 57; k++) row[k] = rng.below(1024) - 512;
      text += row.join(',') + '\n';
      if (text.length > 1 << 22) {
        parts.push(text);
        text = '';
      }
    }
    parts.push(text);
    writeFileSync(data, parts.join(''));
    process.stderr.write(`bench:sim: da-gen run on ${events} events of axol1tl …\n`);
    const cli = join(here, '..', 'dist', 'bin.js');
    const args = [cli, 'run', join(here, '..', 'examples', 'axol1tl.json'), '--inputs', data, '--raw', '-o', join(dir, 'out.csv'), '--threshold', '1000', '-q'];
    const res = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb %M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const rss = /maxrss_kb (\d+)/.exec(res.stderr ?? '');
    const rate = /(\d+) events\/s/.exec(res.stdout ?? '');
    if (res.status !== 0 || !rate) throw new Error(`da-gen run failed: ${res.stderr}`);
    run = { design: 'axol1tl', events, csv_mb: Math.round(statSync(data).size / 1e6), events_per_s: Number(rate[1]), max_rss_mb: rss ? Math.round(Number(rss[1]) / 1024) : null };
    console.log(`\nda-gen run: ${events} events (${run.csv_mb} MB of CSV) of axol1tl in ${run.events_per_s} events/s, peak memory ${run.max_rss_mb ?? '?'} MB (the simulator alone: ${rows.find((x) => x.design === 'axol1tl')?.wasm_vps ?? '—'} vectors/s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
writeFileSync(join(here, 'sim-results.json'), JSON.stringify({ node: process.version, rows, run }, null, 1) + '\n');
if (rows.some((x) => x.mismatches > 0)) process.exitCode = 1;
