import type { Command } from '../main.js';

/** `pipe sokoban` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe sokoban: not implemented yet\n');
  return 2;
};
