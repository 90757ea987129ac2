/**
 * General Points as a task of the node library (registered in src/nodes/tasks.ts): `gp.evalset` tasks answered in
 * one turn and scored by the paper's scorer (rollout.ts through eval-ops.ts). Its RL rows are rl-item.ts's `gpRl`.
 */
import type { EvalTask } from '../eval/task.js';
import { TASKS_JSONL } from '../formats.js';
import type { GpTaskSpec } from './rollout.js';

/** Checks `tasks` lines minimally (the task API validates the rest when rendering and scoring). */
export function toGpTasks(rows: readonly Record<string, unknown>[]): GpTaskSpec[] {
  return rows.map((r, i) => {
    if (typeof r.split !== 'string' || !Array.isArray(r.cards)) {
      throw new Error(`tasks line ${i + 1}: expected {split, index, seed, cards, …} (a gp.evalset output)`);
    }
    return { ...r, split: r.split, index: typeof r.index === 'number' ? r.index : i, seed: typeof r.seed === 'number' ? r.seed : i };
  });
}

/** The General Points task. */
export const gpTask = {
  name: 'gp',
  evalKind: 'eval.gp',
  evalSet: { input: 'tasks', format: TASKS_JSONL, from: 'gp.evalset' },
  episodeNoun: 'tasks',
  evalProps: {},
  toSpecs: toGpTasks,
  // Fake style: the numbers the prompt states differ from those a correct formula uses.
  isFake: (spec) => JSON.stringify(spec.promptValues) !== JSON.stringify(spec.values),
  async rollout(template) {
    const { gpOps } = await import('./eval-ops.js');
    const { rolloutGp } = await import('./rollout.js');
    const ops = gpOps(template);
    return {
      ...(ops.stop !== undefined ? { stop: ops.stop } : {}),
      run: (policy, specs, { params, sample, seed, signal, onProgress }) =>
        rolloutGp(policy, ops, specs, {
          sample: { ...sample, ...(ops.stop ? { stop: ops.stop } : {}) },
          seed,
          batch: params.batch,
          ...(signal !== undefined ? { signal } : {}),
          ...(onProgress !== undefined ? { onBatch: (done: number, total: number) => onProgress({ done, total, unit: 'episodes' }) } : {}),
        }),
    };
  },
} satisfies EvalTask<GpTaskSpec, { readonly batch: number }>;
