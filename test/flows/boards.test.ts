import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selfTestPorts } from '../../src/boards/board.js';
import type { Board } from '../../src/boards/board.js';
import { BOARDS_DIR, boardNames } from '../../src/boards/index.js';
import { UsageError } from '../../src/errors.js';
import { boardFamilies, boardFamily, boardsTable, constraintsFor, loadBoard, loadBoards } from '../../src/flows/boards.js';
import { familyNamed } from '../../src/platform/index.js';
import { findTool } from '../../src/toolchain/tool.js';
import type { ToolName, ToolRun } from '../../src/toolchain/tool.js';

const SLOW = 300_000;

const names = boardNames();
const boards = loadBoards();
const ice40 = boards.filter((b) => b.family === 'ice40');
const ecp5 = boards.filter((b) => b.family === 'ecp5');

/** A tiny top with exactly the board's self-test ports: a counter on clk drives the LEDs, the button is XORed in. */
function topVerilog(b: Board): string {
  const ports = selfTestPorts(b);
  const decl = ports.map((p) => `${p.direction} wire ${p.name}`).join(', ');
  const btn = ports.some((p) => p.name === 'btn') ? ' ^ btn' : '';
  const body = ports
    .filter((p) => p.direction === 'output')
    .map((p, k) => `  assign ${p.name} = n[${23 - k}]${k === 0 ? btn : ''};`)
    .join('\n');
  return `module top(${decl});\n  reg [23:0] n = 0;\n  always @(posedge clk) n <= n + 1'b1;\n${body}\nendmodule\n`;
}

/** The part's arguments to nextpnr. */
function nextpnrDeviceArgs(b: Board): string[] {
  return [`--${b.device}`, '--package', b.package, ...(b.speed ? ['--speed', b.speed] : [])];
}

/** Run a tool (WebAssembly or native, as found). */
function runTool(name: ToolName, args: string[], files: Record<string, string>, outputs: string[], opts: { timeoutSeconds: number }): Promise<ToolRun> {
  const t = findTool(name);
  if (t === null) throw new Error(`${name} is not installed`);
  return t.run(args, files, outputs, opts);
}

/** Yosys netlists of each board's top, made once and shared by the tests that place them. */
const netlists = new Map<string, Promise<string>>();
function netlist(b: Board): Promise<string> {
  let p = netlists.get(b.name);
  if (!p) {
    p = runTool('yosys', ['-q', '-p', 'read_verilog top.v; synth_ice40 -top top -json top.json'], { 'top.v': topVerilog(b) }, ['top.json'], { timeoutSeconds: 300 }).then((r) => {
      if (!r.ok || r.files['top.json'] === undefined) throw new Error(`yosys failed for ${b.name}:\n${r.stderr}`);
      return r.files['top.json'];
    });
    netlists.set(b.name, p);
  }
  return p;
}

/** nextpnr-ice40 on the board's device and package with the given .pcf, without --pcf-allow-unconstrained. */
async function place(b: Board, pcf: string): Promise<{ ok: boolean; log: string }> {
  const json = await netlist(b);
  const r = await runTool('nextpnr-ice40', [...nextpnrDeviceArgs(b), '--json', 'top.json', '--pcf', 'top.pcf', '--quiet'], { 'top.json': json, 'top.pcf': pcf }, [], { timeoutSeconds: 300 });
  return { ok: r.ok, log: `${r.stdout}\n${r.stderr}` };
}

