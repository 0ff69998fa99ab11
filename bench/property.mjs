// The property test, nightly size: `npm run property` (builds dist/, then runs this), or
//
//   node bench/property.mjs [--designs N] [--seed S] [--yosys-every K] [--jobs J] [--out DIR]
//                           [--timeout SECONDS] [--vectors V] [--first I] [--wide-columns]
//                           [--kind K]
//
// It draws N random designs (default 100000) from the seed S (default 1) with
// bench/property-gen.mjs: single matrices of every shape (1×k rows, k×1 columns, tall, wide,
// squares up to 32×32), input widths from the library's minimum to 16 bits (now and then up to
// its maximum), signed and unsigned inputs, weight patterns (random, sparse, powers of two,
// extremes such as ±2^(w−1) and 2^64 − 1, non-negative, repeated and negated rows, all zero,
// ternary), every latency 0..MAX_LATENCY, depth slacks, both cost models and efforts, small
// networks of 1–4 dense layers with bias, relu, shifts (now and then one per output), every
// rounding (floor, nearest, nearest_even), output widths (now and then one per output, some
// pruned to 0) with wrap, saturate or saturate_symmetric, and scores; and (30% of the designs)
// networks mixing every layer kind: conv1d and conv2d (kernels of 1–3 taps per axis, strides
// 1–3, dilation 1–2, "valid" and "same" padding, 1–3 channels), max and average pools (1d, 2d,
// with padding), batchnorm (foldable into the layer before it, or not), flatten, dense, lookup
// tables ("values" and "function"), argmax, every activation (relu, leaky_relu, hard_tanh,
// sign), every rounding and overflow, shifts and output formats per channel, bipolar inputs and
// input shapes [n], [L, C] and [H, W, C] of at most 64 values. `--kind K` draws only designs of kind K (one of
// KINDS in bench/property-gen.mjs, e.g. `--kind layers`): design I is then the one of index I
// drawn with that kind.
// Each design's file text goes through the real parser (parseSpec) and `compile`; V vectors
// (default 40: the extremes, then random ones) run through the netlist simulator, and every
// output is compared with the independent reference model. Every K-th design (default 1000)
// also goes through Yosys (WebAssembly, about a second each) and the Yosys-JSON simulator.
// The designs run in J worker threads (default: one per core); a design that takes longer than
// --timeout seconds (default 60; Yosys gets two minutes more) counts as a failure.
//
// On a failure it prints the seed, the index, what failed and a command that repeats it, and
// writes the design's input file to DIR (default $TMPDIR/da-gen-property), with that command in
// its "comment". It never stops at the first failure; it exits 1 if any design failed, 2 on a
// bad option. The last line sums up: designs, Yosys-sampled designs, failures, wall time and
// designs per second. `--first I --designs 1` repeats design I alone.
//
// One-column matrices and layers (N×1) get weights of at most COLUMN_WEIGHT_BITS (16) bits
// unless --wide-columns is given: wider ones cost the MCM search seconds each (see
// bench/property-gen.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkDesign, failureOf, KINDS, randomDesign, yosysSampled } from './property-gen.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const lib = await import(join(here, '..', 'dist', 'index.js'));

if (isMainThread) await main();
else worker();

/** A worker: checks the designs it is sent, one at a time, and answers each. */
function worker() {
  const o = workerData;
  parentPort.on('message', async (index) => {
    const d = randomDesign(lib, o.seed, index, o.draw);
    const t = performance.now();
    const r = await checkDesign(lib, o.seed, d, { yosys: yosysSampled(index, o.yosysEvery) });
    parentPort.postMessage({ index, ms: performance.now() - t, ...r });
  });
}

