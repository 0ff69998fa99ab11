import { expect } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/parse.js';

/** Parse `src` as `file` and return the SpecError it must throw. */
export function specError(src: string, file: string): SpecError {
  try {
    parseSpec(src, file);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error(`expected parseSpec to throw a SpecError for ${src.slice(0, 200)}`);
}

/**
 * Parse `src` as `file` and assert the SpecError's file, JSON path (`''` for the whole
 * document), the `file: path: ` message prefix, a single-line message, and that the message
 * contains every fragment.
 */
export function expectError(file: string, src: string, jsonPath: string, ...fragments: (string | RegExp)[]): SpecError {
  const e = specError(src, file);
  expect(e.file).toBe(file);
  expect(e.jsonPath).toBe(jsonPath);
  const where = jsonPath === '' ? `${file}: ` : `${file}: ${jsonPath}: `;
  expect(e.message.startsWith(where)).toBe(true);
  expect(e.message).not.toContain('\n');
  for (const f of fragments) {
    if (typeof f === 'string') expect(e.message).toContain(f);
    else expect(e.message).toMatch(f);
  }
  return e;
}

/** `specError` and `expectError` with `file` as the default file name to parse under. */
export function specErrorsFor(file: string): {
  specError: (src: string, file?: string) => SpecError;
  expectError: (src: string, jsonPath: string, ...fragments: (string | RegExp)[]) => SpecError;
} {
  return {
    specError: (src, f = file) => specError(src, f),
    expectError: (src, jsonPath, ...fragments) => expectError(file, src, jsonPath, ...fragments),
  };
}
