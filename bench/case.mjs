// One benchmark case in its own process, so that its time and peak memory are its own.
// Usage: node bench/case.mjs <weights.json> <dc>   → one JSON line on stdout
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compile, describeSpec, evaluateNetworkGraph, inputCount, matVec, parseSpec, testVectors } from '../dist/index.js';

const file = process.argv[2];
const dc = Number(process.argv[3] ?? 2);
const spec = parseSpec(readFileSync(file, 'utf8'), file);
const W = describeSpec(spec).baseline; // bench files are single matrices
const t0 = performance.now();
const r = compile(spec, { latency: 2, depthSlack: dc });
const seconds = (performance.now() - t0) / 1000;

// Correctness of the benchmarked graph: evaluate it against W·x on extreme and random vectors.
let wrong = 0;
const vecs = testVectors(inputCount(spec), spec.input, 64, 12345);
for (const x of vecs) {
  const got = evaluateNetworkGraph(r.graph, x);
  const want = matVec(W, x);
  for (let o = 0; o < want.length; o++) if (got[o] !== want[o]) wrong++;
}

const s = r.stats;
process.stdout.write(
  JSON.stringify({
    case: basename(file, '.json'),
    shape: `${W.length}x${W[0].length}`,
    dc,
    naive_adders: s.naiveAdders,
    adders: s.adders,
    adder_bits: s.adderBits,
    depth: s.depth,
    depth_bound: s.depthBound === Infinity ? null : s.depthBound,
    attempts: s.attempts.length,
    kept: s.attempt,
    seconds: Number(seconds.toFixed(3)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    vectors_checked: vecs.length,
    wrong_outputs: wrong,
  }) + '\n',
);
