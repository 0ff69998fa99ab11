// node bench/long-rows.mjs [weights.json …]
//
// One long dot product: a 1×4096 and a 1×16384 matrix of uniformly random 16-bit signed weights
// (made here from a fixed seed, so every run compiles the same rows), plus any weights files
// given as arguments. Each is compiled through the library (dist/index.js, `compile` with the
// default options, as `da-gen row.json -o row.v` does) in a child process of its own, which
// measures the compile's wall time and its peak resident memory, then runs 200 vectors through
// the netlist simulator against W·x. Prints a table; exit code 1 when a row takes a minute or
// more, 2 GB or more, or computes a wrong output.
//
// The rows are built with matrixSpec, not read from a file: the file format accepts at most
// MAX_DIMENSION columns.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const LENGTHS = [4096, 16384];
const WIDTH = 16;
const SEED = 20261;
const VECTORS = 200;
const LIMIT_S = 60;
const LIMIT_MB = 2048;

/** `n` weights uniform in [−2^(WIDTH−1), 2^(WIDTH−1)), from a 32-bit xorshift generator. */
function randomRow(n, seed) {
  let s = seed >>> 0 || 1;
  const row = [];
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    row.push(BigInt((s % 2 ** WIDTH) - 2 ** (WIDTH - 1)));
  }
  return row;
}

/** In the child: compile one case, check it, print one JSON line. */
async function child(which) {
  const lib = await import(join(here, '..', 'dist', 'index.js'));
  let spec;
  if (which.endsWith('.json')) {
    // a file with "weights" (read here, not by parseSpec, so that it may be wider than the format allows)
    const doc = JSON.parse(readFileSync(which, 'utf8'));
    spec = lib.matrixSpec(doc.name ?? 'row', doc.input, doc.weights.map((r) => r.map((w) => BigInt(w))));
  } else {
    const n = Number(which);
    spec = lib.matrixSpec(`row_${n}`, { width: WIDTH, signed: true }, [randomRow(n, SEED + n)]);
  }
  const t0 = performance.now();
  const r = lib.compile(spec);
  const seconds = (performance.now() - t0) / 1000;
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const nIn = lib.inputCount(spec);
  const vecs = lib.testVectors(nIn, spec.input, VECTORS, 7);
  const ys = lib.compileNetlist(r.netlist).run(lib.withFlush(vecs, nIn, r.netlist.latency));
  const cmp = lib.compareWithReference(lib.referenceOf(spec), vecs, ys, r.netlist.latency);
  const s = r.stats;
  process.stdout.write(
    JSON.stringify({
      case: which.endsWith('.json') ? basename(which) : `random ${WIDTH}-bit`,
      shape: `${spec.layers[0].weights.length}×${nIn}`,
      naive: s.naiveAdders,
      adders: s.adders,
      depth: s.depth,
      bound: s.depthBound === Infinity ? null : s.depthBound,
      pairs: Math.max(0, ...s.phases.map((p) => p.pairs)),
      attempt: s.attempt,
      seconds: Number(seconds.toFixed(2)),
      peakMb,
      vectors: cmp.vectors,
      wrong: cmp.errors,
    }) + '\n',
  );
}

function parent() {
  const cases = [...LENGTHS.map(String), ...process.argv.slice(2)];
  const results = [];
  for (const c of cases) {
    process.stderr.write(`long-rows: ${c} … `);
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', c], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const r = JSON.parse(out);
    results.push(r);
    process.stderr.write(`${r.adders} adders, ${r.seconds} s, ${r.peakMb} MB\n`);
  }
  const lines = [
    '| case | shape | no-sharing | adders | depth (bound) | most term pairs in a phase | compile s | peak MB | W·x check |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const check = r.wrong === 0 ? `pass (${r.vectors} vectors)` : `FAIL: ${r.wrong} wrong`;
    lines.push(`| ${r.case} | ${r.shape} | ${r.naive} | ${r.adders} | ${r.depth} (${r.bound ?? '∞'}) | ${r.pairs} | ${r.seconds.toFixed(1)} | ${r.peakMb} | ${check} |`);
  }
  console.log(lines.join('\n'));
  const bad = results.filter((r) => r.wrong !== 0 || r.seconds >= LIMIT_S || r.peakMb >= LIMIT_MB);
  for (const r of bad) console.log(`over the limits (${LIMIT_S} s, ${LIMIT_MB} MB, no wrong output): ${r.case}`);
  process.exitCode = bad.length === 0 ? 0 : 1;
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else parent();
