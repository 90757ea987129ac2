import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../src/cli/commands/plan.js';
import { queryCommand } from '../../src/cli/commands/query.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const pipeline = (lr: string, extra = '') => `
name: demo
nodes:
  first:
    kind: t.value
    params: { value: hello, nested: { lr: ${lr} } }
  second:
    kind: t.concat
    inputs: { a: first.out }${extra}
  rep:
    kind: t.report
    params: { n: 3 }
`;

describe('pipe run --json', () => {
  it('prints exactly one JSON object {nodes:[{id,status,reason,seconds}]} on stdout', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, pipeline('1e-5'));
    const r = await capture(runCommand, [file, '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as { nodes: Record<string, unknown>[] };
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(parsed)).toEqual(['nodes']);
    expect(parsed.nodes.map((n) => Object.keys(n))).toEqual(Array(3).fill(['id', 'status', 'reason', 'seconds']));
    expect(parsed.nodes.map((n) => [n.id, n.status, n.reason])).toEqual([
      ['first', 'ran', 'no previous run'],
      ['second', 'ran', 'no previous run'],
      ['rep', 'ran', 'no previous run'],
    ]);
    expect(parsed.nodes.every((n) => typeof n.seconds === 'number')).toBe(true);
    const again = JSON.parse((await capture(runCommand, [file, '--json'])).out) as { nodes: { status: string; seconds: number }[] };
    expect(again.nodes.map((n) => [n.status, n.seconds])).toEqual([['cached', 0], ['cached', 0], ['cached', 0]]);
  });

  it('exit 1 and the failed node named with its log tail on stderr; exit 2 for bad input', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: f\nnodes:\n  bad: { kind: t.fail, params: { message: "disk on fire" } }\n');
    const r = await capture(runCommand, [file, '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[FAILED] bad: disk on fire\n  | about to fail\n');
    expect(JSON.parse(r.out)).toEqual({ nodes: [{ id: 'bad', status: 'failed', reason: 'disk on fire', seconds: expect.any(Number) }] });
    const bad = writePipeline(dir, 'name: f\nnodes:\n  a: { kind: nope }\n', 'bad.yaml');
    const b = await capture(runCommand, [bad]);
    expect(b.code).toBe(2);
    expect(b.err).toContain("bad.yaml:3:14 error: unknown node kind 'nope'");
    expect((await capture(runCommand, [file, '--jobs', '0'])).code).toBe(2);
    expect((await capture(runCommand, [file, '--force', 'zz'])).err).toContain('unknown node: --force zz');
  });

  it('nodes that did not run are "failed" with a "not run: …" reason (the contract has no skipped)', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: f\nnodes:\n  bad: { kind: t.fail }\n  after: { kind: t.concat, inputs: { a: bad.out } }\n  long: { kind: t.slow, params: { ms: 5000 } }\n');
    const r = await capture(runCommand, [file, '--json', '--jobs', '2']);
    expect(r.code).toBe(1);
    const nodes = (JSON.parse(r.out) as { nodes: { id: string; status: string; reason: string }[] }).nodes;
    expect(nodes.map((n) => [n.id, n.status, n.reason])).toEqual([
      ['bad', 'failed', 'boom'],
      ['after', 'failed', "not run: upstream 'bad' failed"],
      ['long', 'failed', "not run: cancelled: 'bad' failed"],
    ]);
    // The human-readable view keeps the 'skipped' wording.
    expect(r.err).toContain("[skipped] after: upstream 'bad' failed");
    expect(r.err).toMatch(/f: 0 ran, 0 cached, 1 failed, 2 skipped in /);
  });

  it('bad input writes nothing to the store', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: f\nnodes:\n  a: { kind: t.value, params: { n: x } }\n');
    expect((await capture(runCommand, [file])).code).toBe(2);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'artifacts'))).toBe(false);
  });
});

describe('pipe plan', () => {
  it('says cached / will run with field-level diffs against the last recorded key', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, pipeline('1e-5'));
    expect((await capture(planCommand, [file])).out).toBe(
      [
        'demo: 2 will run, 1 pending, 0 cached',
        '  will run first   (new) no previous run',
        '  pending  second  (upstream) waits for first; reruns only if its output changes',
        '  will run rep     (new) no previous run',
        '',
      ].join('\n'),
    );
    await capture(runCommand, [file]);
    expect((await capture(planCommand, [file])).out).toBe('demo: 0 will run, 0 pending, 3 cached\n  cached   first \n  cached   second\n  cached   rep   \n'.replace(/ +\n/g, (m) => m));
    writePipeline(dir, pipeline('3e-5'));
    const plan = await capture(planCommand, [file]);
    expect(plan.out).toContain('  will run first   (changed)\n                     params.nested.lr: 1e-5 → 3e-5\n');
    expect(plan.out).toContain('  pending  second  (upstream) waits for first; reruns only if its output changes\n');
    await capture(runCommand, [file]);
    // second's input changed content: its own plan line names the input.
    writePipeline(dir, pipeline('3e-5').replace('value: hello', 'value: bye'));
    await capture(runCommand, [file]);
    const json = JSON.parse((await capture(runCommand, [file, '--json', '--force', 'second'])).out) as { nodes: { id: string; reason: string }[] };
    expect(json.nodes.find((n) => n.id === 'second')?.reason).toBe('forced (--force)');
    const log = await capture(queryCommand, ["SELECT node_id, reason FROM node_runs WHERE status = 'ran' AND node_id = 'second' ORDER BY finished", '--store', join(dir, 'artifacts'), '--csv']);
    expect(log.out).toBe('node_id,reason\nsecond,no previous run\nsecond,input first.out: new content\nsecond,forced (--force)\n');
  });

  it('--json gives statuses, typed reasons and changes; --only limits to a node and its ancestors', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, pipeline('1e-5'));
    const only = JSON.parse((await capture(runCommand, [file, '--only', 'second', '--json'])).out) as { nodes: { id: string }[] };
    expect(only.nodes.map((n) => n.id)).toEqual(['first', 'second']);
    writePipeline(dir, pipeline('2e-5'));
    const plan = JSON.parse((await capture(planCommand, [file, '--json'])).out) as unknown;
    expect(plan).toEqual({
      pipeline: 'demo',
      nodes: [
        { id: 'first', status: 'run', reason_type: 'changed', reason: 'params.nested.lr: 1e-5 → 2e-5', changes: ['params.nested.lr: 1e-5 → 2e-5'] },
        { id: 'second', status: 'pending', reason_type: 'upstream', reason: 'waits for first; reruns only if its output changes', changes: ['input from first: will be recomputed'] },
        { id: 'rep', status: 'run', reason_type: 'new', reason: 'no previous run', changes: [] },
      ],
    });
  });

  it('names a changed code file', async () => {
    const { diffComponents } = await import('../../src/engine/key.js');
    const base = { kind: 'k', implementation: { hash: 'h1', files: { 'src/nodes/x.ts': 'a', 'src/nodes/y.ts': 'b' } }, params: { lr: 1e-5 }, inputs: { first: { from: 'a.first', digest: 'd1' } }, seed: 1, runtime: { pipe: '0.1.0' }, outputs: ['o'] };
    const next = { ...base, implementation: { hash: 'h2', files: { 'src/nodes/x.ts': 'c', 'src/nodes/y.ts': 'b' } }, params: { lr: 3e-5 }, inputs: { first: { from: 'a.first', digest: 'd2' } } };
    expect(diffComponents(base, next)).toEqual(['code: src/nodes/x.ts changed', 'params.lr: 1e-5 → 3e-5', 'input a.first: new content']);
  });
});

describe('pipe query', () => {
  it('has views over runs, node_runs, cache_keys, artifacts, metrics, recorded tables and library views', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, pipeline('1e-5'));
    await capture(runCommand, [file]);
    await capture(runCommand, [file]);
    const store = join(dir, 'artifacts');
    const q = async (sql: string) => JSON.parse((await capture(queryCommand, [sql, '--store', store, '--json'])).out) as Record<string, unknown>[];
    expect(await q('SELECT status, count(*)::INT AS n FROM runs GROUP BY status')).toEqual([{ status: 'ok', n: 2 }]);
    expect(await q('SELECT status, count(*)::INT AS n FROM node_runs GROUP BY status ORDER BY status')).toEqual([
      { status: 'cached', n: 3 },
      { status: 'ran', n: 3 },
    ]);
    expect(await q("SELECT count(*)::INT AS n FROM cache_keys")).toEqual([{ n: 3 }]);
    expect(await q("SELECT output, type, size FROM artifacts WHERE node_id = 'rep'")).toEqual([{ output: 'dir', type: 'dir', size: 18 }]);
    expect(await q('SELECT name, value, step FROM metrics ORDER BY step')).toEqual([
      { name: 'loss', value: 1, step: 0 },
      { name: 'loss', value: 0.5, step: 1 },
      { name: 'loss', value: 1 / 3, step: 2 },
    ]);
    expect(await q('SELECT episode, solved, node_id FROM episodes ORDER BY episode')).toEqual([
      { episode: 0, solved: true, node_id: 'rep' },
      { episode: 1, solved: false, node_id: 'rep' },
      { episode: 2, solved: true, node_id: 'rep' },
    ]);
    expect(await q('SELECT node_id, round(rate, 3) AS rate FROM solved_rate')).toEqual([{ node_id: 'rep', rate: 0.667 }]);
    // Rows of the current result: join on the latest cache key.
    expect(await q('SELECT count(*)::INT AS n FROM episodes e JOIN latest_nodes l USING (node_id, cache_key)')).toEqual([{ n: 3 }]);
    // A forced rerun with the same key records its rows again; producing_run_id picks one run's rows.
    await capture(runCommand, [file, '--force', 'rep']);
    expect(await q('SELECT count(*)::INT AS n FROM episodes')).toEqual([{ n: 6 }]);
    expect(await q('SELECT count(*)::INT AS n FROM episodes e JOIN latest_nodes l ON e.node_id = l.node_id AND e.cache_key = l.cache_key AND e.run_id = l.producing_run_id')).toEqual([{ n: 3 }]);
  });

  it('tolerates a partially written last line (a run appending right now); views over records not written yet are absent, silently', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: q\nnodes:\n  a: { kind: t.value }\n');
    await capture(runCommand, [file]);
    const store = join(dir, 'artifacts');
    appendFileSync(join(store, 'meta', 'node_runs.jsonl'), '{"run_id":"x","pipeline":"q","node_id":"b","sta');
    const r = await capture(queryCommand, ['SELECT node_id FROM node_runs', '--store', store, '--csv']);
    expect(r.out).toBe('node_id\na\n');
    expect(r.err).toBe('');
    expect((await capture(queryCommand, ['SELECT * FROM solved_rate', '--store', store])).code).toBe(2);
    const table = await capture(queryCommand, ['SELECT node_id, status FROM node_runs', '--store', store]);
    expect(table.out).toBe('node_id  status\n-------  ------\na        ran\n(1 row)\n');
    const bad = await capture(queryCommand, ['SELECT nope FROM node_runs', '--store', store]);
    expect(bad.code).toBe(2);
    expect((await capture(queryCommand, ['SELECT 1', '--store', join(dir, 'none')])).err).toContain('no pipe store at');
    writeFileSync(join(dir, 'unused'), '');
  });
});

describe('comparison columns', () => {
  it('matrix axes and --set paths are typed columns of node_runs and instance_axes; dependents inherit --set', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: c
nodes:
  a:
    kind: t.value
    matrix: { n: [1, 2] }
  b:
    kind: t.concat
    inputs: { a: a.out }
`);
    expect((await capture(runCommand, [file, '--set', 'a.value=x'])).code).toBe(0);
    const store = join(dir, 'artifacts');
    const q = async (sql: string) => JSON.parse((await capture(queryCommand, [sql, '--store', store, '--json'])).out) as Record<string, unknown>[];
    expect(await q('SELECT node_id, n, "a.value" FROM node_runs ORDER BY node_id')).toEqual([
      { node_id: 'a[n=1]', n: 1, 'a.value': 'x' },
      { node_id: 'a[n=2]', n: 2, 'a.value': 'x' },
      { node_id: 'b[n=1]', n: 1, 'a.value': 'x' },
      { node_id: 'b[n=2]', n: 2, 'a.value': 'x' },
    ]);
    expect(await q('SELECT typeof(n) AS t, count(*)::INT AS rows FROM instance_axes GROUP BY t')).toEqual([{ t: 'BIGINT', rows: 4 }]);
  });
});

