import type { Command } from '../main.js';
import { parseCommandArgs, resolveEnv, usageError } from '../engine-io.js';
import type { CommandEnv } from '../engine-io.js';
import { STORE_HELP, storeFor } from '../store-resolve.js';

const USAGE = `Usage: pipe query "<SQL>" [--store DIR | --pipeline FILE] [--json|--csv]

SQL (DuckDB, in-process) over the store's records. Views: runs, node_runs, cache_keys, artifacts, metrics,
latest_nodes, one view per table recorded by nodes (e.g. episodes), and the node library's views.
Works while a run is in progress. The status of a run (or node row) whose process died is 'interrupted'.
${STORE_HELP}`;

/** `pipe query`: exit 0 with the result, 2 for bad SQL or a missing store. */
export async function queryCommand(args: readonly string[], envIn: CommandEnv = {}): Promise<number> {
  const parsed = parseCommandArgs(
    'query',
    args,
    {
      store: { type: 'string' },
      pipeline: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
    },
    USAGE,
    { min: 1, max: 1, what: 'one SQL string' },
    envIn,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const out = envIn.out ?? ((t: string) => process.stdout.write(t));
  const err = envIn.err ?? ((t: string) => process.stderr.write(t));
  if (values.json && values.csv) return usageError('query', '--json and --csv are exclusive', USAGE, err);
  if (values.store !== undefined && values.pipeline !== undefined) return usageError('query', '--store and --pipeline are exclusive', USAGE, err);
  const storeDir = await storeFor('query', { store: values.store, pipeline: values.pipeline, cwd: envIn.cwd }, err);
  if (storeDir === undefined) return 2;
  // The node library (for its views) only once there is a store to query.
  const env = await resolveEnv(envIn);
  const { openQuery } = await import('../../engine/query.js');
  let session;
  try {
    session = await openQuery(storeDir, env.library.views ?? {}, (m) => env.err(`pipe query: warning: ${m}\n`));
  } catch (e) {
    env.err(`pipe query: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const result = await session.run(positionals[0] as string);
    const { formatCsv, formatJson, formatTable } = await import('../table-format.js');
    const format = values.json ? formatJson : values.csv ? formatCsv : formatTable;
    env.out(format(result.columns, result.rows));
    return 0;
  } catch (e) {
    env.err(`pipe query: ${(e as Error).message}\n  views: ${session.views.join(', ')}\n`);
    return 2;
  } finally {
    session.close();
  }
}

/** `pipe query` with the built-in library's views. */
export const command: Command = (args) => queryCommand(args);
