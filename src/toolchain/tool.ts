import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ToolError } from '../errors.js';
import { NativeTool } from './native.js';
import { WasmTool } from './wasm.js';

/**
 * How da-gen runs an external tool: one `Tool` interface, found in this order (as Amaranth's
 * toolchain finds Yosys):
 *
 *   1. the environment variable named after the tool (`YOSYS`, `NEXTPNR_ICE40`, `ICEPACK`,
 *      `ICEPLL`, `NEXTPNR_ECP5`, `ECPPACK`, `IVERILOG`, `VVP`), holding the path of a native
 *      executable;
 *   2. the WebAssembly build from npm (`@yowasp/yosys`, `@yowasp/nextpnr-ice40`), which
 *      `npm install` brings, for the tools that have one;
 *   3. the executable of that name on PATH.
 *
 * Files are handed over in memory and the requested outputs come back in memory, whichever
 * way the tool runs. This folder imports nothing of da-gen but the error vocabulary.
 */

export type ToolName = 'yosys' | 'nextpnr-ice40' | 'icepack' | 'icepll' | 'nextpnr-ecp5' | 'ecppack' | 'iverilog' | 'vvp';

/** The time limit of one tool run, unless the caller gives another (the CLI's --timeout). */
export const DEFAULT_TIMEOUT_SECONDS = 600;

export interface ToolRunOptions {
  /** Stop the tool after this many seconds (default DEFAULT_TIMEOUT_SECONDS). */
  timeoutSeconds?: number;
  /** Called about once a second while the tool runs, with the seconds elapsed. */
  onTick?: (seconds: number) => void;
  /** Output files to return as bytes (in `bytes`), not as text (in `files`). */
  binary?: string[];
}

export interface ToolRun {
  /** The tool exited with status 0 within its time limit. */
  ok: boolean;
  /** The exit status when the tool failed, null when it succeeded or was stopped. */
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The requested text outputs that the tool wrote. */
  files: Record<string, string>;
  /** The requested binary outputs (`binary`) that the tool wrote. */
  bytes: Record<string, Uint8Array>;
  seconds: number;
}

export interface Tool {
  readonly name: ToolName;
  readonly kind: 'webassembly' | 'native';
  /** Where it comes from: the npm package, or the executable's path or name. */
  readonly origin: string;
  /** The version: the npm package's ("0.55.944"), or the first line the executable prints. */
  version(): string;
  /** Run with `args` in a directory holding `files`; returns the `outputs` it wrote. */
  run(args: string[], files: Record<string, string | Uint8Array>, outputs: string[], opts?: ToolRunOptions): Promise<ToolRun>;
}

interface ToolInfo {
  /** The npm package with a WebAssembly build, and the function it exports. */
  wasm?: { pkg: string; fn: string };
  /** Arguments that make the native executable print its version (or at least run). */
  probe: string[];
  /** What to install, for the "not found" message. */
  install: string;
}

const TOOLS: Record<ToolName, ToolInfo> = {
  yosys: { wasm: { pkg: '@yowasp/yosys', fn: 'runYosys' }, probe: ['-V'], install: 'npm install (it brings @yowasp/yosys)' },
  'nextpnr-ice40': { wasm: { pkg: '@yowasp/nextpnr-ice40', fn: 'runNextpnrIce40' }, probe: ['--version'], install: 'npm install (it brings @yowasp/nextpnr-ice40)' },
  icepack: { wasm: { pkg: '@yowasp/nextpnr-ice40', fn: 'runIcepack' }, probe: ['-h'], install: 'npm install (it brings @yowasp/nextpnr-ice40)' },
  icepll: { wasm: { pkg: '@yowasp/nextpnr-ice40', fn: 'runIcepll' }, probe: ['-h'], install: 'npm install (it brings @yowasp/nextpnr-ice40)' },
  'nextpnr-ecp5': { probe: ['--version'], install: 'install nextpnr-ecp5 (nextpnr built with Project Trellis; no build is on npm or Debian)' },
  ecppack: { probe: ['--help'], install: 'install ecppack (Project Trellis)' },
  iverilog: { probe: ['-V'], install: 'install Icarus Verilog (apt-get install iverilog)' },
  vvp: { probe: ['-V'], install: 'install Icarus Verilog (apt-get install iverilog)' },
};

/** The environment variable that names a tool's executable: `nextpnr-ice40` → `NEXTPNR_ICE40`. */
export function toolEnvVar(name: ToolName): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** Whether a native executable runs (spawning it with its probe arguments works at all). */
function runs(cmd: string, probe: string[]): boolean {
  const r = spawnSync(cmd, probe, { stdio: 'ignore', timeout: 30_000 });
  return r.error === undefined;
}

/** The module URL of a tool's WebAssembly package, or null when it is not installed. */
function wasmModule(info: ToolInfo): string | null {
  if (info.wasm === undefined) return null;
  try {
    return createRequire(import.meta.url).resolve(info.wasm.pkg);
  } catch {
    return null;
  }
}

/**
 * The tool, found by environment variable, then WebAssembly, then PATH; null when none is
 * there. An environment variable that names something that does not run is an error, not a
 * reason to look elsewhere. Looked up anew on each call (PATH may change).
 */
export function findTool(name: ToolName): Tool | null {
  const info = TOOLS[name];
  const env = process.env[toolEnvVar(name)];
  let tool: Tool | null = null;
  if (env !== undefined && env !== '') {
    if (!runs(env, info.probe)) throw new ToolError(name, `${toolEnvVar(name)}=${env} does not run; set ${toolEnvVar(name)} to the path of the ${name} executable, or unset it`);
    tool = new NativeTool(name, env, info.probe);
  } else {
    const mod = wasmModule(info);
    if (mod !== null && info.wasm !== undefined) tool = new WasmTool(name, info.wasm.pkg, mod, info.wasm.fn);
    else if (runs(name, info.probe)) tool = new NativeTool(name, name, info.probe);
  }
  return tool;
}

/** The tool, or a ToolError that names it and says how to get it. */
export function requireTool(name: ToolName, purpose: string): Tool {
  const t = findTool(name);
  if (t === null) throw new ToolError(name, `${purpose} needs ${name}, which is not installed: ${TOOLS[name].install}, or set ${toolEnvVar(name)} to its path`);
  return t;
}

/** A tool as reports list it: "0.55.944 (@yowasp/yosys, WebAssembly)", "nextpnr-ecp5 -- … (native, on PATH)". */
export function toolDescription(t: Tool): string {
  if (t.kind === 'webassembly') return `${t.version()} (${t.origin}, WebAssembly)`;
  return `${t.version()} (native, ${t.origin === t.name ? 'on PATH' : t.origin})`;
}
