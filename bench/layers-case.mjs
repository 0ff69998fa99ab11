// One design of bench/layers.mjs in its own process: compile at latency 2, check random vectors
// (2000 unless told) through the netlist simulator against the reference model, and print one
// JSON line. "flat" builds a per-position convolution without kernel modules (its adder graph
// applied at every position in the one module), for comparison.
// Usage: node bench/layers-case.mjs <design.json> [conv form: auto (default), per-position, toeplitz] [vectors] [flat]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseSpec, simulateSpec } from '../dist/index.js';

const file = process.argv[2];
const spec = parseSpec(readFileSync(file, 'utf8'), file);
const t0 = performance.now();
const conv = process.argv[3] ?? 'auto';
const vectors = Number(process.argv[4] ?? 2000);
const kernelModules = process.argv[5] !== 'flat';
const { compile: r, compare } = simulateSpec(spec, { latency: 2, vectors, conv, kernelModules });
const total = performance.now() - t0;
const ms = (v) => Math.round(v);
process.stdout.write(
  JSON.stringify({
    name: basename(file, '.json'),
    kinds: spec.layers.map((l) => l.kind).join(', '),
    adders: r.stats.adders,
    naive_adders: r.stats.naiveAdders,
    depth: r.stats.depth,
    layers: (r.manifest.layers ?? []).map((l) => ({ kind: l.kind, strategy: l.strategy, tried: l.tried, adders: l.adders })),
    seconds: Number(((r.ms.optimize + r.ms.netlist + r.ms.emit) / 1000).toFixed(3)),
    ms: { optimize: ms(r.ms.optimize), netlist: ms(r.ms.netlist), emit: ms(r.ms.emit) },
    check_seconds: Number((total / 1000).toFixed(3)),
    verilog_kb: Math.round(r.verilog.length / 1024),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    vectors: compare.vectors,
    wrong: compare.errors,
  }) + '\n',
);
