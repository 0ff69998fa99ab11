import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolOptions } from './run-tool.js';
import { fmaxFromReport, nextpnrWhy, synthesizeWrapper } from './synthesize.js';
import type { Ports, PnrResult } from './synthesize.js';
import type { Target } from './targets.js';

/**
 * ECP5 place and route with a native nextpnr-ecp5, when one is on PATH (no WebAssembly build
 * exists on npm, and Debian has none). Yosys (WebAssembly) synthesizes the core inside the same
 * pin wrapper as on iCE40; nextpnr-ecp5 runs as a child process, stopped at the time limit, on
 * files in a temporary directory that is removed afterwards.
 */

export const NEXTPNR_ECP5 = 'nextpnr-ecp5';

/** The native nextpnr-ecp5's version line, or null when none runs from PATH. */
export function nativeEcp5Version(): string | null {
  const r = spawnSync(NEXTPNR_ECP5, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const line = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '');
  return (line ?? 'unknown version').trim();
}

export interface ChildRun {
  ok: boolean;
  timedOut: boolean;
  log: string;
}

export function runChild(cmd: string, args: string[], cwd: string, timeoutSeconds: number, onTick?: (s: number) => void): Promise<ChildRun> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    const ticker = onTick ? setInterval(() => onTick((performance.now() - start) / 1000), 1000) : null;
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      resolve({ ok: ok && !timedOut, timedOut, log });
    };
    child.on('error', (e) => {
      log += String(e);
      finish(false);
    });
    child.on('close', (code) => finish(code === 0));
  });
}

export async function placeAndRouteEcp5Native(
  verilog: string,
  top: string,
  target: Target,
  ports: Ports,
  clockMhz: number,
  seed: number,
  opts: ToolOptions = {},
): Promise<PnrResult> {
  const start = performance.now();
  const { json, wrapperCells } = await synthesizeWrapper(verilog, top, target, ports, 'synth_ecp5 -nodsp -noflatten', opts);
  const args = [`--${target.device}`, '--package', target.package!, '--speed', target.speed!, '--json', 'top.json', '--lpf-allow-unconstrained', '--freq', String(clockMhz), '--seed', String(seed), '--report', 'report.json', '--timing-allow-fail'];
  const shown = args.filter((a) => !['top.json', 'report.json', '--json', '--report', '--timing-allow-fail'].includes(a)).join(' ');
  const flow = `synth_ecp5 -nodsp (core in the pin wrapper); ${NEXTPNR_ECP5} ${shown} (native)`;
  const remaining = Math.max(10, (opts.timeoutSeconds ?? 600) - (performance.now() - start) / 1000);
  const dir = mkdtempSync(join(tmpdir(), 'da-gen-ecp5-'));
  try {
    writeFileSync(join(dir, 'top.json'), json);
    const n = await runChild(NEXTPNR_ECP5, args, dir, remaining, opts.onTick);
    const seconds = (performance.now() - start) / 1000;
    if (n.timedOut) return { flow, fmaxMhz: null, wrapperCells, note: `place and route did not finish within ${Math.round(remaining)} s (routing may not converge on a congested design)`, seconds };
    let report: string | null = null;
    try {
      report = readFileSync(join(dir, 'report.json'), 'utf8');
    } catch {
      report = null;
    }
    if (!n.ok || report === null) return { flow, fmaxMhz: null, wrapperCells, note: `place and route failed: ${nextpnrWhy(n.log)}`, seconds };
    return { flow, fmaxMhz: fmaxFromReport(report), wrapperCells, note: null, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
