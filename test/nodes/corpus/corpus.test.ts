import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { evaluate, evaluationLines, formatTokens, randomExpression } from '../../../src/nodes/corpus/arithmetic.js';
import { generateCorpus, isAllowedName, TEST_WORDS } from '../../../src/nodes/corpus/corpus.js';
import { shortestRoute } from '../../../src/nodes/corpus/grids.js';
import { buildEvalset } from '../../../src/nodes/gp/evalset-node.js';
import { renderGpPrompt } from '../../../src/nodes/gp/prompt.js';
import { parseLevel } from '../../../src/nodes/sokoban/level.js';
import { makeEvalEnvs } from '../../../src/nodes/sokoban/evalset-node.js';
import { renderSokobanPrompt } from '../../../src/nodes/sokoban/prompt.js';
import { SPLITS, type Vocab } from '../../../src/nodes/sokoban/splits.js';
import { Rng } from '../../../src/util/rng.js';

const template = (name: string): string => readFileSync(new URL(`../../../pipelines/templates/${name}`, import.meta.url), 'utf8');
const N = 8;

/** Every evaluation prompt of every built-in split of both tasks, in every shipped template. */
function evaluationPrompts(): string[] {
  const prompts: string[] = [];
  for (const t of ['sokoban-compact.txt', 'sokoban-paper.txt']) {
    for (const env of makeEvalEnvs(Object.values(SPLITS), 4, 123)) {
      prompts.push(renderSokobanPrompt({ template: template(t), grid: parseLevel(env.xsb), vocab: env.promptVocab as unknown as Vocab }));
    }
  }
  const { tasks } = buildEvalset({ perSplit: 25, seedBase: 42 });
  for (const t of ['gp-compact.txt', 'gp-paper.txt']) for (const task of tasks) prompts.push(renderGpPrompt({ template: template(t), task }));
  return prompts;
}

function ngrams(text: string, n: number, into: Set<string>): Set<string> {
  const chars = [...text];
  for (let i = 0; i + n <= chars.length; i++) into.add(chars.slice(i, i + n).join(''));
  return into;
}

describe('generic corpus', () => {
  const rows = [...generateCorpus({ count: 1500, seed: 7 })];

  it('is deterministic per seed and holds every document kind', () => {
    expect([...generateCorpus({ count: 50, seed: 7 })]).toEqual(rows.slice(0, 50));
    expect([...generateCorpus({ count: 50, seed: 8 })]).not.toEqual(rows.slice(0, 50));
    expect(new Set(rows.map((r) => r.data_source))).toEqual(
      new Set(['corpus-arithmetic', 'corpus-binding', 'corpus-read', 'corpus-find', 'corpus-put', 'corpus-walk', 'corpus-route']),
    );
  });

  it(`shares no ${N}-character sequence with any evaluation prompt, and contains no test word`, () => {
    const test = new Set<string>();
    for (const p of evaluationPrompts()) ngrams(p, N, test);
    expect(test.size).toBeGreaterThan(1000);
    expect(['map: Up=', 'Sokoban ', 'expert 2', 'cards: A'].map((g) => test.has(g))).toEqual([true, true, true, true]);
    const shared = new Set<string>();
    for (const r of rows) for (const g of ngrams(`${r.prompt}\n${r.response}`, N, new Set())) if (test.has(g)) shared.add(g);
    expect([...shared].slice(0, 10)).toEqual([]);
    const words = TEST_WORDS.filter((w) => [...w].length >= 2).map((w) => w.toLowerCase());
    for (const r of rows) {
      const text = `${r.prompt}\n${r.response}`.toLowerCase();
      for (const w of words) expect(text.includes(w), `${w} in ${r.data_source}`).toBe(false);
    }
  });

  it('evaluates expressions correctly one operation a line, over 2–6 operands in 1..99', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 300; i++) {
      const expr = randomExpression(rng, 2 + (i % 5));
      const numbers = expr.filter((t) => typeof t === 'number') as number[];
      expect(numbers.length).toBe(2 + (i % 5));
      expect(numbers.every((n) => n >= 1 && n <= 99)).toBe(true);
      // JavaScript's own evaluation of the same text is the reference (divisions are exact, so no rounding).
      const expected = Function(`return (${formatTokens(expr)});`)() as number;
      expect(evaluate(expr)).toBe(expected);
      const lines = evaluationLines(expr);
      expect(lines.at(-1)).toBe(`so ${expected}`);
      expect(lines.length).toBe(numbers.length); // one line per operation, plus the result
    }
    expect(evaluationLines([12, '+', 7, '*', '(', 30, '-', 5, ')'])).toEqual(['30-5=25 : 12+7*25', '7*25=175 : 12+175', '12+175=187', 'so 187']);
  });

  it('binding documents read every name through its stated value', () => {
    for (const r of rows.filter((x) => x.data_source === 'corpus-binding').slice(0, 100)) {
      const lets = new Map([...r.prompt.matchAll(/^let (\S+) mean (\d+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
      const read = (r.response.split('\n')[0] as string).split(' : ')[0] as string;
      for (const pair of read.split(' ')) {
        const [name, value] = [pair.slice(0, pair.lastIndexOf('=')), pair.slice(pair.lastIndexOf('=') + 1)];
        expect(lets.get(name)).toBe(value);
      }
      for (const name of lets.keys()) expect(isAllowedName(name)).toBe(true);
    }
  });

  it('grids span 3x3 to 14x14 and routes are shortest', () => {
    const sizes = rows.filter((r) => r.data_source === 'corpus-put').map((r) => r.response.split('\n').length - 1);
    expect(Math.min(...sizes)).toBe(3);
    expect(Math.max(...sizes)).toBe(14);
    const g = { rows: 3, cols: 4, cells: [...'.....%%.....'] };
    expect(shortestRoute(g, [1, 0], [1, 3])?.length).toBe(6);
    expect(shortestRoute({ rows: 3, cols: 3, cells: [...'.%..%..%.'] }, [0, 0], [0, 2])).toBeNull();
  });

  it('refuses names that are or contain a test word', () => {
    expect(isAllowedName('up')).toBe(false);
    expect(isAllowedName('xLeft')).toBe(false);
    expect(isAllowedName('m')).toBe(false);
    expect(isAllowedName('q]')).toBe(true);
  });
});
