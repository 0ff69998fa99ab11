import { basename } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT_CHECK_FAILED } from '../../errors.js';
import { compile } from '../../flows/compile.js';
import { checkText } from '../../flows/verify.js';
import type { TextCheck } from '../../flows/verify.js';
import type { CompareResult } from '../../sim/compare.js';
import { describeSpec } from '../../spec/spec.js';
import { readSpec } from '../io.js';
import { compileOptions, designOptions, intOption } from '../options.js';
import type { DesignOpts } from '../options.js';

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
  if (c.icarus) lines.push(...describeCompare(`${file}: the same vectors through Icarus Verilog`, c.icarus, ref));
  else lines.push(`(Icarus Verilog is not installed: only the Yosys reading was checked)`);
  return lines;
}

interface CheckOpts extends DesignOpts {
  vectors: number;
  seed: number;
}

async function check(file: string, o: CheckOpts): Promise<number> {
  const spec = readSpec(file);
  const r = compile(spec, compileOptions(o));
  const c = await checkText(r, spec, { vectors: o.vectors, seed: o.seed });
  process.stdout.write(describeCheck(basename(file), r.netlist.latency, c, describeSpec(spec).reference).join('\n') + '\n');
  return c.pass ? 0 : EXIT_CHECK_FAILED;
}

export function registerCheck(program: Command, setCode: (code: number) => void): void {
  designOptions(
    program
      .command('check')
      .description('cross-check the emitted Verilog text: Yosys reads it, its JSON netlist is simulated against the reference model (and Icarus, if installed)')
      .argument('<weights.json>', 'input file (format 1)'),
  )
    .addOption(new Option('-n, --vectors <N>', 'input vectors to apply, one per cycle').default(500).argParser(intOption('--vectors', 1, 1_000_000)))
    .addOption(new Option('--seed <S>', 'seed for the random vectors').default(1).argParser(intOption('--seed', 0, 2 ** 32 - 1)))
    .action(async (file: string, o: CheckOpts) => {
      setCode(await check(file, o));
    });
}
