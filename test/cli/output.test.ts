import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkOutputFolder, checkOutputs, fsProblem, LOCK_NAME, writeOutputs } from '../../src/cli/output.js';
import { thrownBy } from '../helpers/errors.js';
import { freshFolderPerTest } from '../helpers/temp.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built module, for the tests that write from child processes (test/global-setup.ts builds it). */
const OUTPUT_JS = pathToFileURL(join(ROOT, 'dist', 'cli', 'output.js')).href;

let dir = '';
freshFolderPerTest('da-gen-out-', (d) => (dir = d));

const at = (...p: string[]): string => join(dir, ...p);

/** Every entry under the folder, hidden ones included, sorted. */
function listAll(d = dir): string[] {
  return (readdirSync(d, { recursive: true }) as string[]).sort();
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('writeOutputs: all files of a set, or none', () => {
  it('writes every file, creating missing folders, and leaves nothing else', async () => {
    await writeOutputs(
      [
        { path: at('a.v'), text: 'verilog' },
        { path: at('sub', 'deeper', 'a.json'), text: Uint8Array.from([1, 2, 3]) },
      ],
      [],
    );
    expect(readFileSync(at('a.v'), 'utf8')).toBe('verilog');
    expect([...readFileSync(at('sub', 'deeper', 'a.json'))]).toEqual([1, 2, 3]);
    expect(listAll()).toEqual(['a.v', 'sub', join('sub', 'deeper'), join('sub', 'deeper', 'a.json')].sort());
  });

  it('replaces existing regular files', async () => {
    writeFileSync(at('a.v'), 'old');
    await writeOutputs([{ path: at('a.v'), text: 'new' }], []);
    expect(readFileSync(at('a.v'), 'utf8')).toBe('new');
  });

  it('when the second file cannot be written (its name is a folder), writes neither and leaves no temporary file', async () => {
    mkdirSync(at('x.json'));
    writeFileSync(at('x.v'), 'before');
    const e = await rejection(writeOutputs([{ path: at('x.v'), text: 'after' }, { path: at('x.json'), text: '{}', what: 'manifest' }], []));
    expect(e.message).toBe(`manifest ${at('x.json')}: is a folder; da-gen writes only regular files, give a file name`);
    expect(readFileSync(at('x.v'), 'utf8')).toBe('before');
    expect(listAll()).toEqual(['x.json', 'x.v']);
  });

  it('refuses a folder, a device, a FIFO, a name ending in a separator and an empty name, before writing anything', async () => {
    mkdirSync(at('somedir'));
    expect((await rejection(writeOutputs([{ path: at('somedir'), text: '' }], []))).message).toContain('is a folder');
    expect((await rejection(writeOutputs([{ path: '/dev/null', text: 'x' }], []))).message).toBe('output /dev/null: is a character device; da-gen writes only regular files, give a file name');
    expect(spawnSync('mkfifo', [at('fifo')]).status).toBe(0);
    expect((await rejection(writeOutputs([{ path: at('fifo'), text: 'x' }], []))).message).toContain('is a FIFO (named pipe)');
    expect((await rejection(writeOutputs([{ path: at('newdir') + '/', text: 'x' }], []))).message).toContain('so it names a folder; give a file name');
    expect((await rejection(writeOutputs([{ path: '', text: 'x' }], []))).message).toBe('output: the file name is empty');
    expect(listAll()).toEqual(['fifo', 'somedir']);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('refuses a path through a file, naming the file', async () => {
    writeFileSync(at('afile'), '');
    const e = await rejection(writeOutputs([{ path: at('afile', 'x.v'), text: 'x' }], []));
    expect(e.message).toBe(`output ${at('afile', 'x.v')}: ${at('afile')} is a file, not a folder`);
  });

  it('refuses a link to a missing file, and writes through a link to a regular file (the link stays)', async () => {
    symlinkSync(at('missing.v'), at('dangling.v'));
    expect((await rejection(writeOutputs([{ path: at('dangling.v'), text: 'x' }], []))).message).toContain('symbolic link to a missing file');
    writeFileSync(at('real.v'), 'old');
    symlinkSync(at('real.v'), at('link.v'));
    await writeOutputs([{ path: at('link.v'), text: 'new' }], []);
    expect(lstatSync(at('link.v')).isSymbolicLink()).toBe(true);
    expect(readFileSync(at('real.v'), 'utf8')).toBe('new');
  });

  it('refuses two outputs that are the same file', async () => {
    const e = await rejection(writeOutputs([{ path: at('a.v'), text: '1', what: 'output' }, { path: at('.', 'a.v'), text: '2', what: '--report' }], []));
    expect(e.message).toContain('the same file as the output');
    expect(listAll()).toEqual([]);
  });
});

describe('checkOutputs: never an input file, however it is reached', () => {
  beforeEach(() => {
    mkdirSync(at('real'));
    writeFileSync(at('real', 'w.json'), '{"input": true}');
  });
  const input = (): string => at('real', 'w.json');

  it('the same path, or the same path spelled differently', () => {
    expect(thrownBy(InputError, () => checkOutputs([{ path: input(), text: '' }], [input()])).message).toContain('it is the input file');
    expect(thrownBy(InputError, () => checkOutputs([{ path: at('real', '..', 'real', 'w.json'), text: '' }], [input()])).message).toContain('it is the input file');
  });

  it('through a linked folder (real paths are compared, not resolved ones)', () => {
    symlinkSync(at('real'), at('link'));
    const e = thrownBy(InputError, () => checkOutputs([{ path: at('link', 'w.json'), text: '', what: 'manifest' }], [input()]));
    expect(e.message).toBe(`manifest ${at('link', 'w.json')}: it is the input file ${input()}, which da-gen never overwrites; choose another output with -o`);
  });

  it('through a link to the input file, and through a hard link (same device and inode)', () => {
    symlinkSync(input(), at('soft.json'));
    linkSync(input(), at('hard.json'));
    expect(thrownBy(InputError, () => checkOutputs([{ path: at('soft.json'), text: '' }], [input()])).message).toContain('it is the input file');
    expect(thrownBy(InputError, () => checkOutputs([{ path: at('hard.json'), text: '' }], [input()])).message).toContain('it is the input file');
  });

  it('when the input itself was named through a link', () => {
    symlinkSync(at('real'), at('link'));
    expect(thrownBy(InputError, () => checkOutputs([{ path: input(), text: '' }], [at('link', 'w.json')])).message).toContain('it is the input file');
  });

  it('other files are fine, and the input is untouched', async () => {
    await writeOutputs([{ path: at('real', 'w.v'), text: 'v' }, { path: at('real', 'w2.json'), text: 'j' }], [input()]);
    expect(readFileSync(input(), 'utf8')).toBe('{"input": true}');
  });
});

describe('checkOutputFolder (build -o <dir>)', () => {
  it('accepts a folder or a new name, without trailing separators', () => {
    mkdirSync(at('b'));
    expect(checkOutputFolder(at('b') + '/')).toBe(at('b'));
    expect(checkOutputFolder(at('new') + '//')).toBe(at('new'));
  });
  it('refuses a file and an empty name', () => {
    writeFileSync(at('f'), '');
    expect(thrownBy(InputError, () => checkOutputFolder(at('f'))).message).toBe(`output folder ${at('f')}: is a file, expected a folder`);
    expect(thrownBy(InputError, () => checkOutputFolder('')).message).toContain('empty');
  });
});

describe('file-system failures are the user\'s to fix, in a few words', () => {
  it.each([
    ['EACCES', 'permission denied'],
    ['EROFS', 'the file system is read-only'],
    ['ENOSPC', 'no space left on the device'],
    ['EDQUOT', 'disk quota exceeded'],
    ['ENOTDIR', 'a part of the path is not a folder'],
    ['ENAMETOOLONG', 'the name is too long'],
  ])('%s: %s', (code, words) => {
    expect(fsProblem(Object.assign(new Error('raw'), { code }))).toBe(words);
  });

  it('a read-only folder', async (ctx) => {
    if (process.getuid?.() === 0) {
      // root writes into read-only folders: test/cli/main.paths.test.ts mounts a read-only file system instead
      console.warn('\n*** SKIPPED: running as root, which may write into a read-only folder (main.paths tests a read-only mount) ***\n');
      return ctx.skip();
    }
    mkdirSync(at('ro'));
    chmodSync(at('ro'), 0o555);
    const e = await rejection(writeOutputs([{ path: at('ro', 'x.v'), text: 'x' }], []));
    expect(e.message).toBe(`cannot write output ${at('ro', 'x.v')}: permission denied`);
    chmodSync(at('ro'), 0o755);
    expect(listAll()).toEqual(['ro']);
  });
});

/** Run a script that imports the built output module, in a child process. */
function child(script: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--input-type=module', '-e', `import * as out from ${JSON.stringify(OUTPUT_JS)};\n${script}`], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function exited(c: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  c.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((res) => c.on('close', (code, signal) => res({ code, signal, stderr })));
}

describe('writers in other processes', () => {
  it('six concurrent writers of the same pair of names never leave files of two runs side by side', async () => {
    const v = at('x.v');
    const j = at('x.json');
    for (let round = 0; round < 2; round++) {
      const kids = [0, 1, 2, 3, 4, 5].map((k) =>
        exited(
          child(`
            for (let i = 0; i < 15; i++) {
              const tag = 'writer ${k} write ' + i + ' ';
              await out.writeOutputs([{ path: ${JSON.stringify(v)}, text: tag.repeat(2000 + ${k} * 500) }, { path: ${JSON.stringify(j)}, text: tag }], []);
            }`),
        ),
      );
      for (const r of await Promise.all(kids)) expect(r).toMatchObject({ code: 0, stderr: '' });
      const tag = readFileSync(j, 'utf8');
      expect(readFileSync(v, 'utf8').slice(0, tag.length)).toBe(tag);
      expect(listAll()).toEqual(['x.json', 'x.v']);
    }
  });

  it('waits for a folder locked by a live writer, and takes over the lock of one that died', async () => {
    // A stale lock: its process does not exist.
    writeFileSync(at(LOCK_NAME), '2147483646\n');
    await writeOutputs([{ path: at('a.v'), text: '1' }], []);
    expect(listAll()).toEqual(['a.v']);
    // A live lock (this test's own process): the writer waits until it is gone.
    writeFileSync(at(LOCK_NAME), `${process.pid}\n`);
    const c = exited(child(`await out.writeOutputs([{ path: ${JSON.stringify(at('a.v'))}, text: '2' }], []);`));
    await new Promise((r) => setTimeout(r, 1500));
    expect(readFileSync(at('a.v'), 'utf8')).toBe('1');
    rmSync(at(LOCK_NAME));
    expect((await c).code).toBe(0);
    expect(readFileSync(at('a.v'), 'utf8')).toBe('2');
    expect(listAll()).toEqual(['a.v']);
  });

  it('SIGTERM while a large file is being written: the process dies of it and leaves neither the file nor its temporary copy', async () => {
    const c = child(`await out.writeOutputs([{ path: ${JSON.stringify(at('small.v'))}, text: 'x' }, { path: ${JSON.stringify(at('big.json'))}, text: 'y'.repeat(400 * 1024 * 1024) }], []);`);
    const done = exited(c);
    // Wait until the temporary files exist, then stop the writer.
    const t0 = Date.now();
    while (!listAll().some((f) => f.endsWith('.tmp')) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 2));
    expect(listAll().some((f) => f.endsWith('.tmp'))).toBe(true);
    c.kill('SIGTERM');
    const r = await done;
    expect(r.signal).toBe('SIGTERM');
    expect(listAll()).toEqual([]);
    expect(existsSync(at('small.v'))).toBe(false);
  });
});
