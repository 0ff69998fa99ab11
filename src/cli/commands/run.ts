import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { InputError, UsageError } from '../../errors.js';
import { startStep } from '../../flows/progress.js';
import { compile } from '../../flows/compile.js';
import { datasetFormat } from '../../flows/dataset.js';
import { runDataset } from '../../flows/run.js';
import type { RunSink } from '../../flows/run.js';
import { parseFixed } from '../../import/fixed.js';
import { isModelFile, loadSpec } from '../io.js';
import { checkOutputs, fsProblem } from '../output.js';
import { compileOptions, designOptions, intOption, modelOptions } from '../options.js';
import type { DesignOpts, ModelOpts } from '../options.js';
import { printers } from '../progress.js';
import { commandProgress } from './check.js';

interface RunOpts extends DesignOpts, ModelOpts {
  inputs: string;
  output?: string;
  real?: boolean;
  raw?: boolean;
  strict?: boolean;
  threshold?: string;
  outputFracBits?: number;
  quiet?: boolean;
}

/** A file written through a temporary beside it, renamed into place at the end, removed on failure or an interrupt. */
class StreamedFile implements RunSink {
  readonly format: 'csv' | 'npy';
  private fh: FileHandle | null = null;
  private readonly tmp: string;
  private readonly cleanup = (): void => {
    rmSync(this.tmp, { force: true });
    process.exit(130);
  };

  constructor(readonly path: string) {
    this.format = datasetFormat(path);
    this.tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  }

  async start(): Promise<void> {
    try {
      this.fh = await open(this.tmp, 'wx');
    } catch (e) {
      throw new InputError(`cannot write output ${this.path}: ${fsProblem(e)}`);
    }
    process.once('SIGINT', this.cleanup);
    process.once('SIGTERM', this.cleanup);
  }

  async write(bytes: Buffer): Promise<void> {
    try {
      await this.fh!.write(bytes);
    } catch (e) {
      throw new InputError(`cannot write output ${this.path}: ${fsProblem(e)}`);
    }
  }

  async rewriteStart(bytes: Buffer): Promise<void> {
    await this.fh!.write(bytes, 0, bytes.length, 0);
  }

  async finish(): Promise<void> {
    await this.fh!.close();
    this.fh = null;
    try {
      await rename(this.tmp, this.path);
    } catch (e) {
      throw new InputError(`cannot write output ${this.path}: ${fsProblem(e)}`);
    } finally {
      this.detach();
    }
  }

  async abandon(): Promise<void> {
    if (this.fh) await this.fh.close().catch(() => undefined);
    rmSync(this.tmp, { force: true });
    this.detach();
  }

  private detach(): void {
    process.off('SIGINT', this.cleanup);
    process.off('SIGTERM', this.cleanup);
  }
}

/** CSV on stdout. */
const stdoutSink: RunSink = {
  format: 'csv',
  write: (bytes) => new Promise((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve()))),
  rewriteStart: async () => undefined,
};

