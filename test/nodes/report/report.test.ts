import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineContext } from '../../../src/engine/node-kind.js';
import { evalSummary } from '../../../src/nodes/eval/summarize.js';
import { aggregate, bindingFromId, cellKey } from '../../../src/nodes/report/aggregate.js';
import { roundLogTicks } from '../../../src/nodes/report/charts.js';
import { renderHtml, renderMarkdown } from '../../../src/nodes/report/render.js';
import { buildReport, collectInputs, renderReport } from '../../../src/nodes/report/report-node.js';

const eps = (split: string, k: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ split, success: i < k, valid: i < k ? 1 : 0.5 }));

const seed1 = evalSummary('sokoban', 'diverse-cot', 'eval[seed=1]', 0, [...eps('SimpleSokoban', 80, 100), ...eps('SimpleSokobanNumerical', 10, 100)]);
const seed2 = evalSummary('sokoban', 'diverse-cot', 'eval[seed=2]', 0, [...eps('SimpleSokoban', 60, 100), ...eps('SimpleSokobanNumerical', 30, 100)]);
const plain = evalSummary('sokoban', 'sft', 'eval_sft', 0, [...eps('SimpleSokoban', 90, 100), ...eps('SimpleSokobanNumerical', 0, 100)]);
const lab = (s: typeof seed1) => ({ summary: s, binding: bindingFromId(s.node) });

const context = (overrides: string[], temperature: number): PipelineContext => ({
  file: 'pipelines/x.yaml',
  name: 'x',
  overrides,
  commit: '0123456789abcdef',
  instances: [
    { id: 'train', kind: 'train.sft', params: { steps: 40, batchSize: 8, lr: 0.003, model: { nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 128 } }, binding: {} },
    { id: 'eval_sft', kind: 'eval.sokoban', params: { method: 'sft', temperature, template: { $file: 't.txt', sha256: 'ab' } }, binding: {} },
  ],
});

