import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT_CHECK_FAILED } from '../../errors.js';
import { buildForBoard } from '../../flows/board-build.js';
import { loadBoard } from '../../flows/boards.js';
import { boardNames } from '../../boards/index.js';
import { reportJsonText } from '../../report/build.js';
import { reportMarkdown } from '../../report/markdown.js';
import { DEFAULT_VECTORS } from '../../rtl/verilog/selftest.js';
import { loadSpec } from '../io.js';
import { checkOutputFolder, checkOutputs, writeOutputs } from '../output.js';
import { compileOptions, designOptions, intOption, modelOptions, positiveNumber, toolOptions } from '../options.js';
import type { DesignOpts, ModelOpts } from '../options.js';
import { attemptOption, printers, progressPrinter } from '../progress.js';

interface BuildOpts extends DesignOpts, ModelOpts {
  board: string;
  pllMhz?: number;
  output: string;
  vectors: number;
  seed: number;
  timeout: number;
  quiet?: boolean;
}

async function build(file: string, o: BuildOpts): Promise<number> {
  const { info } = printers(o);
  const { spec, inputs } = await loadSpec(file, o);
  const board = loadBoard(o.board);
  const dir = checkOutputFolder(o.output);
  // Before the long work: the files whose names are known already must not replace the input.
  checkOutputs(['v', 'json'].map((ext) => ({ path: join(o.output, `${spec.name}.${ext}`), text: '', what: ext === 'v' ? 'output' : 'manifest' })), inputs);
  const res = await buildForBoard(spec, board, {
    ...compileOptions(o),
    ...attemptOption(o),
    vectors: o.vectors,
    seed: o.seed,
    timeoutSeconds: o.timeout,
    progress: progressPrinter(!!o.quiet),
    ...(o.pllMhz !== undefined ? { pllMhz: o.pllMhz } : {}),
  });
  const files = Object.entries(res.files).map(([name, text]) => ({ path: join(o.output, name), text }));
  files.push({ path: join(o.output, 'report.json'), text: reportJsonText(res.report) });
  files.push({ path: join(o.output, 'report.md'), text: reportMarkdown(res.report) });
  await writeOutputs(files, inputs);
  const t = res.report.targets[0]!;
  info(`wrote ${files.length} files to ${dir}/ for ${board.name} (${board.part}, ${t.clock_mhz} MHz)`);
  for (const n of res.notes) info(`  ${n}`);
  if (t.fmax_mhz !== null) info(`  Fmax ${t.fmax_mhz.toFixed(1)} MHz: timing ${t.timing_met ? 'met' : 'NOT met'} at the clock of ${t.clock_mhz} MHz`);
  info(`  self-test: ${res.plan.vectors} vectors, expected signature 64'h${res.plan.signature.toString(16)}; the pass LED lights when it matches`);
  return res.simulated === 'fail' ? EXIT_CHECK_FAILED : 0;
}

export function registerBuild(program: Command, setCode: (code: number) => void): void {
  const cmd = modelOptions(designOptions(
    program
      .command('build')
      .description('the core in a self-test for a board: simulation, synthesis, place and route with the board pins, and the bitstream')
      .argument('<file>', 'a layers file (format 1), or a trained model (see da-gen import)'),
  ))
    .requiredOption('--board <name>', `the board: ${boardNames().join(', ')} (da-gen boards lists them)`)
    .option('-o, --output <dir>', 'directory for the files', 'build')
    .addOption(new Option('-n, --vectors <N>', 'self-test vectors, one per cycle').default(DEFAULT_VECTORS).argParser(intOption('--vectors', 1, 1 << 24)))
    .addOption(new Option('--pll-mhz <F>', "run the core from the part's PLL at about F MHz (boards whose PLL da-gen drives: iCE40)").argParser(positiveNumber('--pll-mhz')));
  toolOptions(cmd)
    .option('-q, --quiet', 'print nothing except errors')
    .action(async (file: string, o: BuildOpts) => {
      setCode(await build(file, o));
    });
}
