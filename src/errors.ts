/**
 * The error vocabulary. Every error da-gen raises on purpose is a `DaGenError`, and its class
 * decides the exit code of the `da-gen` command:
 *
 *   InputError (2)  the user's input, options or environment are wrong, and the message says
 *                   what to change: SpecError (a file, with its JSON path), UsageError (an
 *                   option or a combination of options), LimitError (valid input beyond what
 *                   this version handles).
 *   ToolError (3)   an external tool (Yosys, nextpnr, Icarus, …) is missing or failed; the
 *                   message names the tool and what to do.
 *
 * Anything else that escapes is a bug in da-gen (exit code 3, "internal error"). The command
 * prints `message` on one line; stack traces and tool logs only with --debug.
 * This module is a leaf: it imports nothing, and every layer may import it.
 */

export const EXIT_OK = 0;
/** A check ran and found a mismatch (sim, check, build's self-test). */
export const EXIT_CHECK_FAILED = 1;
export const EXIT_INPUT = 2;
export const EXIT_TOOL = 3;
export const EXIT_INTERNAL = 3;

export abstract class DaGenError extends Error {
  abstract readonly exitCode: number;
}

/** The user's input or options are wrong (exit 2). */
export class InputError extends DaGenError {
  readonly exitCode = EXIT_INPUT;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * An error in an input file. It names the file, the JSON path inside it (`weights[3][7]`, empty
 * for the whole document) and says what was expected.
 */
export class SpecError extends InputError {
  readonly file: string;
  readonly jsonPath: string;
  readonly detail: string;

  constructor(file: string, jsonPath: string, detail: string) {
    const where = jsonPath === '' ? file : `${file}: ${jsonPath}`;
    super(`${where}: ${detail}`);
    this.name = 'SpecError';
    this.file = file;
    this.jsonPath = jsonPath;
    this.detail = detail;
  }
}

/** A bad option value or combination of options (latency out of range, an unknown target, …). */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A valid input that is beyond what this version can handle (too many digits, …). */
export class LimitError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

/**
 * An external tool is missing, failed, or wrote what da-gen cannot read (exit 3). `tool` names
 * it; `log` keeps the tool's own output for --debug.
 */
export class ToolError extends DaGenError {
  readonly exitCode = EXIT_TOOL;
  readonly tool: string;
  readonly log: string;
  constructor(tool: string, message: string, log = '') {
    super(message);
    this.name = 'ToolError';
    this.tool = tool;
    this.log = log;
  }
}
