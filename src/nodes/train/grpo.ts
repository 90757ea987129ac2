/**
 * `train.grpo`: GRPO from a checkpoint on an RL dataset (docs/paper.md §6): per step, P prompts × G sampled completions,
 * task rewards (Sokoban single-step action reward through the prompt's mapping; GP −3…+5), group-normalized
 * advantages, the clipped policy-gradient objective with token-mean reduction and an optional k3 KL to the initial
 * model. One update per rollout batch (ppo_epochs = 1), so the behaviour policy is the current one.
 * The model is a byte-vocabulary checkpoint (the `model` input) or a Hugging Face model — a folder (`init`), a
 * `model.hf` output or a trained output with hf/ (the `model` input) — fine-tuned fully or with `lora`, its prompts
 * rendered by its chat template (`chat`), its rollouts decoded by its own tokenizer and ended at its end of turn;
 * the trained output then holds an hf/ folder as train.sft's does.
 */
import type { NodeKind } from '../../engine/node-kind.js';
import type { Checkpoint } from '../../nn/index.js';
import { deriveSeed, Rng } from '../../util/rng.js';
import { createModelPolicy, hfCodec } from '../eval/model-policy.js';
import type { TrainLogRow } from './train-log.js';
import { MODEL_DIR, RL_PARQUET } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';
import { assertFinite, isSnapshotStep, loadResume, logEverySchema, logRow, publishSnapshots, saveResume, saveSnapshot, trainerProps, warmupStepsSchema } from './common.js';
import { baseModelSchemaProps, initFolderProblems, loadBaseModel, writeTrainedModel } from './base-model.js';
import { grpoBatch, rolloutEncoding } from './grpo-batch.js';
import { collectRollouts } from './grpo-core.js';
import { toRlItems } from './rl-rows.js';
import { modelNodeTraits, threadsFor } from '../model-node.js';

/** train.grpo's params, declared once (type, schema, defaults, descriptions). */
export const grpoParams = ParamsObject(
  {
    steps: Type.Integer({ minimum: 1, description: 'optimizer steps (one rollout batch each)' }),
    prompts: Type.Integer({ minimum: 1, maximum: 4096, description: 'prompts per step' }),
    group: Default(Type.Integer({ minimum: 2, maximum: 256, description: "completions per prompt (G; the paper's rollout.n = 8)" }), 8),
    temperature: Default(Type.Number({ exclusiveMinimum: 0, maximum: 5, description: 'sampling temperature of the rollouts' }), 1),
    topP: Default(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'nucleus sampling mass of the rollouts' }), 1),
    maxNewTokens: Default(Type.Integer({ minimum: 1, maximum: 8192, description: 'longest completion in tokens' }), 64),
    clipEps: Default(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'PPO clip range ε' }), 0.2),
    klCoef: Default(Type.Number({ minimum: 0, description: 'KL coefficient to the initial model (the paper: 0)' }), 0),
    ...trainerProps({
      lr: 1e-5,
      beta1: 0.9,
      beta2: 0.999,
      weightDecay: 0.01,
      minLrRatio: 1,
      gradClip: 1.0,
      seqLenDoc: 'longest prompt + maxNewTokens + 3, rounded up to 32, capped at blockSize',
    }),
    warmupSteps: Default(warmupStepsSchema(), 0),
    logEvery: Default(logEverySchema(), 1),
    ...baseModelSchemaProps,
  },
);
export type GrpoParams = Static<typeof grpoParams>;

