import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Datasets for `da-gen run`, read and written as streams in bounded memory: CSV (one event per
 * line, with or without a header, integers or real numbers) and NumPy .npy (2-D, C order, integer
 * or float). A reader yields blocks of events as numbers, each block with the line (CSV) or row
 * (.npy) of its first event, so that a bad value is named by file, line and column.
 */

/** A block of events: `values` holds `rows` events of `columns` numbers each, row after row. */
export interface EventBlock {
  values: Float64Array;
  rows: number;
  /** The 1-based line (CSV) or 0-based row (.npy) of the block's first event. */
  first: number;
  /** Bytes of the file read so far (for progress). */
  bytesRead: number;
}

export interface DatasetReader {
  format: 'csv' | 'npy';
  /** Columns per event. */
  columns: number;
  /** Events in the file, when known before reading them (.npy). */
  rows: number | null;
  /** The file's size in bytes. */
  bytes: number;
  /** How an event is named in messages: "line 17" or "row 16". */
  where(index: number): string;
  blocks(): AsyncGenerator<EventBlock>;
}

/** The format of a dataset by its name: `.npy`, else CSV. */
export function datasetFormat(path: string): 'csv' | 'npy' {
  return extname(path).toLowerCase() === '.npy' ? 'npy' : 'csv';
}

/** A dataset of `expected` numbers per event (a file with another count is refused), read `blockRows` events at a time. */
export async function openDataset(path: string, expected: number, blockRows: number): Promise<DatasetReader> {
  return datasetFormat(path) === 'npy' ? openNpy(path, expected, blockRows) : openCsv(path, expected, blockRows);
}

/** The dataset opened for reading, or an InputError naming it. */
async function openInput(path: string): Promise<FileHandle> {
  return open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`${path}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'a folder, not a file' : e.message}`);
  });
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A field that is only an optional sign and up to 15 digits, as a number (the usual case, read without a regular expression); else null. */
function plainInteger(f: string): number | null {
  const n = f.length;
  let i = 0;
  let neg = false;
  const c0 = f.charCodeAt(0);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i = 1;
  }
  if (i === n || n - i > 15) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = f.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** One CSV field as a number, or an InputError naming the line and column. */
function csvNumber(field: string, path: string, line: number, column: number): number {
  const t = field.trim();
  if (!NUMBER.test(t)) throw new InputError(`${path}: line ${line}, column ${column}: expected a number, got ${t === '' ? 'an empty field' : JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t)}`);
  return Number(t);
}

async function openCsv(path: string, expected: number, blockRows: number): Promise<DatasetReader> {
  const fh = await openInput(path);
  const st = await fh.stat();
  await fh.close();
  if (!st.isFile()) throw new InputError(`${path}: not a file`);
  return {
    format: 'csv',
    columns: expected,
    rows: null,
    bytes: st.size,
    where: (index) => `line ${index}`,
    async *blocks() {
      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      let line = 0;
      let bytesRead = 0;
      let values = new Float64Array(blockRows * expected);
      let rows = 0;
      let first = 0;
      let sawData = false;
      /** The block, when the line just read filled it (and a fresh one for the next lines). */
      const full = (): EventBlock | null => {
        if (rows < blockRows) return null;
        const block = { values, rows, first, bytesRead };
        values = new Float64Array(blockRows * expected);
        rows = 0;
        return block;
      };
      /** A line as text: blank, a comment, the header, or an event (else an InputError naming it). */
      const take = (text: string): EventBlock | null => {
        line++;
        const t = text.endsWith('\r') ? text.slice(0, -1) : text;
        if (t.trim() === '' || t.startsWith('#')) return null;
        const fields = t.split(',');
        // a first line that is not numbers is a header
        if (!sawData && !fields.every((f) => NUMBER.test(f.trim()))) {
          sawData = true;
          if (fields.length !== expected) throw new InputError(`${path}: line ${line}: the header has ${fields.length} columns, the design takes ${expected} inputs`);
          return null;
        }
        sawData = true;
        if (fields.length !== expected) throw new InputError(`${path}: line ${line}: ${fields.length} columns, expected ${expected} (the design's inputs)`);
        if (rows === 0) first = line;
        const at = rows * expected;
        for (let c = 0; c < expected; c++) {
          const f = fields[c]!;
          const v = plainInteger(f);
          values[at + c] = v !== null ? v : csvNumber(f, path, line, c + 1);
        }
        rows++;
        return full();
      };
      /**
       * The usual line, read from its bytes: integers of up to 15 digits with an optional sign,
       * `expected` of them separated by commas (a CR before the LF allowed), once the header
       * question is settled. Returns false, having changed nothing that counts, for any other
       * line: `take` then reads it as text, with its messages.
       */
      const fast = (buf: Buffer, s: number, e: number): boolean => {
        if (!sawData) return false;
        if (e > s && buf[e - 1] === 13) e--;
        const at = rows * expected;
        let c = 0;
        let i = s;
        for (;;) {
          if (c === expected) return false;
          let neg = false;
          const b0 = buf[i];
          if (b0 === 45 || b0 === 43) {
            neg = b0 === 45;
            i++;
          }
          const d0 = i;
          let v = 0;
          while (i < e) {
            const d = buf[i]! - 48;
            if (d < 0 || d > 9) break;
            v = v * 10 + d;
            i++;
          }
          if (i === d0 || i - d0 > 15) return false;
          values[at + c++] = neg ? -v : v;
          if (i === e) break;
          if (buf[i] !== 44) return false;
          i++;
        }
        if (c !== expected) return false;
        line++;
        if (rows === 0) first = line;
        rows++;
        return true;
      };
      let restBytes: Buffer = Buffer.alloc(0);
      for await (const chunk of stream) {
        const got = chunk as Buffer;
        bytesRead += got.length;
        const buf = restBytes.length > 0 ? Buffer.concat([restBytes, got]) : got;
        let s = 0;
        for (let nl = buf.indexOf(10, s); nl >= 0; nl = buf.indexOf(10, s)) {
          if (fast(buf, s, nl)) {
            const b = full();
            if (b) yield b;
          } else {
            const b = take(buf.toString('utf8', s, nl));
            if (b) yield b;
          }
          s = nl + 1;
        }
        restBytes = buf.subarray(s);
      }
      const tail = restBytes.toString('utf8');
      if (tail !== '') {
        const b = take(tail);
        if (b) yield b;
      }
      if (rows > 0) yield { values, rows, first, bytesRead };
    },
  };
}

