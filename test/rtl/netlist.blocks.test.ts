import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileNetlist, parseSpec, referenceOf, simulateInIcarus, testVectors } from '../../src/index.js';
import type { CompileResult, Spec } from '../../src/index.js';
import { flattenNetlist, isAdder, signalOperands } from '../../src/rtl/netlist.js';
import type { Netlist } from '../../src/rtl/netlist.js';
import { ranks, stripComments, yosysRead } from '../helpers/netlist.js';
import { haveTool } from '../helpers/tools.js';

// A convolution built per position is one block (a Verilog module of its own, the kernel's
// adder graph) and one instance of it per output position. These tests check that shape of the
// netlist and the text, and that what it computes is the reference model's, through the
// netlist simulator (which runs the flattened netlist), Icarus, Verilator and Yosys.

const doc = (name: string, input: Record<string, unknown>, layers: Record<string, unknown>[]): Spec =>
  parseSpec(JSON.stringify({ format: 1, name, input, layers }), `${name}.json`);

/** A 3×3 kernel of 2 → 3 channels whose weights are all different and non-zero. */
const KERNEL = Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => Array.from({ length: 2 }, (_, c) => Array.from({ length: 3 }, (_, o) => ((i * 29 + j * 13 + c * 7 + o * 5 + 3) % 41) - 20 || 1))));

const conv = (side: number, over: Record<string, unknown> = {}, input: Record<string, unknown> = { width: 6, signed: true }): Spec =>
  doc(`conv${side}`, { ...input, shape: [side, side, 2] }, [{ kind: 'conv2d', kernel: KERNEL, padding: 'same', ...over }]);

/** The module's text between `module <name>` and its `endmodule`. */
function moduleText(v: string, name: string): string {
  const at = v.indexOf(`\nmodule ${name} (`);
  expect(at).toBeGreaterThanOrEqual(0);
  return v.slice(at, v.indexOf('\nendmodule', at));
}

/** The adders of the flattened netlist that some output depends on (a copy, an `addc` of 0, is a wire). */
function flatAdders(n: Netlist): number {
  const f = flattenNetlist(n);
  const live = new Uint8Array(f.signals.length);
  for (const o of [...f.outputs, ...(f.score ? [f.score] : [])]) if (o.signal >= 0) live[o.signal] = 1;
  let adders = 0;
  for (let i = f.signals.length - 1; i >= 0; i--) {
    if (!live[i]) continue;
    const s = f.signals[i]!;
    for (const u of signalOperands(s)) live[u] = 1;
    if (isAdder(s) && !(s.kind === 'addc' && s.c === 0n)) adders++;
  }
  return adders;
}

function check(r: CompileResult, spec: Spec, count = 300): void {
  const ref = referenceOf(spec);
  const xs = testVectors(r.netlist.ports.nIn, spec.input, count, 7);
  const L = r.netlist.latency;
  const sim = compileNetlist(r.netlist);
  const got = sim.run([...xs, ...Array.from({ length: L }, () => xs[0]!)]);
  xs.forEach((x, t) => expect(got[t + L], `vector ${t}`).toEqual(ref(x)));
}

