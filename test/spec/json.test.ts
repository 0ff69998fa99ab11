import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { decodeJsonBytes, duplicateKey, parseJson } from '../../src/spec/json.js';
import { thrownBy } from '../helpers/errors.js';

const FILE = 'dir/w.json';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeJsonBytes: the encodings a JSON file may not have get a message that names them', () => {
  it('decodes UTF-8, including characters beyond ASCII', () => {
    expect(decodeJsonBytes(utf8('{"note": "µ → ∑ 😀"}'), FILE)).toBe('{"note": "µ → ∑ 😀"}');
  });

  it.each([
    ['UTF-8 with a byte-order mark', [0xef, 0xbb, 0xbf, 0x7b, 0x7d], 'UTF-8 byte-order mark (EF BB BF)'],
    ['UTF-16 little-endian', [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00], 'is UTF-16 text (it starts with the byte-order mark FF FE)'],
    ['UTF-16 big-endian', [0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d], 'is UTF-16 text (it starts with the byte-order mark FE FF)'],
    ['UTF-32 little-endian', [0xff, 0xfe, 0x00, 0x00, 0x7b, 0x00, 0x00, 0x00], 'is UTF-32 text'],
    ['UTF-16 without a byte-order mark', [0x7b, 0x00, 0x7d, 0x00], 'looks like UTF-16 or UTF-32'],
  ])('%s', (_what, b, fragment) => {
    const e = thrownBy(SpecError, () => decodeJsonBytes(bytes(...b), FILE));
    expect(e.message).toContain(fragment);
    expect(e.message).toContain('save the file as UTF-8 without a byte-order mark');
    expect(e.message.startsWith(`${FILE}: `)).toBe(true);
  });

  it.each([
    ['a Latin-1 byte', [0x7b, 0x0a, 0x22, 0xe9, 0x22, 0x7d], 'byte 0xE9 at line 2, column 2'],
    ['a lone continuation byte', [0x5b, 0x80, 0x5d], 'byte 0x80 at line 1, column 2'],
    ['an overlong encoding', [0x5b, 0xc0, 0xaf, 0x5d], 'byte 0xC0'],
    ['a UTF-16 surrogate', [0x5b, 0xed, 0xa0, 0x80, 0x5d], 'byte 0xED'],
    ['a truncated sequence', [0x5b, 0xe2, 0x82], 'byte 0xE2'],
  ])('names the first byte that is not UTF-8: %s', (_what, b, fragment) => {
    const e = thrownBy(SpecError, () => decodeJsonBytes(bytes(...b), FILE));
    expect(e.message).toContain('is not UTF-8 text');
    expect(e.message).toContain(fragment);
  });
});

describe('duplicateKey', () => {
  it('finds none in a document whose keys are distinct per object (equal keys in different objects are fine)', () => {
    expect(duplicateKey('{"a": {"a": 1, "b": [{"a": 2}, {"a": 3}]}, "b": "a", "c": ["a", "a"]}')).toBeNull();
  });

  it.each([
    ['{"a": 1, "a": 2}', 'a', 'a'],
    ['{"input": {"width": 8, "signed": true, "width": 9}}', 'input.width', 'width'],
    ['{"layers": [{"weights": [[1]]}, {"bias": [1], "bias": [2]}]}', 'layers[1].bias', 'bias'],
    ['[[0], {"x y": 1, "x y": 2}]', '[1]."x y"', 'x y'],
    // the same key spelled with an escape is the same key
    ['{"name": "a", "n\\u0061me": "b"}', 'name', 'name'],
    // a string value that looks like a key does not count, nor does a comma inside a string
    ['{"a": "b, \\"a\\"", "b": 1, "b": 2}', 'b', 'b'],
  ])('finds the repeated key of %s at %s', (text, path, key) => {
    JSON.parse(text); // the cases are valid JSON
    const d = duplicateKey(text);
    expect(d).not.toBeNull();
    expect(d!.path).toBe(path);
    expect(d!.key).toBe(key);
  });
});

describe('parseJson', () => {
  it('refuses duplicate keys with their JSON path and line, where JSON.parse would keep the last', () => {
    const text = '{\n  "format": 1,\n  "input": {"width": 8,\n            "width": 4}\n}';
    const e = thrownBy(SpecError, () => parseJson(text, FILE));
    expect(e.jsonPath).toBe('input.width');
    expect(e.message).toBe(`${FILE}: input.width: the key "width" appears twice in one object (again at line 4, column 13); keep one`);
  });

  it('refuses a byte-order mark in text', () => {
    expect(thrownBy(SpecError, () => parseJson('\uFEFF{}', FILE)).message).toContain('byte-order mark');
  });

  it('still parses a valid document', () => {
    expect(parseJson('{"a": [1, {"b": null}]}', FILE)).toEqual({ a: [1, { b: null }] });
  });
});
