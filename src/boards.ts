import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, UsageError } from './spec/errors.js';
import { describe, keyPath, parseJson } from './spec/json.js';

/**
 * FPGA boards: one JSON file per board in the repository's `boards/` folder, giving the part,
 * the nextpnr device and package, and the pins of the self-test's clock, indicator LEDs and
 * button. The self-test top module has ports named exactly `clk` (input), `led_pass`,
 * `led_fail`, `led_beat` (outputs, only those whose LED is not null) and `btn` (input, only when
 * the board has a button); `constraintsFor` writes the matching .pcf (iCE40) or .lpf (ECP5).
 *
 * File format (`boards/<name>.json`; JSON keys are snake_case, the `Board` fields camelCase):
 *
 *   name         string, lowercase letters, digits and single hyphens; equals the file's name
 *   description  string
 *   family       "ice40" or "ecp5"
 *   part         string, the full part name ("iCE40UP5K-SG48", "LFE5U-85F-6BG381C")
 *   device       nextpnr device flag without "--" (ice40: "up5k", "hx1k", "lp8k", …;
 *                ecp5: "25k", "85k", "um5g-45k", …)
 *   package      nextpnr --package, one the device comes in (ice40 lowercase: "sg48", "tq144",
 *                "cm81", …; ecp5 uppercase: "CABGA381", "CSFBGA285", …)
 *   speed        ecp5: "6", "7" or "8" (required); ice40: null or absent
 *   clock        {"pin": string, "mhz": number > 0}
 *   leds         {"pass": pin, "fail": pin | null, "beat": pin | null}; "pass" is required,
 *                an absent "fail" or "beat" means null
 *   button       pin | null (absent: null); a button pin may also carry "pull": "up", "down"
 *                (ecp5 only) or "none": the FPGA's internal pull resistor; absent: none is set
 *   pll          boolean: the part has a PLL usable for --pll-mhz
 *   pll_primitive  optional (iCE40): "SB_PLL40_PAD" when the clock pin is the PLL's pad, else "SB_PLL40_CORE" (the default)
 *   io_standard  ecp5: the default IO_TYPE of the board's pins, e.g. "LVCMOS33" (required);
 *                ice40: null or absent
 *   sources      non-empty array of https:// URLs the pin facts came from
 *   notes        string (absent: "")
 *
 * A pin is {"pin": string, "active_low": boolean} plus, on ecp5 boards, an optional
 * "io_standard" overriding the board's (for a pin in a bank at another voltage). Pin names are
 * package pin numbers ("35") or ball names ("B2"; ecp5 always ball names); no two ports may
 * share a pin. Any other key is an error.
 */

export type BoardFamily = 'ice40' | 'ecp5';
export type BoardPull = 'up' | 'down' | 'none';

/** One pin of the self-test top. */
export interface BoardPin {
  /** Package pin or ball name, as nextpnr names it ("35", "B2"). */
  pin: string;
  /** The LED lights, or the button reads pressed, when the pin is low. */
  activeLow: boolean;
  /** ECP5 only: IO_TYPE for this pin when it differs from the board's `ioStandard`. */
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
  family: BoardFamily;
  part: string;
  /** nextpnr device flag without the dashes: `--${device}`. */
  device: string;
  /** nextpnr `--package`. */
  package: string;
  /** ECP5 speed grade ("6", "7", "8"); null for iCE40. */
  speed: string | null;
  clock: { pin: string; mhz: number };
  leds: BoardLeds;
  button: BoardButton | null;
  pll: boolean;
  /** iCE40 with a PLL: the primitive that places with this clock pin; null otherwise. */
  pllPrimitive: 'SB_PLL40_PAD' | 'SB_PLL40_CORE' | null;
  /** ECP5: default IO_TYPE ("LVCMOS33"); null for iCE40. */
  ioStandard: string | null;
  sources: string[];
  notes: string;
}

/** The repository's `boards/` folder (this module sits in `src/` or `dist/`, one level down). */
export const BOARDS_DIR: string = fileURLToPath(new URL('../boards/', import.meta.url));

/**
 * Packages nextpnr-ice40 accepts for each device flag (checked against nextpnr-ice40 0.8 from
 * npm: it treats the LP and HX parts of one die alike).
 */
