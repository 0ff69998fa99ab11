import { SpecError } from '../errors.js';
import { describe, isObject, keyPath, parseJson, quoteList, quoteOr } from '../spec/json.js';

/**
 * FPGA boards: one JSON file per board in the repository's `boards/` folder, giving the part,
 * the nextpnr device and package, and the pins of the self-test's clock, indicator LEDs and
 * button. The self-test top module has ports named exactly `clk` (input), `led_pass`,
 * `led_fail`, `led_beat` (outputs, only those whose LED is not null) and `btn` (input, only when
 * the board has a button); its family (src/platform) writes the matching constraint file.
 *
 * This folder knows the format and none of the families: what a family's boards may say
 * (devices and packages, pin names, speed grades, IO standards, pulls, PLL primitives) comes in
 * as `BoardRules` from the family.
 *
 * File format (`boards/<name>.json`; JSON keys are snake_case, the `Board` fields camelCase):
 *
 *   name         string, lowercase letters, digits and single hyphens; equals the file's name
 *   description  string
 *   family       a family that has boards ("ice40", "ecp5")
 *   part         string, the full part name ("iCE40UP5K-SG48", "LFE5U-85F-6BG381C")
 *   device       nextpnr device flag without "--", one of the family's ("up5k", "85k", …)
 *   package      nextpnr --package, one the device comes in ("sg48", "CABGA381", …)
 *   speed        the speed grade as a string, required where the family has them ("6");
 *                else null or absent
 *   clock        {"pin": string, "mhz": number > 0}
 *   leds         {"pass": pin, "fail": pin | null, "beat": pin | null}; "pass" is required,
 *                an absent "fail" or "beat" means null
 *   button       pin | null (absent: null); a button pin may also carry "pull": one the family
 *                allows ("up", "down", "none"): the FPGA's internal pull resistor; absent: none is set
 *   pll          boolean: the part has a PLL usable for --pll-mhz
 *   pll_primitive  optional, for families whose PLL da-gen drives: the primitive that places
 *                with the clock pin (iCE40: "SB_PLL40_PAD" when the clock pin is the PLL's pad,
 *                else "SB_PLL40_CORE", the default)
 *   io_standard  where the family's boards give one (ECP5): the default IO_TYPE of the
 *                board's pins, e.g. "LVCMOS33" (required); else null or absent
 *   sources      non-empty array of https:// URLs the pin facts came from
 *   notes        string (absent: "")
 *
 * A pin is {"pin": string, "active_low": boolean} plus, where the family's boards give IO
 * standards, an optional "io_standard" overriding the board's (for a pin in a bank at another
 * voltage). Pin names follow the family's pattern (package pin numbers such as "35", or ball
 * names such as "B2"); no two ports may share a pin. Any other key is an error.
 */

export type BoardPull = 'up' | 'down' | 'none';

/** One pin of the self-test top. */
export interface BoardPin {
  /** Package pin or ball name, as nextpnr names it ("35", "B2"). */
  pin: string;
  /** The LED lights, or the button reads pressed, when the pin is low. */
  activeLow: boolean;
  /** The IO standard for this pin when it differs from the board's `ioStandard` (families whose boards give one). */
  ioStandard?: string;
}

export interface BoardButton extends BoardPin {
  /** The internal pull resistor to enable; absent: leave the tool's default. */
  pull?: BoardPull;
}

export interface BoardLeds {
  pass: BoardPin;
  fail: BoardPin | null;
  beat: BoardPin | null;
}

export interface Board {
  name: string;
  description: string;
  /** The FPGA family's name, as src/platform names it. */
  family: string;
  part: string;
  /** nextpnr device flag without the dashes: `--${device}`. */
  device: string;
  /** nextpnr `--package`. */
  package: string;
  /** Speed grade ("6"), for families that have them; else null. */
  speed: string | null;
  clock: { pin: string; mhz: number };
  leds: BoardLeds;
  button: BoardButton | null;
  pll: boolean;
  /** The PLL primitive that places with this clock pin, for families whose PLL da-gen drives; else null. */
  pllPrimitive: string | null;
  /** The default IO standard of the pins ("LVCMOS33"), for families whose boards give one; else null. */
  ioStandard: string | null;
  sources: string[];
  notes: string;
}

/**
 * What a board file of one family may say. The families (src/platform) supply these, so that
 * this folder knows the format and none of the families (their own declaration of this shape
 * is checked against this one where flows/boards.ts passes it on).
 */