async function run(file: string, o: RunOpts): Promise<number> {
  const { info } = printers(o);
  const out = o.output;
  if (out !== undefined && out !== '-' && !/\.(csv|npy)$/i.test(out)) throw new UsageError(`-o ${out}: the output is a .csv or a .npy file (or "-" for CSV on stdout)`);
  const threshold = o.threshold === undefined ? undefined : Number(o.threshold);
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new UsageError(`--threshold ${o.threshold}: expected a number`);
  // --input is the data's format; for a model file it is the import's input format as well
  const { input, ...others } = o;
  const { spec, imported, inputs } = await loadSpec(file, isModelFile(file) ? o : others);
  const format = input !== undefined ? parseFixed(input, '--input') : imported?.input;
  if (out !== undefined && out !== '-') checkOutputs([{ path: out, text: '', what: 'output' }], [...inputs, o.inputs]);
  const progress = commandProgress(o);
  progress.start('compiling the design');
  const r = compile(spec, compileOptions(o));
  progress.done(r.ms.optimize / 1000 + r.ms.netlist / 1000 + r.ms.emit / 1000, `${r.netlist.adders} adders, latency ${r.netlist.latency}`);
  const nOut = r.netlist.ports.nOut;
  let real: { yFrac: number[]; scoreFrac: number | null } | null = null;
  if (o.real) {
    const f = o.outputFracBits !== undefined ? new Array<number>(nOut).fill(o.outputFracBits) : imported?.outputFrac;
    if (!f) throw new UsageError(`--real: the fractional bits of ${basename(file)}'s outputs are not known${imported && imported.outputFrac === null ? ' (its output is an argmax index)' : ''}; give --output-frac-bits F (y / 2^F)`);
    const alike = f.every((x) => x === f[0]);
    if (r.netlist.ports.scoreWidth !== null && !alike) throw new UsageError('--real: the outputs have different fractional bits, so their sum of squares (the score) has no one scale; run without --real');
    // a sum of squares has twice the fractional bits of the y it squares
    real = { yFrac: f.length === nOut ? [...f] : new Array<number>(nOut).fill(f[0] ?? 0), scoreFrac: r.netlist.ports.scoreWidth !== null ? 2 * f[0]! : null };
  }
  const sink = out === undefined ? null : out === '-' ? stdoutSink : new StreamedFile(out);
  if (sink instanceof StreamedFile) await sink.start();
  const step = startStep(progress, `run: ${basename(o.inputs)} through ${spec.name}`);
  let summary;
  try {
    summary = await runDataset(r, spec, o.inputs, sink, {
      ...(format ? { format } : {}),
      ...(o.raw ? { raw: true } : {}),
      ...(o.strict ? { strict: true } : {}),
      ...(real ? { real } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      onBlock: (_events, bytesRead, bytes) => step.tick(bytes > 0 ? bytesRead / bytes : 0),
    });
    if (sink instanceof StreamedFile) await sink.finish();
  } catch (e) {
    if (sink instanceof StreamedFile) await sink.abandon();
    throw e;
  }
  step.done(`${summary.events} events`);
  const rate = summary.seconds > 0 ? `, ${Math.round(summary.events / summary.seconds)} events/s` : '';
  const lines = [
    `${basename(o.inputs)}: ${summary.events} events through ${spec.name} (the ${summary.simulator === 'wasm' ? 'WebAssembly' : 'BigInt'} simulator of its netlist, latency ${r.netlist.latency}), ${o.raw ? 'integer codes' : `input ${summary.format}`}${rate}`,
    ...(out !== undefined && out !== '-' ? [`wrote ${out}: ${summary.columns.join(', ')}${o.real ? ' (real)' : ''}`] : []),
    ...(summary.above !== null ? [`score > ${threshold}: ${summary.above} of ${summary.events} events (${summary.events > 0 ? ((100 * summary.above) / summary.events).toPrecision(4) : '0'}%)`] : []),
  ];
  // the summary on stdout, unless stdout carries the CSV
  for (const l of lines) (out === '-' ? info : (s: string): void => void process.stdout.write(s + '\n'))(l);
  return 0;
}

export function registerRun(program: Command, setCode: (code: number) => void): void {
  modelOptions(
    designOptions(
      program
        .command('run')
        .description('run a dataset (CSV or .npy, one event per row) through the design, emulated cycle for cycle by its netlist; write y and the score')
        .argument('<file>', 'a layers file (format 1), or a trained model (see da-gen import)'),
    ),
  )
    .requiredOption('--inputs <data>', 'the events: CSV (a header line or none; integers or real numbers) or NumPy .npy (2-D, integer or float)')
    .option('-o, --output <file>', 'write y (and the score) per event: .csv or .npy; "-" prints CSV on stdout (default: none, only the summary)')
    .option('--real', 'write y and the score as real numbers (divided by 2^frac of the outputs)')
    .option('--raw', 'the values are the integer codes the hardware takes (default: real numbers, quantized to the input format)')
    .option('--strict', 'a value outside the input range is an error (default: it wraps or saturates as the input format says)')
    .option('--threshold <T>', 'also count the events whose score exceeds T (in the units of the output: integers, or real with --real)')
    .addOption(new Option('--output-frac-bits <F>', 'with --real for a layers file: y / 2^F').argParser(intOption('--output-frac-bits', 0, 62)))
    .option('-q, --quiet', 'print no progress, only the summary and errors')
    .action(async (file: string, o: RunOpts) => {
      setCode(await run(file, o));
    });
}
