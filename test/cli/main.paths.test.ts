import type { SpawnSyncReturns } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAll, runCli } from '../helpers/cli.js';
import { specDoc } from '../helpers/spec-doc.js';
import { freshFolderPerTest } from '../helpers/temp.js';

// Issue 11, end to end through the built command: what careless users and hostile inputs did
// to da-gen (an input overwritten, a device replaced, path mistakes that crashed with a stack
// trace, outputs not written as a pair, unbounded reads, options ignored in silence, a time
// limit reported as success). Every case: the exit code, one line on stderr naming the path
// and the problem, and the folder exactly as it was.

let dir = '';
freshFolderPerTest('da-gen-paths-', (d) => (dir = d));

const run = (args: string[], cwd = dir): SpawnSyncReturns<string> => runCli(args, cwd);
const at = (...p: string[]): string => join(dir, ...p);

function writeSpec(path: string, over: Record<string, unknown> = {}): string {
  const text = JSON.stringify(specDoc(over));
  writeFileSync(path, text);
  return text;
}

/** Exit `code`, nothing on stdout, one `da-gen: error:` line holding every fragment. */
function expectOneError(r: SpawnSyncReturns<string>, code: number, ...fragments: string[]): void {
  expect(r.status, `stderr: ${r.stderr}`).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith('da-gen: error: '), r.stderr).toBe(true);
  expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  for (const f of fragments) expect(lines[0]).toContain(f);
}

describe('1. a user’s file is never overwritten', () => {
  it('build -o . in the input’s folder, where the manifest would take the input’s name: exit 2 before any work', () => {
    const text = writeSpec(at('enc.json'));
    const r = run(['build', 'enc.json', '--board', 'icebreaker', '-o', '.']);
    expectOneError(r, 2, 'enc.json', 'input');
    expect(readFileSync(at('enc.json'), 'utf8')).toBe(text);
    expect(listAll(dir)).toEqual(['enc.json']);
  });

  it('-o through a symlinked folder onto the input (real paths compared): exit 2, input intact', () => {
    mkdirSync(at('real'));
    symlinkSync(at('real'), at('link'));
    const text = writeSpec(at('real', 'w.json'));
    const r = run(['real/w.json', '-o', 'link/w.v']);
    expectOneError(r, 2, 'link/w.json', 'input');
    expect(readFileSync(at('real', 'w.json'), 'utf8')).toBe(text);
    expect(listAll(at('real'))).toEqual(['w.json']);
  });

  it('a hard link to the input (same device and inode) is refused too', () => {
    const text = writeSpec(at('w.json'));
    spawnSync('ln', [at('w.json'), at('enc.json')]);
    expect(statSync(at('enc.json')).ino).toBe(statSync(at('w.json')).ino);
    expectOneError(run(['w.json', '-o', 'enc.v']), 2, 'enc.json');
    expect(readFileSync(at('w.json'), 'utf8')).toBe(text);
    expect(existsSync(at('enc.v'))).toBe(false);
  });

  it('--report onto the input: exit 2 before synthesis', () => {
    const text = writeSpec(at('w.json'));
    expectOneError(run(['w.json', '-o', 'out/enc.v', '--target', 'generic', '--report', 'w.json']), 2, 'w.json');
    expect(readFileSync(at('w.json'), 'utf8')).toBe(text);
    expect(listAll(dir)).toEqual(['w.json']);
  });
});

describe('2. a device or a FIFO is never replaced', () => {
  it('-o onto a FIFO: exit 2, the FIFO stays a FIFO, no manifest beside it', () => {
    writeSpec(at('w.json'));
    expect(spawnSync('mkfifo', [at('pipe.v')]).status).toBe(0);
    expectOneError(run(['w.json', '-o', 'pipe.v']), 2, 'pipe.v', 'FIFO', 'only regular files');
    expect(lstatSync(at('pipe.v')).isFIFO()).toBe(true);
    expect(listAll(dir)).toEqual(['pipe.v', 'w.json']);
  });

  it('-o /dev/null: exit 2 and /dev/null is still the device', () => {
    writeSpec(at('w.json'));
    expectOneError(run(['w.json', '-o', '/dev/null']), 2, '/dev/null', 'character device', 'only regular files');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(existsSync('/dev/null.json')).toBe(false);
  });
});

describe('3. ordinary path mistakes are input errors (exit 2, one line, nothing left)', () => {
  it.each([
    ['an existing folder', ['-o', 'somedir'], 'somedir', 'folder'],
    ['a new folder name with a trailing separator', ['-o', 'newdir/'], 'newdir/', 'folder'],
    ['an empty name', ['-o', ''], 'output', 'empty'],
    ['a path through a file', ['-o', 'w.json/enc.v'], 'w.json', 'not a folder'],
  ])('-o %s', (_what, args, ...fragments) => {
    writeSpec(at('w.json'));
    mkdirSync(at('somedir'));
    expectOneError(run(['w.json', ...args]), 2, ...fragments);
    expect(listAll(dir)).toEqual(['somedir', 'w.json']);
  });

  it('build -o onto a file: exit 2, the file untouched', () => {
    writeSpec(at('w.json'));
    writeFileSync(at('notes.txt'), 'mine');
    expectOneError(run(['build', 'w.json', '--board', 'icebreaker', '-o', 'notes.txt']), 2, 'notes.txt');
    expect(readFileSync(at('notes.txt'), 'utf8')).toBe('mine');
    expect(listAll(dir)).toEqual(['notes.txt', 'w.json']);
  });

  it('a missing input file or folder names it', () => {
    expectOneError(run(['nothing.json']), 2, 'nothing.json', 'no such file or folder');
    mkdirSync(at('d.json'));
    expectOneError(run(['d.json']), 2, 'd.json', 'folder');
  });
});