describe('a convolution per position: a kernel module per pattern of padding, one instance per position', () => {
  it('a 3×3 "same" kernel is 9 modules (interior, 4 edges, 4 corners) whatever the image; each position one instance; the main module has no adder', () => {
    for (const side of [4, 7]) {
      const spec = conv(side);
      const r = compile(spec, { latency: 2, conv: 'per-position' });
      expect(r.netlist.blocks).toHaveLength(9);
      const instances = new Set(r.netlist.signals.flatMap((s) => (s.kind === 'inst' ? [s.instance] : [])));
      expect(instances.size).toBe(side * side);
      expect(r.netlist.signals.some((s) => isAdder(s))).toBe(false);
      const text = stripComments(r.verilog);
      expect(text.match(/^module /gm)).toHaveLength(1 + 9 + (r.verilog.includes(`module conv${side}_add`) ? 1 : 0));
      expect(text.match(new RegExp(`^  conv${side}_kernel\\d u_`, 'gm'))).toHaveLength(side * side);
      // the interior's kernel (the 5th pattern met, row by row) for the (side − 2)² interior positions
      const interior = r.netlist.signals.filter((s) => s.kind === 'inst' && s.block === 4 && s.output === 0).length;
      expect(interior).toBe((side - 2) * (side - 2));
      expect(stripComments(moduleText(r.verilog, `conv${side}`))).not.toMatch(/ \+ /);
      check(r, spec);
    }
  });

  it("a 'valid' kernel is one module", () => {
    const spec = conv(6, { padding: 'valid', strides: [1, 2] });
    const r = compile(spec, { latency: 2, conv: 'per-position' });
    expect(r.netlist.blocks).toHaveLength(1);
    expect(new Set(r.netlist.signals.flatMap((s) => (s.kind === 'inst' ? [s.instance] : []))).size).toBe(4 * 2);
    check(r, spec);
  });

  it('the kernel modules are the same text for a small and a large image: the text grows with the positions by one instance each', () => {
    const small = compile(conv(5), { latency: 2, conv: 'per-position' });
    const large = compile(conv(12), { latency: 2, conv: 'per-position' });
    // (the adder module's name is the design's)
    const body = (r: CompileResult, side: number, k: number): string => moduleText(r.verilog, `conv${side}_kernel${k}`).replaceAll(`conv${side}_`, 'K_');
    for (let k = 0; k < 9; k++) expect(body(large, 12, k), `kernel ${k}`).toBe(body(small, 5, k));
    // the main module: a constant number of lines per position (inputs, instance, its outputs' wires, registers, assigns)
    const lines = (r: CompileResult, side: number): number => moduleText(r.verilog, `conv${side}`).split('\n').length;
    const perPosition = (lines(large, 12) - lines(small, 5)) / (144 - 25);
    expect(perPosition).toBeLessThan(30);
    expect(moduleText(small.verilog, 'conv5_kernel4').split('\n').length).toBeGreaterThan(perPosition);
  });

  it('a border position\'s kernel is the interior\'s with its padded inputs folded away: fewer ports and adders, the same total as flat', () => {
    const spec = conv(6);
    const r = compile(spec, { latency: 2, conv: 'per-position' });
    const adders = r.netlist.blocks.map((b) => b.signals.filter((s) => isAdder(s)).length);
    const ports = r.netlist.blocks.map((b) => new Set(b.ports.map((p) => p.tap)).size);
    // the corner (0, 0) reads taps (1..2, 1..2) of 2 channels; the top edge 6 taps; the interior 9
    expect([ports[0], ports[1], ports[4]]).toEqual([8, 12, 18]);
    for (const k of [0, 1, 2, 3, 5, 6, 7, 8]) expect(adders[k]).toBeLessThan(adders[4]!);
    // the total: each instance's kernel's adders, as the flattened netlist has them, and as flat
    expect(r.netlist.adders).toBe(flatAdders(r.netlist));
    expect(r.netlist.adders).toBe(compile(spec, { latency: 2, conv: 'per-position', kernelModules: false }).netlist.adders);
    expect(r.stats.adders).toBe(r.netlist.adders);
  });

  it('kernelModules: false builds the same adders flat, in the one module', () => {
    const spec = conv(6, { strides: [2, 2], activation: 'relu', bias: [1, 2, 3] });
    const mod = compile(spec, { latency: 2, conv: 'per-position' });
    const flat = compile(spec, { latency: 2, conv: 'per-position', kernelModules: false });
    expect(flat.netlist.blocks).toEqual([]);
    expect(flat.netlist.signals.some((s) => s.kind === 'inst')).toBe(false);
    expect(flat.netlist.adders).toBe(mod.netlist.adders);
    expect(flat.stats.adders).toBe(mod.stats.adders);
    expect(flat.verilog.length).toBeGreaterThan(mod.verilog.length);
    check(flat, spec);
    check(mod, spec);
  });

  it('computes the reference model at every latency, with balanced register ranks in every instance', () => {
    const spec = conv(5, { strides: [2, 1], dilation: [1, 2], activation: 'relu', bias: [3, -40, 7], shift: 2 });
    for (const latency of [0, 1, 2, 3, 5]) {
      const r = compile(spec, { latency, conv: 'per-position' });
      expect(r.netlist.blocks.length).toBeGreaterThan(1);
      const flat = flattenNetlist(r.netlist);
      const rk = ranks(flat);
      for (const o of flat.outputs) if (o.signal >= 0) expect(rk[o.signal]).toBe(latency);
      check(r, spec, 200);
    }
  });

  it('bipolar inputs: the kernel reads the bits, each −1 joins the bias, and padded taps count 0 (not −1)', () => {
    const spec = conv(4, {}, { width: 1, signed: false, bipolar: true });
    const r = compile(spec, { latency: 2, conv: 'per-position' });
    expect(r.netlist.blocks).toHaveLength(9);
    expect(r.netlist.blocks[0]!.signals.filter((s) => s.kind === 'input').every((s) => s.width === 1)).toBe(true);
    check(r, spec);
    // by hand: all inputs +1 (every bit 1) at the corner (0, 0), channel 0: the taps (1..2, 1..2) of each channel
    const x = new Array<bigint>(32).fill(1n);
    let corner = 0n;
    for (let i = 1; i < 3; i++) for (let j = 1; j < 3; j++) for (let c = 0; c < 2; c++) corner += BigInt(KERNEL[i]![j]![c]![0]!);
    const L = r.netlist.latency;
    expect(compileNetlist(r.netlist).run(Array.from({ length: L + 1 }, () => x))[L]![0]).toBe(corner);
  });

  it('a second convolution over the first one\'s ReLU outputs is a second block whose inputs are registers of the first stage', () => {
    const spec = doc('two', { width: 4, signed: false, shape: [6, 6, 2] }, [
      { kind: 'conv2d', kernel: KERNEL, padding: 'same', activation: 'relu', shift: 3 },
      { kind: 'conv2d', kernel: KERNEL.map((r) => r.map((t) => [...t, t[0]!.map((w) => -w)])).map((r) => r.map((t) => t.slice(0, 3))), padding: 'valid' },
    ]);
    for (const latency of [1, 3, 4]) {
      const r = compile(spec, { latency, conv: 'per-position' });
      // 9 patterns of padding for the first, one for the second ("valid")
      expect(r.netlist.blocks).toHaveLength(10);
      expect(r.netlist.adders).toBe(flatAdders(r.netlist));
      check(r, spec, 150);
    }
  });

  it('inputs of different shifts (a kept batchnorm scaling channels by 1 and 4) fall back to building each position apart', () => {
    const spec = doc('mixed', { width: 5, signed: true, shape: [5, 5, 2] }, [
      { kind: 'batchnorm', scale: [1, 4], offset: [0, 1] },
      { kind: 'conv2d', kernel: KERNEL, padding: 'same' },
    ]);
    const r = compile(spec, { latency: 2, conv: 'per-position' });
    expect(r.netlist.blocks).toHaveLength(0);
    check(r, spec);
  });

  it('an instance output that nothing reads is connected to a wire named unused (a dense layer with zero weights for channel 1)', () => {
    const dense = Array.from({ length: 2 }, (_, o) => Array.from({ length: 4 * 4 * 3 }, (_, i) => (i % 3 === 1 ? 0 : ((i * 7 + o) % 9) - 4)));
    const spec = doc('unread', { width: 4, signed: true, shape: [4, 4, 2] }, [
      { kind: 'conv2d', kernel: KERNEL, padding: 'same' },
      { kind: 'flatten' },
      { kind: 'dense', weights: dense },
    ]);
    const r = compile(spec, { latency: 2, conv: 'per-position' });
    expect(r.netlist.blocks).toHaveLength(9);
    expect(r.verilog).toMatch(/_y1_unused/);
    expect(r.netlist.adders).toBe(flatAdders(r.netlist));
    check(r, spec);
  });
});