describe('board files', () => {
  it('there are board files, one per expected board', () => {
    expect(names).toEqual(['icebreaker', 'icestick', 'orangecrab', 'tinyfpga-bx', 'ulx3s']);
    expect(readdirSync(BOARDS_DIR).filter((f) => f.endsWith('.json')).length).toBe(names.length);
  });

  it('every board loads, with a unique name equal to its file name', () => {
    expect(boards.map((b) => b.name)).toEqual(names);
    expect(new Set(boards.map((b) => b.name)).size).toBe(boards.length);
    for (const n of names) expect(loadBoard(n).name).toBe(n);
  });

  it.each(names)('%s: pass LED, a positive clock, a known family/device/package, sources', (n) => {
    const b = loadBoard(n);
    expect(b.leds.pass).not.toBeNull();
    expect(b.leds.pass.pin).toMatch(/\S/);
    expect(b.clock.mhz).toBeGreaterThan(0);
    expect(['ice40', 'ecp5']).toContain(b.family);
    const rules = familyNamed(b.family)!.boards!.rules;
    expect(Object.keys(rules.devices)).toContain(b.device);
    expect(rules.devices[b.device]).toContain(b.package);
    expect(boardFamily(b).name).toBe(b.family);
    if (b.family === 'ecp5') {
      expect(['6', '7', '8']).toContain(b.speed);
      expect(b.ioStandard).toMatch(/^[A-Z][A-Z0-9_]*$/);
    } else {
      expect(b.speed).toBeNull();
      expect(b.ioStandard).toBeNull();
    }
    expect(b.sources.length).toBeGreaterThan(0);
    for (const s of b.sources) expect(s).toMatch(/^https:\/\//);
    const pins = selfTestPorts(b).map((p) => p.pin);
    expect(new Set(pins).size).toBe(pins.length);
  });

  it('the boards the project promises have the documented parts and clocks', () => {
    const facts = Object.fromEntries(boards.map((b) => [b.name, [b.part, b.device, b.package, b.speed, b.clock.mhz]]));
    expect(facts).toEqual({
      icebreaker: ['iCE40UP5K-SG48', 'up5k', 'sg48', null, 12],
      icestick: ['iCE40HX1K-TQ144', 'hx1k', 'tq144', null, 12],
      orangecrab: ['LFE5U-25F-8MG285C', '25k', 'CSFBGA285', '8', 48],
      'tinyfpga-bx': ['iCE40LP8K-CM81', 'lp8k', 'cm81', null, 16],
      ulx3s: ['LFE5U-85F-6BG381C', '85k', 'CABGA381', '6', 25],
    });
  });

  it('an unknown board name is a UsageError listing the known boards', () => {
    expect(() => loadBoard('no-such-board')).toThrow(UsageError);
    expect(() => loadBoard('no-such-board')).toThrow(/known boards: icebreaker, icestick, orangecrab, tinyfpga-bx, ulx3s/);
    expect(() => loadBoard('../package')).toThrow(UsageError);
  });

  it('boardFamilies gives the rules of exactly the families that have boards', () => {
    const fams = boardFamilies();
    expect(Object.keys(fams).sort()).toEqual(['ecp5', 'ice40']);
    for (const [name, rules] of Object.entries(fams)) expect(rules).toBe(familyNamed(name)!.boards!.rules);
  });

  it("boardFamily gives a board's family, and refuses a family without boards", () => {
    for (const b of boards) expect(boardFamily(b).boards.rules).toBe(boardFamilies()[b.family]);
    expect(() => boardFamily({ ...loadBoard('icebreaker'), family: 'generic' })).toThrow(/internal: board icebreaker names the family generic, which has no boards/);
  });
});

describe('constraint files', () => {
  it('are deterministic and named after the board', () => {
    for (const b of boards) {
      const c = constraintsFor(b);
      expect(c).toEqual(constraintsFor(loadBoard(b.name)));
      expect(c.fileName).toBe(`${b.name}.${b.family === 'ice40' ? 'pcf' : 'lpf'}`);
      expect(c.text.endsWith('\n')).toBe(true);
    }
  });

  it('the iCEBreaker .pcf is exactly one set_io per port', () => {
    expect(constraintsFor(loadBoard('icebreaker')).text).toBe('set_io clk 35\nset_io led_pass 37\nset_io led_fail 11\nset_io led_beat 26\nset_io btn 10\n');
    expect(constraintsFor(loadBoard('tinyfpga-bx')).text).toBe('set_io clk B2\nset_io led_pass B3\n');
  });

  it('a button asking for a pull-up gets -pullup yes on iCE40 and PULLMODE on ECP5', () => {
    const ib = loadBoard('icebreaker');
    const withPull: Board = { ...ib, button: { ...ib.button!, pull: 'up' } };
    expect(constraintsFor(withPull).text).toContain('set_io -pullup yes btn 10\n');
    const ulx = loadBoard('ulx3s');
    expect(constraintsFor(ulx).text).toContain('IOBUF PORT "btn" IO_TYPE=LVCMOS33 PULLMODE=DOWN;\n');
  });
});

describe.each(ice40.map((b) => [b.name, b] as const))('iCE40 %s: the pins exist on the package (nextpnr-ice40)', (_name, b) => {
  const pcf = constraintsFor(b).text;

  // (the iCEBreaker's and the iCEstick's self-tests are placed whole in board-build.test.ts)
  it.runIf(b.name !== 'icebreaker' && b.name !== 'icestick')('the self-test top places with the board .pcf and no unconstrained IO allowed', async () => {
    const r = await place(b, pcf);
    expect(r.log).not.toMatch(/ERROR/);
    expect(r.log).not.toMatch(/unmatched constraint/);
    expect(r.ok).toBe(true);
  }, SLOW);

  // how nextpnr refuses a bad .pcf does not depend on the board: one board shows it
  it.runIf(b === ice40[0])('the same fails with a pin that does not exist on the package, or with a port left out', async () => {
    const bogus = /^[0-9]+$/.test(b.leds.pass.pin) ? '999' : 'Z99';
    const bad = pcf.replace(`set_io led_pass ${b.leds.pass.pin}\n`, `set_io led_pass ${bogus}\n`);
    expect(bad).not.toBe(pcf);
    const r = await place(b, bad);
    expect(r.ok).toBe(false);
    expect(r.log).toMatch(new RegExp(`does not have a pin named '${bogus}'`));

    const missing = pcf.replace(`set_io led_pass ${b.leds.pass.pin}\n`, '');
    const m = await place(b, missing);
    expect(m.ok).toBe(false);
    expect(m.log).toMatch(/'led_pass' is unconstrained/);
  }, SLOW);
});

/**
 * "pll": true on an iCE40 board: a PLL fed from the board clock places. Which primitive works
 * depends on whether the clock pin is a PLL pad (the iCEBreaker's pin 35 is; the others are not).
 */
const PLL_PRIMITIVE: Record<string, 'SB_PLL40_PAD' | 'SB_PLL40_CORE'> = {
  icebreaker: 'SB_PLL40_PAD',
  icestick: 'SB_PLL40_CORE',
  'tinyfpga-bx': 'SB_PLL40_CORE',
};

describe.each(ice40.filter((b) => b.pll).map((b) => [b.name, b] as const))('iCE40 %s: "pll": true holds', (_name, b) => {
  it('a PLL fed from clk places with the board .pcf', async () => {
    const prim = PLL_PRIMITIVE[b.name];
    expect(prim, `add ${b.name} to PLL_PRIMITIVE`).toBeDefined();
    // the board file names the primitive that places (SB_PLL40_CORE by default)
    expect(b.pllPrimitive).toBe(prim);
    const ports = selfTestPorts(b);
    const decl = ports.map((p) => `${p.direction} wire ${p.name}`).join(', ');
    const outs = ports.filter((p) => p.direction === 'output');
    const btn = ports.some((p) => p.name === 'btn') ? ' ^ btn' : '';
    const ref = prim === 'SB_PLL40_PAD' ? '.PACKAGEPIN(clk)' : '.REFERENCECLK(clk)';
    const v = [
      `module top(${decl});`,
      '  wire fast;',
      `  ${prim} #(.FEEDBACK_PATH("SIMPLE"), .DIVR(4'd0), .DIVF(7'd47), .DIVQ(3'd4), .FILTER_RANGE(3'd1))`,
      `    pll (${ref}, .PLLOUTGLOBAL(fast), .RESETB(1'b1), .BYPASS(1'b0));`,
      '  reg [23:0] n = 0;',
      "  always @(posedge fast) n <= n + 1'b1;",
      ...outs.map((p, k) => `  assign ${p.name} = n[${23 - k}]${k === 0 ? btn : ''};`),
      'endmodule',
      '',
    ].join('\n');
    const y = await runTool('yosys', ['-q', '-p', 'read_verilog top.v; synth_ice40 -top top -json top.json'], { 'top.v': v }, ['top.json'], { timeoutSeconds: 300 });
    expect(y.ok, y.stderr).toBe(true);
    const r = await runTool('nextpnr-ice40', [...nextpnrDeviceArgs(b), '--json', 'top.json', '--pcf', 'top.pcf', '--quiet'], { 'top.json': y.files['top.json']!, 'top.pcf': constraintsFor(b).text }, [], { timeoutSeconds: 300 });
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/ERROR/);
    expect(r.ok).toBe(true);
  }, SLOW);
});