/** A small file system of `opts` mounted in the test folder, or null where mounting is not allowed (not root, a container). */
function mounted(name: string, opts: string): string | null {
  const p = at(name);
  mkdirSync(p);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', p], { stdio: 'ignore' });
  if (r.status !== 0) {
    console.warn(`\n*** SKIPPED: cannot mount a tmpfs here (needs root outside a restricted container): the ${opts} file-system case does not run ***\n`);
    return null;
  }
  return p;
}

describe('3. file-system failures on a real file system', () => {
  it('a full disk: exit 2 naming the path and the problem, no partial or temporary file left', (ctx) => {
    const fs = mounted('full', 'size=16k');
    if (fs === null) return ctx.skip();
    try {
      writeSpec(at('w.json'), { weights: Array.from({ length: 24 }, (_, r) => Array.from({ length: 24 }, (_, c) => ((r * 37 + c * 11) % 255) - 127)) });
      expectOneError(run(['w.json', '-o', 'full/enc.v', '-q']), 2, 'full/enc', 'no space left on the device');
      expect(listAll(fs)).toEqual([]);
      // the folders the run created for its outputs go too
      writeFileSync(at('full', 'mine.txt'), 'x');
      expectOneError(run(['w.json', '-o', 'full/new/deeper/enc.v', '-q']), 2, 'no space left on the device');
      expect(listAll(fs)).toEqual(['mine.txt']);
    } finally {
      spawnSync('umount', [fs]);
    }
  });

  it('a read-only file system: exit 2 naming the path and the problem', (ctx) => {
    const fs = mounted('ro', 'ro,size=16k');
    if (fs === null) return ctx.skip();
    try {
      writeSpec(at('w.json'));
      expectOneError(run(['w.json', '-o', 'ro/enc.v']), 2, 'ro/enc', 'read-only');
    } finally {
      spawnSync('umount', [fs]);
    }
  });
});

describe('4. the two outputs are written as a pair', () => {
  it('when the manifest’s name is a folder, the Verilog is not written either', () => {
    writeSpec(at('w.json'));
    mkdirSync(at('x.json'));
    expectOneError(run(['w.json', '-o', 'x.v']), 2, 'x.json');
    expect(listAll(dir)).toEqual(['w.json', 'x.json']);
  });
});

describe('5. reads are bounded', () => {
  it('an input that never ends (/dev/zero) is refused at the size limit, not read into memory', () => {
    expectOneError(run(['/dev/zero']), 2, '/dev/zero', '256 MB');
  });
});

describe('6. smaller things', () => {
  it('duplicate JSON keys are an error with their JSON path', () => {
    writeFileSync(at('w.json'), '{"format": 1, "name": "a", "name": "b", "input": {"width": 8, "signed": true}, "weights": [[1]]}');
    expectOneError(run(['w.json', '-o', 'enc.v']), 2, 'w.json: name: ', 'appears twice');
    expect(listAll(dir)).toEqual(['w.json']);
  });

  it('a UTF-8 byte-order mark and UTF-16 get a message that says so', () => {
    writeFileSync(at('bom.json'), '\uFEFF' + JSON.stringify(specDoc()));
    expectOneError(run(['bom.json', '-o', 'enc.v']), 2, 'bom.json', 'byte-order mark');
    writeFileSync(at('u16.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(specDoc()), 'utf16le')]));
    expectOneError(run(['u16.json', '-o', 'enc.v']), 2, 'u16.json', 'UTF-16');
    expect(listAll(dir)).toEqual(['bom.json', 'u16.json']);
  });

  it.each(['da_gen_selftest', 'da_gen_board'])('the reserved module name %s is refused at parse time', (name) => {
    writeSpec(at('w.json'), { name });
    expectOneError(run(['w.json', '-o', 'enc.v']), 2, 'w.json', name, 'reserved');
    expectOneError(run(['build', 'w.json', '--board', 'icebreaker', '-o', 'b']), 2, name);
    expect(listAll(dir)).toEqual(['w.json']);
  });

  it.each([
    [['--clock-mhz', '50'], '--clock-mhz'],
    [['--no-pnr'], '--no-pnr'],
    [['-o', '-', '--target', 'generic'], '--report'],
  ])('an option that would do nothing (%j) is a usage error, exit 2', (args, fragment) => {
    writeSpec(at('w.json'));
    const r = run(['w.json', ...(args.includes('-o') ? [] : ['-o', 'enc.v']), ...args]);
    expectOneError(r, 2, fragment);
    expect(listAll(dir)).toEqual(['w.json']);
  });

  it('a tool that reaches --timeout exits 3 and names the limit (it was "(0.0 s)" and exit 0)', () => {
    writeSpec(at('w.json'), { weights: Array.from({ length: 16 }, (_, r) => Array.from({ length: 16 }, (_, c) => ((r * 37 + c * 11) % 255) - 127)) });
    const r = run(['w.json', '-o', 'enc.v', '--target', 'ice40-up5k', '--no-pnr', '--timeout', '1', '--report', 'r.md', '-q']);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain('time limit of 1 s');
    expect(r.stderr).not.toContain('(0.0 s)');
  });
});
