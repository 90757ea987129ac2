import { describe, expect, it } from 'vitest';
import { gpSearchCot } from '../../../src/nodes/gp/cot.js';
import { generateGpRows } from '../../../src/nodes/gp/dataset.js';
import { dealTask } from '../../../src/nodes/gp/deal.js';
import { scoreGp } from '../../../src/nodes/gp/scorer.js';
import { gpSearchTrace, replayGpSearch } from '../../../src/nodes/gp/search-cot.js';
import { resolveGpSplit, trainingSpec } from '../../../src/nodes/gp/splits.js';

describe('General Points search CoT', () => {
  it('writes one step a line, dead ends with their backtracking, and ends at the target', () => {
    const trace = gpSearchTrace([7, 8, 10, 10], 24);
    expect(trace).not.toBeNull();
    const text = (trace?.lines ?? []).join('\n');
    expect(text.split('\n')[0]).toBe('values: 7 8 10 10');
    expect(text).toContain('7 28: no'); // a two-number dead end
    expect(text).toMatch(/^\d+ \d+ \d+: no$/m); // a three-number state abandoned: back to the start
    expect(text.split('\n').at(-1)).toMatch(/^\d+[-+*/]\d+=24$/);
    expect(replayGpSearch(text, [7, 8, 10, 10], 24)).toBeNull();
    expect(trace?.formula).toBe('10+7*(10-8)');
  });

  it('replays to the stated answer on every kind of deal, including five cards and values up to 19', () => {
    let checked = 0;
    for (const [spec, n] of [
      [trainingSpec('all_10', 4), 40],
      [resolveGpSplit('five_cards'), 12],
      [resolveGpSplit('large'), 30],
    ] as const) {
      for (let seed = 0; seed < n; seed++) {
        const task = dealTask(spec, seed, { index: 0, require: 'scorable' });
        if (task === null) continue;
        const text = gpSearchCot(task, 'compact');
        if (text === null) continue;
        expect(replayGpSearch(text, task.values, task.target)).toBeNull();
        expect(scoreGp(text, task).reward).toBe(5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('finds fractional solutions and reports no trace for unsolvable deals', () => {
    const trace = gpSearchTrace([1, 3, 4, 6], 24); // 6/(1-3/4)
    expect(trace).not.toBeNull();
    expect(replayGpSearch((trace?.lines ?? []).join('\n'), [1, 3, 4, 6], 24)).toBeNull();
    expect(trace?.lines.join('\n')).toMatch(/\d+\/\d+/);
    expect(gpSearchTrace([1, 1, 1, 1], 24)).toBeNull();
  });

  it('rejects traces with a wrong fact, a false dead end, a wrong state or no ending', () => {
    const values = [1, 5, 10, 10];
    expect(replayGpSearch('values: 1 5 10 10\n10+10=20 (1 5 20)\n5-1=4 (20 4)\n20+4=24', values, 24)).toBeNull();
    expect(replayGpSearch('values: 1 5 10 10\n10+10=21 (1 5 21)', values, 24)).toMatch(/is not 21/);
    expect(replayGpSearch('values: 1 5 10 10\n10+10=20 (1 5 20)\n1 5 20: no', values, 24)).toMatch(/can reach 24/);
    expect(replayGpSearch('values: 1 5 10 10\n10+10=20 (5 20)', values, 24)).toMatch(/numbers left/);
    expect(replayGpSearch('values: 1 5 10 10\n10*10=100 (1 5 100)\n100-5=95 (1 95)\n1 95: no\n1 5 100: no\n10+10=20 (1 5 20)', values, 24)).toMatch(/never reaches/);
    expect(replayGpSearch('values: 1 5 10 10\n7+10=17 (1 5 10 17)', values, 24)).toMatch(/7 is not among/);
    expect(replayGpSearch('values: 1 5 10 10\n10+10=20 (1 5 20)\n5+20=25 (1 25)\n1+25=26', values, 24)).toMatch(/ends at 26/);
  });

  it('is the dataset response of cotStyle search (solver trace stays the default)', () => {
    const base = { count: 8, seed: 3, template: 'cards: {{cards_compact}}\n{{faces_compact}}', format: 'compact' as const, response: 'cot' as const, cards: 4 };
    for (const row of generateGpRows({ ...base, cotStyle: 'search' })) {
      expect(replayGpSearch(row.sft['answer'] as string, row.task.values, 24)).toBeNull();
    }
    const solver = [...generateGpRows(base)][0]?.sft['answer'] as string;
    expect(solver).toMatch(/\(\d+( \d+)*\)/);
    expect(solver).not.toMatch(/: no$/m);
  });
});
