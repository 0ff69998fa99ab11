import type { SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { VERSION } from '../../src/version.js';
import { listAll as listEntries, ROOT, runCli, runMain } from '../helpers/cli.js';
import { specDoc } from '../helpers/spec-doc.js';
import { freshFolderPerTest } from '../helpers/temp.js';
import { stripComments } from '../helpers/netlist.js';

const BENCH_32 = resolve(ROOT, '..', 'shared', 'bench', 'rand_i8_32x32.json');
const PKG_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

let dir = '';
freshFolderPerTest('da-gen-cli-', (d) => (dir = d));

/** Run the built `da-gen` (dist/bin.js) in `cwd`, with `env` added to the environment. */
function run(args: string[], cwd = dir, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return runCli(args, cwd, env);
}

/** Every entry under `d`, hidden files and subdirectories included, sorted. */
function listAll(d = dir): string[] {
  return listEntries(d);
}

/**
 * `main` in this process, with the result shaped as a spawned run's. Where a test runs several
 * variants of one case, the first goes through the built command (its own process, exit code and
 * stderr) and the others through this: the same code, without a second of Node start-up each.
 * Every path given is absolute (under `dir`), so nothing can land in this process's folder.
 */
async function runHere(args: string[]): Promise<Pick<SpawnSyncReturns<string>, 'status' | 'stdout' | 'stderr'>> {
  const m = await runMain(args);
  return { status: m.code, stdout: m.stdout, stderr: m.stderr };
}

/** The absolute path of `name` in this test's folder. */
const at = (name: string): string => join(dir, name);

function writeJson(name: string, value: unknown, d = dir): string {
  writeFileSync(join(d, name), typeof value === 'string' ? value : JSON.stringify(value));
  return name;
}

const spec = specDoc;

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMatrix(rows: number, cols: number, seed: number, lo = -128, hi = 127): number[][] {
  const r = rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + Math.floor(r() * (hi - lo + 1))));
}

/** Exact [min, max] of each output W·x over all x in the input range. */
function outputRanges(w: number[][], width: number, signed: boolean): [bigint, bigint][] {
  const xlo = signed ? -(1n << BigInt(width - 1)) : 0n;
  const xhi = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  return w.map((row) => {
    let lo = 0n;
    let hi = 0n;
    for (const v of row) {
      const b = BigInt(v);
      lo += b >= 0n ? b * xlo : b * xhi;
      hi += b >= 0n ? b * xhi : b * xlo;
    }
    return [lo, hi];
  });
}

/** Bits of a two's-complement (or unsigned) number holding every value in [lo, hi]. */
function bitsFor(lo: bigint, hi: bigint, signed: boolean): number {
  let n = 1;
  if (signed) {
    while (lo < -(1n << BigInt(n - 1)) || hi > (1n << BigInt(n - 1)) - 1n) n++;
  } else {
    while (hi > (1n << BigInt(n)) - 1n) n++;
  }
  return n;
}