export interface BoardRules {
  /** The nextpnr device flags and the packages each comes in. */
  devices: Readonly<Record<string, readonly string[]>>;
  /** Pin names, and how a message describes them. */
  pinPattern: RegExp;
  pinShape: string;
  /** Speed grades (a board must give one), or null (a board gives none). */
  speeds: readonly string[] | null;
  /** Whether a board gives an IO standard for its pins (required, and per-pin overrides allowed). */
  ioStandards: boolean;
  /** Pull resistors a button pin may ask for, and a note on why others are missing. */
  pulls: readonly string[];
  pullNote: string;
  /** PLL primitives a board may name, the first being the default; null when none is driven. */
  pllPrimitives: readonly string[] | null;
}

/** The rules of each family that has boards, by family name. */
export type BoardFamilies = Readonly<Record<string, BoardRules>>;

const TOP_KEYS = ['name', 'description', 'family', 'part', 'device', 'package', 'speed', 'clock', 'leds', 'button', 'pll', 'pll_primitive', 'io_standard', 'sources', 'notes'];
const CLOCK_KEYS = ['pin', 'mhz'];
const LED_KEYS = ['pass', 'fail', 'beat'];
const PIN_KEYS = ['pin', 'active_low', 'io_standard'];
const BUTTON_KEYS = ['pin', 'active_low', 'io_standard', 'pull'];

const NAME_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const IO_STANDARD_RE = /^[A-Z][A-Z0-9_]*$/;
const MAX_MHZ = 1000;

/** `parent.key` (or `key` at the top), with the key quoted when it is not an identifier. */
function child(parent: string, key: string): string {
  return parent === '' ? keyPath(key) : `${parent}.${keyPath(key)}`;
}

function rejectUnknownKeys(o: Record<string, unknown>, allowed: readonly string[], file: string, path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new SpecError(file, child(path, k), `unknown key; expected one of ${quoteList(allowed)}`);
  }
}

function requireString(o: Record<string, unknown>, key: string, what: string, file: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new SpecError(file, child(path, key), `expected a non-empty string (${what}), got ${key in o ? describe(v) : 'nothing'}`);
  }
  return v;
}

/** A board's reading context: its file, its family's name and rules, and the pins used so far. */
interface Ctx {
  file: string;
  family: string;
  rules: BoardRules;
  used: Map<string, string>;
}

/** A pin name for the family; also records it in `used` and rejects a pin given twice. */
function parsePinName(v: unknown, c: Ctx, path: string): string {
  if (typeof v !== 'string' || !c.rules.pinPattern.test(v)) throw new SpecError(c.file, path, `expected ${c.rules.pinShape}, got ${v === undefined ? 'nothing' : describe(v)}`);
  const prev = c.used.get(v);
  if (prev !== undefined) throw new SpecError(c.file, path, `pin "${v}" is already used by ${prev}; every port needs its own pin`);
  c.used.set(v, path);
  return v;
}

function parseIoStandard(v: unknown, file: string, path: string): string {
  if (typeof v !== 'string' || !IO_STANDARD_RE.test(v)) {
    throw new SpecError(file, path, `expected an IO_TYPE name such as "LVCMOS33" or "SSTL135_I", got ${describe(v)}`);
  }
  return v;
}

/** A pin object: LED (`button` false) or button (`button` true, which may carry "pull"). */
function parsePin(v: unknown, button: boolean, c: Ctx, path: string): BoardButton {
  if (!isObject(v)) {
    throw new SpecError(c.file, path, `expected an object {"pin": string, "active_low": true|false}, got ${v === undefined ? 'nothing' : describe(v)}`);
  }
  rejectUnknownKeys(v, button ? BUTTON_KEYS : PIN_KEYS, c.file, path);
  const pin = parsePinName(v.pin, c, `${path}.pin`);
  if (typeof v.active_low !== 'boolean') {
    throw new SpecError(c.file, `${path}.active_low`, `expected true (on or pressed when the pin is low) or false, got ${'active_low' in v ? describe(v.active_low) : 'nothing'}`);
  }
  const out: BoardButton = { pin, activeLow: v.active_low };
  if ('io_standard' in v) {
    if (!c.rules.ioStandards) throw new SpecError(c.file, `${path}.io_standard`, `${c.family} boards give no IO standard per pin; remove this key`);
    out.ioStandard = parseIoStandard(v.io_standard, c.file, `${path}.io_standard`);
  }
  if ('pull' in v) {
    const choices = c.rules.pulls;
    if (typeof v.pull !== 'string' || !choices.includes(v.pull)) {
      throw new SpecError(c.file, `${path}.pull`, `expected ${quoteOr(choices)}${c.rules.pullNote}, got ${describe(v.pull)}`);
    }
    out.pull = v.pull as BoardPull;
  }
  return out;
}

