/**
 * `pipe compare <pipeline.yaml> [--by AXIS]`: every evaluation the pipeline's store holds for it — across matrix
 * instances and across runs (each `--set` path is a column) — side by side with success per split, like DVC's
 * `exp show`. Numbers are rounded in the table and exact with --json / --csv.
 */
import { type CommandContext, defineCommand } from '../command-spec.js';
import { loadPipelineArg } from '../engine-io.js';
import { commandFunction } from '../program.js';

interface CompareOptions {
  readonly by?: string;
  readonly store?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
}

/** `pipe compare`. */
export const spec = defineCommand<CompareOptions>({
  name: 'compare',
  group: 'Pipelines',
  rank: 6,
  summary: "a pipeline's evaluations side by side: axes, --set values, success per split",
  args: ['<pipeline.yaml>'],
  description: `One row per evaluation of the pipeline's evaluator nodes in its store (every matrix instance, every run's params),
with the matrix axes and --set paths as columns and success per split. --by AXIS: one row per method and value of AXIS,
averaged over the evaluations it groups (e.g. over seeds). Rounded in the table, exact with --json/--csv.`,
  options: [
    { flags: '--by <axis>', description: 'group by a matrix axis or --set path (mean over the rest)' },
    { flags: '--store <dir>', description: "store directory (default: the pipeline's 'store:')", complete: 'dir' },
    { flags: '--json', description: 'rows as JSON (exact numbers)' },
    { flags: '--csv', description: 'rows as CSV (exact numbers)' },
  ],
  action: (args, values, ctx) => compare(args[0] as string, values, ctx),
});

/** `pipe compare` with injectable I/O and library (tests). */
export const compareCommand = commandFunction(spec);

async function compare(fileArg: string, values: CompareOptions, ctx: CommandContext): Promise<number> {
  if (values.json && values.csv) return ctx.usageError('--json and --csv are exclusive');
  const parsed = await loadPipelineArg(fileArg, values, ctx);
  if (typeof parsed === 'number') return parsed;
  const { env, file, pipeline } = parsed;
  const { openQuery } = await import('../../engine/query.js');
  let result;
  try {
    const session = await openQuery(pipeline.store, env.library.views ?? {});
    try {
      if (!session.views.includes('eval_runs')) {
        env.err(`pipe compare: nothing evaluated yet in ${pipeline.store}; run \`pipe run ${file}\` first\n`);
        return 1;
      }
      const name = pipeline.name.replaceAll("'", "''");
      result = await session.run(`SELECT * FROM eval_runs WHERE (node_id, cache_key) IN (SELECT (node_id, cache_key) FROM node_runs WHERE pipeline = '${name}')`);
    } finally {
      session.close();
    }
  } catch (e) {
    env.err(`pipe compare: ${(e as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  const { columns } = result;
  const rows = result.rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  if (rows.length === 0) {
    env.err(`pipe compare: nothing evaluated yet for ${pipeline.name}; run \`pipe run ${file}\` first\n`);
    return 1;
  }
  const { compareTables, comparisonColumnsOf } = await import('../compare-table.js');
  const known = comparisonColumnsOf(columns, rows);
  if (values.by !== undefined && !known.includes(values.by)) {
    return ctx.usageError(`--by ${values.by}: not a matrix axis or --set path of these evaluations (${known.length > 0 ? `they have: ${known.join(', ')}` : 'they have none'})`);
  }
  const tables = compareTables(columns, rows, values.by, pipeline.instances.map((i) => i.id));
  const { formatCsv, formatJson, formatTable } = await import('../table-format.js');
  if (values.json || values.csv) {
    // Exact numbers, one flat table with the task as a column.
    const all = ['task', ...new Set(tables.flatMap((t) => t.columns))];
    const flat = tables.flatMap((t) => t.rows.map((r) => all.map((c) => (c === 'task' ? t.task : t.columns.includes(c) ? r[t.columns.indexOf(c)] : null))));
    env.out((values.json ? formatJson : formatCsv)(all, flat));
    return 0;
  }
  env.out(tables.map((t) => `${tables.length > 1 ? `${t.task}\n` : ''}${formatTable(t.columns, t.rows, { round: { columns: new Set(t.splits), digits: 2 } })}`).join('\n'));
  return 0;
}