function expectOneErrorLine(r: Pick<SpawnSyncReturns<string>, 'status' | 'stdout' | 'stderr'>, ...fragments: string[]): void {
  expect(r.status, `stderr: ${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n'), JSON.stringify(r.stderr)).toBe(true);
  const body = r.stderr.slice(0, -1);
  expect(body.includes('\n'), `stderr must be one line, got ${JSON.stringify(r.stderr)}`).toBe(false);
  expect(body.startsWith('da-gen: error: ')).toBe(true);
  for (const f of fragments) expect(body).toContain(f);
}

interface BadCase {
  what: string;
  /** File contents (a string is written verbatim); undefined: the file does not exist. */
  content: unknown;
  /** Fragments stderr must contain besides the file name. */
  expect: string[];
}

const BAD: BadCase[] = [
  { what: 'not JSON', content: '{\n  "format": 1,\n  "name": "enc",\n}\n', expect: ['not valid JSON', 'line 4, column 1'] },
  { what: 'an array at the top level', content: '[[1, 2]]', expect: ['expected a JSON object'] },
  { what: 'ragged rows', content: spec({ weights: [[1, 2, 3], [4, 5], [6, 7, 8]] }), expect: ['weights[1]: ', 'expected 3 entries'] },
  { what: 'an empty matrix', content: spec({ weights: [] }), expect: ['weights: ', 'at least one row'] },
  { what: 'an empty row', content: spec({ weights: [[]] }), expect: ['weights[0]: ', 'at least one integer'] },
  {
    what: 'a non-integer weight',
    content: spec({ weights: [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 1.5]] }),
    expect: ['weights[3][7]: ', 'expected an integer', '1.5'],
  },
  {
    what: 'a non-finite weight',
    content: '{"format":1,"name":"enc","input":{"width":8,"signed":true},"weights":[[1,1e999]]}',
    expect: ['weights[0][1]: ', 'finite integer'],
  },
  {
    what: 'an unsafe integer weight',
    content: '{"format":1,"name":"enc","input":{"width":8,"signed":true},"weights":[[9007199254740993]]}',
    expect: ['weights[0][0]: ', 'decimal string'],
  },
  { what: 'a weight of 2^64', content: spec({ weights: [['18446744073709551616']] }), expect: ['weights[0][0]: ', '2^64'] },
  { what: 'a kernel error', content: spec({ weights: undefined, kernel: [[1, 2], [3, 4], [true, 6]] }), expect: ['kernel[2][0]: ', 'expected an integer'] },
  { what: 'input width 0', content: spec({ input: { width: 0, signed: true } }), expect: ['input.width: ', 'from 1 to 32', 'got number 0'] },
  { what: 'input width 33', content: spec({ input: { width: 33, signed: false } }), expect: ['input.width: ', 'from 1 to 32', 'got number 33'] },
  { what: 'input.signed not boolean', content: spec({ input: { width: 8, signed: 'yes' } }), expect: ['input.signed: ', 'expected true'] },
  { what: 'both weights and kernel', content: spec({ kernel: [[1]] }), expect: ['kernel: ', 'exactly one of'] },
  { what: 'neither weights nor kernel', content: spec({ weights: undefined }), expect: ['weights: ', 'got none of them'] },
  { what: 'a bad name', content: spec({ name: 'x; module evil' }), expect: ['name: ', 'Verilog identifier'] },
  { what: 'a keyword name', content: spec({ name: 'module' }), expect: ['name: ', 'Verilog keyword'] },
  { what: 'an unknown key', content: spec({ wieghts: [[1]] }), expect: ['wieghts: ', 'unknown key'] },
  { what: 'layers with weights', content: spec({ layers: [] }), expect: ['layers: ', 'exactly one of'] },
  { what: 'empty layers', content: spec({ weights: undefined, layers: [] }), expect: ['layers: ', 'at least one layer'] },
  {
    what: 'a layer chain that does not fit',
    content: spec({ weights: undefined, layers: [{ weights: [[1, 2], [3, 4]] }, { weights: [[1, 2, 3]] }] }),
    expect: ['layers[1].weights[0]: ', 'one per output of layers[0]'],
  },
  { what: 'a bad activation', content: spec({ weights: undefined, layers: [{ weights: [[1]], activation: 'tanh' }] }), expect: ['layers[0].activation: ', '"relu"'] },
  { what: 'a missing file', content: undefined, expect: ['cannot read', 'no such file'] },
];

describe('da-gen: malformed input', () => {
  const modes: [string, string[]][] = [
    ['default output', []],
    ['-o into a subdirectory', ['-o', 'out/enc.v']],
    ['-o -', ['-o', '-']],
    ['sim', []],
  ];
  // the first mode through the built command (its own process, exit code and stderr), the
  // others in this process (main with absolute paths), which is the same code and much faster
  for (const c of BAD) {
    it(`${c.what}: exit 2, one line on stderr, nothing written`, async () => {
      const file = 'w.json';
      if (c.content !== undefined) writeJson(file, c.content);
      const before = listAll();
      expect(before).toEqual(c.content === undefined ? [] : [file]);
      for (const [k, [mode, extra]] of modes.entries()) {
        const abs = k > 0;
        const f = abs ? join(dir, file) : file;
        const out = abs ? extra.map((a) => (a.includes('/') ? join(dir, a) : a)) : extra;
        const args = mode === 'sim' ? ['sim', f, '--vectors', '10'] : [f, ...out];
        const r = abs ? await runMain(args).then((m) => ({ status: m.code, stdout: m.stdout, stderr: m.stderr })) : run(args);
        expectOneErrorLine(r, `${f}: `, ...c.expect);
        expect(listAll(), `files left behind (${mode})`).toEqual(before);
      }
    });
  }

  // The layer kinds' keys: their messages are tested one by one in test/spec/parse.kinds.test.ts;
  // here, that the command turns each into exit 2 and one line, and writes nothing.
  const net = (layers: unknown[], input: Record<string, unknown> = { width: 8, signed: true, shape: [4, 4, 1] }): unknown => spec({ weights: undefined, input, layers });
  const conv = { kind: 'conv2d', kernel: [[[[1]]]] };
  const KIND_BAD: [string, unknown, string[]][] = [
    ['an unknown kind', net([{ kind: 'conv3d', kernel: [[1]] }]), ['layers[0].kind: ', '"conv2d"']],
    ['a bad padding', net([{ ...conv, padding: 'full' }]), ['layers[0].padding: ', '"same"']],
    ['a stride of 0', net([{ ...conv, strides: [0, 1] }]), ['layers[0].strides[0]: ']],
    ['a kernel whose channels do not match', net([{ kind: 'conv2d', kernel: [[[[1], [2]]]] }]), ['layers[0].kernel[0][0]: ']],
    ['an avgpool window that is not a power of two', net([{ kind: 'avgpool2d', pool: [3, 1] }]), ['layers[0].pool: ', 'power of two']],
    ['leaky_relu without alpha', net([{ ...conv, activation: 'leaky_relu' }]), ['layers[0].alpha: ']],
    ['a table after a layer without output', net([conv, { kind: 'table', values: [1, 2] }]), ['layers[1]: ', 'output']],
    ['argmax not last', net([{ kind: 'argmax' }, { kind: 'flatten' }]), ['layers[0]: ', 'last']],
    ['a bipolar input of width 2', net([{ weights: [[1, 2]] }], { width: 2, signed: false, bipolar: true }), ['input.width: ', 'a bipolar input is one bit']],
  ];
  it('the layer kinds: a bad key exits 2 with one line naming its path, and writes nothing', async () => {
    // (the first through the built command, the others in this process)
    for (const [k, [what, content, fragments]] of KIND_BAD.entries()) {
      writeJson('w.json', content);
      const r = k === 0 ? run(['w.json']) : await runHere([at('w.json')]);
      expect(r.status, what).toBe(2);
      expectOneErrorLine(r, 'w.json: ', ...fragments);
      expect(listAll(), what).toEqual(['w.json']);
    }
  });

  // Node 20's JSON.parse gives no position for "Unexpected token" errors, and its message quotes
  // the source, newlines included: stderr must still be one line with a line and column.
  it('an unexpected token: one line with a line and column', () => {
    writeJson('w.json', '{\n  "format": 1,\n  "name": enc\n}\n');
    const r = run(['w.json', '-o', 'out/enc.v']);
    expect(listAll()).toEqual(['w.json']);
    expectOneErrorLine(r, 'w.json: ', 'not valid JSON', 'line 3, column 11');
  });

  // `da-gen enc.json` with "name": "enc" would write the manifest enc.json over the input file
  // (and the same for `da-gen w.json -o w.v`): the command refuses.
  it('never overwrites the input file with the manifest', () => {
    const original = JSON.stringify(spec({ name: 'enc' }));
    writeJson('enc.json', original);
    const r = run(['enc.json']);
    expect(readFileSync(join(dir, 'enc.json'), 'utf8')).toBe(original);
    expectOneErrorLine(r, 'enc.json', 'overwrite');
    expect(listAll()).toEqual(['enc.json']);
  });

  it('an output path whose manifest would overwrite it: exit 2, nothing written', () => {
    writeJson('w.json', spec());
    expectOneErrorLine(run(['w.json', '-o', 'enc.json']), 'enc.json', 'manifest');
    expect(listAll()).toEqual(['w.json']);
  });
});

describe('da-gen: bad options', () => {
  // (the first value through the built command, the others in this process)
  it.each([['9'], ['-1'], ['abc'], ['1.5'], ['']])('--latency %j exits 2 and writes nothing', async (l) => {
    writeJson('w.json', spec());
    const r = l === '9' ? run(['w.json', '-o', 'out/enc.v', '--latency', l]) : await runHere([at('w.json'), '-o', at('out/enc.v'), '--latency', l]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--latency');
    expect(listAll()).toEqual(['w.json']);
  });

  it('sim --vectors 0 and an unknown option exit 2', async () => {
    writeJson('w.json', spec());
    expect(run(['sim', 'w.json', '--vectors', '0']).status).toBe(2);
    // (these two in this process)
    expect((await runHere([at('w.json'), '--bogus'])).status).toBe(2);
    expect((await runHere([])).status).toBe(2);
    expect(listAll()).toEqual(['w.json']);
  });
});

describe('da-gen: generate', () => {
  const W = [
    [1, 2, 3],
    [4, -5, 6],
  ];

  function checkManifest(m: Record<string, unknown>, latency: number): void {
    for (const k of [
      'module',
      'inputs',
      'input_width',
      'input_signed',
      'outputs',
      'output_width',
      'output_signed',
      'latency',
      'adders',
      'naive_adders',
      'adder_depth',
      'register_bits',
    ]) {
      expect(m, `manifest key ${k}`).toHaveProperty(k);
    }
    expect(m.module).toBe('enc');
    expect(m.inputs).toBe(3);
    expect(m.input_width).toBe(8);
    expect(m.input_signed).toBe(true);
    expect(m.outputs).toBe(2);
    expect(m.latency).toBe(latency);
    for (const k of ['adders', 'naive_adders', 'adder_depth', 'register_bits', 'output_width']) {
      expect(Number.isInteger(m[k]), k).toBe(true);
      expect(m[k] as number, k).toBeGreaterThanOrEqual(0);
    }
    expect(m.adders as number).toBeGreaterThan(0);
    expect(typeof m.output_signed).toBe('boolean');
    // Outputs are exact: the width holds the whole range of W·x.
    const ranges = outputRanges(W, 8, true);
    expect(m.output_ranges).toEqual(ranges.map(([lo, hi]) => [lo.toString(), hi.toString()]));
    const need = Math.max(...ranges.map(([lo, hi]) => bitsFor(lo, hi, m.output_signed as boolean)));
    expect(m.output_width as number).toBeGreaterThanOrEqual(need);
    if (latency === 0) expect(m.register_bits).toBe(0);
  }

  it('writes enc.v and enc.json with the default latency 2', () => {
    writeJson('w.json', spec({ weights: W }));
    const r = run(['w.json', '-o', 'enc.v']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(listAll()).toEqual(['enc.json', 'enc.v', 'w.json']);
    const m = JSON.parse(readFileSync(join(dir, 'enc.json'), 'utf8')) as Record<string, unknown>;
    checkManifest(m, 2);
    const v = readFileSync(join(dir, 'enc.v'), 'utf8');
    expect(v).toContain('module enc (');
    expect(v).toContain('endmodule');
    expect(stripComments(v)).not.toContain('*');
  });

  it('-l 0 gives a combinational module (latency 0)', () => {
    writeJson('w.json', spec({ weights: W }));
    const r = run(['w.json', '-o', 'enc.v', '-l', '0']);
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'enc.json'), 'utf8')) as Record<string, unknown>;
    checkManifest(m, 0);
    expect(stripComments(readFileSync(join(dir, 'enc.v'), 'utf8'))).not.toContain('*');
  });

  it('--latency 5 is recorded in the manifest', () => {
    writeJson('w.json', spec({ weights: W }));
    const r = run(['w.json', '-o', 'enc.v', '--latency', '5', '-q']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    checkManifest(JSON.parse(readFileSync(join(dir, 'enc.json'), 'utf8')), 5);
  });

  it('without -o writes <name>.v and <name>.json; -o into a new subdirectory creates it', () => {
    writeJson('w.json', spec({ name: 'my_enc', weights: W }));
    expect(run(['w.json']).status).toBe(0);
    expect(run(['w.json', '-o', 'out/deep/x.v']).status).toBe(0);
    expect(listAll()).toEqual(['my_enc.json', 'my_enc.v', 'out', 'out/deep', 'out/deep/x.json', 'out/deep/x.v', 'w.json']);
    expect(readFileSync(join(dir, 'out/deep/x.v'), 'utf8')).toContain('module my_enc (');
  });

  it('a kernel file gives the same hardware as the equivalent weights file', async () => {
    writeJson('w.json', spec({ weights: W }));
    writeJson('k.json', spec({ weights: undefined, kernel: W[0]!.map((_, i) => W.map((row) => row[i])) }));
    expect(run(['w.json', '-o', 'a/enc.v']).status).toBe(0);
    // (the kernel file in this process)
    expect((await runHere([at('k.json'), '-o', at('b/enc.v')])).status).toBe(0);
    expect(readFileSync(join(dir, 'b/enc.v'), 'utf8')).toBe(readFileSync(join(dir, 'a/enc.v'), 'utf8'));
    expect(readFileSync(join(dir, 'b/enc.json'), 'utf8')).toBe(readFileSync(join(dir, 'a/enc.json'), 'utf8'));
  });

  it('-o - prints the Verilog to stdout and writes no files', () => {
    writeJson('w.json', spec({ weights: W }));
    const r = run(['w.json', '-o', '-']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('module enc (');
    expect(listAll()).toEqual(['w.json']);
    // The same text as the file version.
    const sub = mkdtempSync(join(dir, 'f-'));
    expect(run([join(dir, 'w.json'), '-o', 'enc.v'], sub).status).toBe(0);
    expect(readFileSync(join(sub, 'enc.v'), 'utf8')).toBe(r.stdout);
  });
});

describe('da-gen: determinism', () => {
  function twice(input: string): void {
    const a = run([input, '-o', 'a/m.v']);
    const b = run([input, '-o', 'b/m.v']);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    for (const f of ['m.v', 'm.json']) {
      const fa = readFileSync(join(dir, 'a', f));
      const fb = readFileSync(join(dir, 'b', f));
      expect(fa.length).toBeGreaterThan(0);
      expect(fa.equals(fb), `${f} differs between runs`).toBe(true);
    }
  }

  it('a seeded random 16×16 matrix gives byte-identical files', () => {
    const weights = randomMatrix(16, 16, 0x5eed);
    writeJson('r16.json', spec({ name: 'rand16', weights }));
    twice('r16.json');
    const m = JSON.parse(readFileSync(join(dir, 'a', 'm.json'), 'utf8'));
    expect(m.inputs).toBe(16);
    expect(m.outputs).toBe(16);
    expect(m.module).toBe('rand16');
    expect(m.output_ranges).toEqual(outputRanges(weights, 8, true).map(([lo, hi]) => [lo.toString(), hi.toString()]));
  });

  it('../shared/bench/rand_i8_32x32.json gives byte-identical files', () => {
    if (!existsSync(BENCH_32)) {
      console.warn(`SKIPPED: ${BENCH_32} does not exist; determinism on the 32×32 benchmark not checked`);
      return;
    }
    twice(BENCH_32);
    const m = JSON.parse(readFileSync(join(dir, 'a', 'm.json'), 'utf8'));
    expect(m.inputs).toBe(32);
    expect(m.outputs).toBe(32);
  });
});

describe('da-gen sim', () => {
  // (the first through the built command, the others in this process)
  it.each([[[] as string[]], [['--latency', '0']], [['-l', '8', '--seed', '7']]])('sim %j prints PASS', async (extra) => {
    writeJson('w.json', spec({ weights: randomMatrix(4, 6, 42) }));
    const r = extra.length === 0 ? run(['sim', 'w.json', '--vectors', '200', ...extra]) : await runHere(['sim', at('w.json'), '--vectors', '200', ...extra]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines.some((l) => l.startsWith('PASS'))).toBe(true);
    expect(r.stdout).toContain('200 vectors');
    expect(listAll()).toEqual(['w.json']);
  });
});

describe('da-gen --help and --version', () => {
  it('--help exits 0 and prints usage', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: da-gen');
    expect(r.stdout).toContain('sim');
    expect(listAll()).toEqual([]);
  });

  it('--version prints the version from package.json', async () => {
    // (-V in this process)
    for (const flag of ['--version', '-V']) {
      const r = flag === '--version' ? run([flag]) : await runHere([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(PKG_VERSION);
    }
  });
});

describe('optimizer options', () => {
  it('rejects a bad --depth-slack, --cost or --effort with exit 2 and writes nothing', async () => {
    writeJson('w.json', spec());
    // (the first through the built command, the others in this process)
    for (const [k, bad] of [['--dc', '-2'], ['--depth-slack', 'x'], ['--cost', 'luts'], ['--effort', '0'], ['--effort', '1.5']].entries()) {
      const r = k === 0 ? run(['w.json', '-o', 'enc.v', ...bad]) : await runHere([at('w.json'), '-o', at('enc.v'), ...bad]);
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(listAll()).toEqual(['w.json']);
    }
  });

  it('records the bound, the adder bits and the depth in the manifest, and keeps to the bound', async () => {
    writeJson('w.json', spec());
    // (the first through the built command, the others in this process)
    for (const dc of ['-1', '0', '2']) {
      const opts = ['--dc', dc, '--cost', 'bits', '--effort', '3'];
      const r = dc === '-1' ? run(['w.json', '-o', `enc${dc}.v`, ...opts]) : await runHere([at('w.json'), '-o', at(`enc${dc}.v`), ...opts]);
      expect(r.status).toBe(0);
      const m = JSON.parse(readFileSync(join(dir, `enc${dc}.json`), 'utf8')) as Record<string, number | null>;
      expect(typeof m.adder_bits).toBe('number');
      // CSD digits: 1 2 3 → 1 + 1 + 2 = 4; 4 −5 6 → 1 + 2 + 2 = 5, so ceil(log2 5) = 3
      expect(m.min_depth).toBe(3);
      if (dc === '-1') expect(m.depth_bound).toBeNull();
      else expect(m.depth_bound).toBe(3 + Number(dc));
      if (m.depth_bound !== null) expect(m.adder_depth!).toBeLessThanOrEqual(m.depth_bound!);
    }
  });
});

describe('synthesis options, check and report commands', () => {
  it('rejects an unknown target, and --baseline without --target, writing nothing', async () => {
    writeJson('w.json', spec());
    // (the first through the built command, the others in this process)
    for (const [k, bad] of [['--target', 'ice40-up9k'], ['--baseline'], ['--clock-mhz', '0'], ['--latency', 'auto'], ['--latency', 'auto', '--target', 'ecp5-25k']].entries()) {
      const r = k === 0 ? run(['w.json', '-o', 'enc.v', ...bad]) : await runHere([at('w.json'), '-o', at('enc.v'), ...bad]);
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(listAll()).toEqual(['w.json']);
    }
  });

  it('--report without --target: the design and its estimated cells, no synthesis', async () => {
    writeJson('w.json', spec());
    const r = await runHere([at('w.json'), '-o', at('enc.v'), '--report', at('r.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(listAll()).toEqual(['enc.json', 'enc.v', 'r.json', 'w.json']);
    const rep = JSON.parse(readFileSync(at('r.json'), 'utf8'));
    const man = JSON.parse(readFileSync(at('enc.json'), 'utf8'));
    expect(rep.targets).toEqual([]);
    expect(rep.tools).toEqual({});
    expect(Object.keys(rep.estimates)).toEqual(['ecp5', 'generic', 'ice40']);
    // the report's estimates are the manifest's (cell names sorted there)
    for (const fam of ['ecp5', 'generic', 'ice40']) expect(Object.entries(rep.estimates[fam]).sort()).toEqual(Object.entries(man.estimated_cells[fam]).sort());
    expect(man.estimated_cells.ice40.SB_LUT4).toBeGreaterThan(0);
  });

  it('check: Yosys reads the emitted Verilog and its netlist equals W·x', () => {
    writeJson('w.json', spec());
    const r = run(['check', 'w.json', '-n', '50', '-l', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS w\.json: 50 vectors, Yosys JSON netlist/m);
    expect(listAll()).toEqual(['w.json']);
  });

  it('report --compare prints the differences of two reports; bad files exit 2', () => {
    const mk = (adders: number): string =>
      JSON.stringify({
        schema: 'da-gen-report/1',
        generator: 'da-gen test',
        design: { module: 'm', shape: '2x3', inputs: 3, input_width: 8, input_signed: true, outputs: 2, output_width: 12, output_signed: true, latency: 2 },
        arithmetic: { adders, naive_adders: 9, adder_bits: 70, adder_depth: 3, depth_bound: 5, stage_depths: [2, 1], register_bits: 40 },
        targets: [],
        tools: {},
      });
    writeJson('a.json', mk(8));
    writeJson('b.json', mk(6));
    const r = run(['report', '--compare', 'a.json', 'b.json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| adders \| 8 \| 6 \| −2 \| −25\.0% \|/);
    writeJson('bad.json', '{"schema": "other"}');
    const bad = run(['report', '--compare', 'a.json', 'bad.json']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: schema/);
  });
});

describe('networks on the command line', () => {
  const network = {
    format: 1,
    name: 'tiny_net',
    input: { width: 6, signed: true },
    layers: [
      { weights: [[3, -5], [7, 2], [1, 1]], bias: [1, 2, 3], activation: 'relu', shift: 2, rounding: 'nearest', output: { width: 5, signed: false, overflow: 'saturate' } },
      { weights: [[1, -2, 3], [2, 2, -1]] },
    ],
    score: { kind: 'sum_of_squares', of: 'last' },
  };

  it('generates the module with its score port and a manifest with the layers', () => {
    writeJson('n.json', network);
    const r = run(['n.json', '-o', 'out/net.v']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/2 layers, \d+ adders .*score \d+-bit/);
    const v = readFileSync(join(dir, 'out', 'net.v'), 'utf8');
    expect(v).toContain('a network of 2 layers, 2 → 3 → 2, with a sum-of-squares score');
    expect(v).toMatch(/output wire \[\d+:0\]\s+score\n/);
    const m = JSON.parse(readFileSync(join(dir, 'out', 'net.json'), 'utf8')) as { layers: { activation: string }[]; score: string; score_width: number };
    expect(m.layers.map((l) => l.activation)).toEqual(['relu', 'linear']);
    expect(m.score).toBe('sum_of_squares');
    expect(m.score_width).toBeGreaterThan(0);
  });

  it('sim and check compare with the network reference model', async () => {
    writeJson('n.json', network);
    const s = run(['sim', 'n.json', '-n', '200']);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toContain("every output equals the network's reference model");
    // (check in this process)
    const c = await runHere(['check', at('n.json'), '-n', '100']);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/PASS n\.json: 100 vectors, Yosys JSON netlist.*reference model/);
  });

  it('--baseline is refused for a network (exit 2, nothing written)', () => {
    writeJson('n.json', network);
    const r = run(['n.json', '-o', 'net.v', '--target', 'generic', '--baseline']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--baseline is for a single matrix');
    expect(listAll()).toEqual(['n.json']);
  });
});

describe('boards and build on the command line', () => {
  it('da-gen boards lists every board', () => {
    const r = run(['boards']);
    expect(r.status).toBe(0);
    for (const b of ['icebreaker', 'icestick', 'tinyfpga-bx', 'ulx3s', 'orangecrab']) expect(r.stdout).toContain(b);
  });

  it('an unknown board: exit 2, the known names, nothing written', () => {
    writeJson('w.json', spec());
    const r = run(['build', 'w.json', '--board', 'nexys', '-o', 'b']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('icebreaker');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(listAll()).toEqual(['w.json']);
  });
});

describe('main, in-process', () => {
  const inProcess = runMain;

  it('--version resolves 0 and prints the version', async () => {
    const r = await inProcess(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
    expect(VERSION).toBe(PKG_VERSION);
    expect(r.stderr).toBe('');
  });

  it('a missing input file resolves 2 with one error line, without throwing', async () => {
    const file = join(dir, 'nonexistent.json');
    const p = main([file]);
    await expect(p).resolves.toBe(2);
    const r = await inProcess([file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`da-gen: error: ${file}: cannot read: no such file or folder\n`);
    expect(listAll()).toEqual([]);
  });

  it('a usage error resolves 2, and the command can run again in the same process', async () => {
    expect((await inProcess(['--bogus'])).code).toBe(2);
    expect((await inProcess(['--help'])).code).toBe(0);
    expect((await inProcess(['--version'])).code).toBe(0);
  });
});

describe('tool failures: exit 3, one line naming the tool', () => {
  /** stderr is one line `da-gen: error: …`, with no stack trace. */
  function expectOneToolLine(r: SpawnSyncReturns<string>): string {
    expect(r.status, `stderr: ${r.stderr}`).toBe(3);
    expect(r.stderr.endsWith('\n'), JSON.stringify(r.stderr)).toBe(true);
    const body = r.stderr.slice(0, -1);
    expect(body.includes('\n'), `stderr must be one line, got ${JSON.stringify(r.stderr)}`).toBe(false);
    expect(body.startsWith('da-gen: error: ')).toBe(true);
    expect(body).not.toMatch(/\bat \S+ \(|\.js:\d+/);
    return body;
  }

  it('IVERILOG naming nothing: check exits 3 naming iverilog and what to do; --debug adds the stack trace', async () => {
    writeJson('w.json', spec());
    const env = { IVERILOG: '/nonexistent/iverilog' };
    // -q: a busy machine can make Yosys's reading last over 2 s, and its progress line is not what this is about
    const r = run(['check', 'w.json', '-n', '20', '-q'], dir, env);
    const line = expectOneToolLine(r);
    expect(line).toContain('iverilog');
    expect(line).toContain('IVERILOG=/nonexistent/iverilog does not run');
    expect(line).toContain('set IVERILOG to the path of the iverilog executable, or unset it');
    expect(r.stdout).toBe('');
    expect(listAll()).toEqual(['w.json']);

    const d = run(['--debug', 'check', 'w.json', '-n', '20', '-q'], dir, env);
    expect(d.status).toBe(3);
    const lines = d.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(line);
    expect(lines.length).toBeGreaterThan(2);
    expect(d.stderr).toMatch(/^ToolError: IVERILOG=/m);
    expect(d.stderr).toMatch(/^\s+at \S+/m);
    // --debug may also come after the command's arguments (in this process, IVERILOG set here)
    const old = process.env['IVERILOG'];
    process.env['IVERILOG'] = env.IVERILOG;
    try {
      const after = await runHere(['check', at('w.json'), '-n', '20', '--debug']);
      expect(after.status).toBe(3);
      expect(after.stderr).toMatch(/^ToolError: IVERILOG=/m);
    } finally {
      if (old === undefined) delete process.env['IVERILOG'];
      else process.env['IVERILOG'] = old;
    }
  });

  it('a failing Yosys: check exits 3 with one line naming yosys', () => {
    writeJson('w.json', spec());
    const r = run(['check', 'w.json', '-n', '20'], dir, { YOSYS: '/bin/false' });
    const line = expectOneToolLine(r);
    expect(line).toBe('da-gen: error: reading the Verilog: Yosys exited with code 1 and no error message (the native /bin/false: check that it is a working Yosys, or unset YOSYS to use the WebAssembly one)');
    expect(listAll()).toEqual(['w.json']);
  });
});
