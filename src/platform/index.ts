import { UsageError } from '../errors.js';
import type { LoweredNetlist } from '../rtl/lower.js';
import { logicProfile } from '../rtl/profile.js';
import { findTool } from '../toolchain/tool.js';
import { ecp5 } from './ecp5.js';
import type { Family, Target } from './family.js';
import { generic } from './generic.js';
import { ice40 } from './ice40.js';

/**
 * The FPGA families da-gen knows, and their synthesis targets. Adding a family is one module
 * implementing `Family` (see family.ts) and one entry here.
 */
export const FAMILIES: readonly Family[] = [generic, ice40, ecp5];

/** Every synthesis target, by name, in the families' order. */
export function targetNames(): string[] {
  return FAMILIES.flatMap((f) => f.targets.map((t) => t.name));
}

/** The family of that name, or undefined. */
export function familyNamed(name: string): Family | undefined {
  return FAMILIES.find((f) => f.name === name);
}

/** The family a target belongs to. */
export function familyOf(t: Target): Family {
  const f = familyNamed(t.family);
  if (f === undefined) throw new Error(`internal: target ${t.name} names the unknown family ${t.family}`);
  return f;
}

/** The targets of these names; an unknown name is a UsageError listing the known ones. */
export function checkTargets(names: readonly string[]): Target[] {
  const all = FAMILIES.flatMap((f) => f.targets);
  return names.map((n) => {
    const t = all.find((x) => x.name === n);
    if (t === undefined) throw new UsageError(`unknown target "${n}"; expected one of ${targetNames().join(', ')}`);
    return t;
  });
}

/** The targets whose part can be placed and routed on this machine (their timing is measurable). */
export function timedTargets(targets: readonly Target[]): Target[] {
  return targets.filter((t) => {
    const pnr = familyOf(t).pnr;
    return pnr !== null && findTool(pnr.placer) !== null;
  });
}

/**
 * Estimated cells of a lowered netlist for every family, without synthesis: its logic profile
 * (rtl/profile.ts) mapped by each family's `estimate`, keyed by the family's name.
 */
export function estimateCells(n: LoweredNetlist): Record<string, Record<string, number>> {
  const p = logicProfile(n);
  return Object.fromEntries(FAMILIES.map((f) => [f.name, f.estimate(p)]));
}
