import { basename } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT_CHECK_FAILED } from '../../errors.js';
import { simulateSpec } from '../../flows/verify.js';
import { describeSpec } from '../../spec/spec.js';
import { loadSpec } from '../io.js';
import { compileOptions, designOptions, intOption, modelOptions } from '../options.js';
import type { DesignOpts, ModelOpts } from '../options.js';
import { attemptOption } from '../progress.js';
import { commandProgress, describeCompare } from './check.js';

interface SimOpts extends DesignOpts, ModelOpts {
  vectors: number;
  seed: number;
  quiet?: boolean;
}

async function sim(file: string, o: SimOpts): Promise<number> {
  const { spec } = await loadSpec(file, o);
  const res = simulateSpec(spec, { ...compileOptions(o), ...attemptOption(o), vectors: o.vectors, seed: o.seed, progress: commandProgress(o) });
  const what = `${basename(file)}: ${res.compare.vectors} vectors through the ${res.mode}-mode netlist simulator, latency ${o.latency}`;
  process.stdout.write(describeCompare(what, res.compare, describeSpec(spec).reference).join('\n') + '\n');
  return res.compare.pass ? 0 : EXIT_CHECK_FAILED;
}

export function registerSim(program: Command, setCode: (code: number) => void): void {
  modelOptions(designOptions(
    program
      .command('sim')
      .description('simulate the generated netlist cycle by cycle and compare every output with the reference model (W·x for a matrix)')
      .argument('<file>', 'a layers file (format 1), or a trained model (see da-gen import)'),
  ))
    .addOption(new Option('-n, --vectors <N>', 'input vectors to apply, one per cycle').default(1000).argParser(intOption('--vectors', 1, 10_000_000)))
    .addOption(new Option('--seed <S>', 'seed for the random vectors').default(1).argParser(intOption('--seed', 0, 2 ** 32 - 1)))
    .option('-q, --quiet', 'print no progress, only the result and errors')
    .action(async (file: string, o: SimOpts) => {
      setCode(await sim(file, o));
    });
}
