import { execSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Before any test: build dist/ once, so the tests that run the built command (dist/bin.js) or
 * its modules in child processes never test a stale build, and no two of them build at once.
 */
export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  execSync('npx tsc -p .', { cwd: root, stdio: 'pipe' });
}
