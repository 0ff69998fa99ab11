import { basename, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT_CHECK_FAILED, UsageError } from '../../errors.js';
import { checkReportOptions, compileDesign, reportDesign } from '../../flows/generate.js';
import { DEFAULT_CLOCK_MHZ } from '../../flows/synthesize.js';
import { checkText } from '../../flows/verify.js';
import { checkTargets, targetNames } from '../../platform/index.js';
import { reportJsonText } from '../../report/build.js';
import { reportMarkdown } from '../../report/markdown.js';
import { describeSpec } from '../../spec/spec.js';
import { VERSION } from '../../version.js';
import { manifestPathFor, readSpec, writeFilesAtomically } from '../io.js';
import { designOnly, designOptions, positiveNumber, targetList, toolOptions } from '../options.js';
import type { DesignOpts } from '../options.js';
import { printers, progressPrinter } from '../progress.js';
import { describeCheck } from './check.js';

interface GenerateOpts extends DesignOpts {
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

/** The output names: the Verilog, its manifest beside it, or stdout; refused when they would overwrite the input. */
function outputsOf(file: string, name: string, o: GenerateOpts): { out: string; manifest: string | null } {
  const out = o.output ?? `${name}.v`;
  if (out === '-') return { out, manifest: null };
  const manifest = manifestPathFor(out);
  if (manifest === out) throw new UsageError(`output ${out}: the manifest would overwrite it; give the Verilog file a .v extension`);
  if (resolve(out) === resolve(file) || resolve(manifest) === resolve(file)) {
    throw new UsageError(`output ${out}: it or its manifest ${manifest} would overwrite the input file ${file}; choose another name with -o`);
  }
  if (o.report !== undefined && [resolve(file), resolve(out), resolve(manifest)].includes(resolve(o.report))) {
    throw new UsageError(`--report ${o.report}: it would overwrite the input or an output; choose another name`);
  }
  return { out, manifest };
}

async function generate(file: string, o: GenerateOpts): Promise<number> {
  const { info, detail, error } = printers(o);
  const spec = readSpec(file);
  const { out, manifest } = outputsOf(file, spec.name, o);
  const targets = o.target ?? [];
  if ((o.baseline || o.report !== undefined) && targets.length === 0) throw new UsageError('--baseline and --report need at least one --target (e.g. --target ice40-up5k)');
  checkTargets(targets);
  checkReportOptions(spec, { baseline: !!o.baseline, targets });
  const about = describeSpec(spec);
  detail(`da-gen ${VERSION}: ${basename(file)}: ${about.shape}, ${spec.input.width}-bit ${spec.input.signed ? 'signed' : 'unsigned'} input, latency ${o.latency}`);
  const run = { targets, clockMhz: o.clockMhz, seed: o.seed, timeoutSeconds: o.timeout, progress: progressPrinter(!!o.quiet) };
  const design = await compileDesign(spec, { ...designOnly(o), latency: o.latency, log: detail, ...run });
  const r = design.result;
  const s = r.stats;
  const n = r.netlist;
  detail(`  recoding ${s.ms.recode.toFixed(0)} ms, search ${s.ms.search.toFixed(0)} ms (${s.attempts.length} attempt${s.attempts.length === 1 ? '' : 's'}, kept "${s.attempt}")`);
  detail(`  adders: ${s.adders} (no-sharing CSD count ${s.naiveAdders}, ${pct(s.adders, s.naiveAdders)}), ${s.adderBits} adder bits, ${s.negations} output negations`);
  detail(`  depth ${s.depth}, bound ${s.depthBound === Infinity ? 'none' : s.depthBound} (minimum ${s.minDepth})`);
  detail(`  adder depth ${n.adderDepth}; register ranks after levels [${n.cuts.join(', ')}]; ${n.registerBits} register bits`);
  detail(`  netlist ${r.ms.netlist.toFixed(0)} ms, Verilog and manifest ${r.ms.emit.toFixed(0)} ms`);
  if (manifest === null) process.stdout.write(r.verilog);
  else {
    writeFilesAtomically([
      { path: out, text: r.verilog },
      { path: manifest, text: r.manifestText },
    ]);
    const p = n.ports;
    info(
      `wrote ${out} and ${manifest}: ${about.short}, ${s.adders} adders (${s.naiveAdders} without sharing, ${pct(s.adders, s.naiveAdders)}), ` +
        `depth ${n.adderDepth}, latency ${n.latency}, y ${p.outputWidth}-bit ${p.outputSigned ? 'signed' : 'unsigned'}` +
        (n.score ? `, score ${n.score.width}-bit` : ''),
    );
  }
  let code = 0;
  if (o.check) {
    const progress = progressPrinter(!!o.quiet);
    progress.start('checking the emitted Verilog (Yosys reads it; its netlist is simulated)');
    const t0 = performance.now();
    const c = await checkText(r, spec);
    progress.done((performance.now() - t0) / 1000, c.pass ? 'PASS' : 'FAIL');
    for (const line of describeCheck(basename(file), n.latency, c, about.reference)) (c.pass ? info : error)(line);
    if (!c.pass) code = EXIT_CHECK_FAILED;
  }
  if (targets.length > 0) {
    const report = await reportDesign(spec, design, { ...run, baseline: !!o.baseline, noPnr: !o.pnr });
    if (o.report !== undefined) {
      writeFilesAtomically([{ path: o.report, text: o.report.endsWith('.json') ? reportJsonText(report) : reportMarkdown(report) }]);
      info(`wrote ${o.report}`);
    } else if (manifest !== null) {
      process.stdout.write(reportMarkdown(report));
    }
  }
  return code;
}

export function registerGenerate(program: Command, setCode: (code: number) => void): void {
  const cmd = designOptions(
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
    .option('--check', 'cross-check the emitted Verilog: Yosys reads it, its netlist is simulated against the reference model (and Icarus, if installed)')
    .option('--no-pnr', 'skip place and route (synthesis counts only)');
  toolOptions(cmd)
    .option('-v, --verbose', 'print optimizer attempts, phases, adder counts and timings on stderr')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (file: string, o: GenerateOpts) => {
      setCode(await generate(file, o));
    });
}
