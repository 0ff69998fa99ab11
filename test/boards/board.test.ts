import { describe, expect, it } from 'vitest';
import { parseBoard, selfTestPorts } from '../../src/boards/board.js';
import type { BoardFamilies, BoardRules } from '../../src/boards/board.js';
import { SpecError } from '../../src/errors.js';
import { boardFamilies } from '../../src/flows/boards.js';

// src/boards knows the board file format and no family: what a family's boards may say comes in
// as rules. The real families' rules come from boardFamilies(); a made-up family shows that
// nothing else is built in.

const FAMILIES = boardFamilies();

/** A valid iCE40 board document; change what a test needs. */
const good = (): Record<string, unknown> => ({
  name: 'demo',
  description: 'a demo board',
  family: 'ice40',
  part: 'iCE40UP5K-SG48',
  device: 'up5k',
  package: 'sg48',
  speed: null,
  clock: { pin: '35', mhz: 12 },
  leds: { pass: { pin: '37', active_low: true }, fail: null, beat: null },
  button: null,
  pll: true,
  io_standard: null,
  sources: ['https://example.com/demo.pcf'],
  notes: '',
});

/** A valid ECP5 board document. */
const goodEcp5 = (): Record<string, unknown> => ({
  ...good(),
  family: 'ecp5',
  part: 'LFE5U-85F-6BG381C',
  device: '85k',
  package: 'CABGA381',
  speed: '6',
  io_standard: 'LVCMOS33',
  clock: { pin: 'G2', mhz: 25 },
  leds: { pass: { pin: 'B2', active_low: false } },
});

function parse(doc: unknown, families: BoardFamilies = FAMILIES) {
  return parseBoard(typeof doc === 'string' ? doc : JSON.stringify(doc), 'demo.json', families);
}

