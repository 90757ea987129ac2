import type { Command } from '../main.js';

/** `pipe plan` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe plan: not implemented yet\n');
  return 2;
};