export const grpoKind: NodeKind<GrpoParams> = {
  kind: 'train.grpo',
  description: 'GRPO from a checkpoint or a Hugging Face model (full or LoRA) on an RL Parquet dataset (group-normalized advantages, clipped objective)',
  module: import.meta.url,
  params: grpoParams,
  folderParams: ['init'],
  checkFiles: initFolderProblems,
  inputs: ['model', 'data'],
  optionalInputs: ['model'],
  inputFormats: { model: MODEL_DIR, data: RL_PARQUET },
  outputFormats: { model: MODEL_DIR },
  outputs: ['model'],
  ...modelNodeTraits,
  async run(ctx) {
    const p = withDefaults(grpoParams, ctx.params);
    const nn = await import('../../nn/index.js');
    const { readParquetInput } = await import('../data/parquet.js');
    const dataPath = ctx.inputs['data'] as string;
    const items = toRlItems(await readParquetInput(dataPath, "train.grpo input 'data'", RL_PARQUET));
    const G = p.group;
    const P = Math.min(p.prompts, items.length);
    // The starting model: a Hugging Face folder (`init`), or the `model` input — a byte-vocabulary checkpoint, or a
    // Hugging Face model (model.hf, or a trained output holding hf/) that brings its tokenizer and chat template.
    const modelInput = ctx.inputs['model'];
    if (p.init === undefined && modelInput === undefined) throw new Error("train.grpo: give the `init` param (a Hugging Face folder) or wire the `model` input");
    if (p.init !== undefined && modelInput !== undefined) throw new Error('train.grpo: give the `init` param or wire the `model` input, not both');
    const base = await loadBaseModel('train.grpo', p, modelInput, deriveSeed(ctx.seed, 'lora'), 'model');
    let initial: Checkpoint;
    if (base !== null) initial = base.ckpt;
    else {
      const { optimizer: _o, ...weights } = await nn.loadCheckpoint(modelInput as string);
      initial = { ...weights, step: 0 };
    }
    const codec = base?.hf != null ? await hfCodec(initial, base.hf.tokenizer, base.hf.chat) : undefined;
    const context = nn.contextLength(initial.config);
    const maxNewTokens = Math.min(p.maxNewTokens, context - 8);
    const encoding = await rolloutEncoding(base, codec, maxNewTokens);
    // Default: just long enough for the longest prompt plus a full completion (and the framing), in steps of 32.
    const longestPrompt = Math.max(...items.map((it) => encoding.promptIds(it.prompt).length));
    const seqLen = p.seqLen ?? Math.min(context, Math.ceil((longestPrompt + maxNewTokens + 3) / 32) * 32);
    if (seqLen > context) throw new Error(`train.grpo: seqLen ${seqLen} exceeds the model's blockSize ${context}`);
    const log: TrainLogRow[] = [];
    let init: Checkpoint = initial;
    const resumed = await loadResume(ctx.resumeDir);
    if (resumed !== null) {
      init = resumed.ckpt;
      log.push(...resumed.log);
      ctx.log(`train.grpo: resuming from step ${init.step}`);
    }
    const provider = p.provider;
    const threads = threadsFor(p, ctx);
    const trainer = await nn.Trainer.create({
      init,
      optim: {
        lr: p.lr,
        beta1: p.beta1,
        beta2: p.beta2,
        eps: 1e-8,
        weightDecay: p.weightDecay,
        warmupSteps: p.warmupSteps,
        totalSteps: p.steps,
        minLrRatio: p.minLrRatio,
        gradClip: p.gradClip,
      },
      loss: { kind: 'grpo', clipEps: p.clipEps, klCoef: p.klCoef },
      batchSize: P * G,
      seqLen,
      provider,
      ...threads,
    });
    const policyOpts = { provider, maxBatch: Math.min(256, P * G), ...threads, ...(codec !== undefined ? { codec } : {}) };
    const behaviour = await createModelPolicy(init, policyOpts);
    // The KL's reference is the starting model (LoRA: the base, its adapters still zero).
    const reference = p.klCoef > 0 ? await createModelPolicy(initial, policyOpts) : undefined;
    try {
      const logEvery = p.logEvery;
      const ckptEvery = p.checkpointEvery ?? Math.max(1, Math.floor(p.steps / 10));
      for (let step = init.step; step < p.steps; step++) {
        if (ctx.signal.aborted) throw new Error('train.grpo: aborted');
        const chosen = new Rng(deriveSeed(ctx.seed, 'prompts', step)).sample(items, P);
        const rollout = await collectRollouts(behaviour, chosen, G, {
          temperature: p.temperature,
          topP: p.topP,
          seed: deriveSeed(ctx.seed, 'sample', step),
          maxNewTokens,
        });
        const batch = await grpoBatch(rollout, G, seqLen, encoding, behaviour, reference);
        const stats = await trainer.train(batch);
        assertFinite('loss', stats.loss, step + 1, ctx.resumeDir);
        assertFinite('grad_norm', stats.gradNorm, step + 1, ctx.resumeDir);
        const ckpt = await trainer.checkpoint();
        await behaviour.setWeights(ckpt);
        const done = step + 1;
        if (done % logEvery === 0 || done === p.steps) {
          logRow(ctx, log, {
            step: done,
            loss: stats.loss,
            lr: stats.lr,
            grad_norm: stats.gradNorm,
            reward: rollout.stats.rewardMean,
          });
          ctx.metric('reward_std', rollout.stats.rewardStd, done);
          ctx.metric('flat_groups', rollout.stats.flatGroups, done);
          ctx.metric('solved', rollout.stats.solved, done);
          ctx.metric('response_tokens', rollout.stats.meanLength, done);
        }
        if (isSnapshotStep(done, p.evalEvery, p.steps)) await saveSnapshot(ctx.resumeDir, ckpt);
        if (done % ckptEvery === 0 && done !== p.steps) await saveResume(ctx.resumeDir, ckpt, log);
        ctx.progress({ done, total: p.steps, unit: 'steps', message: `reward ${rollout.stats.rewardMean.toFixed(3)}` });
      }
      const final = await trainer.checkpoint();
      await writeTrainedModel(ctx.output('model'), { ...final, meta: { ...(final.meta ?? {}), trainedBy: ctx.id } }, log, base);
      await publishSnapshots(ctx.resumeDir, ctx.output('model'));
    } finally {
      await behaviour.dispose();
      await reference?.dispose();
      await trainer.dispose();
    }
  },
};
