import { resolve } from 'node:path';
import type { Command } from '../main.js';
import { formatBytes, parseCommandArgs, usageError } from '../engine-io.js';
import type { CommandEnv } from '../engine-io.js';
import { STORE_HELP, storeFor } from '../store-resolve.js';

const USAGE = `Usage: pipe gc [--store DIR | --pipeline FILE] [--dry-run] [--verbose]

Deletes what no longer serves the last recorded result of any node: superseded cache entries, objects only they
reference, their trees, logs and resume directories, and temp files of dead processes. Shows what and how much.
Refuses while a run is in progress on the store.
${STORE_HELP}`;

/** `pipe gc`: exit 0, or 2 for bad arguments / a missing store / a run in progress. */
export async function gcCommand(args: readonly string[], env: CommandEnv = {}): Promise<number> {
  const out = env.out ?? ((t: string) => process.stdout.write(t));
  const err = env.err ?? ((t: string) => process.stderr.write(t));
  const parsed = parseCommandArgs(
    'gc',
    args,
    {
      store: { type: 'string' },
      pipeline: { type: 'string' },
      'dry-run': { type: 'boolean', short: 'n' },
      verbose: { type: 'boolean', short: 'v' },
    },
    USAGE,
    { min: 0, max: 0, what: 'no positional arguments' },
    env,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const { existsSync } = await import('node:fs');
  if (values.store !== undefined && values.pipeline !== undefined) return usageError('gc', '--store and --pipeline are exclusive', USAGE, err);
  const root = await storeFor('gc', { store: values.store, pipeline: values.pipeline, cwd: env.cwd }, err);
  if (root === undefined) return 2;
  if (!existsSync(resolve(root, 'objects'))) {
    err(`pipe gc: no pipe store at ${root}\n`);
    return 2;
  }
  const { Store } = await import('../../engine/store.js');
  const { collectGarbage } = await import('../../engine/gc.js');
  let result;
  try {
    result = await collectGarbage(new Store(root), { dryRun: values['dry-run'] === true });
  } catch (e) {
    err(`pipe gc: ${(e as Error).message}\n`);
    return 2;
  }
  const verb = values['dry-run'] ? 'would delete' : 'deleted';
  const lines: string[] = [];
  const groups = ['entry', 'object', 'tree', 'log', 'resume', 'tmp', 'lock'] as const;
  const names = { entry: 'cache entries', object: 'objects', tree: 'trees', log: 'logs', resume: 'resume dirs', tmp: 'temp files', lock: 'stale locks' };
  for (const g of groups) {
    const items = result.items.filter((i) => i.what === g);
    if (items.length === 0) continue;
    lines.push(`${verb} ${items.length} ${names[g]} (${formatBytes(items.reduce((s, i) => s + i.bytes, 0))})`);
    if (values.verbose) for (const i of items) lines.push(`  ${i.name}  ${formatBytes(i.bytes)}`);
  }
  lines.push(`${result.items.length === 0 ? 'nothing to delete; ' : `${verb} ${formatBytes(result.bytes)} in total; `}kept ${result.keptEntries} cache entries, ${result.keptObjects} objects`);
  out(`${lines.join('\n')}\n`);
  return 0;
}

export const command: Command = (args) => gcCommand(args);
