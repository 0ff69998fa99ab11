import type * as ToolModule from '../../src/toolchain/tool.js';
import type { Tool, ToolName, ToolRun } from '../../src/toolchain/tool.js';

/**
 * src/toolchain/tool.js with each distinct Yosys run made once per test file: a run with the
 * same arguments, input files and outputs as an earlier successful one gets that run's result
 * (the same netlist and statistics: Yosys is deterministic) instead of seconds of WebAssembly
 * again. Every other tool runs each time (a stand-in's log and environment matter), and a failed
 * or stopped Yosys run is not kept. For a test file whose tests synthesize the same design
 * through the flows more than once:
 *
 *   vi.mock('../../src/toolchain/tool.js', async (original) => (await import('../helpers/yosys-once.js')).withYosysOnce(await original()));
 *
 * (imported inside the factory: vi.mock is hoisted above the file's imports)
 */
export function withYosysOnce(m: typeof ToolModule): typeof ToolModule {
  const runs = new Map<string, Promise<ToolRun>>();
  const once = (t: Tool | null): Tool | null => {
    if (t === null || t.name !== 'yosys') return t;
    return {
      name: t.name,
      kind: t.kind,
      origin: t.origin,
      version: () => t.version(),
      run(args, files, outputs, opts = {}) {
        const key = JSON.stringify([t.kind, t.origin, args, files, outputs, opts.binary ?? []]);
        let p = runs.get(key);
        if (p === undefined) {
          p = t.run(args, files, outputs, opts);
          runs.set(key, p);
          p.then(
            (r) => {
              if (!r.ok) runs.delete(key);
            },
            () => runs.delete(key),
          );
        }
        return p;
      },
    };
  };
  return {
    ...m,
    findTool: (name: ToolName) => once(m.findTool(name)),
    requireTool: (name: ToolName, purpose: string) => once(m.requireTool(name, purpose))!,
  };
}
