import type { Command } from '../main.js';

/** `pipe report` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe report: not implemented yet\n');
  return 2;
};
