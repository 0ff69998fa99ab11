/**
 * Open-addressing hash table from non-negative integer keys (below 2^53) to counts,
 * in typed arrays: the pair statistics of the optimizer hold millions of keys, more
 * than a JS Map can (and far more compactly). Keys are never removed; a count may
 * drop to zero.
 */
export class PairTable {
  keys: Float64Array;
  counts: Int32Array;
  size = 0;
  private mask: number;

  constructor(capacityHint = 1 << 12) {
    let cap = 1 << 12;
    while (cap < capacityHint * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.counts = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private static hash(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    return h >>> 0;
  }

  /** Slot of `key`, or −1. */
  find(key: number): number {
    let s = PairTable.hash(key) & this.mask;
    for (;;) {
      const k = this.keys[s]!;
      if (k === key) return s;
      if (k === -1) return -1;
      s = (s + 1) & this.mask;
    }
  }

  /** Add one to the count of `key`, inserting it if needed; returns the new count. */
  increment(key: number): number {
    let s = PairTable.hash(key) & this.mask;
    for (;;) {
      const k = this.keys[s]!;
      if (k === key) return ++this.counts[s]!;
      if (k === -1) {
        this.keys[s] = key;
        this.counts[s] = 1;
        if (++this.size * 2 > this.keys.length) this.grow();
        return 1;
      }
      s = (s + 1) & this.mask;
    }
  }

  /** Subtract one from the count of `key` if it is present and positive. */
  decrement(key: number): void {
    const s = this.find(key);
    if (s >= 0 && this.counts[s]! > 0) this.counts[s]!--;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const cap = oldKeys.length * 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.counts = new Int32Array(cap);
    this.mask = cap - 1;
    for (let s = 0; s < oldKeys.length; s++) {
      const k = oldKeys[s]!;
      if (k === -1) continue;
      let t = PairTable.hash(k) & this.mask;
      while (this.keys[t] !== -1) t = (t + 1) & this.mask;
      this.keys[t] = k;
      this.counts[t] = oldCounts[s]!;
    }
  }
}
