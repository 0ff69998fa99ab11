import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../errors.js';

/**
 * Writing the command's files, one careful operation shared by every command:
 *
 * - every target is checked before any work and again before writing: it must be a regular file
 *   or not exist yet (never a folder, a device, a FIFO or a socket), and it must not be any input
 *   file, compared by real path (symbolic links resolved) and by device and inode (hard links);
 * - the files of a set are written to temporary files in their target folders, and renamed into
 *   place only when all are complete, under a lock per folder, so that concurrent runs writing
 *   the same names never leave files of two runs side by side;
 * - on any failure, and on SIGINT, SIGTERM or SIGHUP while writing, the temporary files are
 *   removed and nothing is left behind;
 * - every file-system failure is the user's problem to fix (exit 2), in one line naming the path.
 */

export interface OutputFile {
  path: string;
  text: string | Uint8Array;
  /** What the file is, in messages: "output", "manifest", "--report", … (default "output"). */
  what?: string;
}

/** A file-system error as a few words: `permission denied`, `no space left on device`, … */
export function fsProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'input/output error';
    case 'EFBIG':
      return 'the file is too large for the file system';
    default:
      return err.message ?? String(e);
  }
}

/** What kind of file system object a stat describes, for messages. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function statOrNull(path: string, follow: boolean): Stats | null {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/** A path with its trailing separators removed, for messages: `build/` → `build`. */
export function displayPath(path: string): string {
  const p = path.replace(/[/\\]+$/, '');
  return p === '' ? path.slice(0, 1) : p;
}

/** Where a path leads: the real path of its folder (symbolic links resolved) and its name, followed if it is a link. */
interface Target {
  file: OutputFile;
  /** Real path the file will have. */
  real: string;
  /** Its device and inode when it exists. */
  id: string | null;
}

/** The real path of `path`, which need not exist: its deepest existing ancestor resolved, the rest appended. */
function realPathOf(path: string, what: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    const st = statOrNullChecked(cur, what, path);
    if (st !== null) {
      if (rest.length > 0 && !st.isDirectory()) throw new InputError(`${what} ${path}: ${cur} is ${st.isFile() ? 'a file' : kindOf(st)}, not a folder`);
      return rest.length === 0 ? realpathSync(cur) : join(realpathSync(cur), ...rest.reverse());
    }
    const parent = dirname(cur);
    if (parent === cur) return abs;
    rest.push(basename(cur));
    cur = parent;
  }
}

function statOrNullChecked(path: string, what: string, given: string): Stats | null {
  try {
    return statOrNull(path, true);
  } catch (e) {
    throw new InputError(`${what} ${given}: cannot examine ${path}: ${fsProblem(e)}`);
  }
}

/** The identity of an existing file (device and inode), or null. */
function fileId(st: Stats | null): string | null {
  return st === null ? null : `${st.dev}:${st.ino}`;
}

/** Where an input really is: its real path and identity (an input that cannot be resolved is skipped: reading it will say why). */
function inputIdentity(file: string): { real: string; id: string | null } | null {
  try {
    return { real: realpathSync(file), id: fileId(statSync(file)) };
  } catch {
    return null;
  }
}

function resolveTarget(f: OutputFile): Target {
  const what = f.what ?? 'output';
  if (f.path === '') throw new InputError(`${what}: the file name is empty`);
  if (/[/\\]$/.test(f.path)) throw new InputError(`${what} ${f.path}: ends in "${f.path.slice(-1)}", so it names a folder; give a file name`);
  const real = realPathOf(f.path, what);
  const link = statOrNull(real, false);
  if (link?.isSymbolicLink()) {
    const st = statOrNull(real, true);
    if (st === null) throw new InputError(`${what} ${f.path}: is a symbolic link to a missing file; remove the link or choose another name`);
  }
  const st = statOrNullChecked(real, what, f.path);
  if (st !== null && !st.isFile()) {
    throw new InputError(`${what} ${f.path}: is ${kindOf(st)}; da-gen writes only regular files, give a file name`);
  }
  // A link to a regular file: write the file it points to (the link stays).
  const target = st !== null ? realpathSync(real) : real;
  return { file: f, real: target, id: fileId(st) };
}

/**
 * Check a set of outputs against the inputs before any work is done (and again before the
 * files are written): each must be a regular file or new, none may be an input or another output
 * of the set. Throws an InputError (exit 2) naming the path.
 */
export function checkOutputs(files: readonly OutputFile[], inputs: readonly string[]): void {
  resolveTargets(files, inputs);
}

function resolveTargets(files: readonly OutputFile[], inputs: readonly string[]): Target[] {
  const targets = files.map(resolveTarget);
  const ins = inputs.map((file) => ({ file, at: inputIdentity(file) }));
  for (const t of targets) {
    const what = t.file.what ?? 'output';
    for (const i of ins) {
      if (i.at === null) continue;
      if (i.at.real === t.real || (t.id !== null && t.id === i.at.id)) {
        throw new InputError(`${what} ${t.file.path}: it is the input file ${i.file}, which da-gen never overwrites; choose another output with -o`);
      }
    }
  }
  for (let a = 0; a < targets.length; a++) {
    for (let b = a + 1; b < targets.length; b++) {
      if (targets[a]!.real === targets[b]!.real) {
        const A = targets[a]!.file;
        const B = targets[b]!.file;
        throw new InputError(`${B.what ?? 'output'} ${B.path}: the same file as the ${A.what ?? 'output'} ${A.path}; choose another name`);
      }
    }
  }
  return targets;
}

