import { describe, expect, it } from 'vitest';
import { views } from '../../../src/nodes/eval/views.js';
import { wilsonInterval } from '../../../src/nodes/eval/wilson.js';

/** Runs the views over hand-written engine tables in an in-memory DuckDB. */
async function query(tables: Record<string, Record<string, unknown>[]>, sql: string, axes: string[] = []): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const [name, rows] of Object.entries(tables)) {
      const values = rows.map((r) => `(SELECT ${Object.entries(r).map(([k, v]) => `${typeof v === 'string' ? `'${v}'` : v === null ? 'NULL' : String(v)} AS ${k}`).join(', ')})`);
      await conn.run(`CREATE TABLE ${name} AS ${values.join(' UNION ALL ')}`);
    }
    if (tables.instance_axes === undefined) await conn.run('CREATE TABLE instance_axes (node_id VARCHAR, cache_key VARCHAR)');
    if (tables.curve_episodes === undefined) {
      await conn.run('CREATE TABLE curve_episodes (task VARCHAR, method VARCHAR, split VARCHAR, split_order INT, step INT, success BOOLEAN, valid DOUBLE, temperature DOUBLE, node_id VARCHAR, cache_key VARCHAR, run_id VARCHAR)');
    }
    for (const [name, view] of Object.entries(views)) await conn.run(`CREATE VIEW ${name} AS ${typeof view === 'string' ? view : view(axes)}`);
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const ep = (cache_key: string, run_id: string, split: string, success: boolean, env_seed: number, method = 'm', node_id = 'eval') => ({
  task: 'sokoban', method, split, split_order: env_seed, success, valid: success ? 1.0 : 0.5, env_seed, temperature: 0.5, node_id, cache_key, run_id,
});

describe('eval views', () => {
  it('count only current, successfully produced episodes and give Wilson intervals', async () => {
    const tables = {
      cache_keys: [
        { cache_key: 'k1', run_id: 'r1', created: '2026-01-01T00:00:01Z' },
        { cache_key: 'k2', run_id: 'r3', created: '2026-01-01T00:00:03Z' },
      ],
      node_runs: [
        { pipeline: 'p', node_id: 'eval', cache_key: 'k1', status: 'ran', finished: '2026-01-01T00:00:01Z' },
        { pipeline: 'p', node_id: 'eval', cache_key: 'k2', status: 'failed', finished: '2026-01-01T00:00:02Z' },
        { pipeline: 'p', node_id: 'eval', cache_key: 'k2', status: 'ran', finished: '2026-01-01T00:00:03Z' },
        { pipeline: 'q', node_id: 'other', cache_key: 'k2', status: 'cached', finished: '2026-01-01T00:00:04Z' },
      ],
      episodes: [
        ep('k1', 'r1', 'ID', true, 123), // superseded by k2
        ep('k2', 'r2', 'ID', true, 123), // a failed attempt's partial row
        ep('k2', 'r3', 'ID', true, 123),
        ep('k2', 'r3', 'ID', false, 124),
        ep('k2', 'r3', 'Fake', false, 125),
        ep('k2', 'r3', 'Fake', false, 126),
      ],
      curve_episodes: [
        { ...ep('k2', 'r3', 'ID', true, 123), step: 500 },
        { ...ep('k2', 'r3', 'ID', false, 124), step: 500 },
        { ...ep('k2', 'r3', 'ID', true, 124), step: 1000 },
        { ...ep('k1', 'r1', 'ID', true, 124), step: 1000 }, // superseded
      ],
    };
    const curve = await query(tables, 'SELECT * FROM eval_curve');
    expect(curve.map((r) => [r.split, r.step, Number(r.episodes), r.success, r.valid])).toEqual([
      ['ID', 500, 2, 0.5, 0.75],
      ['ID', 1000, 1, 1, 1],
    ]);
    const rows = await query(tables, 'SELECT * FROM eval_summary');
    expect(rows.map((r) => [r.split, r.temperature, Number(r.episodes), r.success, r.valid])).toEqual([
      ['ID', 0.5, 2, 0.5, 0.75],
      ['Fake', 0.5, 2, 0, 0.5],
    ]);
    const ci = wilsonInterval(1, 2);
    expect(rows[0]!.ci_low).toBeCloseTo(ci.low, 9);
    expect(rows[0]!.ci_high).toBeCloseTo(ci.high, 9);
    expect(rows[1]!.ci_low).toBe(0);
    expect(Object.keys(rows[0]!)).toEqual(['task', 'method', 'split', 'temperature', 'episodes', 'success', 'valid', 'ci_low', 'ci_high']);
  });

  it('a sweep is not pooled: two lr values are two rows with an lr column (and seeds are rows too)', async () => {
    const node = (id: string, key: string) => ({ pipeline: 'p', node_id: id, cache_key: key, status: 'ran', finished: '2026-01-01T00:00:01Z' });
    const tables = {
      cache_keys: [
        { cache_key: 'ka', run_id: 'r1', created: '2026-01-01T00:00:01Z' },
        { cache_key: 'kb', run_id: 'r1', created: '2026-01-01T00:00:01Z' },
      ],
      node_runs: [node('eval[lr=0.003]', 'ka'), node('eval[lr=0.01]', 'kb')],
      instance_axes: [
        { node_id: 'eval[lr=0.003]', cache_key: 'ka', lr: 0.003 },
        { node_id: 'eval[lr=0.01]', cache_key: 'kb', lr: 0.01 },
      ],
      episodes: [
        ep('ka', 'r1', 'ID', true, 1, 'sft', 'eval[lr=0.003]'),
        ep('ka', 'r1', 'ID', true, 2, 'sft', 'eval[lr=0.003]'),
        ep('kb', 'r1', 'ID', false, 1, 'sft', 'eval[lr=0.01]'),
        ep('kb', 'r1', 'ID', true, 2, 'sft', 'eval[lr=0.01]'),
      ],
    };
    const rows = await query(tables, 'SELECT * FROM eval_summary', ['lr']);
    expect(rows.map((r) => [r.method, r.lr, r.split, Number(r.episodes), r.success])).toEqual([
      ['sft', 0.003, 'ID', 2, 1],
      ['sft', 0.01, 'ID', 2, 0.5],
    ]);
    expect(Object.keys(rows[0]!).slice(0, 4)).toEqual(['task', 'method', 'lr', 'split']);
  });
});
