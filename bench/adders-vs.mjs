// node bench/adders-vs.mjs [base-commit] [name filter …]
//
// Adders of this checkout against a base commit (default 455df09, before the long-row search
// of issue #11), on every ../shared/bench/*.json file at depth slack −1, 0 and 2: each case is
// compiled through each tree's library (dist/index.js, default options otherwise) in a child
// process of its own. The base is built in a temporary git worktree that shares this
// checkout's node_modules, and removed afterwards. Prints the difference per case in percent;
// exit code 1 when some case needs more than 2% more adders than the base.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, '..', 'shared', 'bench');
const DEPTH_SLACKS = [-1, 0, 2];
const TOLERANCE_PERCENT = 2;

/** In the child: the adders of one file at one depth slack with the library at `index`. */
async function child(index, file, dc) {
  const lib = await import(index);
  const r = lib.compile(lib.parseSpec(readFileSync(file, 'utf8'), file), { depthSlack: dc });
  process.stdout.write(`${r.stats.adders}\n`);
}

function adders(tree, file, dc) {
  const index = join(tree, 'dist', 'index.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [fileURLToPath(import.meta.url), '--child', index, file, String(dc)], { maxBuffer: 1 << 20 }, (err, out, stderr) => {
      if (err) reject(new Error(`${index} ${basename(file)} dc ${dc}: ${stderr || err.message}`));
      else resolve(Number(out.trim()));
    });
  });
}

async function parent(base, filters) {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.json'))
    .filter((f) => filters.length === 0 || filters.some((o) => f.includes(o)))
    .sort();
  const work = mkdtempSync(join(tmpdir(), 'da-gen-adders-vs-'));
  const baseTree = join(work, 'base');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    process.stderr.write(`building ${base} in a temporary worktree …\n`);
    execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', baseTree, base], { stdio: 'ignore' });
    symlinkSync(join(root, 'node_modules'), join(baseTree, 'node_modules'));
    execFileSync(process.execPath, [tsc, '-p', join(baseTree, 'tsconfig.json')], { stdio: 'inherit' });
    process.stderr.write('building this checkout …\n');
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });

    const cases = files.flatMap((f) => DEPTH_SLACKS.map((dc) => ({ file: join(benchDir, f), dc })));
    const rows = [];
    // two cases at a time, each case's two trees one after the other
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const b = await adders(baseTree, c.file, c.dc);
        const t = await adders(root, c.file, c.dc);
        const percent = b === 0 ? (t === 0 ? 0 : Infinity) : (100 * (t - b)) / b;
        rows.push({ name: basename(c.file, '.json'), dc: c.dc, base: b, this: t, percent });
        process.stderr.write(`${basename(c.file)} dc ${c.dc}: ${b} → ${t} adders (${percent >= 0 ? '+' : ''}${percent.toFixed(2)}%)\n`);
      }
    };
    await Promise.all([worker(), worker()]);
    rows.sort((p, q) => (p.name < q.name ? -1 : p.name > q.name ? 1 : p.dc - q.dc));

    const lines = [`| case | dc | ${base} adders | this checkout | difference |`, '|---|---:|---:|---:|---:|'];
    for (const r of rows) lines.push(`| ${r.name} | ${r.dc} | ${r.base} | ${r.this} | ${r.percent >= 0 ? '+' : ''}${r.percent.toFixed(2)}% |`);
    const worse = rows.filter((r) => r.percent > TOLERANCE_PERCENT);
    const same = rows.filter((r) => r.base === r.this).length;
    lines.push('');
    lines.push(`${rows.length} cases: ${same} with the same adders, ${worse.length} more than ${TOLERANCE_PERCENT}% above ${base}.`);
    console.log(lines.join('\n'));
    process.exitCode = worse.length === 0 ? 0 : 1;
  } finally {
    execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', baseTree], { stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]));
else await parent(process.argv[2] ?? '455df09', process.argv.slice(3));