/** How long a writer waits for another's lock on a folder before giving up. */
const LOCK_WAIT_MS = 30_000;
export const LOCK_NAME = '.da-gen.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the lock of a folder: create `.da-gen.lock` holding our process id. A lock whose process
 * is gone is stale and taken over; a live one is waited for.
 */
async function lockFolder(folder: string, held: Set<string>): Promise<void> {
  const lock = join(folder, LOCK_NAME);
  const t0 = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      held.add(lock);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`cannot lock the folder ${folder} for writing: ${fsProblem(e)}`);
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(lock, 'utf8').trim());
    } catch {
      continue; // removed meanwhile: try again
    }
    const known = Number.isInteger(owner) && owner > 0;
    // A lock whose writer died is stale. One without a process id is being created this instant
    // (the id follows at once), unless it stays so for a second.
    if ((known && (owner === process.pid || !processAlive(owner))) || (!known && Date.now() - t0 > 1000)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() - t0 > LOCK_WAIT_MS) {
      throw new InputError(`the folder ${folder} is locked by da-gen process ${owner} (${lock}); wait for it to finish, or remove the lock file if no da-gen is running`);
    }
    await sleep(10 + Math.floor(Math.random() * 20));
  }
}

/** Temporary files and locks of writes in progress, removed if a signal stops the process. */
const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Die of the same signal, as if no handler had been installed.
  process.kill(process.pid, signal);
}

/** Remove the listed files, ignoring those already gone. */
function removeAll(paths: Iterable<string>): void {
  for (const p of paths) {
    rmSync(p, { force: true });
    pending.delete(p);
  }
}

/** Remove `deepest` and its parents up to `first`, each only if it is empty. */
function removeEmptyFolders(deepest: string, first: string): void {
  for (let d = deepest; ; d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (another writer's files) or gone: leave it and its parents
    }
    if (d === first || dirname(d) === d) return;
  }
}

/**
 * Write all files or none (see the top of this file). `inputs` are the files the command read:
 * no output may replace one of them.
 */
export async function writeOutputs(files: readonly OutputFile[], inputs: readonly string[]): Promise<void> {
  const installed = pending.size === 0;
  if (installed) for (const s of SIGNALS) process.on(s, onSignal);
  const temps: { tmp: string; target: Target }[] = [];
  const locks = new Set<string>();
  // folders this call created ([the deepest, the first one created]), removed again on failure
  const created: [string, string][] = [];
  let written = false;
  try {
    const targets = resolveTargets(files, inputs);
    const folders = [...new Set(targets.map((t) => dirname(t.real)))].sort();
    for (const folder of folders) {
      try {
        const first = mkdirSync(folder, { recursive: true });
        if (first !== undefined) created.push([folder, first]);
      } catch (e) {
        throw new InputError(`cannot create the folder ${folder}: ${fsProblem(e)}`);
      }
    }
    for (const target of targets) {
      const tmp = join(dirname(target.real), `.${basename(target.real)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      pending.add(tmp);
      temps.push({ tmp, target });
      try {
        const fh = await open(tmp, 'wx');
        try {
          await fh.writeFile(target.file.text);
          await fh.sync();
        } finally {
          await fh.close();
        }
      } catch (e) {
        throw new InputError(`cannot write ${target.file.what ?? 'output'} ${target.file.path}: ${fsProblem(e)}`);
      }
    }
    for (const folder of folders) {
      await lockFolder(folder, locks);
      for (const l of locks) pending.add(l);
    }
    // Under the locks: the targets may have changed since they were checked.
    resolveTargets(files, inputs);
    for (const t of temps) {
      try {
        renameSync(t.tmp, t.target.real);
      } catch (e) {
        throw new InputError(`cannot write ${t.target.file.what ?? 'output'} ${t.target.file.path}: ${fsProblem(e)}`);
      }
      pending.delete(t.tmp);
    }
    written = true;
  } finally {
    removeAll(temps.map((t) => t.tmp).filter((p) => pending.has(p)));
    removeAll(locks);
    if (!written) for (const [deepest, first] of created) removeEmptyFolders(deepest, first);
    if (installed) for (const s of SIGNALS) process.removeListener(s, onSignal);
  }
}

/** `out/encoder.v` → `out/encoder.json`. */
export function manifestPathFor(verilogPath: string): string {
  const dot = verilogPath.lastIndexOf('.');
  const slash = Math.max(verilogPath.lastIndexOf('/'), verilogPath.lastIndexOf('\\'));
  const stem = dot > slash + 1 ? verilogPath.slice(0, dot) : verilogPath;
  return `${stem}.json`;
}

/**
 * The folder of a command that writes several files (`build -o <dir>`): it must be a folder or
 * not exist yet. Returns it without trailing separators.
 */
export function checkOutputFolder(dir: string): string {
  if (dir === '') throw new InputError('-o: the folder name is empty');
  const st = statOrNullChecked(dir, 'output folder', dir);
  if (st !== null && !st.isDirectory()) throw new InputError(`output folder ${dir}: is ${st.isFile() ? 'a file' : kindOf(st)}, expected a folder`);
  return displayPath(dir);
}
