import type { Netlist } from '../netlist.js';
import { isAdder } from '../netlist.js';

/**
 * Lowering pass: how each adder is built in hardware. Recorded per signal, so that every
 * printer (and the simulator, which checks the complemented form) reads the same decisions.
 */
export interface AdderForms {
  /**
   * Adders that Yosys's `alumacc` would merge into the adder that reads them: a sum read once,
   * unshifted, by another adder of the same stage becomes one port of a multi-operand `$macc`,
   * mapped to a carry-save layer of full adders plus a final carry chain. On FPGAs with carry
   * chains that costs about three logic cells per bit where two chained adders cost two. These
   * are emitted as instances of a small module kept in the hierarchy.
   */
  chained: Uint8Array;
  /**
   * Signals that hold ¬v instead of v: adders (and their register copies) that every reader
   * subtracts. On iCE40 a carry chain takes its operands from the logic cell's input pins, so
   * a − b needs ¬b from a lookup table of its own for each bit, unless b arrives inverted; the
   * adder that computes b inverts for free (its sum table is just programmed the other way).
   */
  complemented: Uint8Array;
  /**
   * Signals that some reader subtracts and others add (or inputs, which nothing upstream can
   * invert for free): they get one inverted copy `<name>_n`, shared by all their subtractors.
   */
  inverted: Uint8Array;
}

/** The forms of a netlist's adders, or a block's (its outputs read as a netlist's are). */
export function adderForms(n: Pick<Netlist, 'signals' | 'outputs' | 'score'>): AdderForms {
  const N = n.signals.length;
  const reads = new Int32Array(N);
  const reader = new Int32Array(N).fill(-1);
  const readShift = new Int32Array(N);
  const notSubtrahend = new Uint8Array(N); // some reader does not subtract it
  const read = (src: number, by: number, shift: number, subtracted: boolean): void => {
    if (src < 0) return;
    reads[src]!++;
    reader[src] = by;
    readShift[src] = shift;
    if (!subtracted) notSubtrahend[src] = 1;
  };
  n.signals.forEach((s, idx) => {
    switch (s.kind) {
      case 'input':
        return;
      case 'reg':
        return read(s.a, idx, 0, true); // decided with its source, below
      case 'add':
      case 'sub':
        read(s.a, idx, s.shiftA, false);
        return read(s.b, idx, s.shiftB, s.kind === 'sub');
      case 'neg':
        return read(s.a, idx, s.shiftA, true);
      case 'addc':
      case 'fit':
        return read(s.a, idx, s.shiftA, false);
      case 'shr':
      case 'rne':
      case 'relu':
      case 'square':
      case 'table':
        return read(s.a, idx, 0, false);
      case 'cmp':
        // a comparator is a subtraction of which only the sign is kept; it is printed as a
        // comparison of the true values (synthesis builds the carry chain), so it reads b as
        // it is, never b's complement
        read(s.a, idx, s.shiftA, false);
        return read(s.b, idx, s.shiftB, false);
      case 'mux':
        // a multiplexer passes its operands on: no carry chain, nothing subtracted
        read(s.sel, idx, 0, false);
        read(s.a, idx, s.shiftA, false);
        return read(s.b, idx, s.shiftB, false);
      case 'cat':
        // wiring: its operands' bits as they are, nothing subtracted
        for (const a of s.args) read(a, idx, 0, false);
        return;
      case 'inst':
        // an instance's port: its block decides how it is read
        for (const a of s.args) read(a, idx, 0, false);
        return;
      default: {
        const kind: never = s; // every kind is handled: the compiler checks it
        throw new Error(`internal: no adder-form rule for signal ${String(kind)}`);
      }
    }
  });
  for (const o of n.outputs) read(o.signal, -2, o.shift, false);
  if (n.score) read(n.score.signal, -2, n.score.shift, false);
  const chained = new Uint8Array(N);
  n.signals.forEach((s, idx) => {
    const r = reader[idx]!;
    chained[idx] = isAdder(s) && reads[idx] === 1 && r >= 0 && isAdder(n.signals[r]!) && readShift[idx] === 0 ? 1 : 0;
  });
  // a register's readers count for its source: walk the signals backwards (copies follow sources)
  const blocked = Uint8Array.from(notSubtrahend);
  for (let idx = N - 1; idx >= 0; idx--) {
    const s = n.signals[idx]!;
    if (s.kind === 'reg' && blocked[idx]) blocked[s.a] = 1;
  }
  const complemented = new Uint8Array(N);
  n.signals.forEach((s, idx) => {
    if (s.kind === 'add' || s.kind === 'sub' || s.kind === 'addc') complemented[idx] = blocked[idx] || reads[idx] === 0 ? 0 : 1;
    else if (s.kind === 'reg') complemented[idx] = complemented[s.a]!;
  });
  const inverted = new Uint8Array(N);
  n.signals.forEach((s) => {
    if (s.kind === 'sub' && !complemented[s.b]) inverted[s.b] = 1;
    if (s.kind === 'neg' && !complemented[s.a]) inverted[s.a] = 1;
  });
  return { chained, complemented, inverted };
}
