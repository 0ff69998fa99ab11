import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constraintsFor, nextpnrDeviceArgs } from '../boards.js';
import type { Board } from '../boards.js';
import { compile } from '../compile.js';
import type { CompileOptions, CompileResult } from '../compile.js';
import { buildReport } from '../report/build.js';
import type { Report } from '../report/schema.js';
import type { TargetInput } from '../report/build.js';
import { planSelfTest, selfTestVerilog } from '../rtl/selftest.js';
import type { SelfTestBoard, SelfTestPlan } from '../rtl/selftest.js';
import { icarusAvailable } from '../sim/icarus.js';
import { compileNetlist } from '../sim/netlist-sim.js';
import { simulateSelfTest } from '../sim/selftest-sim.js';
import type { Spec } from '../spec/parse.js';
import { NEXTPNR_ECP5, nativeEcp5Version, runChild } from './ecp5-native.js';
import { runTool } from './run-tool.js';
import { fmaxFromReport, nextpnrWhy, parseStat, toolVersions, yosysFailure } from './synthesize.js';
import { resources } from './targets.js';
import type { Target } from './targets.js';

/**
 * `da-gen build --board`: the core inside the board self-test (rtl/selftest.ts), synthesized,
 * placed and routed for the board with its constraints, and packed into a bitstream.
 *
 * iCE40: Yosys → nextpnr-ice40 (board pins, board clock) → icepack, all WebAssembly.
 * ECP5: Yosys (WebAssembly); then, with a native nextpnr-ecp5 and ecppack on PATH, place and
 * route and the bitstream (child processes, in a temporary directory removed afterwards); else
 * the synthesized netlist and what to install.
 * Before any tool runs, the whole self-test top is simulated in Icarus (when installed) for its
 * N vectors and must reach the pass state.
 */

export interface BuildOptions extends Omit<CompileOptions, 'latency' | 'log'> {
  latency?: number;
  /** Self-test vectors (default 4096). */
  vectors?: number;
  /** nextpnr seed (default 1). */
  seed?: number;
  timeoutSeconds?: number;
  progress?: { start(label: string): void; tick(seconds: number): void; done(seconds: number, summary: string): void };
}

export interface BuildResult {
  compile: CompileResult;
  plan: SelfTestPlan;
  /** Files to write, by name: text, or bytes for the bitstream. */
  files: Record<string, string | Uint8Array>;
  report: Report;
  /** The self-test simulated in Icarus: 'pass', 'fail', or null when Icarus is not installed. */
  simulated: 'pass' | 'fail' | null;
  /** What was done and what was not (e.g. no native ECP5 tools), one line each. */
  notes: string[];
}

export function selfTestBoard(b: Board): SelfTestBoard {
  const led = (p: { activeLow: boolean } | null): { activeLow: boolean } | null => (p === null ? null : { activeLow: p.activeLow });
  return { clockMhz: b.clock.mhz, pass: { activeLow: b.leds.pass.activeLow }, fail: led(b.leds.fail), beat: led(b.leds.beat), button: led(b.button) };
}

