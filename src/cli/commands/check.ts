import { basename } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT_CHECK_FAILED } from '../../errors.js';
import { compile } from '../../flows/compile.js';
import { checkText } from '../../flows/verify.js';
import { checkProveOptions, proveEquivalence } from '../../flows/prove.js';
import type { ProofResult } from '../../flows/prove.js';
import type { TextCheck } from '../../flows/verify.js';
import type { CompareResult } from '../../sim/compare.js';
import { describeSpec } from '../../spec/spec.js';
import { loadSpec } from '../io.js';
import { lastingSteps } from '../../flows/progress.js';
import type { Progress } from '../../flows/progress.js';
import { compileOptions, designOptions, intOption, modelOptions } from '../options.js';
import type { DesignOpts, ModelOpts } from '../options.js';
import { attemptOption, progressPrinter } from '../progress.js';

/** Seconds a step of sim or check runs before its progress is shown (quick runs print only their result). */
const SHOW_AFTER_SECONDS = 2;

/** The progress of sim and check on stderr: the steps that last, nothing when quiet. */
export function commandProgress(o: { quiet?: boolean }): Progress {
  return lastingSteps(progressPrinter(!!o.quiet), SHOW_AFTER_SECONDS);
}

/** `PASS …` in one line, or `FAIL …` with the first mismatches. */
export function describeCompare(what: string, c: CompareResult, ref: string): string[] {
  if (c.pass) return [`PASS ${what}: every output equals ${ref}`];
  return [
    `FAIL ${what}: ${c.errors} wrong output values`,
    ...c.mismatches.map((m) => `  vector ${m.vector}, output ${m.output}: expected ${m.expected}, got ${m.got ?? 'nothing (unknown bits)'}`),
  ];
}

export function describeCheck(file: string, latency: number, c: TextCheck, ref: string): string[] {
  const lines = describeCompare(`${file}: ${c.vectors} vectors, Yosys JSON netlist of the emitted Verilog, latency ${latency}`, c.yosys, ref);
  if (c.icarus) {
    const which = c.icarus.vectors === c.vectors ? 'the same vectors' : `the first ${c.icarus.vectors} of these vectors (Icarus is slow on a design this large)`;
    lines.push(...describeCompare(`${file}: ${which} through Icarus Verilog`, c.icarus, ref));
  }
  else lines.push(`(Icarus Verilog is not installed: only the Yosys reading was checked)`);
  return lines;
}

interface CheckOpts extends DesignOpts, ModelOpts {
  vectors: number;
  seed: number;
  icarusVectors?: number;
  timeout?: number;
  quiet?: boolean;
  prove?: boolean;
}

/** The proof's verdict: PROVEN, COUNTEREXAMPLE with the inputs cycle by cycle, or NOT PROVEN and why. */
export function describeProof(file: string, p: ProofResult): string[] {
  const secs = `${p.seconds.toFixed(1)} s`;
  if (p.status === 'proven') {
    return [`PROVEN ${file}: for every input sequence, from cycle ${p.from} on, every output equals the hand-written W*x module's (${p.method}, ${secs}): ${p.detail}`];
  }
  if (p.status === 'not proven') return [`NOT PROVEN ${file} (${secs}): ${p.detail}`];
  const c = p.counterexample!;
  return [
    `COUNTEREXAMPLE ${file} (${p.method}, ${secs}): ${p.detail}`,
    `  at cycle ${c.cycle}, output ${c.output} is ${c.got ?? 'unknown'}, the W*x module gives ${c.expected}, for the inputs x:`,
    ...c.inputs.map((v, t) => `  cycle ${t}: [${v.join(', ')}]`),
  ];
}

async function check(file: string, o: CheckOpts): Promise<number> {
  const { spec } = await loadSpec(file, o);
  if (o.prove) checkProveOptions(spec);
  const progress = commandProgress(o);
  progress.start('compiling the design');
  const t0 = performance.now();
  const r = compile(spec, { ...compileOptions(o), ...attemptOption(o) });
  progress.done((performance.now() - t0) / 1000, `${r.netlist.adders} adders, latency ${r.netlist.latency}`);
  const c = await checkText(r, spec, {
    vectors: o.vectors,
    seed: o.seed,
    progress,
    ...(o.icarusVectors !== undefined ? { icarusVectors: o.icarusVectors } : {}),
    ...(o.timeout !== undefined ? { timeoutSeconds: o.timeout } : {}),
  });
  process.stdout.write(describeCheck(basename(file), r.netlist.latency, c, describeSpec(spec).reference).join('\n') + '\n');
  if (!o.prove) return c.pass ? 0 : EXIT_CHECK_FAILED;
  const proof = await proveEquivalence(r, spec, { progress, ...(o.timeout !== undefined ? { timeoutSeconds: o.timeout } : {}) });
  process.stdout.write(describeProof(basename(file), proof).join('\n') + '\n');
  return c.pass && proof.status === 'proven' ? 0 : EXIT_CHECK_FAILED;
}

export function registerCheck(program: Command, setCode: (code: number) => void): void {
  modelOptions(designOptions(
    program
      .command('check')
      .description('cross-check the emitted Verilog text: Yosys reads it, its JSON netlist is simulated against the reference model (and Icarus, if installed)')
      .argument('<file>', 'a layers file (format 1), or a trained model (see da-gen import)'),
  ))
    .addOption(new Option('-n, --vectors <N>', 'input vectors to apply, one per cycle').default(500).argParser(intOption('--vectors', 1, 1_000_000)))
    .addOption(new Option('--seed <S>', 'seed for the random vectors').default(1).argParser(intOption('--seed', 0, 2 ** 32 - 1)))
    .addOption(
      new Option('--icarus-vectors <N>', 'how many of the vectors (the first ones) Icarus runs; default: as many as Icarus runs in about half a minute for the design\'s size, at least 8').argParser(
        intOption('--icarus-vectors', 1, 1_000_000),
      ),
    )
    .addOption(new Option('--timeout <s>', 'time limit of each tool run, in seconds (of the SAT step of --prove: 60 unless given)').argParser(intOption('--timeout', 1, 86400)))
    .option('--prove', 'also prove, for all inputs, that the module equals the hand-written W*x module (a single matrix only): exact linear forms over Yosys\'s reading of both, then Yosys\'s SAT solver where they do not decide; exit 1 unless proven')
    .option('-q, --quiet', 'print no progress, only the result and errors')
    .action(async (file: string, o: CheckOpts) => {
      setCode(await check(file, o));
    });
}
