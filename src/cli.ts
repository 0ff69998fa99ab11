#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { checkText } from './check.js';
import type { TextCheck } from './check.js';
import { compile, DEFAULT_LATENCY } from './compile.js';
import type { CompileOptions, CompileResult } from './compile.js';
import { DEFAULT_DEPTH_SLACK } from './da/cmvm.js';
import { manifestPathFor, writeFilesAtomically } from './io.js';
import { buildReport, parseReport, reportJsonText } from './report/build.js';
import { compareReports } from './report/compare.js';
import { reportMarkdown } from './report/markdown.js';
import { MAX_LATENCY } from './rtl/netlist.js';
import { simulateSpec } from './sim/check.js';
import type { CompareResult } from './sim/compare.js';
import { SpecError, UsageError } from './spec/errors.js';
import { parseSpec } from './spec/parse.js';
import type { Spec } from './spec/parse.js';
import { chooseLatency } from './auto-latency.js';
import { checkTargets, DEFAULT_CLOCK_MHZ, FlowError, runFlow } from './synth/flow.js';
import { referenceOf } from './sim/golden.js';
import { nativeEcp5Version } from './synth/ecp5-native.js';
import { boardNames, boardsTable, loadBoard } from './boards.js';
import { buildForBoard } from './synth/build.js';
import { SynthError } from './synth/synthesize.js';
import { targetNames } from './synth/targets.js';
import { VERSION } from './version.js';

/**
 * The `da-gen` command: parses arguments, prints progress, maps errors to exit codes.
 * Exit codes: 0 success, 1 a check failed (simulation mismatch), 2 bad input or usage,
 * 3 internal or tool error.
 */

const EXIT_FAIL = 1;
const EXIT_INPUT = 2;
const EXIT_INTERNAL = 3;

