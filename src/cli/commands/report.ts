import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { compareReports } from '../../report/compare.js';
import { reportMarkdown } from '../../report/markdown.js';
import { readReport } from '../io.js';

function report(files: string[], o: { compare?: boolean }): number {
  if (o.compare) {
    if (files.length !== 2) throw new UsageError('report --compare takes two report files: base.json new.json');
    process.stdout.write(compareReports(readReport(files[0]!), readReport(files[1]!)));
    return 0;
  }
  if (files.length !== 1) throw new UsageError('report takes one report file (or --compare base.json new.json)');
  process.stdout.write(reportMarkdown(readReport(files[0]!)));
  return 0;
}

export function registerReport(program: Command, setCode: (code: number) => void): void {
  program
    .command('report')
    .description('print a JSON report as Markdown, or with --compare the differences between two reports (for a pull request)')
    .argument('<reports...>', 'report.json, or base.json new.json with --compare')
    .option('--compare', 'print a Markdown table of the differences between two reports')
    .action((files: string[], o: { compare?: boolean }) => {
      setCode(report(files, o));
    });
}
