import type { Progress } from '../flows/progress.js';

/** Progress on stderr: a live line with the elapsed time on a terminal, plain lines otherwise, nothing when quiet. */
export function progressPrinter(quiet: boolean): Progress {
  const tty = process.stderr.isTTY === true;
  const frames = ['|', '/', '-', '\\'];
  let label = '';
  let frame = 0;
  return {
    start(l: string): void {
      label = l;
      if (quiet) return;
      if (tty) process.stderr.write(`\r\x1b[K${frames[0]} ${label}`);
      else process.stderr.write(`${label} …\n`);
    },
    tick(seconds: number): void {
      if (quiet || !tty) return;
      frame = (frame + 1) % frames.length;
      process.stderr.write(`\r\x1b[K${frames[frame]} ${label} ${seconds.toFixed(0)} s`);
    },
    done(seconds: number, summary: string): void {
      if (quiet) return;
      if (tty) process.stderr.write(`\r\x1b[K✓ ${label}: ${summary} (${seconds.toFixed(1)} s)\n`);
      else process.stderr.write(`  ${summary} (${seconds.toFixed(1)} s)\n`);
    },
  };
}

/** Lines on stderr: `info` unless quiet, `detail` only when verbose. */
export function printers(o: { quiet?: boolean; verbose?: boolean }): { info: (line: string) => void; detail: (line: string) => void; error: (line: string) => void } {
  const write = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  return {
    info: (line) => (o.quiet ? undefined : write(line)),
    detail: (line) => (o.verbose && !o.quiet ? write(line) : undefined),
    error: write,
  };
}
