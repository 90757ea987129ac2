import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLevel } from '../../../src/nodes/sokoban/level.js';
import {
  formatResponse,
  isWellFormedResponse,
  parseAction,
  parseSokobanTemplate,
  renderSokobanPrompt,
  sokobanStepReward,
} from '../../../src/nodes/sokoban/prompt.js';
import { SPLITS, resolveSplit, splitProblems, type Vocab } from '../../../src/nodes/sokoban/splits.js';

const PAPER = readFileSync(new URL('../../../pipelines/templates/sokoban-paper.txt', import.meta.url), 'utf8');
const COMPACT = readFileSync(new URL('../../../pipelines/templates/sokoban-compact.txt', import.meta.url), 'utf8');
const LEVEL = parseLevel(['######', '#@ $.#', '#    #', '######'].join('\n'));

const GRID = [
  ' # \t # \t # \t # \t # \t # \t',
  ' # \t P \t _ \t X \t O \t # \t',
  ' # \t _ \t _ \t _ \t _ \t # \t',
  ' # \t # \t # \t # \t # \t # \t',
].join('\n');

function paperPrompt(answers: string): string {
  return `<|im_start|>user
You are a Sokoban solver.

Sokoban Quick Guide
Goal: Push all boxes (X) onto targets (O).

Symbols:
# Wall | _ Floor | O Target | X Box | P You | √ = Box on Target | S = You on Target

Rules:
1. Push boxes (can't pull).
2. Avoid walls (#).

Answers:
${answers}

Rewards:
Move: -0.1
Box on target: +1.0
All boxes placed: +10.0


[Current Observation]:
${GRID}
Decide the next action:
Always output: <think> [Your thoughts] </think> <answer> [your answer] </answer> with no extra text. Strictly follow this format. <|im_end|>
<|im_start|>assistant
<think>`;
}

describe('paper template', () => {
  // The reference source writes `Decide the next action:\` with a backslash, but there
  // (INSTRUCTION_TEMPLATE) that backslash ends a line inside a Python string: a line continuation, so the prompt
  // has none. Evidence: the HF cot-sokoban prompts are always 802 characters, which is this text for a 6x6 grid,
  // and the diverse prompts' 858-894 characters fit the where-line below.
  it('the ID prompt of a 6x6 level is 802 characters, like the paper data set', () => {
    const six = parseLevel(['######', '#@ $.#', '#    #', '#    #', '#    #', '######'].join('\n'));
    expect(renderSokobanPrompt({ template: PAPER, grid: six }).length).toBe(802);
    const diverse = renderSokobanPrompt({ template: PAPER, grid: six, vocab: ['tree', 'fix', 'jade', 'freedom'] });
    expect(diverse.length).toBeGreaterThanOrEqual(858);
    expect(diverse.length).toBeLessThanOrEqual(894);
  });

  it('renders the ID prompt exactly as the reference (docs/paper.md §1)', () => {
    const answers = '<answer> Up </answer> | <answer> Down </answer> | <answer> Left </answer> | <answer> Right </answer>';
    expect(renderSokobanPrompt({ template: PAPER, grid: LEVEL, split: 'SimpleSokoban' })).toBe(paperPrompt(answers));
  });

  it('renders the Numerical prompt with the where-line', () => {
    const answers =
      '<answer> 1 </answer> | <answer> 2 </answer> | <answer> 3 </answer> | <answer> 4 </answer>\n' +
      'where 1 is Up, 2 is Down, 3 is Left, 4 is Right.';
    expect(renderSokobanPrompt({ template: PAPER, grid: LEVEL, split: 'SimpleSokobanNumerical' })).toBe(paperPrompt(answers));
    // Fake states the numeric vocabulary too.
    expect(renderSokobanPrompt({ template: PAPER, grid: LEVEL, split: 'FakeSokobanNumerical' })).toBe(paperPrompt(answers));
  });

  it('renders every split, with its own answers block', () => {
    for (const split of Object.values(SPLITS)) {
      const p = renderSokobanPrompt({ template: PAPER, grid: LEVEL, split });
      const block = split.promptVocab.map((w) => `<answer> ${w} </answer>`).join(' | ');
      expect(p).toContain(`Answers:\n${block}\n`);
      const base = split.promptVocab[0] === 'Up';
      expect(p.includes('where ')).toBe(!base);
    }
  });

  it('formats the answer-only response as in the paper and accepts the grid as text', () => {
    expect(formatResponse({ template: PAPER, direction: 'Up' })).toBe('</think> <answer> Up </answer>');
    expect(formatResponse({ template: PAPER, direction: 'Left', vocab: SPLITS.SimpleSokobanAlphabetical!.promptVocab, think: 'go' })).toBe(
      'go </think> <answer> C </answer>',
    );
    expect(renderSokobanPrompt({ template: PAPER, grid: GRID })).toBe(renderSokobanPrompt({ template: PAPER, grid: LEVEL }));
  });
});

describe('compact template', () => {
  it('states the mapping and the compact grid in few characters', () => {
    const vocab: Vocab = ['tree', 'fix', 'jade', 'x1'];
    expect(renderSokobanPrompt({ template: COMPACT, grid: LEVEL, vocab })).toBe(
      'map: tree=Up fix=Down jade=Left x1=Right\n######\n#P_XO#\n#____#\n######\nact:',
    );
    expect(formatResponse({ template: COMPACT, direction: 'Right', vocab })).toBe('<answer>x1</answer>');
    expect(formatResponse({ template: COMPACT, direction: 'Right', vocab, think: 'Right -> x1' })).toBe('Right -> x1\n<answer>x1</answer>');
  });

  it('a template without a response section gets the default response format', () => {
    const t = parseSokobanTemplate('{{gridCompact}}\n');
    expect(t.prompt).toBe('{{gridCompact}}');
    expect(formatResponse({ template: t, direction: 'Down' })).toBe('<answer>Down</answer>');
  });

  it('unknown placeholders are errors', () => {
    expect(() => renderSokobanPrompt({ template: '{{nope}}', grid: LEVEL, source: 't.txt' })).toThrow(/t.txt: placeholder \{\{nope\}\}/);
  });
});

