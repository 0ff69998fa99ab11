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

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
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
