import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ToolError } from '../errors.js';
import type { Tool, ToolName, ToolRun, ToolRunOptions } from './tool.js';
import { DEFAULT_TIMEOUT_SECONDS } from './tool.js';

/**
 * A YoWASP tool (WebAssembly Yosys or nextpnr-ice40, from npm) run in a worker thread: the
 * WebAssembly call blocks whatever thread runs it, so the main thread stays free to show
 * progress and to stop a run that exceeds its time limit. Files are passed in memory; nothing
 * is written to disk.
 */

// The worker body (CommonJS, evaluated): import the tool, run it, send back what was asked for.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const dec = new TextDecoder();
  let out = '';
  let err = '';
  const pick = (tree) => {
    const files = {};
    const bytes = {};
    for (const name of workerData.outputs) {
      const v = tree && tree[name];
      const binary = workerData.binary.includes(name);
      if (typeof v === 'string') (binary ? bytes : files)[name] = binary ? new TextEncoder().encode(v) : v;
      else if (v instanceof Uint8Array) {
        if (binary) bytes[name] = v;
        else files[name] = dec.decode(v);
      }
    }
    return { files, bytes };
  };
  try {
    const mod = await import(workerData.moduleUrl);
    const tree = await mod[workerData.fn](workerData.args, workerData.files, {
      stdout: (b) => { if (b) out += dec.decode(b); },
      stderr: (b) => { if (b) err += dec.decode(b); },
    });
    parentPort.postMessage({ ok: true, exitCode: null, stdout: out, stderr: err, ...pick(tree) });
  } catch (e) {
    const code = e && typeof e.code === 'number' ? e.code : 1;
    parentPort.postMessage({ ok: false, exitCode: code, stdout: out, stderr: err + (e && e.code === undefined ? String(e && e.stack || e) : ''), ...pick(e && e.files) });
  }
})();
`;

export class WasmTool implements Tool {
  readonly kind = 'webassembly';
  private readonly moduleUrl: string;
  private readonly modulePath: string;
  constructor(
    readonly name: ToolName,
    /** The npm package. */
    readonly origin: string,
    modulePath: string,
    private readonly fn: string,
  ) {
    this.moduleUrl = pathToFileURL(modulePath).href;
    this.modulePath = modulePath;
  }

  /** The package version, e.g. "0.55.944". */
  version(): string {
    // the package exports only its bundle (gen/bundle.js); package.json sits two levels up
    const pkgJson = join(dirname(this.modulePath), '..', 'package.json');
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  }

  run(args: string[], files: Record<string, string | Uint8Array>, outputs: string[], opts: ToolRunOptions = {}): Promise<ToolRun> {
    const start = performance.now();
    const limit = (opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const seconds = (): number => (performance.now() - start) / 1000;
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER, { eval: true, workerData: { moduleUrl: this.moduleUrl, fn: this.fn, args, files, outputs, binary: opts.binary ?? [] } });
      let settled = false;
      const onTick = opts.onTick;
      const tick = onTick ? setInterval(() => onTick(seconds()), 1000) : null;
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
        finish({ ok: false, exitCode: null, timedOut: true, stdout: '', stderr: '', files: {}, bytes: {}, seconds: seconds() });
      }, limit);
      worker.on('message', (m: Omit<ToolRun, 'timedOut' | 'seconds'>) => {
        finish({ ...m, timedOut: false, seconds: seconds() });
        void worker.terminate();
      });
      worker.on('error', (e) => finish(new ToolError(this.name, `${this.name} (WebAssembly, ${this.origin}) stopped unexpectedly: ${e.message}`, e.stack ?? '')));
      worker.on('exit', (code) => {
        if (!settled) finish(new ToolError(this.name, `${this.name} (WebAssembly, ${this.origin}) stopped with code ${code} before reporting`));
      });
    });
  }
}
