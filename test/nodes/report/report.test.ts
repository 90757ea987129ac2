import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalSummary } from '../../../src/nodes/eval/summarize.js';
import { aggregate, cellKey } from '../../../src/nodes/report/aggregate.js';
import { renderHtml, renderMarkdown } from '../../../src/nodes/report/render.js';
import { buildReport, collectInputs } from '../../../src/nodes/report/report-node.js';

const eps = (split: string, k: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ split, success: i < k, valid: i < k ? 1 : 0.5 }));

const seed1 = evalSummary('sokoban', 'diverse-cot', 'eval[seed=1]', 0, [...eps('SimpleSokoban', 80, 100), ...eps('SimpleSokobanNumerical', 10, 100)]);
const seed2 = evalSummary('sokoban', 'diverse-cot', 'eval[seed=2]', 0, [...eps('SimpleSokoban', 60, 100), ...eps('SimpleSokobanNumerical', 30, 100)]);
const plain = evalSummary('sokoban', 'sft', 'eval_sft', 0, [...eps('SimpleSokoban', 90, 100), ...eps('SimpleSokobanNumerical', 0, 100)]);

describe('report', () => {
  it('averages seeds, pools episodes for the interval, keeps methods apart', () => {
    const t = aggregate([seed1, seed2, plain]).tasks[0]!;
    expect(t.methods).toEqual(['diverse-cot', 'sft']);
    expect(t.splits).toEqual(['SimpleSokoban', 'SimpleSokobanNumerical']);
    const c = t.cells.get(cellKey('diverse-cot', 'SimpleSokoban'))!;
    expect(c.seeds).toBe(2);
    expect(c.episodes).toBe(200);
    expect(c.success).toBeCloseTo(0.7);
    expect(c.successStd).toBeCloseTo(Math.sqrt(0.02));
    expect(c.ciLow).toBeLessThan(0.7);
    expect(c.ciHigh).toBeGreaterThan(0.7);
    expect(t.cells.get(cellKey('sft', 'SimpleSokobanNumerical'))!.ciLow).toBe(0);
  });

  it('renders the table, the paper column, charts and reproduce commands', () => {
    const data = buildReport({ title: 'T', reproduce: 'npx pipe run x.yaml' }, [seed1, seed2, plain], [
      { name: 'sft', log: [{ step: 1, loss: 2 }, { step: 2, loss: 1, val_loss: 1.2 }] },
    ]);
    const md = renderMarkdown(data);
    expect(md).toContain('| method | SimpleSokoban | SimpleSokobanNumerical |');
    expect(md).toContain('| diverse-cot | 0.70 ± 0.14 [');
    expect(md).toContain('| sft | 0.90 [0.83, 0.94] |');
    expect(md).toContain('0 → 0.89 (non-diverse → diverse)');
    expect(md).toContain('![sokoban: success per split](success-sokoban.svg)');
    expect(md).toContain('npx pipe run x.yaml');
    expect(data.charts.map((c) => c.file)).toEqual(['success-sokoban.svg', 'loss.svg']);
    expect(data.charts[1]!.svg).toContain('<path d="M');
    const html = renderHtml(data);
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
  });

  it('escapes hostile method names in HTML and SVG', () => {
    const evil = evalSummary('gp', '<script>alert(1)</script>', 'n', 0, eps('id', 1, 2));
    const data = buildReport({}, [evil], []);
    expect(renderHtml(data)).not.toContain('<script>');
    expect(data.charts[0]!.svg).not.toContain('<script>');
  });

  it('reads summary files and model directories, and names a bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-report-'));
    writeFileSync(join(dir, 's.json'), JSON.stringify(seed1));
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'train-log.jsonl'), '{"step":1,"loss":3}\n{"step":2,"loss":2}\n{"step":3,"lo');
    const got = await collectInputs({ a: join(dir, 's.json'), m: join(dir, 'model') });
    expect(got.summaries).toHaveLength(1);
    expect(got.curves[0]!.log).toHaveLength(2); // torn last line skipped
    writeFileSync(join(dir, 'bad.json'), '{"x":1}');
    await expect(collectInputs({ bad: join(dir, 'bad.json') })).rejects.toThrow("report input 'bad': not an evaluation summary");
    mkdirSync(join(dir, 'empty'));
    await expect(collectInputs({ e: join(dir, 'empty') })).rejects.toThrow(/without train-log.jsonl/);
  });
});
