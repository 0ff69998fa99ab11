import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * A new empty folder under the system's temporary folder for each test (named `prefix…`),
 * removed with everything in it after the test: `set` receives its path, then ''.
 */
export function freshFolderPerTest(prefix: string, set: (dir: string) => void): void {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    set(dir);
  });
  afterEach(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    dir = '';
    set('');
  });
}
