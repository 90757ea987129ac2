import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initGpt, saveCheckpoint, tokenizer } from '../../../src/nn/index.js';
import { evalCurveKind } from '../../../src/nodes/curve/eval-curve.js';
import { dealTask } from '../../../src/nodes/gp/api.js';
import { fakeCtx } from '../train/fake-ctx.js';

const TEMPLATES = new URL('../../../pipelines/templates/', import.meta.url);

describe('eval.curve with real (untrained) snapshots', () => {
  it('eval.curve evaluates every snapshot of a model on the first perSplit GP tasks of each split, Fake splits named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-tasks-'));
    const lines = ['id', 'id', 'id', 'fake', 'fake'].map((s, i) => JSON.stringify(dealTask(s, 42 + i, { index: i })));
    writeFileSync(join(dir, 'tasks.jsonl'), lines.join('\n') + '\n');
    const modelDir = join(mkdtempSync(join(tmpdir(), 'pipe-eval-')), 'model');
    const cfg = { vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 };
    for (const step of [10, 20]) await saveCheckpoint(join(modelDir, 'snapshots', `step-${String(step).padStart(7, '0')}`), { ...initGpt(cfg, step), step });
    const ctx = fakeCtx(
      { method: 'g', template: new URL('gp-compact.txt', TEMPLATES).pathname, maxNewTokens: 6, perSplit: 2, threads: 1 },
      { model: modelDir, tasks: join(dir, 'tasks.jsonl') },
    );
    await evalCurveKind.run(ctx);
    const rows = ctx.tables['curve_episodes']!;
    expect(rows.map((r) => [r.step, r.split, r.idx])).toEqual([
      [10, 'id', 0], [10, 'id', 1], [10, 'fake', 3], [10, 'fake', 4],
      [20, 'id', 0], [20, 'id', 1], [20, 'fake', 3], [20, 'fake', 4],
    ]);
    const curve = JSON.parse(readFileSync(ctx.output('curve'), 'utf8'));
    expect(curve).toMatchObject({ format: 'pipe.eval-curve/1', task: 'gp', temperature: 0.5, perSplit: 2, fake: ['fake'], finalStep: 20 });
    expect(curve.steps.map((s: { step: number }) => s.step)).toEqual([10, 20]);
  }, 60_000);

  it('eval.curve asks for exactly one evaluation set, naming every task\'s input', async () => {
    const params = { method: 'm', template: new URL('sokoban-compact.txt', TEMPLATES).pathname };
    const message = "eval.curve: wire exactly one of 'envs' (a sokoban.evalset) or 'tasks' (a gp.evalset)";
    await expect(evalCurveKind.run(fakeCtx(params, { model: '/nonexistent' }))).rejects.toThrow(message);
    await expect(evalCurveKind.run(fakeCtx(params, { model: '/nonexistent', envs: '/e.jsonl', tasks: '/t.jsonl' }))).rejects.toThrow(message);
    expect(evalCurveKind.inputs).toEqual(['model', 'envs', 'tasks']);
  });
});
