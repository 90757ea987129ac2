/**
 * SQL over a store with an in-process DuckDB (loaded lazily: only `pipe query` pays for it). The append-only JSONL
 * records are read into memory when the session opens (no lock taken, so it works while a run is appending; a
 * partially written line is skipped); then DuckDB's external access is switched off and its configuration locked, so
 * SQL can neither write into the store (COPY … TO over meta/runs.jsonl), nor read other files, ATTACH databases or
 * install extensions. `allowWrite` names the one file a COPY … TO may write. Runs (and their running nodes) whose
 * process died on this host read as 'interrupted'.
 * Matrix axes and `--set` paths are columns of `node_runs` and `instance_axes` (see comparison-columns.ts).
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { COMPARISON_KEYS_SQL, comparisonColumns } from './comparison-columns.js';
import type { LibraryView } from './node-kind.js';
import { INTERRUPTED, interruptedRuns } from './run-status.js';
import { isStoreFolder, listStoreFolder } from './store/safe-fs.js';

/** Columns of the base views (name → DuckDB type); the first column is never null in a complete row. */
export const BASE_VIEWS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  runs: {
    run_id: 'VARCHAR', pipeline: 'VARCHAR', file: 'VARCHAR', pid: 'BIGINT', host: 'VARCHAR', pid_start: 'VARCHAR', started: 'TIMESTAMPTZ',
    finished: 'TIMESTAMPTZ', status: 'VARCHAR',
  },
  node_runs: {
    run_id: 'VARCHAR', pipeline: 'VARCHAR', node_id: 'VARCHAR', kind: 'VARCHAR', cache_key: 'VARCHAR', status: 'VARCHAR',
    reason_type: 'VARCHAR', reason: 'VARCHAR', seconds: 'DOUBLE', started: 'TIMESTAMPTZ', finished: 'TIMESTAMPTZ', error: 'VARCHAR',
    axes: 'JSON', overrides: 'JSON',
    // Where a node executed: local, slurm or redis; host:pid or the SLURM job; seconds it waited in the queue.
    executor: 'VARCHAR', worker: 'VARCHAR', queue_wait_s: 'DOUBLE',
  },
  cache_keys: {
    cache_key: 'VARCHAR', pipeline: 'VARCHAR', node_id: 'VARCHAR', kind: 'VARCHAR', implementation: 'VARCHAR', params: 'JSON',
    inputs: 'JSON', seed: 'BIGINT', runtime: 'JSON', run_id: 'VARCHAR', created: 'TIMESTAMPTZ',
  },
  artifacts: {
    digest: 'VARCHAR', type: 'VARCHAR', size: 'BIGINT', cache_key: 'VARCHAR', node_id: 'VARCHAR', output: 'VARCHAR',
    pipeline: 'VARCHAR', run_id: 'VARCHAR', created: 'TIMESTAMPTZ',
  },
  metrics: {
    run_id: 'VARCHAR', pipeline: 'VARCHAR', node_id: 'VARCHAR', cache_key: 'VARCHAR', name: 'VARCHAR', value: 'DOUBLE',
    step: 'BIGINT', time: 'TIMESTAMPTZ',
  },
};

/** Convenience views over the base ones. */
const DERIVED_VIEWS: Readonly<Record<string, string>> = {
  // The latest successful result per (pipeline, node id), with the run that produced it (whose recorded rows —
  // metrics, episodes… — are the current ones: join on node_id, cache_key and run_id = producing_run_id).
  latest_nodes:
    "SELECT l.*, (SELECT max_by(p.run_id, p.finished) FROM node_runs p WHERE p.cache_key = l.cache_key AND p.status = 'ran') AS producing_run_id " +
    "FROM (SELECT * FROM node_runs WHERE status IN ('ran', 'cached') QUALIFY row_number() OVER (PARTITION BY pipeline, node_id ORDER BY finished DESC) = 1) l",
};

