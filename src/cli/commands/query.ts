import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { resolveEnv } from '../engine-io.js';
import { commandFunction } from '../program.js';
import { STORE_HELP, storeFor } from '../store-resolve.js';

interface QueryOptions {
  readonly store?: string;
  readonly pipeline?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly allowWrite?: string;
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
Works while a run is in progress. The status of a run (or node row) whose process died is 'interrupted'.
The store is read-only to SQL, and no other file can be read, attached or installed; --allow-write FILE lets
COPY … TO write that one file (outside the store).`,
  options: [
    { flags: '--store <dir>', description: 'the store to query', complete: 'dir' },
    { flags: '--pipeline <file>', description: "that pipeline's store", complete: 'yaml' },
    { flags: '--json', description: 'rows as JSON' },
    { flags: '--csv', description: 'rows as CSV' },
    { flags: '--allow-write <file>', description: 'the one file COPY … TO may write (outside the store)', complete: 'file' },
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
  let allowWrite: string | undefined;
  if (values.allowWrite !== undefined) {
    const { isAbsolute, relative, resolve } = await import('node:path');
    allowWrite = resolve(envIn.cwd ?? process.cwd(), values.allowWrite);
    // Compared as the filesystem resolves them: a link outside the store that leads into it is inside it.
    const inside = relative(realPath(resolve(storeDir)), realPath(allowWrite));
    if (values.allowWrite === '' || inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
      return envIn.usageError(`--allow-write must name a file outside the store (${storeDir})`);
    }
  }
  // The node library (for its views) only once there is a store to query.
  const env = await resolveEnv(envIn);
  const { openQuery } = await import('../../engine/query.js');
  let session;
  try {
    session = await openQuery(storeDir, env.library.views ?? {}, (m) => env.err(`pipe query: warning: ${m}\n`), allowWrite !== undefined ? { allowWrite } : {});
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

/** `path` with every link in its existing part resolved (the part that does not exist yet appended as written). */
function realPath(path: string): string {
  const missing: string[] = [];
  let p = path;
  for (;;) {
    try {
      return join(realpathSync(p), ...missing.reverse());
    } catch {
      const up = dirname(p);
      if (up === p) return path;
      missing.push(basename(p));
      p = up;
    }
  }
}
