import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { importModel } from '../../import/index.js';
import type { ImportResult } from '../../import/index.js';
import { importReportLines, importReportMarkdown } from '../../import/report.js';
import { checkOutputs, writeOutputs } from '../output.js';
import { modelOptions } from '../options.js';
import type { ModelOpts } from '../options.js';
import { printers } from '../progress.js';

interface ImportOpts extends ModelOpts {
  output?: string;
  report?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** One line about an import, for the commands that compile a model directly. */
export function importSummary(r: ImportResult): string {
  const n = r.report.layers.length;
  return `imported ${r.report.file} (${r.report.framework}): ${n} layer${n === 1 ? '' : 's'}; input ${r.report.input.replace(/ \(.*$/, '')}; ${r.report.output}`;
}

async function importCommand(file: string, o: ImportOpts): Promise<number> {
  const { info } = printers(o);
  const out = o.output ?? `${basename(file, extname(file)).replace(/[^A-Za-z0-9_.-]/g, '_')}.layers.json`;
  const inputs = [file, ...(o.weights ? [o.weights] : [])];
  const planned = [...(out === '-' ? [] : [{ path: out, text: '', what: 'output' }]), ...(o.report ? [{ path: o.report, text: '', what: '--report' }] : [])];
  checkOutputs(planned, inputs);
  const r = await importModel(file, o);
  const files = [...(out === '-' ? [] : [{ path: out, text: r.text, what: 'output' }]), ...(o.report ? [{ path: o.report, text: importReportMarkdown(r.report), what: '--report' }] : [])];
  if (files.length > 0) await writeOutputs(files, inputs);
  if (out === '-') process.stdout.write(r.text);
  if (!o.report) for (const line of importReportLines(r.report)) info(line);
  info(`${out === '-' ? 'printed' : `wrote ${out}`}${o.report ? ` and ${o.report}` : ''}: ${r.report.layers.length} layers`);
  return 0;
}

export function registerImport(program: Command, setCode: (code: number) => void): void {
  modelOptions(
    program
      .command('import')
      .description('import a trained model (Keras 2 JSON + .h5, Keras .h5, Keras 3 .keras, ONNX and QONNX .onnx) into the layers format, bit-exactly')
      .argument('<model>', 'the model file')
      .option('-o, --output <file.json>', 'the layers file to write (default: <model name>.layers.json; "-" prints it on stdout)')
      .option('--report <file.md>', 'write the import report as Markdown (default: a summary on stderr)'),
  )
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (file: string, o: ImportOpts) => {
      setCode(await importCommand(file, o));
    });
}
