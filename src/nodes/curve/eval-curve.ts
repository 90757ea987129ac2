/**
 * `eval.curve`: learning curves. Evaluates every weights snapshot a trainer kept (its `evalEvery` param) on a fixed
 * subset of every split — the first `perSplit` environments (Sokoban, input `envs`) or tasks (General Points, input
 * `tasks`) of each split, the same ones at every step, sampled with the same seeds — and records one
 * `curve_episodes` row per episode and step (the `eval_curve` view summarizes them). Its `curve` output holds the
 * per-step, per-split summaries plus two selections: the final checkpoint, and the paper's rule (the step with the
 * best mean success over the non-Fake splits — a selection on test splits, so an optimistic estimate).
 * It is a node of its own, not part of training, so that how a curve is measured never enters a trainer's cache key
 * (see train/common.ts).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeKind } from '../../engine/node-kind.js';
import { pickCurveSteps, type CurveDoc } from '../eval/curve.js';
import { episodeRows, type Episode } from '../eval/episode-rows.js';
import { evalParamProps, selectEpisodes } from '../eval/eval-params.js';
import { readJsonl } from '../eval/jsonl.js';
import { summarizeSplits } from '../eval/summarize.js';
import { countTruncations, truncationWarning } from '../eval/truncation.js';
import { CURVE_JSON, MODEL_DIR } from '../formats.js';
import { modelNodeTraits, threadsFor } from '../model-node.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';
import { tasks } from '../tasks.js';
import { SNAPSHOTS_DIR } from '../train/common.js';

/** eval.curve's params, declared once: the evaluators' (without `limit`) plus the subset size. */
export const curveParams = ParamsObject({
  ...evalParamsWithoutLimit(),
  perSplit: Default(Type.Integer({ minimum: 1, maximum: 100000, description: 'episodes per split at every step (the first ones of each split)' }), 10, { inKey: true }),
  // Every task's own evaluator params (Sokoban's turn limits), as its evaluator declares them.
  ...(Object.assign({}, ...tasks.map((t) => t.evalProps)) as Record<string, never>),
});
export type CurveParams = Static<typeof curveParams>;

function evalParamsWithoutLimit() {
  const { limit: _limit, ...rest } = evalParamProps;
  return rest;
}

/** The snapshot directories of a model output, in step order. */
export async function listSnapshots(modelDir: string): Promise<{ step: number; dir: string }[]> {
  const root = join(modelDir, SNAPSHOTS_DIR);
  if (!existsSync(root)) return [];
  return (await readdir(root))
    .flatMap((name) => {
      const m = /^step-(\d+)$/.exec(name);
      return m === null ? [] : [{ step: Number(m[1]), dir: join(root, name) }];
    })
    .sort((a, b) => a.step - b.step);
}

export const evalCurveKind: NodeKind<CurveParams> = {
  kind: 'eval.curve',
  description: "Learning curve: evaluates every snapshot a trainer kept (evalEvery) on the first perSplit episodes of each split",
  module: import.meta.url,
  params: curveParams,
  inputs: ['model', ...tasks.map((t) => t.evalSet.input)],
  optionalInputs: tasks.map((t) => t.evalSet.input),
  oneOfInputs: tasks.map((t) => t.evalSet.input),
  inputFormats: {
    model: `${MODEL_DIR} with snapshots (the trainer's evalEvery)`,
    ...Object.fromEntries(tasks.map((t) => [t.evalSet.input, t.evalSet.format])),
  },
  outputs: ['curve'],
  outputFormats: { curve: CURVE_JSON },
  fileParams: ['template'],
  ...modelNodeTraits,
  async run(ctx) {
    const p = withDefaults(curveParams, ctx.params);
    // The task is the one whose evaluation set is wired.
    const wired = tasks.filter((t) => ctx.inputs[t.evalSet.input] !== undefined);
    const task = wired[0];
    if (task === undefined || wired.length > 1) {
      throw new Error(`eval.curve: wire exactly one of ${tasks.map((t) => `'${t.evalSet.input}' (a ${t.evalSet.from})`).join(' or ')}`);
    }
    const snapshots = await listSnapshots(ctx.inputs['model'] as string);
    if (snapshots.length === 0) {
      throw new Error("eval.curve: the model holds no snapshots; set 'evalEvery' on the training node that made it");
    }
    const template = await readFile(p.template, 'utf8');
    const temperature = p.temperature;
    const perSplit = p.perSplit;
    const sample = { temperature, topP: p.topP, maxNewTokens: p.maxNewTokens };
    const nn = await import('../../nn/index.js');
    const { createModelPolicy, loadModel } = await import('../eval/model-policy.js');
    // Snapshots hold weights only: a Hugging Face model's tokenizer and chat rendering are the model output's.
    const modelDir = ctx.inputs['model'] as string;
    const codec = nn.hfFolderOf(modelDir) !== null ? (await loadModel(modelDir)).codec : undefined;
    const policy = await createModelPolicy(await nn.loadCheckpoint((snapshots[0] as { dir: string }).dir), {
      provider: p.provider,
      maxBatch: p.batch,
      ...threadsFor(p, ctx),
      ...(codec !== undefined ? { codec } : {}),
    });
    // The same episodes and seeds at every step, so the curve shows the model changing, not the sample.
    const input = task.evalSet.input;
    const specs = selectEpisodes(task.toSpecs(await readJsonl(ctx.inputs[input] as string, input)), p.splits, perSplit);
    const fake: ReadonlySet<string> = new Set(specs.filter((s) => task.isFake(s)).map((s) => s.split));
    const rollout = await task.rollout(template);
    const counter = countTruncations(policy, p.maxNewTokens, rollout.stop);
    const evaluate = (): Promise<readonly Episode[]> => rollout.run(counter, specs, { params: p, sample, seed: ctx.seed, signal: ctx.signal });
    const steps: CurveDoc['steps'][number][] = [];
    try {
      for (const [i, snap] of snapshots.entries()) {
        if (i > 0) await policy.setWeights(await nn.loadCheckpoint(snap.dir));
        const episodes = await evaluate();
        ctx.record('curve_episodes', episodeRows(task.name, p.method, temperature, episodes).map((r) => ({ ...r, step: snap.step })));
        const splits = summarizeSplits(episodes);
        steps.push({ step: snap.step, splits });
        ctx.log(`step ${snap.step}: ${splits.map((s) => `${s.split} ${s.success.toFixed(2)}`).join(', ')}`);
        ctx.progress({ done: i + 1, total: snapshots.length, unit: 'checkpoints' });
      }
    } finally {
      await policy.dispose();
    }
    const warning = truncationWarning(counter.truncated, counter.total, p.maxNewTokens);
    if (warning !== undefined) ctx.log(warning);
    const doc: CurveDoc = { format: 'pipe.eval-curve/1', task: task.name, method: p.method, node: ctx.id, temperature, perSplit, steps, fake: [...fake], ...pickCurveSteps(steps, fake) };
    await writeFile(ctx.output('curve'), JSON.stringify(doc, null, 2) + '\n');
  },
};
