import type { ToolRunOptions } from '../toolchain/tool.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../toolchain/tool.js';

/**
 * How a flow reports the steps it runs (the CLI draws a live line on a terminal; a library user
 * may pass anything, or nothing).
 */
export interface Progress {
  /** A step starts. */
  start(label: string): void;
  /** About once a second while it runs, with the seconds elapsed (and, when known, the fraction done, 0 to 1). */
  tick(seconds: number, fraction?: number): void;
  /** It ended: how long it took and what it found. */
  done(seconds: number, summary: string): void;
}

/** The options of a tool run in a flow: its time limit, and ticks to the progress when there is one. */
export function toolRun(timeoutSeconds: number | undefined, progress: Progress | undefined): ToolRunOptions {
  return { timeoutSeconds: timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, ...(progress ? { onTick: (s: number) => progress.tick(s) } : {}) };
}

/** One step of a flow as it runs: `tick` may be called as often as wanted, it reaches the progress about once a second. */
export interface Step {
  /** Now and then during the step (cheap: it only reads the clock). */
  tick(fraction?: number): void;
  /** The step ended with `summary`. */
  done(summary: string): void;
  /** Seconds since the step started. */
  seconds(): number;
}

/** Start a step labelled `label` (nothing is reported without a progress). */
export function startStep(progress: Progress | undefined, label: string): Step {
  const t0 = performance.now();
  let last = t0;
  progress?.start(label);
  const seconds = (): number => (performance.now() - t0) / 1000;
  return {
    tick(fraction?: number): void {
      if (!progress) return;
      const now = performance.now();
      if (now - last < 1000) return;
      last = now;
      progress.tick((now - t0) / 1000, fraction);
    },
    done: (summary: string): void => progress?.done(seconds(), summary),
    seconds,
  };
}

/**
 * `progress` for the steps that last: a step is shown once it has run `seconds` (at its first
 * tick from then on, or at its end when it does not tick), so that a quick run prints nothing
 * but its result.
 */
export function lastingSteps(progress: Progress, seconds: number): Progress {
  let label = '';
  let shown = false;
  return {
    start(l: string): void {
      label = l;
      shown = false;
    },
    tick(s: number, fraction?: number): void {
      if (!shown && s >= seconds) {
        shown = true;
        progress.start(label);
      }
      if (shown) progress.tick(s, fraction);
    },
    done(s: number, summary: string): void {
      if (!shown && s >= seconds) {
        shown = true;
        progress.start(label);
      }
      if (shown) progress.done(s, summary);
    },
  };
}
