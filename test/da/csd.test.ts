import { describe, expect, it } from 'vitest';
import { csd, csdWeight, naiveAdderCount } from '../../src/da/csd.js';

/** Independent NAF weight: the non-zero digits of NAF(n) sit at the set bits of (3n XOR n) >> 1. */
function nafWeight(n: bigint): number {
  const a = n < 0n ? -n : n;
  let z = ((3n * a) ^ a) >> 1n;
  let c = 0;
  while (z > 0n) {
    c += Number(z & 1n);
    z >>= 1n;
  }
  return c;
}

describe('csd', () => {
  it('recodes every integer in ±2^16 exactly, with no two adjacent non-zero digits and minimal weight', () => {
    for (let k = -(1 << 16); k <= 1 << 16; k++) {
      const n = BigInt(k);
      const d = csd(n);
      let sum = 0n;
      for (let j = 0; j < d.length; j++) {
        sum += BigInt(d[j]!.sign) << BigInt(d[j]!.shift);
        if (j > 0 && d[j]!.shift - d[j - 1]!.shift < 2) throw new Error(`adjacent digits in csd(${k})`);
        if (d[j]!.sign !== 1 && d[j]!.sign !== -1) throw new Error(`bad digit in csd(${k})`);
      }
      if (sum !== n) throw new Error(`csd(${k}) sums to ${sum}`);
      if (d.length !== nafWeight(n)) throw new Error(`csd(${k}) has ${d.length} digits, NAF has ${nafWeight(n)}`);
    }
  });

  it('handles 64-bit weights', () => {
    for (const n of [(1n << 63n) - 1n, -(1n << 63n), (1n << 64n) - 1n, 0x5555555555555555n, -0x2aaaaaaaaaaaaaabn]) {
      const d = csd(n);
      expect(d.reduce((s, x) => s + (BigInt(x.sign) << BigInt(x.shift)), 0n)).toBe(n);
      expect(d.length).toBe(nafWeight(n));
    }
  });

  it('knows small cases by hand', () => {
    expect(csd(0n)).toEqual([]);
    expect(csd(7n)).toEqual([
      { shift: 0, sign: -1 },
      { shift: 3, sign: 1 },
    ]);
    expect(csd(-3n)).toEqual([
      { shift: 0, sign: 1 },
      { shift: 2, sign: -1 },
    ]);
    expect(csdWeight(0b1011011n)).toBe(4); // 91 = 128 - 32 - 4 - 1
  });

  it('counts naive adders as Σ over rows of (digits − 1)', () => {
    expect(naiveAdderCount([[7n, 3n], [0n, 0n], [1n, 0n]])).toBe(3 + 0 + 0);
  });
});
