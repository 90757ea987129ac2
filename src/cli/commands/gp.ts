import type { Command } from '../main.js';

/** `pipe gp` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe gp: not implemented yet\n');
  return 2;
};
