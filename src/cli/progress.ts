import type { AttemptReport } from '../flows/compile.js';
import type { Progress } from '../flows/progress.js';

/** Seconds between the lines of a step's progress on a stream that is not a terminal. */
const NOT_TTY_TICK_SECONDS = 10;

/** Progress on stderr: a live line with the elapsed time on a terminal, plain lines otherwise, nothing when quiet. */
export function progressPrinter(quiet: boolean): Progress {
  const tty = process.stderr.isTTY === true;
  const frames = ['|', '/', '-', '\\'];
  let label = '';
  let frame = 0;
  let printed = 0;
  return {
    start(l: string): void {
      label = l;
      printed = 0;
      if (quiet) return;
      if (tty) process.stderr.write(`\r\x1b[K${frames[0]} ${label}`);
      else process.stderr.write(`${label} …\n`);
    },
    tick(seconds: number, fraction?: number): void {
      if (quiet) return;
      const pct = fraction === undefined ? '' : ` ${Math.floor(fraction * 100)}%`;
      if (tty) {
        frame = (frame + 1) % frames.length;
        process.stderr.write(`\r\x1b[K${frames[frame]} ${label}${pct} ${seconds.toFixed(0)} s`);
      } else if (pct !== '' && seconds - printed >= NOT_TTY_TICK_SECONDS) {
        // a log file gets a line now and then, not one a second
        printed = seconds;
        process.stderr.write(`  ${pct.trim()} (${seconds.toFixed(0)} s)\n`);
      }
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

/** Seconds of search after which attempts are reported on a stream that is not a terminal. */
const QUIET_SEARCH_SECONDS = 2;

/**
 * The optimizer's attempts as they end (for `--effort` searches that take minutes): on a
 * terminal a live line with the attempt, its adders and the best so far; otherwise, once the
 * search has run for a few seconds, one line per attempt. Nothing when quiet.
 */
export function attemptPrinter(quiet: boolean): ((a: AttemptReport) => void) | undefined {
  if (quiet) return undefined;
  const tty = process.stderr.isTTY === true;
  const t0 = performance.now();
  let best = Infinity;
  let layer = -1;
  return (a) => {
    if ((a.layer ?? 0) !== layer) {
      layer = a.layer ?? 0;
      best = Infinity;
    }
    if (!a.skipped && a.adders < best) best = a.adders;
    const seconds = (performance.now() - t0) / 1000;
    const where = a.layers !== undefined && a.layers > 1 ? `layer ${layer + 1}/${a.layers}, ` : '';
    const what = a.skipped ? 'skipped (same as an earlier one)' : `${a.adders} adders`;
    const line = `searching: ${where}attempt ${a.index}/${a.total} "${a.name}": ${what}, best ${best === Infinity ? 'none yet' : best} (${seconds.toFixed(0)} s)`;
    const last = a.index >= a.total && (a.layers === undefined || layer === a.layers - 1);
    if (tty) process.stderr.write(last ? '\r\x1b[K' : `\r\x1b[K${line}`);
    else if (seconds >= QUIET_SEARCH_SECONDS) process.stderr.write(`${line}\n`);
  };
}

/**
 * The compile option that shows the search's attempts (`attemptPrinter`): none when quiet, nor
 * with --verbose, whose log lists every attempt already.
 */
export function attemptOption(o: { quiet?: boolean; verbose?: boolean }): { onAttempt?: (a: AttemptReport) => void } {
  const onAttempt = o.verbose ? undefined : attemptPrinter(!!o.quiet);
  return onAttempt ? { onAttempt } : {};
}
