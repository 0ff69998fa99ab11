import { describe, expect, it } from 'vitest';
import { decomposeRows } from '../../src/da/decompose.js';
import { Rng } from '../../src/sim/vectors.js';

describe('row differences', () => {
  it('reconstruct every row from its parent, parents first, within the bound', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const base = Array.from({ length: 6 }, () => BigInt(rng.below(255) - 127));
      // rows near one another (and shifted/negated copies of near ones)
      const rows = Array.from({ length: 8 }, (_, k) => base.map((v) => (k % 3 === 2 ? -2n : 1n) * (v + BigInt(rng.below(5) - 2))));
      for (const bound of [Infinity, 6, 9]) {
        const d = decomposeRows(rows, bound, 3, 1);
        if (d === null) continue;
        const pos = new Map(d.order.map((a, k) => [a, k]));
        rows.forEach((r, a) => {
          const p = d.parent[a]!;
          if (p < 0) expect(d.delta[a]).toEqual(r);
          else {
            expect(pos.get(p)!).toBeLessThan(pos.get(a)!);
            const m = BigInt(d.sign[a]!) << BigInt(d.shift[a]!);
            expect(r.map((_, i) => d.delta[a]![i]! + m * rows[p]![i]!)).toEqual(r);
          }
        });
        expect(d.digitsAfter).toBeLessThan(d.digitsBefore);
      }
    }
  });
});
