import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { ecp5 } from '../../src/platform/ecp5.js';
import { generic } from '../../src/platform/generic.js';
import { ice40 } from '../../src/platform/ice40.js';
import { FAMILIES, checkTargets, familyNamed, familyOf, targetNames, timedTargets } from '../../src/platform/index.js';
import { restoreEnvAfterEach } from '../helpers/env.js';

// The registry of FPGA families and their targets. No tool runs here (a stand-in nextpnr-ecp5
// on PATH shows that timedTargets looks the placer up).

restoreEnvAfterEach();

const dir = mkdtempSync(join(tmpdir(), 'da-gen-platform-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the families and their targets', () => {
  it('generic, ice40 and ecp5, each a module of its own', () => {
    expect(FAMILIES.map((f) => f.name)).toEqual(['generic', 'ice40', 'ecp5']);
    expect(FAMILIES).toEqual([generic, ice40, ecp5]);
    for (const f of FAMILIES) expect(familyNamed(f.name)).toBe(f);
    expect(familyNamed('xilinx')).toBeUndefined();
  });

  it('every target name is unique and is family-part or generic, and belongs to its family', () => {
    const names = targetNames();
    expect(names).toEqual(['generic', 'ice40-up5k', 'ice40-hx8k', 'ice40-hx1k', 'ecp5-25k', 'ecp5-85k']);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FAMILIES) {
      for (const t of f.targets) {
        expect(t.family).toBe(f.name);
        if (f.name === 'generic') expect(t.name).toBe('generic');
        else expect(t.name).toBe(`${f.name}-${t.device}`);
        expect(familyOf(t)).toBe(f);
        // a part nextpnr knows, for the families with place and route
        if (f.pnr !== null) {
          expect(t.device).not.toBeNull();
          expect(f.boards!.rules.devices[t.device!]).toContain(t.package);
        }
        expect(t.description).toMatch(/\S/);
      }
    }
    expect(checkTargets(['ecp5-25k'])[0]!.speed).toBe('6');
    expect(checkTargets(['ice40-up5k'])[0]!.speed).toBeNull();
  });

  it('checkTargets gives the targets in the order asked; an unknown name is a UsageError listing the known ones', () => {
    expect(checkTargets(['ecp5-85k', 'generic', 'ice40-hx1k']).map((t) => t.name)).toEqual(['ecp5-85k', 'generic', 'ice40-hx1k']);
    expect(checkTargets([])).toEqual([]);
    expect(() => checkTargets(['generic', 'ice40-up9k'])).toThrow(UsageError);
    expect(() => checkTargets(['ice40-up9k'])).toThrow('unknown target "ice40-up9k"; expected one of generic, ice40-up5k, ice40-hx8k, ice40-hx1k, ecp5-25k, ecp5-85k');
  });

  it('familyOf refuses a target of an unknown family (an internal error)', () => {
    expect(() => familyOf({ name: 'x-1', family: 'x', device: null, package: null, speed: null, description: '' })).toThrow(/internal: target x-1 names the unknown family x/);
  });
});

describe('synthesis commands and resources', () => {
  it('each family synthesizes the top it is given', () => {
    for (const f of FAMILIES) {
      expect(f.synthCommand('my_top'), f.name).toContain('-top my_top');
      expect(f.synthCommand('my_top', { keepHierarchy: true }), f.name).toContain('-top my_top');
      expect(f.synthCommand('my_top'), f.name).toContain(f.synthesizer.split(' ')[0]!);
    }
    expect(generic.synthCommand('m')).toBe('synth -top m -flatten; abc -lut 4; opt_clean');
    expect(generic.synthCommand('m', { keepHierarchy: true })).toBe('synth -top m; abc -lut 4; opt_clean');
    expect(ice40.synthCommand('m')).toBe('synth_ice40 -top m');
    expect(ice40.synthCommand('m', { keepHierarchy: true })).toBe('synth_ice40 -noflatten -top m');
    expect(ecp5.synthCommand('m')).toBe('synth_ecp5 -nodsp -top m');
    expect(ecp5.synthCommand('m', { keepHierarchy: true })).toBe('synth_ecp5 -nodsp -noflatten -top m');
  });

  it("resources() maps each family's cell names", () => {
    expect(
      generic.resources({ $lut: 40, $_DFF_P_: 10, $_SDFF_PP0_: 2, $dff: 1, $mem_v2: 1, $mul: 2, $macc: 1, $_AND_: 5 }),
    ).toEqual({ luts: 40, carries: null, ffs: 13, bram: 1, dsp: 3 });
    expect(
      ice40.resources({ SB_LUT4: 30, SB_CARRY: 12, SB_DFF: 8, SB_DFFE: 3, SB_DFFSR: 1, SB_RAM40_4K: 2, SB_MAC16: 1, SB_IO: 4, SB_GB: 1 }),
    ).toEqual({ luts: 30, carries: 12, ffs: 12, bram: 2, dsp: 1 });
    expect(
      ecp5.resources({ LUT4: 25, CCU2C: 6, TRELLIS_FF: 9, DP16KD: 1, PDPW16KD: 2, MULT18X18D: 1, ALU54B: 1, TRELLIS_IO: 3 }),
    ).toEqual({ luts: 25, carries: 6, ffs: 9, bram: 3, dsp: 2 });
    // none of the cells counted: zeros (and no carries for generic)
    expect(generic.resources({})).toEqual({ luts: 0, carries: null, ffs: 0, bram: 0, dsp: 0 });
    expect(ice40.resources({ LUT4: 5 })).toEqual({ luts: 0, carries: 0, ffs: 0, bram: 0, dsp: 0 });
  });
});

describe('timedTargets: the targets whose part can be placed and routed here', () => {
  const all = () => checkTargets(targetNames());

  it('keeps the iCE40 targets (WebAssembly nextpnr-ice40 is installed) and drops generic', () => {
    const timed = timedTargets(all()).map((t) => t.name);
    expect(timed).toEqual(expect.arrayContaining(['ice40-up5k', 'ice40-hx8k', 'ice40-hx1k']));
    expect(timed).not.toContain('generic');
  });

  it('keeps the ECP5 targets exactly when nextpnr-ecp5 is found', () => {
    delete process.env['NEXTPNR_ECP5'];
    process.env['PATH'] = mkdtempSync(join(dir, 'empty-'));
    expect(timedTargets(all()).map((t) => t.name)).toEqual(['ice40-up5k', 'ice40-hx8k', 'ice40-hx1k']);
    expect(ecp5.pnr!.here()).toBe('only with a native nextpnr-ecp5 on PATH');

    const bin = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(bin, 'nextpnr-ecp5'), '#!/bin/sh\necho "nextpnr-ecp5 -- stand-in"\n');
    chmodSync(join(bin, 'nextpnr-ecp5'), 0o755);
    process.env['PATH'] = bin;
    expect(timedTargets(all()).map((t) => t.name)).toEqual(['ice40-up5k', 'ice40-hx8k', 'ice40-hx1k', 'ecp5-25k', 'ecp5-85k']);
    expect(ecp5.pnr!.here()).toBe('yes (native nextpnr-ecp5)');
    expect(ice40.pnr!.here()).toBe('yes (WebAssembly nextpnr-ice40)');
  });
});
