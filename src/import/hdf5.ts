/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly). The C library reports an
 * error by printing a diagnostic stack to stderr; every call here captures that text instead,
 * and a failure becomes one SpecError naming the file and the reason (the diagnostic's last
 * line, e.g. "truncated file: eof = 20000, stored_eof = 38344").
 */
import { openSync, readSync, closeSync } from 'node:fs';
import fs from 'node:fs';
import { SpecError } from '../errors.js';

type H5Module = typeof import('h5wasm/node').default;
type H5File = InstanceType<H5Module['File']>;

let h5: H5Module | null = null;
let h5FS: { writeFile(p: string, d: Uint8Array): void; unlink(p: string): void } | null = null;

async function loadH5(): Promise<H5Module> {
  if (h5 === null) {
    const mod = (await import('h5wasm/node')).default;
    const ready = (await mod.ready) as unknown as { FS: typeof h5FS };
    h5FS = ready.FS;
    h5 = mod;
  }
  return h5;
}

/** The 8-byte HDF5 signature, at offset 0 (or 512, 1024, … when a user block precedes it). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the file starts with the HDF5 signature (at 0 or a power-of-two offset from 512). */
export function isHdf5(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let off = 0; off <= 1 << 20; off = off === 0 ? 512 : off * 2) {
      if (readSync(fd, buf, 0, 8, off) < 8) return false;
      if (SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Runs f with the C library's stderr diagnostics captured; returns f's result and the text. */
function captured<T>(f: () => T): { value: T | undefined; error: unknown; diag: string } {
  const orig = fs.writeSync;
  let diag = '';
  const patched = ((fd: number, buf: string | NodeJS.ArrayBufferView, ...rest: unknown[]): number => {
    if (fd !== 2) return (orig as (...a: unknown[]) => number)(fd, buf, ...rest);
    if (typeof buf === 'string') {
      diag += buf;
      return Buffer.byteLength(buf);
    }
    const off = typeof rest[0] === 'number' ? rest[0] : 0;
    const len = typeof rest[1] === 'number' ? rest[1] : buf.byteLength - off;
    diag += Buffer.from(buf.buffer, buf.byteOffset + off, len).toString('utf8');
    return len;
  }) as typeof fs.writeSync;
  fs.writeSync = patched;
  try {
    return { value: f(), error: null, diag };
  } catch (e) {
    return { value: undefined, error: e, diag };
  } finally {
    fs.writeSync = orig;
  }
}

/** The most specific line of an HDF5 diagnostic stack ("truncated file: eof = …"). */
function reason(diag: string, error: unknown): string {
  const lines = diag
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^#\d+:/.test(l))
    .map((l) => l.replace(/^#\d+:.*?\(\):\s*/, ''));
  const last = lines[lines.length - 1];
  if (last) return last.replace(/, sblock->base_addr = \d+/, '');
  return error instanceof Error ? error.message : 'the HDF5 library could not read it';
}

/** A dataset's values as float64 numbers (integers, floats, booleans), with its shape. */
export interface H5Data {
  shape: number[];
  values: number[];
}

let memFiles = 0;

/** One open HDF5 file, read-only. Paths are "/"-separated, relative to the root. */
export class Hdf5File {
  private constructor(
    private readonly f: H5File,
    private readonly mod: H5Module,
    readonly label: string,
  ) {}

  /** Opens a file; a file that is not HDF5, or that the library cannot read, is a SpecError. */
  static async open(path: string, label: string): Promise<Hdf5File> {
    if (!isHdf5(path)) throw new SpecError(label, '', 'not an HDF5 file (no HDF5 signature at its start)');
    const mod = await loadH5();
    const r = captured(() => new mod.File(path, 'r'));
    const f = r.value;
    if (f === undefined || Number(f.file_id) < 0) {
      throw new SpecError(label, '', `the HDF5 library cannot read it: ${reason(r.diag, r.error)}`);
    }
    return new Hdf5File(f, mod, label);
  }

  /** Opens the bytes of an HDF5 file held in memory (a Keras 3 archive's model.weights.h5). */
  static async fromBytes(bytes: Uint8Array, label: string): Promise<Hdf5File> {
    const mod = await loadH5();
    if (!SIGNATURE.every((b, i) => bytes[i] === b)) throw new SpecError(label, '', 'not an HDF5 file (no HDF5 signature at its start)');
    // h5wasm reads files through its own (in-memory) file system
    const name = `/da-gen-${++memFiles}.h5`;
    h5FS!.writeFile(name, bytes);
    const r = captured(() => new mod.File(name, 'r'));
    const f = r.value;
    if (f === undefined || Number(f.file_id) < 0) {
      throw new SpecError(label, '', `the HDF5 library cannot read it: ${reason(r.diag, r.error)}`);
    }
    return new Hdf5File(f, mod, label);
  }

  close(): void {
    captured(() => this.f.close());
  }

  private node(path: string): unknown {
    const p = path.replace(/^\/+/, '');
    if (p === '') return this.f;
    const r = captured(() => this.f.get(p));
    if (r.error) throw new SpecError(this.label, `/${p}`, `the HDF5 library cannot read it: ${reason(r.diag, r.error)}`);
    return r.value ?? null;
  }

  /** Whether a group or dataset exists at the path. */
  has(path: string): boolean {
    return this.node(path) !== null;
  }

  /** Whether the path is a dataset. */
  isDataset(path: string): boolean {
    return this.node(path) instanceof this.mod.Dataset;
  }

  /** The names in a group ([] for a dataset or a missing path). */
  keys(path: string): string[] {
    const n = this.node(path) as { keys?: () => string[] } | null;
    if (n === null || n instanceof this.mod.Dataset || typeof n.keys !== 'function') return [];
    const r = captured(() => n.keys!());
    if (r.error) throw new SpecError(this.label, `/${path}`, `the HDF5 library cannot read it: ${reason(r.diag, r.error)}`);
    return [...(r.value ?? [])].sort();
  }

  /** An attribute's value (string, number, or array of them), or undefined when absent. */
  attr(path: string, name: string): unknown {
    const n = this.node(path) as { attrs?: Record<string, { value: unknown }> } | null;
    if (n === null || !n.attrs) return undefined;
    const r = captured(() => (name in n.attrs! ? n.attrs![name]!.value : undefined));
    if (r.error) throw new SpecError(this.label, `/${path}`, `the HDF5 library cannot read attribute "${name}": ${reason(r.diag, r.error)}`);
    const v = r.value;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? Number(x) : x));
    return v;
  }

  /** A dataset's shape and values; a missing path or a group is a SpecError naming what was expected. */
  dataset(path: string, what: string): H5Data {
    const n = this.node(path);
    if (!(n instanceof this.mod.Dataset)) {
      throw new SpecError(this.label, `/${path.replace(/^\/+/, '')}`, `expected ${what}, a dataset, but the file has ${n === null ? 'nothing there' : 'a group there'}`);
    }
    const r = captured(() => ({ shape: n.shape ?? [], value: n.value }));
    if (r.error || r.value === undefined) throw new SpecError(this.label, `/${path}`, `the HDF5 library cannot read ${what}: ${reason(r.diag, r.error)}`);
    const raw = r.value.value as unknown;
    let values: number[];
    if (typeof raw === 'number' || typeof raw === 'boolean') values = [Number(raw)];
    else if (typeof raw === 'bigint') values = [Number(raw)];
    else if (ArrayBuffer.isView(raw)) values = Array.from(raw as unknown as ArrayLike<number | bigint>, (x) => Number(x));
    else if (Array.isArray(raw)) values = raw.flat(Infinity).map((x) => Number(x));
    else throw new SpecError(this.label, `/${path}`, `expected ${what} as numbers, got ${typeof raw}`);
    return { shape: (r.value.shape ?? []).map(Number), values };
  }
}