const LPF_LINE = {
  locate: /^LOCATE COMP "([a-z_]+)" SITE "([A-Z]{1,2}[0-9]{1,2})";$/,
  iobuf: /^IOBUF PORT "([a-z_]+)" IO_TYPE=([A-Z][A-Z0-9_]*)(?: PULLMODE=(UP|DOWN|NONE))?;$/,
  frequency: /^FREQUENCY PORT "([a-z_]+)" ([0-9]+(?:\.[0-9]+)?) MHZ;$/,
};

describe.each(ecp5.map((b) => [b.name, b] as const))('ECP5 %s: the .lpf is well formed', (_name, b) => {
  it('every line is a LOCATE, IOBUF or FREQUENCY line, every port is located on a ball', () => {
    const text = constraintsFor(b).text;
    const located = new Map<string, string>();
    const iobuf = new Map<string, string>();
    const freq = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let m: RegExpExecArray | null;
      if ((m = LPF_LINE.locate.exec(line))) {
        expect(located.has(m[1]!)).toBe(false);
        located.set(m[1]!, m[2]!);
      } else if ((m = LPF_LINE.iobuf.exec(line))) {
        expect(iobuf.has(m[1]!)).toBe(false);
        iobuf.set(m[1]!, m[2]!);
      } else if ((m = LPF_LINE.frequency.exec(line))) {
        freq.set(m[1]!, Number(m[2]));
      } else {
        expect.fail(`unexpected .lpf line: ${JSON.stringify(line)}`);
      }
    }
    const ports = selfTestPorts(b);
    expect([...located.keys()].sort()).toEqual(ports.map((p) => p.name).sort());
    expect([...iobuf.keys()].sort()).toEqual(ports.map((p) => p.name).sort());
    for (const p of ports) {
      expect(located.get(p.name)).toBe(p.pin);
      expect(p.pin).toMatch(/^[A-Z]{1,2}[0-9]{1,2}$/);
    }
    expect(new Set(located.values()).size).toBe(located.size);
    expect([...freq.entries()]).toEqual([['clk', b.clock.mhz]]);
  });
});

describe('boardsTable', () => {
  it('lists every board with its part and clock', () => {
    const t = boardsTable();
    const lines = t.trimEnd().split('\n');
    expect(lines.length).toBe(boards.length + 2);
    expect(lines[0]).toMatch(/^board +part +clock +LEDs +button +place and route here$/);
    expect(lines[1]).toMatch(/^-+( +-+){5}$/);
    for (const b of boards) {
      const row = lines.find((l) => l.startsWith(`${b.name} `));
      expect(row, b.name).toBeDefined();
      expect(row).toContain(b.part);
      expect(row).toContain(`${b.clock.mhz} MHz`);
      expect(row).toContain(b.family === 'ice40' ? 'yes (WebAssembly nextpnr-ice40)' : 'native nextpnr-ecp5');
    }
  });
});
