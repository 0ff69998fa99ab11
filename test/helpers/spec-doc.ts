/**
 * A valid input document (a 2×3 matrix named `enc`, 8-bit signed inputs); `over` replaces or
 * adds top-level keys, and an undefined value deletes one.
 */
export function specDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  const d: Record<string, unknown> = {
    format: 1,
    name: 'enc',
    input: { width: 8, signed: true },
    weights: [
      [1, 2, 3],
      [4, -5, 6],
    ],
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete d[k];
    else d[k] = v;
  }
  return d;
}