describe('report', () => {
  it('pools seeds (mean ± sd, Wilson over pooled episodes) and keeps methods apart', () => {
    const t = aggregate([seed1, seed2, plain].map(lab)).tasks[0]!;
    expect(t.rows.map((r) => [r.label, r.seeds])).toEqual([['diverse-cot', ['1', '2']], ['sft', []]]);
    expect(t.splits).toEqual(['SimpleSokoban', 'SimpleSokobanNumerical']);
    const c = t.cells.get(cellKey(t.rows[0]!.key, 'SimpleSokoban'))!;
    expect(c.seeds).toBe(2);
    expect(c.episodes).toBe(200);
    expect(c.success).toBeCloseTo(0.7);
    expect(c.successStd).toBeCloseTo(Math.sqrt(0.02));
    expect(c.ciLow).toBeLessThan(0.7);
    expect(c.ciHigh).toBeGreaterThan(0.7);
  });

  it('never pools a sweep: one row per swept value, seeds pooled within it', () => {
    const mk = (id: string, k: number) => evalSummary('sokoban', 'sft', id, 0, eps('SimpleSokoban', k, 10));
    const t = aggregate([mk('eval[lr=0.003,seed=1]', 2), mk('eval[lr=0.01,seed=1]', 8), mk('eval[lr=0.003,seed=2]', 4)].map(lab)).tasks[0]!;
    expect(t.rows.map((r) => [r.label, r.seeds])).toEqual([['sft lr=0.003', ['1', '2']], ['sft lr=0.01', ['1']]]);
    expect(t.cells.get(cellKey(t.rows[0]!.key, 'SimpleSokoban'))!.success).toBeCloseTo(0.3);
    expect(t.cells.get(cellKey(t.rows[1]!.key, 'SimpleSokoban'))!.success).toBeCloseTo(0.8);
    const md = renderMarkdown({ ...buildReport({}, [mk('eval[lr=0.003]', 2), mk('eval[lr=0.01]', 8)], []), charts: [] });
    expect(md).toContain('| sft lr=0.003 | 0.20 [');
    expect(md).toContain('| sft lr=0.01 | 0.80 [');
    expect(md).not.toContain('seeds');
  });

  it('tables: seeds named as seeds, the paper per method and split (no deltas), provenance and the exact command', () => {
    const data = buildReport({ $pipeline: context(['eval_sft.temperature=0.5'], 0.5) }, [seed1, seed2, plain], [], { nodeId: 'report', runId: 'R1' });
    const md = renderMarkdown({ ...data, charts: [] });
    expect(md).toContain('| method | SimpleSokoban | SimpleSokobanNumerical |');
    expect(md).toContain('| diverse-cot (seeds 1, 2) | 0.70 ± 0.14 [');
    expect(md).toContain('mean over 2 seeds ± sd between seeds');
    expect(md).toContain('| sft | 0.90 [0.83, 0.94] | 0.00 [0.00, 0.04] |');
    expect(md).toContain('paper (Qwen2.5-7B, Table 1), same methods:');
    expect(md).toContain('| diverse-cot | 1.00 | 0.98 |');
    expect(md).toContain('| sft | 0.98 | 0.00 |');
    expect(md).not.toContain('→');
    expect(data.reproduce.split('\n')[0]).toBe('npx pipe run pipelines/x.yaml --set eval_sft.temperature=0.5');
    expect(md).toContain('- commit: 0123456789abcdef');
    expect(md).toContain('- run: R1 (the run that wrote this page)');
    expect(md).toContain('| eval_sft | eval.sokoban | `{"method":"sft","temperature":0.5,"template":"t.txt"}` |');
  });

  it('notes follow the params that ran: greedy at temperature 0, sampled after --set temperature', () => {
    const greedy = buildReport({ $pipeline: context([], 0) }, [plain], []);
    expect(greedy.notes.join('\n')).toContain('Evaluation: greedy decoding (temperature 0; the paper samples at 0.5)');
    const sampled = buildReport({ $pipeline: context(['eval_sft.temperature=0.5'], 0.5), notes: ['A note of the pipeline.'] }, [plain], []);
    const text = sampled.notes.join('\n');
    expect(text).toContain('Evaluation: sampling at temperature 0.5 (as the paper does); 100 episodes per split on 2 splits');
    expect(text).not.toContain('greedy');
    expect(text).toContain('Training (train.sft): model 2 layers × 64 wide, 4 heads, context 128, 40 steps, batch 8, lr 0.003. [train]');
    expect(sampled.notes.at(-1)).toBe('A note of the pipeline.');
  });

  it('charts are SVG drawn by Vega-Lite: bars with value labels, Wilson whiskers, paper markers; loss on a log axis; lr and grad-norm', async () => {
    const log = Array.from({ length: 30 }, (_, i) => ({ step: (i + 1) * 10, loss: 4 / (i + 1), lr: 0.003, grad_norm: 2 / (i + 1), ...(i % 10 === 9 ? { val_loss: 5 / (i + 1) } : {}) }));
    const data = await renderReport(buildReport({}, [seed1, seed2, plain], [{ name: 'train', log }]));
    expect(data.charts.map((c) => c.file)).toEqual(['success-sokoban.svg', 'loss.svg', 'training.svg']);
    const bars = data.charts[0]!.svg;
    expect(bars.startsWith('<svg')).toBe(true);
    expect(bars).toContain('aria-roledescription="bar"');
    for (const v of ['0.70', '0.20', '0.90', '0.00']) expect(bars).toContain(`>${v}</text>`);
    expect(bars).toContain('aria-roledescription="rule mark container"');
    expect(bars).toContain('aria-roledescription="symbol mark container"'); // the paper's ◆
    expect(bars).toContain('paper (Qwen2.5-7B, Table 1)');
    const loss = data.charts[1]!.svg;
    for (const tick of ['0.1', '0.2', '0.5', '1', '2', '5']) expect(loss).toContain(`>${tick}</text>`);
    expect(loss).toContain('loss (log scale)');
    expect(data.charts[2]!.svg).toContain('gradient norm (log scale)');
    expect(data.charts[2]!.svg).toContain('learning rate');
    const html = renderHtml(data);
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
  }, 60_000);

  it('round log ticks', () => {
    expect(roundLogTicks(0.13, 4.2)).toEqual([0.1, 0.2, 0.5, 1, 2, 5]);
    expect(roundLogTicks(1.5, 1.9)).toEqual([1, 2]);
  });

  it('escapes hostile method names in HTML and SVG', async () => {
    const evil = evalSummary('gp', '<script>alert(1)</script>', 'n', 0, eps('id', 1, 2));
    const data = await renderReport(buildReport({}, [evil], []));
    expect(renderHtml(data)).not.toContain('<script>');
    expect(data.charts[0]!.svg).not.toContain('<script>');
  }, 60_000);

  it('reads summary files, model directories and gathered directories of both, and names a bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-report-'));
    writeFileSync(join(dir, 's.json'), JSON.stringify(seed1));
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'train-log.jsonl'), '{"step":1,"loss":3}\n{"step":2,"loss":2}\n{"step":3,"lo');
    mkdirSync(join(dir, 'gathered', 'seed=2'), { recursive: true });
    writeFileSync(join(dir, 'gathered', 'seed=1'), JSON.stringify(seed1));
    writeFileSync(join(dir, 'gathered', 'seed=2', 'train-log.jsonl'), '{"step":1,"loss":3}\n');
    const got = await collectInputs({ a: join(dir, 's.json'), m: join(dir, 'model'), g: join(dir, 'gathered') });
    expect(got.summaries).toHaveLength(2);
    expect(got.curves.map((c) => [c.name, c.log.length])).toEqual([['g seed=2', 1], ['m', 2]]); // torn last line skipped
    writeFileSync(join(dir, 'bad.json'), '{"x":1}');
    await expect(collectInputs({ bad: join(dir, 'bad.json') })).rejects.toThrow("report input 'bad': not an evaluation summary");
    mkdirSync(join(dir, 'empty'));
    await expect(collectInputs({ e: join(dir, 'empty') })).rejects.toThrow(/without train-log.jsonl/);
  });
});
