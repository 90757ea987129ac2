import type { Command } from '../main.js';

/** `pipe run` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe run: not implemented yet\n');
  return 2;
};
