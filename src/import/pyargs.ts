/**
 * Quantizers given as Python call text, as QKeras accepts them ("quantized_bits(6,0,alpha=1)",
 * "quantized_relu(6)", "ternary()"): a name, positional arguments, keyword arguments. Values are
 * numbers, True/False, None and quoted strings; anything else is an error.
 */

export type PyValue = number | boolean | string | null;

export interface PyCall {
  name: string;
  args: PyValue[];
  kwargs: Record<string, PyValue>;
}

function value(tok: string, text: string): PyValue {
  const t = tok.trim();
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (t === 'None') return null;
  if (/^(['"]).*\1$/.test(t)) return t.slice(1, -1);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  throw new Error(`cannot read the argument "${t}" in "${text}" (numbers, True, False, None and quoted strings only)`);
}

/** Parses `name(a, b, key=value)`; a bare `name` is a call without arguments. */
export function parsePyCall(text: string): PyCall {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!m) throw new Error(`expected a quantizer such as "quantized_bits(6,0,alpha=1)", got "${text}"`);
  const call: PyCall = { name: m[1]!, args: [], kwargs: {} };
  const body = (m[2] ?? '').trim();
  if (body === '') return call;
  const parts: string[] = [];
  let cur = '';
  let quote = '';
  for (const ch of body) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ',') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  for (const p of parts) {
    const kw = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/s.exec(p);
    if (kw) call.kwargs[kw[1]!] = value(kw[2]!, text);
    else if (Object.keys(call.kwargs).length > 0) throw new Error(`a positional argument after a keyword argument in "${text}"`);
    else call.args.push(value(p, text));
  }
  return call;
}

/** The arguments of a call bound to parameter names in order (positional first, then keywords). */
export function bindArgs(call: PyCall, params: readonly string[]): Record<string, PyValue> {
  if (call.args.length > params.length) throw new Error(`${call.name} takes at most ${params.length} positional arguments, got ${call.args.length}`);
  const out: Record<string, PyValue> = {};
  call.args.forEach((v, i) => (out[params[i]!] = v));
  for (const [k, v] of Object.entries(call.kwargs)) out[k] = v;
  return out;
}
