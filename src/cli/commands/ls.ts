import type { Command } from '../main.js';

/** `pipe ls` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe ls: not implemented yet\n');
  return 2;
};
