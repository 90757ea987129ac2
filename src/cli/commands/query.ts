import type { Command } from '../main.js';

/** `pipe query` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe query: not implemented yet\n');
  return 2;
};