function intOption(name: string, lo: number, hi: number) {
  return (value: string): number => {
    if (!/^-?[0-9]+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be an integer from ${lo} to ${hi}.`);
    const n = Number(value);
    if (n < lo || n > hi) throw new InvalidArgumentError(`${name} must be an integer from ${lo} to ${hi}.`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(value.trim()) || !(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function targetList(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!targetNames().includes(n)) throw new InvalidArgumentError(`unknown target "${n}"; expected one of ${targetNames().join(', ')}.`);
  }
  return [...previous, ...names];
}

/** A file's text; an unreadable file is the user's error (exit 2), named with the reason. */
function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, expected a JSON file' : err.message;
    throw new SpecError(file, '', `cannot read: ${why}`);
  }
}

function readSpec(file: string): Spec {
  return parseSpec(readText(file), file);
}

function pct(a: number, b: number): string {
  if (b === 0) return '0%';
  return `${(((a - b) / b) * 100).toFixed(1)}%`;
}

/** Progress on stderr: a live line with the elapsed time on a terminal, plain lines otherwise. */
function progressPrinter(quiet: boolean) {
  const tty = process.stderr.isTTY === true;
  const frames = ['|', '/', '-', '\\'];
  let label = '';
  let frame = 0;
  return {
    start(l: string): void {
      label = l;
      if (quiet) return;
      if (tty) process.stderr.write(`\r\x1b[K${frames[0]} ${label}`);
      else process.stderr.write(`${label} …\n`);
    },
    tick(seconds: number): void {
      if (quiet || !tty) return;
      frame = (frame + 1) % frames.length;
      process.stderr.write(`\r\x1b[K${frames[frame]} ${label} ${seconds.toFixed(0)} s`);
    },
    done(seconds: number, summary: string): void {
      if (quiet) return;
      if (tty) process.stderr.write(`\r\x1b[K✓ ${label}: ${summary} (${seconds.toFixed(1)} s)\n`);
      else process.stderr.write(`  ${summary} (${seconds.toFixed(1)} s)\n`);
    },
  };
}

interface OptimizerOpts {
  latency: number | 'auto';
  depthSlack: number;
  cost: 'adders' | 'bits';
  effort?: number;
}

function compileOptions(o: OptimizerOpts, log?: (line: string) => void): CompileOptions {
  if (o.latency === 'auto') throw new UsageError('--latency auto is only for generating with a --target that has place and route (iCE40)');
  return {
    latency: o.latency,
    depthSlack: o.depthSlack,
    cost: o.cost,
    ...(o.effort !== undefined ? { effort: o.effort } : {}),
    ...(log ? { log } : {}),
  };
}

/** What the outputs are compared with: W·x, or a network's reference model. */
function referenceName(spec: Spec): string {
  return spec.layers === undefined ? 'W·x' : "the network's reference model";
}

function describeCompare(what: string, c: CompareResult, ref: string): string[] {
  if (c.pass) return [`PASS ${what}: every output equals ${ref}`];
  return [
    `FAIL ${what}: ${c.errors} wrong output values`,
    ...c.mismatches.map((m) => `  vector ${m.vector}, output ${m.output}: expected ${m.expected}, got ${m.got ?? 'nothing (unknown bits)'}`),
  ];
}

function describeCheck(file: string, latency: number | 'auto', c: TextCheck, ref: string): string[] {
  const lines = describeCompare(`${file}: ${c.vectors} vectors, Yosys JSON netlist of the emitted Verilog, latency ${latency}`, c.yosys, ref);
  if (c.icarus) lines.push(...describeCompare(`${file}: the same vectors through Icarus Verilog`, c.icarus, ref));
  else lines.push(`(Icarus Verilog is not installed: only the Yosys reading was checked)`);
  return lines;
}

interface GenerateOpts extends OptimizerOpts {
  output?: string;
  verbose?: boolean;
  quiet?: boolean;
  target?: string[];
  clockMhz: number;
  report?: string;
  baseline?: boolean;
  check?: boolean;
  seed: number;
  timeout: number;
  pnr: boolean;
}

async function generate(file: string, o: GenerateOpts): Promise<number> {
  const info = (line: string): void => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  const detail = (line: string): void => {
    if (o.verbose && !o.quiet) process.stderr.write(`${line}\n`);
  };
  const spec = readSpec(file);
  const out = o.output ?? `${spec.name}.v`;
  const toStdout = out === '-';
  const manifestPath = toStdout ? null : manifestPathFor(out);
  if (manifestPath !== null && manifestPath === out) {
    throw new UsageError(`output ${out}: the manifest would overwrite it; give the Verilog file a .v extension`);
  }
  if (!toStdout && (resolve(out) === resolve(file) || resolve(manifestPath!) === resolve(file))) {
    throw new UsageError(`output ${out}: it or its manifest ${manifestPath} would overwrite the input file ${file}; choose another name with -o`);
  }
  if (o.report !== undefined && [resolve(file), resolve(out), manifestPath ? resolve(manifestPath) : ''].includes(resolve(o.report))) {
    throw new UsageError(`--report ${o.report}: it would overwrite the input or an output; choose another name`);
  }
  if ((o.baseline || o.report !== undefined) && (o.target ?? []).length === 0) {
    throw new UsageError('--baseline and --report need at least one --target (e.g. --target ice40-up5k)');
  }
  if (o.target) checkTargets(o.target);
  if (o.baseline && spec.layers !== undefined) {
    throw new UsageError('--baseline is for a single matrix (the hand-written W*x); this file is a network');
  }
  const shape =
    spec.layers === undefined
      ? `${spec.weights.length} outputs × ${spec.weights[0]!.length} inputs`
      : `a network of ${spec.layers.length} layers, ${[spec.layers[0]!.weights[0]!.length, ...spec.layers.map((l) => l.weights.length)].join(' → ')}`;
  detail(`da-gen ${VERSION}: ${basename(file)}: ${shape}, ${spec.input.width}-bit ${spec.input.signed ? 'signed' : 'unsigned'} input, latency ${o.latency}`);
  let r: CompileResult;
  let autoNote: { target: string; text: string } | null = null;
  if (o.latency === 'auto') {
    const targets = checkTargets(o.target ?? []);
    const t = targets.find((x) => x.family === 'ice40') ?? (nativeEcp5Version() !== null ? targets.find((x) => x.family === 'ecp5') : undefined);
    if (t === undefined) {
      throw new UsageError('--latency auto needs an iCE40 --target (or an ECP5 one with a native nextpnr-ecp5 on PATH): the latency is chosen by place and route timing');
    }
    const progress = progressPrinter(!!o.quiet);
    progress.start(`choosing the latency for ${o.clockMhz} MHz on ${t.name}`);
    const t0 = performance.now();
    const choice = await chooseLatency(spec, compileOptions({ ...o, latency: 0 }, detail), t, o.clockMhz, {
      seed: o.seed,
      timeoutSeconds: o.timeout,
      progress: (line) => detail(`  ${line}`),
    });
    const tried = choice.tried.map((x) => `L=${x.latency}: ${x.fmaxMhz !== null ? `${x.fmaxMhz.toFixed(1)} MHz` : 'no timing'}`).join(', ');
    progress.done((performance.now() - t0) / 1000, `latency ${choice.latency}${choice.met ? '' : ' (clock not met)'}; ${tried}`);
    r = choice.result;
    o.latency = choice.latency;
    autoNote = { target: t.name, text: `latency ${choice.latency} chosen by --latency auto for ${o.clockMhz} MHz: ${choice.method}; tried ${tried}` };
  } else {
    r = compile(spec, compileOptions(o, detail));
  }
  const s = r.stats;
  detail(`  recoding ${s.ms.recode.toFixed(0)} ms, search ${s.ms.search.toFixed(0)} ms (${s.attempts.length} attempt${s.attempts.length === 1 ? '' : 's'}, kept "${s.attempt}")`);
  detail(`  adders: ${s.adders} (no-sharing CSD count ${s.naiveAdders}, ${pct(s.adders, s.naiveAdders)}), ${s.adderBits} adder bits, ${s.negations} output negations`);
  detail(`  depth ${s.depth}, bound ${s.depthBound === Infinity ? 'none' : s.depthBound} (minimum ${s.minDepth})`);
  detail(`  adder depth ${r.netlist.adderDepth}; register ranks after levels [${r.netlist.cuts.join(', ')}]; ${r.netlist.registerBits} register bits`);
  detail(`  netlist ${r.ms.netlist.toFixed(0)} ms, Verilog and manifest ${r.ms.emit.toFixed(0)} ms`);
  if (toStdout) process.stdout.write(r.verilog);
  else {
    writeFilesAtomically([
      { path: out, text: r.verilog },
      { path: manifestPath!, text: r.manifestText },
    ]);
    info(
      `wrote ${out} and ${manifestPath}: ${spec.layers === undefined ? `${spec.weights.length}×${spec.weights[0]!.length}` : `${spec.layers.length} layers`}, ${s.adders} adders (${s.naiveAdders} without sharing, ${pct(s.adders, s.naiveAdders)}), ` +
        `depth ${r.netlist.adderDepth}, latency ${o.latency}, y ${r.netlist.outputWidth}-bit ${r.netlist.outputSigned ? 'signed' : 'unsigned'}` +
        (r.netlist.score ? `, score ${r.netlist.score.width}-bit` : ''),
    );
  }
  let code = 0;
  if (o.check) {
    const progress = progressPrinter(!!o.quiet);
    progress.start('checking the emitted Verilog (Yosys reads it; its netlist is simulated)');
    const t0 = performance.now();
    const c = await checkText(r, referenceOf(spec), spec.input);
    progress.done((performance.now() - t0) / 1000, c.pass ? 'PASS' : 'FAIL');
    for (const line of describeCheck(basename(file), o.latency, c, referenceName(spec))) (c.pass ? info : (l: string) => process.stderr.write(`${l}\n`))(line);
    if (!c.pass) code = EXIT_FAIL;
  }
  if (o.target && o.target.length > 0) {
    const flow = await runFlow(r, spec.layers === undefined ? spec.weights : null, {
      targets: o.target,
      clockMhz: o.clockMhz,
      baseline: !!o.baseline,
      seed: o.seed,
      timeoutSeconds: o.timeout,
      noPnr: !o.pnr,
      progress: progressPrinter(!!o.quiet),
    });
    if (autoNote !== null) {
      for (const t of flow.targets) {
        if (t.target === autoNote.target && t.design === 'da-gen') t.note = t.note ? `${t.note}; ${autoNote.text}` : autoNote.text;
      }
    }
    const report = buildReport({ netlist: r.netlist, stats: r.stats, targets: flow.targets, tools: flow.tools, manifest: r.manifest });
    if (o.report !== undefined) {
      const text = o.report.endsWith('.json') ? reportJsonText(report) : reportMarkdown(report);
      writeFilesAtomically([{ path: o.report, text }]);
      info(`wrote ${o.report}`);
    } else if (!toStdout) {
      process.stdout.write(reportMarkdown(report));
    }
  }
  return code;
}

interface SimOpts extends OptimizerOpts {
  vectors: number;
  seed: number;
}

function sim(file: string, o: SimOpts): number {
  const spec = readSpec(file);
  const res = simulateSpec(spec, { ...compileOptions(o), vectors: o.vectors, seed: o.seed });
  const lines = describeCompare(`${basename(file)}: ${res.compare.vectors} vectors through the ${res.mode}-mode netlist simulator, latency ${o.latency}`, res.compare, referenceName(spec));
  process.stdout.write(lines.join('\n') + '\n');
  return res.compare.pass ? 0 : EXIT_FAIL;
}

interface BuildOpts extends OptimizerOpts {
  board: string;
  pllMhz?: number;
  output: string;
  vectors: number;
  seed: number;
  timeout: number;
  quiet?: boolean;
}

async function buildCommand(file: string, o: BuildOpts): Promise<number> {
  const info = (line: string): void => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  const spec = readSpec(file);
  const board = loadBoard(o.board);
  const progress = progressPrinter(!!o.quiet);
  const res = await buildForBoard(spec, board, {
    ...compileOptions(o),
    vectors: o.vectors,
    seed: o.seed,
    timeoutSeconds: o.timeout,
    progress,
    ...(o.pllMhz !== undefined ? { pllMhz: o.pllMhz } : {}),
  });
  const files = Object.entries(res.files).map(([name, text]) => ({ path: join(o.output, name), text }));
  files.push({ path: join(o.output, 'report.json'), text: reportJsonText(res.report) });
  files.push({ path: join(o.output, 'report.md'), text: reportMarkdown(res.report) });
  writeFilesAtomically(files);
  const t = res.report.targets[0]!;
  info(`wrote ${files.length} files to ${o.output}/ for ${board.name} (${board.part}, ${t.clock_mhz} MHz)`);
  for (const n of res.notes) info(`  ${n}`);
  if (t.fmax_mhz !== null) info(`  Fmax ${t.fmax_mhz.toFixed(1)} MHz: timing ${t.timing_met ? 'met' : 'NOT met'} at the clock of ${t.clock_mhz} MHz`);
  info(`  self-test: ${res.plan.vectors} vectors, expected signature 64'h${res.plan.signature.toString(16)}; the pass LED lights when it matches`);
  return res.simulated === 'fail' ? EXIT_FAIL : 0;
}

async function check(file: string, o: SimOpts): Promise<number> {
  const spec = readSpec(file);
  const r = compile(spec, compileOptions(o));
  const c = await checkText(r, referenceOf(spec), spec.input, { vectors: o.vectors, seed: o.seed });
  process.stdout.write(describeCheck(basename(file), r.netlist.latency, c, referenceName(spec)).join('\n') + '\n');
  return c.pass ? 0 : EXIT_FAIL;
}

function readReport(file: string) {
  return parseReport(readText(file), file);
}

function reportCommand(files: string[], o: { compare?: boolean }): number {
  if (o.compare) {
    if (files.length !== 2) throw new UsageError('report --compare takes two report files: base.json new.json');
    process.stdout.write(compareReports(readReport(files[0]!), readReport(files[1]!)));
    return 0;
  }
  if (files.length !== 1) throw new UsageError('report takes one report file (or --compare base.json new.json)');
  process.stdout.write(reportMarkdown(readReport(files[0]!)));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command();
  program
    .name('da-gen')
    .description('Constant weight matrices to multiplier-free, pipelined Verilog (distributed arithmetic).')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`da-gen: ${str.trim().replace(/\s*\n\s*/g, ' ')} (see da-gen --help)\n`) });

  const designOpts = (cmd: Command): Command =>
    cmd
      .addOption(
        new Option('-l, --latency <L>', `register ranks from x to y, 0 (combinational) to ${MAX_LATENCY}; "auto" (generate with an iCE40 --target): the fewest that meet --clock-mhz`)
          .default(DEFAULT_LATENCY)
          .argParser((v: string): number | 'auto' => (v.trim() === 'auto' ? 'auto' : intOption('--latency', 0, MAX_LATENCY)(v))),
      )
      .addOption(
        new Option('--dc, --depth-slack <k>', 'adder levels allowed above the minimum depth (-1: unbounded)')
          .default(DEFAULT_DEPTH_SLACK)
          .argParser(intOption('--depth-slack', -1, 64)),
      )
      .addOption(new Option('--cost <model>', 'minimise the number of adders, or the sum of adder result bits').choices(['adders', 'bits']).default('adders'))
      .addOption(new Option('--effort <n>', 'search attempts, the best is kept (default: by matrix size, 1 to 16)').argParser(intOption('--effort', 1, 1000)));

  designOpts(
    program
      .command('generate', { isDefault: true })
      .description('write <name>.v and its manifest <name>.json (the default command); optionally synthesize and report')
      .argument('<weights.json>', 'input file (format 1)')
      .option('-o, --output <file.v>', 'Verilog output; the manifest goes beside it with .json ("-" prints Verilog to stdout)'),
  )
    .option('--target <names>', `synthesize for these targets (comma-separated or repeated): ${targetNames().join(', ')}`, targetList)
    .addOption(new Option('--clock-mhz <F>', 'clock to place and route for and to report against').default(DEFAULT_CLOCK_MHZ).argParser(positiveNumber('--clock-mhz')))
    .option('--report <file>', 'write the resource/latency report: JSON if the name ends in .json, else Markdown (default: Markdown on stdout)')
    .option('--baseline', 'also synthesize the hand-written y = W*x design with the same registers, for comparison')
    .option('--check', 'cross-check the emitted Verilog: Yosys reads it, its netlist is simulated against W·x (and Icarus, if installed)')
    .option('--no-pnr', 'skip place and route (synthesis counts only)')
    .addOption(new Option('--seed <n>', 'nextpnr seed').default(1).argParser(intOption('--seed', 0, 2 ** 31 - 1)))
    .addOption(new Option('--timeout <s>', 'time limit of each synthesis or place-and-route run, in seconds').default(600).argParser(intOption('--timeout', 1, 86400)))
    .option('-v, --verbose', 'print optimizer attempts, phases, adder counts and timings on stderr')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (file: string, o: GenerateOpts) => {
      code = await generate(file, o);
    });

  designOpts(
    program
      .command('sim')
      .description('simulate the generated netlist cycle by cycle and compare every output with W·x')
      .argument('<weights.json>', 'input file (format 1)'),
  )
    .addOption(new Option('-n, --vectors <N>', 'input vectors to apply, one per cycle').default(1000).argParser(intOption('--vectors', 1, 10_000_000)))
    .addOption(new Option('--seed <S>', 'seed for the random vectors').default(1).argParser(intOption('--seed', 0, 2 ** 32 - 1)))
    .action((file: string, o: SimOpts) => {
      code = sim(file, o);
    });

  designOpts(
    program
      .command('check')
      .description('cross-check the emitted Verilog text: Yosys reads it, its JSON netlist is simulated against W·x (and Icarus, if installed)')
      .argument('<weights.json>', 'input file (format 1)'),
  )
    .addOption(new Option('-n, --vectors <N>', 'input vectors to apply, one per cycle').default(500).argParser(intOption('--vectors', 1, 1_000_000)))
    .addOption(new Option('--seed <S>', 'seed for the random vectors').default(1).argParser(intOption('--seed', 0, 2 ** 32 - 1)))
    .action(async (file: string, o: SimOpts) => {
      code = await check(file, o);
    });

  designOpts(
    program
      .command('build')
      .description('the core in a self-test for a board: synthesis, place and route with the board pins, and the bitstream (iCE40)')
      .argument('<weights.json>', 'input file (format 1)'),
  )
    .requiredOption('--board <name>', `the board: ${boardNames().join(', ')} (da-gen boards lists them)`)
    .option('-o, --output <dir>', 'directory for the files', 'build')
    .addOption(new Option('-n, --vectors <N>', 'self-test vectors, one per cycle').default(4096).argParser(intOption('--vectors', 1, 1 << 24)))
    .addOption(new Option('--pll-mhz <F>', "run the core from the part's PLL at about F MHz (iCE40 boards; icepll picks the setting)").argParser(positiveNumber('--pll-mhz')))
    .addOption(new Option('--seed <n>', 'nextpnr seed').default(1).argParser(intOption('--seed', 0, 2 ** 31 - 1)))
    .addOption(new Option('--timeout <s>', 'time limit of each tool run, in seconds').default(600).argParser(intOption('--timeout', 1, 86400)))
    .option('-q, --quiet', 'print nothing except errors')
    .action(async (file: string, o: BuildOpts) => {
      code = await buildCommand(file, o);
    });

  program
    .command('boards')
    .description('list the boards that da-gen build knows')
    .action(() => {
      process.stdout.write(`${boardsTable()}\n`);
    });

  program
    .command('report')
    .description('print a JSON report as Markdown, or with --compare the differences between two reports (for a pull request)')
    .argument('<reports...>', 'report.json, or base.json new.json with --compare')
    .option('--compare', 'print a Markdown table of the differences between two reports')
    .action((files: string[], o: { compare?: boolean }) => {
      code = reportCommand(files, o);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_INPUT;
    }
    if (e instanceof SpecError || e instanceof UsageError || e instanceof FlowError) {
      process.stderr.write(`da-gen: error: ${e.message}\n`);
      return EXIT_INPUT;
    }
    if (e instanceof SynthError) {
      process.stderr.write(`da-gen: error: ${e.message}\n`);
      return EXIT_INTERNAL;
    }
    process.stderr.write(`da-gen: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_INTERNAL;
  }
  return code;
}

main(process.argv.slice(2)).then(
  (c) => {
    process.exitCode = c;
  },
  (e: unknown) => {
    process.stderr.write(`da-gen: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);
