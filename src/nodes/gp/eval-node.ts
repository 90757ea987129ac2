/**
 * `eval.gp`: single-turn General Points evaluation of a checkpoint on `gp.evalset` tasks, one row per task in
 * `episodes` (success = +5, valid = reward ≥ −1), and a per-split summary as the `summary` output.
 */
import { readFile } from 'node:fs/promises';
import type { NodeKind } from '../../engine/node-kind.js';
import { MODEL_DIR, SUMMARY_JSON, TASKS_JSONL } from '../formats.js';
import { ParamsObject, withDefaults, type Static } from '../params.js';
import { evalParamProps, selectEpisodes } from '../eval/eval-params.js';
import { rolloutGp, type GpTaskSpec } from './rollout.js';
import { readJsonl } from '../eval/jsonl.js';
import { countTruncations, truncationWarning } from '../eval/truncation.js';
import { loadModelPolicy } from '../eval/model-policy.js';
import { publishEvaluation } from '../eval/publish.js';
import { modelNodeTraits, threadsFor } from '../model-node.js';

/** Checks `tasks` lines minimally (the task API validates the rest when rendering and scoring). */
export function toGpTasks(rows: readonly Record<string, unknown>[]): GpTaskSpec[] {
  return rows.map((r, i) => {
    if (typeof r.split !== 'string' || !Array.isArray(r.cards)) {
      throw new Error(`tasks line ${i + 1}: expected {split, index, seed, cards, …} (a gp.evalset output)`);
    }
    return { ...r, split: r.split, index: typeof r.index === 'number' ? r.index : i, seed: typeof r.seed === 'number' ? r.seed : i };
  });
}

/** eval.gp's params, declared once. */
export const gpEvalParams = ParamsObject(evalParamProps);
export type GpEvalParams = Static<typeof gpEvalParams>;

export const evalGpKind: NodeKind<GpEvalParams> = {
  kind: 'eval.gp',
  description: 'Single-turn General Points evaluation of a checkpoint on evalset tasks (episodes + per-split summary)',
  module: import.meta.url,
  params: gpEvalParams,
  inputs: ['model', 'tasks'],
  inputFormats: { model: MODEL_DIR, tasks: TASKS_JSONL },
  outputs: ['summary'],
  outputFormats: { summary: SUMMARY_JSON },
  fileParams: ['template'],
  ...modelNodeTraits,
  async run(ctx) {
    const p = withDefaults(gpEvalParams, ctx.params);
    const template = await readFile(p.template, 'utf8');
    const tasks = selectEpisodes(toGpTasks(await readJsonl(ctx.inputs['tasks'] as string, 'tasks')), p.splits, p.limit);
    if (tasks.length === 0) throw new Error('eval.gp: no tasks selected (check `splits` against the evalset)');
    const { gpOps } = await import('./eval-ops.js');
    const ops = gpOps(template);
    const batch = p.batch;
    const model = await loadModelPolicy(ctx.inputs['model'] as string, {
      provider: p.provider,
      maxBatch: batch,
      ...threadsFor(p, ctx),
    });
    const policy = countTruncations(model, p.maxNewTokens, ops.stop);
    const temperature = p.temperature;
    let episodes;
    try {
      episodes = await rolloutGp(policy, ops, tasks, {
        sample: { temperature, topP: p.topP, maxNewTokens: p.maxNewTokens, ...(ops.stop ? { stop: ops.stop } : {}) },
        seed: ctx.seed,
        batch,
        signal: ctx.signal,
        onBatch: (done, total) => ctx.progress({ done, total, unit: 'episodes' }),
      });
    } finally {
      await policy.dispose?.();
    }
    const warning = truncationWarning(policy.truncated, policy.total, p.maxNewTokens);
    if (warning !== undefined) ctx.log(warning);
    await publishEvaluation(ctx, 'gp', temperature, episodes);
  },
};