/** "device", "package" and "speed": the part as nextpnr names it. */
function parsePart(doc: Record<string, unknown>, c: Ctx): { device: string; package: string; speed: string | null } {
  const { file, family: fam, rules } = c;
  const device = doc.device;
  const devices = Object.keys(rules.devices);
  if (typeof device !== 'string' || !devices.includes(device)) {
    throw new SpecError(file, 'device', `expected a nextpnr-${fam} device flag: ${quoteOr(devices)}, got ${'device' in doc ? describe(device) : 'nothing'}`);
  }
  const pkg = doc.package;
  const pkgs = Object.prototype.hasOwnProperty.call(rules.devices, device) ? [...rules.devices[device]!] : [];
  if (typeof pkg !== 'string' || !pkgs.includes(pkg)) {
    throw new SpecError(file, 'package', `expected a package of the ${fam} ${device}: ${quoteOr(pkgs)}, got ${'package' in doc ? describe(pkg) : 'nothing'}`);
  }
  let speed: string | null = null;
  if (rules.speeds !== null) {
    if (typeof doc.speed !== 'string' || !rules.speeds.includes(doc.speed)) {
      throw new SpecError(file, 'speed', `expected the ${fam} speed grade as a string, ${quoteOr(rules.speeds)}, got ${'speed' in doc ? describe(doc.speed) : 'nothing'}`);
    }
    speed = doc.speed;
  } else if ('speed' in doc && doc.speed !== null) {
    throw new SpecError(file, 'speed', `expected null (${fam} parts have no speed grade for nextpnr), got ${describe(doc.speed)}`);
  }
  return { device, package: pkg, speed };
}

/** "pll" and "pll_primitive". */
function parsePll(doc: Record<string, unknown>, c: Ctx): { pll: boolean; pllPrimitive: string | null } {
  const { file, family: fam, rules } = c;
  if (typeof doc.pll !== 'boolean') {
    throw new SpecError(file, 'pll', `expected true or false (whether the part has a PLL usable for --pll-mhz), got ${'pll' in doc ? describe(doc.pll) : 'nothing'}`);
  }
  const pll = doc.pll;
  // the PLL primitive that places with this clock pin (iCE40: SB_PLL40_PAD when the clock pin
  // is the PLL's own pad input, else SB_PLL40_CORE fed from the clock net)
  const prims = rules.pllPrimitives;
  if (doc.pll_primitive === undefined) return { pll, pllPrimitive: pll && prims !== null ? prims[0]! : null };
  if (prims === null || !pll) throw new SpecError(file, 'pll_primitive', `only a board with "pll": true of a family whose PLL da-gen drives names its PLL primitive (${fam} has ${prims === null ? 'none' : 'one'})`);
  if (typeof doc.pll_primitive !== 'string' || !prims.includes(doc.pll_primitive)) {
    throw new SpecError(file, 'pll_primitive', `expected ${quoteOr(prims)}, got ${describe(doc.pll_primitive)}`);
  }
  return { pll, pllPrimitive: doc.pll_primitive };
}

/**
 * Read and validate a board file's text against the rules of its family (`families`, from
 * src/platform). `file` is used only in error messages. Throws SpecError naming the JSON path
 * of the first problem found. (That `name` matches the file's name is checked by `readBoard`.)
 */
