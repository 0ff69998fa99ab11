import { basename } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT_CHECK_FAILED } from '../../errors.js';
import { simulateSpec } from '../../flows/verify.js';
import { describeSpec } from '../../spec/spec.js';
import { readSpec } from '../io.js';
import { compileOptions, designOptions, intOption } from '../options.js';
import type { DesignOpts } from '../options.js';
import { attemptOption } from '../progress.js';
import { commandProgress, describeCompare } from './check.js';

interface SimOpts extends DesignOpts {
  vectors: number;
  seed: number;
  quiet?: boolean;
}

function sim(file: string, o: SimOpts): number {
  const spec = readSpec(file);
  const res = simulateSpec(spec, { ...compileOptions(o), ...attemptOption(o), vectors: o.vectors, seed: o.seed, progress: commandProgress(o) });
  const what = `${basename(file)}: ${res.compare.vectors} vectors through the ${res.mode}-mode netlist simulator, latency ${o.latency}`;
  process.stdout.write(describeCompare(what, res.compare, describeSpec(spec).reference).join('\n') + '\n');
  return res.compare.pass ? 0 : EXIT_CHECK_FAILED;
}

export function registerSim(program: Command, setCode: (code: number) => void): void {
  designOptions(
    program
      .command('sim')
      .description('simulate the generated netlist cycle by cycle and compare every output with the reference model (W·x for a matrix)')
      .argument('<weights.json>', 'input file (format 1)'),
  )
    .addOption(new Option('-n, --vectors <N>', 'input vectors to apply, one per cycle').default(1000).argParser(intOption('--vectors', 1, 10_000_000)))
    .addOption(new Option('--seed <S>', 'seed for the random vectors').default(1).argParser(intOption('--seed', 0, 2 ** 32 - 1)))
    .option('-q, --quiet', 'print no progress, only the result and errors')
    .action((file: string, o: SimOpts) => {
      setCode(sim(file, o));
    });
}
