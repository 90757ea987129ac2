/**
 * `eval.sokoban`: multi-turn, history-free rollouts of a checkpoint on `sokoban.evalset` environments, one row per
 * episode in `episodes`, and a per-split summary (success, validity, Wilson 95 % CI) as the `summary` output.
 */
import { readFile } from 'node:fs/promises';
import type { NodeKind } from '../../engine/node-kind.js';
import { ENVS_JSONL, MODEL_DIR, SUMMARY_JSON } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';
import { evalParamProps, selectEpisodes } from '../eval/eval-params.js';
import { readJsonl } from '../eval/jsonl.js';
import { countTruncations, truncationWarning } from '../eval/truncation.js';
import { loadModelPolicy } from '../eval/model-policy.js';
import { publishEvaluation } from '../eval/publish.js';
import { rolloutSokoban, type SokobanEnvSpec } from './rollout.js';
import { modelNodeTraits, threadsFor } from '../model-node.js';
import type { Vocab } from './api.js';

/** Sokoban episode limits (eval.sokoban and eval.curve). */
export const sokobanLimitProps = {
  maxTurns: Default(Type.Integer({ minimum: 1, maximum: 1000, description: 'turns per Sokoban episode (one model answer each)' }), 30),
  maxActions: Default(Type.Integer({ minimum: 1, maximum: 1000, description: 'actions per Sokoban episode' }), 30),
};

/** eval.sokoban's params, declared once. */
export const sokobanEvalParams = ParamsObject({ ...evalParamProps, ...sokobanLimitProps });
export type SokobanEvalParams = Static<typeof sokobanEvalParams>;

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

export const evalSokobanKind: NodeKind<SokobanEvalParams> = {
  kind: 'eval.sokoban',
  description: 'Multi-turn Sokoban evaluation of a checkpoint on evalset environments (episodes + per-split summary)',
  module: import.meta.url,
  params: sokobanEvalParams,
  inputs: ['model', 'envs'],
  inputFormats: { model: MODEL_DIR, envs: ENVS_JSONL },
  outputs: ['summary'],
  outputFormats: { summary: SUMMARY_JSON },
  fileParams: ['template'],
  ...modelNodeTraits,
  async run(ctx) {
    const p = withDefaults(sokobanEvalParams, ctx.params);
    const template = await readFile(p.template, 'utf8');
    const specs = selectEpisodes(toEnvSpecs(await readJsonl(ctx.inputs['envs'] as string, 'envs')), p.splits, p.limit);
    if (specs.length === 0) throw new Error('eval.sokoban: no environments selected (check `splits` against the evalset)');
    const { sokobanOps } = await import('./eval-ops.js');
    const ops = sokobanOps(template);
    const model = await loadModelPolicy(ctx.inputs['model'] as string, {
      provider: p.provider,
      maxBatch: p.batch,
      ...threadsFor(p, ctx),
    });
    const policy = countTruncations(model, p.maxNewTokens, ops.stop);
    const temperature = p.temperature;
    let episodes;
    try {
      episodes = await rolloutSokoban(policy, ops, specs, {
        maxTurns: p.maxTurns,
        maxActions: p.maxActions,
        sample: { temperature, topP: p.topP, maxNewTokens: p.maxNewTokens, ...(ops.stop ? { stop: ops.stop } : {}) },
        seed: ctx.seed,
        memo: temperature === 0,
        signal: ctx.signal,
        // Progress in turns: finished episodes alone stall while the unsolved ones play on to the turn limit.
        onTurn: (finished, total, turn) => ctx.progress({ done: turn, total: p.maxTurns, unit: 'turns', message: `(${finished}/${total} episodes finished)` }),
      });
    } finally {
      await policy.dispose?.();
    }
    const warning = truncationWarning(policy.truncated, policy.total, p.maxNewTokens);
    if (warning !== undefined) ctx.log(warning);
    await publishEvaluation(ctx, 'sokoban', temperature, episodes);
  },
};
