// node bench/conv-cells.mjs (after `npm run build`): the cells of one convolution built per
// position with kernel modules (the default) and flat (the library's kernelModules: false), so
// that the modules are seen to cost what the flat form costs. The design is bench:layers'
// 8×8 image, 3×3 kernel of 1 → 4 channels, "same" padding, latency 2; synthesis only
// (WebAssembly Yosys) for the iCE40 UP5K and the ECP5-25K. Takes a few minutes.
import { compileDesign, parseSpec, reportDesign } from '../dist/index.js';

const kernel = Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => [Array.from({ length: 4 }, (_, o) => ((i * 23 + j * 11 + o * 7 + 5) % 63) - 31)]));
const text = JSON.stringify({ format: 1, name: 'conv8', input: { width: 8, signed: false, shape: [8, 8, 1] }, layers: [{ kind: 'conv2d', kernel, padding: 'same' }] });
const spec = parseSpec(text, 'conv8.json');
const rows = ['| form | adders | modules | iCE40 SB_LUT4 / SB_CARRY / SB_DFF | ECP5 LUT4 / CCU2C / TRELLIS_FF |', '|---|---:|---:|---|---|'];
for (const kernelModules of [true, false]) {
  process.stderr.write(`conv-cells: ${kernelModules ? 'kernel modules' : 'flat'} … `);
  const d = await compileDesign(spec, { latency: 2, conv: 'per-position', kernelModules });
  const rep = await reportDesign(spec, d, { targets: ['ice40-up5k', 'ecp5-25k'], noPnr: true });
  const cells = (name, keys) => {
    const t = rep.targets.find((x) => x.target === name);
    return keys.map((k) => t?.cells?.[k] ?? '?').join(' / ');
  };
  const n = d.result.netlist;
  rows.push(`| ${kernelModules ? 'kernel modules' : 'flat'} | ${n.adders} | ${n.blocks.length} | ${cells('ice40-up5k', ['SB_LUT4', 'SB_CARRY', 'SB_DFF'])} | ${cells('ecp5-25k', ['LUT4', 'CCU2C', 'TRELLIS_FF'])} |`);
  process.stderr.write('done\n');
}
console.log(rows.join('\n'));
