import { describe, expect, it } from 'vitest';
import { dealTask, renderGpPrompt, scoreGp } from '../../../src/nodes/gp/api.js';
import { gpEvalsetProblems } from '../../../src/nodes/gp/evalset-node.js';
import { gpSplitFromObject, gpSplitProblems } from '../../../src/nodes/gp/split-object.js';

describe('user-declared General Points splits', () => {
  it('deal tasks whose prompt states one mapping while scoring uses another (Fake style)', () => {
    const split = gpSplitFromObject({ name: 'faces346', cards: 5, promptFaces: { J: 3, Q: 4, K: 6 }, scoringFaces: 'all_10', forced: 'face', target: 30 });
    const task = dealTask(split, 42, { index: 0 });
    expect(task).not.toBeNull();
    const t = task!;
    expect(t.cards).toHaveLength(5);
    expect(t.cards.some((c) => c >= 11 && c <= 13)).toBe(true);
    expect(t.target).toBe(30);
    expect(t.promptFaces).toEqual({ J: 3, Q: 4, K: 6 });
    const face = { 11: 3, 12: 4, 13: 6 } as Record<number, number>;
    expect(t.promptValues).toEqual(t.cards.map((c) => face[c] ?? c));
    expect(t.values).toEqual(t.cards.map((c) => (c >= 11 && c <= 13 ? 10 : c)));
    // The prompt states the user's values (read from the task, no lookup by name); the solution scores with 10.
    const prompt = renderGpPrompt({ template: 'cards: {{cards_compact}} faces: {{faces_compact}} target: {{target}}', task: JSON.parse(JSON.stringify(t)) });
    expect(prompt).toContain('faces: J=3 Q=4 K=6');
    expect(scoreGp(`formula: ${t.solution}`, t).reward).toBe(5);
  });

  it('reports every mistake with its path, and the evalset reports them located under splits', () => {
    expect(gpSplitProblems({ name: 'mine', cards: 3, promptFaces: 'all_5', maxCard: 19, forced: 'large', target: 10 })).toEqual([]);
    expect(gpSplitProblems({ name: 'test_fake', cards: 7, promptFaces: { J: 0, Q: 4, K: 5, A: 1 }, scoringFaces: 'all_99', maxCard: 12, forced: 'large', size: 1 })).toEqual([
      { path: ['size'], message: 'is an unknown split field (fields: name, cards, promptFaces, scoringFaces, maxCard, forced, target)' },
      { path: ['name'], message: "'test_fake' names the built-in split fake; give your split a name of its own" },
      { path: ['cards'], message: 'must be an integer from 2 to 6' },
      { path: ['maxCard'], message: "must be at least 14 to deal the forced large card (forced: 'large')" },
      { path: ['promptFaces', 'A'], message: 'is not a face card (J, Q, K)' },
      { path: ['promptFaces', 'J'], message: 'must be an integer from 1 to 99' },
      { path: ['scoringFaces'], message: expect.stringMatching(/^names no face-card mapping \('all_99'; known: all_8, /) },
    ]);
    expect(gpEvalsetProblems({ splits: ['id', 'nope', { name: 'x', cards: 1 }, { name: 'x2' }, 'test_id'] })).toEqual([
      { path: ['splits', 1], message: expect.stringMatching(/^names no built-in split \('nope'; known: id, /) },
      { path: ['splits', 2, 'cards'], message: 'must be an integer from 2 to 6' },
      { path: ['splits', 4], message: "lists split 'id' again (first at splits.0)" },
    ]);
  });
});