/** NumPy dtypes read: little-endian (or byte-wide) integers, floats and bools. */
const NPY_TYPES: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  '<f8': { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  '<f4': { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  '<i8': { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  '<i4': { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  '<i2': { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  '|i1': { bytes: 1, read: (v, at) => v.getInt8(at) },
  '<u8': { bytes: 8, read: (v, at) => Number(v.getBigUint64(at, true)) },
  '<u4': { bytes: 4, read: (v, at) => v.getUint32(at, true) },
  '<u2': { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  '|u1': { bytes: 1, read: (v, at) => v.getUint8(at) },
  '|b1': { bytes: 1, read: (v, at) => v.getUint8(at) },
};

async function openNpy(path: string, expected: number, blockRows: number): Promise<DatasetReader> {
  const fh = await openInput(path);
  try {
    const st = await fh.stat();
    const head = Buffer.alloc(Math.min(st.size, 65536 + 12));
    await fh.read(head, 0, head.length, 0);
    if (head.length < 10 || head[0] !== 0x93 || head.toString('latin1', 1, 6) !== 'NUMPY') throw new InputError(`${path}: not a NumPy .npy file (no \\x93NUMPY magic)`);
    const major = head[6]!;
    const lenBytes = major === 1 ? 2 : 4;
    const hlen = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
    const start = 8 + lenBytes;
    if (start + hlen > head.length) throw new InputError(`${path}: the .npy header is cut short or too long`);
    const header = head.toString('latin1', start, start + hlen);
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
    const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
    if (descr === undefined || fortran === undefined || shape === undefined) throw new InputError(`${path}: cannot read the .npy header ${JSON.stringify(header.trim())}`);
    const type = NPY_TYPES[descr === '<b1' ? '|b1' : descr === '<i1' ? '|i1' : descr === '<u1' ? '|u1' : descr];
    if (!type) throw new InputError(`${path}: dtype ${descr} is not read: expected little-endian integers (i1–i8, u1–u8), floats (f4, f8) or bool`);
    if (fortran === 'True') throw new InputError(`${path}: Fortran order is not read; save the array in C order (numpy.ascontiguousarray)`);
    const dims = shape.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
    if (dims.length !== 2) throw new InputError(`${path}: shape (${dims.join(', ')}): expected a 2-D array (events × ${expected} inputs)`);
    const [n, cols] = dims as [number, number];
    if (cols !== expected) throw new InputError(`${path}: shape (${n}, ${cols}): ${cols} columns, expected ${expected} (the design's inputs)`);
    const dataAt = start + hlen;
    if (st.size < dataAt + n * cols * type.bytes) throw new InputError(`${path}: the file holds ${st.size - dataAt} bytes of data, the shape (${n}, ${cols}) needs ${n * cols * type.bytes}: cut short`);
    return {
      format: 'npy',
      columns: cols,
      rows: n,
      bytes: st.size,
      where: (index) => `row ${index}`,
      async *blocks() {
        const h = await open(path, 'r');
        try {
          const rowBytes = cols * type.bytes;
          const buf = Buffer.alloc(blockRows * rowBytes);
          for (let r0 = 0; r0 < n; r0 += blockRows) {
            const rows = Math.min(blockRows, n - r0);
            await h.read(buf, 0, rows * rowBytes, dataAt + r0 * rowBytes);
            const view = new DataView(buf.buffer, buf.byteOffset, rows * rowBytes);
            const values = new Float64Array(rows * cols);
            for (let k = 0; k < rows * cols; k++) values[k] = type.read(view, k * type.bytes);
            yield { values, rows, first: r0, bytesRead: dataAt + (r0 + rows) * rowBytes };
          }
        } finally {
          await h.close();
        }
      },
    };
  } finally {
    await fh.close();
  }
}

/** The header of a 2-D .npy array, padded so that the data starts at a multiple of 64 bytes; `rows` is written in a field wide enough to be rewritten in place at the end. */
export function npyHeader(descr: '<i8' | '<f8', rows: number, columns: number): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${String(rows).padStart(20)}, ${columns}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - 10 - 1) + '\n';
  const out = Buffer.alloc(10 + header.length);
  out[0] = 0x93;
  out.write('NUMPY', 1, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  return out;
}
