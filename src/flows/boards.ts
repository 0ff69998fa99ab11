import { boardNames, readBoard } from '../boards/index.js';
import { selfTestPorts } from '../boards/board.js';
import type { Board, BoardFamilies } from '../boards/board.js';
import { FAMILIES, familyNamed } from '../platform/index.js';
import type { BoardSupport, Family } from '../platform/family.js';

/**
 * Boards with their families: the board files (src/boards) read against the rules of the
 * families (src/platform), the constraint file each family writes, and the table of boards.
 */

/** The board rules of every family that has boards. */
export function boardFamilies(): BoardFamilies {
  const out: Record<string, BoardSupport['rules']> = {};
  for (const f of FAMILIES) if (f.boards !== null) out[f.name] = f.boards.rules;
  return out;
}

/** Read and validate `boards/<name>.json`. Unknown name: UsageError; bad file: SpecError. */
export function loadBoard(name: string): Board {
  return readBoard(name, boardFamilies());
}

/** Every board, sorted by name. */
export function loadBoards(): Board[] {
  return boardNames().map(loadBoard);
}

/** A board's family, with its board support. */
export function boardFamily(b: Board): Family & { boards: BoardSupport } {
  const f = familyNamed(b.family);
  if (f === undefined || f.boards === null) throw new Error(`internal: board ${b.name} names the family ${b.family}, which has no boards`);
  return f as Family & { boards: BoardSupport };
}

/** The constraint file for the self-test top's ports on this board (`<name>.pcf`, `<name>.lpf`, …). */
export function constraintsFor(b: Board): { fileName: string; text: string } {
  return boardFamily(b).boards.constraints(b.name, selfTestPorts(b), b.clock.mhz);
}

/** A number as a table writes it: `12`, `12.5`. */
function formatMhz(mhz: number): string {
  return Number.isInteger(mhz) ? String(mhz) : String(Number(mhz.toFixed(6)));
}

/** A plain-text table of the boards, for `da-gen boards`. */
export function boardsTable(): string {
  const header = ['board', 'part', 'clock', 'LEDs', 'button', 'place and route here'];
  const rows = loadBoards().map((b) => {
    const leds = (['pass', 'fail', 'beat'] as const).filter((k) => b.leds[k] !== null).join(', ');
    const button = b.button === null ? 'none' : b.button.activeLow ? 'active low' : 'active high';
    return [b.name, b.part, `${formatMhz(b.clock.mhz)} MHz`, leds, button, boardFamily(b).pnr?.here() ?? 'no'];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const fmt = (r: string[]): string => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  const lines = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
  return lines.join('\n') + '\n';
}
