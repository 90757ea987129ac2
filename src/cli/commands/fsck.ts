import { type CommandContext, defineCommand } from '../command-spec.js';
import { commandFunction } from '../program.js';
import { STORE_HELP, storeFor } from '../store-resolve.js';

interface FsckOptions {
  readonly store?: string;
  readonly pipeline?: string;
  readonly repair?: boolean;
  readonly json?: boolean;
}

/** `pipe fsck`: exit 0 when the store is sound, 1 when it found problems, 2 for bad arguments or no store. */
export const spec = defineCommand<FsckOptions>({
  name: 'fsck',
  group: 'Store',
  rank: 6,
  summary: 'check a whole store: objects, entries, manifests, trees, records',
  description: `Checks every file of a store as untrusted input: objects hash to their names, cache entries and last-key records
are well formed and name objects that exist, directory manifests stay inside their tree, materialized trees match
their manifests, every record line parses (a bad one is named by file and line). --repair quarantines corrupt objects
(invalidating the entries that used them), deletes bad trees and moves damaged entries to quarantine/, so the next
run recomputes them, and rewrites record files without their bad lines (only while no run is in progress).`,
  options: [
    { flags: '--store <dir>', description: 'the store to check', complete: 'dir' },
    { flags: '--pipeline <file>', description: "that pipeline's store", complete: 'yaml' },
    { flags: '--repair', description: 'quarantine or delete what is damaged, drop bad record lines' },
    { flags: '--json', description: 'the result as JSON' },
  ],
  footer: STORE_HELP,
  action: (_args, values, ctx) => fsck(values, ctx),
});

/** `pipe fsck` with injectable I/O (tests). */
export const fsckCommand = commandFunction(spec);

async function fsck(values: FsckOptions, env: CommandContext): Promise<number> {
  const out = env.out ?? ((t: string) => process.stdout.write(t));
  const err = env.err ?? ((t: string) => process.stderr.write(t));
  if (values.store !== undefined && values.pipeline !== undefined) return env.usageError('--store and --pipeline are exclusive');
  const root = await storeFor('fsck', { store: values.store, pipeline: values.pipeline, cwd: env.cwd }, err);
  if (root === undefined) return 2;
  const { isStore } = await import('../store-resolve.js');
  if (!isStore(root)) {
    err(`pipe fsck: no pipe store at ${root}\n`);
    return 2;
  }
  const { openStore } = await import('../../engine/store.js');
  const { checkStore } = await import('../../engine/fsck.js');
  const result = await checkStore(openStore(root), { repair: values.repair === true });
  if (values.json) out(`${JSON.stringify(result)}\n`);
  else {
    // File names come from the store (untrusted): control characters are shown, never sent to the terminal.
    const { printable } = await import('../../engine/diagnostics.js');
    for (const p of result.problems) out(`${printable(`${p.file}: ${p.problem}${p.repaired !== undefined ? ` — ${p.repaired}` : ''}`)}\n`);
    out(
      `${result.problems.length === 0 ? 'store is sound' : `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`}: ` +
        `${result.objects} objects verified, ${result.entries} cache entries, ${result.records} record lines checked\n`,
    );
  }
  return result.problems.length === 0 ? 0 : 1;
}
