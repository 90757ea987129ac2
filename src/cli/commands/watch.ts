import type { Command } from '../main.js';

/** `pipe watch` — not built yet. */
export const command: Command = async () => {
  process.stderr.write('pipe watch: not implemented yet\n');
  return 2;
};