/** Whether a native command runs from PATH. */
function nativeCommand(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

export async function buildForBoard(spec: Spec, board: Board, opts: BuildOptions = {}): Promise<BuildResult> {
  const p = opts.progress;
  const tick = p ? { onTick: (s: number) => p.tick(s) } : {};
  const timeout = opts.timeoutSeconds ?? 600;
  const seed = opts.seed ?? 1;
  const { vectors: _v, seed: _s, timeoutSeconds: _t, progress: _p, latency, ...copts } = opts;
  const r = compile(spec, { ...copts, latency: latency ?? 2 });
  const sim = compileNetlist(r.netlist);
  const plan = planSelfTest(r.netlist, (v) => sim.run(v), { vectors: opts.vectors ?? 4096 });
  const stb = selfTestBoard(board);
  const top = selfTestVerilog(r.netlist, plan, stb);
  const cons = constraintsFor(board);
  const name = r.netlist.module;
  const files: Record<string, string | Uint8Array> = {
    [`${name}.v`]: r.verilog,
    [`${name}.json`]: r.manifestText,
    'da_gen_selftest.v': top,
    [cons.fileName]: cons.text,
  };
  const notes: string[] = [];

  // verification without hardware: the whole top, as the board runs it
  let simulated: BuildResult['simulated'] = null;
  if (icarusAvailable()) {
    p?.start(`simulating the self-test top (${plan.vectors} vectors, Icarus)`);
    const t0 = performance.now();
    const run = simulateSelfTest(r.verilog, top, stb, 40 + plan.vectors + r.netlist.latency);
    simulated = run.pass && run.fail !== true ? 'pass' : 'fail';
    p?.done((performance.now() - t0) / 1000, simulated === 'pass' ? 'reaches the pass state' : 'does NOT reach the pass state');
    notes.push(`self-test simulated in Icarus for ${plan.vectors} vectors: ${simulated}`);
  } else notes.push('self-test not simulated: Icarus (iverilog) is not installed');

  const family = board.family;
  const target: Target = { name: `${board.name}`, family, device: board.device, package: board.package, description: board.description };
  p?.start(`${board.name}: synthesis of the self-test top (${family === 'ice40' ? 'synth_ice40' : 'synth_ecp5 -nodsp'})`);
  const synth = family === 'ice40' ? 'synth_ice40 -top da_gen_selftest' : 'synth_ecp5 -nodsp -top da_gen_selftest';
  const y = await runTool(
    'yosys',
    ['-q', '-p', `read_verilog core.v top.v; ${synth} -json top.json; tee -q -o stat.json stat -json`],
    { 'core.v': r.verilog, 'top.v': top },
    ['top.json', 'stat.json'],
    { timeoutSeconds: timeout, ...tick },
  );
  if (!y.ok || y.files['top.json'] === undefined || y.files['stat.json'] === undefined) throw yosysFailure(`synthesis for ${board.name}`, y);
  const cells = parseStat(y.files['stat.json'], 'da_gen_selftest');
  const res = resources(target, cells);
  p?.done(y.seconds, `${res.luts ?? '?'} LUTs, ${res.carries ?? 0} carries, ${res.ffs ?? '?'} FFs`);
  files['da_gen_selftest.synth.json'] = y.files['top.json'];

  const entry: TargetInput = {
    target: `${board.name} (${board.part})`,
    design: 'da-gen',
    flow: `${synth}; self-test top (core + LFSR + MISR)`,
    cells,
    ...res,
    clock_mhz: board.clock.mhz,
    place_and_route: null,
    fmax_mhz: null,
    note: null,
  };
  const tools = toolVersions();
  const bin = `${name}_${board.name}`;
  if (family === 'ice40') {
    const args = [...nextpnrDeviceArgs(board), '--json', 'top.json', '--pcf', cons.fileName, '--freq', String(board.clock.mhz), '--seed', String(seed), '--asc', 'top.asc', '--report', 'report.json', '--timing-allow-fail', '--quiet'];
    p?.start(`${board.name}: place and route (nextpnr-ice40 --${board.device} --package ${board.package}, ${board.clock.mhz} MHz, seed ${seed})`);
    const n = await runTool('nextpnr-ice40', args, { 'top.json': y.files['top.json'], [cons.fileName]: cons.text }, ['top.asc', 'report.json'], { timeoutSeconds: timeout, ...tick });
    entry.place_and_route = 'nextpnr-ice40 (WebAssembly)';
    entry.flow = `${entry.flow}; nextpnr-ice40 ${args.filter((a) => !['top.json', 'top.asc', 'report.json', '--json', '--asc', '--report', '--quiet', '--timing-allow-fail'].includes(a)).join(' ')}`;
    if (n.timedOut || !n.ok || n.files['top.asc'] === undefined || n.files['report.json'] === undefined) {
      const why = n.timedOut ? `did not finish within ${timeout} s` : `failed: ${nextpnrWhy(`${n.stderr}\n${n.stdout}`)}`;
      p?.done(n.seconds, why);
      entry.note = `place and route ${why}`;
      notes.push(`no bitstream: place and route ${why}`);
    } else {
      entry.fmax_mhz = fmaxFromReport(n.files['report.json']);
      p?.done(n.seconds, entry.fmax_mhz !== null ? `Fmax ${entry.fmax_mhz.toFixed(1)} MHz` : 'no Fmax');
      files[`${bin}.asc`] = n.files['top.asc'];
      p?.start(`${board.name}: bitstream (icepack)`);
      const pk = await runTool('icepack', ['top.asc', 'top.bin'], { 'top.asc': n.files['top.asc'] }, ['top.bin'], { timeoutSeconds: timeout, binary: ['top.bin'], ...tick });
      const b = pk.files['top.bin'] as unknown as Uint8Array | undefined;
      if (!pk.ok || b === undefined) {
        p?.done(pk.seconds, 'icepack failed');
        notes.push(`no .bin: icepack failed; pack it with: icepack ${bin}.asc ${bin}.bin`);
      } else {
        p?.done(pk.seconds, `${b.length} bytes`);
        files[`${bin}.bin`] = b;
        notes.push(`bitstream ${bin}.bin (icepack, WebAssembly)`);
      }
      tools['icepack'] = `${tools['nextpnr-ice40']?.split(' ')[0] ?? ''} (@yowasp/nextpnr-ice40, WebAssembly)`;
    }
  } else {
    const native = nativeEcp5Version();
    const ecppack = nativeCommand('ecppack', ['--help']);
    if (native === null || !ecppack) {
      entry.note = 'synthesis only: place and route and the bitstream need a native nextpnr-ecp5 and ecppack on PATH';
      notes.push(`no bitstream: install nextpnr-ecp5 and ecppack (Project Trellis), then run: nextpnr-ecp5 ${nextpnrDeviceArgs(board).join(' ')} --json da_gen_selftest.synth.json --lpf ${cons.fileName} --freq ${board.clock.mhz} --textcfg ${bin}.config && ecppack ${bin}.config ${bin}.bit`);
    } else {
      const args = [...nextpnrDeviceArgs(board), '--json', 'top.json', '--lpf', cons.fileName, '--freq', String(board.clock.mhz), '--seed', String(seed), '--textcfg', 'top.config', '--report', 'report.json', '--timing-allow-fail'];
      entry.place_and_route = `${NEXTPNR_ECP5} (native: ${native})`;
      entry.flow = `${entry.flow}; ${NEXTPNR_ECP5} ${args.filter((a) => !['top.json', 'top.config', 'report.json', '--json', '--textcfg', '--report', '--timing-allow-fail'].includes(a)).join(' ')}; ecppack`;
      tools[NEXTPNR_ECP5] = `${native} (native, on PATH)`;
      const dir = mkdtempSync(join(tmpdir(), 'da-gen-build-'));
      try {
        writeFileSync(join(dir, 'top.json'), y.files['top.json']);
        writeFileSync(join(dir, cons.fileName), cons.text);
        p?.start(`${board.name}: place and route (${NEXTPNR_ECP5} ${nextpnrDeviceArgs(board).join(' ')}, ${board.clock.mhz} MHz, seed ${seed})`);
        const n = await runChild(NEXTPNR_ECP5, args, dir, timeout, opts.progress ? (sec) => p!.tick(sec) : undefined);
        const report = existsSync(join(dir, 'report.json')) ? readFileSync(join(dir, 'report.json'), 'utf8') : null;
        if (!n.ok || report === null || !existsSync(join(dir, 'top.config'))) {
          const why = n.timedOut ? `did not finish within ${timeout} s` : `failed: ${nextpnrWhy(n.log)}`;
          p?.done(0, why);
          entry.note = `place and route ${why}`;
          notes.push(`no bitstream: place and route ${why}`);
        } else {
          entry.fmax_mhz = fmaxFromReport(report);
          p?.done(0, entry.fmax_mhz !== null ? `Fmax ${entry.fmax_mhz.toFixed(1)} MHz` : 'no Fmax');
          files[`${bin}.config`] = readFileSync(join(dir, 'top.config'), 'utf8');
          p?.start(`${board.name}: bitstream (ecppack)`);
          const pk = await runChild('ecppack', ['top.config', 'top.bit'], dir, timeout);
          if (!pk.ok || !existsSync(join(dir, 'top.bit'))) {
            p?.done(0, 'ecppack failed');
            notes.push(`no .bit: ecppack failed; run: ecppack ${bin}.config ${bin}.bit`);
          } else {
            const bit = new Uint8Array(readFileSync(join(dir, 'top.bit')));
            p?.done(0, `${bit.length} bytes`);
            files[`${bin}.bit`] = bit;
            notes.push(`bitstream ${bin}.bit (native ${NEXTPNR_ECP5} and ecppack)`);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const report = buildReport({ netlist: r.netlist, stats: r.stats, targets: [entry], tools, manifest: r.manifest });
  return { compile: r, plan, files, report, simulated, notes };
}
