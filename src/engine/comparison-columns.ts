/**
 * Comparison columns: every matrix axis and every `--set` path recorded in `node_runs` (its `axes` and `overrides`
 * JSON) becomes a typed column of its own (`lr`, `seed`, `train.lr`), so results compare and group by them in SQL.
 * Built from what the store holds, so a new sweep needs no schema change.
 */

/** One comparison column: its name and the SQL expression that reads it from a `node_runs` row. */
export interface ComparisonColumn {
  readonly name: string;
  readonly sql: string;
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** The query that lists (source, key, JSON type) over `node_runs`; its rows feed `comparisonColumns`. */
export const COMPARISON_KEYS_SQL =
  "SELECT DISTINCT 'axes' AS source, j.key AS key, j.type AS type FROM node_runs, json_each(node_runs.axes) j " +
  "UNION ALL SELECT DISTINCT 'overrides', j.key, j.type FROM node_runs, json_each(node_runs.overrides) j";

/** Columns from the (source, key, type) rows, axes first, each typed by the JSON types its values have. */
export function comparisonColumns(rows: readonly (readonly unknown[])[]): ComparisonColumn[] {
  const byName = new Map<string, { sources: Set<string>; types: Set<string> }>();
  for (const [source, key, type] of rows) {
    const name = String(key);
    const entry = byName.get(name) ?? { sources: new Set<string>(), types: new Set<string>() };
    entry.sources.add(String(source));
    entry.types.add(String(type));
    byName.set(name, entry);
  }
  const names = [...byName.keys()].sort((a, b) => {
    const rank = (n: string): number => (byName.get(n)?.sources.has('axes') ? 0 : 1);
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  });
  return names.map((name) => {
    const { sources, types } = byName.get(name) as { sources: Set<string>; types: Set<string> };
    const path = sqlString(`$."${name.replaceAll('"', '\\"')}"`);
    const sqlType = columnType(types);
    const read = [...sources].map((s) => `(${s} ->> ${path})`);
    const text = read.length === 1 ? (read[0] as string) : `coalesce(${read.join(', ')})`;
    return { name, sql: sqlType === 'VARCHAR' ? text : `TRY_CAST(${text} AS ${sqlType})` };
  });
}

function columnType(types: ReadonlySet<string>): string {
  const all = (allowed: readonly string[]): boolean => [...types].every((t) => allowed.includes(t));
  if (all(['UBIGINT', 'BIGINT'])) return 'BIGINT';
  if (all(['UBIGINT', 'BIGINT', 'DOUBLE'])) return 'DOUBLE';
  if (all(['BOOLEAN'])) return 'BOOLEAN';
  return 'VARCHAR';
}