const ICE40_PACKAGES: Record<string, readonly string[]> = {
  lp384: ['qn32', 'cm36', 'cm49'],
  lp1k: ['swg16tr', 'cm36', 'cm49', 'cm81', 'cb81', 'qn84', 'cm121', 'cb121', 'vq100', 'cb132', 'tq144'],
  hx1k: ['swg16tr', 'cm36', 'cm49', 'cm81', 'cb81', 'qn84', 'cm121', 'cb121', 'vq100', 'cb132', 'tq144'],
  lp4k: ['cm81', 'cm121', 'cb132', 'tq144', 'bg121', 'cm225'],
  hx4k: ['cm81', 'cm121', 'cb132', 'tq144', 'bg121', 'cm225'],
  lp8k: ['cm81', 'cm121', 'cb132', 'bg121', 'cm225', 'ct256'],
  hx8k: ['cm81', 'cm121', 'cb132', 'bg121', 'cm225', 'ct256'],
  up3k: ['uwg30', 'sg48'],
  up5k: ['uwg30', 'sg48'],
  u1k: ['sg48'],
  u2k: ['sg48'],
  u4k: ['sg48'],
};

/** Packages of each nextpnr-ecp5 device flag (the ECP5 family's package table; nextpnr's names). */
const ECP5_PACKAGES: Record<string, readonly string[]> = {
  '12k': ['CABGA256', 'CABGA381', 'CSFBGA285'],
  '25k': ['CABGA256', 'CABGA381', 'CSFBGA285'],
  '45k': ['CABGA256', 'CABGA381', 'CABGA554', 'CSFBGA285'],
  '85k': ['CABGA381', 'CABGA554', 'CABGA756', 'CSFBGA285'],
  'um-25k': ['CABGA381', 'CSFBGA285'],
  'um-45k': ['CABGA381', 'CABGA554', 'CSFBGA285'],
  'um-85k': ['CABGA381', 'CABGA554', 'CABGA756', 'CSFBGA285'],
  'um5g-25k': ['CABGA381', 'CSFBGA285'],
  'um5g-45k': ['CABGA381', 'CABGA554', 'CSFBGA285'],
  'um5g-85k': ['CABGA381', 'CABGA554', 'CABGA756', 'CSFBGA285'],
};

const ECP5_SPEEDS = ['6', '7', '8'] as const;
const FAMILIES: readonly BoardFamily[] = ['ice40', 'ecp5'];

/** The nextpnr device flags known for a family. */
export function knownDevices(family: BoardFamily): string[] {
  return Object.keys(family === 'ice40' ? ICE40_PACKAGES : ECP5_PACKAGES);
}

/** The packages known for a family's device flag (empty for an unknown device). */
export function knownPackages(family: BoardFamily, device: string): string[] {
  const table = family === 'ice40' ? ICE40_PACKAGES : ECP5_PACKAGES;
  return Object.prototype.hasOwnProperty.call(table, device) ? [...table[device]!] : [];
}

const TOP_KEYS = ['name', 'description', 'family', 'part', 'device', 'package', 'speed', 'clock', 'leds', 'button', 'pll', 'pll_primitive', 'io_standard', 'sources', 'notes'];
const CLOCK_KEYS = ['pin', 'mhz'];
const LED_KEYS = ['pass', 'fail', 'beat'];
const PIN_KEYS = ['pin', 'active_low', 'io_standard'];
const BUTTON_KEYS = ['pin', 'active_low', 'io_standard', 'pull'];

