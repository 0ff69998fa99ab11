import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { NativeTool } from '../../src/toolchain/native.js';
import { DEFAULT_TIMEOUT_SECONDS, findTool, requireTool, toolDescription, toolEnvVar } from '../../src/toolchain/tool.js';
import type { Tool } from '../../src/toolchain/tool.js';
import { restoreEnvAfterEach } from '../helpers/env.js';

// Stand-in executables written to a temporary directory play the native tools; the real
// WebAssembly Yosys is only looked up, never run, here.

const dir = mkdtempSync(join(tmpdir(), 'da-gen-tool-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write an executable script into the temporary directory (or a subdirectory of it). */
function script(name: string, text: string, sub = ''): string {
  const path = join(dir, sub, name);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

restoreEnvAfterEach();

const YOSYS_STANDIN = '#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Yosys stand-in 9.9"; exit 0; fi\nexit 0\n';

describe('findTool: environment variable, then WebAssembly, then PATH', () => {
  it('names the environment variable after the tool', () => {
    expect(toolEnvVar('yosys')).toBe('YOSYS');
    expect(toolEnvVar('nextpnr-ice40')).toBe('NEXTPNR_ICE40');
    expect(toolEnvVar('nextpnr-ecp5')).toBe('NEXTPNR_ECP5');
    expect(toolEnvVar('iverilog')).toBe('IVERILOG');
    expect(DEFAULT_TIMEOUT_SECONDS).toBe(600);
  });

  it('the environment variable beats WebAssembly', () => {
    const path = script('yosys-standin', YOSYS_STANDIN);
    process.env['YOSYS'] = path;
    const t = findTool('yosys')!;
    expect(t.kind).toBe('native');
    expect(t.name).toBe('yosys');
    expect(t.origin).toBe(path);
    expect(t.version()).toBe('Yosys stand-in 9.9');
    expect(toolDescription(t)).toBe(`Yosys stand-in 9.9 (native, ${path})`);
  });

  it('without it, the WebAssembly build from npm', () => {
    delete process.env['YOSYS'];
    const t = findTool('yosys')!;
    expect(t.kind).toBe('webassembly');
    expect(t.origin).toBe('@yowasp/yosys');
    expect(t.version()).toMatch(/^\d+\.\d+\.\d+/);
    expect(toolDescription(t)).toBe(`${t.version()} (@yowasp/yosys, WebAssembly)`);
    // an empty variable counts as unset
    process.env['YOSYS'] = '';
    expect(findTool('yosys')!.kind).toBe('webassembly');
  });

  it('WebAssembly beats PATH', () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    script('yosys', YOSYS_STANDIN, basename(bin));
    delete process.env['YOSYS'];
    process.env['PATH'] = `${bin}:${process.env['PATH'] ?? ''}`;
    expect(findTool('yosys')!.kind).toBe('webassembly');
  });

  it('a tool with no WebAssembly build: PATH, or nothing', () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    script('nextpnr-ecp5', '#!/bin/sh\necho "nextpnr-ecp5 -- stand-in 0.0"\n', basename(bin));
    const empty = mkdtempSync(join(dir, 'empty-'));
    delete process.env['NEXTPNR_ECP5'];
    process.env['PATH'] = bin;
    const t = findTool('nextpnr-ecp5')!;
    expect(t.kind).toBe('native');
    expect(t.origin).toBe('nextpnr-ecp5');
    expect(t.version()).toBe('nextpnr-ecp5 -- stand-in 0.0');
    expect(toolDescription(t)).toBe('nextpnr-ecp5 -- stand-in 0.0 (native, on PATH)');
    // looked up anew on each call
    process.env['PATH'] = empty;
    expect(findTool('nextpnr-ecp5')).toBeNull();
  });

  it('an environment variable naming something that does not run is an error, not a reason to look elsewhere', () => {
    process.env['YOSYS'] = join(dir, 'no-such-yosys');
    expect(() => findTool('yosys')).toThrow(ToolError);
    let err: unknown;
    try {
      findTool('yosys');
    } catch (e) {
      err = e;
    }
    expect((err as ToolError).tool).toBe('yosys');
    expect((err as ToolError).message).toMatch(/^YOSYS=\S+no-such-yosys does not run; set YOSYS to the path of (a|the) yosys executable, or unset it$/);
    // a file that is there but not executable
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, '#!/bin/sh\nexit 0\n');
    chmodSync(plain, 0o644);
    process.env['IVERILOG'] = plain;
    expect(() => findTool('iverilog')).toThrow(/IVERILOG=\S+not-executable does not run/);
  });
});