describe('pipe query number formatting', () => {
  it('rounds floats to 6 significant digits in the table and keeps every digit in --json and --csv', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: q\nnodes:\n  a: { kind: t.value }\n');
    await capture(runCommand, [file]);
    const store = join(dir, 'artifacts');
    const sql = 'SELECT 0.7::DOUBLE + 0.095 AS x, 1234567.891::DOUBLE AS big, 3 AS n, 0.000012345678::DOUBLE AS tiny';
    expect((await capture(queryCommand, [sql, '--store', store])).out).toBe(
      '    x      big  n          tiny\n-----  -------  -  ------------\n0.795  1234568  3  0.0000123457\n(1 row)\n',
    );
    expect(JSON.parse((await capture(queryCommand, [sql, '--store', store, '--json'])).out)).toEqual([{ x: 0.7949999999999999, big: 1234567.891, n: 3, tiny: 0.000012345678 }]);
    expect((await capture(queryCommand, [sql, '--store', store, '--csv'])).out).toBe(`x,big,n,tiny\n0.7949999999999999,1234567.891,3,0.000012345678\n`);
  });
});

describe('pipe query during a run', () => {
  it('sees the rows of finished nodes while another node is still running', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: live\nnodes:\n  rep: { kind: t.report }\n  slow: { kind: t.slow, params: { ms: 1500 } }\n');
    const store = join(dir, 'artifacts');
    const running = capture(runCommand, [file, '--jobs', '2']);
    const { existsSync, readFileSync } = await import('node:fs');
    const nodeRuns = join(store, 'meta', 'node_runs.jsonl');
    const t0 = Date.now();
    const repDone = (): boolean => existsSync(nodeRuns) && readFileSync(nodeRuns, 'utf8').split('\n').some((l) => l.includes('"node_id":"rep"') && l.includes('"status":"ran"'));
    while (!repDone()) {
      if (Date.now() - t0 > 10_000) throw new Error('rep did not finish');
      await new Promise((r) => setTimeout(r, 20));
    }
    const during = await capture(queryCommand, [
      "SELECT (SELECT status FROM runs) AS run, (SELECT list(node_id || ':' || status ORDER BY node_id) FROM node_runs) AS nodes, (SELECT count(*) FROM metrics)::INT AS metrics, (SELECT count(*) FROM episodes)::INT AS episodes",
      '--store', store, '--json',
    ]);
    expect(JSON.parse(during.out)).toEqual([{ run: 'running', nodes: ['rep:ran', 'slow:running'], metrics: 2, episodes: 2 }]);
    expect((await running).code).toBe(0);
    const after = await capture(queryCommand, ["SELECT (SELECT status FROM runs) || '/' || (SELECT string_agg(status, '/' ORDER BY node_id) FROM node_runs) AS s", '--store', store, '--csv']);
    expect(after.out).toBe('s\nok/ran/ran\n');
  });
});
