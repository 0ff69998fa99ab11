import { SpecError } from '../errors.js';

/**
 * Reading JSON documents the user gave (weights files, reports) with errors that name the
 * file, the place (line and column, or the JSON path) and what was expected.
 */

/** A value as an error message shows it: `number 1.5`, `the string "abc"`, `an array`, … */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  return `line ${line}, column ${col}`;
}

/**
 * Offset of a JSON syntax error when the engine's message gives none: the end of the longest
 * prefix that could still begin a valid document (runs only after parsing has failed).
 */
function syntaxErrorOffset(text: string): number {
  const viable = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (e) {
      const msg = (e as Error).message;
      if (msg.includes('Unexpected end of JSON input')) return true;
      const m = /position (\d+)/.exec(msg);
      return m !== null && Number(m[1]) >= k;
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (viable(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Byte offset of the first byte that is not valid UTF-8, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    // Lead byte: the sequence's length and the range of its second byte (no overlongs, no surrogates, ≤ U+10FFFF).
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < len; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += len;
  }
  return -1;
}

/** Line and column of a byte offset (columns counted in bytes). */
function byteLineColumn(b: Uint8Array, offset: number): string {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset; k++) {
    if (b[k] === 0x0a) {
      line++;
      start = k + 1;
    }
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/**
 * The text of a JSON file's bytes. JSON is UTF-8 without a byte-order mark (RFC 8259); files
 * saved as UTF-16 or UTF-32, with a BOM, or with bytes that are not UTF-8 get a message that
 * says so and how to fix it.
 */
export function decodeJsonBytes(b: Uint8Array, file: string): string {
  const at = (...bytes: number[]): boolean => bytes.every((x, k) => b[k] === x);
  const save = 'save the file as UTF-8 without a byte-order mark';
  if (at(0x00, 0x00, 0xfe, 0xff) || at(0xff, 0xfe, 0x00, 0x00)) throw new SpecError(file, '', `is UTF-32 text (it starts with a byte-order mark); ${save}`);
  if (at(0xfe, 0xff) || at(0xff, 0xfe)) throw new SpecError(file, '', `is UTF-16 text (it starts with the byte-order mark ${at(0xff) ? 'FF FE' : 'FE FF'}); ${save}`);
  if (at(0xef, 0xbb, 0xbf)) throw new SpecError(file, '', `starts with a UTF-8 byte-order mark (EF BB BF), which JSON does not allow; ${save}`);
  if (b.length >= 2 && (b[0] === 0 || b[1] === 0)) throw new SpecError(file, '', `looks like UTF-16 or UTF-32 text (it has zero bytes between its characters); ${save}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    // not UTF-8: only now find where, for the message
    const bad = firstInvalidUtf8(b);
    throw new SpecError(file, '', `is not UTF-8 text: the byte 0x${b[Math.max(0, bad)]!.toString(16).toUpperCase().padStart(2, '0')} at ${byteLineColumn(b, Math.max(0, bad))} is not valid UTF-8; ${save}`);
  }
}

/**
 * The first key that occurs twice in one object of a valid JSON text: its JSON path and the
 * offset of its second occurrence, or null. (JSON.parse keeps the last silently.)
 */
export function duplicateKey(text: string): { path: string; key: string; offset: number } | null {
  interface Frame {
    /** The keys seen, for an object; null for an array. */
    keys: Set<string> | null;
    path: string;
    key: string;
    index: number;
    expectKey: boolean;
  }
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (top === undefined) return '';
    if (top.keys === null) return `${top.path}[${top.index}]`;
    return top.path === '' ? keyPath(top.key) : `${top.path}.${keyPath(top.key)}`;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i++;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i += 2;
        } else if (d === 0x22 || Number.isNaN(d)) {
          break;
        } else i++;
      }
      i++;
      const top = stack[stack.length - 1];
      if (top !== undefined && top.keys !== null && top.expectKey) {
        const raw = text.slice(start, i);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return { path: top.path === '' ? keyPath(key) : `${top.path}.${keyPath(key)}`, key, offset: start };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ keys: c === 0x7b ? new Set() : null, path: childPath(), key: '', index: 0, expectKey: true });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1]!;
      if (top.keys === null) top.index++;
      else top.expectKey = true;
    }
    i++;
  }
  return null;
}

/**
 * Parse a JSON document the user gave. Syntax errors give the line and column; a byte-order
 * mark and duplicate keys (which JSON.parse would accept) are errors that say so.
 */
export function parseJson(text: string, file: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) throw new SpecError(file, '', 'starts with a byte-order mark (U+FEFF), which JSON does not allow; save the file as UTF-8 without a byte-order mark');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const offset = m ? Number(m[1]) : syntaxErrorOffset(text);
    const reason = msg
      .replace(/^JSON\.parse: /, '')
      .replace(/ (?:in JSON )?at position \d+.*$/s, '')
      .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '') // drop the engine's quote of the source
      .replace(/\s+/g, ' ');
    throw new SpecError(file, '', `not valid JSON at ${lineColumn(text, offset)}: ${reason}`);
  }
  const dup = duplicateKey(text);
  if (dup !== null) throw new SpecError(file, dup.path, `the key "${dup.key}" appears twice in one object (again at ${lineColumn(text, dup.offset)}); keep one`);
  return doc;
}

/** A key as it appears in a JSON path: bare when it is an identifier, else quoted. */
export function keyPath(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k);
}


/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `"a", "b", "c"`: a key set as an error message lists it. */
export function quoteList(keys: Iterable<string>): string {
  return [...keys].map((s) => `"${s}"`).join(', ');
}

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
export function quoteAnd(keys: readonly string[]): string {
  const q = keys.map((s) => `"${s}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/** `"a" or "b"`, `"a", "b" or "c"`. */
export function quoteOr(choices: readonly string[]): string {
  const q = choices.map((s) => `"${s}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** `1 row`, `16 rows`, `16 entries`. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
