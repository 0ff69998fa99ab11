import { spawnSync } from 'node:child_process';

/**
 * Whether an external tool (iverilog, verilator) can be run. Where it cannot, the tests
 * that need it are skipped with a visible message — except in CI (CI=true), where
 * `.ci/run` installs the tools, so a missing tool is an error rather than a silent skip.
 */
export function haveTool(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  const ok = !r.error;
  if (!ok) {
    if (process.env.CI) throw new Error(`${cmd} is not installed, but CI must run the tests that need it (apt-get install -y iverilog verilator)`);
    console.warn(`\n*** SKIPPED: ${cmd} is not installed, so the tests that need it do not run here (apt-get install -y iverilog verilator) ***\n`);
  }
  return ok;
}
