/**
 * The commands are the files of src/cli/commands/: `commands/run.ts` is `pipe run`, and it exports its `spec`.
 * Nothing else lists them, so adding a command is adding one file. `pipe run …` imports only run's file (a cached
 * run stays fast); help, completion and did-you-mean import them all.
 */
import { readdirSync } from 'node:fs';
import type { CommandSpec } from './command-spec.js';

const dir = new URL('./commands/', import.meta.url);
// Compiled (dist/*.js) or run from source by vitest (src/*.ts).
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The command names (file names in commands/, sorted). */
export function commandNames(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.d${ext}`) && !f.includes('.test.'))
    .map((f) => f.slice(0, -ext.length))
    .sort();
}

/** One command's spec, or undefined when no file declares it. */
export async function loadSpec(name: string): Promise<CommandSpec<never> | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !commandNames().includes(name)) return undefined;
  const mod = (await import(new URL(`${name}${ext}`, dir).href)) as { spec?: CommandSpec<never> };
  return mod.spec;
}

/** Every command's spec. */
export async function loadAllSpecs(): Promise<CommandSpec<never>[]> {
  const specs = await Promise.all(commandNames().map(loadSpec));
  return specs.filter((s): s is CommandSpec<never> => s !== undefined);
}
