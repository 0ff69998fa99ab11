import { expect } from 'vitest';
import { runYosys } from '@yowasp/yosys';
import { signalOperands } from '../../src/rtl/netlist.js';
import type { Netlist } from '../../src/rtl/netlist.js';

/** Register ranks between the inputs and each signal; throws if the operands of a signal disagree (unbalanced paths). */
export function ranks(n: Netlist): number[] {
  const r: number[] = [];
  n.signals.forEach((s, i) => {
    if (s.kind === 'input') r[i] = 0;
    else if (s.kind === 'reg') r[i] = r[s.a]! + 1;
    else {
      const at = signalOperands(s).map((o) => r[o]!);
      if (at.some((x) => x !== at[0])) throw new Error(`${s.name}: operands at ranks ${at.join(', ')}`);
      r[i] = at[0]!;
    }
  });
  return r;
}

/** Yosys (WebAssembly) reads the text as plain Verilog-2005: no undriven or multiply driven signal, no multiplier, divider or power. */
export async function yosysRead(verilog: string, top: string): Promise<{ ok: boolean; log: string }> {
  let log = '';
  const dec = new TextDecoder();
  const sink = (b: Uint8Array | null): void => {
    if (b) log += dec.decode(b);
  };
  try {
    await runYosys(['-q', '-p', `read_verilog design.v; hierarchy -check -top ${top}; proc; check -assert; select -assert-none t:$mul t:$div t:$mod t:$pow`], { 'design.v': verilog }, { stdout: sink, stderr: sink });
    return { ok: true, log };
  } catch (e) {
    return { ok: false, log: `${log}\n${(e as Error).message}` };
  }
}

/** Verilog text without comments and `(* … *)` attributes: what is left has no `*` unless it multiplies. */
export function stripComments(v: string): string {
  return v
    .replace(/\(\*[^*]*\*\)/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '');
}

/** The Verilog has no `*` outside comments and declares every signal of the netlist exactly once, with its width and signedness. */
export function expectDeclaredOnce(n: Netlist, verilog: string, label: string): void {
  const code = stripComments(verilog);
  expect(code, label).not.toContain('*');
  for (const s of n.signals) {
    const decl = new RegExp(`^\\s*${s.kind === 'reg' ? 'reg' : 'wire'} ${s.signed ? 'signed ' : ''}\\[${s.width - 1}:0\\] ${s.name}\\b`, 'gm');
    expect((code.match(decl) ?? []).length, `${label} ${s.name}`).toBe(1);
  }
}
