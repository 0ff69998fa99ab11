import { basename } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT_CHECK_FAILED, EXIT_TOOL, UsageError } from '../../errors.js';
import { checkReportOptions, compileDesign, reportDesign } from '../../flows/generate.js';
import { DEFAULT_CLOCK_MHZ } from '../../flows/synthesize.js';
import { checkText } from '../../flows/verify.js';
import { checkTargets, targetNames } from '../../platform/index.js';
import { reportJsonText } from '../../report/build.js';
import { reportMarkdown } from '../../report/markdown.js';
import { describeSpec } from '../../spec/spec.js';
import { VERSION } from '../../version.js';
import { loadSpec } from '../io.js';
import { checkOutputs, manifestPathFor, writeOutputs } from '../output.js';
import type { OutputFile } from '../output.js';
import { designOnly, designOptions, modelOptions, positiveNumber, targetList, toolOptions } from '../options.js';
import type { DesignOpts, ModelOpts } from '../options.js';
import { attemptOption, printers, progressPrinter } from '../progress.js';
import { describeCheck } from './check.js';
import { importSummary } from './import.js';

interface GenerateOpts extends DesignOpts, ModelOpts {
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

function pct(a: number, b: number): string {
  if (b === 0) return '0%';
  return `${(((a - b) / b) * 100).toFixed(1)}%`;
}

/** The output names: the Verilog and its manifest beside it, or stdout (manifest null). */
function outputsOf(name: string, o: GenerateOpts): { out: string; manifest: string | null } {
  const out = o.output ?? `${name}.v`;
  if (out === '-') return { out, manifest: null };
  const manifest = manifestPathFor(out);
  if (manifest === out) throw new UsageError(`output ${out}: the manifest would overwrite it; give the Verilog file a .v extension`);
  return { out, manifest };
}

/** The files this run will write, for the checks before any work and for writing them. */
function plannedFiles(out: string, manifest: string | null, report: string | undefined): OutputFile[] {
  const files: OutputFile[] = [];
  if (manifest !== null) files.push({ path: out, text: '', what: 'output' }, { path: manifest, text: '', what: 'manifest' });
  if (report !== undefined) files.push({ path: report, text: '', what: '--report' });
  return files;
}

/** Options that would do nothing in this combination are refused, not ignored. */
function checkCombination(o: GenerateOpts, given: (option: string) => boolean, out: string): void {
  const targets = o.target ?? [];
  if (o.baseline && targets.length === 0) throw new UsageError('--baseline needs at least one --target (e.g. --target ice40-up5k)');
  if (targets.length === 0) {
    const idle = [
      ['clockMhz', '--clock-mhz'],
      ['pnr', '--no-pnr'],
      ['seed', '--seed'],
    ].filter(([k]) => given(k!));
    if (idle.length > 0) throw new UsageError(`${idle.map(([, f]) => f).join(' and ')} ${idle.length === 1 ? 'applies' : 'apply'} to synthesis: add --target (e.g. --target ice40-up5k)`);
    if (given('timeout') && !o.check) throw new UsageError('--timeout limits the tools that --target and --check run: add one of them');
  }
  if (out === '-' && targets.length > 0 && o.report === undefined) {
    throw new UsageError('-o - prints the Verilog on stdout, so the report cannot go there too: give --report <file> for it');
  }
  if (o.verbose && o.quiet) throw new UsageError('--verbose and --quiet contradict each other: choose one');
}

async function generate(file: string, o: GenerateOpts, given: (option: string) => boolean): Promise<number> {
  const { info, detail, error } = printers(o);
  const { spec, imported, inputs } = await loadSpec(file, o);
  const { out, manifest } = outputsOf(spec.name, o);
  const targets = o.target ?? [];
  checkCombination(o, given, out);
  checkOutputs(plannedFiles(out, manifest, o.report), inputs);
  if (imported) info(importSummary(imported));
  checkTargets(targets);
  checkReportOptions(spec, { baseline: !!o.baseline, targets });
  const about = describeSpec(spec);
  detail(`da-gen ${VERSION}: ${basename(file)}: ${about.shape}, ${spec.input.width}-bit ${spec.input.signed ? 'signed' : 'unsigned'} input, latency ${o.latency}`);
  const run = { targets, clockMhz: o.clockMhz, seed: o.seed, timeoutSeconds: o.timeout, progress: progressPrinter(!!o.quiet) };
  const design = await compileDesign(spec, { ...designOnly(o), latency: o.latency, log: detail, ...attemptOption(o), ...run });
  const r = design.result;
  const s = r.stats;
  const n = r.netlist;
  detail(`  recoding ${s.ms.recode.toFixed(0)} ms, search ${s.ms.search.toFixed(0)} ms (${s.attempts.length} attempt${s.attempts.length === 1 ? '' : 's'}, kept "${s.attempt}")`);
  detail(`  adders: ${s.adders} (no-sharing CSD count ${s.naiveAdders}, ${pct(s.adders, s.naiveAdders)}), ${s.adderBits} adder bits, ${s.negations} output negations`);
  detail(`  depth ${s.depth}, bound ${s.depthBound === Infinity ? 'none' : s.depthBound} (minimum ${s.minDepth})`);
  detail(`  adder depth ${n.adderDepth}; register ranks after levels [${n.cuts.join(', ')}]; ${n.registerBits} register bits`);
  detail(`  netlist ${r.ms.netlist.toFixed(0)} ms, Verilog and manifest ${r.ms.emit.toFixed(0)} ms`);
  for (const [family, cells] of Object.entries(r.manifest.estimated_cells ?? {})) {
    detail(`  estimated cells, ${family}: ${Object.entries(cells).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  }
  if (manifest === null) process.stdout.write(r.verilog);
  else {
    await writeOutputs(
      [
        { path: out, text: r.verilog, what: 'output' },
        { path: manifest, text: r.manifestText, what: 'manifest' },
      ],
      inputs,
    );
    const p = n.ports;
    info(
      `wrote ${out} and ${manifest}: ${about.short}, ${s.adders} adders (${s.naiveAdders} without sharing, ${pct(s.adders, s.naiveAdders)}), ` +
        `depth ${n.adderDepth}, latency ${n.latency}, y ${p.outputWidth}-bit ${p.outputSigned ? 'signed' : 'unsigned'}` +
        (n.score ? `, score ${n.score.width}-bit` : ''),
    );
  }
  let code = 0;
  if (o.check) {
    // its steps as they run: Yosys reading the Verilog, the simulation of its netlist, Icarus
    const c = await checkText(r, spec, { progress: progressPrinter(!!o.quiet), ...(given('timeout') ? { timeoutSeconds: o.timeout } : {}) });
    for (const line of describeCheck(basename(file), n.latency, c, about.reference)) (c.pass ? info : error)(line);
    if (!c.pass) code = EXIT_CHECK_FAILED;
  }
  // a report without targets holds the design and its estimated cells
  if (targets.length > 0 || o.report !== undefined) {
    const failures: string[] = [];
    const report = await reportDesign(spec, design, { ...run, baseline: !!o.baseline, noPnr: !o.pnr, onFailure: (m) => failures.push(m) });
    if (o.report !== undefined) {
      await writeOutputs([{ path: o.report, text: o.report.endsWith('.json') ? reportJsonText(report) : reportMarkdown(report), what: '--report' }], [...inputs, ...(manifest !== null ? [out, manifest] : [])]);
      info(`wrote ${o.report}`);
    } else {
      process.stdout.write(reportMarkdown(report));
    }
    if (failures.length > 0) {
      for (const f of failures) error(`da-gen: error: ${f}`);
      if (code === 0) code = EXIT_TOOL;
    }
  }
  return code;
}

export function registerGenerate(program: Command, setCode: (code: number) => void): void {
  const cmd = designOptions(
    program
      .command('generate', { isDefault: true })
      .description('write <name>.v and its manifest <name>.json (the default command); optionally synthesize and report')
      .argument('<file>', 'a layers file (format 1), or a trained model (.h5, .keras, .onnx, Keras JSON): see da-gen import')
      .option('-o, --output <file.v>', 'Verilog output; the manifest goes beside it with .json ("-" prints Verilog to stdout)'),
  )
    .option('--target <names>', `synthesize for these targets (comma-separated or repeated): ${targetNames().join(', ')}`, targetList)
    .addOption(new Option('--clock-mhz <F>', 'clock to place and route for and to report against').default(DEFAULT_CLOCK_MHZ).argParser(positiveNumber('--clock-mhz')))
    .option('--report <file>', 'write the resource/latency report: JSON if the name ends in .json, else Markdown (default: Markdown on stdout)')
    .option('--baseline', 'also synthesize the hand-written y = W*x design with the same registers, for comparison')
    .option('--check', 'cross-check the emitted Verilog: Yosys reads it, its netlist is simulated against the reference model (and Icarus, if installed)')
    .option('--no-pnr', 'skip place and route (synthesis counts only)');
  toolOptions(modelOptions(cmd))
    .option('-v, --verbose', 'print optimizer attempts, phases, adder counts and timings on stderr')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (file: string, o: GenerateOpts, cmd: Command) => {
      setCode(await generate(file, o, (option) => cmd.getOptionValueSource(option) === 'cli'));
    });
}
