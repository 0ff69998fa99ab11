import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chooseLatency } from '../../src/flows/auto-latency.js';
import { buildForBoard } from '../../src/flows/board-build.js';
import { loadBoard } from '../../src/flows/boards.js';
import { compile } from '../../src/flows/compile.js';
import { synthesizeTargets } from '../../src/flows/synthesize.js';
import { checkTargets, familyNamed, timedTargets } from '../../src/platform/index.js';
import { findTool } from '../../src/toolchain/tool.js';
import { matrixCase } from '../helpers/random.js';

// No nextpnr-ecp5 exists on npm or in Debian, so the native path is tested with a stand-in on
// PATH: a script that checks what it is given (a Yosys ECP5 netlist of the wrapper and its
// arguments) and answers as nextpnr does, with a --report JSON. The real WebAssembly Yosys runs,
// once per distinct input: tiny at latency 1, alone and in the wrapper, is the same Yosys run in
// three of the tests below (synth_ecp5 does not depend on the device), so the later ones reuse
// its netlist (test/helpers/yosys-once.ts); the stand-ins run every time.
vi.mock('../../src/toolchain/tool.js', async (original) => (await import('../helpers/yosys-once.js')).withYosysOnce(await original()));

const tiny = matrixCase('tiny', { width: 6, signed: true }, [[3n, -5n, 7n], [12n, 7n, -1n], [0n, 9n, 5n]]);