function options() {
  const { values } = parseArgs({
    options: {
      designs: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      'yosys-every': { type: 'string', default: '1000' },
      jobs: { type: 'string', default: String(availableParallelism()) },
      out: { type: 'string', default: join(tmpdir(), 'da-gen-property') },
      timeout: { type: 'string', default: '60' },
      vectors: { type: 'string', default: '40' },
      first: { type: 'string', default: '0' },
      'wide-columns': { type: 'boolean', default: false },
      kind: { type: 'string' },
    },
  });
  if (values.kind !== undefined && !KINDS.includes(values.kind)) throw new Error(`--kind: expected one of ${KINDS.join(', ')}, got ${values.kind}`);
  const int = (name, min) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: expected an integer ≥ ${min}, got ${values[name]}`);
    return v;
  };
  return {
    designs: int('designs', 1),
    seed: int('seed', 0) >>> 0,
    yosysEvery: int('yosys-every', 0),
    jobs: int('jobs', 1),
    out: values.out,
    timeout: int('timeout', 1),
    first: int('first', 0),
    draw: { vectors: int('vectors', 1), wideColumns: values['wide-columns'], ...(values.kind === undefined ? {} : { kind: values.kind }) },
  };
}

async function main() {
  let o;
  try {
    o = options();
  } catch (e) {
    console.error(`property: ${e.message}`);
    process.exit(2);
  }
  const t0 = performance.now();
  const end = o.first + o.designs;
  const s = { done: 0, yosys: 0, failures: 0, vectors: 0, yosysVectors: 0, slowest: { ms: 0, index: -1 } };
  console.log(`property: ${o.designs} ${o.draw.kind ? `${o.draw.kind} ` : ''}designs from seed ${o.seed} (indexes ${o.first}..${end - 1}), every ${o.yosysEvery || '—'}-th through Yosys, ${o.jobs} workers, ${o.draw.vectors} vectors each`);

  const fail = (index, f) => {
    s.failures++;
    mkdirSync(o.out, { recursive: true });
    const file = join(o.out, f.file);
    writeFileSync(file, f.text);
    console.log(`FAIL seed ${o.seed} index ${index} (${f.stage}): ${f.message}`);
    console.log(`  design: ${file}`);
    console.log(`  reproduce: (cd ${o.out} && ${f.command})   or   node bench/property.mjs --seed ${o.seed} --first ${index} --designs 1${o.draw.wideColumns ? ' --wide-columns' : ''}${o.draw.kind ? ` --kind ${o.draw.kind}` : ''} --vectors ${o.draw.vectors}${yosysSampled(index, o.yosysEvery) ? ` --yosys-every ${o.yosysEvery}` : ''}`);
  };

  let next = o.first;
  const progress = setInterval(() => {
    const sec = (performance.now() - t0) / 1000;
    console.error(`property: ${s.done}/${o.designs} designs, ${s.yosys} through Yosys, ${s.failures} failures, ${sec.toFixed(0)} s, ${(s.done / sec).toFixed(1)} designs/s`);
  }, 30_000);

  await new Promise((resolve) => {
    let running = 0;
    const start = () => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { seed: o.seed, yosysEvery: o.yosysEvery, draw: o.draw } });
      running++;
      let index = -1;
      let timer = null;
      const finish = () => {
        running--;
        if (running === 0) resolve();
      };
      const send = () => {
        if (next >= end) {
          w.terminate();
          return;
        }
        index = next++;
        const limit = o.timeout + (yosysSampled(index, o.yosysEvery) ? 120 : 0);
        timer = setTimeout(() => {
          fail(index, failureOf(o.seed, randomDesign(lib, o.seed, index, o.draw), 'timeout', `no result within ${limit} s`));
          s.done++;
          index = -1;
          w.removeAllListeners('exit');
          w.terminate().then(() => {
            finish();
            start();
          });
        }, limit * 1000);
        w.postMessage(index);
      };
      w.on('message', (r) => {
        clearTimeout(timer);
        s.done++;
        s.vectors += r.vectors;
        if (yosysSampled(r.index, o.yosysEvery)) s.yosys++;
        s.yosysVectors += r.yosysVectors;
        if (r.ms > s.slowest.ms) s.slowest = { ms: r.ms, index: r.index };
        if (r.failure) fail(r.index, r.failure);
        index = -1;
        send();
      });
      w.on('error', (e) => {
        clearTimeout(timer);
        if (index >= 0) {
          fail(index, failureOf(o.seed, randomDesign(lib, o.seed, index, o.draw), 'worker', `the worker died: ${e.message}`));
          s.done++;
        }
      });
      w.on('exit', () => {
        clearTimeout(timer);
        finish();
        // A worker that died on a design is replaced while designs remain.
        if (index >= 0 && next < end) start();
      });
      send();
    };
    for (let j = 0; j < Math.min(o.jobs, o.designs); j++) start();
  });
  clearInterval(progress);

  const sec = (performance.now() - t0) / 1000;
  console.log(`property: slowest design ${s.slowest.index} (${(s.slowest.ms / 1000).toFixed(1)} s); ${s.vectors} vectors through the netlist simulator, ${s.yosysVectors} through the Yosys-JSON simulator`);
  console.log(
    `property: ${s.done} designs (seed ${o.seed}), ${s.yosys} through Yosys, ${s.failures} failures, ${sec.toFixed(1)} s wall, ${(s.done / sec).toFixed(1)} designs/s: ${s.failures === 0 ? 'PASS' : 'FAIL'}`,
  );
  process.exit(s.failures === 0 ? 0 : 1);
}