describe('requireTool', () => {
  it('gives the tool, or a ToolError naming it, how to install it and its environment variable', () => {
    expect(requireTool('yosys', 'a test').kind).toBe('webassembly');
    expect(requireTool('iverilog', 'simulating').kind).toBe('native');
    delete process.env['NEXTPNR_ECP5'];
    delete process.env['IVERILOG'];
    process.env['PATH'] = mkdtempSync(join(dir, 'empty-'));
    let err: unknown;
    try {
      requireTool('nextpnr-ecp5', 'place and route for ecp5-25k');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ToolError);
    const e = err as ToolError;
    expect(e.tool).toBe('nextpnr-ecp5');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^place and route for ecp5-25k needs nextpnr-ecp5, which is not installed: /);
    expect(e.message).toContain('install nextpnr-ecp5');
    expect(e.message).toMatch(/set NEXTPNR_ECP5 to its path$/);
    expect(() => requireTool('iverilog', 'simulating')).toThrow(/simulating needs iverilog, which is not installed: install Icarus Verilog \(apt-get install iverilog\), or set IVERILOG to its path/);
  });
});

describe('a native tool run', () => {
  // records its arguments and directory, echoes an input file, writes a text and a binary output
  const WORKER = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('worker 1.0'); process.exit(0); }
fs.writeFileSync(process.env.DA_GEN_TEST_LOG, JSON.stringify({ args, cwd: process.cwd() }));
if (args[0] === 'fail') { console.error('worker: failing on purpose'); process.exit(7); }
if (args[0] === 'sleep') { console.log('sleeping'); setTimeout(() => {}, 30000); return; }
const input = fs.readFileSync('in/data.txt', 'utf8');
process.stdout.write('read ' + input.length + ' characters\\n');
process.stderr.write('a warning\\n');
fs.writeFileSync('out.txt', input.toUpperCase());
fs.writeFileSync('out.bin', Buffer.from([0, 255, 128, 10]));
`;
  let tool: Tool;
  let log: string;
  beforeEach(() => {
    tool = new NativeTool('yosys', script('worker', WORKER), ['--version']);
    log = join(dir, 'worker-log.json');
    process.env['DA_GEN_TEST_LOG'] = log;
  });
  const seen = (): { args: string[]; cwd: string } => JSON.parse(readFileSync(log, 'utf8')) as { args: string[]; cwd: string };
  const ours = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('da-gen-yosys-'));

  it('gets its input files, returns text and binary outputs, and its directory is removed', async () => {
    const before = ours();
    const r = await tool.run(['go', '--flag'], { 'in/data.txt': 'hello', 'other.bin': new Uint8Array([1, 2]) }, ['out.txt', 'out.bin', 'missing.txt'], { binary: ['out.bin'] });
    expect(r.ok).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toBe('read 5 characters\n');
    expect(r.stderr).toBe('a warning\n');
    expect(r.files).toEqual({ 'out.txt': 'HELLO' });
    expect(Object.keys(r.bytes)).toEqual(['out.bin']);
    expect([...r.bytes['out.bin']!]).toEqual([0, 255, 128, 10]);
    expect(r.seconds).toBeGreaterThan(0);
    const s = seen();
    expect(s.args).toEqual(['go', '--flag']);
    expect(basename(s.cwd)).toMatch(/^da-gen-yosys-/);
    expect(existsSync(s.cwd)).toBe(false);
    expect(ours()).toEqual(before);
  });

  it('a non-zero exit is ok=false with the exit code and the output', async () => {
    const r = await tool.run(['fail'], {}, ['out.txt']);
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(7);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('worker: failing on purpose\n');
    expect(r.files).toEqual({});
    expect(existsSync(seen().cwd)).toBe(false);
  });

  it('is stopped at its time limit', async () => {
    const ticks: number[] = [];
    const t0 = performance.now();
    const r = await tool.run(['sleep'], {}, [], { timeoutSeconds: 1.5, onTick: (s) => ticks.push(s) });
    const took = (performance.now() - t0) / 1000;
    expect(r.timedOut).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBeNull();
    expect(r.stdout).toBe('sleeping\n');
    // well before the stand-in's own 30 s
    expect(took).toBeLessThan(10);
    expect(r.seconds).toBeGreaterThanOrEqual(1.4);
    expect(ticks.length).toBeGreaterThanOrEqual(1);
    expect(existsSync(seen().cwd)).toBe(false);
  });

  // A tool that runs a child of its own (Yosys runs yosys-abc; iverilog runs ivlpp and ivl) is
  // stopped with its child: the time limit kills the tool's whole process group.
  it('a tool whose own child keeps running is stopped at its time limit too', async () => {
    const shell = new NativeTool('yosys', script('shell-worker', '#!/bin/sh\necho start\nsleep 6\necho end\n'), ['-V']);
    const t0 = performance.now();
    const r = await shell.run([], {}, [], { timeoutSeconds: 1 });
    expect(r.timedOut).toBe(true);
    expect((performance.now() - t0) / 1000).toBeLessThan(4);
  }, 20_000);

  it('an executable that cannot be started is ok=false, not a crash', async () => {
    const gone = new NativeTool('yosys', join(dir, 'no-such-tool'), ['-V']);
    const r = await gone.run([], { 'a.txt': 'x' }, []);
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});
