/**
 * `pipe compare`'s layout (like DVC's `exp show`): one row per evaluation — a run's evaluated instance — with its
 * comparison columns (matrix axes, `--set` paths) and one success column per split; or, `--by AXIS`, one row per
 * method and value of AXIS with the mean over the evaluations it groups. One table per task. Pure.
 */

/** One `eval_runs` row, as the query returns it. */
export type EvalRunRow = Readonly<Record<string, unknown>>;

/** A laid-out table: its task, column names and rows of plain values (numbers exact). */
export interface CompareTable {
  readonly task: string;
  readonly columns: readonly string[];
  /** The split (metric) columns among `columns`. */
  readonly splits: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** `eval_runs` columns that are not comparison columns. */
const FIXED = new Set(['node_id', 'cache_key', 'run_id', 'run_started', 'created', 'task', 'method', 'split', 'split_order', 'episodes', 'success']);

/** The comparison columns that have a value in some row, in query order. */
export function comparisonColumnsOf(columns: readonly string[], rows: readonly EvalRunRow[]): string[] {
  return columns.filter((c) => !FIXED.has(c) && rows.some((r) => r[c] !== null && r[c] !== undefined));
}

/**
 * Lays rows out per task, evaluations ordered by run start (run ids alone tie within a second) and then by `order` (the
 * pipeline's instance order); `by` groups by method and that column (which must be a comparison column).
 */
export function compareTables(columns: readonly string[], rows: readonly EvalRunRow[], by?: string, order: readonly string[] = []): CompareTable[] {
  const rank = (id: unknown): number => {
    const i = order.indexOf(String(id));
    return i === -1 ? order.length : i;
  };
  const runOrder = (r: EvalRunRow): string => `${String(r.run_started ?? '')}\u0000${String(r.run_id)}`;
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const tasks = [...new Set(rows.map((r) => String(r.task)))];
  return tasks.map((task) => {
    const mine = rows
      .filter((r) => String(r.task) === task)
      .sort((a, b) => cmp(runOrder(a), runOrder(b)) || rank(a.node_id) - rank(b.node_id));
    const splits = [...new Set([...mine].sort((a, b) => Number(a.split_order) - Number(b.split_order)).map((r) => String(r.split)))];
    const extra = comparisonColumnsOf(columns, mine);
    // One entry per evaluation (node, key), in the order they were produced.
    const evals = new Map<string, { row: EvalRunRow; success: Map<string, number> }>();
    for (const r of mine) {
      const id = `${String(r.node_id)}\u0000${String(r.cache_key)}`;
      const e = evals.get(id) ?? { row: r, success: new Map<string, number>() };
      e.success.set(String(r.split), Number(r.success));
      evals.set(id, e);
    }
    if (by === undefined) {
      return {
        task,
        splits,
        columns: ['run', 'node', 'method', ...extra, ...splits],
        rows: [...evals.values()].map((e) => [e.row.run_id, e.row.node_id, e.row.method, ...extra.map((c) => e.row[c] ?? null), ...splits.map((s) => e.success.get(s) ?? null)]),
      };
    }
    const groups = new Map<string, { method: unknown; value: unknown; members: (typeof evals extends Map<string, infer V> ? V : never)[] }>();
    for (const e of evals.values()) {
      const key = JSON.stringify([e.row.method, e.row[by] ?? null]);
      const g = groups.get(key) ?? { method: e.row.method, value: e.row[by] ?? null, members: [] };
      g.members.push(e);
      groups.set(key, g);
    }
    const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
    return {
      task,
      splits,
      columns: ['method', by, 'evaluations', ...splits],
      rows: [...groups.values()].map((g) => [
        g.method,
        g.value,
        g.members.length,
        ...splits.map((s) => mean(g.members.flatMap((m) => (m.success.has(s) ? [m.success.get(s) as number] : [])))),
      ]),
    };
  });
}
