import { afterEach, beforeEach } from 'vitest';

/** Give each test of the file a fresh copy of process.env: what a test sets or deletes is undone after it. */
export function restoreEnvAfterEach(): void {
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    saved = { ...process.env };
  });
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
}
