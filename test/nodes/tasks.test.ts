/**
 * The task registries against the node library, for every registered task: its evaluator kind and its evaluation
 * set's kind are in the library and wired as the task says, eval.curve takes its evaluation set and its params, its
 * RL rows are found by their schema, and malformed evaluation-set lines are named.
 */
import { describe, expect, it } from 'vitest';
import { library } from '../../src/nodes/index.js';
import { rlTasks } from '../../src/nodes/rl-tasks.js';
import { tasks } from '../../src/nodes/tasks.js';
import { toRlItems } from '../../src/nodes/train/rl-rows.js';

const kind = (name: string) => library.kinds.find((k) => k.kind === name);
const paramNames = (name: string) => Object.keys((kind(name)?.params as { properties?: object } | undefined)?.properties ?? {});

describe('task registry', () => {
  it('lists Sokoban and General Points, names unique, RL rows only for known tasks', () => {
    expect(tasks.map((t) => t.name)).toEqual(['sokoban', 'gp']);
    expect(rlTasks.map((t) => t.name)).toEqual(['sokoban', 'gp']);
    expect(new Set(tasks.map((t) => t.evalSet.input)).size).toBe(tasks.length);
  });

  for (const task of tasks) {
    describe(task.name, () => {
      it('its evaluator and evaluation-set kinds are in the library and fit together', () => {
        const evaluator = kind(task.evalKind);
        expect(evaluator?.inputs).toEqual(['model', task.evalSet.input]);
        expect(evaluator?.inputFormats?.[task.evalSet.input]).toBe(task.evalSet.format);
        expect(paramNames(task.evalKind)).toEqual(expect.arrayContaining(['method', 'template', ...Object.keys(task.evalProps)]));
        expect(kind(task.evalSet.from)?.outputs).toContain(task.evalSet.input);
      });

      it('eval.curve takes its evaluation set and its params', () => {
        expect(kind('eval.curve')?.inputs).toContain(task.evalSet.input);
        expect(kind('eval.curve')?.optionalInputs).toContain(task.evalSet.input);
        expect(paramNames('eval.curve')).toEqual(expect.arrayContaining(Object.keys(task.evalProps)));
      });

      it('names a malformed evaluation-set line', () => {
        expect(() => task.toSpecs([{ nothing: true }])).toThrow(/line 1: expected/);
      });
    });
  }

  it('finds each task by its RL schema', () => {
    const sokoban = { prompt: 'map: a=Up b=Down c=Left d=Right\nact:', reward_model: { ground_truth: [1] } };
    const gp = { question: [{ role: 'user', content: 'cards: 4 6 1 1' }], extra_info: { display_cards: [4, 6, 1, 1], target: 24 } };
    expect(toRlItems([sokoban]).map((i) => i.task)).toEqual(['sokoban']);
    expect(toRlItems([gp]).map((i) => i.task)).toEqual(['gp']);
  });
});
