/**
 * SQL views over the evaluators' `episodes` table (recorded by the engine with node_id, cache_key and run_id).
 *
 * "Current" episodes: rows written by the successful execution of a cache key (the run_id that `cache_keys`
 * records for it, the latest if it was ever forced to rerun) whose key is, for some pipeline node, the key of its
 * latest ran-or-cached execution. So a failed attempt's partial rows, superseded evaluations (after an edit) and
 * duplicate reruns never count, while a cached evaluation keeps counting. Equal keys in several pipelines count once.
 * `eval_summary` has a column per matrix axis and `--set` path (the engine's `instance_axes`), so sweeps are rows.
 */
import type { LibraryView } from '../../engine/node-kind.js';

const Z = 1.959963984540054;

/** Columns the evaluators record (and the engine adds): a comparison column with one of these names is not repeated. */
const EPISODE_COLUMNS = new Set([
  'task', 'method', 'split', 'split_order', 'idx', 'env_seed', 'success', 'valid', 'reward', 'actions', 'turns', 'tokens', 'optimal',
  'temperature', 'output', 'node_id', 'cache_key', 'run_id', 'episodes', 'ci_low', 'ci_high', 'step',
]);

/** The current rows of a recorded episode table (see the file doc). */
function current(table: string): string {
  return `
    WITH produced AS (
      SELECT cache_key, arg_max(run_id, created) AS run_id FROM cache_keys GROUP BY cache_key
    ),
    latest AS (
      SELECT DISTINCT arg_max(cache_key, finished) AS cache_key
      FROM node_runs WHERE status IN ('ran', 'cached') AND cache_key IS NOT NULL
      GROUP BY pipeline, node_id
    )
    SELECT e.* FROM ${table} e
    JOIN produced p ON e.cache_key = p.cache_key AND e.run_id = p.run_id
    WHERE e.cache_key IN (SELECT cache_key FROM latest)`;
}

export const views: Readonly<Record<string, LibraryView>> = {
  current_episodes: current('episodes'),
  /**
   * Learning curves: success and validity per split and training step over `eval.curve`'s current episodes, with a
   * column per matrix axis and `--set` path, as in eval_summary.
   */
  eval_curve: (axes) => {
    const cols = axes.filter((a) => !EPISODE_COLUMNS.has(a) && a !== 'step').map((a) => `"${a.replaceAll('"', '""')}"`);
    const by = cols.map((c) => `${c}, `).join('');
    return `
    SELECT task, method, ${cols.map((c) => `a.${c}, `).join('')}split, step, count(*) AS episodes,
           avg(CASE WHEN success THEN 1.0 ELSE 0.0 END) AS success, avg(valid) AS valid, any_value(temperature) AS temperature
    FROM (${current('curve_episodes')}) c
    LEFT JOIN instance_axes a ON a.node_id = c.node_id AND a.cache_key = c.cache_key
    GROUP BY task, method, ${cols.map((c) => `a.${c}, `).join('')}split, step
    ORDER BY task, method, ${by}min(split_order), split, step`;
  },
  eval_summary: (axes) => {
    // One row per (task, method, comparison columns, split): a sweep's values (and seeds) are rows, never pooled.
    const cols = axes.filter((a) => !EPISODE_COLUMNS.has(a)).map((a) => `"${a.replaceAll('"', '""')}"`);
    const by = cols.map((c) => `${c}, `).join('');
    return `
    WITH e AS (
      SELECT c.*${cols.map((col) => `, a.${col}`).join('')} FROM current_episodes c
      LEFT JOIN instance_axes a ON a.node_id = c.node_id AND a.cache_key = c.cache_key
    ),
    g AS (
      SELECT task, method, ${by}split, temperature, count(*) AS n, sum(CASE WHEN success THEN 1 ELSE 0 END) AS k,
             avg(valid) AS valid, min(split_order) AS first
      FROM e GROUP BY task, method, ${by}split, temperature
    ),
    w AS (
      SELECT *, k / n AS p, ${Z} * ${Z} AS z2 FROM g
    )
    SELECT task, method, ${by}split, temperature, n AS episodes, p AS success, valid,
      CASE WHEN k = 0 THEN 0.0 ELSE greatest(0.0, ((p + z2 / (2 * n)) - ${Z} * sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)) END AS ci_low,
      CASE WHEN k = n THEN 1.0 ELSE least(1.0, ((p + z2 / (2 * n)) + ${Z} * sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)) END AS ci_high
    FROM w ORDER BY task, method, ${by}temperature, first, split`;
  },
  // Every evaluation ever produced (not only the current ones): one row per (evaluated key, split), with its
  // producing run and comparison columns — what `pipe compare` lays out across runs and instances.
  eval_runs: (axes) => {
    const cols = axes.filter((a) => !EPISODE_COLUMNS.has(a) && a !== 'created').map((a) => `a."${a.replaceAll('"', '""')}"`);
    const by = cols.map((c) => `${c}, `).join('');
    return `
    WITH produced AS (
      SELECT cache_key, arg_max(run_id, created) AS run_id, max(created) AS created FROM cache_keys GROUP BY cache_key
    )
    SELECT e.node_id, e.cache_key, p.run_id, r.started AS run_started, p.created, e.task, e.method, ${by}e.split,
           min(e.split_order) AS split_order, count(*) AS episodes, avg(CASE WHEN e.success THEN 1.0 ELSE 0.0 END) AS success
    FROM episodes e
    JOIN produced p ON e.cache_key = p.cache_key AND e.run_id = p.run_id
    LEFT JOIN (SELECT run_id, min(created) AS started FROM cache_keys GROUP BY run_id) r ON r.run_id = p.run_id
    LEFT JOIN instance_axes a ON a.node_id = e.node_id AND a.cache_key = e.cache_key
    GROUP BY e.node_id, e.cache_key, p.run_id, r.started, p.created, e.task, e.method, ${by}e.split
    ORDER BY r.started, p.run_id, e.node_id, split_order`;
  },
};
