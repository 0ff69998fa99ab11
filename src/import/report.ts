/**
 * The import report: per layer of the layers format, the framework layers it came from, its
 * shapes, its weight, bias and result types, its nonzero weights and pruned inputs, and what
 * was folded; as Markdown (`--report`) or as lines for the terminal.
 */
import type { ImportReport, ImportReportLayer } from './api.js';

function shape(s: readonly number[]): string {
  return s.join('×');
}

function weightsCell(l: ImportReportLayer): string {
  if (l.nonzero === null || l.weights === null) return '—';
  return `${l.nonzero} of ${l.weights}`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function importReportMarkdown(r: ImportReport): string {
  const out: string[] = [];
  out.push(`# Import report: ${r.file}`, '');
  out.push(`- Model: ${r.framework}`);
  out.push(`- Input: ${r.input}`);
  out.push(`- Output: ${r.output}`);
  out.push('');
  out.push('| # | kind | from | shape | weight type | bias type | result type | nonzero weights | pruned inputs | notes |');
  out.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const l of r.layers) {
    out.push(
      `| ${l.index} | ${l.kind} | ${cell(l.from)} | ${shape(l.inShape)} → ${shape(l.outShape)} | ${cell(l.weightType ?? '—')} | ${cell(l.biasType ?? '—')} | ${cell(l.resultType)} | ${weightsCell(l)} | ${l.prunedInputs} | ${cell(l.notes.join('; ') || '—')} |`,
    );
  }
  if (r.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  return `${out.join('\n')}\n`;
}

/** The report as short lines for stderr. */
export function importReportLines(r: ImportReport): string[] {
  const lines = [`${r.file}: ${r.framework}`, `  input: ${r.input}`, `  output: ${r.output}`];
  for (const l of r.layers) {
    const w = l.nonzero !== null ? `, ${weightsCell(l)} weights nonzero` : '';
    const p = l.prunedInputs > 0 ? `, ${l.prunedInputs} inputs pruned` : '';
    const types = l.weightType ? `, weights ${l.weightType}${l.biasType ? `, bias ${l.biasType}` : ''}` : '';
    lines.push(`  [${l.index}] ${l.kind} ${shape(l.inShape)} → ${shape(l.outShape)} from ${l.from}${types}, result ${l.resultType}${w}${p}`);
    for (const n of l.notes) lines.push(`      ${n}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines;
}
