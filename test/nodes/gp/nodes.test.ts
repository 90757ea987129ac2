import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readParquet } from '../../../src/nodes/data/parquet.js';
import { GP_SPLIT_NAMES, scoreGp, TRAIN_MAPPINGS, type GpTask } from '../../../src/nodes/gp/api.js';
import { generateGpRows } from '../../../src/nodes/gp/dataset.js';
import { kinds } from '../../../src/nodes/gp/index.js';
import { cleanupFakeCtx, fakeCtx } from './fake-ctx.js';

afterAll(cleanupFakeCtx);

const kind = (name: string) => {
  const k = kinds.find((x) => x.kind === name);
  if (!k) throw new Error(name);
  return k;
};
const template = (name: string) => fileURLToPath(new URL(`../../../pipelines/templates/${name}`, import.meta.url));

describe('gp.evalset', () => {
  it('writes every split, task i with seed seedBase + i, in JSONL that scoreGp reads directly', async () => {
    const ctx = fakeCtx({ perSplit: 12, seedBase: 42 });
    await kind('gp.evalset').run(ctx);
    const rows = readFileSync(ctx.output('tasks'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as GpTask);
    expect(rows).toHaveLength(12 * GP_SPLIT_NAMES.length);
    expect([...new Set(rows.map((r) => r.split))]).toEqual(GP_SPLIT_NAMES);
    for (const r of rows) {
      expect(r.seed).toBe(42 + r.index);
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(['split', 'index', 'seed', 'cards', 'display_cards', 'promptMapping', 'scoringMapping', 'target', 'solution']),
      );
      expect(scoreGp(`formula: ${r.solution}`, r).reward).toBe(r.solutionScores ? 5 : -1);
    }
    expect(ctx.progressUpdates.at(-1)).toMatchObject({ done: 12 * 9, total: 12 * 9 });
    expect(ctx.metrics).toContainEqual(['tasks', 108]);
  });

  it('honours a split subset and rejects unknown or repeated splits', async () => {
    const ctx = fakeCtx({ splits: ['fake', 'test_5cards'], perSplit: 3 });
    await kind('gp.evalset').run(ctx);
    const rows = readFileSync(ctx.output('tasks'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as GpTask);
    expect(rows.map((r) => r.split)).toEqual(['fake', 'fake', 'fake', 'five_cards', 'five_cards', 'five_cards']);
    await expect(kind('gp.evalset').run(fakeCtx({ splits: ['nope'] }))).rejects.toThrow(/unknown GP split 'nope'/);
    await expect(kind('gp.evalset').run(fakeCtx({ splits: ['id', 'test_id'] }))).rejects.toThrow(/twice/);
  });
});

const base = { count: 400, seed: 42, template: readFileSync(template('gp-compact.txt'), 'utf8'), cards: 4 } as const;

describe('gp.dataset rows', () => {

  it('non-diverse rows use all_10; every answer scores +5; seeds are consecutive', () => {
    const rows = [...generateGpRows({ ...base, format: 'compact', response: 'answer' })];
    expect(rows).toHaveLength(400);
    for (const r of rows) {
      expect(r.task.promptMapping).toBe('all_10');
      expect(r.sft['data_source']).toBe('gp-l');
      expect(scoreGp(r.sft['answer'] as string, r.task).reward).toBe(5);
      expect(r.task.cards.some((c) => c > 13)).toBe(false);
    }
    expect(rows[0]?.task.seed).toBe(42);
  });

  it('diverse rows spread the eight training mappings evenly, stated in each prompt', () => {
    const rows = [...generateGpRows({ ...base, format: 'compact', response: 'answer', mappings: TRAIN_MAPPINGS })];
    const counts = new Map<string, number>();
    for (const r of rows) {
      const m = r.task.promptMapping;
      counts.set(m, (counts.get(m) ?? 0) + 1);
      expect(r.sft['data_source']).toBe(`gp-l-${m}`);
      expect(r.task.scoringMapping).toBe(m);
      expect(scoreGp(r.sft['answer'] as string, r.task).reward).toBe(5);
    }
    expect([...counts.keys()].sort()).toEqual([...TRAIN_MAPPINGS].sort());
    expect([...counts.values()].every((n) => n === 50)).toBe(true);
    // the rows are not grouped by mapping
    expect(new Set(rows.slice(0, 16).map((r) => r.task.promptMapping)).size).toBeGreaterThan(2);
  });

  it('refuses a pool with a test mapping before generating anything', () => {
    expect(() => [...generateGpRows({ ...base, format: 'compact', response: 'answer', mappings: ['all_8', 'all_7'] })]).toThrow(
      /test mapping 'all_7'/,
    );
  });

  it('the node refuses such a pool at load, entry by entry, and a pool without diversity enabled', () => {
    const check = (diversity: Record<string, unknown>) => kind('gp.dataset').checkParams?.({ template: 't', diversity } as never);
    expect(check({ enabled: true, mappings: ['all_8', 'nope', 'all_7'] })).toEqual([
      { path: ['diversity', 'mappings', 1], message: expect.stringMatching(/^unknown face-card mapping 'nope'/) },
      { path: ['diversity', 'mappings', 2], message: "training face-card pool contains the test mapping 'all_7': test mappings must never be trained on" },
    ]);
    expect(check({ mappings: ['all_8'] })).toEqual([{ path: ['diversity', 'mappings'], message: 'is set but diversity.enabled is not true' }]);
    expect(check({ enabled: true, mappings: [...TRAIN_MAPPINGS] })).toEqual([]);
    expect(check({ enabled: true })).toEqual([]);
  });

  it('CoT rows (both formats, 4 and 5 cards) are verified by the scorer', () => {
    for (const format of ['compact', 'paper'] as const) {
      for (const cards of [4, 5]) {
        const rows = [...generateGpRows({ ...base, count: 150, cards, format, response: 'cot', mappings: TRAIN_MAPPINGS })];
        for (const r of rows) {
          expect(r.task.cards).toHaveLength(cards);
          expect(scoreGp(r.sft['answer'] as string, r.task, { mode: format === 'paper' ? 'paper' : 'any' }).reward).toBe(5);
        }
      }
    }
  });
});

describe('gp.dataset values scaffold', () => {
  it('states the mapped values first, then the answer; verified +5 in both formats', () => {
    for (const format of ['compact', 'paper'] as const) {
      const rows = [...generateGpRows({ ...base, count: 100, format, response: 'values', mappings: TRAIN_MAPPINGS })];
      for (const r of rows) {
        const answer = r.sft['answer'] as string;
        const first = answer.split('\n')[0] as string;
        expect(first).toContain(format === 'compact' ? r.task.values.join(' ') : `[${r.task.values.join(', ')}]`);
        expect(scoreGp(answer, r.task, { mode: format === 'paper' ? 'paper' : 'any' }).reward).toBe(5);
      }
    }
  });
});

describe('gp.dataset node', () => {
  it('writes SFT and RL Parquet in the paper schemas', async () => {
    const ctx = fakeCtx({
      count: 64,
      seed: 7,
      template: template('gp-paper.txt'),
      response: 'answer' as const,
      diversity: { enabled: true },
    });
    await kind('gp.dataset').run(ctx);
    const sft = await readParquet(ctx.output('sft'));
    const rl = await readParquet(ctx.output('rl'));
    expect(sft).toHaveLength(64);
    expect(rl).toHaveLength(64);
    const s = sft[0] as Record<string, any>;
    const r = rl[0] as Record<string, any>;
    expect(Object.keys(s).sort()).toEqual(['answer', 'data_source', 'extra_info', 'question']);
    expect(Object.keys(r).sort()).toEqual(['data_source', 'extra_info', 'question']);
    expect(r.question).toEqual([{ role: 'user', content: s.question }]);
    expect(Object.keys(r.extra_info).sort()).toEqual(
      ['cards', 'display_cards', 'face_card_mapping', 'index', 'solution', 'target'].sort(),
    );
    expect(s.question).toContain('[Task Description]');
    expect(s.answer).toMatch(/^\{\n"cards": \[/);
    for (const row of sft as Record<string, any>[]) {
      const task = { values: row.extra_info.display_cards as number[], target: row.extra_info.target as number };
      expect(scoreGp(row.answer, task, { mode: 'paper' }).reward).toBe(5);
      expect(TRAIN_MAPPINGS).toContain(row.extra_info.face_card_mapping);
    }
    expect(ctx.progressUpdates.at(-1)).toMatchObject({ done: 64, total: 64, unit: 'rows' });
  });

  it('is deterministic and fails on diversity.mappings without diversity.enabled', async () => {
    const a = [...generateGpRows({ ...{ count: 50, seed: 3, template: 'x {{cards_compact}}', cards: 4 }, format: 'compact', response: 'cot', mappings: TRAIN_MAPPINGS })];
    const b = [...generateGpRows({ ...{ count: 50, seed: 3, template: 'x {{cards_compact}}', cards: 4 }, format: 'compact', response: 'cot', mappings: TRAIN_MAPPINGS })];
    expect(a.map((r) => r.sft)).toEqual(b.map((r) => r.sft));
    const ctx = fakeCtx({ template: template('gp-compact.txt'), diversity: { enabled: false, mappings: ['all_8'] } });
    await expect(kind('gp.dataset').run(ctx)).rejects.toThrow(/diversity.enabled is false/);
  });
});