const STANDIN = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('nextpnr-ecp5 -- stand-in 0.0'); process.exit(0); }
fs.writeFileSync(process.env.DA_GEN_STANDIN_LOG, JSON.stringify({ args, cwd: process.cwd() }));
const at = (flag) => args[args.indexOf(flag) + 1];
const net = JSON.parse(fs.readFileSync(at('--json'), 'utf8'));
const types = new Set();
for (const m of Object.values(net.modules)) for (const c of Object.values(m.cells)) types.add(c.type);
if (!(net.modules.da_gen_top || net.modules.da_gen_selftest) || !types.has('TRELLIS_FF') || !types.has('LUT4')) { console.error('ERROR: not an ECP5 netlist of the wrapper'); process.exit(1); }
if (process.env.DA_GEN_STANDIN_FAIL) { console.error('ERROR: Unable to place cell core.a1 (stand-in)'); process.exit(1); }
fs.writeFileSync(at('--report'), JSON.stringify({ fmax: { '$glbnet$clk': { achieved: 87.5, constraint: Number(at('--freq')) } } }));
if (args.includes('--textcfg')) {
  if (!args.includes('--lpf') || !fs.readFileSync(at('--lpf'), 'utf8').includes('LOCATE COMP "clk"')) { console.error('ERROR: no board constraints'); process.exit(1); }
  fs.writeFileSync(at('--textcfg'), '.device LFE5U-85F\\n(stand-in config)\\n');
}
`;

// ecppack stand-in: the config in, a "bitstream" out
const ECPPACK = `#!/usr/bin/env node
const fs = require('node:fs');
const [cfg, bit] = process.argv.slice(2);
if (process.argv[2] === '--help') process.exit(0);
const text = fs.readFileSync(cfg, 'utf8');
if (!text.startsWith('.device')) process.exit(1);
fs.writeFileSync(bit, Buffer.from([0xff, 0x00, 0x4c, 0x53, 0x43, 0x43]));
`;

describe('ECP5 place and route with a native nextpnr-ecp5 on PATH (stand-in)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-standin-'));
  const log = join(dir, 'log.json');
  const oldPath = process.env['PATH'];
  beforeAll(() => {
    writeFileSync(join(dir, 'nextpnr-ecp5'), STANDIN);
    chmodSync(join(dir, 'nextpnr-ecp5'), 0o755);
    writeFileSync(join(dir, 'ecppack'), ECPPACK);
    chmodSync(join(dir, 'ecppack'), 0o755);
    process.env['PATH'] = `${dir}:${oldPath}`;
    process.env['DA_GEN_STANDIN_LOG'] = log;
  });
  afterAll(() => {
    process.env['PATH'] = oldPath;
    delete process.env['DA_GEN_STANDIN_LOG'];
    delete process.env['DA_GEN_STANDIN_FAIL'];
    rmSync(dir, { recursive: true, force: true });
  });

  it('is found, run on the wrapper netlist with the part, clock and seed, and its Fmax is read', async () => {
    const tool = findTool('nextpnr-ecp5');
    expect(tool?.kind).toBe('native');
    expect(tool?.origin).toBe('nextpnr-ecp5');
    expect(tool?.version()).toBe('nextpnr-ecp5 -- stand-in 0.0');
    // with it, the ECP5 targets' timing is measurable
    expect(timedTargets(checkTargets(['generic', 'ecp5-25k', 'ecp5-85k'])).map((t) => t.name)).toEqual(['ecp5-25k', 'ecp5-85k']);
    expect(familyNamed('ecp5')!.pnr!.here()).toBe('yes (native nextpnr-ecp5)');
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('da-gen-nextpnr-ecp5-'));
    const r = compile(tiny, { latency: 1 });
    const flow = await synthesizeTargets(r, { targets: ['ecp5-25k'], clockMhz: 50, seed: 7, timeoutSeconds: 300 });
    const t = flow.targets[0]!;
    expect(t.fmax_mhz).toBe(87.5);
    expect(t.note).toBeNull();
    expect(t.place_and_route).toBe('nextpnr-ecp5 (native: nextpnr-ecp5 -- stand-in 0.0)');
    expect(flow.tools['nextpnr-ecp5']).toMatch(/stand-in 0.0 \(native, on PATH\)/);
    expect(t.flow).toMatch(/nextpnr-ecp5 --25k --package CABGA381 --speed 6 .*--freq 50 --seed 7 \(native\)/);
    // the wrapper's cells are counted apart from the core's
    expect(Object.keys(t.wrapper_cells!)).toContain('TRELLIS_FF');
    expect(Object.keys(t.wrapper_cells!)).not.toContain('tiny');
    const seen = JSON.parse(readFileSync(log, 'utf8')) as { args: string[]; cwd: string };
    expect(seen.args).toEqual(expect.arrayContaining(['--25k', '--freq', '50', '--seed', '7', '--timing-allow-fail']));
    // it ran in a temporary directory of its own, gone afterwards
    expect(basename(seen.cwd)).toMatch(/^da-gen-nextpnr-ecp5-/);
    expect(existsSync(seen.cwd)).toBe(false);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('da-gen-nextpnr-ecp5-'))).toEqual(before);
  }, 300_000);

  it('--latency auto uses it for timing', async () => {
    // the stand-in answers 87.5 MHz for any design: one rank meets 50 MHz, none meets 100
    const met = await chooseLatency(tiny, {}, checkTargets(['ecp5-25k'])[0]!, 50, { timeoutSeconds: 300 });
    expect(met.latency).toBe(1);
    expect(met.met).toBe(true);
    expect(met.target.name).toBe('ecp5-25k');
    expect(met.tried).toEqual([{ latency: 1, fmaxMhz: 87.5, note: null }]);
    expect(met.method).toBe('place and route on ecp5-25k with nextpnr-ecp5 (native: nextpnr-ecp5 -- stand-in 0.0), seed 1');
  }, 300_000);

  it('da-gen build for an ECP5 board places and routes with the board constraints and packs a bitstream', async () => {
    const res = await buildForBoard(tiny, loadBoard('ulx3s'), { latency: 1, vectors: 100, timeoutSeconds: 300 });
    const t = res.report.targets[0]!;
    expect(t.place_and_route).toBe('nextpnr-ecp5 (native: nextpnr-ecp5 -- stand-in 0.0)');
    expect(t.fmax_mhz).toBe(87.5);
    expect(t.timing_met).toBe(true);
    expect(t.clock_mhz).toBe(25);
    expect([...(res.files['tiny_ulx3s.bit'] as Uint8Array)]).toEqual([0xff, 0x00, 0x4c, 0x53, 0x43, 0x43]);
    expect(res.files['tiny_ulx3s.config']).toContain('.device LFE5U-85F');
    const seen = JSON.parse(readFileSync(log, 'utf8')) as { args: string[] };
    expect(seen.args).toEqual(expect.arrayContaining(['--85k', '--package', 'CABGA381', '--speed', '6', '--lpf', 'ulx3s.lpf', '--freq', '25']));
    expect(res.notes.join('\n')).toMatch(/bitstream tiny_ulx3s\.bit \(ecppack \(native: /);
    expect(Object.keys(res.report.tools)).toEqual(expect.arrayContaining(['yosys', 'nextpnr-ecp5', 'ecppack']));
  }, 300_000);

  it('a failed run is written into the note', async () => {
    process.env['DA_GEN_STANDIN_FAIL'] = '1';
    try {
      const r = compile(tiny, { latency: 1 });
      const flow = await synthesizeTargets(r, { targets: ['ecp5-85k'], timeoutSeconds: 300 });
      const t = flow.targets[0]!;
      expect(t.fmax_mhz ?? null).toBeNull();
      expect(t.note).toBe('place and route failed: Unable to place cell core.a1 (stand-in)');
    } finally {
      delete process.env['DA_GEN_STANDIN_FAIL'];
    }
  }, 300_000);
});
