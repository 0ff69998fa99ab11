import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, UsageError } from '../errors.js';
import { describe } from '../spec/json.js';
import { parseBoard } from './board.js';
import type { Board, BoardFamilies } from './board.js';

/** The repository's `boards/` folder (this module sits in `src/boards/` or `dist/boards/`, two levels down). */
export const BOARDS_DIR: string = fileURLToPath(new URL('../../boards/', import.meta.url));

/** The boards in `dir` (default: the repository's `boards/`), by file name without `.json`, sorted. */
export function boardNames(dir = BOARDS_DIR): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The path of a board's file. */
export function boardFile(name: string, dir = BOARDS_DIR): string {
  return join(dir, `${name}.json`);
}

/** Read and validate `<dir>/<name>.json` against its family's rules. Unknown name: UsageError; bad file: SpecError. */
export function readBoard(name: string, families: BoardFamilies, dir = BOARDS_DIR): Board {
  const names = boardNames(dir);
  if (!names.includes(name)) {
    throw new UsageError(`unknown board "${name}"; known boards: ${names.length > 0 ? names.join(', ') : `none (no board files in ${dir})`}`);
  }
  const file = boardFile(name, dir);
  const b = parseBoard(readFileSync(file, 'utf8'), file, families);
  if (b.name !== name) throw new SpecError(file, 'name', `expected "${name}" (the file's name without .json), got ${describe(b.name)}`);
  return b;
}
