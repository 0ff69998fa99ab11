import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Tool, ToolName, ToolRun, ToolRunOptions } from './tool.js';
import { DEFAULT_TIMEOUT_SECONDS } from './tool.js';

/**
 * A native executable (from PATH or an environment variable) run as a child process: the input
 * files are written to a fresh temporary directory, the tool runs there, the requested outputs
 * are read back, and the directory is removed, whatever happens. At the time limit the process
 * is killed.
 */
export class NativeTool implements Tool {
  readonly kind = 'native';
  private versionLine: string | null = null;
  constructor(
    readonly name: ToolName,
    /** The executable: a path, or a name looked up on PATH. */
    readonly origin: string,
    private readonly probe: string[],
  ) {}

  /** The first line the executable prints when asked its version, e.g. "nextpnr-ecp5 -- Next Generation Place and Route (Version 0.7)". */
  version(): string {
    if (this.versionLine === null) {
      const r = spawnSync(this.origin, this.probe, { encoding: 'utf8', timeout: 30_000 });
      const line = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '');
      this.versionLine = (line ?? 'unknown version').trim();
    }
    return this.versionLine;
  }

  async run(args: string[], files: Record<string, string | Uint8Array>, outputs: string[], opts: ToolRunOptions = {}): Promise<ToolRun> {
    const dir = mkdtempSync(join(tmpdir(), `da-gen-${this.name}-`));
    try {
      for (const [name, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      const r = await runProcess(this.origin, args, dir, opts);
      const binary = opts.binary ?? [];
      for (const name of outputs) {
        const path = join(dir, name);
        if (!existsSync(path)) continue;
        if (binary.includes(name)) r.bytes[name] = new Uint8Array(readFileSync(path));
        else r.files[name] = readFileSync(path, 'utf8');
      }
      return r;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Spawn `cmd args` in `cwd`, collect its output, stop it at the time limit. The tool runs in a
 * process group of its own, and the limit kills the whole group: tools start tools of their own
 * (Yosys runs yosys-abc, iverilog runs ivlpp and ivl), which would otherwise outlive it.
 */
function runProcess(cmd: string, args: string[], cwd: string, opts: ToolRunOptions): Promise<ToolRun> {
  return new Promise((resolve) => {
    const start = performance.now();
    const seconds = (): number => (performance.now() - start) / 1000;
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already, or there is none
      }
    };
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup();
      },
      (opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    );
    const onTick = opts.onTick;
    const ticker = onTick ? setInterval(() => onTick(seconds()), 1000) : null;
    const finish = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      const ok = code === 0 && !timedOut;
      resolve({ ok, exitCode: ok || timedOut ? null : (code ?? 1), timedOut, stdout, stderr, files: {}, bytes: {}, seconds: seconds() });
    };
    child.on('error', (e) => {
      stderr += String(e);
      finish(127);
    });
    child.on('close', (code) => finish(code));
  });
}
