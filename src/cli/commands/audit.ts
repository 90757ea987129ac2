import type { Command } from '../main.js';

/** `pipe audit` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe audit: not implemented yet\n');
  return 2;
};
