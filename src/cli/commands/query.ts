import { type CommandContext, defineCommand } from '../command-spec.js';
import { resolveEnv } from '../engine-io.js';
import { commandFunction } from '../program.js';
import { STORE_HELP, storeFor } from '../store-resolve.js';

interface QueryOptions {
  readonly store?: string;
  readonly pipeline?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
}

/** `pipe query`: exit 0 with the result, 2 for bad SQL or a missing store. */
export const spec = defineCommand<QueryOptions>({
  name: 'query',
  group: 'Store',
  rank: 1,
  summary: 'SQL (DuckDB) over runs, node_runs, artifacts, cache_keys, metrics, episodes…',
  args: ['<sql>'],
  description: `SQL (DuckDB, in-process) over the store's records. Views: runs, node_runs, cache_keys, artifacts, metrics,
latest_nodes, one view per table recorded by nodes (e.g. episodes), and the node library's views.
Works while a run is in progress. The status of a run (or node row) whose process died is 'interrupted'.`,
  options: [
    { flags: '--store <dir>', description: 'the store to query', complete: 'dir' },
    { flags: '--pipeline <file>', description: "that pipeline's store", complete: 'yaml' },
    { flags: '--json', description: 'rows as JSON' },
    { flags: '--csv', description: 'rows as CSV' },
  ],
  footer: STORE_HELP,
  action: (args, values, ctx) => query(args[0] as string, values, ctx),
});

/** `pipe query` with injectable I/O and library (tests). */
export const queryCommand = commandFunction(spec);

async function query(sql: string, values: QueryOptions, envIn: CommandContext): Promise<number> {
  const err = envIn.err ?? ((t: string) => process.stderr.write(t));
  if (values.json && values.csv) return envIn.usageError('--json and --csv are exclusive');
  if (values.store !== undefined && values.pipeline !== undefined) return envIn.usageError('--store and --pipeline are exclusive');
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
    const result = await session.run(sql);
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
