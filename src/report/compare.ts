import { escapeCell, fixed, groupTargets } from './markdown.js';
import type { Report, TargetResult } from './schema.js';

const MINUS = '\u2212';

/** One compared quantity. `decimals` is how it is shown (and the precision at which it is compared). */
interface Metric {
  name: string;
  base: number | null;
  next: number | null;
  decimals: number;
  higherIsBetter: boolean;
}

type Verdict = 'better' | 'worse' | 'same' | 'n/a';

function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function verdict(m: Metric): Verdict {
  if (m.base === null || m.next === null) return m.base === m.next ? 'same' : 'n/a';
  const b = roundTo(m.base, m.decimals);
  const n = roundTo(m.next, m.decimals);
  if (b === n) return 'same';
  return (n > b) === m.higherIsBetter ? 'better' : 'worse';
}

/** "+12", "−3", "0"; with decimals "+2.5", "−0.4", "0.0". */
export function signed(x: number, decimals: number): string {
  const r = roundTo(x, decimals);
  if (r === 0) return (0).toFixed(decimals);
  return `${r > 0 ? '+' : MINUS}${Math.abs(r).toFixed(decimals)}`;
}

function changeCells(m: Metric): [string, string] {
  if (m.base === null || m.next === null) return ['—', '—'];
  const b = roundTo(m.base, m.decimals);
  const n = roundTo(m.next, m.decimals);
  const change = signed(n - b, m.decimals);
  const pct = b === 0 ? '—' : `${signed(((n - b) / Math.abs(b)) * 100, 1)}%`;
  return [change, pct];
}

function show(x: number | null, decimals: number): string {
  return x === null ? '—' : decimals === 0 ? String(x) : fixed(x, decimals);
}

const key = (t: TargetResult): string => `${t.target}\u0000${t.design}`;

function targetMetrics(label: string, b: TargetResult, n: TargetResult): Metric[] {
  return [
    { name: `${label} LUTs`, base: b.luts, next: n.luts, decimals: 0, higherIsBetter: false },
    { name: `${label} carries`, base: b.carries, next: n.carries, decimals: 0, higherIsBetter: false },
    { name: `${label} FFs`, base: b.ffs, next: n.ffs, decimals: 0, higherIsBetter: false },
    { name: `${label} Fmax (MHz)`, base: b.fmax_mhz, next: n.fmax_mhz, decimals: 1, higherIsBetter: true },
  ];
}

/**
 * The differences between two reports of (usually) the same design, as Markdown for a pull-request
 * comment: a heading, a summary line counting the metrics that got better and worse (lower is
 * better for resources, depth and latency; higher is better for Fmax), targets present in only one
 * report listed as added or removed, then a table with columns metric, base, new, change and
 * change % (one decimal; "—" when the base is 0 or either side is missing).
 */
export function compareReports(base: Report, next: Report): string {
  const metrics: Metric[] = [
    { name: 'adders', base: base.arithmetic.adders, next: next.arithmetic.adders, decimals: 0, higherIsBetter: false },
    { name: 'adder bits', base: base.arithmetic.adder_bits, next: next.arithmetic.adder_bits, decimals: 0, higherIsBetter: false },
    { name: 'adder depth', base: base.arithmetic.adder_depth, next: next.arithmetic.adder_depth, decimals: 0, higherIsBetter: false },
    { name: 'register bits', base: base.arithmetic.register_bits, next: next.arithmetic.register_bits, decimals: 0, higherIsBetter: false },
    { name: 'output width', base: base.design.output_width, next: next.design.output_width, decimals: 0, higherIsBetter: false },
    { name: 'latency (cycles)', base: base.design.latency, next: next.design.latency, decimals: 0, higherIsBetter: false },
  ];

  const nextByKey = new Map(next.targets.map((t) => [key(t), t]));
  const baseKeys = new Set(base.targets.map(key));
  const removed: TargetResult[] = [];
  for (const g of groupTargets(base.targets)) {
    for (const b of g.results) {
      const n = nextByKey.get(key(b));
      if (n === undefined) removed.push(b);
      else metrics.push(...targetMetrics(`${b.target} ${b.design}`, b, n));
    }
  }
  const added = groupTargets(next.targets).flatMap((g) => g.results.filter((t) => !baseKeys.has(key(t))));

  const tally: Record<Verdict, number> = { better: 0, worse: 0, same: 0, 'n/a': 0 };
  for (const m of metrics) tally[verdict(m)]++;

  const out: string[] = [];
  const bd = base.design;
  const nd = next.design;
  out.push(`### da-gen report: ${nd.module} (${nd.shape}) compared with the base`, '');
  const parts = [`**${tally.better} better, ${tally.worse} worse**`, `${tally.same} unchanged`];
  if (tally['n/a'] > 0) parts.push(`${tally['n/a']} not comparable (missing on one side)`);
  out.push(`${parts.join(', ')} (lower is better for resources, depth and latency; higher is better for Fmax).`, '');
  if (bd.module !== nd.module || bd.shape !== nd.shape) {
    out.push(`The designs differ: base ${bd.module} (${bd.shape}), new ${nd.module} (${nd.shape}).`, '');
  }
  if (base.generator !== next.generator) out.push(`Generators: base ${base.generator}, new ${next.generator}.`, '');
  const list = (ts: TargetResult[]): string => ts.map((t) => `${t.target} (${t.design})`).join(', ');
  if (added.length > 0) out.push(`Added targets: ${list(added)}.`, '');
  if (removed.length > 0) out.push(`Removed targets: ${list(removed)}.`, '');

  out.push('| metric | base | new | change | change % |', '|---|--:|--:|--:|--:|');
  for (const m of metrics) {
    const [change, pct] = changeCells(m);
    out.push(`| ${escapeCell(m.name)} | ${show(m.base, m.decimals)} | ${show(m.next, m.decimals)} | ${change} | ${pct} |`);
  }
  out.push('');
  return out.join('\n');
}
