import type { Command } from '../main.js';

/** `pipe show` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe show: not implemented yet\n');
  return 2;
};