/** The document is refused with a SpecError at `path` whose detail matches `msg`. */
function fails(doc: unknown, path: string, msg: RegExp, families: BoardFamilies = FAMILIES): void {
  let err: unknown;
  try {
    parse(doc, families);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${path} to be refused`).toBeInstanceOf(SpecError);
  expect((err as SpecError).file).toBe('demo.json');
  expect((err as SpecError).jsonPath).toBe(path);
  expect((err as SpecError).detail).toMatch(msg);
  expect((err as SpecError).message).toBe(path === '' ? `demo.json: ${(err as SpecError).detail}` : `demo.json: ${path}: ${(err as SpecError).detail}`);
}

describe('parseBoard: valid documents', () => {
  it('the baseline iCE40 document', () => {
    const b = parse(good());
    expect(b).toEqual({
      name: 'demo',
      description: 'a demo board',
      family: 'ice40',
      part: 'iCE40UP5K-SG48',
      device: 'up5k',
      package: 'sg48',
      speed: null,
      clock: { pin: '35', mhz: 12 },
      leds: { pass: { pin: '37', activeLow: true }, fail: null, beat: null },
      button: null,
      pll: true,
      // the family's default primitive
      pllPrimitive: 'SB_PLL40_CORE',
      ioStandard: null,
      sources: ['https://example.com/demo.pcf'],
      notes: '',
    });
  });

  it('absent optional keys: speed, button, io_standard, notes, fail and beat', () => {
    const d = good();
    for (const k of ['speed', 'button', 'io_standard', 'notes']) delete d[k];
    d.leds = { pass: { pin: '37', active_low: false } };
    const b = parse(d);
    expect(b.speed).toBeNull();
    expect(b.button).toBeNull();
    expect(b.ioStandard).toBeNull();
    expect(b.notes).toBe('');
    expect(b.leds).toEqual({ pass: { pin: '37', activeLow: false }, fail: null, beat: null });
  });

  it('an ECP5 board with a speed grade, its IO standard, a per-pin override and a pull-down', () => {
    const b = parse({ ...goodEcp5(), leds: { pass: { pin: 'B2', active_low: false, io_standard: 'LVCMOS25' } }, button: { pin: 'D6', active_low: false, pull: 'down' } });
    expect(b.speed).toBe('6');
    expect(b.ioStandard).toBe('LVCMOS33');
    expect(b.leds.pass).toEqual({ pin: 'B2', activeLow: false, ioStandard: 'LVCMOS25' });
    expect(b.button).toEqual({ pin: 'D6', activeLow: false, pull: 'down' });
    // ECP5's PLL is not driven by da-gen: no primitive even with "pll": true
    expect(b.pll).toBe(true);
    expect(b.pllPrimitive).toBeNull();
  });

  it('iCE40: pins are package numbers or ball names; pull "up" and "none"; a named PLL primitive', () => {
    const balls = parse({ ...good(), device: 'lp8k', package: 'cm81', clock: { pin: 'B2', mhz: 16 }, leds: { pass: { pin: 'B3', active_low: false } } });
    expect(balls.clock.pin).toBe('B2');
    expect(balls.leds.pass.pin).toBe('B3');
    for (const pull of ['up', 'none'] as const) expect(parse({ ...good(), button: { pin: '10', active_low: true, pull } }).button).toEqual({ pin: '10', activeLow: true, pull });
    expect(parse({ ...good(), pll_primitive: 'SB_PLL40_PAD' }).pllPrimitive).toBe('SB_PLL40_PAD');
    expect(parse({ ...good(), pll: false }).pllPrimitive).toBeNull();
  });
});

describe('parseBoard: malformed documents give a SpecError with the JSON path', () => {
  it('syntax errors and non-objects', () => {
    fails('{"name": "demo",', '', /not valid JSON at line 1/);
    fails('[]', '', /expected a JSON object describing one board/);
    fails('"ice40"', '', /expected a JSON object/);
  });

  it('unknown keys, at the top, in the clock, the LEDs and a pin', () => {
    fails({ ...good(), pins: {} }, 'pins', /unknown key; expected one of/);
    fails({ ...good(), clock: { pin: '35', mhz: 12, hz: 1 } }, 'clock.hz', /unknown key/);
    fails({ ...good(), leds: { pass: { pin: '37', active_low: true }, error: null } }, 'leds.error', /unknown key/);
    fails({ ...good(), leds: { pass: { pin: '37', active_low: true, colour: 'green' } } }, 'leds.pass.colour', /unknown key/);
    // "pull" is for the button only
    fails({ ...good(), leds: { pass: { pin: '37', active_low: true, pull: 'up' } } }, 'leds.pass.pull', /unknown key/);
  });

  it('name, description and part', () => {
    const noName = good();
    delete noName.name;
    fails(noName, 'name', /non-empty string \(the board name\), got nothing/);
    fails({ ...good(), name: '' }, 'name', /non-empty string/);
    fails({ ...good(), name: 7 }, 'name', /non-empty string/);
    fails({ ...good(), name: 'Demo Board' }, 'name', /lowercase/);
    fails({ ...good(), name: 'demo--board' }, 'name', /single hyphens/);
    fails({ ...good(), description: '  ' }, 'description', /non-empty string \(a one-line description\)/);
    const noPart = good();
    delete noPart.part;
    fails(noPart, 'part', /the full part name/);
  });

  it('family, device, package and speed must fit together', () => {
    fails({ ...good(), family: 'xilinx' }, 'family', /"ice40" or "ecp5"/);
    const noFamily = good();
    delete noFamily.family;
    fails(noFamily, 'family', /got nothing/);
    fails({ ...good(), device: 'up9k' }, 'device', /nextpnr-ice40 device flag/);
    fails({ ...good(), device: 'toString' }, 'device', /device flag/);
    fails({ ...good(), package: 'tq144' }, 'package', /package of the ice40 up5k: "uwg30" or "sg48"/);
    fails({ ...good(), speed: '6' }, 'speed', /expected null \(ice40 parts have no speed grade for nextpnr\)/);
    expect(parse(goodEcp5()).speed).toBe('6');
    fails({ ...goodEcp5(), speed: 6 }, 'speed', /ecp5 speed grade as a string/);
    fails({ ...goodEcp5(), speed: '9' }, 'speed', /"6", "7" or "8"/);
    fails({ ...goodEcp5(), speed: undefined }, 'speed', /got nothing/);
    fails({ ...goodEcp5(), package: 'sg48' }, 'package', /CABGA381/);
    fails({ ...goodEcp5(), device: 'up5k' }, 'device', /nextpnr-ecp5 device flag/);
  });

  it('io_standard: required and well formed for ECP5, absent or null for iCE40', () => {
    fails({ ...goodEcp5(), io_standard: undefined }, 'io_standard', /got nothing/);
    fails({ ...goodEcp5(), io_standard: 'lvcmos33' }, 'io_standard', /IO_TYPE name such as "LVCMOS33"/);
    fails({ ...goodEcp5(), leds: { pass: { pin: 'B2', active_low: false, io_standard: 3.3 } } }, 'leds.pass.io_standard', /IO_TYPE name/);
    fails({ ...good(), io_standard: 'LVCMOS33' }, 'io_standard', /expected null \(ice40 constraint files carry no IO standard\)/);
    fails({ ...good(), leds: { pass: { pin: '37', active_low: true, io_standard: 'LVCMOS33' } } }, 'leds.pass.io_standard', /ice40 boards give no IO standard per pin/);
  });

  it('the clock: an object with a pin and a frequency above 0 and at most 1000 MHz', () => {
    const noClock = good();
    delete noClock.clock;
    fails(noClock, 'clock', /expected an object \{"pin": string, "mhz": number\}, got nothing/);
    fails({ ...good(), clock: 12 }, 'clock', /expected an object/);
    fails({ ...good(), clock: { pin: '35', mhz: 0 } }, 'clock.mhz', /above 0/);
    fails({ ...good(), clock: { pin: '35', mhz: -12 } }, 'clock.mhz', /above 0/);
    fails({ ...good(), clock: { pin: '35', mhz: 1001 } }, 'clock.mhz', /at most 1000/);
    fails({ ...good(), clock: { pin: '35', mhz: '12' } }, 'clock.mhz', /a number/);
    fails({ ...good(), clock: { pin: '35' } }, 'clock.mhz', /got nothing/);
    fails({ ...good(), clock: { mhz: 12 } }, 'clock.pin', /package pin number such as "35"/);
  });

  it('the LEDs: an object with a pass LED; pins are objects with a pin and active_low', () => {
    const noLeds = good();
    delete noLeds.leds;
    fails(noLeds, 'leds', /got nothing/);
    fails({ ...good(), leds: [] }, 'leds', /expected an object \{"pass": pin/);
    fails({ ...good(), leds: { fail: null } }, 'leds.pass', /every board needs a pass LED, got nothing/);
    fails({ ...good(), leds: { pass: null } }, 'leds.pass', /every board needs a pass LED, got null/);
    fails({ ...good(), leds: { pass: '37' } }, 'leds.pass', /expected an object \{"pin": string, "active_low": true\|false\}/);
    fails({ ...good(), leds: { pass: { pin: '37' } } }, 'leds.pass.active_low', /got nothing/);
    fails({ ...good(), leds: { pass: { pin: '37', active_low: 'yes' } } }, 'leds.pass.active_low', /expected true/);
    fails({ ...good(), leds: { pass: { active_low: true } } }, 'leds.pass.pin', /got nothing/);
    fails({ ...good(), leds: { pass: { pin: '37', active_low: true }, beat: { pin: '26' } } }, 'leds.beat.active_low', /got nothing/);
    fails({ ...good(), button: { pin: '10' } }, 'button.active_low', /got nothing/);
    fails({ ...good(), button: true }, 'button', /expected an object/);
  });

  it('pins: the family pattern, one port per pin, the family pulls', () => {
    // iCE40 pins: 1-3 digits or a ball name; ECP5 pins: ball names only
    fails({ ...good(), leds: { pass: { pin: '1234', active_low: true } } }, 'leds.pass.pin', /package pin number such as "35" or a ball name such as "B2"/);
    fails({ ...good(), leds: { pass: { pin: 'b3', active_low: true } } }, 'leds.pass.pin', /got the string "b3"/);
    fails({ ...good(), leds: { pass: { pin: 37, active_low: true } } }, 'leds.pass.pin', /got number 37/);
    fails({ ...goodEcp5(), clock: { pin: '35', mhz: 25 } }, 'clock.pin', /ball name such as "G2"/);
    // every port needs its own pin, whichever ports share it
    fails({ ...good(), leds: { pass: { pin: '37', active_low: true }, fail: { pin: '35', active_low: true } } }, 'leds.fail.pin', /pin "35" is already used by clock\.pin; every port needs its own pin/);
    fails({ ...good(), leds: { pass: { pin: '37', active_low: true }, beat: { pin: '37', active_low: true } } }, 'leds.beat.pin', /already used by leds\.pass\.pin/);
    fails({ ...good(), button: { pin: '37', active_low: true } }, 'button.pin', /already used by leds\.pass\.pin/);
    // pulls: iCE40 has pull-ups only; ECP5 has up, down and none
    fails({ ...good(), button: { pin: '10', active_low: true, pull: 'down' } }, 'button.pull', /"up" or "none" \(iCE40 pins have pull-ups only\), got the string "down"/);
    fails({ ...goodEcp5(), button: { pin: 'D6', active_low: false, pull: 'sideways' } }, 'button.pull', /"up", "down" or "none", got/);
    fails({ ...goodEcp5(), button: { pin: 'D6', active_low: false, pull: true } }, 'button.pull', /got true|got boolean/);
  });

  it('pll and pll_primitive', () => {
    fails({ ...good(), pll: 'yes' }, 'pll', /expected true or false/);
    fails({ ...good(), pll: undefined }, 'pll', /got nothing/);
    fails({ ...good(), pll_primitive: 'SB_PLL40_2F_CORE' }, 'pll_primitive', /"SB_PLL40_CORE" or "SB_PLL40_PAD"/);
    fails({ ...good(), pll: false, pll_primitive: 'SB_PLL40_PAD' }, 'pll_primitive', /only a board with "pll": true/);
    fails({ ...goodEcp5(), pll_primitive: 'EHXPLLL' }, 'pll_primitive', /whose PLL da-gen drives .*\(ecp5 has none\)/);
  });

  it('sources and notes', () => {
    fails({ ...good(), sources: [] }, 'sources', /non-empty array of https:\/\/ URLs.*got an empty array/);
    fails({ ...good(), sources: 'https://example.com' }, 'sources', /non-empty array/);
    fails({ ...good(), sources: undefined }, 'sources', /got nothing/);
    fails({ ...good(), sources: ['https://example.com/a', 'ftp://example.com/b'] }, 'sources[1]', /https:\/\/ URL/);
    fails({ ...good(), sources: ['https://localhost/a'] }, 'sources[0]', /https:\/\/ URL/);
    fails({ ...good(), sources: [42] }, 'sources[0]', /https:\/\/ URL/);
    fails({ ...good(), notes: null }, 'notes', /expected a string/);
  });
});

describe("parseBoard knows no family: the rules passed in decide", () => {
  // a made-up family with its own devices, pin names, speed grades, pulls and PLL
  const demo: BoardRules = {
    devices: { d1: ['p1', 'p2'], d2: ['p3'] },
    pinPattern: /^P[0-9]{2}$/,
    pinShape: 'a pad such as "P07"',
    speeds: ['fast', 'slow'],
    ioStandards: false,
    pulls: ['down'],
    pullNote: ' (demo pads pull down only)',
    pllPrimitives: ['DEMO_PLL', 'DEMO_PLL_PAD'],
  };
  const fams: BoardFamilies = { demo };
  const doc = (): Record<string, unknown> => ({
    name: 'demo-board',
    description: 'a board of a made-up family',
    family: 'demo',
    part: 'DEMO-1',
    device: 'd1',
    package: 'p2',
    speed: 'fast',
    clock: { pin: 'P01', mhz: 50 },
    leds: { pass: { pin: 'P02', active_low: false }, fail: { pin: 'P03', active_low: true } },
    button: { pin: 'P04', active_low: true, pull: 'down' },
    pll: true,
    sources: ['https://example.com/demo'],
  });

  it('a board of the made-up family is read with its rules', () => {
    const b = parse(doc(), fams);
    expect(b.family).toBe('demo');
    expect([b.device, b.package, b.speed]).toEqual(['d1', 'p2', 'fast']);
    expect(b.clock).toEqual({ pin: 'P01', mhz: 50 });
    expect(b.button).toEqual({ pin: 'P04', activeLow: true, pull: 'down' });
    expect(b.pllPrimitive).toBe('DEMO_PLL');
    expect(b.ioStandard).toBeNull();
    expect(parse({ ...doc(), pll_primitive: 'DEMO_PLL_PAD' }, fams).pllPrimitive).toBe('DEMO_PLL_PAD');
  });

  it('its rules, and only its rules, are enforced', () => {
    fails({ ...doc(), family: 'ice40' }, 'family', /expected "demo", got the string "ice40"/, fams);
    fails({ ...doc(), device: 'up5k' }, 'device', /nextpnr-demo device flag: "d1" or "d2"/, fams);
    fails({ ...doc(), device: 'd2' }, 'package', /package of the demo d2: "p3"/, fams);
    fails({ ...doc(), speed: '6' }, 'speed', /demo speed grade as a string, "fast" or "slow"/, fams);
    fails({ ...doc(), clock: { pin: '35', mhz: 50 } }, 'clock.pin', /expected a pad such as "P07", got the string "35"/, fams);
    fails({ ...doc(), button: { pin: 'P04', active_low: true, pull: 'up' } }, 'button.pull', /expected "down" \(demo pads pull down only\)/, fams);
    fails({ ...doc(), pll_primitive: 'SB_PLL40_PAD' }, 'pll_primitive', /"DEMO_PLL" or "DEMO_PLL_PAD"/, fams);
    fails({ ...doc(), io_standard: 'LVCMOS33' }, 'io_standard', /demo constraint files carry no IO standard/, fams);
    fails({ ...doc(), leds: { pass: { pin: 'P02', active_low: false, io_standard: 'LVCMOS33' } } }, 'leds.pass.io_standard', /demo boards give no IO standard per pin/, fams);
  });

  it('a family whose boards give IO standards and no speed grade, with no PLL', () => {
    const other: BoardFamilies = { demo: { ...demo, speeds: null, ioStandards: true, pllPrimitives: null } };
    const d = { ...doc(), speed: null, io_standard: 'LVDS' };
    const b = parse(d, other);
    expect(b.speed).toBeNull();
    expect(b.ioStandard).toBe('LVDS');
    expect(b.pllPrimitive).toBeNull();
    fails({ ...d, speed: 'fast' }, 'speed', /expected null \(demo parts have no speed grade for nextpnr\)/, other);
    fails({ ...d, io_standard: undefined }, 'io_standard', /got nothing/, other);
    fails({ ...d, pll_primitive: 'DEMO_PLL' }, 'pll_primitive', /\(demo has none\)/, other);
  });

  it('with no families at all, every board is refused at its family', () => {
    fails(good(), 'family', /got the string "ice40"/, {});
  });
});

describe('selfTestPorts', () => {
  it('clk, the LEDs the board has and the button, in port order, with their pins and polarity', () => {
    const b = parse({ ...good(), leds: { pass: { pin: '37', active_low: true }, beat: { pin: '26', active_low: false } }, button: { pin: '10', active_low: true, pull: 'up' } });
    expect(selfTestPorts(b)).toEqual([
      { name: 'clk', direction: 'input', pin: '35', activeLow: false, ioStandard: null, pull: null },
      { name: 'led_pass', direction: 'output', pin: '37', activeLow: true, ioStandard: null, pull: null },
      { name: 'led_beat', direction: 'output', pin: '26', activeLow: false, ioStandard: null, pull: null },
      { name: 'btn', direction: 'input', pin: '10', activeLow: true, ioStandard: null, pull: 'up' },
    ]);
  });

  it("a pin's own IO standard overrides the board's; the others inherit it", () => {
    const b = parse({
      ...goodEcp5(),
      leds: { pass: { pin: 'B2', active_low: false }, fail: { pin: 'C3', active_low: false, io_standard: 'LVCMOS25' } },
      button: { pin: 'D6', active_low: false },
    });
    expect(selfTestPorts(b).map((p) => [p.name, p.ioStandard, p.pull])).toEqual([
      ['clk', 'LVCMOS33', null],
      ['led_pass', 'LVCMOS33', null],
      ['led_fail', 'LVCMOS25', null],
      ['btn', 'LVCMOS33', null],
    ]);
  });
});
