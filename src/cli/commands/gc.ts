import type { Command } from '../main.js';

/** `pipe gc` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe gc: not implemented yet\n');
  return 2;
};
