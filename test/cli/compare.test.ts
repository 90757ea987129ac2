import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare.js';
import { queryCommand } from '../../src/cli/commands/query.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { views as evalViews } from '../../src/nodes/eval/views.js';
import { evalRows, library as base } from '../engine/fixtures/kinds.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

/** The test kinds plus t.eval, with the evaluators' views (eval_runs). */
const library = { kinds: [...base.kinds, evalRows], views: { ...base.views, ...evalViews } };

describe('pipe compare', () => {
  it('one row per evaluation across instances and runs, axes and --set paths as columns; --by groups; exact with --csv', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: cmp
nodes:
  ev:
    kind: t.eval
    matrix: { lr: [0.003, 0.01], seed: [1, 2] }
    params: { method: sft, k: [1, 3] }
`);
    const env = { library };
    expect((await capture(runCommand, [file], env)).code).toBe(0);
    expect((await capture(runCommand, [file, '--set', 'ev.k=[2,2]'], env)).code).toBe(0);
    const store = join(dir, 'artifacts');
    const runs = (await capture(queryCommand, ['SELECT run_id FROM runs ORDER BY started', '--store', store, '--csv'], env)).out.trim().split('\n').slice(1);
    expect(runs).toHaveLength(2);
    const [r1, r2] = runs as [string, string];
    const pad = (s: string): string => s.padEnd(r1.length);
    const table = await capture(compareCommand, [file], env);
    expect(table.err).toBe('');
    expect(table.out).toBe(`run${' '.repeat(r1.length - 3)}  node                 method     lr  seed  ev.k      A     B
${'-'.repeat(r1.length)}  -------------------  ------  -----  ----  -----  ----  ----
${pad(r1)}  ev[lr=0.003,seed=1]  sft     0.003     1         0.25  0.75
${pad(r1)}  ev[lr=0.003,seed=2]  sft     0.003     2         0.25  0.75
${pad(r1)}  ev[lr=0.01,seed=1]   sft      0.01     1         0.25  0.75
${pad(r1)}  ev[lr=0.01,seed=2]   sft      0.01     2         0.25  0.75
${pad(r2)}  ev[lr=0.003,seed=1]  sft     0.003     1  [2,2]  0.50  0.50
${pad(r2)}  ev[lr=0.003,seed=2]  sft     0.003     2  [2,2]  0.50  0.50
${pad(r2)}  ev[lr=0.01,seed=1]   sft      0.01     1  [2,2]  0.50  0.50
${pad(r2)}  ev[lr=0.01,seed=2]   sft      0.01     2  [2,2]  0.50  0.50
(8 rows)
`);
    const byLr = await capture(compareCommand, [file, '--by', 'lr'], env);
    // Rounded in the table, exact in CSV.
    expect(byLr.out).toBe(`method     lr  evaluations     A     B
------  -----  -----------  ----  ----
sft     0.003            4  0.38  0.63
sft      0.01            4  0.38  0.63
(2 rows)
`);
    const csv = await capture(compareCommand, [file, '--by', 'seed', '--csv'], env);
    expect(csv.out).toBe('task,method,seed,evaluations,A,B\nsokoban,sft,1,4,0.375,0.625\nsokoban,sft,2,4,0.375,0.625\n');
    const bad = await capture(compareCommand, [file, '--by', 'temperature'], env);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe('pipe compare: --by temperature: not a matrix axis or --set path of these evaluations (they have: lr, seed, ev.k)');
  }, 60_000);
});