const icarus = haveTool('iverilog', ['-V']);
const verilator = haveTool('verilator');
const dir = mkdtempSync(join(tmpdir(), 'da-gen-blocks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Designs whose blocks have ports read in two stages, ports tied to zero, unused outputs, and bipolar inputs. */
function textCases(): { spec: Spec; r: CompileResult }[] {
  const specs = [
    conv(5, { strides: [2, 2], activation: 'relu' }),
    conv(4, {}, { width: 1, signed: false, bipolar: true }),
    doc('unread', { width: 4, signed: true, shape: [4, 4, 2] }, [
      { kind: 'conv2d', kernel: KERNEL, padding: 'same' },
      { kind: 'flatten' },
      { kind: 'dense', weights: [Array.from({ length: 48 }, (_, i) => (i % 3 === 1 ? 0 : (i % 5) - 2))] },
    ]),
  ];
  return specs.flatMap((spec) => [0, 2, 3].map((latency) => ({ spec, r: compile(spec, { latency, conv: 'per-position' }) })));
}

describe.runIf(icarus)('blocks in Icarus', () => {
  it('the emitted Verilog computes the reference model', async () => {
    for (const { spec, r } of textCases()) {
      const xs = testVectors(r.netlist.ports.nIn, spec.input, 40, 3);
      const L = r.netlist.latency;
      const got = await simulateInIcarus(r.verilog, r.netlist, [...xs, ...Array.from({ length: L }, () => xs[0]!)]);
      const ref = referenceOf(spec);
      xs.forEach((x, t) => expect(got[t + L], `${spec.name} latency ${L} vector ${t}`).toEqual(ref(x)));
    }
  });
});
describe.skipIf(icarus)('blocks in Icarus', () => {
  it.skip('skipped: Icarus Verilog (iverilog) is not installed', () => {});
});

describe.runIf(verilator)('blocks: verilator --lint-only -Wall', () => {
  it('has nothing to say', () => {
    for (const { spec, r } of textCases()) {
      // the file is named after the top module, as Verilator expects
      const sub = join(dir, `latency${r.netlist.latency}`);
      mkdirSync(sub, { recursive: true });
      const f = join(sub, `${spec.name}.v`);
      writeFileSync(f, r.verilog);
      const v = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', spec.name, f], { encoding: 'utf8' });
      expect(v.stderr, `${spec.name} latency ${r.netlist.latency}`).toBe('');
      expect(v.status).toBe(0);
    }
  });
});
describe.skipIf(verilator)('blocks: verilator --lint-only -Wall', () => {
  it.skip('skipped: Verilator is not installed', () => {});
});

describe('blocks: the text', () => {
  it('has no `*` outside comments and is the same text every time', () => {
    for (const { spec, r } of textCases()) {
      expect(stripComments(r.verilog), `${spec.name} latency ${r.netlist.latency}`).not.toContain('*');
      expect(compile(spec, { latency: r.netlist.latency, conv: 'per-position' }).verilog).toBe(r.verilog);
    }
  });
});

describe('blocks: Yosys reads the hierarchy', () => {
  it('every instance is of a defined module, nothing undriven, no multiplier', async () => {
    const { spec, r } = textCases()[4]!;
    const res = await yosysRead(r.verilog, spec.name);
    expect(res.ok, res.log).toBe(true);
  });
});
