/**
 * Sokoban as a task of the node library (registered in src/nodes/tasks.ts): `sokoban.evalset` environments played
 * multi-turn and history-free (rollout.ts through eval-ops.ts). Its RL rows are rl-item.ts's `sokobanRl`.
 */
import type { EvalTask } from '../eval/task.js';
import { ENVS_JSONL } from '../formats.js';
import { Default, Type } from '../params.js';
import type { Vocab } from './api.js';
import type { SokobanEnvSpec } from './rollout.js';

/** Sokoban episode limits: params of eval.sokoban and (through the task registry) eval.curve. */
export const sokobanLimitProps = {
  maxTurns: Default(Type.Integer({ minimum: 1, maximum: 1000, description: 'turns per Sokoban episode (one model answer each)' }), 30),
  maxActions: Default(Type.Integer({ minimum: 1, maximum: 1000, description: 'actions per Sokoban episode' }), 30),
};

/** Checks and converts `envs` lines: each carries its level and both vocabularies, so any split evaluates. */
export function toEnvSpecs(rows: readonly Record<string, unknown>[]): SokobanEnvSpec[] {
  const isVocab = (v: unknown): v is Vocab => Array.isArray(v) && v.length === 4 && v.every((w) => typeof w === 'string');
  return rows.map((r, i) => {
    if (typeof r.split !== 'string' || typeof r.xsb !== 'string' || typeof r.seed !== 'number' || !isVocab(r.promptVocab) || !isVocab(r.envVocab)) {
      throw new Error(`envs line ${i + 1}: expected {split, index, seed, xsb, optimal, promptVocab, envVocab} (a sokoban.evalset output)`);
    }
    return {
      split: r.split,
      index: typeof r.index === 'number' ? r.index : i,
      seed: r.seed,
      xsb: r.xsb,
      promptVocab: r.promptVocab,
      envVocab: r.envVocab,
      ...(typeof r.optimal === 'number' ? { optimal: r.optimal } : {}),
    };
  });
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The Sokoban task. */
export const sokobanTask = {
  name: 'sokoban',
  evalKind: 'eval.sokoban',
  evalSet: { input: 'envs', format: ENVS_JSONL, from: 'sokoban.evalset' },
  episodeNoun: 'environments',
  evalProps: sokobanLimitProps,
  toSpecs: toEnvSpecs,
  // Fake style: the words the prompt states differ from those the environment accepts.
  isFake: (spec) => spec.promptVocab.join('\u0000') !== spec.envVocab.join('\u0000'),
  async rollout(template) {
    const { sokobanOps } = await import('./eval-ops.js');
    const { rolloutSokoban } = await import('./rollout.js');
    const ops = sokobanOps(template);
    return {
      ...(ops.stop !== undefined ? { stop: ops.stop } : {}),
      run: (policy, specs, { params, sample, seed, signal, onProgress }) =>
        rolloutSokoban(policy, ops, specs, {
          maxTurns: params.maxTurns,
          maxActions: params.maxActions,
          sample: { ...sample, ...(ops.stop ? { stop: ops.stop } : {}) },
          seed,
          memo: sample.temperature === 0,
          ...(signal !== undefined ? { signal } : {}),
          // Progress in turn slots (rollout.ts): finished episodes alone stall while the unsolved ones play on to the
          // turn limit, and the furthest episode's turn reaches the limit long before the others do.
          ...(onProgress !== undefined
            ? { onProgress: (p) => onProgress({ done: p.turns, total: p.turnsTotal, unit: 'turns', message: `(${p.finished}/${p.episodes} episodes ended)` }) }
            : {}),
        }),
    };
  },
  evalNote: (params) => `history-free, at most ${num(params.maxTurns)} turns and ${num(params.maxActions)} executed actions`,
} satisfies EvalTask<SokobanEnvSpec, { readonly maxTurns: number; readonly maxActions: number }>;
