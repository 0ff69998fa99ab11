import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Run a YoWASP tool (WebAssembly Yosys or nextpnr-ice40, from npm) in a worker thread: the
 * WebAssembly call blocks whatever thread runs it, so the main thread stays free to show
 * progress and to stop a run that exceeds its time limit. Files are passed in memory; nothing
 * is written to disk.
 */

export type ToolName = 'yosys' | 'nextpnr-ice40' | 'icepack' | 'icepll';

export interface ToolRun {
  ok: boolean;
  /** Exit code when the tool failed, null when it succeeded or was stopped. */
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The requested output files that the tool wrote (text; those asked for as binary are Uint8Array). */
  files: Record<string, string>;
  seconds: number;
}

export interface ToolOptions {
  /** Stop the tool after this many seconds (default 600). */
  timeoutSeconds?: number;
  /** Called about once a second while the tool runs, with the seconds elapsed. */
  onTick?: (seconds: number) => void;
  /** Output files to return as bytes (Uint8Array, in `files` cast as such), not as text. */
  binary?: string[];
}

const MODULES: Record<ToolName, { pkg: string; fn: string }> = {
  yosys: { pkg: '@yowasp/yosys', fn: 'runYosys' },
  'nextpnr-ice40': { pkg: '@yowasp/nextpnr-ice40', fn: 'runNextpnrIce40' },
  icepack: { pkg: '@yowasp/nextpnr-ice40', fn: 'runIcepack' },
  icepll: { pkg: '@yowasp/nextpnr-ice40', fn: 'runIcepll' },
};

// The worker body (CommonJS, evaluated): import the tool, run it, send back what was asked for.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const dec = new TextDecoder();
  let out = '';
  let err = '';
  const pick = (tree) => {
    const files = {};
    for (const name of workerData.outputs) {
      const v = tree && tree[name];
      if (typeof v === 'string') files[name] = v;
      else if (v instanceof Uint8Array) files[name] = workerData.binary.includes(name) ? v : dec.decode(v);
    }
    return files;
  };
  try {
    const mod = await import(workerData.moduleUrl);
    const tree = await mod[workerData.fn](workerData.args, workerData.files, {
      stdout: (b) => { if (b) out += dec.decode(b); },
      stderr: (b) => { if (b) err += dec.decode(b); },
    });
    parentPort.postMessage({ ok: true, exitCode: null, stdout: out, stderr: err, files: pick(tree) });
  } catch (e) {
    const code = e && typeof e.code === 'number' ? e.code : 1;
    parentPort.postMessage({ ok: false, exitCode: code, stdout: out, stderr: err + (e && e.code === undefined ? String(e && e.stack || e) : ''), files: pick(e && e.files) });
  }
})();
`;

/** The tool's package version (e.g. "0.55.944"). */
export function toolVersion(tool: ToolName): string {
  const require = createRequire(import.meta.url);
  // the package exports only its bundle (gen/bundle.js); package.json sits two levels up
  const pkgJson = join(dirname(require.resolve(MODULES[tool].pkg)), '..', 'package.json');
  return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
}

export function runTool(tool: ToolName, args: string[], files: Record<string, string>, outputs: string[], opts: ToolOptions = {}): Promise<ToolRun> {
  const require = createRequire(import.meta.url);
  const moduleUrl = pathToFileURL(require.resolve(MODULES[tool].pkg)).href;
  const start = performance.now();
  const limit = (opts.timeoutSeconds ?? 600) * 1000;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { moduleUrl, fn: MODULES[tool].fn, args, files, outputs, binary: opts.binary ?? [] } });
    let settled = false;
    const tick = opts.onTick ? setInterval(() => opts.onTick!((performance.now() - start) / 1000), 1000) : null;
    const finish = (r: ToolRun | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (tick) clearInterval(tick);
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const timer = setTimeout(() => {
      void worker.terminate();
      finish({ ok: false, exitCode: null, timedOut: true, stdout: '', stderr: '', files: {}, seconds: (performance.now() - start) / 1000 });
    }, limit);
    worker.on('message', (m: Omit<ToolRun, 'timedOut' | 'seconds'>) => {
      finish({ ...m, timedOut: false, seconds: (performance.now() - start) / 1000 });
      void worker.terminate();
    });
    worker.on('error', (e) => finish(e));
    worker.on('exit', (code) => {
      if (!settled) finish(new Error(`${tool} worker exited with code ${code} before reporting`));
    });
  });
}
