import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boardFile, boardNames, BOARDS_DIR, readBoard } from '../../src/boards/index.js';
import type { BoardFamilies } from '../../src/boards/board.js';
import { SpecError, UsageError } from '../../src/errors.js';

// Reading board files from a folder, with rules for one made-up family (this folder knows none).
const FAMILIES: BoardFamilies = {
  demo: {
    devices: { d1: ['p1'] },
    pinPattern: /^P[0-9]{2}$/,
    pinShape: 'a pin such as "P07"',
    speeds: null,
    ioStandards: false,
    pulls: ['up', 'none'],
    pullNote: '',
    pllPrimitives: null,
  },
};

const board = (name: string): string =>
  JSON.stringify({
    name,
    description: 'a demo board',
    family: 'demo',
    part: 'DEMO-1',
    device: 'd1',
    package: 'p1',
    clock: { pin: 'P01', mhz: 10 },
    leds: { pass: { pin: 'P02', active_low: false } },
    pll: false,
    sources: ['https://example.com/demo'],
  });

describe('the boards folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-boards-'));
  writeFileSync(join(dir, 'one.json'), board('one'));
  writeFileSync(join(dir, 'two.json'), board('not-two'));
  writeFileSync(join(dir, 'notes.txt'), 'not a board');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the .json files by name, sorted, and finds each file', () => {
    expect(boardNames(dir)).toEqual(['one', 'two']);
    expect(boardFile('one', dir)).toBe(join(dir, 'one.json'));
    expect(boardNames(join(dir, 'missing'))).toEqual([]);
    // the repository's own folder holds the shipped boards
    expect(boardNames()).toEqual(['icebreaker', 'icestick', 'orangecrab', 'tinyfpga-bx', 'ulx3s']);
    expect(boardFile('icebreaker')).toBe(join(BOARDS_DIR, 'icebreaker.json'));
  });

  it('reads a board against its family rules', () => {
    const b = readBoard('one', FAMILIES, dir);
    expect(b).toMatchObject({ name: 'one', family: 'demo', device: 'd1', package: 'p1', speed: null, ioStandard: null, pllPrimitive: null });
    expect(b.clock).toEqual({ pin: 'P01', mhz: 10 });
  });

  it('an unknown name is a UsageError listing the known boards', () => {
    expect(() => readBoard('three', FAMILIES, dir)).toThrow(UsageError);
    expect(() => readBoard('three', FAMILIES, dir)).toThrow('unknown board "three"; known boards: one, two');
    expect(() => readBoard('x', FAMILIES, join(dir, 'missing'))).toThrow(/known boards: none \(no board files in .*missing\)/);
  });

  it("a board whose name is not its file's is a SpecError at `name`", () => {
    let err: unknown;
    try {
      readBoard('two', FAMILIES, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).file).toBe(join(dir, 'two.json'));
    expect((err as SpecError).jsonPath).toBe('name');
    expect((err as SpecError).detail).toBe('expected "two" (the file\'s name without .json), got the string "not-two"');
  });
});
