import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/parse.js';
import { specDoc } from '../helpers/spec-doc.js';
import { layerOf } from '../helpers/layers.js';
import { matrix as asMatrix } from '../helpers/random.js';
import { specErrorsFor } from '../helpers/spec-errors.js';

const FILE = 'dir/w.json';

const doc = specDoc;

function text(over: Record<string, unknown> = {}): string {
  return JSON.stringify(doc(over));
}

const { specError, expectError } = specErrorsFor(FILE);

/** A rows×cols matrix of small integers with one entry replaced. */
function matrix(rows: number, cols: number, r?: number, c?: number, v?: unknown): unknown[][] {
  const m: unknown[][] = [];
  for (let i = 0; i < rows; i++) {
    const row: unknown[] = [];
    for (let j = 0; j < cols; j++) row.push(i * cols + j - 5);
    m.push(row);
  }
  if (r !== undefined && c !== undefined) m[r]![c] = v;
  return m;
}

describe('parseSpec: valid files', () => {
  it('reads a weights file (rows are outputs) as exact bigints', () => {
    const parsed = parseSpec(text({ note: 'a note', description: 'd', comment: 'c' }), FILE);
    // a matrix is one plain dense layer, and the spec records that the file gave a matrix
    expect(parsed).toEqual({
      format: 1,
      name: 'enc',
      input: { width: 8, signed: true, bipolar: false, shape: [3] },
      layers: [
        layerOf([
          [1n, 2n, 3n],
          [4n, -5n, 6n],
        ]),
      ],
      score: null,
      form: 'matrix',
    });
    const spec = asMatrix(parsed);
    for (const row of spec.weights) for (const w of row) expect(typeof w).toBe('bigint');
  });

  it('accepts unsigned inputs and the width limits 2 and 32', () => {
    expect(parseSpec(text({ input: { width: 2, signed: false } }), FILE).input).toEqual({ width: 2, signed: false, bipolar: false, shape: [3] });
    expect(parseSpec(text({ input: { width: 32, signed: true } }), FILE).input).toEqual({ width: 32, signed: true, bipolar: false, shape: [3] });
  });

  it('transposes a Keras-layout kernel[i][o] into weights[o][i]', () => {
    // 3 inputs × 2 outputs: kernel[i][o] is the weight from input i to output o.
    const kernel = [
      [1, 2],
      [3, 4],
      [5, -6],
    ];
    const spec = asMatrix(parseSpec(text({ weights: undefined, kernel }), FILE));
    expect(spec.weights.length).toBe(2); // outputs
    expect(spec.weights[0]!.length).toBe(3); // inputs
    expect(spec.weights).toEqual([
      [1n, 3n, 5n],
      [2n, 4n, -6n],
    ]);
    for (let i = 0; i < 3; i++) for (let o = 0; o < 2; o++) expect(spec.weights[o]![i]).toBe(BigInt(kernel[i]![o]!));
  });

  it('transposes a single-row and a single-column kernel', () => {
    expect(asMatrix(parseSpec(text({ weights: undefined, kernel: [[7, 8, 9]] }), FILE)).weights).toEqual([[7n], [8n], [9n]]);
    expect(asMatrix(parseSpec(text({ weights: undefined, kernel: [[7], [8], [9]] }), FILE)).weights).toEqual([[7n, 8n, 9n]]);
  });

  it('parses decimal-string weights beyond 2^53 exactly', () => {
    const big = '18446744073709551615'; // 2^64 - 1
    const src = text({
      weights: [
        ['9007199254740993', '-9007199254740993', big],
        [`-${big}`, '0', 9007199254740991],
      ],
    });
    const spec = asMatrix(parseSpec(src, FILE));
    expect(spec.weights).toEqual([
      [9007199254740993n, -9007199254740993n, 18446744073709551615n],
      [-18446744073709551615n, 0n, 9007199254740991n],
    ]);
  });

  it('accepts a Verilog-keyword-like name that is not a keyword', () => {
    expect(parseSpec(text({ name: 'module_1' }), FILE).name).toBe('module_1');
    expect(parseSpec(text({ name: '_wire' }), FILE).name).toBe('_wire');
  });
});