describe('parseAction', () => {
  const base = SPLITS.SimpleSokoban!.envVocab;
  it('maps the first answer, trimmed and case-insensitive', () => {
    expect(parseAction('<think>x</think> <answer>  up </answer>', base)).toBe('Up');
    expect(parseAction('<answer>Left</answer><answer>Right</answer>', base)).toBe('Left');
    expect(parseAction('<answer>\nRIGHT\n</answer>', base)).toBe('Right');
    expect(parseAction('<answer> m </answer>', SPLITS.SimpleSokobanRandom!)).toBe('Right');
    expect(parseAction('<answer>⬆</answer>', SPLITS.SimpleSokobanEmoji!)).toBe('Up');
  });

  it('returns null for missing or unmappable answers', () => {
    expect(parseAction('Up', base)).toBeNull();
    expect(parseAction('<answer>Upward</answer>', base)).toBeNull();
    expect(parseAction('<answer>Up', base)).toBeNull();
    expect(parseAction('<answer></answer>', base)).toBeNull();
  });

  it('Fake splits accept only the base words, whatever the prompt says', () => {
    const fake = resolveSplit('Fake');
    expect(parseAction('<answer> 1 </answer>', fake)).toBeNull();
    expect(parseAction('<answer> Up </answer>', fake)).toBe('Up');
  });
});

describe('sokobanStepReward', () => {
  const vocab: Vocab = ['tree', 'fix', 'jade', 'freedom'];
  it('is 1 only for a well-formed response whose mapped answer is the BFS action', () => {
    expect(sokobanStepReward('</think> <answer> fix </answer>', vocab, 'Down')).toBe(1);
    expect(sokobanStepReward('</think> <answer> fix </answer>', vocab, 2)).toBe(1);
    expect(sokobanStepReward('</think> <answer> Down </answer>', vocab, 'Down')).toBe(0);
    expect(sokobanStepReward('</think> <answer> tree </answer>', vocab, 'Down')).toBe(0);
    expect(sokobanStepReward('<answer> fix </answer> <answer> fix </answer>', vocab, 'Down')).toBe(0);
    expect(sokobanStepReward('<answer> fix </answer> </think>', vocab, 'Down')).toBe(0);
    expect(isWellFormedResponse('reasoning </think> <answer> a </answer>')).toBe(true);
    expect(() => sokobanStepReward('x', vocab, 7)).toThrow(/action id/);
  });
});

describe('resolveSplit', () => {
  it('accepts tags, aliases and user split objects; rejects bad ones', () => {
    expect(resolveSplit('numerical').name).toBe('SimpleSokobanNumerical');
    expect(resolveSplit('simplesokoban').name).toBe('SimpleSokoban');
    const mine = resolveSplit({ name: 'Mine', size: '8x7', boxes: 2, promptVocab: ['a1', 'b1', 'c1', 'd1'] });
    expect(mine).toMatchObject({ size: [8, 7], boxes: 2, envVocab: ['a1', 'b1', 'c1', 'd1'] });
    expect(() => resolveSplit('Nope')).toThrow(/unknown Sokoban split 'Nope'/);
    expect(() => resolveSplit({ name: 'X', size: 6, boxes: 1, promptVocab: ['a', 'A', 'b', 'c'] })).toThrow(
      "split 'X': promptVocab.1 'A' repeats word 1 ('a'): the four words must differ (ignoring case and spacing)",
    );
    expect(() => resolveSplit({ name: 'X', size: 2, boxes: 1 })).toThrow(/size/);
    expect(() => resolveSplit({ name: 'X', size: 6, boxes: 1, extra: 1 })).toThrow(/extra is an unknown split field/);
  });

  it('reports every mistake of a split object with its path: shadowed names, rooms too small, repeated words', () => {
    expect(splitProblems({ name: 'Mine', size: [5, 7], boxes: 2, promptVocab: ['w', 'x', 'y', 'z'], envVocab: ['a', 'b', 'c', 'd'] })).toEqual([]);
    expect(splitProblems({ name: 'numerical', size: 4, boxes: 1, envVocab: ['a', 'b', ' B ', 'c'], colour: 'red' })).toEqual([
      { path: ['colour'], message: 'is an unknown split field (fields: name, size, boxes, promptVocab, envVocab)' },
      { path: ['name'], message: "'numerical' names the built-in split SimpleSokobanNumerical; give your split a name of its own" },
      { path: ['size'], message: '4x4 is too small for 1 box(es): the generator needs an interior of at least 5 cells' },
      { path: ['envVocab', 2], message: "' B ' repeats word 2 ('b'): the four words must differ (ignoring case and spacing)" },
    ]);
    expect(splitProblems({ name: 'Big', size: '30x30', boxes: 9 })).toEqual([
      { path: ['boxes'], message: 'must be an integer from 1 to 8' },
      { path: ['size'], message: 'must be [rows, cols], "RxC" or a number, each side 4..20' },
    ]);
  });
});
