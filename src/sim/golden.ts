/**
 * The golden model: y = W·x computed directly with exact integers, independent of the
 * optimizer, the netlist and the emitter.
 */
export function matVec(weights: readonly (readonly bigint[])[], x: readonly bigint[]): bigint[] {
  return weights.map((row) => {
    let s = 0n;
    for (let i = 0; i < row.length; i++) s += row[i]! * x[i]!;
    return s;
  });
}