export interface QueryResult {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface QuerySession {
  run(sql: string): Promise<QueryResult>;
  /** Names of the views created (base, recorded tables, library views). */
  readonly views: readonly string[];
  close(): void;
}

/** The size of a record file; 0 for one that is absent, a link or not a regular file (never read: fsck reports it). */
function storedSize(path: string): number {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st?.isFile() === true ? st.size : 0;
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/**
 * Opens DuckDB in memory with views over the store. Library views (SQL text) are created last; one whose tables do
 * not exist yet is skipped and reported through `warn`.
 */
export async function openQuery(
  storeDir: string,
  libraryViews: Readonly<Record<string, LibraryView>> = {},
  warn: (message: string) => void = () => {},
  opts: { readonly allowWrite?: string } = {},
): Promise<QuerySession> {
  if (!isStoreFolder(join(storeDir, 'meta'), 'meta')) throw new Error(`no pipe store at ${storeDir} (run a pipeline first, or pass --store DIR)`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await db.connect();
  await conn.run('CREATE SCHEMA pipe_records');
  const views: string[] = [];
  const dead = [...interruptedRuns(join(storeDir, 'meta', 'runs.jsonl'))];
  const deadList = dead.length > 0 ? dead.map(sqlString).join(', ') : 'NULL';
  for (const [name, columns] of Object.entries(BASE_VIEWS)) {
    const path = join(storeDir, 'meta', `${name}.jsonl`);
    const first = Object.keys(columns)[0] as string;
    const source = storedSize(path) > 0
      ? `SELECT * FROM read_json(${sqlString(path)}, format='newline_delimited', ignore_errors=true, columns={${Object.entries(columns).map(([c, t]) => `${ident(c)}: ${sqlString(t)}`).join(', ')}}) WHERE ${ident(first)} IS NOT NULL`
      : `SELECT ${Object.entries(columns).map(([c, t]) => `CAST(NULL AS ${t}) AS ${ident(c)}`).join(', ')} WHERE false`;
    // runs and node_runs get a 'running' row at the start and a final one at the end: keep the last per run (and
    // node); a run still 'running' whose process died is 'interrupted', and so are its nodes that were running.
    // (A node row still 'running' in a run that is not running any more was cut off with it.)
    const cutOff = name === 'runs' ? `run_id IN (${deadList})` : `run_id IN (SELECT run_id FROM runs WHERE status <> 'running')`;
    const latest = (partition: string, from: string): string =>
      `SELECT * REPLACE (CASE WHEN status = 'running' AND ${cutOff} THEN '${INTERRUPTED}' ELSE status END AS status) ` +
      `FROM (SELECT * FROM ${from} QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY finished IS NULL, finished DESC) = 1)`;
    // The file is read now, into memory: nothing is read from disk once SQL from the user runs.
    await conn.run(`CREATE TABLE pipe_records.${ident(name)} AS ${source}`);
    const loaded = `pipe_records.${ident(name)}`;
    const sql = name === 'runs' ? latest('run_id', loaded) : name === 'node_runs' ? latest('run_id, node_id', loaded) : `SELECT * FROM ${loaded}`;
    await conn.run(`CREATE VIEW ${ident(name)} AS ${sql}`);
    views.push(name);
  }
  // Matrix axes and --set paths become columns of node_runs and of instance_axes (one row per evaluated key).
  const comparison = comparisonColumns((await conn.runAndReadAll(COMPARISON_KEYS_SQL)).getRows());
  const own = new Set(Object.keys(BASE_VIEWS.node_runs ?? {}));
  const extra = comparison.filter((c) => !own.has(c.name));
  const cols = extra.map((c) => `, ${c.sql} AS ${ident(c.name)}`).join('');
  if (extra.length > 0) {
    await conn.run(`ALTER VIEW node_runs RENAME TO node_runs_base`);
    await conn.run(`CREATE VIEW node_runs AS SELECT *${cols} FROM node_runs_base`);
  }
  const axes = extra.map((c) => c.name);
  await conn.run(
    `CREATE VIEW instance_axes AS SELECT node_id, cache_key${axes.map((a) => `, ${ident(a)}`).join('')} FROM node_runs ` +
      "WHERE cache_key IS NOT NULL QUALIFY row_number() OVER (PARTITION BY node_id, cache_key ORDER BY finished DESC NULLS LAST) = 1",
  );
  views.push('instance_axes');
  await conn.run(`CREATE VIEW latest_nodes AS ${DERIVED_VIEWS.latest_nodes}`);
  views.push('latest_nodes');
  const tablesDir = join(storeDir, 'meta', 'tables');
  const tableFiles = listStoreFolder(tablesDir, 'meta/tables').filter((f) => f.endsWith('.jsonl')).sort();
  for (const f of tableFiles) {
    const path = join(tablesDir, f);
    const name = f.slice(0, -'.jsonl'.length);
    if (views.includes(name) || storedSize(path) === 0) continue;
    try {
      await conn.run(
        `CREATE TABLE ${ident(name)} AS SELECT * FROM read_json(${sqlString(path)}, format='newline_delimited', ignore_errors=true, sample_size=-1) WHERE run_id IS NOT NULL`,
      );
      views.push(name);
    } catch (e) {
      warn(`skipping table ${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  for (const [name, view] of Object.entries(libraryViews)) {
    try {
      await conn.run(`CREATE VIEW ${ident(name)} AS ${typeof view === 'string' ? view : view(axes)}`);
      views.push(name);
    } catch (e) {
      // A view over records no node has written yet (no curves in this store, say) is simply absent; anything
      // else is a broken view and worth a warning.
      const message = (e as Error).message.split('\n')[0] ?? '';
      if (!/Table with name \S+ does not exist/.test(message)) warn(`skipping view ${name}: ${message}`);
    }
  }
  // From here on SQL reaches no file but the one the user named for writing.
  if (opts.allowWrite !== undefined) await conn.run(`SET allowed_paths = [${sqlString(opts.allowWrite)}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
  return {
    views,
    async run(sql: string): Promise<QueryResult> {
      // Several statements run in order and the last one's rows are the result (DuckDB alone answered with the
      // first one's for `SELECT 1 AS a; SELECT 2 AS b`).
      if (/^[\s;]*$/.test(sql)) throw new Error('no SQL statement to run');
      const statements = await conn.extractStatements(sql).catch((e: Error) => {
        throw new Error(e.message.replace(/^Failed to extract statements: /, ''));
      });
      if (statements.count === 0) throw new Error('no SQL statement to run');
      for (let i = 0; i < statements.count - 1; i++) {
        const earlier = await statements.prepare(i);
        try {
          await earlier.run();
        } finally {
          earlier.destroySync();
        }
      }
      const last = await statements.prepare(statements.count - 1);
      let reader;
      try {
        reader = await last.runAndReadAll();
      } finally {
        last.destroySync();
      }
      const columns = reader.columnNames();
      const types = reader.columnTypes().map((t) => String(t));
      const rows = reader.getRows().map((row) => row.map(toPlain));
      return { columns, types, rows };
    },
    close() {
      conn.closeSync();
      db.closeSync();
    },
  };
}

/** DuckDB values → plain JSON-able values (BIGINT as number when safe, timestamps/decimals/etc. as text). */
function toPlain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === 'object' && v !== null) {
    const items = (v as { items?: unknown[] }).items;
    if (Array.isArray(items)) return items.map(toPlain);
    const entries = (v as { entries?: Record<string, unknown> }).entries;
    if (entries !== undefined && typeof entries === 'object') return Object.fromEntries(Object.entries(entries).map(([k, x]) => [k, toPlain(x)]));
    return String(v);
  }
  return String(v);
}
