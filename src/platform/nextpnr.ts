import type { Ports } from '../rtl/netlist.js';
import type { Tool, ToolRunOptions } from '../toolchain/tool.js';
import { DEFAULT_TIMEOUT_SECONDS, findTool } from '../toolchain/tool.js';
import type { Family, Part, Target } from './family.js';
import { familyOf } from './index.js';
import { synthesizeWrapper } from './yosys.js';

/**
 * Place and route with nextpnr, for any family that has it (`Family.pnr`): the core alone inside
 * its pin wrapper, for Fmax; a board's whole top with its constraints, for the bitstream; and
 * packing. Failures that belong to the design (it does not fit, does not route in time) are
 * results with a note, not errors.
 */

export interface PnrResult {
  /** What ran, as the report shows it. */
  flow: string;
  /** How place and route ran, e.g. "nextpnr-ice40 (WebAssembly)". */
  tool: string;
  fmaxMhz: number | null;
  /** Cells of the wrapper (total minus core); empty for a board's top. */
  wrapperCells: Record<string, number>;
  /** Why there is no Fmax, or null. */
  note: string | null;
  /** The placed design (`placedFile`), when it was asked for and place and route succeeded. */
  placed: string | null;
  seconds: number;
}

/** The lowest achieved clock frequency in a nextpnr `--report` JSON (null when none). */
export function fmaxFromReport(text: string): number | null {
  const rep = JSON.parse(text) as { fmax?: Record<string, { achieved?: number }> };
  const clocks = Object.values(rep.fmax ?? {});
  const fmax = clocks.length > 0 ? Math.min(...clocks.map((c) => c.achieved ?? Infinity)) : null;
  return fmax === null || !Number.isFinite(fmax) ? null : fmax;
}

/** nextpnr's reason for failing, in one short line (cell names can run to hundreds of characters). */
export function nextpnrWhy(log: string): string {
  const line = log.split('\n').find((l) => /ERROR/.test(l));
  if (line === undefined) return 'nextpnr failed';
  const msg = line.replace(/^ERROR:\s*/, '').trim();
  const full = /no BELs remaining to implement cell type '([^']+)'/.exec(msg);
  if (full) return `the design needs more ${full[1]} cells than the part has`;
  const region = /Failed to expand region .* of (\d+) (\w+)/.exec(msg);
  if (region) return `the design needs ${region[1]} ${region[2]!.replace(/s$/, '')} cells, more than the part has`;
  return msg.length > 160 ? `${msg.slice(0, 157)}…` : msg;
}

/** A tool as the report's `place_and_route` names it. */
export function describeRun(t: Tool): string {
  return t.kind === 'webassembly' ? `${t.name} (WebAssembly)` : `${t.name} (native: ${t.version()})`;
}

/** The arguments a reader needs (the file arguments and quiet flags left out). */
function shownArgs(args: string[]): string {
  const hidden = new Set(['--json', '--report', '--asc', '--textcfg', '--quiet', '--timing-allow-fail']);
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (hidden.has(a)) {
      if (a !== '--quiet' && a !== '--timing-allow-fail') k++; // skip its file name too
      continue;
    }
    out.push(a);
  }
  return out.join(' ');
}

export interface PlaceOptions extends ToolRunOptions {
  clockMhz: number;
  seed: number;
  /** The constraint file (name and text); absent: pins are left to the placer. */
  constraints?: { fileName: string; text: string };
  /** Keep the placed design, for the bitstream. */
  keepPlaced?: boolean;
}

/** The family's nextpnr, when it has place and route and the tool is here; else null. */
export function placerOf(family: Family): Tool | null {
  return family.pnr === null ? null : findTool(family.pnr.placer);
}

/** Run nextpnr (`placer`, the family's) on a synthesized netlist (`json`) for `part`. */
export async function placeAndRoute(family: Family, placer: Tool, json: string, part: Part, o: PlaceOptions): Promise<Omit<PnrResult, 'wrapperCells'>> {
  const pnr = family.pnr!;
  const placedFile = o.keepPlaced ? `top.${pnr.placedExt}` : null;
  const args = pnr.args(part, { netlist: 'top.json', constraints: o.constraints?.fileName ?? null, clockMhz: o.clockMhz, seed: o.seed, report: 'report.json', placed: placedFile });
  const flow = `${placer.name} ${shownArgs(args)}${placer.kind === 'native' ? ' (native)' : ''}`;
  const files: Record<string, string> = { 'top.json': json };
  if (o.constraints) files[o.constraints.fileName] = o.constraints.text;
  const outputs = ['report.json', ...(placedFile ? [placedFile] : [])];
  const n = await placer.run(args, files, outputs, o);
  const base = { flow, tool: describeRun(placer), seconds: n.seconds, placed: null };
  const limit = o.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (n.timedOut) return { ...base, fmaxMhz: null, note: `place and route did not finish within ${Math.round(limit)} s (routing may not converge on a congested design)` };
  const report = n.files['report.json'];
  if (!n.ok || report === undefined || (placedFile !== null && n.files[placedFile] === undefined)) {
    return { ...base, fmaxMhz: null, note: `place and route failed: ${nextpnrWhy(`${n.stderr}\n${n.stdout}`)}` };
  }
  return { ...base, fmaxMhz: fmaxFromReport(report), note: null, placed: placedFile ? n.files[placedFile]! : null };
}

/**
 * Place and route the core inside the pin wrapper on a target's part, for its Fmax: Yosys
 * synthesizes core and wrapper (the core kept a module of its own), nextpnr places and routes
 * the whole. The target's family must have a placer here (see `timedTargets`).
 */
export async function placeAndRouteCore(verilog: string, top: string, target: Target, ports: Ports, clockMhz: number, seed: number, opts: ToolRunOptions = {}): Promise<PnrResult> {
  const start = performance.now();
  const family = familyOf(target);
  const placer = placerOf(family);
  if (placer === null || target.device === null || target.package === null) throw new Error(`internal: ${target.name} has no place and route here`);
  const { json, wrapperCells } = await synthesizeWrapper(verilog, top, family, ports, opts);
  const remaining = Math.max(10, (opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) - (performance.now() - start) / 1000);
  const part = { device: target.device, package: target.package, speed: target.speed };
  const p = await placeAndRoute(family, placer, json, part, { ...opts, timeoutSeconds: remaining, clockMhz, seed });
  return { ...p, flow: `${family.synthesizer} (core in the pin wrapper); ${p.flow}`, wrapperCells, seconds: (performance.now() - start) / 1000 };
}

/** Pack a placed design into the family's bitstream; null with a reason when the packer is missing or fails. */
export async function pack(family: Family, placed: string, opts: ToolRunOptions = {}): Promise<{ bytes: Uint8Array; tool: Tool; seconds: number } | { bytes: null; why: string; seconds: number }> {
  const pnr = family.pnr!;
  const packer = findTool(pnr.packer);
  if (packer === null) return { bytes: null, why: `${pnr.packer} is not installed (${pnr.install})`, seconds: 0 };
  const out = `top.${pnr.bitstreamExt}`;
  const placedFile = `top.${pnr.placedExt}`;
  const r = await packer.run(pnr.packArgs(placedFile, out), { [placedFile]: placed }, [out], { ...opts, binary: [out] });
  const b = r.bytes[out];
  if (!r.ok || b === undefined) return { bytes: null, why: `${packer.name} failed`, seconds: r.seconds };
  return { bytes: b, tool: packer, seconds: r.seconds };
}