const NAME_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ICE40_PIN_RE = /^(?:[0-9]{1,3}|[A-Z]{1,2}[0-9]{1,2})$/;
const ECP5_PIN_RE = /^[A-Z]{1,2}[0-9]{1,2}$/;
const IO_STANDARD_RE = /^[A-Z][A-Z0-9_]*$/;
const MAX_MHZ = 1000;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function quoteList(keys: readonly string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

function quoteOr(choices: readonly string[]): string {
  const q = choices.map((s) => `"${s}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

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

/** A pin name for the family; also records it in `used` and rejects a pin given twice. */
function parsePinName(v: unknown, family: BoardFamily, file: string, path: string, used: Map<string, string>): string {
  const re = family === 'ice40' ? ICE40_PIN_RE : ECP5_PIN_RE;
  const shape = family === 'ice40' ? 'a package pin number such as "35" or a ball name such as "B2"' : 'a ball name such as "G2"';
  if (typeof v !== 'string' || !re.test(v)) throw new SpecError(file, path, `expected ${shape}, got ${v === undefined ? 'nothing' : describe(v)}`);
  const prev = used.get(v);
  if (prev !== undefined) throw new SpecError(file, path, `pin "${v}" is already used by ${prev}; every port needs its own pin`);
  used.set(v, path);
  return v;
}

function parseIoStandard(v: unknown, file: string, path: string): string {
  if (typeof v !== 'string' || !IO_STANDARD_RE.test(v)) {
    throw new SpecError(file, path, `expected an IO_TYPE name such as "LVCMOS33" or "SSTL135_I", got ${describe(v)}`);
  }
  return v;
}

/** A pin object: LED (`button` false) or button (`button` true, which may carry "pull"). */
function parsePin(v: unknown, family: BoardFamily, button: boolean, file: string, path: string, used: Map<string, string>): BoardButton {
  if (!isObject(v)) {
    throw new SpecError(file, path, `expected an object {"pin": string, "active_low": true|false}, got ${v === undefined ? 'nothing' : describe(v)}`);
  }
  rejectUnknownKeys(v, button ? BUTTON_KEYS : PIN_KEYS, file, path);
  const pin = parsePinName(v.pin, family, file, `${path}.pin`, used);
  if (typeof v.active_low !== 'boolean') {
    throw new SpecError(file, `${path}.active_low`, `expected true (on or pressed when the pin is low) or false, got ${'active_low' in v ? describe(v.active_low) : 'nothing'}`);
  }
  const out: BoardButton = { pin, activeLow: v.active_low };
  if ('io_standard' in v) {
    if (family !== 'ecp5') throw new SpecError(file, `${path}.io_standard`, 'only ecp5 boards give an IO_TYPE per pin; remove this key');
    out.ioStandard = parseIoStandard(v.io_standard, file, `${path}.io_standard`);
  }
  if ('pull' in v) {
    const choices: BoardPull[] = family === 'ice40' ? ['up', 'none'] : ['up', 'down', 'none'];
    if (typeof v.pull !== 'string' || !(choices as string[]).includes(v.pull)) {
      const why = family === 'ice40' ? ' (iCE40 pins have pull-ups only)' : '';
      throw new SpecError(file, `${path}.pull`, `expected ${quoteOr(choices)}${why}, got ${describe(v.pull)}`);
    }
    out.pull = v.pull as BoardPull;
  }
  return out;
}

/**
 * Read and validate a board file's text. `file` is used only in error messages. Throws
 * SpecError naming the JSON path of the first problem found. (That `name` matches the file's
 * name is checked by `loadBoard`.)
 */
export function parseBoard(text: string, file: string): Board {
  const doc = parseJson(text, file);
  if (!isObject(doc)) throw new SpecError(file, '', `expected a JSON object describing one board, got ${describe(doc)}`);
  rejectUnknownKeys(doc, TOP_KEYS, file, '');

  const name = requireString(doc, 'name', 'the board name', file, '');
  if (!NAME_RE.test(name)) {
    throw new SpecError(file, 'name', `expected lowercase letters, digits and single hyphens (such as "tinyfpga-bx"), got ${describe(name)}`);
  }
  const description = requireString(doc, 'description', 'a one-line description', file, '');
  const family = doc.family;
  if (typeof family !== 'string' || !(FAMILIES as readonly string[]).includes(family)) {
    throw new SpecError(file, 'family', `expected ${quoteOr(FAMILIES)}, got ${'family' in doc ? describe(family) : 'nothing'}`);
  }
  const fam = family as BoardFamily;
  const part = requireString(doc, 'part', 'the full part name', file, '');

  const device = doc.device;
  const devices = knownDevices(fam);
  if (typeof device !== 'string' || !devices.includes(device)) {
    throw new SpecError(file, 'device', `expected a nextpnr-${fam} device flag: ${quoteOr(devices)}, got ${'device' in doc ? describe(device) : 'nothing'}`);
  }
  const pkg = doc.package;
  const pkgs = knownPackages(fam, device);
  if (typeof pkg !== 'string' || !pkgs.includes(pkg)) {
    throw new SpecError(file, 'package', `expected a package of the ${fam} ${device}: ${quoteOr(pkgs)}, got ${'package' in doc ? describe(pkg) : 'nothing'}`);
  }

  let speed: string | null = null;
  if (fam === 'ecp5') {
    if (typeof doc.speed !== 'string' || !(ECP5_SPEEDS as readonly string[]).includes(doc.speed)) {
      throw new SpecError(file, 'speed', `expected the ECP5 speed grade as a string, ${quoteOr(ECP5_SPEEDS)}, got ${'speed' in doc ? describe(doc.speed) : 'nothing'}`);
    }
    speed = doc.speed;
  } else if ('speed' in doc && doc.speed !== null) {
    throw new SpecError(file, 'speed', `expected null (iCE40 parts have no speed grade for nextpnr), got ${describe(doc.speed)}`);
  }

  let ioStandard: string | null = null;
  if (fam === 'ecp5') {
    if (!('io_standard' in doc)) throw new SpecError(file, 'io_standard', 'expected the IO_TYPE of the board\'s pins, such as "LVCMOS33", got nothing');
    ioStandard = parseIoStandard(doc.io_standard, file, 'io_standard');
  } else if ('io_standard' in doc && doc.io_standard !== null) {
    throw new SpecError(file, 'io_standard', `expected null (iCE40 constraint files carry no IO standard), got ${describe(doc.io_standard)}`);
  }

  const used = new Map<string, string>();
  const clk = doc.clock;
  if (!isObject(clk)) throw new SpecError(file, 'clock', `expected an object {"pin": string, "mhz": number}, got ${'clock' in doc ? describe(clk) : 'nothing'}`);
  rejectUnknownKeys(clk, CLOCK_KEYS, file, 'clock');
  const clockPin = parsePinName(clk.pin, fam, file, 'clock.pin', used);
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
    const { pin, activeLow, ioStandard: std } = parsePin(v, fam, false, file, `leds.${key}`, used);
    return std === undefined ? { pin, activeLow } : { pin, activeLow, ioStandard: std };
  };
  const leds: BoardLeds = { pass: ledOf('pass')!, fail: ledOf('fail'), beat: ledOf('beat') };

  const button = doc.button === undefined || doc.button === null ? null : parsePin(doc.button, fam, true, file, 'button', used);

  if (typeof doc.pll !== 'boolean') {
    throw new SpecError(file, 'pll', `expected true or false (whether the part has a PLL usable for --pll-mhz), got ${'pll' in doc ? describe(doc.pll) : 'nothing'}`);
  }
  const pll = doc.pll;
  // iCE40: the PLL primitive that places with this clock pin (SB_PLL40_PAD when the clock pin is
  // the PLL's own pad input, else SB_PLL40_CORE fed from the clock net)
  let pllPrimitive: Board['pllPrimitive'] = null;
  if (doc.pll_primitive !== undefined) {
    if (fam !== 'ice40' || !pll) throw new SpecError(file, 'pll_primitive', 'only an iCE40 board with "pll": true names its PLL primitive');
    if (doc.pll_primitive !== 'SB_PLL40_PAD' && doc.pll_primitive !== 'SB_PLL40_CORE') {
      throw new SpecError(file, 'pll_primitive', `expected "SB_PLL40_PAD" or "SB_PLL40_CORE", got ${describe(doc.pll_primitive)}`);
    }
    pllPrimitive = doc.pll_primitive;
  } else if (fam === 'ice40' && pll) pllPrimitive = 'SB_PLL40_CORE';

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

  return { name, description, family: fam, part, device, package: pkg, speed, clock: { pin: clockPin, mhz }, leds, button, pll, pllPrimitive, ioStandard, sources, notes };
}

/** The boards in `boards/`, by file name without `.json`, sorted. */
export function boardNames(): string[] {
  let files: string[];
  try {
    files = readdirSync(BOARDS_DIR);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The path of a board's file. */
export function boardFile(name: string): string {
  return join(BOARDS_DIR, `${name}.json`);
}

/** Read and validate `boards/<name>.json`. Unknown name: UsageError; bad file: SpecError. */
export function loadBoard(name: string): Board {
  const names = boardNames();
  if (!names.includes(name)) {
    throw new UsageError(`unknown board "${name}"; known boards: ${names.length > 0 ? names.join(', ') : `none (no board files in ${BOARDS_DIR})`}`);
  }
  const file = boardFile(name);
  const b = parseBoard(readFileSync(file, 'utf8'), file);
  if (b.name !== name) throw new SpecError(file, 'name', `expected "${name}" (the file's name without .json), got ${describe(b.name)}`);
  return b;
}

/** Every board, sorted by name. */
export function loadBoards(): Board[] {
  return boardNames().map(loadBoard);
}

export type SelfTestPortName = 'clk' | 'led_pass' | 'led_fail' | 'led_beat' | 'btn';

export interface SelfTestPort {
  name: SelfTestPortName;
  direction: 'input' | 'output';
  pin: string;
  activeLow: boolean;
  /** ECP5: the IO_TYPE to use (the pin's own or the board's); null for iCE40. */
  ioStandard: string | null;
  pull: BoardPull | null;
}

/** The self-test top's ports on this board, in port order: clk, led_pass, led_fail, led_beat, btn. */
export function selfTestPorts(b: Board): SelfTestPort[] {
  const std = (p: BoardPin): string | null => (b.family === 'ecp5' ? (p.ioStandard ?? b.ioStandard) : null);
  const ports: SelfTestPort[] = [{ name: 'clk', direction: 'input', pin: b.clock.pin, activeLow: false, ioStandard: b.family === 'ecp5' ? b.ioStandard : null, pull: null }];
  const leds: Array<[SelfTestPortName, BoardPin | null]> = [['led_pass', b.leds.pass], ['led_fail', b.leds.fail], ['led_beat', b.leds.beat]];
  for (const [name, p] of leds) {
    if (p !== null) ports.push({ name, direction: 'output', pin: p.pin, activeLow: p.activeLow, ioStandard: std(p), pull: null });
  }
  if (b.button !== null) {
    ports.push({ name: 'btn', direction: 'input', pin: b.button.pin, activeLow: b.button.activeLow, ioStandard: std(b.button), pull: b.button.pull ?? null });
  }
  return ports;
}

/** A number as constraint files write it: `12`, `12.5`. */
function formatMhz(mhz: number): string {
  return Number.isInteger(mhz) ? String(mhz) : String(Number(mhz.toFixed(6)));
}

/**
 * The constraint file for the self-test top's ports: `<name>.pcf` for iCE40 (one `set_io` per
 * port, with `-pullup yes` for a button that asks for a pull-up), `<name>.lpf` for ECP5 (per
 * port a LOCATE and an IOBUF with its IO_TYPE and, for a button with "pull", PULLMODE; and a
 * FREQUENCY line for clk). Deterministic.
 */
export function constraintsFor(b: Board): { fileName: string; text: string } {
  const lines: string[] = [];
  if (b.family === 'ice40') {
    for (const p of selfTestPorts(b)) {
      lines.push(`set_io ${p.pull === 'up' ? '-pullup yes ' : ''}${p.name} ${p.pin}`);
    }
    return { fileName: `${b.name}.pcf`, text: lines.join('\n') + '\n' };
  }
  for (const p of selfTestPorts(b)) {
    lines.push(`LOCATE COMP "${p.name}" SITE "${p.pin}";`);
    const pull = p.pull === null ? '' : ` PULLMODE=${p.pull.toUpperCase()}`;
    lines.push(`IOBUF PORT "${p.name}" IO_TYPE=${p.ioStandard!}${pull};`);
    if (p.name === 'clk') lines.push(`FREQUENCY PORT "clk" ${formatMhz(b.clock.mhz)} MHZ;`);
  }
  return { fileName: `${b.name}.lpf`, text: lines.join('\n') + '\n' };
}

/** nextpnr's device arguments for the board: `--up5k --package sg48`, `--85k --package CABGA381 --speed 6`. */
export function nextpnrDeviceArgs(b: Board): string[] {
  const args = [`--${b.device}`, '--package', b.package];
  if (b.family === 'ecp5' && b.speed !== null) args.push('--speed', b.speed);
  return args;
}

/** Place and route available in this build: iCE40 through WebAssembly, ECP5 only natively. */
function pnrHere(b: Board): string {
  return b.family === 'ice40' ? 'yes (WebAssembly nextpnr-ice40)' : 'only with a native nextpnr-ecp5 on PATH';
}

/** A plain-text table of the boards, for `da-gen boards`. */
export function boardsTable(): string {
  const header = ['board', 'part', 'clock', 'LEDs', 'button', 'place and route here'];
  const rows = loadBoards().map((b) => {
    const leds = (['pass', 'fail', 'beat'] as const).filter((k) => b.leds[k] !== null).join(', ');
    const button = b.button === null ? 'none' : b.button.activeLow ? 'active low' : 'active high';
    return [b.name, b.part, `${formatMhz(b.clock.mhz)} MHz`, leds, button, pnrHere(b)];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const fmt = (r: string[]): string => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  const lines = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
  return lines.join('\n') + '\n';
}
