import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { MAX_INPUT_BYTES, readBytes, readSpec, readText } from '../../src/cli/io.js';
import { thrownBy } from '../helpers/errors.js';
import { freshFolderPerTest } from '../helpers/temp.js';

let dir = '';
freshFolderPerTest('da-gen-in-', (d) => (dir = d));

describe('readBytes: the size is capped before the file is read', () => {
  it('the cap is 256 MB', () => {
    expect(MAX_INPUT_BYTES).toBe(256 * 1024 * 1024);
  });

  it('reads a file of exactly the limit, refuses one byte more without reading it', () => {
    const f = join(dir, 'w.json');
    writeFileSync(f, 'x'.repeat(1000));
    expect(readBytes(f, 1000).length).toBe(1000);
    expect(thrownBy(SpecError, () => readBytes(f, 999)).message).toContain('is larger than');
  });

  it('a device that never ends (/dev/zero) is refused once the limit has come', () => {
    const e = thrownBy(SpecError, () => readBytes('/dev/zero', 3 << 20));
    expect(e.message).toBe('/dev/zero: is larger than 3 MB, the most da-gen reads; is it the right file?');
  });

  it('a missing file and a folder', () => {
    expect(thrownBy(SpecError, () => readBytes(join(dir, 'none.json'))).message).toBe(`${join(dir, 'none.json')}: cannot read: no such file or folder`);
    mkdirSync(join(dir, 'd.json'));
    expect(thrownBy(SpecError, () => readBytes(join(dir, 'd.json'))).message).toContain('cannot read: it is a folder, expected a JSON file');
  });
});

describe('readText / readSpec', () => {
  it('a UTF-16 weights file gets a message that says so', () => {
    const f = join(dir, 'w.json');
    writeFileSync(f, Buffer.from('\uFEFF{"format": 1}', 'utf16le'));
    expect(thrownBy(SpecError, () => readText(f)).message).toContain('is UTF-16 text');
  });

  it('a weights file with a duplicate key is refused with its JSON path', () => {
    const f = join(dir, 'w.json');
    writeFileSync(f, '{"format": 1, "name": "a", "input": {"width": 8, "signed": true}, "weights": [[1]], "weights": [[2]]}');
    const e = thrownBy(SpecError, () => readSpec(f));
    expect(e.jsonPath).toBe('weights');
    expect(e.message).toContain('the key "weights" appears twice');
  });
});
