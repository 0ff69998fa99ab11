import { Command, CommanderError } from 'commander';
import { DaGenError, EXIT_INPUT, EXIT_INTERNAL, ToolError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerBoards } from './commands/boards.js';
import { registerBuild } from './commands/build.js';
import { registerCheck } from './commands/check.js';
import { registerGenerate } from './commands/generate.js';
import { registerImport } from './commands/import.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSim } from './commands/sim.js';

/**
 * The `da-gen` command: parses arguments, prints progress, maps errors to exit codes. Each
 * subcommand is a file in `commands/`; everything they do is a function of the library.
 *
 * Exit codes (src/errors.ts): 0 success, 1 a check failed (simulation mismatch), 2 bad input or
 * usage, 3 a tool failed, or an internal error. Errors are one line on stderr; `--debug` adds
 * the stack trace and the failing tool's log.
 */

export function program(setCode: (code: number) => void): Command {
  const p = new Command();
  p.name('da-gen')
    .description('Constant weight matrices and quantized networks to multiplier-free, pipelined Verilog (distributed arithmetic).')
    .version(VERSION, '-V, --version')
    .option('--debug', 'on an error, also print the stack trace and the failing tool\'s log')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`da-gen: ${str.trim().replace(/\s*\n\s*/g, ' ')} (see da-gen --help)\n`) });
  registerGenerate(p, setCode);
  registerSim(p, setCode);
  registerRun(p, setCode);
  registerCheck(p, setCode);
  registerImport(p, setCode);
  registerBuild(p, setCode);
  registerBoards(p);
  registerReport(p, setCode);
  return p;
}

/** One line for an error, and the exit code its type carries. */
export function reportError(e: unknown, debug: boolean): number {
  if (e instanceof DaGenError) {
    const hint = !debug && e instanceof ToolError && e.log.trim() !== '' ? ` (--debug shows the ${e.tool} log)` : '';
    process.stderr.write(`da-gen: error: ${e.message}${hint}\n`);
    if (debug) {
      process.stderr.write(`${e.stack ?? ''}\n`);
      if (e instanceof ToolError && e.log.trim() !== '') process.stderr.write(`--- ${e.tool} log ---\n${e.log.trimEnd()}\n`);
    }
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`da-gen: internal error: ${message}${debug ? '' : ' (a bug in da-gen; run again with --debug for the stack trace)'}\n`);
  if (debug) process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  return EXIT_INTERNAL;
}

/** Run the command with these arguments (without `node` and the script); resolves to the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let code = 0;
  try {
    await program((c) => (code = c)).parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_INPUT;
    }
    return reportError(e, debug);
  }
  return code;
}
