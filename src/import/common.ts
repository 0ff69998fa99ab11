/**
 * What the front ends share: the `--precision` table for float layers, the final softmax, and
 * the input format a model's first quantizer implies.
 */
import { SpecError, UsageError } from '../errors.js';
import { fixedText, parseFixed } from './fixed.js';
import type { ImportOptions } from './api.js';
import type { FixedFormat, ModelOp, OpMeta, QuantOp } from './ir.js';

/** `--precision fixed<16,6>` (every float layer) and `--precision NAME=fixed<…>` (one layer). */
export class PrecisionTable {
  private readonly global: FixedFormat | null = null;
  private readonly byName = new Map<string, FixedFormat>();
  private readonly used = new Set<string>();

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const m = /^\s*([^=<>\s]+)\s*=\s*(.+)$/.exec(e);
      if (m) {
        if (this.byName.has(m[1]!)) throw new UsageError(`--precision: layer ${m[1]} is given twice`);
        this.byName.set(m[1]!, parseFixed(m[2]!, `--precision ${m[1]}`));
      } else {
        if (this.global !== null) throw new UsageError(`--precision: the default precision is given twice (use NAME=fixed<…> for one layer)`);
        this.global = parseFixed(e, '--precision');
      }
    }
  }

  /** The precision of a float layer's weights and bias, or null when none is given. */
  weightFor(name: string): FixedFormat | null {
    const p = this.byName.get(name);
    if (p) {
      this.used.add(name);
      return p;
    }
    return this.global;
  }

  /** The precision of a float layer's result, or null when none is given. */
  resultFor(name: string): FixedFormat | null {
    return this.weightFor(name);
  }

  /** The quantizer of a float layer's result at its --precision (none when no precision applies to it). */
  resultOps(name: string, cls: string): QuantOp[] {
    const p = this.resultFor(name);
    if (p === null) return [];
    return [{ op: 'quant', formats: [p], source: `result ${fixedText(p)} (--precision)`, meta: { name, cls, notes: [] } }];
  }

  /** Whether any precision is given at all. */
  any(): boolean {
    return this.global !== null || this.byName.size > 0;
  }

  /** A per-layer precision that names no layer of the model is an error (a typo must not pass). */
  checkAllUsed(label: string, names: readonly string[]): void {
    for (const n of this.byName.keys()) {
      if (!names.includes(n)) throw new UsageError(`--precision ${n}=…: ${label} has no layer named "${n}" (its layers: ${names.join(', ')})`);
    }
  }
}

/** A softmax: the last layer only; refused, or argmax, or dropped, per --softmax. */
export function softmaxOps(opts: ImportOptions, label: string, where: string, isLast: boolean, meta: OpMeta, notes: string[]): ModelOp[] {
  if (!isLast) throw new SpecError(label, where, 'a softmax before the last layer is not supported');
  const mode = opts.softmax ?? 'refuse';
  if (mode === 'argmax') {
    notes.push(`${meta.name} (softmax) became argmax: y is the index of the largest logit (softmax keeps the order)`);
    return [{ op: 'argmax', meta }];
  }
  if (mode === 'drop') {
    notes.push(`${meta.name} (softmax) removed: y is the logits`);
    return [];
  }
  throw new UsageError(`${label}: ${where} ends the model with a softmax, which da-gen does not build: pass --softmax argmax (y is the index of the largest logit) or --softmax drop (y is the logits)`);
}

/**
 * The input format a first quantizer implies: one format holding every channel's values
 * (signed if any channel is, the finest grid of them all). Null when every channel has 0 bits.
 */
export function inputFromFirstQuant(q: QuantOp): FixedFormat | null {
  const live = q.formats.filter((f) => f.width > 0);
  if (live.length === 0) return null;
  const signed = live.some((f) => f.signed);
  const frac = Math.max(...live.map((f) => f.frac));
  const int = Math.max(...live.map((f) => f.width - f.frac + (signed && !f.signed ? 1 : 0)));
  return { signed, width: int + frac, frac, rounding: 'floor', overflow: 'wrap' };
}
