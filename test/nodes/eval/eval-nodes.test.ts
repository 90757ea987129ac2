import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initGpt, saveCheckpoint, tokenizer } from '../../../src/nn/index.js';
import { evalGpKind } from '../../../src/nodes/gp/eval-node.js';
import { evalSokobanKind } from '../../../src/nodes/sokoban/eval-node.js';
import { dealTask } from '../../../src/nodes/gp/api.js';
import { resolveSplit } from '../../../src/nodes/sokoban/api.js';
import { fakeCtx } from '../train/fake-ctx.js';

const TEMPLATES = new URL('../../../pipelines/templates/', import.meta.url);

async function model(blockSize: number): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'pipe-eval-')), 'model');
  await saveCheckpoint(dir, initGpt({ vocabSize: tokenizer.vocabSize, blockSize, nLayer: 1, nHead: 2, nEmbd: 16 }, 3));
  return dir;
}

describe('eval nodes with a real (untrained) checkpoint', () => {
  it('eval.sokoban records one row per episode and a per-split summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-envs-'));
    const xsb = '######\n#@$ .#\n#    #\n######';
    const vocab = (split: string) => ({ promptVocab: resolveSplit(split).promptVocab, envVocab: resolveSplit(split).envVocab });
    const envs = ['SimpleSokoban', 'SimpleSokoban', 'FakeSokobanNumerical'].map((split, i) => JSON.stringify({ split, index: i, seed: 123 + i, xsb, optimal: 2, ...vocab(split) }));
    writeFileSync(join(dir, 'envs.jsonl'), envs.join('\n') + '\n');
    const ctx = fakeCtx(
      { method: 'm', template: new URL('sokoban-compact.txt', TEMPLATES).pathname, maxTurns: 2, maxNewTokens: 4, threads: 1 },
      { model: await model(128), envs: join(dir, 'envs.jsonl') },
    );
    await evalSokobanKind.run(ctx);
    const rows = ctx.tables['episodes']!;
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ task: 'sokoban', method: 'm', split: 'SimpleSokoban', env_seed: 123, temperature: 0.5 });
    expect(rows.every((r) => (r.turns as number) <= 2)).toBe(true);
    // Progress counts turn slots (3 episodes x 2 turns; an episode that ends early fills the rest of its own): it
    // never stalls on episodes that play on to the limit and ends exactly at its total.
    expect(ctx.updates.length).toBeGreaterThan(0);
    expect(ctx.updates.every((u) => u.total === 6 && u.unit === 'turns')).toBe(true);
    const done = ctx.updates.map((u) => u.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(6);
    const summary = JSON.parse(readFileSync(ctx.output('summary'), 'utf8'));
    expect(summary.splits.map((s: { split: string; episodes: number }) => [s.split, s.episodes])).toEqual([
      ['SimpleSokoban', 2],
      ['FakeSokobanNumerical', 1],
    ]);
  }, 60_000);

  it('eval.gp scores single-turn answers, selects splits and limits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-tasks-'));
    const lines = ['id', 'id', 'id', 'large'].map((s, i) => JSON.stringify(dealTask(s, 42 + i, { index: i })));
    writeFileSync(join(dir, 'tasks.jsonl'), lines.join('\n') + '\n');
    const ctx = fakeCtx(
      { method: 'g', template: new URL('gp-compact.txt', TEMPLATES).pathname, maxNewTokens: 6, splits: ['id'], limit: 2, threads: 1 },
      { model: await model(64), tasks: join(dir, 'tasks.jsonl') },
    );
    await evalGpKind.run(ctx);
    const rows = ctx.tables['episodes']!;
    expect(rows.map((r) => r.split)).toEqual(['id', 'id']);
    expect(rows[0]).toMatchObject({ task: 'gp', turns: 1, success: false });
  }, 60_000);

  it('names a malformed envs file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-envs-'));
    writeFileSync(join(dir, 'envs.jsonl'), '{"split":"SimpleSokoban"}\nnot json\n');
    const ctx = fakeCtx({ method: 'm', template: new URL('sokoban-compact.txt', TEMPLATES).pathname }, { model: '/nonexistent', envs: join(dir, 'envs.jsonl') });
    await expect(evalSokobanKind.run(ctx)).rejects.toThrow('envs:2: not a JSON line');
  });
});