describe('parseSpec: malformed documents', () => {
  it('rejects text that is not JSON, giving a line and column', () => {
    const src = '{\n  "format": 1,\n  "name": "enc",\n}';
    expectError(src, '', 'not valid JSON', /line 4, column 1\b/);
  });

  it('rejects an empty file as not JSON', () => {
    expectError('', '', 'not valid JSON');
  });

  // V8 in Node 20 gives no position for "Unexpected token" errors, and its message quotes the
  // source text, newlines included: parseJson finds the position and keeps the message one line.
  it('gives a line/column and a one-line message for an unexpected token', () => {
    const src = '{\n  "format": 1,\n  "name": enc\n}';
    expectError(src, '', 'not valid JSON', /line 3, column 11\b/);
  });

  it.each([
    ['an array', '[1, 2]', 'got an array'],
    ['a number', '1', 'got number 1'],
    ['a string', '"hello"', 'got the string "hello"'],
    ['null', 'null', 'got null'],
  ])('rejects a top level that is %s', (_what, src, got) => {
    expectError(src, '', 'expected a JSON object', got);
  });

  it('rejects "layers" together with "weights"', () => {
    expectError(text({ layers: [{ weights: [[1]] }] }), 'layers', 'exactly one of', '"weights"', '"layers"', 'got both');
  });

  it('rejects an unknown top-level key', () => {
    expectError(text({ wieghts: [[1]] }), 'wieghts', 'unknown key', '"weights"');
  });

  it('rejects a missing format', () => {
    expectError(text({ format: undefined }), 'format', 'expected 1', 'got nothing');
  });

  it.each([
    [2, 'got number 2'],
    ['1', 'got the string "1"'],
    [null, 'got null'],
    [true, 'got boolean true'],
  ])('rejects format %j', (format, got) => {
    expectError(text({ format }), 'format', 'expected 1', got);
  });

  it('rejects a missing name', () => {
    expectError(text({ name: undefined }), 'name', 'expected a string', 'got nothing');
  });

  it('rejects a name that is not a string', () => {
    expectError(text({ name: 42 }), 'name', 'expected a string', 'got number 42');
  });

  it.each(['9lives', 'a-b', 'x; module evil', '', 'a b', 'é'])('rejects the non-identifier name %j', (name) => {
    expectError(text({ name }), 'name', 'Verilog identifier', JSON.stringify(name));
  });

  it('rejects a name longer than 128 characters', () => {
    expectError(text({ name: 'a'.repeat(129) }), 'name', 'at most 128');
  });

  it.each(['module', 'wire', 'always', 'logic', 'input', 'endmodule'])('rejects the Verilog keyword %j as a name', (name) => {
    expectError(text({ name }), 'name', `"${name}" is a Verilog keyword`);
  });

  it.each(['da_gen_selftest', 'da_gen_board', 'da_gen_top', 'DA_GEN_x', 'tb'])('rejects the name %j that da-gen gives its own modules', (name) => {
    expectError(text({ name }), 'name', `"${name}" is reserved`);
  });

  it.each([
    ['enc_add', '"_add"', '"enc"'],
    ['enc_baseline', '"_baseline"', '"enc"'],
    ['enc_kernel0', '"_kernel0"', '"enc"'],
    ['net_kernel12', '"_kernel12"', '"net"'],
  ])('rejects the name %j, which a module derived from another core would have', (name, suffix, core) => {
    expectError(text({ name }), 'name', `ends in ${suffix}`, `the core ${core}`);
  });

  it.each(['add', '_add', 'da_gen', 'adder', 'enc_add2', 'tb2', '_kernel0', 'enc_kernel', 'enc_k0', 'cnn_k3'])('accepts the name %j (no module of da-gen is named so)', (name) => {
    expect(parseSpec(text({ name }), FILE).name).toBe(name);
  });

  it('rejects a missing input', () => {
    expectError(text({ input: undefined }), 'input', '"width"', '"signed"', 'got nothing');
  });

  it.each([
    [null, 'got null'],
    [8, 'got number 8'],
    [[8, true], 'got an array'],
  ])('rejects input %j', (input, got) => {
    expectError(text({ input }), 'input', 'expected an object', got);
  });

  it.each([
    [33, 'got number 33'],
    [0, 'got number 0'],
    [-8, 'got number -8'],
    [8.5, 'got number 8.5'],
    ['8', 'got the string "8"'],
    [null, 'got null'],
  ])('rejects input.width %j', (width, got) => {
    expectError(text({ input: { width, signed: true } }), 'input.width', 'expected an integer from 1 to 32', got);
  });

  it('rejects a missing input.width', () => {
    expectError(text({ input: { signed: true } }), 'input.width', 'from 1 to 32', 'got nothing');
  });

  it.each([
    ['true', 'got the string "true"'],
    [1, 'got number 1'],
    [null, 'got null'],
  ])('rejects input.signed %j', (signed, got) => {
    expectError(text({ input: { width: 8, signed } }), 'input.signed', 'expected true', 'or false', got);
  });

  it('rejects a missing input.signed', () => {
    expectError(text({ input: { width: 8 } }), 'input.signed', 'expected true', 'got nothing');
  });

  // The raw key becomes the JSON path: a key with a newline must not split the CLI's one-line
  // error message.
  it('keeps the message on one line for an unknown key containing a newline', () => {
    const e = specError('{"format":1,"a\\nb":2}');
    expect(e.message).not.toContain('\n');
  });

  it('rejects an unknown key in input', () => {
    expectError(text({ input: { width: 8, signed: true, bits: 8 } }), 'input.bits', 'unknown key', '"width" or "signed"');
  });

  it('rejects both weights and kernel', () => {
    expectError(text({ kernel: [[1]] }), 'kernel', 'exactly one of "weights"', '"kernel"', 'got both');
  });

  it('rejects neither weights nor kernel', () => {
    expectError(text({ weights: undefined }), 'weights', '"weights"', '"kernel"', 'got none');
  });
});

