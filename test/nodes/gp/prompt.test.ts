import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatGpAnswer, gpCot, inferGpFormat, renderGpPrompt, scoreGp, type GpTask } from '../../../src/nodes/gp/api.js';

const paperTemplate = readFileSync(new URL('../../../pipelines/templates/gp-paper.txt', import.meta.url), 'utf8');
const compactTemplate = readFileSync(new URL('../../../pipelines/templates/gp-compact.txt', import.meta.url), 'utf8');

/** docs/paper.md §2's Q_GeneralPoint_EQN_L, with {num_cards} and {face_card_msg} filled in. */
function paperPrompt(numCards: number, msg: string, cards: string): string {
  return `
[Task Description]
You are an expert 24 points card game player. You will receive a set of ${numCards} cards.
Note that ${msg}, and each card must be used once.
Your goal is to output a formula that evaluates to 24 using numbers from the cards and operators such as '+', '-', '*', '/', '(', ')', and '='.

[Input]
Cards: ${cards}

[Output]
{
  "cards": [x, y, z, w], where ${msg},
  "number": [a, b, c, d], where a, b, c, and d are the numbers on the cards,
  "formula": 'an equation that equals 24',
}

`;
}

const task = (over: Partial<GpTask>): GpTask => ({
  split: 'id',
  index: 0,
  seed: 42,
  cards: [1, 5, 13, 10],
  display_cards: ['A', '5', 'K', '10'],
  promptMapping: 'all_10',
  scoringMapping: 'all_10',
  promptValues: [1, 5, 10, 10],
  values: [1, 5, 10, 10],
  target: 24,
  solution: '(10-5-1)*(10-...)',
  solutionScores: true,
  ...over,
});

describe('GP prompts', () => {
  it('renders the paper prompt verbatim (docs/paper.md §2)', () => {
    expect(renderGpPrompt({ template: paperTemplate, task: task({}) })).toBe(
      paperPrompt(4, "'J', 'Q', and 'K' all count as '10'", "['A', '5', 'K', '10']"),
    );
  });

  it('states non-uniform mappings as the reference does, and the Fake prompt mapping (not the scoring one)', () => {
    const fake = task({ promptMapping: 'face_as_regular', scoringMapping: 'all_10' });
    expect(renderGpPrompt({ template: paperTemplate, task: fake })).toBe(
      paperPrompt(4, "'J' counts as '11', 'Q' counts as '12', and 'K' counts as '13'", "['A', '5', 'K', '10']"),
    );
    const mixed = task({ promptMapping: 'mixed_8_9_10' });
    expect(renderGpPrompt({ template: paperTemplate, task: mixed })).toContain(
      "Note that 'J' counts as '8', 'Q' counts as '9', and 'K' counts as '10', and each card must be used once.",
    );
  });

  it('five cards change only {num_cards} (the [x, y, z, w] text stays)', () => {
    const five = task({ display_cards: ['A', '5', 'K', '10', '2'], cards: [1, 5, 13, 10, 2] });
    expect(renderGpPrompt({ template: paperTemplate, task: five })).toBe(
      paperPrompt(5, "'J', 'Q', and 'K' all count as '10'", "['A', '5', 'K', '10', '2']"),
    );
  });

  it('renders the compact prompt with the same information', () => {
    expect(renderGpPrompt({ template: compactTemplate, task: task({ promptMapping: 'low_range_5_7_9' }) })).toBe(
      'cards: A 5 K 10\nJ=5 Q=7 K=9\n',
    );
  });

  it('infers the response format from the template', () => {
    expect(inferGpFormat(paperTemplate)).toBe('paper');
    expect(inferGpFormat(compactTemplate)).toBe('compact');
  });

  it('formats answers exactly as the reference formatted_solution', () => {
    expect(formatGpAnswer(task({}), '(5-1)*10-10-6', 'paper')).toBe(
      '{\n"cards": ["A", "5", "K", "10"],\n "number": [1, 5, 10, 10],\n "formula": "(5-1)*10-10-6"\n}',
    );
    expect(formatGpAnswer(task({}), '1+2', 'compact')).toBe('formula: 1+2');
  });

  it('reports an unknown placeholder in a template', () => {
    expect(() => renderGpPrompt({ template: 'cards: {{cardz}}', task: task({}) })).toThrow(/cardz/);
  });
});

describe('GP solver-trace CoT', () => {
  it('writes the reduction step by step and ends in the answer format; the scorer gives +5', () => {
    const t = task({ display_cards: ['2', 'A', '6', 'J'], cards: [2, 1, 6, 11], values: [2, 1, 6, 10] });
    const compact = gpCot(t, 'compact') as string;
    const lines = compact.split('\n');
    expect(lines[0]).toBe('values: 2 1 6 10');
    expect(lines).toHaveLength(5); // values, 3 steps, formula
    expect(lines[3]).toMatch(/=24$/);
    expect(lines[4]).toMatch(/^formula: /);
    expect(scoreGp(compact, t).reward).toBe(5);
    const paper = gpCot(t, 'paper') as string;
    expect(paper).toContain("The cards are ['2', 'A', '6', 'J']. Since 'J', 'Q', and 'K' all count as '10'");
    expect(paper).toMatch(/Step 3: .* = 24, which is the target\./);
    expect(paper.endsWith(formatGpAnswer(t, /So the formula is (.*)\.\n/.exec(paper)?.[1] as string, 'paper'))).toBe(true);
    expect(scoreGp(paper, t, { mode: 'paper' }).reward).toBe(5);
  });

  it('writes fractional intermediate values unambiguously, and refuses tasks with no +5 answer', () => {
    const t = task({ display_cards: ['6', 'A', '3', '4'], cards: [6, 1, 3, 4], values: [6, 1, 3, 4] });
    const cot = gpCot(t, 'compact') as string;
    expect(scoreGp(cot, t).reward).toBe(5);
    const eights = task({ display_cards: ['3', '3', '8', '8'], cards: [3, 3, 8, 8], values: [3, 3, 8, 8] });
    expect(gpCot(eights, 'compact')).toBeNull();
    const none = task({ display_cards: ['A', 'A', 'A', 'A'], cards: [1, 1, 1, 1], values: [1, 1, 1, 1] });
    expect(gpCot(none, 'paper')).toBeNull();
  });
});
