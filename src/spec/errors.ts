/**
 * An error in the user's input file. It names the file, the JSON path inside it
 * (`weights[3][7]`, empty for the whole document) and says what was expected.
 * The CLI prints `message` on one line and exits with code 2.
 */
export class SpecError extends Error {
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

/** A bad option value (latency out of range, …); also exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