describe('parseSpec: malformed matrices', () => {
  it.each([
    [{ a: 1 }, 'got an object'],
    [5, 'got number 5'],
    ['[[1]]', 'got the string "[[1]]"'],
    [null, 'got null'],
  ])('rejects weights %j (not an array)', (weights, got) => {
    expectError(text({ weights }), 'weights', 'expected an array of rows', got);
  });

  it('rejects an empty matrix []', () => {
    expectError(text({ weights: [] }), 'weights', 'at least one row', 'empty matrix');
  });

  it('rejects an empty row [[]]', () => {
    expectError(text({ weights: [[]] }), 'weights[0]', 'at least one integer', 'empty row');
  });

  it('rejects a row that is not an array', () => {
    expectError(text({ weights: [[1, 2], 3] }), 'weights[1]', 'expected an array of integers', 'got number 3');
  });

  it('rejects ragged rows, naming the first short row', () => {
    const e = expectError(text({ weights: [[1, 2, 3], [4, 5], [6, 7, 8]] }), 'weights[1]', 'expected 3 entries', 'same length', 'got 2');
    expect(e.detail).toContain('weights[0]');
  });

  it('rejects a longer later row', () => {
    expectError(text({ weights: [[1, 2], [3, 4], [5, 6, 7]] }), 'weights[2]', 'expected 2 entries', 'got 3');
  });

  it('rejects a non-integer weight at weights[3][7]', () => {
    const e = expectError(text({ weights: matrix(4, 8, 3, 7, 1.5) }), 'weights[3][7]', 'expected an integer', 'got 1.5');
    expect(e.message).toBe(`${FILE}: weights[3][7]: ${e.detail}`);
  });

  it('rejects a non-finite weight (1e999 parses to Infinity)', () => {
    const src = '{"format":1,"name":"enc","input":{"width":8,"signed":true},"weights":[[1,2],[3,1e999]]}';
    expectError(src, 'weights[1][1]', 'finite integer', 'Infinity');
  });

  it('rejects a negative non-finite weight', () => {
    const src = '{"format":1,"name":"enc","input":{"width":8,"signed":true},"weights":[[-1e999]]}';
    expectError(src, 'weights[0][0]', 'finite integer', '-Infinity');
  });

  it.each(['abc', '1.5', '0x10', '1e3', '', '12 34', '--1'])('rejects the non-numeric string weight %j', (w) => {
    expectError(text({ weights: [[1, w]] }), 'weights[0][1]', 'expected an integer', 'decimal string', `got the string ${JSON.stringify(w)}`);
  });

  it.each([
    [true, 'got boolean true'],
    [false, 'got boolean false'],
    [null, 'got null'],
    [[1], 'got an array'],
    [{ v: 1 }, 'got an object'],
  ])('rejects the weight %j', (w, got) => {
    expectError(text({ weights: [[0, 0], [0, w]] }), 'weights[1][1]', 'expected an integer', got);
  });

  it('rejects an unsafe integer JSON number, telling the user to write a decimal string', () => {
    const src = '{"format":1,"name":"enc","input":{"width":8,"signed":true},"weights":[[1,9007199254740993]]}';
    expectError(src, 'weights[0][1]', 'beyond 2^53', 'decimal string');
  });

  // The JSON number has already been rounded to 9007199254740992 when parseSpec sees it, so the
  // message must not suggest that (wrong) value as the string to write.
  it('does not suggest the rounded value as the decimal string to write', () => {
    const src = '{"format":1,"name":"enc","input":{"width":8,"signed":true},"weights":[[1,9007199254740993]]}';
    const e = expectError(src, 'weights[0][1]', 'decimal string');
    expect(e.message).not.toContain('"9007199254740992"');
  });

  it('rejects 2^53 itself as a JSON number but accepts 2^53 - 1', () => {
    expectError(text({ weights: [[2 ** 53]] }), 'weights[0][0]', 'beyond 2^53', 'decimal string');
    expectError(text({ weights: [[-(2 ** 53)]] }), 'weights[0][0]', 'beyond 2^53');
    expect(asMatrix(parseSpec(text({ weights: [[2 ** 53 - 1, -(2 ** 53 - 1)]] }), FILE)).weights).toEqual([[9007199254740991n, -9007199254740991n]]);
  });

  it('rejects 1e300 (an integral but unsafe JSON number)', () => {
    expectError(text({ weights: [[1e300]] }), 'weights[0][0]', 'beyond 2^53');
  });

  it.each(['18446744073709551616', '-18446744073709551616', '123456789012345678901234567890'])(
    'rejects the string weight %s (|w| >= 2^64)',
    (w) => {
      expectError(text({ weights: [[1], [w]] }), 'weights[1][0]', '|weight| < 2^64', `got ${w}`);
    },
  );

  it('reports kernel errors with kernel paths', () => {
    // kernel is 3 inputs × 2 outputs; the bad entry is input 2, output 0.
    expectError(text({ weights: undefined, kernel: [[1, 2], [3, 4], [0.5, 6]] }), 'kernel[2][0]', 'expected an integer', 'got 0.5');
    expectError(text({ weights: undefined, kernel: [[1, 2], [3, 4], ['x', 6]] }), 'kernel[2][0]', 'expected an integer');
    expectError(text({ weights: undefined, kernel: [[1, 2], [3, 4], ['18446744073709551616', 6]] }), 'kernel[2][0]', '2^64');
    expectError(text({ weights: undefined, kernel: [[1, 2], [3]] }), 'kernel[1]', 'expected 2 entries like kernel[0]', 'got 1');
    expectError(text({ weights: undefined, kernel: [] }), 'kernel', 'empty matrix', 'one per input');
    expectError(text({ weights: undefined, kernel: [[]] }), 'kernel[0]', 'empty row', 'one per output');
    expectError(text({ weights: undefined, kernel: 'k' }), 'kernel', 'expected an array of rows');
  });

  it('rejects more than 4096 rows', () => {
    const weights = Array.from({ length: 4097 }, () => [1]);
    expectError(text({ weights }), 'weights', 'at most 4096 rows', 'got 4097');
  });

  it('uses the file name it is given, verbatim', () => {
    const e = specError(text({ weights: [] }), '/abs/path/my weights.json');
    expect(e.file).toBe('/abs/path/my weights.json');
    expect(e.message.startsWith('/abs/path/my weights.json: weights: ')).toBe(true);
  });
});
