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
