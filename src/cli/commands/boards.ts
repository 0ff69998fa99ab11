import type { Command } from 'commander';
import { boardsTable } from '../../flows/boards.js';

export function registerBoards(program: Command): void {
  program
    .command('boards')
    .description('list the boards that da-gen build knows')
    .action(() => {
      process.stdout.write(`${boardsTable()}\n`);
    });
}