export function parseBoard(text: string, file: string, families: BoardFamilies): Board {
  const doc = parseJson(text, file);
  if (!isObject(doc)) throw new SpecError(file, '', `expected a JSON object describing one board, got ${describe(doc)}`);
  rejectUnknownKeys(doc, TOP_KEYS, file, '');

  const name = requireString(doc, 'name', 'the board name', file, '');
  if (!NAME_RE.test(name)) {
    throw new SpecError(file, 'name', `expected lowercase letters, digits and single hyphens (such as "tinyfpga-bx"), got ${describe(name)}`);
  }
  const description = requireString(doc, 'description', 'a one-line description', file, '');
  const family = doc.family;
  const names = Object.keys(families);
  if (typeof family !== 'string' || !names.includes(family)) {
    const known = names.length > 0 ? quoteOr(names) : 'a family that has boards (none is known)';
    throw new SpecError(file, 'family', `expected ${known}, got ${'family' in doc ? describe(family) : 'nothing'}`);
  }
  const c: Ctx = { file, family, rules: families[family]!, used: new Map() };
  const part = requireString(doc, 'part', 'the full part name', file, '');
  const { device, package: pkg, speed } = parsePart(doc, c);

  let ioStandard: string | null = null;
  if (c.rules.ioStandards) {
    if (!('io_standard' in doc)) throw new SpecError(file, 'io_standard', 'expected the IO_TYPE of the board\'s pins, such as "LVCMOS33", got nothing');
    ioStandard = parseIoStandard(doc.io_standard, file, 'io_standard');
  } else if ('io_standard' in doc && doc.io_standard !== null) {
    throw new SpecError(file, 'io_standard', `expected null (${family} constraint files carry no IO standard), got ${describe(doc.io_standard)}`);
  }

  const clk = doc.clock;
  if (!isObject(clk)) throw new SpecError(file, 'clock', `expected an object {"pin": string, "mhz": number}, got ${'clock' in doc ? describe(clk) : 'nothing'}`);
  rejectUnknownKeys(clk, CLOCK_KEYS, file, 'clock');
  const clockPin = parsePinName(clk.pin, c, 'clock.pin');
  const mhz = clk.mhz;
  if (typeof mhz !== 'number' || !Number.isFinite(mhz) || mhz <= 0 || mhz > MAX_MHZ) {
    throw new SpecError(file, 'clock.mhz', `expected the oscillator frequency in MHz, a number above 0 and at most ${MAX_MHZ}, got ${'mhz' in clk ? describe(mhz) : 'nothing'}`);
  }

  const ledsDoc = doc.leds;
  if (!isObject(ledsDoc)) {
    throw new SpecError(file, 'leds', `expected an object {"pass": pin, "fail": pin or null, "beat": pin or null}, got ${'leds' in doc ? describe(ledsDoc) : 'nothing'}`);
  }
  rejectUnknownKeys(ledsDoc, LED_KEYS, file, 'leds');
  if (!('pass' in ledsDoc) || ledsDoc.pass === null) {
    throw new SpecError(file, 'leds.pass', `expected a pin {"pin": string, "active_low": true|false}: every board needs a pass LED, got ${'pass' in ledsDoc ? 'null' : 'nothing'}`);
  }
  const ledOf = (key: string): BoardPin | null => {
    const v = ledsDoc[key];
    if (v === undefined || v === null) return null;
    const { pin, activeLow, ioStandard: std } = parsePin(v, false, c, `leds.${key}`);
    return std === undefined ? { pin, activeLow } : { pin, activeLow, ioStandard: std };
  };
  const leds: BoardLeds = { pass: ledOf('pass')!, fail: ledOf('fail'), beat: ledOf('beat') };

  const button = doc.button === undefined || doc.button === null ? null : parsePin(doc.button, true, c, 'button');
  const { pll, pllPrimitive } = parsePll(doc, c);

  const src = doc.sources;
  if (!Array.isArray(src) || src.length === 0) {
    throw new SpecError(file, 'sources', `expected a non-empty array of https:// URLs the pin facts came from, got ${'sources' in doc ? (Array.isArray(src) ? 'an empty array' : describe(src)) : 'nothing'}`);
  }
  const sources = src.map((s: unknown, k) => {
    if (typeof s !== 'string' || !/^https:\/\/[^\s/]+\.[^\s/]+(?:\/\S*)?$/.test(s)) {
      throw new SpecError(file, `sources[${k}]`, `expected an https:// URL, got ${describe(s)}`);
    }
    return s;
  });

  let notes = '';
  if ('notes' in doc) {
    if (typeof doc.notes !== 'string') throw new SpecError(file, 'notes', `expected a string, got ${describe(doc.notes)}`);
    notes = doc.notes;
  }

  return { name, description, family, part, device, package: pkg, speed, clock: { pin: clockPin, mhz }, leds, button, pll, pllPrimitive, ioStandard, sources, notes };
}

export type SelfTestPortName = 'clk' | 'led_pass' | 'led_fail' | 'led_beat' | 'btn';

export interface SelfTestPort {
  name: SelfTestPortName;
  direction: 'input' | 'output';
  pin: string;
  activeLow: boolean;
  /** The IO standard to use (the pin's own or the board's), null where the family's boards give none. */
  ioStandard: string | null;
  pull: BoardPull | null;
}

/** The self-test top's ports on this board, in port order: clk, led_pass, led_fail, led_beat, btn. */
export function selfTestPorts(b: Board): SelfTestPort[] {
  // a pin's own IO standard exists only where the board gives one
  const std = (p: BoardPin): string | null => (b.ioStandard === null ? null : (p.ioStandard ?? b.ioStandard));
  const ports: SelfTestPort[] = [{ name: 'clk', direction: 'input', pin: b.clock.pin, activeLow: false, ioStandard: b.ioStandard, pull: null }];
  const leds: Array<[SelfTestPortName, BoardPin | null]> = [['led_pass', b.leds.pass], ['led_fail', b.leds.fail], ['led_beat', b.leds.beat]];
  for (const [name, p] of leds) {
    if (p !== null) ports.push({ name, direction: 'output', pin: p.pin, activeLow: p.activeLow, ioStandard: std(p), pull: null });
  }
  if (b.button !== null) {
    ports.push({ name: 'btn', direction: 'input', pin: b.button.pin, activeLow: b.button.activeLow, ioStandard: std(b.button), pull: b.button.pull ?? null });
  }
  return ports;
}

