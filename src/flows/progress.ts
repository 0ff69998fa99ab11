import type { ToolRunOptions } from '../toolchain/tool.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../toolchain/tool.js';

/**
 * How a flow reports the steps it runs (the CLI draws a live line on a terminal; a library user
 * may pass anything, or nothing).
 */
export interface Progress {
  /** A step starts. */
  start(label: string): void;
  /** About once a second while it runs, with the seconds elapsed. */
  tick(seconds: number): void;
  /** It ended: how long it took and what it found. */
  done(seconds: number, summary: string): void;
}

/** The options of a tool run in a flow: its time limit, and ticks to the progress when there is one. */
export function toolRun(timeoutSeconds: number | undefined, progress: Progress | undefined): ToolRunOptions {
  return { timeoutSeconds: timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, ...(progress ? { onTick: (s: number) => progress.tick(s) } : {}) };
}
