#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { compile, DEFAULT_LATENCY } from './compile.js';
import { DEFAULT_DEPTH_SLACK } from './da/cmvm.js';
import { manifestPathFor, writeFilesAtomically } from './io.js';
import { MAX_LATENCY } from './rtl/netlist.js';
import { SpecError, UsageError } from './spec/errors.js';
import { parseSpec } from './spec/parse.js';
import { simulateSpec } from './sim/check.js';
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

function readSpec(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, expected a JSON file' : err.message;
    throw new SpecError(file, '', `cannot read: ${why}`);
  }
  return parseSpec(text, file);
}

function pct(a: number, b: number): string {
  if (b === 0) return '0%';
  return `${(((a - b) / b) * 100).toFixed(1)}%`;
}

interface GenerateOpts {
  output?: string;
  latency: number;
  depthSlack: number;
  cost: 'adders' | 'bits';
  effort?: number;
  verbose?: boolean;
  quiet?: boolean;
}

function generate(file: string, o: GenerateOpts): void {
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
  const rows = spec.weights.length;
  const cols = spec.weights[0]!.length;
  detail(`da-gen ${VERSION}: ${basename(file)}: ${rows} outputs × ${cols} inputs, ${spec.input.width}-bit ${spec.input.signed ? 'signed' : 'unsigned'} input, latency ${o.latency}`);
  const r = compile(spec, {
    latency: o.latency,
    depthSlack: o.depthSlack,
    cost: o.cost,
    ...(o.effort !== undefined ? { effort: o.effort } : {}),
    log: detail,
  });
  const s = r.stats;
  detail(`  recoding ${s.ms.recode.toFixed(0)} ms, search ${s.ms.search.toFixed(0)} ms (${s.attempts.length} attempt${s.attempts.length === 1 ? '' : 's'}, kept "${s.attempt}")`);
  detail(`  adders: ${s.adders} (no-sharing CSD count ${s.naiveAdders}, ${pct(s.adders, s.naiveAdders)}), ${s.adderBits} adder bits, ${s.negations} output negations`);
  detail(`  depth ${s.depth}, bound ${s.depthBound === Infinity ? 'none' : s.depthBound} (minimum ${s.minDepth})`);
  detail(`  adder depth ${r.netlist.adderDepth}; register ranks after levels [${r.netlist.cuts.join(', ')}]; ${r.netlist.registerBits} register bits`);
  detail(`  netlist ${r.ms.netlist.toFixed(0)} ms, Verilog and manifest ${r.ms.emit.toFixed(0)} ms`);
  if (toStdout) {
    process.stdout.write(r.verilog);
    return;
  }
  writeFilesAtomically([
    { path: out, text: r.verilog },
    { path: manifestPath!, text: r.manifestText },
  ]);
  info(
    `wrote ${out} and ${manifestPath}: ${rows}×${cols}, ${s.adders} adders (${s.naiveAdders} without sharing, ${pct(s.adders, s.naiveAdders)}), ` +
      `depth ${r.netlist.adderDepth}, latency ${o.latency}, y ${r.netlist.outputWidth}-bit ${r.netlist.outputSigned ? 'signed' : 'unsigned'}`,
  );
}

interface SimOpts {
  vectors: number;
  latency: number;
  depthSlack: number;
  cost: 'adders' | 'bits';
  effort?: number;
  seed: number;
  verbose?: boolean;
  quiet?: boolean;
}

function sim(file: string, o: SimOpts): number {
  const spec = readSpec(file);
  const res = simulateSpec(spec, {
    latency: o.latency,
    vectors: o.vectors,
    seed: o.seed,
    depthSlack: o.depthSlack,
    cost: o.cost,
    ...(o.effort !== undefined ? { effort: o.effort } : {}),
  });
  const c = res.compare;
  const head = `${basename(file)}: ${c.vectors} vectors through the ${res.mode}-mode netlist simulator, latency ${o.latency}`;
  if (c.pass) {
    process.stdout.write(`PASS ${head}: every output equals W·x\n`);
    return 0;
  }
  process.stdout.write(`FAIL ${head}: ${c.errors} wrong output values\n`);
  for (const m of c.mismatches) {
    process.stdout.write(`  vector ${m.vector}, y[${m.output}]: expected ${m.expected}, got ${m.got ?? 'nothing'}\n`);
  }
  return EXIT_FAIL;
}

export function main(argv: string[]): number {
  let code = 0;
  const program = new Command();
  program
    .name('da-gen')
    .description('Constant weight matrices to multiplier-free, pipelined Verilog (distributed arithmetic).')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`da-gen: ${str.trim().replace(/\s*\n\s*/g, ' ')} (see da-gen --help)\n`) });

  const latencyOpt = (): Option =>
    new Option('-l, --latency <L>', `register ranks from x to y, 0 (combinational) to ${MAX_LATENCY}`)
      .default(DEFAULT_LATENCY)
      .argParser(intOption('--latency', 0, MAX_LATENCY));

  const optimizerOpts = (cmd: Command): Command =>
    cmd
      .addOption(
        new Option('--dc, --depth-slack <k>', 'adder levels allowed above the minimum depth (-1: unbounded)')
          .default(DEFAULT_DEPTH_SLACK)
          .argParser(intOption('--depth-slack', -1, 64)),
      )
      .addOption(new Option('--cost <model>', 'minimise the number of adders, or the sum of adder result bits').choices(['adders', 'bits']).default('adders'))
      .addOption(new Option('--effort <n>', 'search attempts, the best is kept (default: by matrix size, 1 to 16)').argParser(intOption('--effort', 1, 1000)));

  program
    .command('generate', { isDefault: true })
    .description('write <name>.v and its manifest <name>.json (the default command)')
    .argument('<weights.json>', 'input file (format 1)')
    .option('-o, --output <file.v>', 'Verilog output; the manifest goes beside it with .json ("-" prints Verilog to stdout)')
    .addOption(latencyOpt())
    .option('-v, --verbose', 'print optimizer phases, adder counts and timings on stderr')
    .option('-q, --quiet', 'print nothing but errors')
    .action((file: string, o: GenerateOpts) => generate(file, o));
  optimizerOpts(program.commands.find((c) => c.name() === 'generate')!);

  program
    .command('sim')
    .description('simulate the generated netlist cycle by cycle and compare every output with W·x')
    .argument('<weights.json>', 'input file (format 1)')
    .addOption(new Option('-n, --vectors <N>', 'input vectors to apply, one per cycle').default(1000).argParser(intOption('--vectors', 1, 10_000_000)))
    .addOption(latencyOpt())
    .addOption(new Option('--seed <S>', 'seed for the random vectors').default(1).argParser(intOption('--seed', 0, 2 ** 32 - 1)))
    .action((file: string, o: SimOpts) => {
      code = sim(file, o);
    });
  optimizerOpts(program.commands.find((c) => c.name() === 'sim')!);

  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_INPUT;
    }
    if (e instanceof SpecError || e instanceof UsageError) {
      process.stderr.write(`da-gen: error: ${e.message}\n`);
      return EXIT_INPUT;
    }
    process.stderr.write(`da-gen: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_INTERNAL;
  }
  return code;
}

process.exitCode = main(process.argv.slice(2));
