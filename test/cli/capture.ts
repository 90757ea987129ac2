/** Runs an engine command in-process with the test library, capturing stdout and stderr. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandEnv } from '../../src/cli/engine-io.js';
import { library } from '../engine/fixtures/kinds.js';

// Keep the load memo of test pipelines out of the user's ~/.cache.
process.env.PIPE_CACHE_DIR ??= mkdtempSync(join(tmpdir(), 'pipe-memo-'));

export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function capture(
  command: (args: readonly string[], env: CommandEnv) => Promise<number>,
  args: readonly string[],
  extra: Partial<CommandEnv> = {},
): Promise<Captured> {
  let out = '';
  let err = '';
  const code = await command(args, { library, out: (t) => (out += t), err: (t) => (err += t), ...extra });
  return { code, out, err };
}
