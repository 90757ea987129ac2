import { resolve } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { formatBytes } from '../engine-io.js';
import { commandFunction } from '../program.js';
import { STORE_HELP, storeFor } from '../store-resolve.js';

interface GcOptions {
  readonly store?: string;
  readonly pipeline?: string;
  readonly dryRun?: boolean;
  readonly verbose?: boolean;
}

/** `pipe gc`: exit 0, or 2 for bad arguments / a missing store / a run in progress. */
export const spec = defineCommand<GcOptions>({
  name: 'gc',
  group: 'Store',
  rank: 4,
  summary: 'delete what no longer serves the last result of any node',
  description: `Deletes what no longer serves the last recorded result of any node: superseded cache entries, objects only they
reference, their trees, logs, resume directories and failure notes, and temp files of dead processes. Names each superseded
result it deletes (pipeline, node, age); results pinned with \`pipe keep\` are never deleted. Refuses while a run
is in progress on the store.`,
  options: [
    { flags: '--store <dir>', description: 'the store to collect', complete: 'dir' },
    { flags: '--pipeline <file>', description: "that pipeline's store", complete: 'yaml' },
    { flags: '-n, --dry-run', description: 'list what would be deleted, delete nothing' },
    { flags: '-v, --verbose', description: 'list every item' },
  ],
  footer: STORE_HELP,
  action: (_args, values, ctx) => gc(values, ctx),
});

/** `pipe gc` with injectable I/O (tests). */
export const gcCommand = commandFunction(spec);

/** `42 s`, `5 min`, `3 h`, `2 days`. */
function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

async function gc(values: GcOptions, env: CommandContext): Promise<number> {
  const out = env.out ?? ((t: string) => process.stdout.write(t));
  const err = env.err ?? ((t: string) => process.stderr.write(t));
  const { existsSync } = await import('node:fs');
  if (values.store !== undefined && values.pipeline !== undefined) return env.usageError('--store and --pipeline are exclusive');
  const root = await storeFor('gc', { store: values.store, pipeline: values.pipeline, cwd: env.cwd }, err);
  if (root === undefined) return 2;
  if (!existsSync(resolve(root, 'objects'))) {
    err(`pipe gc: no pipe store at ${root}\n`);
    return 2;
  }
  const { openStore } = await import('../../engine/store.js');
  const { collectGarbage } = await import('../../engine/gc.js');
  const { printable } = await import('../../engine/diagnostics.js');
  let result;
  try {
    result = await collectGarbage(openStore(root), { dryRun: values.dryRun === true });
  } catch (e) {
    // The disk gc is meant to free can be too full for gc's own lock file: say what else frees room.
    const { environmentError } = await import('../environment-error.js');
    const code = (e as NodeJS.ErrnoException).code;
    const line = code === 'ENOSPC' || code === 'EDQUOT'
      ? `no space left even for gc's lock file (${code}); free a little space on that disk (the store's tmp/ holds only scratch files of runs, none of which is running now if you are about to gc), then run pipe gc again`
      : environmentError(e);
    err(`pipe gc: ${line ?? (e as Error).message}\n`);
    return line !== undefined ? 1 : 2;
  }
  const verb = values.dryRun ? 'would delete' : 'deleted';
  const lines: string[] = [];
  const groups = ['entry', 'object', 'tree', 'log', 'resume', 'failure', 'tmp', 'lock'] as const;
  const names = { entry: 'cache entries', object: 'objects', tree: 'trees', log: 'logs', resume: 'resume dirs', failure: 'failure notes', tmp: 'temp files', lock: 'stale locks' };
  // Superseded results by name: whose, how old, and how to keep one.
  const entries = result.items.filter((i) => i.what === 'entry');
  if (entries.length > 0) {
    lines.push(`${verb} ${entries.length} superseded result${entries.length === 1 ? '' : 's'}:`);
    const label = (i: (typeof entries)[number]): string => (i.result ? `${i.result.pipeline} / ${i.result.node}` : '(unreadable entry)');
    const w = Math.max(...entries.map((i) => label(i).length));
    for (const i of entries) {
      const age = i.result ? `${formatAge(Date.now() - Date.parse(i.result.created))} old` : '';
      lines.push(`  ${label(i).padEnd(w)}  ${age.padStart(11)}  key ${i.name.slice(0, 12)}${values.dryRun ? `  (keep it: pipe keep --key ${i.name.slice(0, 12)})` : ''}`);
    }
  }
  for (const g of groups) {
    const items = result.items.filter((i) => i.what === g);
    if (items.length === 0 || g === 'entry') continue;
    lines.push(`${verb} ${items.length} ${names[g]} (${formatBytes(items.reduce((s, i) => s + i.bytes, 0))})`);
    if (values.verbose) for (const i of items) lines.push(`  ${printable(i.name)}  ${formatBytes(i.bytes)}`);
  }
  lines.push(`${result.items.length === 0 ? 'nothing to delete; ' : `${verb} ${formatBytes(result.bytes)} in total; `}kept ${result.keptEntries} cache entries, ${result.keptObjects} objects`);
  out(`${lines.join('\n')}\n`);
  return 0;
}
