import type { Command } from '../main.js';

/** `pipe doctor` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe doctor: not implemented yet\n');
  return 2;
};
