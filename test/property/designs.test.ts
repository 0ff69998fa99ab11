import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { checkDesign, designText, KINDS, PATTERNS, randomDesign, reproduceCommand } from '../../bench/property-gen.mjs';
import type { Design } from '../../bench/property-gen.mjs';

// The property test, CI size: random designs (every shape, width, signedness, latency, small
// networks) parsed from their file text, compiled, and checked against the independent
// reference model with the netlist simulator; two also through Yosys and its JSON netlist. The
// nightly size (10^5 designs, 100 through Yosys) is `npm run property` (bench/property.mjs);
// the README gives its last figure. Seed 7 here, so that CI covers designs the nightly run
// (seed 1) does not.

const SEED = 7;
const DESIGNS = 240;

describe('property: random designs equal the reference model', () => {
  const designs: Design[] = Array.from({ length: DESIGNS }, (_, i) => randomDesign(lib, SEED, i));

  it('the generator draws every kind, pattern, latency, signedness and networks of 1–4 layers', () => {
    expect(new Set(designs.map((d) => d.kind))).toEqual(new Set(KINDS));
    expect(new Set(designs.map((d) => d.pattern))).toEqual(new Set(PATTERNS));
    expect(new Set(designs.map((d) => d.options.latency))).toEqual(new Set(Array.from({ length: lib.MAX_LATENCY + 1 }, (_, l) => l)));
    expect(new Set(designs.map((d) => d.doc.input.signed))).toEqual(new Set([true, false]));
    expect(new Set(designs.filter((d) => d.kind === 'network').map((d) => d.layers))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('a design is rebuilt from the seed and its index alone, byte for byte', () => {
    for (const i of [0, 17, 123]) expect(designText(randomDesign(lib, SEED, i))).toBe(designText(designs[i]!));
    expect(designText(randomDesign(lib, SEED + 1, 0))).not.toBe(designText(designs[0]!));
  });

  it(`${DESIGNS} designs through the netlist simulator`, async () => {
    const failures: string[] = [];
    for (const d of designs) {
      const r = await checkDesign(lib, SEED, d);
      if (r.failure) failures.push(`${r.failure.stage}: ${r.failure.message} — ${r.failure.command}`);
      else expect(r.vectors).toBe(d.vectors);
    }
    expect(failures).toEqual([]);
  });

  it('two designs through Yosys and the Yosys-JSON simulator', async () => {
    // a network and a matrix with registers
    const pick = [designs.find((d) => d.kind === 'network' && d.options.latency > 0)!, designs.find((d) => d.kind === 'square' && d.options.latency > 0)!];
    for (const d of pick) {
      const r = await checkDesign(lib, SEED, d, { yosys: true });
      expect(r.failure).toBeNull();
      expect(r.yosysVectors).toBe(d.vectors);
    }
  });

  it('the check can fail: a wrong reference or a wrong output is a failure naming a command that repeats it', async () => {
    const d = designs.find((x) => x.kind === 'square' && x.pattern === 'random')!;
    const wrongRef = await checkDesign(lib, SEED, d, { reference: (ref) => (x) => ref(x).map((v, o) => (o === 0 ? v + 1n : v)) });
    expect(wrongRef.failure?.stage).toBe('netlist');
    expect(wrongRef.failure?.message).toMatch(/wrong output values/);
    expect(wrongRef.failure?.command).toBe(reproduceCommand(SEED, d));
    const wrongOut = await checkDesign(lib, SEED, d, { outputs: (ys) => ys.map((y, t) => (t === ys.length - 1 && y ? y.map((v) => v ^ 1n) : y)) });
    expect(wrongOut.failure?.stage).toBe('netlist');
    // the failure's file is the design's input file with the command in its comment: parseable as it is
    const text = wrongOut.failure!.text;
    expect(JSON.parse(text).comment).toContain(reproduceCommand(SEED, d));
    expect(() => lib.parseSpec(text, 'x.json')).not.toThrow();
  });
});
