/**
 * A task's evaluator kind (`eval.sokoban`, `eval.gp`): reads the task's evaluation set, rolls every selected episode
 * out with a checkpoint, records one `episodes` row per episode and writes the per-split summary (success,
 * validity, Wilson 95 % CI) as the `summary` output. The task comes in as an `EvalTask`; the kind is declared in the
 * task's folder (its `module` there, so the task's code is part of the kind's implementation hash).
 */
import { readFile } from 'node:fs/promises';
import type { TProperties } from '@sinclair/typebox';
import type { NodeKind } from '../../engine/node-kind.js';
import { MODEL_DIR, SUMMARY_JSON } from '../formats.js';
import { modelNodeTraits, threadsFor } from '../model-node.js';
import { ParamsObject, withDefaults, type Static } from '../params.js';
import { evalParamProps, evalParams, selectEpisodes } from './eval-params.js';
import { readJsonl } from './jsonl.js';
import { loadModelPolicy } from './model-policy.js';
import { publishEvaluation } from './publish.js';
import type { EpisodeSpec, EvalTask } from './task.js';
import { countTruncations, truncationWarning } from './truncation.js';

/**
 * An evaluator's params schema: the shared evaluator params, then the task's own (`evalProps`). Typed as the shared
 * ones, which is how run() reads them; the task reads its own through its `P`.
 */
function evalParamsSchema(extra: TProperties): typeof evalParams {
  return ParamsObject({ ...evalParamProps, ...extra }) as unknown as typeof evalParams;
}

/** The evaluator kind of `task`, declared by the module at `module` (which must export it). */
export function evalKind<Spec extends EpisodeSpec, P>(task: EvalTask<Spec, P>, meta: { readonly description: string; readonly module: string }): NodeKind<Static<typeof evalParams>> {
  const schema = evalParamsSchema(task.evalProps);
  const input = task.evalSet.input;
  return {
    kind: task.evalKind,
    description: meta.description,
    module: meta.module,
    params: schema,
    inputs: ['model', input],
    inputFormats: { model: MODEL_DIR, [input]: task.evalSet.format },
    outputs: ['summary'],
    outputFormats: { summary: SUMMARY_JSON },
    fileParams: ['template'],
    ...modelNodeTraits,
    async run(ctx) {
      const p = withDefaults(schema, ctx.params);
      const template = await readFile(p.template, 'utf8');
      const specs = selectEpisodes(task.toSpecs(await readJsonl(ctx.inputs[input] as string, input)), p.splits, p.limit);
      if (specs.length === 0) throw new Error(`${task.evalKind}: no ${task.episodeNoun} selected (check \`splits\` against the evalset)`);
      const rollout = await task.rollout(template);
      const model = await loadModelPolicy(ctx.inputs['model'] as string, {
        provider: p.provider,
        maxBatch: p.batch,
        ...threadsFor(p, ctx),
      });
      const policy = countTruncations(model, p.maxNewTokens, rollout.stop);
      const temperature = p.temperature;
      let episodes;
      try {
        episodes = await rollout.run(policy, specs, {
          // The schema holds the task's params too, so they are there, defaults filled in.
          params: p as unknown as P,
          sample: { temperature, topP: p.topP, maxNewTokens: p.maxNewTokens },
          seed: ctx.seed,
          signal: ctx.signal,
          onProgress: (update) => ctx.progress(update),
        });
      } finally {
        await policy.dispose?.();
      }
      const warning = truncationWarning(policy.truncated, policy.total, p.maxNewTokens);
      if (warning !== undefined) ctx.log(warning);
      await publishEvaluation(ctx, task.name, temperature, episodes);
    },
  };
}
